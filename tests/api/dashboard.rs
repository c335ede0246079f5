//! The dashboard at `/ui` in a real browser: headless Chromium (Debian's
//! `chromium`) driven by Playwright (`tests/browser/dashboard.mjs`, npm
//! `playwright-core`). A person signs in through the service's own pages
//! (the built-in public client, PKCE), opens a project, and follows an
//! import that the CLI streams meanwhile, scraped from a real FHIR server
//! (sekmet-fhir with a Kids First data set), to its end without reloading;
//! then reads its rejections, filters its files, tabs through it with the
//! keyboard, looks at it at a phone's width, reloads and signs out. A
//! non-admin sees no FHIR servers page. Screenshots go to
//! target/browser-screenshots/dashboard-<store>/.

use std::{path::PathBuf, process::Command};

use crate::common::binary::BIN;
use crate::common::fhir_server::SekmetServer;
use crate::common::{create_project, spawn_app, Backend, TestApp};
use fhir_import::dataset::{generate, Shape};
use fhir_import::proto::v1::{
    self as pb, fhir_server_service_client::FhirServerServiceClient,
    project_service_client::ProjectServiceClient,
};
use fhir_import::{auth::accounts::Accounts, store::Store};
use serde_json::{json, Value};

const PASSWORD: &str = "a long passphrase";

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs the dashboard script on `job`; what it saw, or why it failed.
fn run_dashboard(job: &Value) -> Value {
    assert!(
        browser_dir().join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `npm ci` in tests/browser (.ci/run does)"
    );
    let output = Command::new("node")
        .arg(browser_dir().join("dashboard.mjs"))
        .arg(job.to_string())
        .output()
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the dashboard run failed:\n{stderr}"
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("its output is not JSON ({e}):\n{stderr}"))
}

fn screenshots(backend: Backend) -> String {
    let store = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/browser-screenshots/dashboard-{store}"))
        .display()
        .to_string()
}

/// A user with a password (an admin or not) and a token of theirs for the
/// CLI, through the harness portal.
async fn person(app: &TestApp, name: &str, admin: bool) -> String {
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));
    accounts
        .create_user(name, Some(PASSWORD))
        .await
        .expect("user");
    accounts.set_admin(name, admin).await.expect("role");
    app.issue_token(name, &app.client_id, &[]).await
}

/// A reload kept the person signed in (the refresh token rotated); signing
/// out revoked the refresh token and the server's sign-in session.
fn the_session_outlived_a_reload_and_ended(seen: &Value) {
    let (reload, sign_out) = (&seen["reload"], &seen["sign_out"]);
    assert_eq!(reload["refresh_token_rotated"], true, "{reload}");
    assert_eq!(
        sign_out["revoked_refresh_token"], "400 invalid_grant",
        "{sign_out}"
    );
    assert_eq!(sign_out["sign_in_asks_password"], true, "{sign_out}");
}

