//! A [`ResourceSource`] over resources held in memory, for tests and for
//! trying a schema on a data set without a server (`dataset::generate`).

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::Value;

use super::search_params::{paths_or_same_name, references_at};
use super::source::{ResourceSource, SourceError};

/// Resources by `Type/id`, served as a FHIR server at `base_url` would.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    base_url: String,
    resources: HashMap<String, Value>,
    /// `Type/id` in insertion order, so searches answer in a stable order.
    order: Vec<String>,
}

impl MemorySource {
    pub fn new<'a>(base_url: &str, resources: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut source = Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            ..Self::default()
        };
        for resource in resources {
            let (Some(kind), Some(id)) =
                (resource["resourceType"].as_str(), resource["id"].as_str())
            else {
                continue;
            };
            let key = format!("{kind}/{id}");
            if source
                .resources
                .insert(key.clone(), resource.clone())
                .is_none()
            {
                source.order.push(key);
            }
        }
        source
    }

    /// `Type/id` for a reference to this server: relative, or absolute under
    /// the base URL; a version (`/_history/n`) is ignored.
    fn local_key(&self, reference: &str) -> Option<String> {
        let relative = match reference.strip_prefix(&self.base_url) {
            Some(rest) if !self.base_url.is_empty() => rest.strip_prefix('/')?,
            _ if reference.contains("://") => return None,
            _ => reference,
        };
        let mut parts = relative.split('/');
        let (kind, id) = (parts.next()?, parts.next()?);
        Some(format!("{kind}/{id}"))
    }
}

#[async_trait]
impl ResourceSource for MemorySource {
    fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn resolve(&self, reference: &str) -> Result<Option<Value>, SourceError> {
        match self.local_key(reference) {
            Some(key) => Ok(self.resources.get(&key).cloned()),
            None => Err(SourceError::Refused(format!(
                "{reference} is not on {}",
                self.base_url
            ))),
        }
    }

    async fn search(
        &self,
        resource_type: &str,
        param: &str,
        references: &[String],
    ) -> Result<Vec<Value>, SourceError> {
        let wanted: Vec<String> = references
            .iter()
            .filter_map(|r| self.local_key(r))
            .collect();
        let paths = paths_or_same_name(param);
        let prefix = format!("{resource_type}/");
        let found = self
            .order
            .iter()
            .filter(|key| key.starts_with(&prefix))
            .filter_map(|key| self.resources.get(key))
            .filter(|resource| {
                let mut found = Vec::new();
                for path in &paths {
                    references_at(resource, path, &mut found);
                }
                found
                    .iter()
                    .filter_map(|r| self.local_key(r))
                    .any(|r| wanted.contains(&r))
            })
            .cloned()
            .collect();
        Ok(found)
    }
}
