//! The store's own ceiling: the rows an import writes per document (an item
//! and a file holding the document), written with plain sqlx in
//! transactions of `BATCH` documents, without the service around them.
//! SQLite: multi-row INSERTs on one connection, WAL, synchronous=FULL, as
//! the service opens it. PostgreSQL: one `INSERT … SELECT FROM UNNEST` per
//! table and batch.

use std::time::{Duration, Instant};

use anyhow::Context;
use sea_orm::sqlx::{
    self,
    postgres::PgConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    Connection, SqliteConnection,
};

use fhir_import::proto::v1::{self as pb, document_input::Source, import_documents_request::Kind};

const BATCH: usize = 500;

/// One document as the raw baseline writes it.
struct Row {
    id: String,
    name: String,
    url: String,
    json: String,
}

fn rows(documents: &[pb::ImportDocumentsRequest]) -> Vec<Row> {
    documents
        .iter()
        .enumerate()
        .filter_map(|(n, m)| match &m.kind {
            Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(json)),
                ..
            })) => Some(Row {
                id: format!("doc-{n}"),
                name: format!("sample-{n}.cram"),
                url: format!("drs://data.example.org/file-{n}"),
                json: json.clone(),
            }),
            _ => None,
        })
        .collect()
}

const TABLES: [&str; 4] = [
    "CREATE TABLE raw_files (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL, size BIGINT, document_reference_id TEXT NOT NULL, document_json TEXT NOT NULL)",
    "CREATE UNIQUE INDEX raw_files_name ON raw_files (project_id, name)",
    "CREATE INDEX raw_files_document ON raw_files (project_id, document_reference_id)",
    "CREATE TABLE raw_items (import_id TEXT NOT NULL, idx BIGINT NOT NULL, state TEXT NOT NULL, file_id TEXT, PRIMARY KEY (import_id, idx))",
];

/// Writes `documents` into a fresh SQLite file in `dir`; the time taken.
pub async fn sqlite(
    dir: &std::path::Path,
    documents: &[pb::ImportDocumentsRequest],
) -> anyhow::Result<Duration> {
    let options = SqliteConnectOptions::new()
        .filename(dir.join("raw.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut db = SqliteConnection::connect_with(&options).await?;
    for table in TABLES {
        sqlx::query(table).execute(&mut db).await?;
    }
    let rows = rows(documents);
    let start = Instant::now();
    for (batch, chunk) in rows.chunks(BATCH).enumerate() {
        let mut tx = db.begin().await?;
        let values = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!("INSERT INTO raw_files VALUES {values}");
        let mut files = sqlx::query(&sql);
        for (n, row) in chunk.iter().enumerate() {
            files = files
                .bind(format!("f{batch}-{n}"))
                .bind("p")
                .bind(&row.name)
                .bind(&row.url)
                .bind(5_000_000_000i64)
                .bind(&row.id)
                .bind(&row.json);
        }
        files.execute(&mut *tx).await?;
        let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!("INSERT INTO raw_items VALUES {values}");
        let mut items = sqlx::query(&sql);
        for (n, _) in chunk.iter().enumerate() {
            items = items
                .bind("i")
                .bind((batch * BATCH + n) as i64)
                .bind("IMPORTED")
                .bind(format!("f{batch}-{n}"));
        }
        items.execute(&mut *tx).await?;
        tx.commit().await?;
    }
    let took = start.elapsed();
    db.close().await?;
    Ok(took)
}

/// Writes `documents` into the PostgreSQL database at `url` (fresh); the
/// time taken.
pub async fn postgres(
    url: &str,
    documents: &[pb::ImportDocumentsRequest],
) -> anyhow::Result<Duration> {
    let mut db = PgConnection::connect(url)
        .await
        .context("connecting for the raw baseline")?;
    for table in TABLES {
        sqlx::query(table).execute(&mut db).await?;
    }
    let rows = rows(documents);
    let start = Instant::now();
    for (batch, chunk) in rows.chunks(BATCH).enumerate() {
        let mut tx = db.begin().await?;
        let ids: Vec<String> = (0..chunk.len()).map(|n| format!("f{batch}-{n}")).collect();
        sqlx::query(
            "INSERT INTO raw_files SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[])",
        )
        .bind(&ids)
        .bind(vec!["p"; chunk.len()])
        .bind(chunk.iter().map(|r| r.name.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.url.as_str()).collect::<Vec<_>>())
        .bind(vec![5_000_000_000i64; chunk.len()])
        .bind(chunk.iter().map(|r| r.id.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.json.as_str()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO raw_items SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[])",
        )
        .bind(vec!["i"; chunk.len()])
        .bind(
            (0..chunk.len())
                .map(|n| (batch * BATCH + n) as i64)
                .collect::<Vec<_>>(),
        )
        .bind(vec!["IMPORTED"; chunk.len()])
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    let took = start.elapsed();
    db.close().await?;
    Ok(took)
}