async fn a_person_follows_an_import_live_on_the_dashboard(backend: Backend) {
    let data = generate(
        11,
        &Shape {
            families: 6,
            ..Shape::default()
        },
    );
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    let token = person(&app, "ada", true).await;
    create_project(
        &ProjectServiceClient::new(app.channel_with(&token)),
        "kf-demo",
    )
    .await;
    FhirServerServiceClient::new(app.channel_with(&app.token))
        .register_fhir_server(pb::RegisterFhirServerRequest {
            id: "kf".into(),
            base_url: sekmet.base_url().into(),
            schema: "ncpi-kids-first".into(),
            allowed_projects: vec!["ada/*".into()],
            allow_private_addresses: true,
            ..Default::default()
        })
        .await
        .expect("register the FHIR server");

    // What a portal really sends: the study's documents, some twice, and
    // three that cannot be imported.
    let documents = &data.document_references;
    let mut lines: Vec<String> = documents.iter().map(Value::to_string).collect();
    lines.extend(documents.iter().take(3).map(Value::to_string));
    lines.push(json!({"resourceType": "Patient", "id": "not-a-document"}).to_string());
    lines.push(
        json!({"resourceType": "DocumentReference", "id": "no-status",
               "content": [{"attachment": {"url": "https://example.org/x.bam"}}]})
        .to_string(),
    );
    lines.push("not JSON at all".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let ndjson = dir.path().join("documents.ndjson");
    std::fs::write(&ndjson, lines.join("\n") + "\n").expect("write the documents");
    let accepted = documents.len() + 3;

    let job = json!({
        "server": app.endpoint(),
        "username": "ada",
        "password": PASSWORD,
        "project": "ada/kf-demo",
        "import_command": [
            BIN, "import", "--project", "ada/kf-demo", ndjson.display().to_string(),
            "--fhir-server", "kf", "--metadata", "study=SD_DASHBOARD", "--tag", "dashboard",
        ],
        "import_env": {"FHIR_IMPORT_SERVER": app.endpoint(), "FHIR_IMPORT_TOKEN": token},
        "expected": {"accepted": accepted, "rejected": 3},
        "filter": {"key": "study", "value": "SD_DASHBOARD", "expect_files": documents.len()},
        "screenshots": screenshots(backend),
    });
    let seen = run_dashboard(&job);

    // Signed in, the code gone from the address bar, the admin's link shown.
    assert_eq!(seen["signed_in_url"], format!("{}/ui/", app.endpoint()));
    assert_eq!(seen["admin_link"], true);
    assert!(seen["csp"]
        .as_str()
        .is_some_and(|p| p.contains("script-src 'self'")));
    // The import, followed live to its end: both stages full.
    let card = &seen["project_card"];
    assert_eq!(card["imported"]["max"], accepted, "{card}");
    assert_eq!(card["imported"]["value"], accepted, "{card}");
    assert_eq!(card["scraped"]["value"], card["scraped"]["max"], "{card}");
    assert!(seen["observations"]
        .as_array()
        .is_some_and(|o| !o.is_empty()));
    assert_eq!(
        seen["import_exit_code"], 2,
        "the CLI says some were rejected"
    );
    // Its rejections, each with its index, code and message.
    let rejections = seen["rejections"].as_array().expect("rejections");
    let codes: Vec<&str> = rejections
        .iter()
        .map(|r| r["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(rejections.len(), 3, "{rejections:?}");
    assert!(codes.contains(&"WRONG_RESOURCE_TYPE"), "{codes:?}");
    let last = documents.len() + 3;
    let indexes: Vec<u64> = rejections
        .iter()
        .filter_map(|r| r["index"].as_u64())
        .collect();
    assert_eq!(indexes, [last as u64, last as u64 + 1, last as u64 + 2]);
    assert_eq!(seen["files"]["count"], documents.len(), "{}", seen["files"]);
    assert!(
        seen["project_files"].is_object(),
        "the project's files show without pressing Refresh: {}",
        seen["project_files"]
    );
    assert_eq!(seen["keyboard"]["opened_with_enter"], true);
    assert_eq!(seen["phone"]["import_fits"], true);
    the_session_outlived_a_reload_and_ended(&seen);
    app.stop().await;
}
on_both_stores!(a_person_follows_an_import_live_on_the_dashboard);

/// Someone who is not a platform admin signs in, finds no FHIR servers
/// page (the server withheld the admin scope), keeps the session over a
/// reload and ends it.
async fn a_non_admin_sees_no_fhir_servers(backend: Backend) {
    let app = spawn_app(backend).await;
    person(&app, "bob", false).await;
    let seen = run_dashboard(&json!({
        "mode": "session",
        "server": app.endpoint(),
        "username": "bob",
        "password": PASSWORD,
        "screenshots": format!("{}-bob", screenshots(backend)),
    }));
    assert_eq!(seen["admin_link"], false);
    assert_eq!(seen["servers"]["admins_only"], true, "{}", seen["servers"]);
    the_session_outlived_a_reload_and_ended(&seen);
    app.stop().await;
}
on_both_stores!(a_non_admin_sees_no_fhir_servers);
