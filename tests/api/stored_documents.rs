//! A file keeps its DocumentReference byte for byte, however the store
//! holds it: compressed, as text when migrated down to before migration 22,
//! and compressed again by that migration.

use std::collections::BTreeMap;

use crate::common::{docs, header, spawn_app, Backend, TestApp};
use fhir_import::proto::v1 as pb;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// What portals send: small DocumentReferences, one written by hand with
/// spaces and non-ASCII text, and one with a large description.
fn inputs(range: std::ops::Range<usize>) -> Vec<String> {
    let mut texts: Vec<String> = range
        .clone()
        .map(|n| docs::document(n).to_string())
        .collect();
    let n = range.end;
    texts.push(format!(
        r#"{{ "resourceType" : "DocumentReference", "id" : "doc-{n}", "status" : "current",
            "description" : "Größe ✓ — 检体 🚀",
            "content" : [ {{ "attachment" : {{ "url" : "drs://data.example.org/file-{n}", "title" : "sample-{n}.cram" }} }} ] }}"#
    ));
    let mut large = docs::document(n + 1);
    large["description"] = serde_json::Value::String("read group notes; ".repeat(20_000));
    texts.push(large.to_string());
    texts
}

/// Every file's document as GetFile returns it, by document id.
async fn documents(app: &TestApp, project: &str) -> BTreeMap<String, String> {
    let mut files = app.files.clone();
    let mut out = BTreeMap::new();
    for file in app.all_files(project, &[]).await {
        let fetched = files
            .get_file(pb::GetFileRequest { id: file.id })
            .await
            .expect("get file")
            .into_inner();
        out.insert(file.document_reference_id, fetched.document_reference_json);
    }
    out
}

/// (format byte, stored bytes, document id) of every file, from the
/// database itself.
async fn stored(db: &DatabaseConnection) -> Vec<(i64, i64, String)> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            r#"SELECT encode(substring("document" from 1 for 1), 'hex'), CAST(octet_length("document") AS bigint), "document_reference_id" FROM "files""#
        }
        _ => {
            r#"SELECT hex(substr("document", 1, 1)), length("document"), "document_reference_id" FROM "files""#
        }
    };
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("stored documents")
        .into_iter()
        .map(|row| {
            (
                i64::from_str_radix(&row.try_get_by_index::<String>(0).expect("format"), 16)
                    .expect("hex"),
                row.try_get_by_index::<i64>(1).expect("length"),
                row.try_get_by_index::<String>(2).expect("id"),
            )
        })
        .collect()
}

async fn import(app: &TestApp, project: &str, texts: &[String]) {
    let response = app
        .import(
            header(project),
            texts.iter().map(|t| docs::raw(t)).collect(),
        )
        .await
        .expect("import");
    assert_eq!(response.accepted as usize, texts.len());
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed);
}

async fn documents_read_back_as_sent_whatever_their_storage(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("kept").await;
    let sent = inputs(0..40);
    import(&app, &project.slug, &sent).await;

    let read = documents(&app, &project.id).await;
    assert_eq!(read.len(), sent.len());
    for text in &sent {
        let value: serde_json::Value = serde_json::from_str(text).expect("json");
        let id = value["id"].as_str().expect("id");
        assert_eq!(read.get(id), Some(text), "{id} as sent");
    }

    // Stored compressed: the small documents in well under half their size.
    let db = Database::connect(&app.database_url).await.expect("connect");
    let rows = stored(&db).await;
    assert!(rows.iter().all(|(format, ..)| *format == 1), "{rows:?}");
    let small: Vec<_> = rows
        .iter()
        .filter(|(_, _, id)| {
            id.trim_start_matches("doc-")
                .parse::<usize>()
                .is_ok_and(|n| n < 40)
        })
        .collect();
    let stored_bytes: i64 = small.iter().map(|(_, len, _)| len).sum();
    let json_bytes: usize = sent[..40].iter().map(String::len).sum();
    assert!(
        (stored_bytes as usize) * 2 < json_bytes,
        "{stored_bytes} bytes stored for {json_bytes} of JSON"
    );

    // Migrated down, the text is back in `document_json`; up again, the
    // documents are compressed again and read the same.
    let mut app = app;
    app.stop_server().await;
    let steps = u32::try_from(Migrator::migrations().len() - 21).expect("steps");
    Migrator::down(&db, Some(steps)).await.expect("down");
    let texts: BTreeMap<String, String> = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            r#"SELECT "document_reference_id", "document_json" FROM "files""#,
        ))
        .await
        .expect("documents as text")
        .into_iter()
        .map(|row| {
            (
                row.try_get_by_index::<String>(0).expect("id"),
                row.try_get_by_index::<String>(1).expect("json"),
            )
        })
        .collect();
    assert_eq!(texts, read);
    Migrator::up(&db, None).await.expect("up");
    let rows = stored(&db).await;
    assert!(rows.iter().all(|(format, ..)| *format == 1), "{rows:?}");
    let small_again: i64 = rows
        .iter()
        .filter(|(_, _, id)| small.iter().any(|(_, _, s)| s == id))
        .map(|(_, len, _)| len)
        .sum();
    assert_eq!(small_again, stored_bytes, "the same bytes as when written");

    // Files the migration moved and files written after it side by side.
    let app = app.restart().await;
    let more = inputs(100..110);
    import(&app, &project.slug, &more).await;
    let now = documents(&app, &project.id).await;
    for (id, text) in &read {
        assert_eq!(now.get(id), Some(text), "{id} after the migration");
    }
    for text in &more {
        let value: serde_json::Value = serde_json::from_str(text).expect("json");
        let id = value["id"].as_str().expect("id");
        assert_eq!(now.get(id), Some(text), "{id} written after it");
    }
    let formats: Vec<i64> = stored(&db).await.iter().map(|(f, ..)| *f).collect();
    assert_eq!(formats.len(), read.len() + more.len());
    assert!(formats.iter().all(|f| *f == 1));
    db.close().await.expect("close");
    app.stop().await;
}
on_both_stores!(documents_read_back_as_sent_whatever_their_storage);
