//! Public clients (RFC 6749 §2.1): a browser or native app that holds no
//! secret (`token_endpoint_auth_method=none`). What they get is bound to
//! the sign-in session of the browser that allowed them: the authorization
//! code and the refresh tokens it starts carry that session's id (its
//! hash), and end when it does.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(OauthClients::Table)
                    .add_column(boolean(OauthClients::IsPublic).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthorizationCodes::Table)
                    .add_column(string_null(AuthorizationCodes::BrowserSession))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .add_column(string_null(RefreshTokens::BrowserSession))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_by_browser_session")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::BrowserSession)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("refresh_tokens_by_browser_session")
                    .table(RefreshTokens::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .drop_column(RefreshTokens::BrowserSession)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthorizationCodes::Table)
                    .drop_column(AuthorizationCodes::BrowserSession)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OauthClients::Table)
                    .drop_column(OauthClients::IsPublic)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum OauthClients {
    Table,
    IsPublic,
}

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    BrowserSession,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    BrowserSession,
}
