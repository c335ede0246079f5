//! The doorbell between replicas on PostgreSQL: `NOTIFY` says that an
//! import has new events (or that a replica handed its leases back), and
//! every replica `LISTEN`s. The events table stays the log; a ring only
//! wakes whoever reads it, so a ring lost while a listener reconnects
//! costs a watcher at most its poll interval.

use sea_orm::sqlx::{
    self,
    postgres::{PgConnection, PgListener},
    Connection,
};

use super::{Store, StoreError, StoreResult};
use crate::domain::ids::ImportId;

const CHANNEL: &str = "fhir_import";

/// What another replica rang about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ring {
    /// The import has events up to this sequence.
    Events(ImportId, u64),
    /// A replica handed its leases back: there are imports to take over.
    LeasesReleased,
}

impl Ring {
    fn payload(&self, owner: &str) -> String {
        match self {
            Ring::Events(import_id, sequence) => format!("e {owner} {import_id} {sequence}"),
            Ring::LeasesReleased => format!("r {owner}"),
        }
    }

    /// The ring in `payload` unless this replica (`own`) sent it.
    fn parse(payload: &str, own: &str) -> Option<Self> {
        let mut parts = payload.split(' ');
        let kind = parts.next()?;
        if parts.next()? == own {
            return None;
        }
        match kind {
            "e" => {
                let import_id = ImportId::parse(parts.next()?)?;
                let sequence = parts.next()?.parse().ok()?;
                Some(Ring::Events(import_id, sequence))
            }
            "r" => Some(Ring::LeasesReleased),
            _ => None,
        }
    }
}

/// This replica's ear on the doorbell.
pub struct Doorbell {
    listener: PgListener,
    own: String,
}

impl Doorbell {
    /// The next ring from another replica; `None` when the connection was
    /// lost (rings may have been missed; it reconnects on the next call).
    pub async fn next(&mut self) -> StoreResult<Option<Ring>> {
        loop {
            match self.listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Some(ring) = Ring::parse(notification.payload(), &self.own) {
                        return Ok(Some(ring));
                    }
                }
                Ok(None) => return Ok(None),
                Err(err) => return Err(StoreError::Unavailable(err.to_string())),
            }
        }
    }
}

impl Store {
    /// Listens for other replicas' rings; `None` on SQLite, where one
    /// process is all there is.
    pub async fn doorbell(&self) -> StoreResult<Option<Doorbell>> {
        if !self.is_postgres() {
            return Ok(None);
        }
        let mut listener = PgListener::connect_with(self.db.get_postgres_connection_pool())
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Some(Doorbell {
            listener,
            own: self.lease.owner.clone(),
        }))
    }

    /// This replica's voice on the doorbell; none on SQLite.
    pub fn ringer(&self) -> Option<Ringer> {
        self.is_postgres().then(|| Ringer {
            store: self.clone(),
            connection: None,
        })
    }
}

/// Rings the other replicas over a connection of its own, so that a ring
/// never waits behind the pool's busy connections (a replica under load is
/// exactly when watchers elsewhere need word soonest).
pub struct Ringer {
    store: Store,
    connection: Option<PgConnection>,
}

impl Ringer {
    /// Rings every replica about each of `rings`, in one statement; a lost
    /// connection is opened again on the next ring.
    pub async fn ring(&mut self, rings: &[Ring]) -> StoreResult<()> {
        if rings.is_empty() {
            return Ok(());
        }
        let unavailable = |e: sqlx::Error| StoreError::Unavailable(e.to_string());
        let connection = match &mut self.connection {
            Some(connection) => connection,
            None => {
                let options = self
                    .store
                    .db
                    .get_postgres_connection_pool()
                    .connect_options();
                self.connection.insert(
                    PgConnection::connect_with(&options)
                        .await
                        .map_err(unavailable)?,
                )
            }
        };
        let payloads: Vec<String> = rings
            .iter()
            .map(|ring| ring.payload(&self.store.lease.owner))
            .collect();
        let rung = sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
            .bind(CHANNEL)
            .bind(payloads)
            .execute(&mut *connection)
            .await;
        if let Err(err) = rung {
            self.connection = None;
            return Err(unavailable(err));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_round_trip_and_a_replica_does_not_hear_itself() {
        let id = ImportId::generate();
        let ring = Ring::Events(id.clone(), 42);
        let payload = ring.payload("host/a");
        assert_eq!(Ring::parse(&payload, "host/b"), Some(ring));
        assert_eq!(Ring::parse(&payload, "host/a"), None);
        let released = Ring::LeasesReleased.payload("a");
        assert_eq!(Ring::parse(&released, "b"), Some(Ring::LeasesReleased));
        assert_eq!(Ring::parse("e b not-an-id 3", "a"), None);
        assert_eq!(Ring::parse("garbage", "a"), None);
    }
}
