//! A [`ResourceSource`] over a registered FHIR server, with a cache shared
//! by every document of a batch: many documents point at the same Patient
//! and Specimens, and each is fetched once. The batch's references can be
//! prefetched with `_id` searches (`Patient?_id=a,b,c`) before evaluation.
//! Answers also go to the import's [`ScopedReads`], where its later
//! batches find them, and to the server's [`RecentReads`], where other
//! imports find them for a short while.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::OnceCell;

use super::recent::{RecentLimits, RecentReads, ScopedReads};
use super::source::{ResourceSource, SourceError};
use crate::fhir::{parse_reference, FhirClient, FhirError};

/// A cached answer: the resource, or that it does not exist.
type Cached = Option<Value>;

/// One answer shared by every document that asks while it is being
/// fetched: documents are evaluated concurrently, and without this each
/// would fetch the same Patient at the same moment.
type Shared<T> = Arc<OnceCell<Result<T, SourceError>>>;

pub struct FhirSource {
    pub(super) client: FhirClient,
    base_url: String,
    /// By `Type/id`; filled by prefetch and by reads.
    resources: Mutex<HashMap<String, Cached>>,
    reads: Mutex<HashMap<String, Shared<Cached>>>,
    /// By [`search_key`]; filled by searches and by batched prefetches.
    searches: Mutex<HashMap<String, Shared<Vec<Value>>>>,
    recent: RecentReads,
    /// Whether answers in `recent` may be used, or only refreshed.
    reuse_recent: bool,
    /// What this import read in earlier batches.
    import_reads: Option<ScopedReads>,
}

/// How a search is cached: what evaluation asks for, written as a query.
pub(super) fn search_key(resource_type: &str, param: &str, references: &[String]) -> String {
    format!("{resource_type}?{param}={}", references.join(","))
}

fn shared<T>(map: &Mutex<HashMap<String, Shared<T>>>, key: &str) -> Shared<T> {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key.to_owned())
        .or_default()
        .clone()
}

fn source_error(err: FhirError) -> SourceError {
    match err {
        FhirError::ForeignHost { .. } | FhirError::RedirectRefused { .. } => {
            SourceError::Refused(err.to_string())
        }
        FhirError::InvalidJson(_) | FhirError::TooLarge { .. } => {
            SourceError::Invalid(err.to_string())
        }
        other => SourceError::Unavailable(other.to_string()),
    }
}

impl FhirSource {
    /// A source whose cache lasts as long as it does.
    pub fn new(client: FhirClient) -> Self {
        let off = RecentReads::new(RecentLimits {
            ttl_secs: 0,
            max_bytes: 0,
        });
        Self::sharing(client, off, false)
    }

    /// A source that also keeps what it reads in `recent`, and with
    /// `reuse_recent` answers from there what other batches read lately.
    pub fn sharing(client: FhirClient, recent: RecentReads, reuse_recent: bool) -> Self {
        let base_url = client.base_url().as_str().trim_end_matches('/').to_owned();
        Self {
            client,
            base_url,
            resources: Mutex::default(),
            reads: Mutex::default(),
            searches: Mutex::default(),
            recent,
            reuse_recent,
            import_reads: None,
        }
    }

    /// Also keeps what is read in `reads`, one import's, and answers from
    /// there what its earlier batches read.
    pub fn within_import(mut self, reads: ScopedReads) -> Self {
        self.import_reads = Some(reads);
        self
    }

