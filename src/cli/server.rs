//! The server a client command talks to (`--server` / `FHIR_IMPORT_SERVER`),
//! and connecting to it with an error that says how to fix it.

use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

use super::error::{root_cause, CliError};
use crate::proto::v1::{
    file_service_client::FileServiceClient, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest response accepted: a page of files with much metadata can be
/// larger than tonic's 4 MiB default.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Where the fhir-import server is, as the user gave it.
#[derive(Debug, Clone)]
pub struct Server {
    url: String,
}

impl Server {
    /// `url` is `http://host:port` or `https://…`; a bare `host:port` means
    /// `http://host:port`.
    pub fn new(url: impl Into<String>) -> Self {
        let url = url.into();
        let url = if url.contains("://") {
            url
        } else {
            format!("http://{url}")
        };
        Self { url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connects now, so that an unreachable server is reported before any
    /// work starts rather than in the middle of it.
    pub async fn connect(&self) -> Result<Channel, CliError> {
        let endpoint =
            Endpoint::from_shared(self.url.clone()).map_err(|e| CliError::InvalidServer {
                server: self.url.clone(),
                detail: root_cause(&e),
            })?;
        endpoint
            .connect_timeout(CONNECT_TIMEOUT)
            .connect()
            .await
            .map_err(|e| CliError::Unreachable {
                server: self.url.clone(),
                detail: root_cause(&e),
            })
    }

    pub async fn projects(&self) -> Result<ProjectServiceClient<Channel>, CliError> {
        Ok(ProjectServiceClient::new(self.connect().await?)
            .max_decoding_message_size(MAX_RESPONSE_BYTES))
    }

    pub async fn imports(&self) -> Result<ImportServiceClient<Channel>, CliError> {
        Ok(ImportServiceClient::new(self.connect().await?)
            .max_decoding_message_size(MAX_RESPONSE_BYTES))
    }

    pub async fn files(&self) -> Result<FileServiceClient<Channel>, CliError> {
        Ok(FileServiceClient::new(self.connect().await?)
            .max_decoding_message_size(MAX_RESPONSE_BYTES))
    }
}
