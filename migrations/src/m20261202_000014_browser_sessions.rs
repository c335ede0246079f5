//! Sign-in sessions of browsers on the authorization pages: a person signs
//! in once per browser session, then allows or denies each portal. Kept by
//! the SHA-256 of the cookie's secret, never the secret itself.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BrowserSessions::Table)
                    .col(string(BrowserSessions::IdHash).primary_key())
                    .col(string(BrowserSessions::Username))
                    .col(timestamp_with_time_zone(BrowserSessions::CreatedAt))
                    .col(timestamp_with_time_zone(BrowserSessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("browser_sessions_by_expiry")
                    .table(BrowserSessions::Table)
                    .col(BrowserSessions::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BrowserSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum BrowserSessions {
    Table,
    IdHash,
    Username,
    CreatedAt,
    ExpiresAt,
}