    fn cached(&self, key: &str) -> Option<Cached> {
        let local = self
            .resources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned();
        if local.is_some() {
            return local;
        }
        let earlier = self
            .import_reads
            .as_ref()
            .and_then(|reads| reads.resource(key))
            .or_else(|| {
                self.reuse_recent
                    .then(|| self.recent.resource(key))
                    .flatten()
            })?;
        self.resources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), earlier.clone());
        Some(earlier)
    }

    fn remember(&self, key: String, value: Cached) {
        self.recent.remember_resource(&key, value.clone());
        if let Some(reads) = &self.import_reads {
            reads.remember_resource(&key, value.clone());
        }
        self.resources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, value);
    }

    /// A search answered earlier in this import or (when allowed) lately.
    fn earlier_search(&self, key: &str) -> Option<Vec<Value>> {
        self.import_reads
            .as_ref()
            .and_then(|reads| reads.search(key))
            .or_else(|| self.reuse_recent.then(|| self.recent.search(key)).flatten())
    }

    fn remember_search(&self, key: &str, matches: &[Value]) {
        self.recent.remember_search(key, matches.to_vec());
        if let Some(reads) = &self.import_reads {
            reads.remember_search(key, matches.to_vec());
        }
    }

    /// Fetches every resource `references` point at that is not cached yet,
    /// with one `_id` search per type (paged and chunked by the client).
    /// References that are not plain `Type/id` on this server are left for
    /// `resolve`. A failed search leaves its references uncached, so each
    /// document's evaluation reports the failure on the keys that need them.
    pub async fn prefetch(&self, references: impl IntoIterator<Item = String>) {
        let base = self.client.base_url().clone();
        let mut by_type: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for reference in references {
            let Ok(parsed) = parse_reference(&base, &reference) else {
                continue;
            };
            if parsed.version.is_some() || self.cached(&parsed.path()).is_some() {
                continue;
            }
            by_type
                .entry(parsed.resource_type)
                .or_default()
                .insert(parsed.id);
        }
        let fetches = by_type.into_iter().map(|(resource_type, ids)| async move {
            let ids: Vec<String> = ids.into_iter().collect();
            let Ok(found) = self.client.search_ids(&resource_type, &ids).await else {
                return;
            };
            let mut missing: BTreeSet<&String> = ids.iter().collect();
            for resource in found {
                if let Some(id) = resource["id"].as_str() {
                    missing.remove(&id.to_owned());
                    self.remember(format!("{resource_type}/{id}"), Some(resource.clone()));
                }
            }
            for id in missing {
                self.remember(format!("{resource_type}/{id}"), None);
            }
        });
        futures::future::join_all(fetches).await;
    }

    /// Whether a search is answered already: in this batch, or earlier in
    /// the import or (when allowed) lately, whose answer is then filed for
    /// this batch too.
    pub(super) fn has_search(&self, key: &str) -> bool {
        let here = self
            .searches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .is_some_and(|cell| cell.initialized());
        if here {
            return true;
        }
        match self.earlier_search(key) {
            Some(matches) => {
                self.file_search(key.to_owned(), matches);
                true
            }
            None => false,
        }
    }

    /// Files `matches` as the answer to the search `key`, here and for
    /// later batches and imports.
    pub(super) fn fill_search(&self, key: String, matches: Vec<Value>) {
        self.remember_search(&key, &matches);
        self.file_search(key, matches);
    }

    fn file_search(&self, key: String, matches: Vec<Value>) {
        self.searches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Arc::new(OnceCell::new_with(Some(Ok(matches)))));
    }

    /// Requests made to the server so far (all batches of this client).
    pub fn requests_made(&self) -> u64 {
        self.client.requests_made()
    }
}

#[async_trait]
impl ResourceSource for FhirSource {
    fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn resolve(&self, reference: &str) -> Result<Option<Value>, SourceError> {
        let key = parse_reference(self.client.base_url(), reference)
            .map_err(source_error)?
            .path();
        if let Some(cached) = self.cached(&key) {
            return Ok(cached);
        }
        shared(&self.reads, &key)
            .get_or_init(|| async {
                let read = self.client.resolve(reference).await.map_err(source_error)?;
                self.remember(key.clone(), read.clone());
                Ok(read)
            })
            .await
            .clone()
    }

    async fn search(
        &self,
        resource_type: &str,
        param: &str,
        references: &[String],
    ) -> Result<Vec<Value>, SourceError> {
        let key = search_key(resource_type, param, references);
        shared(&self.searches, &key)
            .get_or_init(|| async {
                if let Some(matches) = self.earlier_search(&key) {
                    return Ok(matches);
                }
                let matches = self
                    .client
                    .search(resource_type, param, references)
                    .await
                    .map_err(source_error)?;
                let matches = self.keep_matching(param, references, matches);
                self.remember_search(&key, &matches);
                Ok(matches)
            })
            .await
            .clone()
    }
}
