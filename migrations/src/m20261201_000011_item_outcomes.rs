//! Items say more about how they ended: the earlier item of the same import
//! whose document they repeat, and the kind of failure when they failed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(ImportItems::Table)
                    .add_column(big_integer_null(ImportItems::RepeatOf))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ImportItems::Table)
                    .add_column(string_null(ImportItems::Failure))
                    .to_owned(),
            )
            .await?;
        // A batch asks which earlier items of its import led to the files
        // its documents made before (repeats within one stream).
        manager
            .create_index(
                Index::create()
                    .name("import_items_import_file")
                    .table(ImportItems::Table)
                    .col(ImportItems::ImportId)
                    .col(ImportItems::FileId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("import_items_import_file")
                    .table(ImportItems::Table)
                    .to_owned(),
            )
            .await?;
        for column in [ImportItems::Failure, ImportItems::RepeatOf] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ImportItems::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ImportItems {
    Table,
    ImportId,
    FileId,
    RepeatOf,
    Failure,
}
