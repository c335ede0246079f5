//! How a client command proves who it is: a token given outright
//! (`--token` / `FHIR_IMPORT_TOKEN`), a portal's own client credentials
//! (`--client-id` and `--client-secret`), or the tokens `fhir-import login`
//! stored for this server, refreshed when they have expired.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use oauth2::{
    basic::{BasicClient, BasicTokenResponse},
    AuthType, ClientId, ClientSecret, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::error::CliError;

/// Refresh a stored token this long before it expires, so that it does not
/// expire in flight.
const EXPIRY_MARGIN_SECS: i64 = 30;

/// Where a command gets its access token.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// This token, as given.
    Token(String),
    /// A portal's own token, from the client-credentials grant.
    ClientCredentials {
        client_id: String,
        client_secret: String,
        scopes: Vec<String>,
    },
    /// What `fhir-import login` stored in this file, if anything.
    Stored(PathBuf),
}

/// The default place `login` stores tokens: the user's configuration
/// directory, e.g. `~/.config/fhir-import/credentials.json`.
pub fn default_credentials_file() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("fhir-import")
        .join("credentials.json")
}

/// One server's tokens, as `login` obtained them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredLogin {
    pub client_id: String,
    /// Kept so the refresh grant can authenticate the client; the file is
    /// readable by its owner only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

/// The credentials file: server URL → its login.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CredentialsFile {
    pub servers: BTreeMap<String, StoredLogin>,
}

impl CredentialsFile {
    pub fn read(path: &Path) -> Result<Self, CliError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                CliError::Login(format!(
                    "{} is not a credentials file ({e}); remove it and log in again",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(CliError::Login(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Writes the file readable and writable by its owner only.
    pub fn write(&self, path: &Path) -> Result<(), CliError> {
        let fail =
            |e: std::io::Error| CliError::Login(format!("cannot write {}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| CliError::Login(format!("cannot encode the credentials: {e}")))?;
        let temp = path.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp).map_err(fail)?;
        std::io::Write::write_all(&mut file, &json).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        std::fs::rename(&temp, path).map_err(fail)
    }
}

/// Builds a login entry from a token response.
pub fn stored_login(
    client_id: &str,
    client_secret: Option<&str>,
    response: &BasicTokenResponse,
    previous_refresh: Option<String>,
) -> StoredLogin {
    let lifetime = response
        .expires_in()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .unwrap_or_else(|| chrono::Duration::minutes(5));
    StoredLogin {
        client_id: client_id.to_owned(),
        client_secret: client_secret.map(str::to_owned),
        access_token: response.access_token().secret().clone(),
        expires_at: Utc::now() + lifetime,
        refresh_token: response
            .refresh_token()
            .map(|t| t.secret().clone())
            .or(previous_refresh),
        scope: response
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
    }
}

/// A client that does not follow redirects: token responses never redirect,
/// and a redirect must not carry credentials elsewhere.
pub fn http_client() -> Result<reqwest::Client, CliError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| CliError::Login(format!("cannot build an HTTP client: {e}")))
}

pub fn token_url(server: &str) -> Result<TokenUrl, CliError> {
    TokenUrl::new(format!("{}/oauth/token", server.trim_end_matches('/')))
        .map_err(|e| CliError::Login(format!("the token endpoint is not a URL: {e}")))
}

fn token_error<E: std::error::Error>(err: E) -> CliError {
    // The body of an RFC 6749 error says what was wrong; show it.
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    CliError::Login(format!("the token endpoint refused: {message}"))
}

impl TokenSource {
    /// The access token to send to `server`, if there is one.
    pub async fn access_token(&self, server: &str) -> Result<Option<String>, CliError> {
        match self {
            Self::Token(token) if token.trim().is_empty() => Err(CliError::Login(
                "the token given (--token, or the FHIR_IMPORT_TOKEN environment variable) is \
                 empty: give a token, or unset FHIR_IMPORT_TOKEN to use what `fhir-import login` \
                 stored"
                    .into(),
            )),
            Self::Token(token) => Ok(Some(token.trim().to_owned())),
            Self::ClientCredentials {
                client_id,
                client_secret,
                scopes,
            } => {
                let client = BasicClient::new(ClientId::new(client_id.clone()))
                    .set_client_secret(ClientSecret::new(client_secret.clone()))
                    .set_token_uri(token_url(server)?);
                let response = client
                    .exchange_client_credentials()
                    .add_scopes(scopes.iter().cloned().map(Scope::new))
                    .request_async(&http_client()?)
                    .await
                    .map_err(token_error)?;
                Ok(Some(response.access_token().secret().clone()))
            }
            Self::Stored(path) => stored_token(path, server).await,
        }
    }
}

/// The stored token for `server`, refreshed (and stored again) when it is
/// about to expire.
async fn stored_token(path: &Path, server: &str) -> Result<Option<String>, CliError> {
    let mut file = CredentialsFile::read(path)?;
    let Some(login) = file.servers.get(server).cloned() else {
        return Ok(None);
    };
    if login.expires_at > Utc::now() + chrono::Duration::seconds(EXPIRY_MARGIN_SECS) {
        return Ok(Some(login.access_token));
    }
    let Some(refresh) = login.refresh_token.clone() else {
        return Err(CliError::Login(format!(
            "the stored token for {server} has expired; log in again with `fhir-import login`"
        )));
    };
    let mut client =
        BasicClient::new(ClientId::new(login.client_id.clone())).set_token_uri(token_url(server)?);
    if let Some(secret) = &login.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    } else {
        client = client.set_auth_type(AuthType::RequestBody);
    }
    let response = client
        .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
        .request_async(&http_client()?)
        .await
        .map_err(|e| match token_error(e) {
            CliError::Login(m) => {
                CliError::Login(format!("{m}\nhint: log in again with `fhir-import login`"))
            }
            other => other,
        })?;
    let renewed = stored_login(
        &login.client_id,
        login.client_secret.as_deref(),
        &response,
        Some(refresh),
    );
    let token = renewed.access_token.clone();
    file.servers.insert(server.to_owned(), renewed);
    file.write(path)?;
    Ok(Some(token))
}
