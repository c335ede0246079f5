//! An accepted item keeps what intake checked of its document (file name,
//! URL, size, content type, hashes), so that recording its file does not
//! parse and validate the document a second time.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ImportItems::Table)
                    .add_column(text_null(ImportItems::CheckedJson))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ImportItems::Table)
                    .drop_column(ImportItems::CheckedJson)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ImportItems {
    Table,
    CheckedJson,
}
