//! The registry of FHIR servers: registering, changing and removing them,
//! reading each one's CapabilityStatement to choose the schema its
//! documents are scraped with (unless an admin pinned one), and handing out
//! one shared client per server. The service fetches only from servers
//! registered here.
//!
//! - [`capabilities`]: reading CapabilityStatements and choosing schemas.
//! - [`connections`]: the shared client and recent reads of each server.
//! - [`preview`](mod@preview): PreviewScrape.

mod capabilities;
mod connections;
mod preview;

pub use connections::Connection;

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use chrono::Utc;
use tracing::info;

use crate::auth::Caller;
use crate::domain::account::Username;
use crate::domain::project::ProjectPattern;
use crate::fhir::RegisteredServer;
use crate::fhir::{FhirAuth, ServerConfig};
use crate::scrape::{RecentLimits, Schema};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum FhirServerError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("FHIR server {0} is not registered")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    FailedPrecondition(String),
    #[error(
        "project {project} may not use FHIR server {server}; an admin allows it \
         (UpdateFhirServer add_allowed_projects)"
    )]
    NotAllowed { server: String, project: String },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for FhirServerError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(msg) => Self::AlreadyExists(msg),
            other => Self::Store(other),
        }
    }
}

/// The document a preview scrapes.
pub enum PreviewDocument {
    /// `DocumentReference/{id}` on the server.
    Id(String),
    /// FHIR R4 JSON given by the caller.
    Json(String),
}

/// A server to register, or the new settings of one.
pub struct ServerSettings {
    pub config: ServerConfig,
    /// `name` or `name@version`; none lets the service choose.
    pub pinned_schema: Option<String>,
    /// The projects whose imports may name the server: none by default, as
    /// every read goes out with the service's credentials for it.
    pub allowed_projects: Vec<ProjectPattern>,
}

/// Project patterns as a request lists them (`owner/name`, `owner/*`,
/// `*`), each checked; `field` names them in the error.
pub fn parse_project_patterns(
    field: &str,
    patterns: &[String],
) -> Result<Vec<ProjectPattern>, FhirServerError> {
    let mut parsed: Vec<ProjectPattern> = Vec::with_capacity(patterns.len());
    for (i, pattern) in patterns.iter().enumerate() {
        let pattern = ProjectPattern::parse(pattern)
            .map_err(|e| FhirServerError::InvalidArgument(format!("{field}[{i}]: {e}")))?;
        if !parsed.contains(&pattern) {
            parsed.push(pattern);
        }
    }
    Ok(parsed)
}

/// The schemas a server's documents may be scraped with.
#[async_trait::async_trait]
pub trait SchemaSource: Send + Sync {
    /// The newest version of every schema: what choosing picks from.
    async fn latest(&self) -> Vec<Schema>;
    /// `name@version`, or `name` for its newest version.
    async fn resolve(&self, reference: &str) -> Option<Schema>;
}

/// How long reading a CapabilityStatement may take at registration.
const CAPABILITY_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct FhirServers {
    store: Store,
    schemas: Arc<dyn SchemaSource>,
    /// Each server's client, with the fingerprint of the settings it was
    /// built from.
    connections: Arc<RwLock<HashMap<String, (u64, Connection)>>>,
    recent_limits: RecentLimits,
}

/// The admin scope every registry call needs; the gate checks it too.
fn require_admin(caller: &Caller) -> Result<(), FhirServerError> {
    match caller.has_scope("admin") {
        true => Ok(()),
        false => Err(FhirServerError::PermissionDenied(
            "managing FHIR servers needs the scope `admin`".into(),
        )),
    }
}

