//! The sign-in pages in a real browser: headless Chromium (Debian's
//! `chromium`), driven by Playwright (`tests/browser/signin.mjs`, npm
//! `playwright-core`), signs up, signs in, allows or denies, and lands on a
//! portal on another origin, or on `fhir-import login`'s loopback port.
//! An HTTP client ignores the page's Content-Security-Policy; a browser
//! does not. Screenshots of every page go to target/browser-screenshots.

mod common;

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::{mpsc, Arc, Mutex},
};

use axum::{extract::RawQuery, routing::get, Router};
use base64::Engine as _;
use common::binary::{command, Run, TIMEOUT};
use common::{spawn_app, Backend, TestApp};
use fhir_import::{accounts::Accounts, store::Store};
use serde_json::{json, Value};
use sha2::Digest as _;

const PASSWORD: &str = "a long passphrase";

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs the browser script; the URL the browser ended on.
fn run_browser(job: Value) -> Result<String, String> {
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
        let printed: Value =
            serde_json::from_slice(&output.stdout).map_err(|e| format!("output: {e}"))?;
        Ok(printed["final_url"].as_str().unwrap_or_default().to_owned())
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
/// request to its callback.
async fn portal() -> (String, Arc<Mutex<Vec<String>>>) {
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let noted = received.clone();
    let app = Router::new().route(
        "/callback",
        get(move |RawQuery(query): RawQuery| {
            let noted = noted.clone();
            async move {
                noted.lock().expect("lock").push(query.unwrap_or_default());
                "Back at the portal"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/callback"), received)
}

fn pkce() -> (String, String) {
    let verifier = "v".repeat(20) + &uuid::Uuid::now_v7().simple().to_string();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_url(app: &TestApp, client_id: &str, redirect: &str, challenge: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/oauth/authorize", app.endpoint())).expect("url");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", "projects import:read")
        .append_pair("state", "s-42")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    url.to_string()
}

fn query_of(raw: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_up_signs_in_and_allows_a_portal_on_another_origin() {
    let app = spawn_app(Backend::Sqlite).await;
    let (redirect, received) = portal().await;
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

    let job = json!({
        "server": app.endpoint(), "signup": true, "username": "grace", "password": PASSWORD,
        "authorize_url": authorize_url(&app, &client.client_id, &redirect, &challenge),
        "decision": "allow", "expect_prefix": redirect, "screenshots": screenshots(),
        "name": "portal-allow",
    });
    let landed = tokio::task::spawn_blocking(move || run_browser(job))
        .await
        .expect("join")
        .unwrap_or_else(|why| panic!("the browser did not get back to the portal: {why}"));
    assert!(landed.starts_with(&redirect), "{landed}");

    let queries = received.lock().expect("lock").clone();
    assert_eq!(queries.len(), 1, "{queries:?}");
    let back = query_of(&queries[0]);
    assert_eq!(back["state"], "s-42");
    // The code the portal got is good for tokens.
    let tokens = common::browser::http()
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
    let (redirect, received) = portal().await;
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
    let landed = tokio::task::spawn_blocking(move || run_browser(job))
        .await
        .expect("join")
        .unwrap_or_else(|why| panic!("the browser did not get back to the CLI: {why}"));
    assert!(landed.contains("/callback?"), "{landed}");
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
