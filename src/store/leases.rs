//! Leases: which replica works an unfinished import. The replica holding
//! an import's lease receives its stream and runs its stages; it renews
//! every lease it holds in one statement, several times per lease. Another
//! replica takes an import over only once its lease has expired (its owner
//! died) or was handed back (its owner drained), claiming such imports in
//! batches with `FOR UPDATE SKIP LOCKED` so that two replicas looking at
//! once split them instead of queueing on each other. The stages' batch
//! writes check the lease under the import's row lock, so an owner that
//! lost its lease (a pause longer than the lease) cannot write over the
//! replica that took over.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::import;
use super::{Store, StoreResult};
use crate::domain::{
    ids::ImportId,
    import::{Import, ImportState},
};

/// Who this replica is and how long its leases last.
#[derive(Debug, Clone)]
pub struct LeaseTerms {
    /// Unique per process: a restarted replica is a new owner, and waits
    /// like anyone else for the leases its previous life left.
    pub owner: String,
    pub ttl: Duration,
}

impl LeaseTerms {
    pub fn new(ttl: Duration) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        let process = uuid::Uuid::now_v7().simple().to_string();
        // Spaces separate the doorbell's words.
        let host: String = host.split_whitespace().collect::<Vec<_>>().join("-");
        let owner = match host.as_str() {
            "" => process,
            host => format!("{host}/{process}"),
        };
        Self { owner, ttl }
    }

    fn expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::seconds(15))
    }
}

fn unfinished() -> [&'static str; 2] {
    [
        ImportState::Receiving.as_str(),
        ImportState::Processing.as_str(),
    ]
}

impl Store {
    pub fn lease_terms(&self) -> &LeaseTerms {
        &self.lease
    }

    /// Sets the lease columns of a new import: it starts out ours.
    pub(super) fn lease_new(&self, row: &mut import::ActiveModel, now: DateTime<Utc>) {
        row.lease_owner = Set(Some(self.lease.owner.clone()));
        row.lease_expires_at = Set(Some(self.lease.expiry(now)));
    }

    /// True when `row` is leased to this replica.
    pub(super) fn holds(&self, row: &import::Model) -> bool {
        row.lease_owner.as_deref() == Some(self.lease.owner.as_str())
    }

    /// Extends every lease this replica holds on an unfinished import;
    /// returns how many it holds.
    pub async fn renew_leases(&self) -> StoreResult<u64> {
        let expires = self.lease.expiry(Utc::now());
        let tx = self.begin_write().await?;
        let renewed = import::Entity::update_many()
            .col_expr(import::Column::LeaseExpiresAt, Expr::value(expires))
            .filter(import::Column::LeaseOwner.eq(self.lease.owner.as_str()))
            .filter(import::Column::State.is_in(unfinished()))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(renewed)
    }

    /// The import while this replica holds its lease; none when it does
    /// not (another replica took it over) or there is no such import.
    pub async fn held_import(&self, import_id: &ImportId) -> StoreResult<Option<Import>> {
        import::Entity::find_by_id(import_id.as_str().to_owned())
            .one(&self.db)
            .await?
            .filter(|row| self.holds(row))
            .map(Import::try_from)
            .transpose()
    }

    /// Unfinished imports this replica holds.
    pub async fn held_imports(&self) -> StoreResult<Vec<Import>> {
        import::Entity::find()
            .filter(import::Column::LeaseOwner.eq(self.lease.owner.as_str()))
            .filter(import::Column::State.is_in(unfinished()))
            .order_by_asc(import::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Import::try_from)
            .collect()
    }

    /// Takes over up to `limit` unfinished imports nobody holds: their
    /// lease expired or was handed back, or (`sole_replica`, when a
    /// process lock proves no other replica runs) another process left
    /// them. Returns them, now leased to this replica.
    pub async fn claim_orphans(&self, limit: u64, sole_replica: bool) -> StoreResult<Vec<Import>> {
        let now = Utc::now();
        let mut orphaned = Condition::any()
            .add(import::Column::LeaseOwner.is_null())
            .add(import::Column::LeaseExpiresAt.is_null())
            .add(import::Column::LeaseExpiresAt.lt(now));
        if sole_replica {
            orphaned = orphaned.add(import::Column::LeaseOwner.ne(self.lease.owner.as_str()));
        }
        let tx = self.begin_write().await?;
        // SQLite has one writer, held by this transaction: the lock clause
        // is PostgreSQL's, and sea-query leaves it out for SQLite.
        let rows = import::Entity::find()
            .filter(import::Column::State.is_in(unfinished()))
            .filter(orphaned)
            .order_by_asc(import::Column::Id)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&*tx)
            .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        import::Entity::update_many()
            .col_expr(
                import::Column::LeaseOwner,
                Expr::value(self.lease.owner.clone()),
            )
            .col_expr(
                import::Column::LeaseExpiresAt,
                Expr::value(self.lease.expiry(now)),
            )
            .filter(import::Column::Id.is_in(ids))
            .exec(&*tx)
            .await?;
        tx.commit().await?;
        rows.into_iter().map(Import::try_from).collect()
    }

    /// Hands back every lease this replica holds, so that other replicas
    /// take its imports over at once instead of after the lease expires.
    pub async fn release_leases(&self) -> StoreResult<u64> {
        let tx = self.begin_write().await?;
        let released = import::Entity::update_many()
            .col_expr(
                import::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                import::Column::LeaseExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(import::Column::LeaseOwner.eq(self.lease.owner.as_str()))
            .filter(import::Column::State.is_in(unfinished()))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(released)
    }
}
