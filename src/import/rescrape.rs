//! RescrapeFiles: files already in a project are scraped again, as imports
//! of kind RESCRAPE (one per FHIR server) that the metadata stage runs like
//! any other and that WatchImport follows.

use tracing::info;

use super::{ImportError, Imports};
use crate::auth::Caller;
use crate::domain::project::Project;
use crate::domain::{
    account::Role,
    ids::{FileId, ImportId, ProjectId},
    import::{Import, MetadataState},
};
use crate::services::fhir_servers::FhirServerError;
use crate::services::projects::acting_user;
use crate::store::{NewRescrape, RescrapeSelection, RescrapeStarted};

/// Most file ids one request may list.
pub const MAX_FILE_IDS: usize = 10_000;

/// Which files to scrape again, as the caller named them.
#[derive(Debug, Clone)]
pub enum Rescrape {
    Files(Vec<String>),
    Import(String),
    AllFiles,
}

impl Imports {
    pub async fn rescrape(
        &self,
        caller: &Caller,
        project: &str,
        rescrape: Rescrape,
        metadata_states: Vec<MetadataState>,
    ) -> Result<RescrapeStarted, ImportError> {
        let project = self
            .projects
            .authorize(caller, project, Role::Write)
            .await?;
        if let Some(state) = metadata_states
            .iter()
            .find(|s| matches!(s, MetadataState::Pending | MetadataState::NotRequested))
        {
            return Err(ImportError::InvalidArgument(format!(
                "metadata_states: {} files cannot be scraped again (PENDING ones are being scraped, NOT_REQUESTED ones came from no FHIR server)",
                state.as_str()
            )));
        }
        let selection = match rescrape {
            Rescrape::Files(ids) => {
                let (files, servers) = self.listed_files(&project.id, ids).await?;
                for server in &servers {
                    self.check_server_open(server, &project).await?;
                }
                RescrapeSelection::Files(files)
            }
            Rescrape::Import(id) => {
                let import = self.import_in_project(&id, &project.id).await?;
                let Some(server) = &import.fhir_server else {
                    return Err(ImportError::InvalidArgument(format!(
                        "import_id: import {} named no FHIR server, so its files have no metadata to scrape",
                        import.id
                    )));
                };
                self.check_server_open(server.as_str(), &project).await?;
                RescrapeSelection::Import(import.id)
            }
            Rescrape::AllFiles => RescrapeSelection::Project,
        };
        let started = self
            .store
            .start_rescrape(NewRescrape {
                project_id: project.id,
                selection,
                metadata_states,
                created_by: acting_user(caller)?.to_owned(),
            })
            .await?;
        for import in &started.imports {
            self.notifier.publish(&import.id, import.last_sequence);
            self.scraper.enqueue(&import.id);
        }
        info!(
            imports = started.imports.len(),
            files = started.files,
            already_pending = started.already_pending,
            "rescrape started"
        );
        Ok(started)
    }

    /// A rescrape reads the server for the project again: refused when the
    /// project may no longer use it. (One whose server is gone fails per
    /// item, as it would in any import.)
    async fn check_server_open(&self, server: &str, project: &Project) -> Result<(), ImportError> {
        match self.servers.client_for(server, project).await {
            Ok(_) => Ok(()),
            Err(FhirServerError::Store(err)) => Err(err.into()),
            Err(err @ FhirServerError::NotAllowed { .. }) => {
                Err(ImportError::PermissionDenied(err.to_string()))
            }
            Err(err) => Err(ImportError::FailedPrecondition(err.to_string())),
        }
    }

    /// The listed ids, checked: each a file of the project that came from a
    /// FHIR server; and those servers.
    async fn listed_files(
        &self,
        project_id: &ProjectId,
        ids: Vec<String>,
    ) -> Result<(Vec<String>, Vec<String>), ImportError> {
        if ids.is_empty() {
            return Err(ImportError::InvalidArgument(
                "file_ids: list at least one file id".into(),
            ));
        }
        if ids.len() > MAX_FILE_IDS {
            return Err(ImportError::InvalidArgument(format!(
                "file_ids: {} ids, at most {MAX_FILE_IDS} per request; use import_id or all_files for more",
                ids.len()
            )));
        }
        let mut wanted = Vec::with_capacity(ids.len());
        for id in &ids {
            match FileId::parse(id) {
                Some(id) => wanted.push(id.into_string()),
                None => return Err(ImportError::FileNotFound(id.trim().to_owned())),
            }
        }
        wanted.sort();
        wanted.dedup();
        let sources = self.store.file_sources(project_id, &wanted).await?;
        if let Some(missing) = wanted
            .iter()
            .find(|id| !sources.iter().any(|s| &s.id == *id))
        {
            return Err(ImportError::FileNotFound(missing.clone()));
        }
        if let Some(local) = sources.iter().find(|s| s.fhir_server.is_none()) {
            return Err(ImportError::InvalidArgument(format!(
                "file_ids: file {} was imported without a FHIR server, so it has no metadata to scrape",
                local.id
            )));
        }
        let mut servers: Vec<String> = sources
            .into_iter()
            .filter_map(|s| s.fhir_server)
            .map(|server| server.as_str().to_owned())
            .collect();
        servers.sort();
        servers.dedup();
        Ok((wanted, servers))
    }

    /// The import, when it is one of this project's (whose access was
    /// checked); NOT_FOUND otherwise, as for an import that does not exist.
    async fn import_in_project(
        &self,
        id: &str,
        project_id: &ProjectId,
    ) -> Result<Import, ImportError> {
        let not_found = || ImportError::NotFound(id.trim().to_owned());
        let import_id = ImportId::parse(id).ok_or_else(not_found)?;
        let import = self
            .store
            .get_import(&import_id)
            .await?
            .filter(|i| &i.project_id == project_id)
            .ok_or_else(not_found)?;
        Ok(import)
    }
}
