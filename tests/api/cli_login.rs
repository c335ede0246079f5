//! `fhir-import login` as a person runs it: the command prints the address
//! to open, the "browser" (this test, posting the forms) signs in and
//! allows, the redirect lands on the command's loopback port, and later
//! commands use, refresh and finally forget the stored tokens.

use std::{
    io::{BufRead, BufReader},
    process::Stdio,
    sync::mpsc,
};

use crate::common::binary::{command, run_with, Run, TIMEOUT};
use crate::common::browser::{consent, http};
use crate::common::{spawn_app, Backend};
use fhir_import::{auth::accounts::Accounts, store::Store};
use serde_json::Value;

const PORTAL: &str = "fhir-import CLI";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_tokens_that_later_commands_use_and_refresh() {
    let app = spawn_app(Backend::Sqlite).await;
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    accounts
        .create_user("ada", Some("correct horse battery"))
        .await
        .expect("user");
    let scopes = ["projects", "import:read"].map(str::to_owned);
    // A public client: the CLI runs on a person's computer and can keep
    // no secret (RFC 8252).
    let client = accounts
        .create_public_client(
            PORTAL,
            "ada",
            &["http://127.0.0.1/callback".to_owned()],
            &scopes,
        )
        .await
        .expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let credentials = dir.path().join("credentials.json");
    let with_credentials = |args: &[&str]| {
        let mut cmd = command(&app.endpoint(), None, args);
        cmd.env("FHIR_IMPORT_CREDENTIALS", &credentials);
        cmd
    };

    let mut login = with_credentials(&["login", "--client-id", &client.client_id])
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
    let auth_url = url::Url::parse(&auth_url).expect("a URL");
    assert!(auth_url.path().ends_with("/oauth/authorize"), "{auth_url}");
    let query: std::collections::HashMap<_, _> = auth_url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query["redirect_uri"].starts_with("http://127.0.0.1:"));

    // The browser: sign in, allow, then follow the redirect to the CLI.
    let allowed = consent(&auth_url, PORTAL, "ada", "correct horse battery", "allow").await;
    assert_eq!(allowed.status(), 303);
    let back = allowed.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(back.starts_with(&query["redirect_uri"]), "{back}");
    let landing = http().get(&back).send().await.expect("loopback page");
    assert!(landing.text().await.expect("page").contains("Signed in"));

    let output = tokio::task::spawn_blocking(move || login.wait_with_output())
        .await
        .expect("join")
        .expect("login finishes");
    let run = Run::from(output).ok();
    let summary: Value = serde_json::from_str(&run.stdout).expect("JSON summary");
    assert_eq!(summary["server"], app.endpoint());
    assert_eq!(summary["scope"], "projects import:read");
    assert_eq!(summary["refreshable"], true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credentials)
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner may read the tokens");
    }

    // Later commands act as ada.
    let created = run_with(with_credentials(&["projects", "create", "mine"]), None)
        .await
        .ok();
    assert!(created.stdout.contains("ada/mine"), "{created}");

    // An expired access token is refreshed with the stored refresh token,
    // which rotates.
    let stored = |path: &std::path::Path| -> Value {
        serde_json::from_slice(&std::fs::read(path).expect("read credentials")).expect("JSON")
    };
    let mut file = stored(&credentials);
    let entry = &mut file["servers"][app.endpoint()];
    let old_access = entry["access_token"].clone();
    let old_refresh = entry["refresh_token"].clone();
    entry["expires_at"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(&credentials, serde_json::to_vec(&file).expect("JSON")).expect("write");
    let listed = run_with(with_credentials(&["projects", "list"]), None)
        .await
        .ok();
    assert!(listed.stdout.contains("ada/mine"), "{listed}");
    let file = stored(&credentials);
    let entry = &file["servers"][app.endpoint()];
    assert_ne!(entry["access_token"], old_access);
    assert_ne!(entry["refresh_token"], old_refresh);

    // Reading imports is within the login's scopes; importing is not.
    let listed = run_with(
        with_credentials(&["imports", "list", "--project", "ada/mine"]),
        None,
    )
    .await
    .ok();
    assert_eq!(listed.stdout, "no imports in ada/mine yet\n", "{listed}");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/document-references.ndjson"
    );
    let refused = run_with(
        with_credentials(&["import", "--project", "ada/mine", sample]),
        None,
    )
    .await
    .failed();
    assert!(
        refused.stderr.contains("PERMISSION_DENIED") && refused.stderr.contains("import:write"),
        "{refused}"
    );

    let out = run_with(with_credentials(&["logout"]), None).await.ok();
    assert!(out.stdout.contains("\"logged_out\": true"), "{out}");
    let after = run_with(with_credentials(&["projects", "list"]), None)
        .await
        .failed();
    assert!(after.stderr.contains("UNAUTHENTICATED"), "{after}");
    app.stop().await;
}
