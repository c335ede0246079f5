//! The schema catalog: every metadata schema the service can scrape with.
//! The shipped schemas are always there, read-only; administrators add
//! versions at run time. A version never changes once it exists, and a new
//! one must be above every existing version of its name, shipped ones
//! included. Schemas are parsed once per process and shared from then on.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::scrape::{builtin_schema_sources, Schema};
use crate::store::{NewSchema, SchemaInsert, Store, StoreError, StoredSchema};

/// The largest schema document accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SchemaCatalogError {
    /// The document does not load; the message starts with the path of the
    /// offending value (`keys.case_id.expression: …`).
    #[error("{0}")]
    InvalidArgument(String),
    #[error("schema {0} not found")]
    NotFound(String),
    /// This exact version exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// The version is below the latest one.
    #[error("{0}")]
    FailedPrecondition(String),
    /// A stored version that no longer loads (the rules grew stricter).
    #[error("schema {id} is stored but no longer loads: {reason}")]
    Unloadable { id: String, reason: String },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SchemaCatalogError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(msg) => Self::AlreadyExists(msg),
            other => Self::Store(other),
        }
    }
}

/// One version of a schema, parsed, with where it came from.
#[derive(Debug, Clone)]
pub struct SchemaInfo {
    pub schema: Arc<Schema>,
    /// The document as it was given (YAML or JSON).
    pub source: Arc<str>,
    /// Shipped with the service (and read-only).
    pub builtin: bool,
    /// Who put it; empty for a shipped schema.
    pub created_by: String,
    /// When it was put; none for a shipped schema.
    pub created_at: Option<DateTime<Utc>>,
}

impl SchemaInfo {
    /// `name@version`, as files record it.
    pub fn id(&self) -> String {
        self.schema.id()
    }
}

/// Parsed stored versions by (name, version).
type ParsedCache = HashMap<(String, u32), Arc<Schema>>;

#[derive(Clone)]
pub struct Schemas {
    store: Store,
    /// The shipped schemas by name, versions ascending.
    builtins: Arc<BTreeMap<String, Vec<SchemaInfo>>>,
    /// Stored versions parsed so far; versions never change, so an entry
    /// never goes stale.
    parsed: Arc<RwLock<ParsedCache>>,
}

impl Schemas {
    pub fn new(store: Store) -> Self {
        let mut builtins: BTreeMap<String, Vec<SchemaInfo>> = BTreeMap::new();
        for (schema, source) in builtin_schema_sources() {
            builtins
                .entry(schema.name.clone())
                .or_default()
                .push(SchemaInfo {
                    schema: Arc::new(schema),
                    source: Arc::from(source),
                    builtin: true,
                    created_by: String::new(),
                    created_at: None,
                });
        }
        for versions in builtins.values_mut() {
            versions.sort_by_key(|info| info.schema.version);
        }
        Self {
            store,
            builtins: Arc::new(builtins),
            parsed: Arc::default(),
        }
    }

