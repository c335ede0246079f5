//! A file stands for the item that wrote it when that item has nothing to
//! say beyond "imported": `files.import_sequence` is then set (the sequence
//! of the progress event that told of it) and the item has no row of its
//! own in `import_items`. ListImportItems reads such an item off its file
//! (import, index, document, file, sequence and time are all there). Most
//! items of an import are such items; each took a row of about 180 bytes
//! and an entry in the index by state, for what the file already held.
//!
//! Before a file is overwritten, the item it stands for is written out as
//! a row (the store does it, in the overwriting batch). Items that skipped,
//! repeated an earlier item, failed, or wait for the metadata stage keep
//! their rows.
//!
//! `up` leaves the rows of items written before it where they are: they
//! read the same. `down` writes out every item a file stands for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::in_one_transaction(
            manager,
            &[
                r#"ALTER TABLE "files" ADD COLUMN "import_sequence" bigint NULL"#,
                r#"CREATE INDEX "files_stand_in" ON "files" ("import_id", "import_idx") WHERE "import_sequence" IS NOT NULL"#,
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::in_one_transaction(
            manager,
            &[
                r#"INSERT INTO "import_items" ("import_id", "idx", "document_id", "state", "stage", "file_id", "sequence", "updated_at") SELECT "import_id", "import_idx", "document_reference_id", 'IMPORTED', 'RECORD_FILE', "id", "import_sequence", "updated_at" FROM "files" WHERE "import_sequence" IS NOT NULL"#,
                r#"DROP INDEX "files_stand_in""#,
                r#"ALTER TABLE "files" DROP COLUMN "import_sequence""#,
            ],
        )
        .await
    }
}
