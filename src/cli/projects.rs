//! `fhir-import projects create|list|get`.

use std::io::Write;

use super::{error::CliError, show, Server};
use crate::proto::v1 as pb;

pub async fn create(
    server: &Server,
    name: &str,
    description: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let project = server
        .projects()
        .await?
        .create_project(pb::CreateProjectRequest {
            name: name.to_owned(),
            description: description.to_owned(),
        })
        .await?
        .into_inner();
    show::project_block(out, &project)?;
    Ok(())
}

pub async fn get(server: &Server, project: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let project = server
        .projects()
        .await?
        .get_project(pb::GetProjectRequest {
            project: project.to_owned(),
        })
        .await?
        .into_inner();
    show::project_block(out, &project)?;
    Ok(())
}

/// Every project the caller can see, one per line, across pages.
pub async fn list(server: &Server, out: &mut dyn Write) -> Result<(), CliError> {
    let mut client = server.projects().await?;
    let mut page_token = String::new();
    let mut count = 0usize;
    loop {
        let page = client
            .list_projects(pb::ListProjectsRequest {
                page_size: 1000,
                page_token,
            })
            .await?
            .into_inner();
        for project in &page.projects {
            show::project_line(out, project)?;
        }
        count += page.projects.len();
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    if count == 0 {
        writeln!(
            out,
            "no projects yet; create one with `fhir-import projects create NAME`"
        )?;
    }
    Ok(())
}
