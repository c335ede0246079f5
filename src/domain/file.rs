//! An imported file, as the services and the API see it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::ids::{FhirServerId, FileId, ImportId, ProjectId};
use super::import::MetadataState;

/// An imported file: what its DocumentReference said, and its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: FileId,
    pub project_id: ProjectId,
    pub name: String,
    pub url: String,
    pub size: Option<u64>,
    pub content_type: String,
    pub hashes: BTreeMap<String, String>,
    pub document_reference_id: String,
    pub fhir_server: Option<FhirServerId>,
    /// Only read for a single file.
    pub document_json: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub metadata_state: MetadataState,
    pub metadata_error: String,
    /// `name@version` of the schema the scraped metadata came from.
    pub metadata_schema: Option<String>,
    /// `meta.versionId` of each resource it was read from.
    pub metadata_sources: BTreeMap<String, String>,
    pub tags: Vec<String>,
    pub import_id: ImportId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
