//! Files as callers see them: one by id, or a project's files filtered by
//! metadata.

use crate::auth::Caller;
use crate::domain::file::File;
use crate::domain::{
    account::Role,
    ids::{FileId, ImportId},
    page::{decode_token, next_token, page_size},
};
use crate::services::projects::{ProjectError, Projects};
use crate::store::{FileFilter, Store, StoreError};

pub const MAX_FILTERS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("file {0} not found")]
    NotFound(String),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct Files {
    store: Store,
    projects: Projects,
}

pub struct FileQuery {
    pub project: String,
    pub filters: Vec<(String, String)>,
    pub import_id: String,
    pub page_size: u32,
    pub page_token: String,
}

impl Files {
    pub fn new(store: Store, projects: Projects) -> Self {
        Self { store, projects }
    }

    pub async fn get(&self, caller: &Caller, id: &str) -> Result<File, FileError> {
        let not_found = || FileError::NotFound(id.to_owned());
        let file_id = FileId::parse(id).ok_or_else(not_found)?;
        let file = self.store.get_file(&file_id).await?.ok_or_else(not_found)?;
        self.projects
            .authorize(caller, file.project_id.as_str(), Role::Read)
            .await
            .map_err(|err| match err {
                ProjectError::NotFound(_) => not_found(),
                other => other.into(),
            })?;
        Ok(file)
    }

    pub async fn list(
        &self,
        caller: &Caller,
        query: FileQuery,
    ) -> Result<(Vec<File>, String), FileError> {
        let project = self
            .projects
            .authorize(caller, &query.project, Role::Read)
            .await?;
        if query.filters.len() > MAX_FILTERS {
            return Err(FileError::InvalidArgument(format!(
                "filters: at most {MAX_FILTERS}, got {}",
                query.filters.len()
            )));
        }
        if let Some((i, _)) = query
            .filters
            .iter()
            .enumerate()
            .find(|(_, (k, _))| k.is_empty())
        {
            return Err(FileError::InvalidArgument(format!(
                "filters[{i}].key: required"
            )));
        }
        let import_id = match query.import_id.trim() {
            "" => None,
            raw => Some(ImportId::parse(raw).ok_or_else(|| {
                FileError::InvalidArgument(format!("import_id: {raw:?} is not an import id"))
            })?),
        };
        let after = decode_token(&query.page_token).map_err(FileError::InvalidArgument)?;
        let limit = page_size(query.page_size);
        let filter = FileFilter {
            project_id: project.id,
            metadata: query.filters,
            import_id,
        };
        let mut files = self
            .store
            .list_files(&filter, after.as_deref(), limit + 1)
            .await?;
        let next = next_token(&mut files, limit, |f| f.id.to_string());
        Ok((files, next))
    }
}
