//! A file's document moves from `document_json` (text) to `document`
//! (bytes, in a format `stored_document` names), compressed against a FHIR
//! vocabulary: about a third of its size for a small DocumentReference. The
//! document was the largest part of every file row (330 of 590 bytes in a
//! database of small documents).
//!
//! `up` compresses every existing document, a thousand files a statement on
//! PostgreSQL; `down` decodes them back to text. Rows made smaller in place
//! leave SQLite's pages half empty: the store vacuums once after this
//! migration (it is in `SHRINK_SQLITE_ROWS`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{
    sea_query::{ArrayType, Value},
    DatabaseBackend, DatabaseTransaction, QueryResult, Statement, TransactionTrait,
};

use crate::stored_document;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Files converted per query.
const CHUNK: u64 = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // One transaction, so one connection, and all or nothing.
        let tx = manager.get_connection().begin().await?;
        tx.execute_unprepared(match backend {
            DatabaseBackend::Postgres => r#"ALTER TABLE "files" ADD COLUMN "document" bytea NULL"#,
            // SQLite adds a NOT NULL column only with a default; every file
            // written sets its own.
            _ => r#"ALTER TABLE "files" ADD COLUMN "document" blob NOT NULL DEFAULT x''"#,
        })
        .await?;
        convert_all(&tx, backend, Direction::Pack).await?;
        if backend == DatabaseBackend::Postgres {
            tx.execute_unprepared(r#"ALTER TABLE "files" ALTER COLUMN "document" SET NOT NULL"#)
                .await?;
        }
        tx.execute_unprepared(r#"ALTER TABLE "files" DROP COLUMN "document_json""#)
            .await?;
        tx.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let tx = manager.get_connection().begin().await?;
        tx.execute_unprepared(match backend {
            DatabaseBackend::Postgres => {
                r#"ALTER TABLE "files" ADD COLUMN "document_json" text NULL"#
            }
            _ => r#"ALTER TABLE "files" ADD COLUMN "document_json" text NOT NULL DEFAULT ''"#,
        })
        .await?;
        convert_all(&tx, backend, Direction::Unpack).await?;
        if backend == DatabaseBackend::Postgres {
            tx.execute_unprepared(
                r#"ALTER TABLE "files" ALTER COLUMN "document_json" SET NOT NULL"#,
            )
            .await?;
        }
        tx.execute_unprepared(r#"ALTER TABLE "files" DROP COLUMN "document""#)
            .await?;
        tx.commit().await
    }
}

#[derive(Clone, Copy)]
enum Direction {
    /// `document_json` to `document`.
    Pack,
    /// `document` to `document_json`.
    Unpack,
}

impl Direction {
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Direction::Pack => ("document_json", "document"),
            Direction::Unpack => ("document", "document_json"),
        }
    }

    /// The new column's value for file `id`.
    fn convert(self, id: &str, row: &QueryResult) -> Result<Value, DbErr> {
        Ok(match self {
            Direction::Pack => {
                let json: String = row.try_get("", "document_json")?;
                Value::Bytes(Some(Box::new(stored_document::pack(&json))))
            }
            Direction::Unpack => {
                let stored: Vec<u8> = row.try_get("", "document")?;
                let json = stored_document::unpack(&stored)
                    .map_err(|e| DbErr::Migration(format!("file {id}: {e}")))?;
                Value::String(Some(Box::new(json)))
            }
        })
    }
}

/// Fills the new column of every file from the old one, in chunks by id.
async fn convert_all(
    tx: &DatabaseTransaction,
    backend: DatabaseBackend,
    direction: Direction,
) -> Result<(), DbErr> {
    let (from, to) = direction.columns();
    let page = match backend {
        DatabaseBackend::Postgres => format!(
            r#"SELECT "id", "{from}" FROM "files" WHERE "id" > $1 ORDER BY "id" LIMIT {CHUNK}"#
        ),
        _ => format!(
            r#"SELECT "id", "{from}" FROM "files" WHERE "id" > ? ORDER BY "id" LIMIT {CHUNK}"#
        ),
    };
    let mut after = String::new();
    loop {
        let rows = tx
            .query_all(Statement::from_sql_and_values(
                backend,
                &page,
                [after.clone().into()],
            ))
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("", "id")?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("", "id")?;
            values.push(direction.convert(&id, row)?);
            ids.push(id);
        }
        if backend == DatabaseBackend::Postgres {
            let (cast, kind) = match direction {
                Direction::Pack => ("bytea", ArrayType::Bytes),
                Direction::Unpack => ("text", ArrayType::String),
            };
            let ids = ids.into_iter().map(|id| Value::String(Some(Box::new(id))));
            tx.execute(Statement::from_sql_and_values(
                backend,
                format!(
                    r#"UPDATE "files" SET "{to}" = v.value FROM unnest($1::text[], $2::{cast}[]) AS v(id, value) WHERE "files"."id" = v.id"#
                ),
                [
                    Value::Array(ArrayType::String, Some(Box::new(ids.collect()))),
                    Value::Array(kind, Some(Box::new(values))),
                ],
            ))
            .await?;
        } else {
            // One prepared statement, run per file: SQLite has no round trips.
            let set = format!(r#"UPDATE "files" SET "{to}" = ? WHERE "id" = ?"#);
            for (id, value) in ids.into_iter().zip(values) {
                tx.execute(Statement::from_sql_and_values(
                    backend,
                    &set,
                    [value, id.into()],
                ))
                .await?;
            }
        }
    }
}
