//! PreviewScrape: one document scraped as an import would scrape it, with
//! the server's schema or another, storing nothing.

use std::sync::Arc;

use serde_json::Value;

use crate::auth::Caller;
use crate::scrape::{evaluate, FhirSource, ResourceSource, Schema, Scraped};

use super::{require_admin, Connection, FhirServerError, FhirServers, PreviewDocument};

impl FhirServers {
    /// Scrapes one document as an import from `id` would, with the
    /// server's schema or `schema_override`, without storing anything.
    pub async fn preview(
        &self,
        caller: &Caller,
        id: &str,
        document: PreviewDocument,
        schema_override: Option<&str>,
    ) -> Result<(Schema, Scraped), FhirServerError> {
        require_admin(caller)?;
        let (Connection { client, .. }, schema) = self
            .scraper_for_admin(id)
            .await?
            .ok_or_else(|| FhirServerError::NotFound(id.to_owned()))?;
        let schema = match schema_override.filter(|s| !s.trim().is_empty()) {
            Some(reference) => self
                .schemas
                .resolve(reference.trim())
                .await
                .ok_or_else(|| {
                    FhirServerError::InvalidArgument(format!("schema: no schema {reference:?}"))
                })?,
            None => schema.ok_or_else(|| {
                FhirServerError::FailedPrecondition(format!(
                    "no schema fits FHIR server {id}; pin one or name one in the request"
                ))
            })?,
        };
        let document = match document {
            PreviewDocument::Json(json) => serde_json::from_str::<Value>(&json)
                .ok()
                .filter(|d| d["resourceType"] == "DocumentReference")
                .ok_or_else(|| {
                    FhirServerError::InvalidArgument(
                        "resource_json: not a DocumentReference in FHIR JSON".into(),
                    )
                })?,
            PreviewDocument::Id(doc_id) => client
                .read("DocumentReference", &doc_id)
                .await
                .map_err(|e| {
                    FhirServerError::FailedPrecondition(format!(
                        "reading DocumentReference/{doc_id}: {e}"
                    ))
                })?
                .ok_or_else(|| {
                    FhirServerError::NotFound(format!("{id}'s DocumentReference/{doc_id}"))
                })?,
        };
        let source: Arc<dyn ResourceSource> = Arc::new(FhirSource::new(client));
        let scraped = evaluate(&schema, &document, source).await;
        Ok((schema, scraped))
    }
}
