//! How a client command proves who it is: a token given outright
//! (`--token` / `FHIR_IMPORT_TOKEN`), a portal's own client credentials
//! (`--client-id` and `--client-secret`), or the tokens `fhir-import login`
//! stored for this server, refreshed when they have expired.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use fhir_import_client::{BoxFuture, Portal, TokenError, TokenProvider, Tokens};
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

/// Builds a login entry from what the token endpoint answered.
pub fn stored_login(client_id: &str, client_secret: Option<&str>, tokens: &Tokens) -> StoredLogin {
    let left = tokens
        .expires_at
        .saturating_duration_since(std::time::Instant::now());
    StoredLogin {
        client_id: client_id.to_owned(),
        client_secret: client_secret.map(str::to_owned),
        access_token: tokens.access_token.clone(),
        expires_at: Utc::now() + chrono::Duration::from_std(left).unwrap_or_default(),
        refresh_token: tokens.refresh_token.clone(),
        scope: tokens.scope.clone(),
    }
}

/// A refused or failed token request, said for the terminal.
fn token_error(error: TokenError) -> CliError {
    CliError::Login(error.to_string())
}

impl TokenSource {
    /// The SDK token source these credentials make for `server`, checked
    /// once now: a missing, refused or expired login fails the command
    /// before it starts.
    pub async fn sdk_source(
        &self,
        server: &str,
    ) -> Result<fhir_import_client::TokenSource, CliError> {
        use fhir_import_client::TokenSource as Sdk;
        match self {
            Self::Token(token) if token.trim().is_empty() => Err(CliError::Login(
                "the token given (--token, or the FHIR_IMPORT_TOKEN environment variable) is \
                 empty: give a token, or unset FHIR_IMPORT_TOKEN to use what `fhir-import login` \
                 stored"
                    .into(),
            )),
            Self::Token(token) => Ok(Sdk::fixed(token.trim())),
            Self::ClientCredentials {
                client_id,
                client_secret,
                scopes,
            } => {
                let portal = Portal::new(server, client_id).with_secret(client_secret);
                let source = Sdk::client_credentials(
                    portal,
                    scopes.clone(),
                    fhir_import_client::DEFAULT_REFRESH_BEFORE,
                );
                source.token().await.map_err(token_error)?;
                Ok(source)
            }
            Self::Stored(path) => match stored_token(path, server).await? {
                None => Ok(Sdk::none()),
                Some(current) => Ok(Sdk::from_provider(Stored {
                    path: path.clone(),
                    server: server.to_owned(),
                    current: tokio::sync::Mutex::new(current),
                })),
            },
        }
    }
}

/// What `login` stored, kept in memory until near its end, then read (and
/// refreshed) again, so a command that runs longer than a token lives keeps
/// working. The lock makes concurrent calls share one refresh: two would
/// send the same refresh token, and a replayed one revokes the login.
struct Stored {
    path: PathBuf,
    server: String,
    current: tokio::sync::Mutex<(String, DateTime<Utc>)>,
}

impl TokenProvider for Stored {
    fn token(&self) -> BoxFuture<'_, Result<Option<String>, TokenError>> {
        Box::pin(async move {
            let mut current = self.current.lock().await;
            if !near_expiry(current.1) {
                return Ok(Some(current.0.clone()));
            }
            match stored_token(&self.path, &self.server).await {
                Ok(Some(renewed)) => {
                    *current = renewed;
                    Ok(Some(current.0.clone()))
                }
                Ok(None) => Err(TokenError::Provider(format!(
                    "the login for {} was removed; log in again with `fhir-import login`",
                    self.server
                ))),
                Err(e) => Err(TokenError::Provider(e.to_string())),
            }
        })
    }
}

fn near_expiry(expires_at: DateTime<Utc>) -> bool {
    expires_at <= Utc::now() + chrono::Duration::seconds(EXPIRY_MARGIN_SECS)
}

/// The stored token for `server`, refreshed (and stored again) when it is
/// about to expire.
async fn stored_token(
    path: &Path,
    server: &str,
) -> Result<Option<(String, DateTime<Utc>)>, CliError> {
    let mut file = CredentialsFile::read(path)?;
    let Some(login) = file.servers.get(server).cloned() else {
        return Ok(None);
    };
    if !near_expiry(login.expires_at) {
        return Ok(Some((login.access_token, login.expires_at)));
    }
    let Some(refresh) = login.refresh_token.clone() else {
        return Err(CliError::Login(format!(
            "the stored token for {server} has expired; log in again with `fhir-import login`"
        )));
    };
    let mut portal = Portal::new(server, &login.client_id);
    portal.client_secret.clone_from(&login.client_secret);
    let tokens = fhir_import_client::refresh_tokens(&portal, &refresh)
        .await
        .map_err(|e| {
            CliError::Login(format!("{e}\nhint: log in again with `fhir-import login`"))
        })?;
    let renewed = stored_login(&login.client_id, login.client_secret.as_deref(), &tokens);
    let token = (renewed.access_token.clone(), renewed.expires_at);
    file.servers.insert(server.to_owned(), renewed);
    file.write(path)?;
    Ok(Some(token))
}
