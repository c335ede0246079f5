//! The server a client command talks to (`--server` / `FHIR_IMPORT_SERVER`),
//! reached through the Rust SDK (`fhir-import-client`): its channel sends
//! the command's access token and the advance-access header on every call
//! and retries reads after UNAVAILABLE.

use std::sync::Arc;

use fhir_import_client::{
    pb::{
        file_service_client::FileServiceClient, import_service_client::ImportServiceClient,
        project_service_client::ProjectServiceClient,
    },
    Client, PlatformChannel,
};
use tokio::sync::OnceCell;

use super::credentials::TokenSource;
use super::error::CliError;

/// Where the fhir-import server is, as the user gave it, and how the
/// command authenticates to it.
#[derive(Debug, Clone)]
pub struct Server {
    url: String,
    credentials: Option<TokenSource>,
    /// The connection, made once per command.
    client: Arc<OnceCell<Client>>,
}

impl Server {
    /// `url` is `http://host:port` or `https://…`; a bare `host:port` means
    /// `http://host:port`. Calls carry no token.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: fhir_import_client::normalize_url(&url.into()),
            credentials: None,
            client: Arc::default(),
        }
    }

    /// Calls carry the token `credentials` yields.
    pub fn with_credentials(mut self, credentials: TokenSource) -> Self {
        self.credentials = Some(credentials);
        self
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SDK client: connected, and its token source checked, before any
    /// work starts, so that an unreachable server or a refused login is
    /// reported first rather than in the middle of it.
    pub async fn client(&self) -> Result<&Client, CliError> {
        self.client
            .get_or_try_init(|| async {
                let tokens = match &self.credentials {
                    Some(source) => source.sdk_source(&self.url).await?,
                    None => fhir_import_client::TokenSource::none(),
                };
                Ok(Client::builder(&self.url).token(tokens).connect().await?)
            })
            .await
    }

    pub async fn projects(&self) -> Result<ProjectServiceClient<PlatformChannel>, CliError> {
        Ok(self.client().await?.projects())
    }

    pub async fn imports(&self) -> Result<ImportServiceClient<PlatformChannel>, CliError> {
        Ok(self.client().await?.imports())
    }

    pub async fn files(&self) -> Result<FileServiceClient<PlatformChannel>, CliError> {
        Ok(self.client().await?.files())
    }
}
