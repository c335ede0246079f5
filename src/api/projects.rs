//! ProjectService over gRPC.

use tonic::{Request, Response, Status};

use super::convert;
use crate::auth::Caller;
use crate::domain::account::Role;
use crate::proto::v1::{self as pb, project_service_server::ProjectService};
use crate::services::projects::Projects;

pub struct ProjectApi {
    projects: Projects,
}

impl ProjectApi {
    pub fn new(projects: Projects) -> Self {
        Self { projects }
    }
}

#[tonic::async_trait]
impl ProjectService for ProjectApi {
    async fn create_project(
        &self,
        request: Request<pb::CreateProjectRequest>,
    ) -> Result<Response<pb::Project>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let project = self
            .projects
            .create(&caller, &request.name, &request.description)
            .await?;
        Ok(Response::new(convert::project(project)))
    }

    async fn get_project(
        &self,
        request: Request<pb::GetProjectRequest>,
    ) -> Result<Response<pb::Project>, Status> {
        let caller = Caller::of(&request)?;
        let project = self
            .projects
            .authorize(&caller, &request.into_inner().project, Role::Read)
            .await?;
        Ok(Response::new(convert::project(project)))
    }

    async fn list_projects(
        &self,
        request: Request<pb::ListProjectsRequest>,
    ) -> Result<Response<pb::ListProjectsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let (projects, next_page_token) = self
            .projects
            .list(&caller, request.page_size, &request.page_token)
            .await?;
        Ok(Response::new(pb::ListProjectsResponse {
            projects: projects.into_iter().map(convert::project).collect(),
            next_page_token,
        }))
    }
}
