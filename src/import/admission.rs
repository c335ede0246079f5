//! How many import streams and watchers one caller may hold open at once,
//! counted per user and per client (portal): one portal, or one person,
//! cannot take every connection and byte of memory of a replica. A caller
//! over a cap is told RESOURCE_EXHAUSTED with when to retry. The counts are
//! per replica.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::auth::Caller;
use crate::config::ImportConfig;

/// Caps per caller; 0 means no cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub streams_per_user: usize,
    pub streams_per_client: usize,
    pub watchers_per_user: usize,
    pub watchers_per_client: usize,
}

impl From<&ImportConfig> for Caps {
    /// What one caller may hold open, as configured.
    fn from(config: &ImportConfig) -> Self {
        Self {
            streams_per_user: config.max_streams_per_user,
            streams_per_client: config.max_streams_per_client,
            watchers_per_user: config.max_watchers_per_user,
            watchers_per_client: config.max_watchers_per_client,
        }
    }
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            streams_per_user: 8,
            streams_per_client: 32,
            watchers_per_user: 32,
            watchers_per_client: 128,
        }
    }
}

/// What a caller holds open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Held {
    ImportStream,
    Watcher,
}

impl Held {
    /// The gauge of how many are open on this replica.
    fn metric(self) -> &'static str {
        match self {
            Self::ImportStream => crate::metrics::OPEN_STREAMS,
            Self::Watcher => crate::metrics::OPEN_WATCHERS,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::ImportStream => "ImportDocuments streams",
            Self::Watcher => "WatchImport streams",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Holder {
    User(String),
    Client(String),
}

type Counts = HashMap<(Held, Holder), usize>;

/// The counts of one replica.
#[derive(Clone, Default)]
pub struct Admission {
    caps: Caps,
    counts: Arc<Mutex<Counts>>,
}

/// Why a caller may not open one more; retry after `retry_after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Busy {
    pub message: String,
    pub retry_after: Duration,
}

/// One open stream, counted until dropped.
#[must_use]
pub struct Permit {
    counts: Arc<Mutex<Counts>>,
    keys: Vec<(Held, Holder)>,
    held: Held,
}

impl Drop for Permit {
    fn drop(&mut self) {
        metrics::gauge!(self.held.metric()).decrement(1.0);
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        for key in self.keys.drain(..) {
            if let Some(count) = counts.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&key);
                }
            }
        }
    }
}

/// How long a refused caller is asked to wait: long enough for a stream
/// of theirs to end, short enough for a dashboard to come back soon.
const RETRY_AFTER: Duration = Duration::from_secs(5);

impl Admission {
    pub fn new(caps: Caps) -> Self {
        Self {
            caps,
            counts: Arc::default(),
        }
    }

    /// Counts one more `held` for the caller, or says why not.
    pub fn admit(&self, caller: &Caller, held: Held) -> Result<Permit, Busy> {
        let (user_cap, client_cap) = match held {
            Held::ImportStream => (self.caps.streams_per_user, self.caps.streams_per_client),
            Held::Watcher => (self.caps.watchers_per_user, self.caps.watchers_per_client),
        };
        let mut wanted = Vec::with_capacity(2);
        if let Some(user) = &caller.user {
            wanted.push(((held, Holder::User(user.clone())), user_cap, "user", user));
        }
        if let Some(client) = &caller.client_id {
            wanted.push((
                (held, Holder::Client(client.clone())),
                client_cap,
                "client",
                client,
            ));
        }
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        for (key, cap, kind, name) in &wanted {
            let open = counts.get(key).copied().unwrap_or(0);
            if *cap > 0 && open >= *cap {
                return Err(Busy {
                    message: format!(
                        "{kind} {name} already has {open} {} open on this server, the most allowed; \
                         retry when one ends",
                        held.what()
                    ),
                    retry_after: RETRY_AFTER,
                });
            }
        }
        let keys: Vec<(Held, Holder)> = wanted.into_iter().map(|(key, ..)| key).collect();
        for key in &keys {
            *counts.entry(key.clone()).or_insert(0) += 1;
        }
        metrics::gauge!(held.metric()).increment(1.0);
        Ok(Permit {
            counts: self.counts.clone(),
            keys,
            held,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(user: Option<&str>, client: Option<&str>) -> Caller {
        Caller {
            user: user.map(str::to_owned),
            client_id: client.map(str::to_owned),
            scopes: Vec::new(),
        }
    }

    #[test]
    fn each_user_and_each_client_has_its_own_count_until_permits_drop() {
        let admission = Admission::new(Caps {
            streams_per_user: 2,
            streams_per_client: 3,
            watchers_per_user: 1,
            watchers_per_client: 0,
        });
        let ada = caller(Some("ada"), Some("portal"));
        let bob = caller(Some("bob"), Some("portal"));
        let first = admission.admit(&ada, Held::ImportStream).unwrap();
        let _second = admission.admit(&ada, Held::ImportStream).unwrap();
        let busy = admission.admit(&ada, Held::ImportStream).err().unwrap();
        assert!(
            busy.message.contains("user ada already has 2"),
            "{}",
            busy.message
        );
        assert!(busy.retry_after > Duration::ZERO);
        // Another user of the same portal: the portal's count is the limit.
        let _third = admission.admit(&bob, Held::ImportStream).unwrap();
        let busy = admission.admit(&bob, Held::ImportStream).err().unwrap();
        assert!(
            busy.message.contains("client portal already has 3"),
            "{}",
            busy.message
        );
        // Streams and watchers are counted apart; 0 is no cap.
        let _watching = admission.admit(&ada, Held::Watcher).unwrap();
        assert!(admission.admit(&ada, Held::Watcher).is_err());
        assert!(admission
            .admit(&caller(None, Some("portal")), Held::Watcher)
            .is_ok());
        drop(first);
        let _freed = admission
            .admit(&bob, Held::ImportStream)
            .expect("a slot came free");
    }
}
