//! One typed configuration, layered: defaults, then a TOML file, then
//! `FHIR_IMPORT__*` environment variables, then command-line flags.

use std::{fmt, net::SocketAddr, path::Path};

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};

use crate::telemetry::redact_url;

pub const DEFAULT_CONFIG_FILE: &str = "fhir-import.toml";

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the gRPC server listens on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://PATH` (created when missing) or `postgres://…`.
    pub database_url: String,
    pub database_max_connections: u32,
    /// How long in-flight calls get to finish on shutdown before they are cut.
    pub shutdown_grace_ms: u64,
    pub auth: AuthConfig,
    pub import: ImportConfig,
    pub scrape: ScrapeConfig,
    /// `[web]`: browsers calling the API over gRPC-Web.
    pub web: crate::web::WebConfig,
    /// `[telemetry]`: where metrics are served.
    pub telemetry: TelemetryConfig,
    /// `[log]`: how log lines are written.
    pub log: LogConfig,
    /// FHIR servers registered (or updated) at every start.
    pub fhir_servers: Vec<ConfiguredFhirServer>,
}

/// A FHIR server named in the configuration file: its settings as the
/// registry keeps them, and optionally a pinned schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfiguredFhirServer {
    #[serde(flatten)]
    pub server: crate::fhir::ServerConfig,
    /// `name` or `name@version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The projects that may use the server (`owner/name`, `owner/*`, `*`);
    /// what the file lists replaces what was granted over gRPC.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_projects: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScrapeConfig {
    /// How often every FHIR server's CapabilityStatement is read again, in
    /// seconds.
    pub capability_refresh_secs: u64,
    /// Files scraped per batch (and per store transaction).
    pub batch_size: u64,
    /// What is read from each FHIR server is shared by later batches and
    /// imports for this long and up to this size (`[scrape.recent]`).
    pub recent: crate::scrape::RecentLimits,
    /// What one import read, for its later batches, so that it reads no
    /// resource twice; `max_bytes` bounds all imports together.
    pub within_import: crate::scrape::RecentLimits,
}

