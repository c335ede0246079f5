//! The options every client command shares: which server, which
//! credentials, and how to print. Flattened into each client command, so
//! `serve`, `admin` and `dataset` do not show them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::credentials::{default_credentials_file, TokenSource};
use super::Server;

/// The default for `--server`.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// `--server`: where a client command connects.
#[derive(Args, Debug, Clone)]
pub struct ServerArg {
    /// The fhir-import server to talk to.
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_SERVER",
        default_value = DEFAULT_SERVER,
        value_name = "URL",
        help_heading = "Connection"
    )]
    pub server: String,
}

/// `--credentials-file`: where `login` keeps tokens.
#[derive(Args, Debug, Clone)]
pub struct CredentialsFileArg {
    /// Where `login` stores tokens [default: the user's configuration
    /// directory, fhir-import/credentials.json].
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_CREDENTIALS",
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub credentials_file: Option<PathBuf>,
}

impl CredentialsFileArg {
    pub fn path(&self) -> PathBuf {
        self.credentials_file
            .clone()
            .unwrap_or_else(default_credentials_file)
    }
}

/// How a client command reaches the server and authenticates. Without
/// --token or a client id and secret, it uses what `login` stored.
#[derive(Args, Debug, Clone)]
pub struct ClientArgs {
    #[command(flatten)]
    pub server: ServerArg,
    /// An access token to send as `authorization: Bearer …`.
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_TOKEN",
        hide_env_values = true,
        value_name = "JWT",
        help_heading = "Connection"
    )]
    pub token: Option<String>,
    /// A portal's client id: with --client-secret, the command uses the
    /// portal's own client-credentials token (it acts for no user).
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_CLIENT_ID",
        value_name = "ID",
        help_heading = "Connection"
    )]
    pub client_id: Option<String>,
    /// The portal's client secret.
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_CLIENT_SECRET",
        hide_env_values = true,
        // Secrets are URL-safe base64: one in 64 begins with '-'.
        allow_hyphen_values = true,
        value_name = "SECRET",
        help_heading = "Connection"
    )]
    pub client_secret: Option<String>,
    #[command(flatten)]
    pub credentials: CredentialsFileArg,
    /// How to print results: text for people, or json for scripts (the
    /// proto3 JSON mapping, as grpcurl prints it; one object per line).
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        default_value_t = Output::Text,
        value_name = "FORMAT"
    )]
    pub output: Output,
}

/// `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Lines and `key: value` blocks for people.
    Text,
    /// One JSON object per line.
    Json,
}

impl ClientArgs {
    /// The server, with the token source these options choose.
    pub fn server(&self) -> Server {
        Server::new(self.server.server.clone()).with_credentials(self.token_source())
    }

    pub fn json(&self) -> bool {
        self.output == Output::Json
    }

    fn token_source(&self) -> TokenSource {
        if let Some(token) = &self.token {
            return TokenSource::Token(token.clone());
        }
        if let (Some(client_id), Some(client_secret)) = (&self.client_id, &self.client_secret) {
            return TokenSource::ClientCredentials {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                scopes: Vec::new(),
            };
        }
        TokenSource::Stored(self.credentials.path())
    }
}
