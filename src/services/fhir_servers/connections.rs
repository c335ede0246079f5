//! The shared client of each registered server and what was read from it
//! lately, made on first use and replaced when the server's settings change.

use crate::domain::ids::ProjectId;
use crate::domain::project::Project;
use crate::domain::project::ProjectRef;
use crate::fhir::FhirClient;
use crate::fhir::{RegisteredServer, ServerConfig};
use crate::scrape::{RecentReads, Schema};

use super::{FhirServerError, FhirServers};

/// One registered server as scraping uses it: its shared client, and what
/// was read from it lately. Both are replaced when its settings change.
#[derive(Clone)]
pub struct Connection {
    pub client: FhirClient,
    pub recent: RecentReads,
}

impl FhirServers {
    /// The shared client of server `id` for a request of `project`: none
    /// when the server is not registered, [`FhirServerError::NotAllowed`]
    /// when the project may not use it.
    pub async fn client_for(
        &self,
        id: &str,
        project: &Project,
    ) -> Result<Option<FhirClient>, FhirServerError> {
        let Some((connection, server)) = self.registered(id).await? else {
            return Ok(None);
        };
        check_allowed(&server, project)?;
        Ok(Some(connection.client))
    }

    /// The connection and schema for documents of `project` from `id`, if
    /// it is registered (and has a schema), and the project may still use
    /// it.
    pub async fn scraper_for(
        &self,
        id: &str,
        project: &ProjectId,
    ) -> Result<Option<(Connection, Option<Schema>)>, FhirServerError> {
        let Some((connection, server)) = self.registered(id).await? else {
            return Ok(None);
        };
        let project = self
            .store
            .find_project(&ProjectRef::Id(project.clone()))
            .await?
            .ok_or_else(|| FhirServerError::NotAllowed {
                server: id.to_owned(),
                project: project.as_str().to_owned(),
            })?;
        check_allowed(&server, &project)?;
        Ok(Some((connection, self.schema_of(&server).await)))
    }

    /// As [`Self::scraper_for`], for an admin: whatever the project.
    pub(super) async fn scraper_for_admin(
        &self,
        id: &str,
    ) -> Result<Option<(Connection, Option<Schema>)>, FhirServerError> {
        let Some((connection, server)) = self.registered(id).await? else {
            return Ok(None);
        };
        Ok(Some((connection, self.schema_of(&server).await)))
    }

    /// Until when calls to server `id` fail at once on this replica (its
    /// breaker is open), and why; `None` while they go through, or before
    /// this replica has called it.
    pub fn breaker(&self, id: &str) -> Option<(chrono::DateTime<chrono::Utc>, String)> {
        let connections = self.connections.read().unwrap_or_else(|p| p.into_inner());
        let (_, connection) = connections.get(id)?;
        let (until, because) = connection.client.breaker_open_until()?;
        Some((until.into(), because))
    }

    /// Whether each server this replica has called has its breaker open
    /// now: what `/metrics` reports at scrape time.
    pub fn breakers(&self) -> Vec<(String, bool)> {
        let connections = self.connections.read().unwrap_or_else(|p| p.into_inner());
        connections
            .iter()
            .map(|(id, (_, connection))| {
                (id.clone(), connection.client.breaker_open_until().is_some())
            })
            .collect()
    }

    async fn schema_of(&self, server: &RegisteredServer) -> Option<Schema> {
        match server.schema.as_deref() {
            Some(id) => self.schemas.resolve(id).await,
            None => None,
        }
    }

    async fn registered(
        &self,
        id: &str,
    ) -> Result<Option<(Connection, RegisteredServer)>, FhirServerError> {
        let Some(server) = self.store.fhir_server(id).await? else {
            return Ok(None);
        };
        // The row is read on every call; the client built from it is kept
        // while the settings it was built from are the stored ones. Another
        // replica's update is seen here at the next call.
        let settings = fingerprint(&server.config);
        let cached = self
            .connections
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .filter(|(built_from, _)| *built_from == settings)
            .map(|(_, connection)| connection.clone());
        let connection = match cached {
            Some(connection) => connection,
            None => {
                let client = FhirClient::new(server.config.clone())
                    .map_err(|e| FhirServerError::InvalidArgument(e.to_string()))?;
                self.cache(&server.config, client)
            }
        };
        Ok(Some((connection, server)))
    }

    /// Makes `client`, built from `config`, the one for its server, with
    /// nothing read yet.
    pub(super) fn cache(&self, config: &ServerConfig, client: FhirClient) -> Connection {
        let connection = Connection {
            client,
            recent: RecentReads::new(self.recent_limits),
        };
        self.connections
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(config.id.clone(), (fingerprint(config), connection.clone()));
        connection
    }
}

/// What a client depends on, as a hash: secrets are not kept twice.
fn fingerprint(config: &ServerConfig) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(config)
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}

/// Whether `project` may have the service read `server` for it.
fn check_allowed(server: &RegisteredServer, project: &Project) -> Result<(), FhirServerError> {
    match server
        .allowed_projects
        .iter()
        .any(|p| p.matches(&project.owner, &project.name))
    {
        true => Ok(()),
        false => Err(FhirServerError::NotAllowed {
            server: server.id().to_owned(),
            project: project.slug.clone(),
        }),
    }
}
