//! What was read from one FHIR server lately, kept for a short while across
//! batches and imports: a portal that imports a study in several streams,
//! or an import of many batches, touches the same Patients, Specimens and
//! studies again and again. Bounded by the size of the JSON it holds, and
//! every entry expires a fixed time after it was read, so a change on the
//! server shows within that time (a rescrape does not use it at all).
//! [`ScopedReads`] keeps one import's reads apart, so that an import never
//! reads a resource twice while its reads fit in the bound.

use std::{sync::Arc, time::Duration};

use moka::sync::Cache;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How much is kept, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecentLimits {
    /// Seconds an answer is served after it was read; 0 turns sharing off.
    pub ttl_secs: u64,
    /// Most JSON bytes kept per FHIR server.
    pub max_bytes: u64,
}

impl Default for RecentLimits {
    fn default() -> Self {
        Self {
            ttl_secs: 60,
            max_bytes: 64 << 20,
        }
    }
}

/// One remembered answer.
#[derive(Debug, Clone)]
enum Answer {
    /// A read: the resource, or that the server does not have it.
    Resource(Option<Value>),
    /// A search's matches.
    Search(Vec<Value>),
}

/// Cheap to clone; clones share the entries.
#[derive(Clone)]
pub struct RecentReads {
    cache: Option<Cache<String, Arc<Answer>>>,
}

