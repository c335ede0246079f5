//! Metadata schemas that administrators add at run time: each version of a
//! schema, as the text it was put in (YAML or JSON), never changed once
//! stored. The schemas shipped with the service are not stored here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Schemas::Table)
                    .col(string(Schemas::Name))
                    .col(big_integer(Schemas::Version))
                    .col(text(Schemas::Source))
                    .col(string(Schemas::CreatedBy))
                    .col(timestamp_with_time_zone(Schemas::CreatedAt))
                    .primary_key(Index::create().col(Schemas::Name).col(Schemas::Version))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Schemas::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Schemas {
    Table,
    Name,
    Version,
    Source,
    CreatedBy,
    CreatedAt,
}
