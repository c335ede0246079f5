//! Rescraping: an import is either a stream of documents or a rescrape of
//! files already in the project, and the files a rescrape selects by their
//! metadata state are found by index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .add_column(string(Imports::Kind).default("DOCUMENTS"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("files_project_metadata_state")
                    .table(Files::Table)
                    .col(Files::ProjectId)
                    .col(Files::MetadataState)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("files_project_metadata_state")
                    .table(Files::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .drop_column(Imports::Kind)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    ProjectId,
    MetadataState,
}
