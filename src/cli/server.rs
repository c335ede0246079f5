//! The server a client command talks to (`--server` / `FHIR_IMPORT_SERVER`),
//! and connecting to it with an error that says how to fix it. Every call
//! carries the command's access token and the advance-access header.

use std::{sync::Arc, time::Duration};

use tokio::sync::OnceCell;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use super::credentials::TokenSource;
use super::error::{root_cause, CliError};
use crate::auth::bearer::BearerAuth;
use crate::proto::v1::{
    file_service_client::FileServiceClient, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest response accepted: a page of files with much metadata can be
/// larger than tonic's 4 MiB default.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A channel whose calls carry the command's credentials.
pub type AuthedChannel = InterceptedService<Channel, BearerAuth>;

/// Where the fhir-import server is, as the user gave it, and how the
/// command authenticates to it.
#[derive(Debug, Clone)]
pub struct Server {
    url: String,
    credentials: Option<TokenSource>,
    /// The token, obtained once per command.
    token: Arc<OnceCell<Option<String>>>,
}

impl Server {
    /// `url` is `http://host:port` or `https://…`; a bare `host:port` means
    /// `http://host:port`. Calls carry no token.
    pub fn new(url: impl Into<String>) -> Self {
        let url = url.into();
        let url = if url.contains("://") {
            url
        } else {
            format!("http://{url}")
        };
        let url = url.trim_end_matches('/').to_owned();
        Self {
            url,
            credentials: None,
            token: Arc::default(),
        }
    }

    /// Calls carry the token `credentials` yields.
    pub fn with_credentials(mut self, credentials: TokenSource) -> Self {
        self.credentials = Some(credentials);
        self
    }

    async fn authed(&self) -> Result<AuthedChannel, CliError> {
        let channel = self.connect().await?;
        let token = self
            .token
            .get_or_try_init(|| async {
                match &self.credentials {
                    Some(source) => source.access_token(&self.url).await,
                    None => Ok(None),
                }
            })
            .await?;
        let auth = BearerAuth::new(token.as_deref()).map_err(|e| CliError::Login(e.to_string()))?;
        Ok(InterceptedService::new(channel, auth))
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

    pub async fn projects(&self) -> Result<ProjectServiceClient<AuthedChannel>, CliError> {
        Ok(ProjectServiceClient::new(self.authed().await?)
            .max_decoding_message_size(MAX_RESPONSE_BYTES))
    }

    pub async fn imports(&self) -> Result<ImportServiceClient<AuthedChannel>, CliError> {
        Ok(ImportServiceClient::new(self.authed().await?)
            .max_decoding_message_size(MAX_RESPONSE_BYTES))
    }

    pub async fn files(&self) -> Result<FileServiceClient<AuthedChannel>, CliError> {
        Ok(FileServiceClient::new(self.authed().await?)
            .max_decoding_message_size(MAX_RESPONSE_BYTES))
    }
}
