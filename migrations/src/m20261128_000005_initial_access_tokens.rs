//! Initial access tokens (RFC 7591 §3): an operator hands one to a portal
//! so it can register itself. Kept by hash, single use, short lived.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InitialAccessTokens::Table)
                    .col(string(InitialAccessTokens::TokenHash).primary_key())
                    .col(string(InitialAccessTokens::Owner))
                    .col(timestamp_with_time_zone(InitialAccessTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(InitialAccessTokens::UsedAt))
                    .col(timestamp_with_time_zone(InitialAccessTokens::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InitialAccessTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum InitialAccessTokens {
    Table,
    TokenHash,
    Owner,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}
