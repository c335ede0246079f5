//! A registered FHIR server as the registry keeps it: its configuration,
//! what the service learned about it, and who may use it.

use chrono::{DateTime, Utc};

use super::ServerConfig;
use crate::domain::project::ProjectPattern;

/// A registered FHIR server with what the service learned about it.
#[derive(Clone, Debug)]
pub struct RegisteredServer {
    pub config: ServerConfig,
    pub pinned_schema: Option<String>,
    /// `name@version` of the schema its documents are scraped with.
    pub schema: Option<String>,
    pub schema_reason: String,
    pub fhir_version: Option<String>,
    pub software_name: Option<String>,
    pub capability_at: Option<DateTime<Utc>>,
    pub capability_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The projects that may use it, in the order granted.
    pub allowed_projects: Vec<ProjectPattern>,
}

impl RegisteredServer {
    pub fn id(&self) -> &str {
        &self.config.id
    }
}
