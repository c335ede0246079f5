//! Queries on single-use secrets kept by hash: authorization codes and
//! initial access tokens.

use chrono::{DateTime, Utc};
use sea_orm::{sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{authorization_code, initial_access_token};
use super::{Store, StoreError, StoreResult};

/// What a code was issued for.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCode {
    pub client_id: String,
    pub username: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub code_challenge: String,
    pub expires_at: DateTime<Utc>,
    /// The hash of the sign-in session that allowed it (see
    /// `auth::oauth::session`).
    pub browser_session: Option<String>,
}

impl Store {
    pub async fn insert_code(&self, code_hash: &str, code: &StoredCode) -> StoreResult<()> {
        let row = authorization_code::ActiveModel {
            code_hash: Set(code_hash.to_owned()),
            client_id: Set(code.client_id.clone()),
            username: Set(code.username.clone()),
            redirect_uri: Set(code.redirect_uri.clone()),
            scopes: Set(serde_json::to_string(&code.scopes)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?),
            code_challenge: Set(code.code_challenge.clone()),
            expires_at: Set(code.expires_at),
            used_at: Set(None),
            created_at: Set(Utc::now()),
            browser_session: Set(code.browser_session.clone()),
        };
        let tx = self.begin_write().await?;
        authorization_code::Entity::insert(row).exec(&*tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a code with this hash was ever issued (and is still kept).
    pub async fn code_exists(&self, code_hash: &str) -> StoreResult<bool> {
        Ok(authorization_code::Entity::find_by_id(code_hash.to_owned())
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Marks the code used and returns what it was issued for; `None` when
    /// there is no such code or it was used before (a replay).
    pub async fn redeem_code(&self, code_hash: &str) -> StoreResult<Option<StoredCode>> {
        let tx = self.begin_write().await?;
        let claimed = authorization_code::Entity::update_many()
            .col_expr(authorization_code::Column::UsedAt, Expr::value(Utc::now()))
            .filter(authorization_code::Column::CodeHash.eq(code_hash))
            .filter(authorization_code::Column::UsedAt.is_null())
            .exec(&*tx)
            .await?
            .rows_affected;
        if claimed != 1 {
            tx.commit().await?;
            return Ok(None);
        }
        let row = authorization_code::Entity::find_by_id(code_hash.to_owned())
            .one(&*tx)
            .await?
            .ok_or(StoreError::NotFound("authorization code"))?;
        tx.commit().await?;
        Ok(Some(StoredCode {
            scopes: serde_json::from_str(&row.scopes)
                .map_err(|_| StoreError::Corrupt("unreadable code scopes".into()))?,
            client_id: row.client_id,
            username: row.username,
            redirect_uri: row.redirect_uri,
            code_challenge: row.code_challenge,
            expires_at: row.expires_at,
            browser_session: row.browser_session,
        }))
    }
}

impl Store {
    pub async fn insert_initial_access_token(
        &self,
        token_hash: &str,
        owner: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let row = initial_access_token::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            owner: Set(owner.to_owned()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            created_at: Set(Utc::now()),
        };
        let tx = self.begin_write().await?;
        initial_access_token::Entity::insert(row).exec(&*tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses an initial access token once; its owner, when it was valid.
    pub async fn redeem_initial_access_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<String>> {
        let tx = self.begin_write().await?;
        let now = Utc::now();
        let claimed = initial_access_token::Entity::update_many()
            .col_expr(initial_access_token::Column::UsedAt, Expr::value(now))
            .filter(initial_access_token::Column::TokenHash.eq(token_hash))
            .filter(initial_access_token::Column::UsedAt.is_null())
            .filter(initial_access_token::Column::ExpiresAt.gt(now))
            .exec(&*tx)
            .await?
            .rows_affected;
        let owner = match claimed {
            1 => initial_access_token::Entity::find_by_id(token_hash.to_owned())
                .one(&*tx)
                .await?
                .map(|m| m.owner),
            _ => None,
        };
        tx.commit().await?;
        Ok(owner)
    }
}
