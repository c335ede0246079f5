//! Projects as callers see them: creating, finding and listing, and the one
//! rule of who may use a project.

use crate::auth::Caller;
use crate::domain::project::Project;
use crate::domain::{
    account::Role,
    page::{decode_token, next_token, page_size},
    project::{ProjectName, ProjectRef, MAX_DESCRIPTION_CHARS},
};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("project {0} not found")]
    NotFound(String),
    /// A bare name, taken as the caller's own project, that they do not
    /// have.
    #[error(
        "project {owner}/{name} not found; a name without an owner is your own project: name \
         another user's as owner/{name}"
    )]
    NotFoundOwn { owner: String, name: String },
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error(transparent)]
    Store(StoreError),
}

/// The user a call acts for; a portal's own token acts for none.
pub fn acting_user(caller: &Caller) -> Result<&str, ProjectError> {
    caller.user.as_deref().ok_or_else(|| {
        ProjectError::PermissionDenied(
            "this token acts for no user (client credentials); projects need a token a user granted".into(),
        )
    })
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
    ) -> Result<Project, ProjectError> {
        let name = ProjectName::parse(name).map_err(ProjectError::InvalidArgument)?;
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ProjectError::InvalidArgument(format!(
                "description: at most {MAX_DESCRIPTION_CHARS} characters"
            )));
        }
        Ok(self
            .store
            .create_project(acting_user(caller)?, &name, description)
            .await?)
    }

    /// The project `reference` names, if the caller has at least the role
    /// `needed` in it (owners are admins). A project the caller is not a
    /// member of is reported as not found, so that project names do not
    /// leak; a member with too small a role is told which role is needed.
    pub async fn authorize(
        &self,
        caller: &Caller,
        reference: &str,
        needed: Role,
    ) -> Result<Project, ProjectError> {
        let user = acting_user(caller)?;
        let parsed =
            ProjectRef::parse_for(reference, user).map_err(ProjectError::InvalidArgument)?;
        let not_found = || match &parsed {
            // A bare name was taken as the caller's own: say so, and how to
            // name someone else's.
            ProjectRef::Slug { owner, name } if !reference.contains('/') => {
                ProjectError::NotFoundOwn {
                    owner: owner.clone(),
                    name: name.clone(),
                }
            }
            _ => ProjectError::NotFound(reference.trim().to_owned()),
        };
        let project = self
            .store
            .find_project(&parsed)
            .await?
            .ok_or_else(not_found)?;
        let role = match project.owner == user {
            true => Role::Admin,
            false => self
                .store
                .member_role(&project.id, user)
                .await?
                .ok_or_else(not_found)?,
        };
        if role < needed {
            return Err(ProjectError::PermissionDenied(format!(
                "your role in project {} is {}; this needs {}",
                project.slug,
                role.as_str(),
                needed.as_str()
            )));
        }
        Ok(project)
    }

    pub async fn list(
        &self,
        caller: &Caller,
        requested_page_size: u32,
        page_token: &str,
    ) -> Result<(Vec<Project>, String), ProjectError> {
        let after = decode_token(page_token).map_err(ProjectError::InvalidArgument)?;
        let limit = page_size(requested_page_size);
        let mut projects = self
            .store
            .list_projects(acting_user(caller)?, after.as_deref(), limit + 1)
            .await?;
        let next = next_token(&mut projects, limit, |p| p.slug.clone());
        Ok((projects, next))
    }
}
