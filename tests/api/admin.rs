//! `fhir-import admin`: bootstrapping users, portals and memberships in the
//! store a running server uses, as an operator would from a shell.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::common::{spawn_app, Backend, TestApp};
use sea_orm::{ConnectionTrait, Database, Statement};

fn admin(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fhir-import"))
        .arg("admin")
        .args(["--database-url", &app.database_url])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fhir-import admin");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("admin finishes")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "admin failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn refused(output: &Output) -> String {
    assert!(!output.status.success(), "expected a refusal");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn operators_bootstrap_users_portals_and_members(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("cohort").await;
    let password = "correct horse battery";

    let user = json(&admin(
        &app,
        &["create-user", "alice", "--password-stdin"],
        &format!("{password}\n"),
    ));
    assert_eq!(user["username"], "alice");
    assert_eq!(user["has_password"], true);
    let again = admin(
        &app,
        &["create-user", "alice", "--password-stdin"],
        &format!("{password}\n"),
    );
    assert!(refused(&again).contains("already exists"));
    let short = admin(&app, &["create-user", "bob", "--password-stdin"], "short\n");
    assert!(refused(&short).contains("at least 8"));

    let client = json(&admin(
        &app,
        &[
            "create-client",
            "--name",
            "Kids First portal",
            "--owner",
            "alice",
            "--redirect-uri",
            "https://portal.example.org/callback",
            "--scope",
            "import:write",
            "--scope",
            "import:read",
        ],
        "",
    ));
    let client_id = client["client_id"].as_str().expect("client_id").to_owned();
    let secret = client["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_owned();
    assert!(client_id.starts_with("fic_"));
    assert!(secret.len() >= 40, "a long random secret");
    assert_eq!(
        client["scopes"],
        serde_json::json!(["import:write", "import:read"])
    );

    // At rest there is only a digest of the secret and an argon2 hash of
    // the password.
    let db = Database::connect(&app.database_url).await.expect("db");
    let backend_kind = db.get_database_backend();
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend_kind,
            match backend {
                Backend::Sqlite => "SELECT secret_hash FROM oauth_clients WHERE client_id = ?",
                Backend::Postgres => "SELECT secret_hash FROM oauth_clients WHERE client_id = $1",
            },
            [client_id.clone().into()],
        ))
        .await
        .expect("query")
        .expect("client row");
    let stored: String = row.try_get("", "secret_hash").expect("hash");
    // A random 256-bit secret is kept as its SHA-256 digest.
    assert!(stored.starts_with("sha256$"), "{stored}");
    assert!(!stored.contains(&secret));
    assert!(fhir_import::auth::secrets::verify_digest(&secret, &stored));
    let users = db
        .query_all(Statement::from_string(
            backend_kind,
            "SELECT password_hash FROM users",
        ))
        .await
        .expect("users");
    for row in users {
        let hash: Option<String> = row.try_get("", "password_hash").expect("hash");
        assert!(hash.is_none_or(|h| h.starts_with("$argon2id$") && !h.contains(password)));
    }
    let _ = db.close().await;

    // Rotation: a new secret, shown once; only it authenticates now.
    let rotated = json(&admin(&app, &["rotate-client-secret", &client_id], ""));
    let new_secret = rotated["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_ne!(new_secret, secret);
    let accounts = fhir_import::auth::accounts::Accounts::new(
        fhir_import::store::Store::connect(&app.database_url, 2)
            .await
            .expect("store"),
    );
    let old = accounts
        .authenticate_client(&client_id, &secret)
        .await
        .expect("auth");
    assert!(old.is_none(), "the old secret no longer works");
    let new = accounts
        .authenticate_client(&client_id, &new_secret)
        .await
        .expect("auth");
    assert!(new.is_some());
    let revoked = json(&admin(&app, &["revoke-client", &client_id], ""));
    assert_eq!(revoked["revoked"], true);
    let after = accounts
        .authenticate_client(&client_id, &new_secret)
        .await
        .expect("auth");
    assert!(after.is_none(), "a revoked client does not authenticate");
    let unknown = admin(&app, &["revoke-client", "fic_nobody"], "");
    assert!(refused(&unknown).contains("not found"));

    let bad_scope = admin(
        &app,
        &[
            "create-client",
            "--name",
            "x",
            "--owner",
            "alice",
            "--scope",
            "everything",
        ],
        "",
    );
    assert!(refused(&bad_scope).contains("import:write"));
    let plain_http = admin(
        &app,
        &[
            "create-client",
            "--name",
            "x",
            "--owner",
            "alice",
            "--redirect-uri",
            "http://portal.example.org/cb",
        ],
        "",
    );
    assert!(refused(&plain_http).contains("https"));
    let no_owner = admin(
        &app,
        &["create-client", "--name", "x", "--owner", "nobody"],
        "",
    );
    assert!(refused(&no_owner).contains("user nobody not found"));

    let member = json(&admin(
        &app,
        &["add-member", &project.slug, "alice", "write"],
        "",
    ));
    assert_eq!(member["project"], project.id.as_str());
    assert_eq!(member["role"], "write");
    let bad_role = admin(&app, &["add-member", &project.id, "alice", "owner"], "");
    assert!(refused(&bad_role).contains("admin, write, read"));
    let no_project = admin(&app, &["add-member", "local/none", "alice", "read"], "");
    assert!(refused(&no_project).contains("not found"));

    // Nothing secret is ever printed back.
    for output in [&again, &short] {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!text.contains(password) && !text.contains("short\n"));
    }
    app.stop().await;
}
on_both_stores!(operators_bootstrap_users_portals_and_members);

async fn operators_rotate_the_signing_key(backend: Backend) {
    let app = crate::common::spawn_app(backend).await;
    let old_kid = jsonwebtoken::decode_header(&app.token)
        .expect("header")
        .kid
        .expect("kid");
    let rotated = json(&admin(&app, &["rotate-signing-key"], ""));
    assert_eq!(rotated["retired"], serde_json::json!([old_kid]));
    let new_kid = rotated["kid"].as_str().expect("kid").to_owned();
    assert_ne!(new_kid, old_kid);
    let again = json(&admin(&app, &["rotate-signing-key"], ""));
    assert_eq!(again["retired"], serde_json::json!([new_kid]));
    app.stop().await;
}
on_both_stores!(operators_rotate_the_signing_key);

/// The admin role is granted to users from the command line, and a token
/// for a user who lacks it never claims it.
async fn operators_grant_and_revoke_the_admin_role(backend: Backend) {
    let app = crate::common::spawn_app(backend).await;
    let made = json(&admin(&app, &["create-user", "root", "--admin"], ""));
    assert_eq!(made["admin"], true);
    json(&admin(&app, &["create-user", "bob"], ""));
    let portal = json(&admin(
        &app,
        &[
            "create-client",
            "--name",
            "ops",
            "--owner",
            "root",
            "--scope",
            "admin",
            "--scope",
            "projects",
        ],
        "",
    ));
    let client_id = portal["client_id"].as_str().expect("client_id");
    let issue = |user: &str, scopes: &[&str]| {
        let mut args = vec!["issue-token", "--user", user, "--client", client_id];
        for scope in scopes {
            args.extend(["--scope", scope]);
        }
        admin(&app, &args, "")
    };
    assert_eq!(json(&issue("root", &[]))["scope"], "admin projects");
    // bob gets what he may hold by default, and a clear refusal when he asks.
    assert_eq!(json(&issue("bob", &[]))["scope"], "projects");
    let asked = issue("bob", &["admin"]);
    assert!(
        refused(&asked).contains("grant-admin bob"),
        "{}",
        refused(&asked)
    );
    assert_eq!(
        json(&admin(&app, &["grant-admin", "bob"], ""))["admin"],
        true
    );
    assert_eq!(json(&issue("bob", &["admin"]))["scope"], "admin");
    assert_eq!(
        json(&admin(&app, &["revoke-admin", "bob"], ""))["admin"],
        false
    );
    assert!(refused(&issue("bob", &["admin"])).contains("not an admin"));
    assert!(refused(&admin(&app, &["grant-admin", "nobody"], "")).contains("not found"));
    app.stop().await;
}
on_both_stores!(operators_grant_and_revoke_the_admin_role);

/// `admin` works on the server's own store and issues tokens as the server
/// does, and says which: run from another folder it does not quietly make a
/// new store; `--listen` and `--issuer` are taken as `serve` takes them;
/// `--print-token` prints the bare token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_says_which_store_and_issuer_and_creates_no_store_unasked() {
    let app = spawn_app(Backend::Sqlite).await;
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let run = |dir: &std::path::Path, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fhir-import"))
            .current_dir(dir)
            .env_remove("FHIR_IMPORT__DATABASE_URL")
            .arg("admin")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run admin")
    };

    // Another folder, no settings: refused, and nothing created there.
    let lost = run(elsewhere.path(), &["create-user", "ada"]);
    let why = refused(&lost);
    assert!(why.contains("there is no store at fhir-import.db"), "{why}");
    assert!(why.contains("--create"), "{why}");
    assert!(!elsewhere.path().join("fhir-import.db").exists());
    let created = run(elsewhere.path(), &["--create", "create-user", "ada"]);
    json(&created);
    assert!(elsewhere.path().join("fhir-import.db").exists());

    // The server's store, named, with the issuer its tokens get.
    json(&admin(&app, &["create-user", "grace"], ""));
    let token_for = |extra: &[&str]| {
        let mut args = vec![
            "issue-token",
            "--user",
            "grace",
            "--client",
            app.client_id.as_str(),
            "--print-token",
        ];
        args.extend_from_slice(extra);
        admin(&app, &args, "")
    };
    let printed = token_for(&["--listen", "127.0.0.1:7001"]);
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let stderr = String::from_utf8_lossy(&printed.stderr);
    assert!(stderr.contains("admin: store sqlite://"), "{stderr}");
    assert!(
        stderr.contains("tokens issued as http://127.0.0.1:7001"),
        "{stderr}"
    );
    let token = String::from_utf8(printed.stdout).expect("utf-8");
    let token = token.trim_end();
    assert_eq!(token.lines().count(), 1, "only the token: {token}");
    let claims = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(token)
        .expect("a JWT")
        .claims;
    assert_eq!(claims["iss"], "http://127.0.0.1:7001");
    let issued = token_for(&["--issuer", "https://import.example.org"]);
    let token = String::from_utf8(issued.stdout).expect("utf-8");
    let claims = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(token.trim_end())
        .expect("a JWT")
        .claims;
    assert_eq!(claims["iss"], "https://import.example.org");
    app.stop().await;
}
