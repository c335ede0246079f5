//! Queries on authorization codes: stored by hash, redeemed at most once.

use chrono::{DateTime, Utc};
use sea_orm::{sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::authorization_code;
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
        };
        let tx = self.begin_write().await?;
        authorization_code::Entity::insert(row).exec(&*tx).await?;
        tx.commit().await?;
        Ok(())
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
        }))
    }
}
