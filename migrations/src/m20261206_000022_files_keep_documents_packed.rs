//! A file's document moves from `document_json` (text) to `document`
//! (bytes, in a format `stored_document` names): new files store it
//! compressed against a FHIR vocabulary, about a third of its size for a
//! small DocumentReference. The document was the largest part of every file
//! row (330 of 590 bytes in a database of small documents).
//!
//! `up` moves existing documents over as they are (`PLAIN`): one statement,
//! no document re-encoded. `down` decodes every document back to text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{
    DatabaseBackend, DatabaseTransaction, Statement, TransactionTrait,
};

use crate::stored_document;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows decoded per query in `down`.
const CHUNK: u64 = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Postgres => &[
                r#"ALTER TABLE "files" ADD COLUMN "document" bytea NULL"#,
                r#"UPDATE "files" SET "document" = decode('00', 'hex') || convert_to("document_json", 'UTF8')"#,
                r#"ALTER TABLE "files" ALTER COLUMN "document" SET NOT NULL"#,
                r#"ALTER TABLE "files" DROP COLUMN "document_json""#,
            ],
            // SQLite adds a NOT NULL column only with a default; every
            // file written sets its own.
            _ => &[
                r#"ALTER TABLE "files" ADD COLUMN "document" blob NOT NULL DEFAULT x''"#,
                r#"UPDATE "files" SET "document" = unhex('00' || hex("document_json"))"#,
                r#"ALTER TABLE "files" DROP COLUMN "document_json""#,
            ],
        };
        // One transaction, so one connection, and all or nothing.
        let tx = manager.get_connection().begin().await?;
        for statement in statements {
            tx.execute_unprepared(statement).await?;
        }
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
        decode_all(&tx, backend).await?;
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

/// Writes every file's document back as text, in chunks by id.
async fn decode_all(tx: &DatabaseTransaction, backend: DatabaseBackend) -> Result<(), DbErr> {
    let (page, set) = match backend {
        DatabaseBackend::Postgres => (
            format!(
                r#"SELECT "id", "document" FROM "files" WHERE "id" > $1 ORDER BY "id" LIMIT {CHUNK}"#
            ),
            r#"UPDATE "files" SET "document_json" = $1 WHERE "id" = $2"#,
        ),
        _ => (
            format!(
                r#"SELECT "id", "document" FROM "files" WHERE "id" > ? ORDER BY "id" LIMIT {CHUNK}"#
            ),
            r#"UPDATE "files" SET "document_json" = ? WHERE "id" = ?"#,
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
        for row in rows {
            let id: String = row.try_get("", "id")?;
            let stored: Vec<u8> = row.try_get("", "document")?;
            let json = stored_document::unpack(&stored)
                .map_err(|e| DbErr::Migration(format!("file {id}: {e}")))?;
            tx.execute(Statement::from_sql_and_values(
                backend,
                set,
                [json.into(), id.into()],
            ))
            .await?;
        }
    }
}
