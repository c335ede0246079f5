//! The shared client of each registered server and what was read from it
//! lately, made on first use and replaced when the server's settings change.

use crate::fhir::FhirClient;
use crate::scrape::{RecentReads, Schema};
use crate::store::StoredFhirServer;

use super::{FhirServerError, FhirServers};

/// One registered server as scraping uses it: its shared client, and what
/// was read from it lately. Both are replaced when its settings change.
#[derive(Clone)]
pub struct Connection {
    pub client: FhirClient,
    pub recent: RecentReads,
}

impl FhirServers {
    /// The shared client of server `id`, if it is registered.
    pub async fn client_for(&self, id: &str) -> Result<Option<FhirClient>, FhirServerError> {
        Ok(self.registered(id).await?.map(|(c, _)| c.client))
    }

    /// The connection and schema for documents from `id`, if it is
    /// registered and has a schema.
    pub async fn scraper_for(
        &self,
        id: &str,
    ) -> Result<Option<(Connection, Option<Schema>)>, FhirServerError> {
        let Some((connection, server)) = self.registered(id).await? else {
            return Ok(None);
        };
        let schema = match server.schema.as_deref() {
            Some(id) => self.schemas.resolve(id).await,
            None => None,
        };
        Ok(Some((connection, schema)))
    }

    async fn registered(
        &self,
        id: &str,
    ) -> Result<Option<(Connection, StoredFhirServer)>, FhirServerError> {
        let Some(server) = self.store.fhir_server(id).await? else {
            return Ok(None);
        };
        let cached = self
            .connections
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned();
        let connection = match cached {
            Some(connection) => connection,
            None => {
                let client = FhirClient::new(server.config.clone())
                    .map_err(|e| FhirServerError::InvalidArgument(e.to_string()))?;
                self.cache(id, client)
            }
        };
        Ok(Some((connection, server)))
    }

    /// Makes `client` the one for server `id`, with nothing read yet.
    pub(super) fn cache(&self, id: &str, client: FhirClient) -> Connection {
        let connection = Connection {
            client,
            recent: RecentReads::new(self.recent_limits),
        };
        self.connections
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), connection.clone());
        connection
    }
}
