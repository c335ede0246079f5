//! `files` stops storing its attachment's url, size, content type and hashes
//! beside the document: they are read from the document itself (the chosen
//! attachment, as validation picked it), so each is stored once. And the
//! index of files by metadata state goes: only a rescrape that selects files
//! by state reads it (it then reads the project's files instead), while
//! every file written and every file scraped paid for it. Together about
//! 170 bytes and one B-tree per file (12 % of a SQLite database of small
//! documents).
//!
//! `down` adds the columns back and fills them from the document's first
//! attachment, which is the chosen one unless that has neither url nor data.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DatabaseBackend, TransactionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 4] = ["url", "size", "content_type", "hashes"];

const METADATA_STATE_INDEX: &str =
    r#"CREATE INDEX "files_project_metadata_state" ON "files" ("project_id", "metadata_state")"#;

async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    // One transaction, so one connection, and all or nothing.
    let tx = manager.get_connection().begin().await?;
    for statement in statements {
        tx.execute_unprepared(&statement).await?;
    }
    tx.commit().await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = vec![r#"DROP INDEX "files_project_metadata_state""#.to_owned()];
        // SQLite drops one column per statement.
        statements
            .extend(COLUMNS.map(|column| format!(r#"ALTER TABLE "files" DROP COLUMN "{column}""#)));
        run(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let attachment = |field: &str| match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                format!(r#"("document_json"::jsonb #>> '{{content,0,attachment,{field}}}')"#)
            }
            _ => format!(r#"json_extract("document_json", '$.content[0].attachment.{field}')"#),
        };
        let object = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "jsonb_build_object",
            _ => "json_object",
        };
        let hashes = format!(
            r#"CASE WHEN {hash} IS NULL THEN '{{}}' ELSE CAST({object}('sha1', {hash}) AS text) END"#,
            hash = attachment("hash")
        );
        let statements = vec![
            r#"ALTER TABLE "files" ADD COLUMN "url" text NOT NULL DEFAULT ''"#.to_owned(),
            r#"ALTER TABLE "files" ADD COLUMN "size" bigint NULL"#.to_owned(),
            r#"ALTER TABLE "files" ADD COLUMN "content_type" varchar NOT NULL DEFAULT ''"#
                .to_owned(),
            r#"ALTER TABLE "files" ADD COLUMN "hashes" text NOT NULL DEFAULT '{}'"#.to_owned(),
            format!(
                r#"UPDATE "files" SET "url" = COALESCE({url}, ''), "size" = CAST({size} AS bigint), "content_type" = COALESCE({content_type}, ''), "hashes" = {hashes}"#,
                url = attachment("url"),
                size = attachment("size"),
                content_type = attachment("contentType"),
            ),
            METADATA_STATE_INDEX.to_owned(),
        ];
        run(manager, statements).await
    }
}
