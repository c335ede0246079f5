//! What keeps the password and secret endpoints from being used to guess:
//! sign-in attempts per account are limited, sign-ups per address, and an
//! operator can close sign-up altogether.

use crate::common::browser::{consent, http};
use crate::common::{spawn_app, spawn_app_with, Backend};
use fhir_import::{auth::accounts::Accounts, store::Store};
use oauth2::{basic::BasicClient, AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl};
use serde_json::{json, Value};

const PORTAL: &str = "Guarded portal";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_sign_in_attempts_for_one_account_are_slowed_down() {
    let app = spawn_app(Backend::Sqlite).await;
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    for user in ["erin", "frank"] {
        accounts
            .create_user(user, Some("the right password"))
            .await
            .expect("user");
    }
    let (client, _) = accounts
        .create_client(PORTAL, "erin", &[REDIRECT.to_owned()], &["projects".into()])
        .await
        .expect("client");
    let auth_url = || {
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        BasicClient::new(ClientId::new(client.client_id.clone()))
            .set_auth_uri(AuthUrl::new(format!("{}/oauth/authorize", app.endpoint())).expect("url"))
            .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).expect("redirect"))
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .url()
            .0
    };

    let mut refused = 0;
    let mut throttled = None;
    for _ in 0..12 {
        let answer = consent(&auth_url(), PORTAL, "erin", "a wrong guess", "allow").await;
        match answer.status().as_u16() {
            401 => refused += 1,
            429 => {
                throttled = Some(answer);
                break;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(refused, 10, "ten attempts are allowed");
    let throttled = throttled.expect("the eleventh attempt is slowed down");
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=90).contains(&retry_after), "{retry_after}");
    let page = throttled.text().await.expect("page");
    assert!(page.contains("Too many sign-in attempts"), "{page}");

    // Even the right password waits now; another account does not.
    let right = consent(&auth_url(), PORTAL, "erin", "the right password", "allow").await;
    assert_eq!(right.status(), 429);
    let other = consent(&auth_url(), PORTAL, "frank", "the right password", "allow").await;
    assert_eq!(other.status(), 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_from_one_address_are_limited() {
    let app = spawn_app(Backend::Sqlite).await;
    let signup = format!("{}/signup", app.endpoint());
    let mut statuses = Vec::new();
    for n in 0..21 {
        // Short passwords: refused cheaply, but still attempts.
        let answer = http()
            .post(&signup)
            .json(&json!({"username": format!("bot{n}"), "password": "x"}))
            .send()
            .await
            .expect("sign up");
        statuses.push(answer.status().as_u16());
        if answer.status() == 429 {
            assert!(answer.headers().contains_key("retry-after"));
            let body: Value = answer.json().await.expect("JSON");
            assert_eq!(body["error"], "slow_down");
        }
    }
    assert_eq!(&statuses[..20], &[400; 20]);
    assert_eq!(statuses[20], 429);

    // Another address has its own budget.
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let answer = elsewhere
        .post(&signup)
        .json(&json!({"username": "human", "password": "a long enough secret"}))
        .send()
        .await
        .expect("sign up from 127.0.0.2");
    assert_eq!(answer.status(), 201);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_can_close_sign_up() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.auth.signup = false).await;
    let signup = format!("{}/signup", app.endpoint());
    let page = http().get(&signup).send().await.expect("page");
    assert_eq!(page.status(), 404);
    assert!(page.text().await.expect("html").contains("closed"));
    let answer = http()
        .post(&signup)
        .json(&json!({"username": "gina", "password": "a long enough secret"}))
        .send()
        .await
        .expect("sign up");
    assert_eq!(answer.status(), 403);
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["error"], "signup_closed");
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    assert!(store.find_user("gina").await.expect("store").is_none());
    app.stop().await;
}

/// A sign-in form, fetched and filled by a client bound to `from`: what it
/// posts and the cookie header to post it with.
async fn filled_sign_in(
    from: [u8; 4],
    auth_url: &url::Url,
    username: &str,
) -> (reqwest::Client, Vec<(String, String)>, String) {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client.get(auth_url.as_str()).send().await.expect("page");
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("name=value")
        .to_owned();
    let mut form = crate::common::browser::form_fields(&page.text().await.expect("html"));
    form.extend([
        ("username".to_owned(), username.to_owned()),
        ("password".to_owned(), "a wrong guess".to_owned()),
        ("step".to_owned(), "sign_in".to_owned()),
    ]);
    (client, form, cookie)
}

/// One address cannot hold every password-hashing slot of the server:
/// sign-ins from it beyond two at once are answered 429 at once, without
/// hashing, while another address is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_hashes_at_most_two_passwords_at_once() {
    let app = spawn_app(Backend::Sqlite).await;
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    let (client, _) = accounts
        .create_client(
            PORTAL,
            "harness",
            &[REDIRECT.to_owned()],
            &["projects".into()],
        )
        .await
        .expect("client");
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let auth_url = BasicClient::new(ClientId::new(client.client_id.clone()))
        .set_auth_uri(AuthUrl::new(format!("{}/oauth/authorize", app.endpoint())).expect("url"))
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).expect("redirect"))
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url()
        .0;
    let action = format!("{}/oauth/authorize", app.endpoint());

    // Twelve sign-ins at once from one address (each for another account,
    // so the per-account limit is not what stops them).
    let mut forms = Vec::new();
    for n in 0..12 {
        forms.push(filled_sign_in([127, 0, 0, 1], &auth_url, &format!("guess{n}")).await);
    }
    let (other, other_form, other_cookie) =
        filled_sign_in([127, 0, 0, 3], &auth_url, "someone").await;
    let attempts = forms.into_iter().map(|(client, form, cookie)| {
        let action = action.clone();
        tokio::spawn(async move {
            let answer = client
                .post(&action)
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .expect("sign in");
            (
                answer.status().as_u16(),
                answer.headers().contains_key("retry-after"),
            )
        })
    });
    let attempts: Vec<_> = attempts.collect();
    let elsewhere = other
        .post(&action)
        .header("cookie", other_cookie)
        .form(&other_form)
        .send()
        .await
        .expect("sign in from another address");
    assert_eq!(elsewhere.status(), 401, "another address is served");
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.expect("join"));
    }
    let throttled = answers.iter().filter(|(status, _)| *status == 429).count();
    assert!(throttled >= 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(status, retry)| *status == 401 || (*status == 429 && *retry)),
        "{answers:?}"
    );
    app.stop().await;
}
