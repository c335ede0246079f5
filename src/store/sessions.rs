//! Queries on browser sign-in sessions, kept by the hash of their secret.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entities::browser_session;
use super::{Store, StoreResult};

impl Store {
    pub async fn insert_browser_session(
        &self,
        id_hash: &str,
        username: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let row = browser_session::ActiveModel {
            id_hash: Set(id_hash.to_owned()),
            username: Set(username.to_owned()),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
        };
        let tx = self.begin_write().await?;
        browser_session::Entity::insert(row).exec(&*tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user a session that has not expired belongs to.
    pub async fn browser_session_user(&self, id_hash: &str) -> StoreResult<Option<String>> {
        Ok(browser_session::Entity::find_by_id(id_hash.to_owned())
            .filter(browser_session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await?
            .map(|row| row.username))
    }

    pub async fn end_browser_session(&self, id_hash: &str) -> StoreResult<()> {
        let tx = self.begin_write().await?;
        browser_session::Entity::delete_by_id(id_hash.to_owned())
            .exec(&*tx)
            .await?;
        super::refresh::revoke_session_families_in(&tx, id_hash).await?;
        tx.commit().await?;
        Ok(())
    }
}
