//! Where evaluation gets the resources a document points at: the FHIR
//! server the document came from, behind a trait so the engine needs no HTTP.

use async_trait::async_trait;
use serde_json::Value;

/// Why a source could not answer. "Not found" is not an error: `resolve`
/// answers `Ok(None)` and `search` an empty list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The source will not follow this reference, e.g. an absolute URL on a
    /// host that is not a registered FHIR server.
    #[error("refused: {0}")]
    Refused(String),
    /// The server could not be reached or answered with an error.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The server answered with something that is not the FHIR JSON asked for.
    #[error("invalid response: {0}")]
    Invalid(String),
}

/// The FHIR server a document came from, as evaluation needs it.
#[async_trait]
pub trait ResourceSource: Send + Sync {
    /// The server's base URL (no trailing `/`), bound to `%base`.
    fn base_url(&self) -> &str;

    /// The resource a reference points at, given exactly as written in the
    /// data: relative (`Patient/p1`, `Patient/p1/_history/2`) or absolute
    /// (`https://host/fhir/Patient/p1`). The source decides what it will
    /// follow; it should refuse absolute URLs outside the servers it knows.
    /// Contained references (`#id`) never reach the source.
    async fn resolve(&self, reference: &str) -> Result<Option<Value>, SourceError>;

    /// Every `resource_type` whose search parameter `param` points at any of
    /// `references` (`Condition?subject=Patient/a,Patient/b`), all pages.
    async fn search(
        &self,
        resource_type: &str,
        param: &str,
        references: &[String],
    ) -> Result<Vec<Value>, SourceError>;
}
