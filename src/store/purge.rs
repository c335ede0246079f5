//! Forgetting what has expired: authorization codes, refresh tokens,
//! revoked access tokens (and revoked families), initial access tokens and
//! browser sessions. Nothing here is needed once past its time; kept, the
//! tables would only grow.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{
    authorization_code, browser_session, initial_access_token, refresh_token, revoked_access_token,
};
use super::{Store, StoreResult};

/// Used codes are kept a day past their expiry: a stolen code replayed
/// within that day still revokes what it gave.
const USED_CODE_GRACE_HOURS: i64 = 24;

/// Rows removed by one purge, per table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub codes: u64,
    pub refresh_tokens: u64,
    pub revoked_access_tokens: u64,
    pub initial_access_tokens: u64,
    pub browser_sessions: u64,
}

impl Purged {
    pub fn total(&self) -> u64 {
        self.codes
            + self.refresh_tokens
            + self.revoked_access_tokens
            + self.initial_access_tokens
            + self.browser_sessions
    }
}

impl Store {
    /// Removes every row that expired before `now`.
    pub async fn purge_expired(&self, now: DateTime<Utc>) -> StoreResult<Purged> {
        let tx = self.begin_write().await?;
        let codes = authorization_code::Entity::delete_many()
            .filter(
                authorization_code::Column::ExpiresAt
                    .lt(now - Duration::hours(USED_CODE_GRACE_HOURS)),
            )
            .exec(&*tx)
            .await?
            .rows_affected;
        let refresh_tokens = refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::ExpiresAt.lt(now))
            .exec(&*tx)
            .await?
            .rows_affected;
        let revoked_access_tokens = revoked_access_token::Entity::delete_many()
            .filter(revoked_access_token::Column::ExpiresAt.lt(now))
            .exec(&*tx)
            .await?
            .rows_affected;
        let initial_access_tokens = initial_access_token::Entity::delete_many()
            .filter(initial_access_token::Column::ExpiresAt.lt(now))
            .exec(&*tx)
            .await?
            .rows_affected;
        let browser_sessions = browser_session::Entity::delete_many()
            .filter(browser_session::Column::ExpiresAt.lt(now))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(Purged {
            codes,
            refresh_tokens,
            revoked_access_tokens,
            initial_access_tokens,
            browser_sessions,
        })
    }
}