impl RecentReads {
    pub fn new(limits: RecentLimits) -> Self {
        if limits.ttl_secs == 0 || limits.max_bytes == 0 {
            return Self { cache: None };
        }
        let cache = Cache::builder()
            .max_capacity(limits.max_bytes)
            .weigher(|key: &String, answer: &Arc<Answer>| {
                let bytes = key.len()
                    + match answer.as_ref() {
                        Answer::Resource(resource) => resource.as_ref().map_or(0, json_bytes),
                        Answer::Search(matches) => matches.iter().map(json_bytes).sum(),
                    };
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .time_to_live(Duration::from_secs(limits.ttl_secs))
            .build();
        Self { cache: Some(cache) }
    }

    /// A read of `Type/id`, if one is remembered: `Some(None)` when the
    /// server did not have it.
    pub fn resource(&self, key: &str) -> Option<Option<Value>> {
        let found = match self.cache.as_ref()?.get(key).as_deref() {
            Some(Answer::Resource(resource)) => Some(resource.clone()),
            _ => None,
        };
        count_read(found.is_some());
        found
    }

    pub fn remember_resource(&self, key: &str, resource: Option<Value>) {
        if let Some(cache) = &self.cache {
            cache.insert(key.to_owned(), Arc::new(Answer::Resource(resource)));
        }
    }

    /// A search's matches, if remembered; `key` is the search as a query,
    /// e.g. `Condition?subject=Patient/a`.
    pub fn search(&self, key: &str) -> Option<Vec<Value>> {
        let found = match self.cache.as_ref()?.get(&search_key(key)).as_deref() {
            Some(Answer::Search(matches)) => Some(matches.clone()),
            _ => None,
        };
        count_read(found.is_some());
        found
    }

    pub fn remember_search(&self, key: &str, matches: Vec<Value>) {
        if let Some(cache) = &self.cache {
            cache.insert(search_key(key), Arc::new(Answer::Search(matches)));
        }
    }

    /// A view whose keys are kept apart from every other scope's, e.g. one
    /// per import.
    pub fn scoped(&self, scope: &str) -> ScopedReads {
        ScopedReads {
            reads: self.clone(),
            prefix: format!("{scope}|"),
        }
    }

    /// Entries held now (moka counts lazily).
    #[cfg(test)]
    fn len(&self) -> u64 {
        self.cache.as_ref().map_or(0, |cache| {
            cache.run_pending_tasks();
            cache.entry_count()
        })
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// [`RecentReads`] under one scope's keys.
#[derive(Clone)]
pub struct ScopedReads {
    reads: RecentReads,
    prefix: String,
}

impl ScopedReads {
    pub fn resource(&self, key: &str) -> Option<Option<Value>> {
        self.reads.resource(&format!("{}{key}", self.prefix))
    }

    pub fn remember_resource(&self, key: &str, resource: Option<Value>) {
        self.reads
            .remember_resource(&format!("{}{key}", self.prefix), resource);
    }

    pub fn search(&self, key: &str) -> Option<Vec<Value>> {
        self.reads.search(&format!("{}{key}", self.prefix))
    }

    pub fn remember_search(&self, key: &str, matches: Vec<Value>) {
        self.reads
            .remember_search(&format!("{}{key}", self.prefix), matches);
    }
}

/// Searches and reads share one cache; a `?` never starts a `Type/id`.
fn search_key(query: &str) -> String {
    format!("?{query}")
}

/// About the size of the JSON text of `value`, without writing it.
fn json_bytes(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 8,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => 2 + items.iter().map(|v| json_bytes(v) + 1).sum::<usize>(),
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(k, v)| k.len() + 4 + json_bytes(v))
                .sum::<usize>()
        }
    }
}

/// A read of the recent-reads cache, for its hit ratio.
fn count_read(hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    metrics::counter!(crate::metrics::RECENT_READS, "outcome" => outcome).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn remembers_reads_and_searches_apart() {
        let recent = RecentReads::new(RecentLimits::default());
        let patient = json!({"resourceType": "Patient", "id": "p1"});
        recent.remember_resource("Patient/p1", Some(patient.clone()));
        recent.remember_resource("Patient/gone", None);
        recent.remember_search("Condition?subject=Patient/p1", vec![patient.clone()]);
        assert_eq!(recent.resource("Patient/p1"), Some(Some(patient.clone())));
        assert_eq!(recent.resource("Patient/gone"), Some(None));
        assert_eq!(recent.resource("Patient/p2"), None);
        assert_eq!(
            recent.search("Condition?subject=Patient/p1"),
            Some(vec![patient])
        );
        assert_eq!(recent.search("Condition?subject=Patient/p2"), None);
        assert_eq!(recent.len(), 3);
    }

    #[test]
    fn scopes_do_not_see_each_other() {
        let reads = RecentReads::new(RecentLimits::default());
        let (a, b) = (reads.scoped("import-a"), reads.scoped("import-b"));
        a.remember_resource("Patient/p1", None);
        a.remember_search("Condition?subject=Patient/p1", vec![]);
        assert_eq!(a.resource("Patient/p1"), Some(None));
        assert_eq!(a.search("Condition?subject=Patient/p1"), Some(vec![]));
        assert_eq!(b.resource("Patient/p1"), None);
        assert_eq!(reads.resource("Patient/p1"), None);
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let recent = RecentReads::new(RecentLimits {
            ttl_secs: 0,
            ..RecentLimits::default()
        });
        recent.remember_resource("Patient/p1", None);
        assert_eq!(recent.resource("Patient/p1"), None);
        assert!(recent.is_empty());
    }

    #[test]
    fn stays_within_its_byte_bound() {
        let recent = RecentReads::new(RecentLimits {
            ttl_secs: 60,
            max_bytes: 10_000,
        });
        let big = json!({"resourceType": "Patient", "text": "x".repeat(1_000)});
        for n in 0..100 {
            recent.remember_resource(&format!("Patient/p{n}"), Some(big.clone()));
        }
        let held = recent.len();
        assert!(held > 0 && held <= 10, "{held} entries of ~1 kB in 10 kB");
    }

    #[test]
    fn estimates_json_size_close_to_the_text() {
        let value = json!({"a": [1, "two", {"b": null}], "c": true});
        let text = serde_json::to_string(&value).expect("json").len();
        let estimate = json_bytes(&value);
        assert!(
            estimate >= text && estimate <= text * 2,
            "{estimate} vs {text}"
        );
    }
}
