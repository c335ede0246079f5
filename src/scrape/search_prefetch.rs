//! One search for a whole batch in place of one per document: the schema's
//! searches that point back at a document's subject (`Condition?subject=`)
//! are run once with every subject of the batch (`subject=Patient/a,
//! Patient/b,…`, chunked and paged by the client), and each document's
//! share is filed under the search it would have made itself. Matches the
//! parameter does not select (a server that ignores it answers with
//! everything) are left out, here and in each document's own search. When a
//! match of a parameter whose paths are only guessed cannot be told apart,
//! nothing is filed and documents search on their own.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::fhir_source::{search_key, FhirSource};
use super::schema::{Schema, Search};
use super::search_params::{is_known, param_references, plain_for_references};
use crate::fhir::parse_reference;

impl FhirSource {
    /// Runs each search the schema's keys use once for all `documents`.
    pub async fn prefetch_searches(&self, schema: &Schema, documents: &[&Value]) {
        let used = schema
            .searches
            .iter()
            .filter(|(name, _)| schema.keys.values().any(|k| k.searches.contains(name)))
            .map(|(_, search)| self.prefetch_search(search, documents));
        futures::future::join_all(used).await;
    }

    async fn prefetch_search(&self, search: &Search, documents: &[&Value]) {
        // Each document's references, where `for` is a plain path, and the
        // key its own search would be cached under.
        let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
        for document in documents {
            let Some(references) = plain_for_references(document, &search.for_expression) else {
                return;
            };
            if references.is_empty() {
                continue;
            }
            let key = search_key(&search.resource, &search.param, &references);
            if !self.has_search(&key) && !wanted.iter().any(|(k, _)| *k == key) {
                wanted.push((key, references));
            }
        }
        // One document's search is what it would have been anyway.
        if wanted.len() < 2 {
            return;
        }
        let mut all: Vec<String> = wanted.iter().flat_map(|(_, r)| r.clone()).collect();
        all.sort();
        all.dedup();
        let Ok(matches) = self
            .client
            .search(&search.resource, &search.param, &all)
            .await
        else {
            return;
        };
        let Some(pointing) = self.partition(&search.param, &all, &matches) else {
            tracing::debug!(
                search = %search_key(&search.resource, &search.param, &[]),
                "a batched search's matches could not be told apart; searching per document"
            );
            return;
        };
        for (key, references) in wanted {
            let mine: HashSet<usize> = references
                .iter()
                .filter_map(|r| self.local_key(r))
                .flat_map(|r| pointing.get(&r).cloned().unwrap_or_default())
                .collect();
            let share = matches
                .iter()
                .enumerate()
                .filter(|(i, _)| mine.contains(i))
                .map(|(_, m)| m.clone())
                .collect();
            self.fill_search(key, share);
        }
    }

    /// Which matches point at each requested reference (`Type/id` ->
    /// indexes into `matches`). A match that points at none of them where
    /// the parameter says is left out for a parameter whose paths are known
    /// (as [`FhirSource::keep_matching`] does), and makes the answer `None`
    /// for one whose paths are only a guess.
    fn partition(
        &self,
        param: &str,
        requested: &[String],
        matches: &[Value],
    ) -> Option<HashMap<String, Vec<usize>>> {
        let requested: HashSet<String> =
            requested.iter().filter_map(|r| self.local_key(r)).collect();
        let known = is_known(param);
        let mut pointing: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, found) in matches.iter().enumerate() {
            let mut hit = false;
            for key in param_references(found, param)
                .into_iter()
                .filter_map(|r| self.local_key(r))
            {
                if requested.contains(&key) {
                    let at = pointing.entry(key).or_default();
                    if !at.contains(&index) {
                        at.push(index);
                    }
                    hit = true;
                }
            }
            if !hit && !known {
                return None;
            }
        }
        Some(pointing)
    }

    /// The matches that point at one of `references` where `param` puts
    /// them. A server that does not support a parameter ignores it (as FHIR
    /// allows) and answers with everything: this keeps only what was asked
    /// for. Matches of a parameter whose paths are not known are kept.
    pub(super) fn keep_matching(
        &self,
        param: &str,
        references: &[String],
        matches: Vec<Value>,
    ) -> Vec<Value> {
        if !is_known(param) {
            return matches;
        }
        let requested: HashSet<String> = references
            .iter()
            .filter_map(|r| self.local_key(r))
            .collect();
        let before = matches.len();
        let kept: Vec<Value> = matches
            .into_iter()
            .filter(|found| {
                param_references(found, param)
                    .into_iter()
                    .filter_map(|r| self.local_key(r))
                    .any(|key| requested.contains(&key))
            })
            .collect();
        if kept.len() < before {
            tracing::debug!(
                param,
                ignored = before - kept.len(),
                "the server answered with matches the parameter does not select; left out"
            );
        }
        kept
    }

    /// `Type/id` of a reference to this server (a version is ignored).
    fn local_key(&self, reference: &str) -> Option<String> {
        let parsed = parse_reference(self.client.base_url(), reference).ok()?;
        Some(format!("{}/{}", parsed.resource_type, parsed.id))
    }
}
