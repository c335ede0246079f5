//! The sign-in pages in a real browser: headless Chromium (Debian's
//! `chromium`), driven by Playwright (`tests/browser/signin.mjs`, npm
//! `playwright-core`), signs up, signs in, allows or denies on the consent
//! page, and lands on a portal on another origin, or on `fhir-import
//! login`'s loopback port. An HTTP client ignores the page's
//! Content-Security-Policy, cookies' attributes and SameSite; a browser
//! does not. Screenshots of every page go to target/browser-screenshots.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::{mpsc, Arc, Mutex},
};

use crate::common::binary::{command, Run, TIMEOUT};
use crate::common::{spawn_app, Backend, TestApp};
use axum::{extract::RawQuery, routing::get, Router};
use base64::Engine as _;
use fhir_import::{auth::accounts::Accounts, store::Store};
use serde_json::{json, Value};
use sha2::Digest as _;

const PASSWORD: &str = "a long passphrase";

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs the browser script; what it saw (`final_url`, `pages`, `cookies`…).
fn run_browser(job: Value) -> Result<Value, String> {
    let modules = browser_dir().join("node_modules/playwright-core");
    assert!(
        modules.exists(),
        "playwright-core is not installed: run `npm ci` in tests/browser (.ci/run does)"
    );
    let output = Command::new("node")
        .arg(browser_dir().join("signin.mjs"))
        .arg(job.to_string())
        .output()
        .expect("node runs");
    if output.status.success() {
        serde_json::from_slice(&output.stdout).map_err(|e| format!("output: {e}"))
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn screenshots() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/browser-screenshots")
        .display()
        .to_string()
}

/// A portal on another origin: a server that notes the query of every
/// request to its callback. It also serves `/forged`: whatever page is put
/// in the returned slot (another site's attempt at the consent form).
async fn portal() -> (String, Arc<Mutex<Vec<String>>>, Arc<Mutex<String>>) {
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let forged: Arc<Mutex<String>> = Arc::default();
    let noted = received.clone();
    let shown = forged.clone();
    let app = Router::new()
        .route(
            "/callback",
            get(move |RawQuery(query): RawQuery| {
                let noted = noted.clone();
                async move {
                    noted.lock().expect("lock").push(query.unwrap_or_default());
                    "Back at the portal"
                }
            }),
        )
        .route(
            "/forged",
            get(move || {
                let shown = shown.clone();
                async move { axum::response::Html(shown.lock().expect("lock").clone()) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/callback"), received, forged)
}

fn pkce() -> (String, String) {
    let verifier = "v".repeat(20) + &uuid::Uuid::now_v7().simple().to_string();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_params<'a>(
    client_id: &'a str,
    redirect: &'a str,
    challenge: &'a str,
    state: &'a str,
) -> [(&'static str, &'a str); 7] {
    [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect),
        ("scope", "projects import:read"),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

fn authorize_url(app: &TestApp, client_id: &str, redirect: &str, challenge: &str) -> String {
    authorize_url_with_state(app, client_id, redirect, challenge, "s-42")
}

fn authorize_url_with_state(
    app: &TestApp,
    client_id: &str,
    redirect: &str,
    challenge: &str,
    state: &str,
) -> String {
    let mut url = url::Url::parse(&format!("{}/oauth/authorize", app.endpoint())).expect("url");
    url.query_pairs_mut()
        .extend_pairs(authorize_params(client_id, redirect, challenge, state));
    url.to_string()
}

/// Another site's page whose button posts the consent form's fields with
/// "allow" for whoever is signed in, as a cross-site request forgery would
/// (it cannot know the form's token).
fn forged_consent_page(app: &TestApp, client_id: &str, redirect: &str, challenge: &str) -> String {
    let inputs: String = authorize_params(client_id, redirect, challenge, "forged")
        .iter()
        .chain(&[("csrf", "a-guess"), ("step", "allow")])
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                html_escape::encode_double_quoted_attribute(value)
            )
        })
        .collect();
    format!(
        r#"<!doctype html><title>Win a prize</title><form method="post" action="{}/oauth/authorize">{inputs}<button>Claim your prize</button></form>"#,
        app.endpoint()
    )
}

fn query_of(raw: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_up_signs_in_and_allows_a_portal_on_another_origin() {
    let app = spawn_app(Backend::Sqlite).await;
    let (redirect, received, forged) = portal().await;
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    let scopes = ["projects", "import:read"].map(str::to_owned);
    let (client, secret) = accounts
        .create_client(
            "Research portal",
            "harness",
            std::slice::from_ref(&redirect),
            &scopes,
        )
        .await
        .expect("client");
    let (verifier, challenge) = pkce();
    let (_, second_challenge) = pkce();
    *forged.lock().expect("lock") =
        forged_consent_page(&app, &client.client_id, &redirect, &second_challenge);
    // The forged page is served from another site (localhost, not
    // 127.0.0.1), as an attacker's would be.
    let forged_url = redirect
        .replace("127.0.0.1", "localhost")
        .replace("/callback", "/forged");

    let job = json!({
        "server": app.endpoint(), "signup": true, "username": "grace", "password": PASSWORD,
        "authorize_url": authorize_url(&app, &client.client_id, &redirect, &challenge),
        "again_url": authorize_url_with_state(&app, &client.client_id, &redirect, &second_challenge, "s-43"),
        "forged_url": forged_url,
        "decision": "allow", "expect_prefix": redirect, "screenshots": screenshots(),
        "name": "portal-allow",
    });
    let seen = tokio::task::spawn_blocking(move || run_browser(job))
        .await
        .expect("join")
        .unwrap_or_else(|why| panic!("the browser did not get back to the portal: {why}"));
    let landed = seen["final_url"].as_str().expect("final url");
    assert!(landed.starts_with(&redirect), "{landed}");

    // The pages say who asks, whose portal it is, where the browser goes
    // back to and what each scope allows, in words.
    let portal_host = url::Url::parse(&redirect).expect("url");
    let portal_host = format!("127.0.0.1:{}", portal_host.port().expect("port"));
    let sign_in = seen["pages"]["sign_in"].as_str().expect("sign-in page");
    for expected in [
        "Sign in to continue to Research portal",
        "registered by harness",
        &portal_host,
    ] {
        assert!(sign_in.contains(expected), "{expected:?} in {sign_in}");
    }
    let consent = seen["pages"]["consent"].as_str().expect("consent page");
    for expected in [
        "Allow Research portal to act for you?",
        "Signed in as grace",
        "registered by harness",
        &portal_host,
        "See your projects and create new ones",
        "Follow your imports and see what each one did",
    ] {
        assert!(consent.contains(expected), "{expected:?} in {consent}");
    }

    // Signed in once per browser session, with a cookie no script can read
    // and no other site's form sends.
    let cookies = seen["cookies"].as_array().expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c["name"] == "fhir_import_session")
        .unwrap_or_else(|| panic!("a session cookie: {cookies:?}"));
    assert_eq!(session["httpOnly"], true, "{session}");
    assert_eq!(session["secure"], true, "{session}");
    assert_eq!(session["sameSite"], "Lax", "{session}");
    assert_eq!(session["expires"], -1, "gone with the browser: {session}");
    let again = seen["again_url"].as_str().expect("second authorization");
    assert!(again.starts_with(&redirect), "{again}");

    // The forged form got no code: the browser stayed on our pages.
    let forged = &seen["forged"];
    assert!(
        forged["url"]
            .as_str()
            .expect("url")
            .starts_with(&app.endpoint()),
        "{forged}"
    );
    let queries = received.lock().expect("lock").clone();
    assert_eq!(
        queries.len(),
        2,
        "two grants, nothing for the forgery: {queries:?}"
    );
    assert_eq!(query_of(&queries[1])["state"], "s-43");
    assert!(query_of(&queries[1]).contains_key("code"));
    let back = query_of(&queries[0]);
    assert_eq!(back["state"], "s-42");
    // The code the portal got is good for tokens.
    let tokens = crate::common::browser::http()
        .post(format!("{}/oauth/token", app.endpoint()))
        .basic_auth(&client.client_id, Some(secret.expose()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", back["code"].as_str()),
            ("code_verifier", verifier.as_str()),
            ("redirect_uri", redirect.as_str()),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(tokens.status(), 200);
    let tokens: Value = tokens.json().await.expect("json");
    assert!(tokens["access_token"].is_string(), "{tokens}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_who_denies_is_sent_back_with_access_denied() {
    let app = spawn_app(Backend::Sqlite).await;
    let (redirect, received, _) = portal().await;
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    accounts
        .create_user("grace", Some(PASSWORD))
        .await
        .expect("user");
    let scopes = ["projects", "import:read"].map(str::to_owned);
    let (client, _) = accounts
        .create_client(
            "Research portal",
            "harness",
            std::slice::from_ref(&redirect),
            &scopes,
        )
        .await
        .expect("client");
    let (_, challenge) = pkce();
    let job = json!({
        "server": app.endpoint(), "signup": false, "username": "grace", "password": PASSWORD,
        "authorize_url": authorize_url(&app, &client.client_id, &redirect, &challenge),
        "decision": "deny", "expect_prefix": redirect, "screenshots": screenshots(),
        "name": "portal-deny",
    });
    tokio::task::spawn_blocking(move || run_browser(job))
        .await
        .expect("join")
        .unwrap_or_else(|why| panic!("the browser did not get back to the portal: {why}"));
    let queries = received.lock().expect("lock").clone();
    assert_eq!(queries.len(), 1, "{queries:?}");
    let back = query_of(&queries[0]);
    assert_eq!(back["error"], "access_denied");
    assert_eq!(back["state"], "s-42");
    assert!(!back.contains_key("code"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fhir_import_login_completes_in_a_browser() {
    let app = spawn_app(Backend::Sqlite).await;
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    accounts
        .create_user("ada", Some(PASSWORD))
        .await
        .expect("user");
    let scopes = ["projects", "import:read"].map(str::to_owned);
    let (client, secret) = accounts
        .create_client(
            "fhir-import CLI",
            "ada",
            &["http://127.0.0.1/callback".to_owned()],
            &scopes,
        )
        .await
        .expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let credentials = dir.path().join("credentials.json");
    let mut login = command(
        &app.endpoint(),
        None,
        &[
            "login",
            "--client-id",
            &client.client_id,
            "--client-secret",
            secret.expose(),
        ],
    );
    let mut login = login
        .env("FHIR_IMPORT_CREDENTIALS", &credentials)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start login");
    let stderr = login.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // Shown with the test's output if it fails: once in CI `login`
            // ended before printing the address, and said nothing we kept.
            eprintln!("login: {line}");
            if let Some(url) = line.trim().strip_prefix("http") {
                let _ = tx.send(format!("http{url}"));
            }
        }
    });
    let auth_url = rx.recv_timeout(TIMEOUT).expect("login prints the address");
    let job = json!({
        "server": app.endpoint(), "signup": false, "username": "ada", "password": PASSWORD,
        "authorize_url": auth_url, "decision": "allow", "expect_prefix": "http://127.0.0.1:",
        "screenshots": screenshots(), "name": "cli-login",
    });
    let seen = tokio::task::spawn_blocking(move || run_browser(job))
        .await
        .expect("join")
        .unwrap_or_else(|why| panic!("the browser did not get back to the CLI: {why}"));
    let landed = seen["final_url"].as_str().expect("final url");
    assert!(landed.contains("/callback?"), "{landed}");
    let consent = seen["pages"]["consent"].as_str().expect("consent page");
    assert!(
        consent.contains("an app on this computer"),
        "the loopback redirect is named as such: {consent}"
    );
    let output = tokio::task::spawn_blocking(move || login.wait_with_output())
        .await
        .expect("join")
        .expect("login finishes");
    let run = Run::from(output).ok();
    let summary: Value = serde_json::from_str(&run.stdout).expect("JSON summary");
    assert_eq!(summary["scope"], "projects import:read");
    assert!(credentials.exists());
    app.stop().await;
}