    /// Adds a version of a schema from its document (YAML or JSON).
    pub async fn put(
        &self,
        caller: &Caller,
        source: &str,
    ) -> Result<SchemaInfo, SchemaCatalogError> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(SchemaCatalogError::InvalidArgument(format!(
                "source: {} bytes, at most {MAX_SOURCE_BYTES} are accepted",
                source.len()
            )));
        }
        let schema = Schema::from_yaml(source)
            .map_err(|e| SchemaCatalogError::InvalidArgument(e.to_string()))?;
        let builtin_latest = self.builtin_latest(&schema.name);
        let new = NewSchema {
            name: schema.name.clone(),
            version: schema.version,
            source: source.to_owned(),
            created_by: created_by(caller),
        };
        let stored = match self.store.insert_schema(new, builtin_latest).await? {
            SchemaInsert::Inserted(stored) => stored,
            SchemaInsert::NotNewer { latest, stored } => {
                let taken = stored || self.builtin(&schema.name, schema.version).is_some();
                return Err(not_newer(&schema, latest, taken));
            }
        };
        let schema = Arc::new(schema);
        self.write_cache()
            .insert((schema.name.clone(), schema.version), schema.clone());
        Ok(info(schema, stored))
    }

    /// One version of a schema; its latest when `version` is `None`.
    pub async fn get(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> Result<SchemaInfo, SchemaCatalogError> {
        let not_found = || match version {
            Some(v) => SchemaCatalogError::NotFound(format!("{name}@{v}")),
            None => SchemaCatalogError::NotFound(name.to_owned()),
        };
        let stored = match version {
            Some(v) => self.store.get_schema(name, v).await?,
            None => self.store.latest_schema(name).await?,
        };
        let builtin = match version {
            Some(v) => self.builtin(name, v),
            None => self.builtins.get(name).and_then(|v| v.last()),
        };
        match (stored, builtin) {
            // A stored version shadows a shipped one of the same number.
            (Some(stored), Some(builtin)) if builtin.schema.version > stored.version => {
                Ok(builtin.clone())
            }
            (Some(stored), _) => self.load(stored),
            (None, Some(builtin)) => Ok(builtin.clone()),
            (None, None) => Err(not_found()),
        }
    }

    /// The latest version of every schema, by name. A stored version that
    /// no longer loads is left out (and logged).
    pub async fn list(&self) -> Result<Vec<SchemaInfo>, SchemaCatalogError> {
        let mut latest: BTreeMap<String, SchemaInfo> = self
            .builtins
            .iter()
            .filter_map(|(name, versions)| Some((name.clone(), versions.last()?.clone())))
            .collect();
        for stored in self.store.list_latest_schemas().await? {
            let shadowed = latest
                .get(&stored.name)
                .is_some_and(|b| b.schema.version > stored.version);
            if !shadowed {
                if let Some(info) = self.load_or_log(stored) {
                    latest.insert(info.schema.name.clone(), info);
                }
            }
        }
        Ok(latest.into_values().collect())
    }

    /// Every version of one schema, newest first.
    pub async fn versions(&self, name: &str) -> Result<Vec<SchemaInfo>, SchemaCatalogError> {
        let mut versions: BTreeMap<u32, SchemaInfo> = self
            .builtins
            .get(name)
            .into_iter()
            .flatten()
            .map(|b| (b.schema.version, b.clone()))
            .collect();
        for stored in self.store.list_schema_versions(name).await? {
            if let Some(info) = self.load_or_log(stored) {
                versions.insert(info.schema.version, info);
            }
        }
        if versions.is_empty() {
            return Err(SchemaCatalogError::NotFound(name.to_owned()));
        }
        Ok(versions.into_values().rev().collect())
    }

    /// What schema selection ([`crate::scrape::pick`]) chooses from: the
    /// latest version of every schema.
    pub async fn all_latest(&self) -> Result<Vec<Schema>, SchemaCatalogError> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .map(|info| Schema::clone(&info.schema))
            .collect())
    }

    /// The schema `name@version` names, or the latest of `name`; `None`
    /// when there is no such schema (or the reference is malformed).
    pub async fn resolve(
        &self,
        reference: &str,
    ) -> Result<Option<Arc<Schema>>, SchemaCatalogError> {
        let (name, version) = match reference.split_once('@') {
            Some((name, version)) => match version.parse::<u32>() {
                Ok(version) => (name, Some(version)),
                Err(_) => return Ok(None),
            },
            None => (reference, None),
        };
        match self.get(name, version).await {
            Ok(info) => Ok(Some(info.schema)),
            Err(SchemaCatalogError::NotFound(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn builtin(&self, name: &str, version: u32) -> Option<&SchemaInfo> {
        self.builtins
            .get(name)?
            .iter()
            .find(|b| b.schema.version == version)
    }

    fn builtin_latest(&self, name: &str) -> u32 {
        self.builtins
            .get(name)
            .and_then(|v| v.last())
            .map_or(0, |b| b.schema.version)
    }

    /// A stored version, parsed at most once per process.
    fn load(&self, stored: StoredSchema) -> Result<SchemaInfo, SchemaCatalogError> {
        let key = (stored.name.clone(), stored.version);
        let cached = self
            .parsed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let schema = match cached {
            Some(schema) => schema,
            None => {
                let id = format!("{}@{}", stored.name, stored.version);
                let schema = Schema::from_yaml(&stored.source).map_err(|e| {
                    SchemaCatalogError::Unloadable {
                        id: id.clone(),
                        reason: e.to_string(),
                    }
                })?;
                if schema.id() != id {
                    return Err(SchemaCatalogError::Unloadable {
                        reason: format!("its document says {}", schema.id()),
                        id,
                    });
                }
                let schema = Arc::new(schema);
                self.write_cache().insert(key, schema.clone());
                schema
            }
        };
        Ok(info(schema, stored))
    }

    fn load_or_log(&self, stored: StoredSchema) -> Option<SchemaInfo> {
        match self.load(stored) {
            Ok(info) => Some(info),
            Err(error) => {
                tracing::error!(%error, "stored schema left out");
                None
            }
        }
    }

    fn write_cache(&self) -> std::sync::RwLockWriteGuard<'_, ParsedCache> {
        self.parsed.write().unwrap_or_else(PoisonError::into_inner)
    }
}

fn info(schema: Arc<Schema>, stored: StoredSchema) -> SchemaInfo {
    SchemaInfo {
        schema,
        source: Arc::from(stored.source),
        builtin: false,
        created_by: stored.created_by,
        created_at: Some(stored.created_at),
    }
}

/// The user a put acts for; a portal's own token is recorded by client.
fn created_by(caller: &Caller) -> String {
    match (&caller.user, &caller.client_id) {
        (Some(user), _) => user.clone(),
        (None, Some(client)) => format!("client:{client}"),
        (None, None) => String::new(),
    }
}

/// Why `schema` cannot be added when `latest` is its name's highest version
/// (`taken`: this exact version exists).
fn not_newer(schema: &Schema, latest: u32, taken: bool) -> SchemaCatalogError {
    let next = u64::from(latest) + 1;
    let (name, version) = (&schema.name, schema.version);
    if taken {
        SchemaCatalogError::AlreadyExists(format!(
            "schema {name}@{version} exists already and versions never change; \
             the latest is {name}@{latest}: put version {next} or higher"
        ))
    } else {
        SchemaCatalogError::FailedPrecondition(format!(
            "version {version} of schema {name} is not above its latest, {name}@{latest}: \
             put version {next} or higher"
        ))
    }
}

#[cfg(test)]
#[path = "schemas_tests.rs"]
mod tests;

/// Schema choice for FHIR servers picks from the whole catalog: built-in
/// and admin-added versions alike. A store failure falls back to the
/// built-in schemas rather than leaving servers without one.
#[async_trait::async_trait]
impl crate::services::fhir_servers::SchemaSource for Schemas {
    async fn latest(&self) -> Vec<Schema> {
        match self.all_latest().await {
            Ok(schemas) => schemas,
            Err(err) => {
                tracing::warn!(error = %err, "listing schemas failed; using the built-in ones");
                crate::scrape::builtin_schemas()
            }
        }
    }

    async fn resolve(&self, reference: &str) -> Option<Schema> {
        match Schemas::resolve(self, reference).await {
            Ok(found) => found.map(|schema| Schema::clone(&schema)),
            Err(err) => {
                tracing::warn!(error = %err, reference, "resolving a schema failed");
                None
            }
        }
    }
}
