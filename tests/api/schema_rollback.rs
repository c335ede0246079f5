//! Rolling a release back: the newer release's `admin migrate-down` takes
//! the schema back to what the older one knows, and a release that finds a
//! schema migrated further than it knows refuses the store, untouched, and
//! says how to roll it back. Then the store goes up again and reads the
//! same.

use std::process::Command;

use crate::common::binary::{run_with, Run, BIN};
use crate::common::{docs, header, spawn_app, Backend, TestApp};
use fhir_import::proto::v1 as pb;
use fhir_import::store::known_migrations;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// A migration no release of this code has: what a newer release leaves.
const FROM_A_NEWER_RELEASE: &str = "m29991231_000001_from_a_newer_release";

async fn admin(app: &TestApp, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .arg("admin")
        .args(["--database-url", &app.database_url])
        .args(args);
    run_with(command, None).await
}

async fn applied(db: &DatabaseConnection) -> Vec<String> {
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        r#"SELECT "version" FROM "seaql_migrations" ORDER BY "version""#,
    ))
    .await
    .expect("applied migrations")
    .iter()
    .map(|row| row.try_get_by_index(0).expect("a version"))
    .collect()
}

async fn execute(db: &DatabaseConnection, sql: &str) {
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql);
}

async fn a_release_rolls_back_and_refuses_a_newer_schema(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("rollback").await;
    let import = app
        .import_and_wait(header(&project.slug), docs::valid_inputs(0..12))
        .await;
    assert_eq!(import.state(), pb::ImportState::Completed);
    let before = app.all_files(&project.id, &[]).await;
    assert_eq!(before.len(), 12);

    let known = known_migrations();
    let previous = &known[known.len() - 2];
    let latest = &known[known.len() - 1];
    // Not under a server that still runs on the store.
    let served = admin(&app, &["migrate-down", "--to", previous])
        .await
        .failed();
    let says = match backend {
        Backend::Sqlite => "another fhir-import server is using",
        Backend::Postgres => "session(s) of fhir-import are connected to this database",
    };
    assert!(served.stderr.contains(says), "{served}");
    let mut app = app;
    app.stop_server().await;
    let db = Database::connect(&app.database_url).await.expect("connect");
    assert_eq!(applied(&db).await, known, "a new store has every migration");

    // Back to what the release before this one knew.
    let rolled = admin(&app, &["migrate-down", "--to", previous]).await.ok();
    let answer: serde_json::Value = serde_json::from_str(&rolled.stdout).expect("JSON");
    assert_eq!(answer["undone"], serde_json::json!([latest]), "{rolled}");
    assert_eq!(answer["now_at"], serde_json::json!(previous));
    assert_eq!(applied(&db).await, known[..known.len() - 1]);
    // Nothing more to undo the second time.
    let again = admin(&app, &["migrate-down", "--to", previous]).await.ok();
    assert!(again.stdout.contains(r#""undone": []"#), "{again}");

    // A newer release migrated the store: this one refuses it and names the
    // way back, starting the server as well as opening the store for admin.
    execute(
        &db,
        &format!(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{FROM_A_NEWER_RELEASE}', 0)"
        ),
    )
    .await;
    let refused = admin(&app, &["grant-admin", "harness"]).await.failed();
    for says in [
        "migrated by a newer release",
        FROM_A_NEWER_RELEASE,
        &format!("admin migrate-down --to {latest}"),
    ] {
        assert!(refused.stderr.contains(says), "{says}: {refused}");
    }
    let mut serve = Command::new(BIN);
    serve.current_dir(std::env::temp_dir()).args([
        "serve",
        "--database-url",
        &app.database_url,
        "--listen",
        "127.0.0.1:0",
    ]);
    let served = run_with(serve, None).await.failed();
    assert!(
        served.stderr.contains("migrated by a newer release"),
        "{served}"
    );
    // This release cannot undo what it does not know.
    let undo = admin(&app, &["migrate-down", "--to", previous])
        .await
        .failed();
    assert!(undo.stderr.contains(FROM_A_NEWER_RELEASE), "{undo}");
    let unknown = admin(&app, &["migrate-down", "--to", "m1_nothing"])
        .await
        .failed();
    assert!(
        unknown
            .stderr
            .contains("m1_nothing is not a migration of this release"),
        "{unknown}"
    );
    let mut expected = known[..known.len() - 1].to_vec();
    expected.push(FROM_A_NEWER_RELEASE.to_owned());
    assert_eq!(applied(&db).await, expected, "refused, untouched");

    // The newer release rolled its migration back: this one migrates up
    // again and reads what it wrote, and imports on.
    execute(
        &db,
        &format!("DELETE FROM seaql_migrations WHERE version = '{FROM_A_NEWER_RELEASE}'"),
    )
    .await;
    let app = app.restart().await;
    assert_eq!(applied(&db).await, known);
    assert_eq!(app.all_files(&project.id, &[]).await, before);
    let more = app
        .import_and_wait(header(&project.slug), docs::valid_inputs(12..20))
        .await;
    assert_eq!(more.state(), pb::ImportState::Completed);
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 20);
    db.close().await.expect("close");
    app.stop().await;
}
on_both_stores!(a_release_rolls_back_and_refuses_a_newer_schema);
