//! `Client`: one connection to the service and a typed client per service
//! over it.

use std::time::Duration;

use tonic::transport::Endpoint;

use crate::channel::{PlatformChannel, RetryPolicy};
use crate::credentials::TokenSource;
use crate::error::{root_cause, Error};
use crate::proto::v1::{
    fhir_server_service_client::FhirServerServiceClient, file_service_client::FileServiceClient,
    import_service_client::ImportServiceClient, project_service_client::ProjectServiceClient,
    schema_service_client::SchemaServiceClient,
};

/// Largest response accepted: a page of files with much metadata can be
/// larger than tonic's 4 MiB default.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The fhir-import service, connected: cheap to clone, one HTTP/2
/// connection shared by every clone.
#[derive(Clone, Debug)]
pub struct Client {
    url: String,
    channel: PlatformChannel,
}

/// How to connect: `Client::builder(url).token(…).connect().await`.
#[derive(Debug)]
pub struct ClientBuilder {
    url: String,
    token: TokenSource,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

/// `http://host:port` or `https://…`; a bare `host:port` means http.
pub fn normalize_url(url: &str) -> String {
    let url = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    url.trim_end_matches('/').to_owned()
}

impl ClientBuilder {
    /// Where each call's token comes from (a `&str` or `String` is a fixed
    /// token); none by default.
    pub fn token(mut self, token: impl Into<TokenSource>) -> Self {
        self.token = token.into();
        self
    }

    /// How long connecting may take before the server counts as
    /// unreachable (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How reads are retried after UNAVAILABLE (3 times from 100 ms by
    /// default).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Connects now, so an unreachable server is reported before any work
    /// starts. The connection is made again by itself after it drops.
    pub async fn connect(self) -> Result<Client, Error> {
        let endpoint = Endpoint::from_shared(self.url.clone()).map_err(|e| Error::InvalidUrl {
            url: self.url.clone(),
            reason: root_cause(&e),
        })?;
        let channel = endpoint
            .connect_timeout(self.connect_timeout)
            .connect()
            .await
            .map_err(|e| Error::Unreachable {
                url: self.url.clone(),
                reason: root_cause(&e),
            })?;
        Ok(Client {
            channel: PlatformChannel::new(channel, self.token, self.retry),
            url: self.url,
        })
    }
}

impl Client {
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder {
            url: normalize_url(url),
            token: TokenSource::none(),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }

    /// Connects to `url` with `token` (a fixed token, or any TokenSource).
    pub async fn connect(url: &str, token: impl Into<TokenSource>) -> Result<Self, Error> {
        Self::builder(url).token(token).connect().await
    }

    /// The server's URL, normalized.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The channel with the platform's headers and read retries, for
    /// clients of the caller's own.
    pub fn channel(&self) -> PlatformChannel {
        self.channel.clone()
    }

    pub fn imports(&self) -> ImportServiceClient<PlatformChannel> {
        ImportServiceClient::new(self.channel()).max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    pub fn projects(&self) -> ProjectServiceClient<PlatformChannel> {
        ProjectServiceClient::new(self.channel()).max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    pub fn files(&self) -> FileServiceClient<PlatformChannel> {
        FileServiceClient::new(self.channel()).max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    /// Platform administration (the `admin` scope).
    pub fn fhir_servers(&self) -> FhirServerServiceClient<PlatformChannel> {
        FhirServerServiceClient::new(self.channel()).max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    /// Platform administration (the `admin` scope).
    pub fn schemas(&self) -> SchemaServiceClient<PlatformChannel> {
        SchemaServiceClient::new(self.channel()).max_decoding_message_size(MAX_RESPONSE_BYTES)
    }
}
