//! The registry of FHIR servers: registering, changing and removing them,
//! reading each one's CapabilityStatement to choose the schema its
//! documents are scraped with (unless an admin pinned one), and handing out
//! one shared client per server. The service fetches only from servers
//! registered here.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use chrono::Utc;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::auth::Caller;
use crate::domain::account::Username;
use crate::fhir::{FhirClient, FhirError, ServerConfig};
use crate::scrape::{
    evaluate, pick, FhirSource, RecentLimits, RecentReads, ResourceSource, Schema, Scraped,
};
use crate::store::{Store, StoreError, StoredFhirServer};

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
    connections: Arc<RwLock<HashMap<String, Connection>>>,
    recent_limits: RecentLimits,
}

/// One registered server as scraping uses it: its shared client, and what
/// was read from it lately. Both are replaced when its settings change.
#[derive(Clone)]
pub struct Connection {
    pub client: FhirClient,
    pub recent: RecentReads,
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
    ) -> Result<StoredFhirServer, FhirServerError> {
        require_admin(caller)?;
        check_settings(&settings)?;
        let pinned = self.check_pin(settings.pinned_schema.as_deref()).await?;
        if self.store.fhir_server(&settings.config.id).await?.is_some() {
            return Err(FhirServerError::AlreadyExists(format!(
                "a FHIR server with id {} is already registered",
                settings.config.id
            )));
        }
        let now = Utc::now();
        let mut server = StoredFhirServer {
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
        };
        let client = self.read_capabilities(&mut server).await?;
        self.store.insert_fhir_server(&server).await?;
        info!(server = %server.id(), schema = ?server.schema, "registered a FHIR server");
        self.cache(server.id(), client);
        Ok(server)
    }

    pub async fn get(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<StoredFhirServer, FhirServerError> {
        require_admin(caller)?;
        self.store
            .fhir_server(id)
            .await?
            .ok_or_else(|| FhirServerError::NotFound(id.to_owned()))
    }

    pub async fn list(&self, caller: &Caller) -> Result<Vec<StoredFhirServer>, FhirServerError> {
        require_admin(caller)?;
        Ok(self.store.fhir_servers().await?)
    }

    /// Applies `change` to the server's settings, then reads its
    /// CapabilityStatement again.
    pub async fn update(
        &self,
        caller: &Caller,
        id: &str,
        change: impl FnOnce(&mut ServerSettings),
    ) -> Result<StoredFhirServer, FhirServerError> {
        let mut server = self.get(caller, id).await?;
        let mut settings = ServerSettings {
            config: server.config.clone(),
            pinned_schema: server.pinned_schema.clone(),
        };
        change(&mut settings);
        settings.config.id = id.to_owned();
        check_settings(&settings)?;
        server.pinned_schema = self.check_pin(settings.pinned_schema.as_deref()).await?;
        server.config = settings.config;
        server.updated_at = Utc::now();
        let client = self.read_capabilities(&mut server).await?;
        if !self.store.update_fhir_server(&server).await? {
            return Err(FhirServerError::NotFound(id.to_owned()));
        }
        self.cache(id, client);
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
            };
            match self.store.fhir_server(&entry.server.id).await? {
                None => {
                    self.register(&operator, settings).await?;
                }
                Some(_) => {
                    self.update(&operator, &entry.server.id, |current| *current = settings)
                        .await?;
                }
            }
        }
        Ok(())
    }

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

    /// Scrapes one document as an import from `id` would, with the
    /// server's schema or `schema_override`, without storing anything.
    pub async fn preview(
        &self,
        caller: &Caller,
        id: &str,
        document: PreviewDocument,
        schema_override: Option<&str>,
    ) -> Result<(Schema, Scraped), FhirServerError> {
        require_admin(caller)?;
        let (Connection { client, .. }, schema) = self
            .scraper_for(id)
            .await?
            .ok_or_else(|| FhirServerError::NotFound(id.to_owned()))?;
        let schema = match schema_override.filter(|s| !s.trim().is_empty()) {
            Some(reference) => self
                .schemas
                .resolve(reference.trim())
                .await
                .ok_or_else(|| {
                    FhirServerError::InvalidArgument(format!("schema: no schema {reference:?}"))
                })?,
            None => schema.ok_or_else(|| {
                FhirServerError::FailedPrecondition(format!(
                    "no schema fits FHIR server {id}; pin one or name one in the request"
                ))
            })?,
        };
        let document = match document {
            PreviewDocument::Json(json) => serde_json::from_str::<Value>(&json)
                .ok()
                .filter(|d| d["resourceType"] == "DocumentReference")
                .ok_or_else(|| {
                    FhirServerError::InvalidArgument(
                        "resource_json: not a DocumentReference in FHIR JSON".into(),
                    )
                })?,
            PreviewDocument::Id(doc_id) => client
                .read("DocumentReference", &doc_id)
                .await
                .map_err(|e| {
                    FhirServerError::FailedPrecondition(format!(
                        "reading DocumentReference/{doc_id}: {e}"
                    ))
                })?
                .ok_or_else(|| {
                    FhirServerError::NotFound(format!("{id}'s DocumentReference/{doc_id}"))
                })?,
        };
        let source: Arc<dyn ResourceSource> = Arc::new(FhirSource::new(client));
        let scraped = evaluate(&schema, &document, source).await;
        Ok((schema, scraped))
    }

    /// Reads every server's CapabilityStatement again now and then every
    /// `period`, so that schema choices follow what servers declare.
    pub fn spawn_refresh(&self, period: Duration, stopping: CancellationToken) {
        let registry = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopping.cancelled() => return,
                    _ = tokio::time::sleep(period) => {}
                }
                if let Err(err) = registry.refresh_all().await {
                    warn!(error = %err, "refreshing the FHIR servers failed");
                }
            }
        });
    }

    async fn refresh_all(&self) -> Result<(), FhirServerError> {
        for mut server in self.store.fhir_servers().await? {
            let client = self.read_capabilities(&mut server).await?;
            self.store.update_fhir_server(&server).await?;
            self.cache(server.id(), client);
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

    /// Reads the CapabilityStatement and chooses the schema. An unreachable
    /// server keeps its earlier findings, with the failure recorded.
    async fn read_capabilities(
        &self,
        server: &mut StoredFhirServer,
    ) -> Result<FhirClient, FhirServerError> {
        let client = FhirClient::new(server.config.clone())
            .map_err(|e| FhirServerError::InvalidArgument(e.to_string()))?;
        let read = tokio::time::timeout(CAPABILITY_TIMEOUT, client.capability_statement()).await;
        match read {
            Ok(Ok(capability)) => {
                server.fhir_version = text(&capability, &["fhirVersion"]);
                server.software_name = text(&capability, &["software", "name"]);
                server.capability_at = Some(Utc::now());
                server.capability_error = None;
                self.choose_schema(server, Some(&capability)).await;
            }
            Ok(Err(err)) => self.capability_failed(server, &err.to_string()).await,
            Err(_) => {
                let why = FhirError::Timeout(CAPABILITY_TIMEOUT).to_string();
                self.capability_failed(server, &why).await
            }
        }
        Ok(client)
    }

    async fn capability_failed(&self, server: &mut StoredFhirServer, why: &str) {
        warn!(server = %server.id(), error = %why, "reading the CapabilityStatement failed");
        server.capability_error = Some(why.to_owned());
        self.choose_schema(server, None).await;
    }

    async fn choose_schema(&self, server: &mut StoredFhirServer, capability: Option<&Value>) {
        if let Some(pinned) = &server.pinned_schema {
            if let Some(schema) = self.schemas.resolve(pinned).await {
                server.schema = Some(schema.id());
                server.schema_reason = format!("pinned by an admin ({pinned})");
                return;
            }
        }
        let Some(capability) = capability else {
            if server.schema.is_none() {
                server.schema_reason =
                    "the CapabilityStatement could not be read; no schema chosen yet".into();
            }
            return;
        };
        let schemas = self.schemas.latest().await;
        match pick(&schemas, capability) {
            Some((schema, reason)) => {
                server.schema = Some(schema.id());
                server.schema_reason = format!("its match rules fit: {reason}");
            }
            None => {
                server.schema = None;
                server.schema_reason = format!(
                    "no schema's match rules fit (fhirVersion {}, software {})",
                    server.fhir_version.as_deref().unwrap_or("unknown"),
                    server.software_name.as_deref().unwrap_or("unknown")
                );
            }
        }
    }

    /// Makes `client` the one for server `id`, with nothing read yet.
    fn cache(&self, id: &str, client: FhirClient) -> Connection {
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

fn text(value: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
