//! `FhirClient`: reads, searches and reference resolution on one registered
//! FHIR server, in FHIR terms (types, ids, references, Bundles); HTTP and
//! robustness live in `transport`.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use url::Url;

use super::{
    reference::{check_same_origin, parse_reference, valid_id, valid_type, ResourceRef},
    search::{chunk_values, key_of, read_page, Page, MAX_URL_BYTES},
    transport::Transport,
    FhirError, ServerConfig,
};

/// A client for one FHIR server; cheap to clone (clones share connections,
/// limits, token and request count).
#[derive(Clone)]
pub struct FhirClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    /// Set once the server has refused an `_id=a,b,c` search: from then on
    /// `search_ids` reads one by one.
    id_search_refused: AtomicBool,
}

/// A search the server would not run, as opposed to one that failed.
enum Searched {
    Matches(Vec<Value>),
    Refused(FhirError),
}

impl FhirClient {
    pub fn new(config: ServerConfig) -> Result<Self, FhirError> {
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport::new(&config)?,
                id_search_refused: AtomicBool::new(false),
            }),
        })
    }

    /// The server's base URL, ending in `/`.
    pub fn base_url(&self) -> &Url {
        self.inner.transport.base()
    }

    /// While calls to the server fail at once (its breaker is open): until
    /// when, and the failure that opened it.
    pub fn breaker_open_until(&self) -> Option<(std::time::SystemTime, String)> {
        self.inner.transport.breaker_open_until()
    }

    /// HTTP requests sent to the server so far, retries included.
    pub fn requests_made(&self) -> u64 {
        self.inner.transport.requests_made()
    }

    /// `GET [base]/metadata`.
    pub async fn capability_statement(&self) -> Result<Value, FhirError> {
        let url = self.url("metadata")?;
        self.inner.transport.get(&url).await
    }

    /// `GET [base]/Type/id`; `None` if the server has no such resource
    /// (404) or it was deleted (410).
    pub async fn read(&self, resource_type: &str, id: &str) -> Result<Option<Value>, FhirError> {
        check_type(resource_type)?;
        if !valid_id(id) {
            return Err(FhirError::InvalidRequest(format!(
                "{id:?} is not a FHIR id"
            )));
        }
        self.fetch(&ResourceRef {
            resource_type: resource_type.to_owned(),
            id: id.to_owned(),
            version: None,
        })
        .await
    }

    /// The resources of one type with these ids, each once, via
    /// `Type?_id=a,b,c` searches (in URL-sized batches sent side by side,
    /// following pages),
    /// or via single reads if the server refuses `_id` lists. Ids it does
    /// not have are simply missing from the result.
    pub async fn search_ids(
        &self,
        resource_type: &str,
        ids: &[String],
    ) -> Result<Vec<Value>, FhirError> {
        check_type(resource_type)?;
        if let Some(bad) = ids.iter().find(|id| !valid_id(id)) {
            return Err(FhirError::InvalidRequest(format!(
                "{bad:?} is not a FHIR id"
            )));
        }
        let ids = unique(ids);
        if self.inner.id_search_refused.load(Ordering::Relaxed) {
            return Ok(dedupe(self.read_each(resource_type, &ids).await?));
        }
        // Chunks go out side by side, within the server's concurrency.
        let chunks = self.chunks(resource_type, "_id", &ids);
        let answers = self.search_chunks(resource_type, "_id", &chunks).await;
        let mut found = Vec::new();
        let mut unread = Vec::new();
        let mut at = 0;
        for (chunk, answer) in chunks.iter().zip(answers) {
            // Valid ids hold no commas, so the commas count the chunk.
            let count = chunk.split(',').count();
            match answer? {
                Searched::Matches(matches) => found.extend(matches),
                Searched::Refused(why) => {
                    if !self.inner.id_search_refused.swap(true, Ordering::Relaxed) {
                        tracing::warn!(%why, "the server refuses _id lists; reading one by one from now on");
                    }
                    unread.extend_from_slice(&ids[at..at + count]);
                }
            }
            at += count;
        }
        if !unread.is_empty() {
            found.extend(self.read_each(resource_type, &unread).await?);
        }
        Ok(dedupe(found))
    }

    /// `Type?param=v1,v2,…` (values OR-ed), in URL-sized batches, following
    /// pages; each match once. E.g. `search("Condition", "subject",
    /// &["Patient/a".into(), "Patient/b".into()])`.
    pub async fn search(
        &self,
        resource_type: &str,
        param: &str,
        values: &[String],
    ) -> Result<Vec<Value>, FhirError> {
        check_type(resource_type)?;
        let param_ok = !param.is_empty()
            && param
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-:.".contains(c));
        if !param_ok {
            return Err(FhirError::InvalidRequest(format!(
                "{param:?} is not a search parameter name"
            )));
        }
        let chunks = self.chunks(resource_type, param, &unique(values));
        let answers = self.search_chunks(resource_type, param, &chunks).await;
        let mut found = Vec::new();
        for answer in answers {
            match answer? {
                Searched::Matches(matches) => found.extend(matches),
                Searched::Refused(why) => return Err(why),
            }
        }
        Ok(dedupe(found))
    }

    /// The resource a reference names: `Type/id`, `Type/id/_history/v`, or
    /// an absolute URL under this server's base (anything else is
    /// `ForeignHost`: only registered servers are fetched from). `None` if
    /// the server does not have it.
    pub async fn resolve(&self, reference: &str) -> Result<Option<Value>, FhirError> {
        let target = parse_reference(self.base_url(), reference)?;
        self.fetch(&target).await
    }

    async fn fetch(&self, target: &ResourceRef) -> Result<Option<Value>, FhirError> {
        let url = self.url(&target.path())?;
        match self.inner.transport.get(&url).await {
            Ok(resource) => Ok(Some(resource)),
            Err(FhirError::Status {
                code: 404 | 410, ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn read_each(
        &self,
        resource_type: &str,
        ids: &[String],
    ) -> Result<Vec<Value>, FhirError> {
        let parallel = self.inner.transport.limits().max_concurrency;
        // Owned ids and a cloned client: futures that borrow nothing stay
        // `Send` wherever this runs (a spawned task needs that proven).
        futures::stream::iter(ids.to_vec())
            .map(|id| {
                let client = self.clone();
                let resource_type = resource_type.to_owned();
                async move { client.read(&resource_type, &id).await }
            })
            .buffered(parallel)
            .try_filter_map(|found| async move { Ok(found) })
            .try_collect()
            .await
    }

    /// Encoded value lists for `Type?param=…&_count=n` URLs under the limit.
    fn chunks(&self, resource_type: &str, param: &str, values: &[String]) -> Vec<String> {
        let limits = self.inner.transport.limits();
        let fixed = format!(
            "{}{resource_type}?{param}=&_count={}",
            self.base_url(),
            limits.page_size
        );
        let budget = MAX_URL_BYTES.saturating_sub(fixed.len()).max(1);
        chunk_values(values, limits.ids_per_search, budget)
    }

    /// Every chunk's search, side by side within the server's concurrency,
    /// answers in the chunks' order. Owned values and a cloned client: the
    /// futures borrow nothing, so they stay `Send` wherever this runs.
    async fn search_chunks(
        &self,
        resource_type: &str,
        param: &str,
        chunks: &[String],
    ) -> Vec<Result<Searched, FhirError>> {
        let parallel = self.inner.transport.limits().max_concurrency;
        futures::stream::iter(chunks.to_vec())
            .map(|chunk| {
                let client = self.clone();
                let (resource_type, param) = (resource_type.to_owned(), param.to_owned());
                async move { client.search_chunk(&resource_type, &param, &chunk).await }
            })
            .buffered(parallel)
            .collect()
            .await
    }

    /// One search and all its pages.
    async fn search_chunk(
        &self,
        resource_type: &str,
        param: &str,
        encoded_values: &str,
    ) -> Result<Searched, FhirError> {
        let limits = self.inner.transport.limits();
        let page_size = limits.page_size;
        let (max_pages, max_matches) = (limits.max_pages_per_search, limits.max_matches_per_search);
        let too_large = |why: String| FhirError::SearchTooLarge {
            search: format!("{resource_type}?{param}=…"),
            why,
        };
        let mut pages = 0u32;
        let mut url = self.url(&format!(
            "{resource_type}?{param}={encoded_values}&_count={page_size}"
        ))?;
        let mut seen = HashSet::new();
        let mut matches = Vec::new();
        loop {
            let body = match self.inner.transport.get(&url).await {
                Ok(body) => body,
                Err(
                    e @ FhirError::Status {
                        code: 400 | 501, ..
                    },
                ) => return Ok(Searched::Refused(e)),
                Err(e) => return Err(e),
            };
            match read_page(body) {
                Page::NotABundle => {
                    return Ok(Searched::Refused(FhirError::Unexpected(format!(
                        "{resource_type}?{param}=… was answered with something other than a Bundle"
                    ))))
                }
                Page::Bundle {
                    matches: page,
                    next,
                } => {
                    matches.extend(page);
                    pages += 1;
                    if matches.len() > max_matches {
                        return Err(too_large(format!(
                            "more than {max_matches} matches (limits.max_matches_per_search)"
                        )));
                    }
                    let Some(next) = next else {
                        return Ok(Searched::Matches(matches));
                    };
                    if pages >= max_pages {
                        return Err(too_large(format!(
                            "more than {max_pages} pages (limits.max_pages_per_search)"
                        )));
                    }
                    seen.insert(url);
                    url = check_same_origin(self.base_url(), &next)?;
                    if seen.contains(&url) {
                        return Err(FhirError::Unexpected(format!("paging loops back to {url}")));
                    }
                }
            }
        }
    }

    fn url(&self, path: &str) -> Result<Url, FhirError> {
        self.base_url()
            .join(path)
            .map_err(|e| FhirError::InvalidRequest(format!("{path}: {e}")))
    }
}

fn check_type(resource_type: &str) -> Result<(), FhirError> {
    if valid_type(resource_type) {
        Ok(())
    } else {
        Err(FhirError::InvalidRequest(format!(
            "{resource_type:?} is not a resource type"
        )))
    }
}

fn unique(values: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .iter()
        .filter(|v| seen.insert(v.as_str()))
        .cloned()
        .collect()
}

/// Drops repeats of the same `Type/id` (offset paging can repeat a
/// resource that was updated mid-way).
fn dedupe(resources: Vec<Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    resources
        .into_iter()
        .filter(|r| key_of(r).is_none_or(|key| seen.insert(key)))
        .collect()
}
