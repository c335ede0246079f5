//! External identities: a user of a trusted identity provider (its issuer
//! and subject) linked to the platform user that token exchange and direct
//! external tokens act as.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExternalIdentities::Table)
                    .col(string(ExternalIdentities::Issuer))
                    .col(string(ExternalIdentities::Subject))
                    .col(string(ExternalIdentities::Username))
                    .col(timestamp_with_time_zone(ExternalIdentities::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ExternalIdentities::Issuer)
                            .col(ExternalIdentities::Subject),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("external_identities_by_user")
                    .table(ExternalIdentities::Table)
                    .col(ExternalIdentities::Username)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExternalIdentities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ExternalIdentities {
    Table,
    Issuer,
    Subject,
    Username,
    CreatedAt,
}
