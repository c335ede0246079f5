//! The import pipeline: intake of a document stream, the processing stage,
//! progress events, and the queries on imports.

pub mod admission;
mod by_reference;
mod cut;
mod intake;
mod leases;
mod notify;
mod processor;
mod replay;
mod rescrape;
pub mod retention;
mod scraping;
mod spec;
mod troubles;
mod watch;
mod watchdog;
mod writer;

pub use intake::{DocumentMessage, DocumentSource, Incoming, IntakeSummary, StreamFault};
pub use leases::LeaseKeeper;
pub use notify::Notifier;
pub use processor::Processor;
pub use rescrape::Rescrape;
pub use scraping::ScrapingStage;
pub use spec::ImportSpec;
pub use troubles::Troubles;
pub use watch::WatchUpdate;
pub use watchdog::Watchdog;

use crate::auth::Caller;
use crate::domain::{
    account::Role,
    ids::ImportId,
    import::{Import, Item, ItemState},
    page::{decode_token, next_token, page_size},
};
use crate::services::fhir_servers::FhirServers;
use crate::services::projects::{ProjectError, Projects};
use crate::store::{CancelOutcome, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("import {0} not found")]
    NotFound(String),
    #[error("file {0} not found")]
    FileNotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    OutOfRange(String),
    /// The client's stream broke; what was accepted before is kept.
    #[error("the document stream broke: {0}")]
    StreamBroken(String),
    #[error("{0}")]
    ShuttingDown(String),
    /// Another replica took the stream's import over.
    #[error("{0}")]
    TakenOver(String),
    #[error("{0}")]
    MessageTooLarge(String),
    /// The caller has as many streams open as allowed.
    #[error("{}", .0.message)]
    Busy(admission::Busy),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// What a document must be beyond R4: its size, its attachment's scheme.
    pub document: crate::domain::document::DocumentPolicy,
    pub batch_size: usize,
    /// A batch is written once its documents reach this many bytes, however
    /// few: what one stream holds in memory stays near twice this (one
    /// batch filling, one being written).
    pub batch_bytes: usize,
    pub batch_linger: std::time::Duration,
    pub max_listed_rejections: usize,
    /// Streams one caller may hold open.
    pub caps: admission::Caps,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            document: crate::domain::document::DocumentPolicy::default(),
            batch_size: 500,
            batch_bytes: 8 << 20,
            batch_linger: std::time::Duration::from_millis(100),
            max_listed_rejections: 1000,
            caps: admission::Caps::default(),
        }
    }
}

#[derive(Clone)]
pub struct Imports {
    store: Store,
    projects: Projects,
    notifier: Notifier,
    processor: Processor,
    scraper: ScrapingStage,
    servers: FhirServers,
    limits: ImportLimits,
    admission: admission::Admission,
    shutdown: Shutdown,
    /// The intake of every open stream, so a drain can wait for them.
    streams: tokio_util::task::TaskTracker,
}

/// The two steps of a stop: while `draining`, open streams go on but new
/// ones are sent elsewhere; `stopping` cuts whatever is still open.
#[derive(Clone, Default)]
pub struct Shutdown {
    pub draining: tokio_util::sync::CancellationToken,
    pub stopping: tokio_util::sync::CancellationToken,
}

/// The background stages an import hands its items to, and what they
/// read from.
pub struct Stages {
    pub notifier: Notifier,
    pub processor: Processor,
    pub scraper: ScrapingStage,
    pub servers: FhirServers,
}

impl Imports {
    pub fn new(
        store: Store,
        projects: Projects,
        stages: Stages,
        limits: ImportLimits,
        shutdown: Shutdown,
    ) -> Self {
        Self {
            store,
            projects,
            notifier: stages.notifier,
            processor: stages.processor,
            scraper: stages.scraper,
            servers: stages.servers,
            admission: admission::Admission::new(limits.caps),
            limits,
            shutdown,
            streams: tokio_util::task::TaskTracker::new(),
        }
    }

    /// Resolves once every open ImportDocuments stream has ended; call
    /// after `draining` fired, so that no new one starts.
    pub async fn streams_ended(&self) {
        self.streams.close();
        self.streams.wait().await;
    }

    /// The import with this id, if the caller may see its project.
    pub async fn get(&self, caller: &Caller, id: &str) -> Result<Import, ImportError> {
        self.authorized(caller, id, Role::Read).await
    }

    /// The import with this id, if the caller has `needed` in its project.
    async fn authorized(
        &self,
        caller: &Caller,
        id: &str,
        needed: Role,
    ) -> Result<Import, ImportError> {
        let not_found = || ImportError::NotFound(id.trim().to_owned());
        let import_id = ImportId::parse(id).ok_or_else(not_found)?;
        let import = self
            .store
            .get_import(&import_id)
            .await?
            .ok_or_else(not_found)?;
        self.projects
            .authorize(caller, import.project_id.as_str(), needed)
            .await
            .map_err(|err| match err {
                ProjectError::NotFound(_) => not_found(),
                other => other.into(),
            })?;
        Ok(import)
    }

    pub async fn list(
        &self,
        caller: &Caller,
        project: &str,
        requested_page_size: u32,
        page_token: &str,
    ) -> Result<(Vec<Import>, String), ImportError> {
        let project = self.projects.authorize(caller, project, Role::Read).await?;
        let before = decode_token(page_token).map_err(ImportError::InvalidArgument)?;
        let limit = page_size(requested_page_size);
        let mut imports = self
            .store
            .list_imports(&project.id, before.as_deref(), limit + 1)
            .await?;
        let next = next_token(&mut imports, limit, |i| i.id.to_string());
        Ok((imports, next))
    }

    pub async fn list_items(
        &self,
        caller: &Caller,
        import_id: &str,
        states: &[ItemState],
        requested_page_size: u32,
        page_token: &str,
    ) -> Result<(Vec<Item>, String), ImportError> {
        let import = self.get(caller, import_id).await?;
        let after = match decode_token(page_token).map_err(ImportError::InvalidArgument)? {
            None => None,
            Some(raw) => Some(raw.parse::<u64>().map_err(|_| {
                ImportError::InvalidArgument("page_token: not a token this service issued".into())
            })?),
        };
        let limit = page_size(requested_page_size);
        let mut items = self
            .store
            .list_items(&import.id, states, after, limit + 1)
            .await?;
        let next = next_token(&mut items, limit, |i| i.index.to_string());
        Ok((items, next))
    }

    pub async fn cancel(&self, caller: &Caller, import_id: &str) -> Result<Import, ImportError> {
        let import = self.authorized(caller, import_id, Role::Write).await?;
        match self.store.cancel_import(&import.id).await? {
            CancelOutcome::Cancelled(import) => {
                self.notifier.publish(&import.id, import.last_sequence);
                Ok(import)
            }
            CancelOutcome::AlreadyFinished(import) => {
                Err(ImportError::FailedPrecondition(format!(
                    "import {} already finished as {}; only unfinished imports can be cancelled",
                    import.id,
                    import.state.as_str()
                )))
            }
        }
    }
}