impl Default for ScrapeConfig {
    fn default() -> Self {
        Self {
            capability_refresh_secs: 3600,
            batch_size: 200,
            recent: crate::scrape::RecentLimits::default(),
            within_import: crate::scrape::RecentLimits {
                ttl_secs: 3600,
                max_bytes: 128 << 20,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Require an access token this server issued on every API call (the
    /// default). Off, every call acts as `local_user` with every scope: for
    /// a developer's own machine only.
    pub require_tokens: bool,
    /// The identity every call acts as when tokens are not required.
    pub local_user: String,
    /// The `iss` of the tokens this server issues; empty means
    /// `http://LISTEN_ADDRESS`.
    pub issuer: String,
    /// The `aud` of the tokens this server issues and accepts.
    pub audience: String,
    /// How long an access token lives, in seconds.
    pub token_lifetime_secs: u64,
    /// Whether people may create their own accounts at /signup; off, only
    /// operators (`fhir-import admin create-user`) and identity providers
    /// set to create users do.
    pub signup: bool,
    /// Identity providers whose users' tokens a portal may exchange for
    /// ours (RFC 8693) and, where allowed, send directly.
    pub external_issuers: Vec<ExternalIssuerConfig>,
    /// How often expired codes, refresh tokens, revoked access tokens,
    /// initial access tokens and browser sessions are removed, in seconds.
    pub purge_interval_secs: u64,
}

/// The longest an access token may live (`auth.token_lifetime_secs`).
pub const MAX_TOKEN_LIFETIME_SECS: i64 = 24 * 3600;

/// A trusted identity provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalIssuerConfig {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// Where its signing keys are published.
    pub jwks_uri: String,
    /// The `aud` its tokens must carry to be accepted here.
    #[serde(default = "default_external_audience")]
    pub audience: String,
    /// The algorithms accepted from it (RS256, ES256, EdDSA).
    #[serde(default = "default_external_algorithms")]
    pub algorithms: Vec<String>,
    /// Accept its tokens directly on gRPC, not only through token exchange.
    #[serde(default)]
    pub accept_on_grpc: bool,
    /// The most a token of its used directly on gRPC may do: the token's
    /// own `scope` claim narrowed to these.
    #[serde(default)]
    pub grpc_scopes: Vec<String>,
    /// The most a token exchanged for one of its tokens may do: the issued
    /// scopes are the portal's, narrowed to the subject token's own `scope`
    /// claim and to these. By default what a portal may register for
    /// itself (not `clients` nor `admin`).
    #[serde(default = "default_exchange_scopes")]
    pub exchange_scopes: Vec<String>,
    /// The portals (its tokens' `azp` or `client_id`) whose tokens may be
    /// exchanged; empty accepts any client it issued to.
    #[serde(default)]
    pub allowed_azp: Vec<String>,
    /// Create a platform user for a subject seen for the first time, named
    /// by `username_claim`; otherwise an operator links subjects to users
    /// (`fhir-import admin link-identity`).
    #[serde(default)]
    pub create_users: bool,
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// How often its JWKS is fetched again, in seconds; a token with an
    /// unknown `kid` also triggers one fetch.
    #[serde(default = "default_jwks_refresh_secs")]
    pub jwks_refresh_secs: u64,
    /// An unknown `kid` fetches the JWKS again at most this often, so that
    /// made-up key ids cannot make this server hammer the provider.
    #[serde(default = "default_jwks_refetch_cooldown_secs")]
    pub jwks_refetch_cooldown_secs: u64,
}

fn default_jwks_refetch_cooldown_secs() -> u64 {
    10
}

fn default_exchange_scopes() -> Vec<String> {
    crate::domain::account::PORTAL_SCOPES
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

fn default_external_audience() -> String {
    "fhir-import".to_owned()
}

fn default_external_algorithms() -> Vec<String> {
    vec!["RS256".into(), "ES256".into(), "EdDSA".into()]
}

fn default_username_claim() -> String {
    "preferred_username".to_owned()
}

fn default_jwks_refresh_secs() -> u64 {
    300
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportConfig {
    /// Largest resource_json accepted, in bytes.
    pub max_document_bytes: usize,
    /// Largest gRPC message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Documents stored per intake transaction.
    pub batch_size: usize,
    /// How long a batch waits to fill after its first document: then it
    /// is stored as it is, so a slow or steady stream is durable, and seen
    /// by watchers, at least this often.
    pub batch_linger_ms: u64,
    /// An unfinished import with no change for this long gets an event
    /// saying what it waits for (and again after each such period).
    pub stall_after_secs: u64,
    /// The URL schemes an attachment may have: what the platform fetches.
    pub attachment_url_schemes: Vec<String>,
    /// A batch is written once its documents reach this many bytes: what a
    /// stream holds in memory stays near twice this.
    pub batch_bytes: usize,
    /// ImportDocuments streams one user, and one client (portal), may hold
    /// open at once on a replica; 0 is no cap.
    pub max_streams_per_user: usize,
    pub max_streams_per_client: usize,
    /// WatchImport streams one user, and one client, may hold open at once
    /// on a replica; 0 is no cap.
    pub max_watchers_per_user: usize,
    pub max_watchers_per_client: usize,
    /// Events of an import finished longer ago than this are removed (its
    /// items, files and counts stay; WatchImport then sends the snapshot
    /// alone); 0 keeps them for ever.
    pub event_retention_hours: u64,
    /// How long a replica's hold on an import (its lease) lasts without
    /// renewal; it renews three times per lease. Another replica takes an
    /// import over this long after its owner died.
    pub lease_ms: u64,
}

impl ImportConfig {
    /// What a document must be beyond FHIR R4.
    pub fn document_policy(&self) -> crate::domain::document::DocumentPolicy {
        crate::domain::document::DocumentPolicy {
            max_bytes: self.max_document_bytes,
            url_schemes: self.attachment_url_schemes.iter().cloned().collect(),
        }
    }
}

/// `[log]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` (lines for people) or `json` (one object per line).
    pub format: crate::telemetry::LogFormat,
}

/// `[telemetry]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// Serve `/metrics` here, without a token, instead of on the API's
    /// port behind the admin scope (e.g. `127.0.0.1:9464`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_listen: Option<SocketAddr>,
    /// Send tracing spans over OTLP/gRPC to this collector (e.g.
    /// `http://127.0.0.1:4317`); unset, no span leaves the process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp_endpoint: Option<String>,
    /// The `service.name` exported spans carry.
    pub service_name: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            metrics_listen: None,
            otlp_endpoint: None,
            service_name: "fhir-import".to_owned(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            database_url: "sqlite://fhir-import.db".to_owned(),
            database_max_connections: 10,
            shutdown_grace_ms: 20_000,
            auth: AuthConfig::default(),
            import: ImportConfig::default(),
            scrape: ScrapeConfig::default(),
            web: crate::web::WebConfig::default(),
            telemetry: TelemetryConfig::default(),
            log: LogConfig::default(),
            fhir_servers: Vec::new(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            require_tokens: true,
            local_user: "local".to_owned(),
            issuer: String::new(),
            audience: "fhir-import".to_owned(),
            token_lifetime_secs: 15 * 60,
            signup: true,
            external_issuers: Vec::new(),
            purge_interval_secs: 3600,
        }
    }
}

impl AuthConfig {
    /// The `iss` of issued tokens: `issuer`, or the address the server
    /// listens on when that is empty.
    pub fn issuer_url(&self, listening_on: SocketAddr) -> String {
        match self.issuer.as_str() {
            "" => format!("http://{listening_on}"),
            configured => configured.to_owned(),
        }
    }
}

impl Default for ImportConfig {
    fn default() -> Self {
        Self {
            max_document_bytes: crate::domain::document::DEFAULT_MAX_DOCUMENT_BYTES,
            max_message_bytes: 4 * 1024 * 1024,
            batch_size: 1000,
            batch_linger_ms: 100,
            stall_after_secs: 60,
            attachment_url_schemes: crate::domain::document::DEFAULT_URL_SCHEMES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            batch_bytes: 8 << 20,
            max_streams_per_user: 8,
            max_streams_per_client: 32,
            max_watchers_per_user: 32,
            max_watchers_per_client: 128,
            event_retention_hours: 720,
            lease_ms: 15_000,
        }
    }
}

/// Settings given on the command line; they override everything else.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthOverrides>,
}

/// `[auth]` settings given on the command line.
#[derive(Debug, Default, Serialize)]
pub struct AuthOverrides {
    /// The `iss` of issued tokens.
    pub issuer: String,
}

impl Overrides {
    /// `issuer`, when given, as the `[auth] issuer` override.
    pub fn with_issuer(mut self, issuer: Option<String>) -> Self {
        self.auth = issuer.map(|issuer| AuthOverrides { issuer });
        self
    }
}

impl Config {
    /// Loads the layers. An explicit `file` must exist; the default file is
    /// read only when present.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Self, String> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(format!("config file {} does not exist", path.display()))
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        let config: Config = figment
            .merge(Env::prefixed("FHIR_IMPORT__").split("__"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        self.web.validate()?;
        if let Some(endpoint) = &self.telemetry.otlp_endpoint {
            let url = url::Url::parse(endpoint)
                .map_err(|e| format!("telemetry.otlp_endpoint: {endpoint:?}: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!(
                    "telemetry.otlp_endpoint: {endpoint:?} is not an http(s) URL of an OTLP/gRPC collector"
                ));
            }
        }
        if !self.auth.require_tokens && !self.listen.ip().is_loopback() {
            return Err(format!(
                "auth.require_tokens = false serves every caller as {:?}: only on a loopback \
                 listen address (127.0.0.1, ::1), not {}",
                self.auth.local_user, self.listen
            ));
        }
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres"))
        {
            return Err(format!(
                "database_url: expected sqlite://… or postgres://…, got {}",
                redact_url(&self.database_url)
            ));
        }
        if self.scrape.batch_size == 0 || self.scrape.batch_size > 5_000 {
            return Err("scrape.batch_size: between 1 and 5000".into());
        }
        if self.import.stall_after_secs == 0 || self.import.stall_after_secs > 86_400 {
            return Err("import.stall_after_secs: between 1 and 86400".into());
        }
        let is_scheme = |s: &str| {
            s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && s.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.')
                })
        };
        if self.import.attachment_url_schemes.is_empty()
            || !self
                .import
                .attachment_url_schemes
                .iter()
                .all(|s| is_scheme(s))
        {
            return Err(
                "import.attachment_url_schemes: one or more lower-case URL schemes such as \"https\""
                    .into(),
            );
        }
        if self.import.batch_bytes < 64 << 10 {
            return Err("import.batch_bytes: at least 65536".into());
        }
        if self.import.batch_size == 0 || self.import.batch_size > 10_000 {
            return Err("import.batch_size: between 1 and 10000".into());
        }
        let storable = migration::stored_document::MAX_DOCUMENT_BYTES;
        if self.import.max_document_bytes as u64 > storable {
            return Err(format!(
                "import.max_document_bytes: at most {storable} (64 MiB), the largest document the store reads back"
            ));
        }
        if self.import.max_document_bytes > self.import.max_message_bytes {
            return Err(
                "import.max_document_bytes: must not exceed import.max_message_bytes".into(),
            );
        }
        if self.auth.purge_interval_secs == 0 {
            return Err("auth.purge_interval_secs: at least 1".into());
        }
        if !(60..=MAX_TOKEN_LIFETIME_SECS as u64).contains(&self.auth.token_lifetime_secs) {
            return Err("auth.token_lifetime_secs: between 60 and 86400".into());
        }
        if self.auth.local_user.is_empty() || self.auth.local_user.contains('/') {
            return Err("auth.local_user: a user name without '/'".into());
        }
        for (i, external) in self.auth.external_issuers.iter().enumerate() {
            external
                .validate()
                .map_err(|why| format!("auth.external_issuers[{i}]: {why}"))?;
        }
        Ok(())
    }
}