fn check_settings(settings: &ServerSettings) -> Result<(), FhirServerError> {
    let invalid = FhirServerError::InvalidArgument;
    Username::parse(&settings.config.id).map_err(|e| invalid(format!("id: {e}")))?;
    let base = settings
        .config
        .validated_base()
        .map_err(|e| invalid(e.to_string()))?;
    let loopback = matches!(base.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    if base.scheme() != "https" && !loopback {
        return Err(invalid(
            "base_url: must use https (http only on loopback)".into(),
        ));
    }
    Ok(())
}

/// A server registered without `allow_private_addresses` must be on public
/// addresses: names that resolve only to private ones are refused now, with
/// the reason, rather than failing on every call later. (Names that do not
/// resolve at all are registered, as a server that is down is.)
async fn check_public(settings: &ServerSettings) -> Result<(), FhirServerError> {
    if settings.config.allow_private_addresses {
        return Ok(());
    }
    let urls = [
        Some(("base_url", settings.config.base_url.as_str())),
        settings
            .config
            .auth
            .token_url()
            .map(|u| ("auth.token_url", u)),
    ];
    for (field, url) in urls.into_iter().flatten() {
        let Ok(url) = url::Url::parse(url) else {
            continue;
        };
        let (Some(url::Host::Domain(host)), Some(port)) = (url.host(), url.port_or_known_default())
        else {
            continue;
        };
        if let Err(why) = crate::fhir::egress::public_addresses(host, port).await {
            if !why.starts_with("cannot resolve") {
                return Err(FhirServerError::InvalidArgument(format!("{field}: {why}")));
            }
        }
    }
    Ok(())
}

impl FhirServers {
    pub fn new(store: Store, schemas: Arc<dyn SchemaSource>, recent_limits: RecentLimits) -> Self {
        Self {
            store,
            schemas,
            connections: Arc::default(),
            recent_limits,
        }
    }

    pub async fn register(
        &self,
        caller: &Caller,
        settings: ServerSettings,
    ) -> Result<RegisteredServer, FhirServerError> {
        require_admin(caller)?;
        check_settings(&settings)?;
        check_public(&settings).await?;
        let pinned = self.check_pin(settings.pinned_schema.as_deref()).await?;
        if self.store.fhir_server(&settings.config.id).await?.is_some() {
            return Err(FhirServerError::AlreadyExists(format!(
                "a FHIR server with id {} is already registered",
                settings.config.id
            )));
        }
        let now = Utc::now();
        let mut server = RegisteredServer {
            config: settings.config,
            pinned_schema: pinned,
            schema: None,
            schema_reason: String::new(),
            fhir_version: None,
            software_name: None,
            capability_at: None,
            capability_error: None,
            created_at: now,
            updated_at: now,
            allowed_projects: settings.allowed_projects,
        };
        let client = self.read_capabilities(&mut server).await?;
        self.store.insert_fhir_server(&server).await?;
        info!(
            server = %server.id(),
            schema = ?server.schema,
            allowed_projects = ?server.allowed_projects,
            "registered a FHIR server"
        );
        self.cache(&server.config, client);
        Ok(server)
    }

    pub async fn get(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<RegisteredServer, FhirServerError> {
        require_admin(caller)?;
        self.store
            .fhir_server(id)
            .await?
            .ok_or_else(|| FhirServerError::NotFound(id.to_owned()))
    }

    pub async fn list(&self, caller: &Caller) -> Result<Vec<RegisteredServer>, FhirServerError> {
        require_admin(caller)?;
        Ok(self.store.fhir_servers().await?)
    }

    /// Applies `change` to the server's settings, then reads its
    /// CapabilityStatement again.
    /// Changes a server's settings. `credentials_given` says whether the
    /// change states the credentials itself: stored ones never follow the
    /// base URL to another origin.
    pub async fn update(
        &self,
        caller: &Caller,
        id: &str,
        credentials_given: bool,
        change: impl FnOnce(&mut ServerSettings),
    ) -> Result<RegisteredServer, FhirServerError> {
        let mut server = self.get(caller, id).await?;
        let mut settings = ServerSettings {
            config: server.config.clone(),
            pinned_schema: server.pinned_schema.clone(),
            allowed_projects: server.allowed_projects.clone(),
        };
        change(&mut settings);
        settings.config.id = id.to_owned();
        check_settings(&settings)?;
        check_public(&settings).await?;
        let moved = origin_of(&server.config.base_url) != origin_of(&settings.config.base_url);
        if moved && !credentials_given && !matches!(settings.config.auth, FhirAuth::None) {
            return Err(FhirServerError::InvalidArgument(format!(
                "base_url moves FHIR server {id} to another origin ({}), and its stored \
                 credentials are not sent there: give auth in the same call (auth none to \
                 drop them)",
                origin_of(&settings.config.base_url)
            )));
        }
        server.pinned_schema = self.check_pin(settings.pinned_schema.as_deref()).await?;
        if settings.allowed_projects != server.allowed_projects {
            info!(
                server = %id,
                before = ?server.allowed_projects,
                after = ?settings.allowed_projects,
                "changed the projects that may use a FHIR server"
            );
        }
        server.config = settings.config;
        server.allowed_projects = settings.allowed_projects;
        server.updated_at = Utc::now();
        let client = self.read_capabilities(&mut server).await?;
        if !self.store.update_fhir_server(&server).await? {
            return Err(FhirServerError::NotFound(id.to_owned()));
        }
        self.cache(&server.config, client);
        Ok(server)
    }

    pub async fn remove(&self, caller: &Caller, id: &str) -> Result<(), FhirServerError> {
        require_admin(caller)?;
        if !self.store.remove_fhir_server(id).await? {
            return Err(FhirServerError::NotFound(id.to_owned()));
        }
        self.connections
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        info!(server = %id, "removed a FHIR server");
        Ok(())
    }

    /// Registers or updates the servers named in the configuration file, as
    /// the operator.
    pub async fn load_configured(
        &self,
        configured: &[crate::config::ConfiguredFhirServer],
    ) -> Result<(), FhirServerError> {
        let operator = Caller::operator();
        for entry in configured {
            let settings = ServerSettings {
                config: entry.server.clone(),
                pinned_schema: entry.schema.clone(),
                allowed_projects: parse_project_patterns(
                    &format!("fhir_servers.{}.allowed_projects", entry.server.id),
                    &entry.allowed_projects,
                )?,
            };
            match self.store.fhir_server(&entry.server.id).await? {
                None => {
                    self.register(&operator, settings).await?;
                }
                Some(_) => {
                    // The file states the credentials beside the URL.
                    self.update(&operator, &entry.server.id, true, |current| {
                        *current = settings
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn check_pin(&self, pinned: Option<&str>) -> Result<Option<String>, FhirServerError> {
        match pinned.map(str::trim).filter(|p| !p.is_empty()) {
            None => Ok(None),
            Some(reference) => match self.schemas.resolve(reference).await {
                Some(_) => Ok(Some(reference.to_owned())),
                None => Err(FhirServerError::InvalidArgument(format!(
                    "schema: no schema {reference:?}; known: {}",
                    self.schemas
                        .latest()
                        .await
                        .iter()
                        .map(Schema::id)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            },
        }
    }
}

/// `scheme://host:port` of a URL (what credentials are bound to).
fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}
