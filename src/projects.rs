//! Projects as callers see them: creating, finding and listing, and the one
//! rule of who may use a project.

use crate::auth::Caller;
use crate::domain::{
    page::{decode_token, next_token, page_size},
    project::{ProjectName, ProjectRef, MAX_DESCRIPTION_CHARS},
};
use crate::store::{Store, StoreError, StoredProject};

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("project {0} not found")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ProjectError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(msg) => Self::AlreadyExists(msg),
            other => Self::Store(other),
        }
    }
}

#[derive(Clone)]
pub struct Projects {
    store: Store,
}

impl Projects {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub async fn create(
        &self,
        caller: &Caller,
        name: &str,
        description: &str,
    ) -> Result<StoredProject, ProjectError> {
        let name = ProjectName::parse(name).map_err(ProjectError::InvalidArgument)?;
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ProjectError::InvalidArgument(format!(
                "description: at most {MAX_DESCRIPTION_CHARS} characters"
            )));
        }
        Ok(self
            .store
            .create_project(&caller.user, &name, description)
            .await?)
    }

    /// The project `reference` names, if the caller may use it. A project
    /// the caller may not use is reported as not found, so that project
    /// names do not leak.
    pub async fn authorize(
        &self,
        caller: &Caller,
        reference: &str,
    ) -> Result<StoredProject, ProjectError> {
        let parsed = ProjectRef::parse(reference).map_err(ProjectError::InvalidArgument)?;
        match self.store.find_project(&parsed).await? {
            Some(project) if project.owner == caller.user => Ok(project),
            _ => Err(ProjectError::NotFound(reference.trim().to_owned())),
        }
    }

    pub async fn list(
        &self,
        caller: &Caller,
        requested_page_size: u32,
        page_token: &str,
    ) -> Result<(Vec<StoredProject>, String), ProjectError> {
        let after = decode_token(page_token).map_err(ProjectError::InvalidArgument)?;
        let limit = page_size(requested_page_size);
        let mut projects = self
            .store
            .list_projects(&caller.user, after.as_deref(), limit + 1)
            .await?;
        let next = next_token(&mut projects, limit, |p| p.name.clone());
        Ok((projects, next))
    }
}
