//! What a browser does on the authorization pages, over HTTP: keep the
//! cookies the server sets, open a page, fill in its form and press a
//! button. No redirect is followed on its own, so tests see where the
//! server sends the browser. (tests/api/browser.rs drives a real Chromium.)

use std::collections::BTreeMap;

/// A client that, like a test browser here, does not follow redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// One browser: its cookies, sent back to the server they came from.
#[derive(Default)]
pub struct Browser {
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                match value.is_empty() || set.contains("Max-Age=0") {
                    true => self.cookies.remove(name),
                    false => self.cookies.insert(name.to_owned(), value.to_owned()),
                };
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        let response = http()
            .get(url)
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.keep_cookies(&response);
        response
    }

    pub async fn post(&mut self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        let response = http()
            .post(url)
            .header(reqwest::header::COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("POST");
        self.keep_cookies(&response);
        response
    }

    /// Opens `url` and returns its HTML, which must be `status`.
    pub async fn page(&mut self, url: &str, status: u16) -> String {
        let response = self.get(url).await;
        assert_eq!(response.status(), status, "{url}");
        response.text().await.expect("html")
    }
}

/// The hidden inputs of the first form on a page, as a browser would submit
/// them.
pub fn form_fields(html: &str) -> Vec<(String, String)> {
    let form = html.split("</form>").next().unwrap_or_default();
    let mut fields = Vec::new();
    for tag in form.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let attribute = |name: &str| {
            let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
            let end = tag[start..].find('"')? + start;
            Some(html_unescape(&tag[start..end]))
        };
        if tag.contains("type=\"hidden\"") {
            if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
                fields.push((name, value));
            }
        }
    }
    fields
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn with(mut form: Vec<(String, String)>, more: &[(&str, &str)]) -> Vec<(String, String)> {
    form.extend(more.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    form
}

/// Opens the authorization page of `portal` in a fresh browser, signs in
/// and then allows or denies (`decision`) as a user would. The answer to
/// the sign-in form when signing in fails (wrong password, throttled),
/// else the answer to the consent form.
pub async fn consent(
    auth_url: &url::Url,
    portal: &str,
    username: &str,
    password: &str,
    decision: &str,
) -> reqwest::Response {
    let mut browser = Browser::default();
    let html = browser.page(auth_url.as_str(), 200).await;
    assert!(
        html.contains(&format!("Sign in to continue to {portal}")),
        "the page names the portal {portal}: {html}"
    );
    let mut action = auth_url.clone();
    action.set_query(None);
    let signed_in = browser
        .post(
            action.as_str(),
            &with(
                form_fields(&html),
                &[
                    ("username", username),
                    ("password", password),
                    ("step", "sign_in"),
                ],
            ),
        )
        .await;
    if signed_in.status() != 303 {
        return signed_in;
    }
    let location = signed_in.headers()["location"].to_str().expect("location");
    let html = browser
        .page(action.join(location).expect("url").as_str(), 200)
        .await;
    assert!(
        html.contains(&format!("Allow {portal} to act for you?")),
        "the consent page names the portal {portal}: {html}"
    );
    browser
        .post(
            action.as_str(),
            &with(form_fields(&html), &[("step", decision)]),
        )
        .await
}
