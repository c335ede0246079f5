//! Queries on refresh tokens and revoked access tokens.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
};

use super::entities::{browser_session, refresh_token, revoked_access_token};
use super::{Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredRefresh {
    pub family_id: String,
    pub client_id: String,
    pub username: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The sign-in session a public client's tokens live and die with.
    pub browser_session: Option<String>,
}

/// What redeeming a refresh token found.
#[derive(Debug, PartialEq)]
pub enum Redeemed {
    /// Valid and now used: the caller issues its successor.
    Fresh(StoredRefresh),
    /// Used before: a replay. Its whole family has been revoked.
    Replayed,
    /// Unknown, revoked or expired.
    Invalid,
}

fn to_refresh(m: refresh_token::Model) -> StoreResult<StoredRefresh> {
    Ok(StoredRefresh {
        scopes: serde_json::from_str(&m.scopes)
            .map_err(|_| StoreError::Corrupt("unreadable refresh scopes".into()))?,
        family_id: m.family_id,
        client_id: m.client_id,
        username: m.username,
        expires_at: m.expires_at,
        used_at: m.used_at,
        revoked_at: m.revoked_at,
        browser_session: m.browser_session,
    })
}

impl Store {
    pub async fn insert_refresh(&self, token_hash: &str, token: &StoredRefresh) -> StoreResult<()> {
        let row = refresh_token::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            family_id: Set(token.family_id.clone()),
            client_id: Set(token.client_id.clone()),
            username: Set(token.username.clone()),
            scopes: Set(serde_json::to_string(&token.scopes)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?),
            expires_at: Set(token.expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(Utc::now()),
            browser_session: Set(token.browser_session.clone()),
        };
        let tx = self.begin_write().await?;
        refresh_token::Entity::insert(row).exec(&*tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn find_refresh(&self, token_hash: &str) -> StoreResult<Option<StoredRefresh>> {
        refresh_token::Entity::find_by_id(token_hash.to_owned())
            .one(&self.db)
            .await?
            .map(to_refresh)
            .transpose()
    }

    /// Uses a refresh token of `client_id` once. A second use revokes every
    /// token of its family (RFC 6819 §5.2.2.3, OAuth 2.0 Security BCP).
    pub async fn redeem_refresh(&self, token_hash: &str, client_id: &str) -> StoreResult<Redeemed> {
        let tx = self.begin_write().await?;
        let Some(row) = refresh_token::Entity::find_by_id(token_hash.to_owned())
            .one(&*tx)
            .await?
        else {
            return Ok(Redeemed::Invalid);
        };
        let now = Utc::now();
        if row.client_id != client_id || row.revoked_at.is_some() || row.expires_at < now {
            return Ok(Redeemed::Invalid);
        }
        if let Some(session) = &row.browser_session {
            let live = browser_session::Entity::find_by_id(session.clone())
                .filter(browser_session::Column::ExpiresAt.gt(now))
                .one(&*tx)
                .await?
                .is_some();
            if !live {
                // Signed out, or the session ran out: so does the login.
                revoke_family_in(&tx, &row.family_id).await?;
                tx.commit().await?;
                return Ok(Redeemed::Invalid);
            }
        }
        let claimed = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&*tx)
            .await?
            .rows_affected;
        if claimed != 1 {
            revoke_family_in(&tx, &row.family_id).await?;
            tx.commit().await?;
            return Ok(Redeemed::Replayed);
        }
        tx.commit().await?;
        Ok(Redeemed::Fresh(to_refresh(row)?))
    }

    /// Revokes every refresh token of a family, and every access token
    /// issued from it.
    pub async fn revoke_family(&self, family_id: &str) -> StoreResult<()> {
        let tx = self.begin_write().await?;
        revoke_family_in(&tx, family_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_access_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let tx = self.begin_write().await?;
        revoked_access_token::Entity::insert(revoked_access_token::ActiveModel {
            jti: Set(jti.to_owned()),
            expires_at: Set(expires_at),
        })
        .on_conflict(
            OnConflict::column(revoked_access_token::Column::Jti)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&*tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the access token `jti`, or the grant family it was issued
    /// from, was revoked.
    pub async fn is_access_token_revoked(
        &self,
        jti: &str,
        family: Option<&str>,
    ) -> StoreResult<bool> {
        let mut ids = vec![jti.to_owned()];
        ids.extend(family.map(family_marker));
        Ok(revoked_access_token::Entity::find()
            .filter(revoked_access_token::Column::Jti.is_in(ids))
            .one(&self.db)
            .await?
            .is_some())
    }
}

/// How a revoked family is kept among revoked access tokens: a row that
/// lasts as long as the longest-lived token issued from it could.
fn family_marker(family_id: &str) -> String {
    format!("family:{family_id}")
}

/// Revokes every family bound to the sign-in session `id_hash` (it ended).
pub(super) async fn revoke_session_families_in(
    tx: &sea_orm::DatabaseTransaction,
    id_hash: &str,
) -> StoreResult<()> {
    let families: Vec<String> = refresh_token::Entity::find()
        .select_only()
        .column(refresh_token::Column::FamilyId)
        .distinct()
        .filter(refresh_token::Column::BrowserSession.eq(id_hash))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .into_tuple()
        .all(tx)
        .await?;
    for family in families {
        revoke_family_in(tx, &family).await?;
    }
    Ok(())
}

async fn revoke_family_in(tx: &sea_orm::DatabaseTransaction, family_id: &str) -> StoreResult<()> {
    let now = Utc::now();
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    revoked_access_token::Entity::insert(revoked_access_token::ActiveModel {
        jti: Set(family_marker(family_id)),
        expires_at: Set(now + chrono::Duration::seconds(crate::config::MAX_TOKEN_LIFETIME_SECS)),
    })
    .on_conflict(
        OnConflict::column(revoked_access_token::Column::Jti)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    Ok(())
}
