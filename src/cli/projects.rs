//! `fhir-import projects create|list|get`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::client::ClientArgs;
use super::{error::CliError, output, show, Server};
use crate::proto::v1 as pb;

/// Create and look at projects.
#[derive(Args, Debug)]
pub struct ProjectsArgs {
    #[command(subcommand)]
    pub command: ProjectsCommand,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Subcommand, Debug)]
pub enum ProjectsCommand {
    /// Create a project owned by you.
    Create {
        /// Lowercase letters, digits, '-', '_' and '.'.
        name: String,
        /// What the project is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// List the projects you can see.
    List,
    /// Show one project.
    Get {
        /// The project's id, owner/name slug, or a name of your own.
        project: String,
    },
}

impl ProjectsArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let server = self.client.server();
        let json = self.client.json();
        let project = match self.command {
            ProjectsCommand::Create { name, description } => {
                server
                    .projects()
                    .await?
                    .create_project(pb::CreateProjectRequest {
                        name,
                        description: description.unwrap_or_default(),
                    })
                    .await?
            }
            ProjectsCommand::Get { project } => {
                server
                    .projects()
                    .await?
                    .get_project(pb::GetProjectRequest { project })
                    .await?
            }
            ProjectsCommand::List => return list(&server, json, out).await,
        }
        .into_inner();
        if json {
            output::message(out, &project)
        } else {
            Ok(show::project_block(out, &project)?)
        }
    }
}

/// Every project the caller can see, one per line, across pages.
async fn list(server: &Server, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
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
        if count == 0 && !json && !page.projects.is_empty() {
            show::project_header(out)?;
        }
        for project in &page.projects {
            if json {
                output::message(out, project)?;
            } else {
                show::project_line(out, project)?;
            }
        }
        count += page.projects.len();
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    if count == 0 && !json {
        writeln!(
            out,
            "no projects yet; create one with `fhir-import projects create NAME`"
        )?;
    }
    Ok(())
}
