//! Which item of an import last wrote a file (created or overwrote it) is
//! kept on the file (`files.import_idx`, beside `import_id`), and the index
//! of every item by its file goes. The record-file stage asked that index
//! only for "the latest earlier item of this import with this document"
//! (`repeat_of`); the file now says which item wrote it, and the items that
//! kept a file without writing it (SKIPPED) have a partial index of their
//! own, empty unless an import skips. One B-tree entry less per item (7 %
//! of a SQLite database of small documents).
//!
//! `up` fills `import_idx` from the items before the index goes, for the
//! imports still running (the only ones it matters to).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::TransactionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    // One transaction, so one connection, and all or nothing.
    let tx = manager.get_connection().begin().await?;
    for statement in statements {
        tx.execute_unprepared(statement).await?;
    }
    tx.commit().await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                r#"ALTER TABLE "files" ADD COLUMN "import_idx" bigint NULL"#,
                // Only files of imports still running: no item comes to a
                // finished one, and rewriting every file would cost a big
                // PostgreSQL database a copy of its files table.
                r#"UPDATE "files" SET "import_idx" = (SELECT max(i."idx") FROM "import_items" i WHERE i."import_id" = "files"."import_id" AND i."file_id" = "files"."id" AND i."state" <> 'SKIPPED') WHERE "import_id" IN (SELECT "id" FROM "imports" WHERE "finished_at" IS NULL)"#,
                r#"DROP INDEX "import_items_import_file""#,
                r#"CREATE INDEX "import_items_skipped_file" ON "import_items" ("import_id", "file_id") WHERE "state" = 'SKIPPED'"#,
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                r#"DROP INDEX "import_items_skipped_file""#,
                r#"CREATE INDEX "import_items_import_file" ON "import_items" ("import_id", "file_id")"#,
                r#"ALTER TABLE "files" DROP COLUMN "import_idx""#,
            ],
        )
        .await
    }
}
