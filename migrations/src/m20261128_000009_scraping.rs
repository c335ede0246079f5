//! Metadata scraping: which pairs of a file the portal supplied and which
//! were scraped, each file's provenance (schema and source versions), and
//! the import counts of the metadata stage.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(FileMetadata::Table)
                    .add_column(string(FileMetadata::Origin).default("supplied"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Files::Table)
                    .add_column(string_null(Files::MetadataSchema))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Files::Table)
                    .add_column(text_null(Files::MetadataSources))
                    .to_owned(),
            )
            .await?;
        for column in [Imports::Scraped, Imports::ScrapeFailed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Imports::Table)
                        .add_column(big_integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Imports::Scraped, Imports::ScrapeFailed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Imports::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Files::MetadataSchema, Files::MetadataSources] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Files::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(FileMetadata::Table)
                    .drop_column(FileMetadata::Origin)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum FileMetadata {
    Table,
    Origin,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    MetadataSchema,
    MetadataSources,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Scraped,
    ScrapeFailed,
}
