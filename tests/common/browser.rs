//! What a browser does on the authorization page: open it, fill in the
//! login form, press allow or deny. No redirect is followed, so tests see
//! where the server sends the browser.

/// A client that, like a test browser here, does not follow redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// The hidden and named inputs of the first form on a page, as a browser
/// would submit them.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split("<input").skip(1) {
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

/// Opens the authorization page of `portal`, then logs in and decides as a
/// user would.
pub async fn consent(
    auth_url: &url::Url,
    portal: &str,
    username: &str,
    password: &str,
    decision: &str,
) -> reqwest::Response {
    let page = http()
        .get(auth_url.as_str())
        .send()
        .await
        .expect("authorize page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!("Allow {portal}?")),
        "the page names the portal {portal}: {html}"
    );
    let mut form = form_fields(&html);
    form.push(("username".into(), username.into()));
    form.push(("password".into(), password.into()));
    form.push(("decision".into(), decision.into()));
    let mut action = auth_url.clone();
    action.set_query(None);
    http()
        .post(action.as_str())
        .form(&form)
        .send()
        .await
        .expect("post consent")
}