impl ExternalIssuerConfig {
    fn validate(&self) -> Result<(), String> {
        if self.issuer.trim().is_empty() {
            return Err("issuer: required".into());
        }
        crate::domain::account::parse_scopes(self.exchange_scopes.iter().map(String::as_str))
            .map_err(|e| format!("exchange_scopes: {e}"))?;
        let jwks =
            url::Url::parse(&self.jwks_uri).map_err(|e| format!("jwks_uri: not a URL ({e})"))?;
        let loopback = matches!(jwks.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        if jwks.scheme() != "https" && !(jwks.scheme() == "http" && loopback) {
            return Err("jwks_uri: must use https (http only on loopback)".into());
        }
        if self.algorithms.is_empty() {
            return Err("algorithms: at least one".into());
        }
        if let Some(bad) = self
            .algorithms
            .iter()
            .find(|a| !["RS256", "ES256", "EdDSA"].contains(&a.as_str()))
        {
            return Err(format!("algorithms: {bad:?} is not RS256, ES256 or EdDSA"));
        }
        crate::domain::account::parse_scopes(self.grpc_scopes.iter().map(String::as_str))
            .map_err(|e| format!("grpc_scopes: {e}"))?;
        if !(10..=86_400).contains(&self.jwks_refresh_secs) {
            return Err("jwks_refresh_secs: between 10 and 86400".into());
        }
        if !(1..=3_600).contains(&self.jwks_refetch_cooldown_secs) {
            return Err("jwks_refetch_cooldown_secs: between 1 and 3600".into());
        }
        Ok(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("shutdown_grace_ms", &self.shutdown_grace_ms)
            .field("auth", &self.auth)
            .field("import", &self.import)
            .field("scrape", &self.scrape)
            .field("fhir_servers", &self.fhir_servers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's "every key with its default" block, as JSON.
    fn readme_block() -> serde_json::Value {
        let readme = include_str!("../README.md");
        let start = readme
            .find("```toml\nlisten")
            .expect("the README's configuration block");
        let block = &readme[start + "```toml\n".len()..];
        let block = &block[..block.find("```").expect("the block ends")];
        Figment::from(Toml::string(block))
            .extract()
            .expect("the README's block parses")
    }

    #[test]
    fn the_readme_lists_every_key_with_its_default() {
        let mut defaults = serde_json::to_value(Config::default()).expect("json");
        // Lists that are empty by default are described in comments.
        defaults
            .as_object_mut()
            .expect("an object")
            .remove("fhir_servers");
        defaults["auth"]
            .as_object_mut()
            .expect("an object")
            .remove("external_issuers");
        assert_eq!(readme_block(), defaults);
    }

    #[test]
    fn documents_are_no_larger_than_the_store_reads_back() {
        let mut config = Config::default();
        config.import.max_message_bytes = 256 << 20;
        config.import.max_document_bytes = 64 << 20;
        assert!(config.validate().is_ok());
        config.import.max_document_bytes = (64 << 20) + 1;
        let refused = config.validate().expect_err("too large");
        assert!(refused.contains("import.max_document_bytes"), "{refused}");
    }

    #[test]
    fn no_tokens_only_on_a_loopback_address() {
        let open = |listen: &str| Config {
            listen: listen.parse().expect("address"),
            auth: AuthConfig {
                require_tokens: false,
                ..AuthConfig::default()
            },
            ..Config::default()
        };
        assert!(open("127.0.0.1:50051").validate().is_ok());
        assert!(open("[::1]:50051").validate().is_ok());
        for exposed in ["0.0.0.0:50051", "192.168.1.5:50051", "[::]:50051"] {
            let refused = open(exposed).validate().expect_err(exposed);
            assert!(refused.contains("auth.require_tokens"), "{refused}");
        }
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let config = Config {
            database_url: "postgres://app:s3cret@db/fhir".into(),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail error type
    fn layers_apply_in_order_and_bad_keys_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "custom.toml",
                "listen = \"127.0.0.1:7000\"\n[import]\nbatch_size = 42",
            )?;
            jail.set_env("FHIR_IMPORT__IMPORT__BATCH_SIZE", "43");
            let config = Config::load(
                Some(Path::new("custom.toml")),
                Overrides {
                    listen: Some("127.0.0.1:7001".parse().expect("addr")),
                    database_url: None,
                    auth: None,
                }
                .with_issuer(Some("https://import.example.org".into())),
            )
            .expect("loads");
            assert_eq!(config.listen.port(), 7001);
            assert_eq!(config.auth.issuer, "https://import.example.org");
            assert_eq!(
                config.auth.audience, "fhir-import",
                "the rest of [auth] stays"
            );
            assert_eq!(config.import.batch_size, 43);

            jail.create_file("bad.toml", "databse_url = \"x\"")?;
            let err = Config::load(Some(Path::new("bad.toml")), Overrides::default())
                .expect_err("unknown key");
            assert!(err.contains("databse_url"), "{err}");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail error type
    fn fhir_servers_come_from_the_file_with_their_settings() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "servers.toml",
                r#"
[[fhir_servers]]
id = "kf"
base_url = "https://kf-api-fhir-service.kidsfirstdrc.org"
schema = "ncpi-kids-first"
limits = { max_concurrency = 4 }
auth = { type = "client_credentials", token_url = "https://idp.example.org/token", client_id = "fhir-import", client_secret = "s3cret" }
"#,
            )?;
            let config =
                Config::load(Some(Path::new("servers.toml")), Overrides::default()).expect("loads");
            let kf = &config.fhir_servers[0];
            assert_eq!(kf.server.id, "kf");
            assert_eq!(kf.schema.as_deref(), Some("ncpi-kids-first"));
            assert_eq!(kf.server.limits.max_concurrency, 4);
            assert_eq!(
                kf.server.limits.timeout_ms, 10_000,
                "other limits keep defaults"
            );
            assert!(!format!("{config:?}").contains("s3cret"));
            Ok(())
        });
    }
}
