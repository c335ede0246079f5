//! `fhir-import imports list|get|items|cancel|rescrape`.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};

use super::client::ClientArgs;
use super::watch::{self, Follow};
use super::{error::CliError, output, show, Server};
use crate::proto::v1::{self as pb, rescrape_files_request::Selection};

/// Look at, cancel and rescrape imports.
#[derive(Args, Debug)]
pub struct ImportsArgs {
    #[command(subcommand)]
    pub command: ImportsCommand,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Subcommand, Debug)]
pub enum ImportsCommand {
    /// A project's imports, newest first.
    List {
        /// The project: id, owner/name slug, or a name of your own.
        #[arg(long)]
        project: String,
    },
    /// Show one import.
    Get {
        /// The import's id.
        import_id: String,
    },
    /// An import's items in stream order.
    Items {
        /// The import's id.
        import_id: String,
        /// Only items in this state; repeatable.
        #[arg(long = "state", value_enum)]
        states: Vec<ItemState>,
    },
    /// Cancel an import that is still running.
    Cancel {
        /// The import's id.
        import_id: String,
    },
    /// Scrape the metadata of files already imported again, from the FHIR
    /// servers they came from (e.g. after a schema change or an outage).
    Rescrape(RescrapeArgs),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["import_id", "file", "all"])))]
pub struct RescrapeArgs {
    /// The project: id, owner/name slug, or a name of your own.
    #[arg(long)]
    project: String,
    /// The files this import created or overwrote.
    #[arg(long = "import", value_name = "IMPORT_ID")]
    import_id: Option<String>,
    /// This file; repeatable.
    #[arg(long = "file", value_name = "FILE_ID")]
    file: Vec<String>,
    /// Every file of the project that came from a FHIR server.
    #[arg(long)]
    all: bool,
    /// Only files whose metadata is in this state; repeatable.
    #[arg(long = "metadata-state", value_enum)]
    metadata_states: Vec<MetadataState>,
    /// Follow the rescrape until it finishes, with a live summary.
    #[arg(long)]
    watch: bool,
}

/// `--metadata-state`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MetadataState {
    /// Every key was scraped.
    Complete,
    /// Some keys could not be scraped.
    Partial,
    /// Scraping failed.
    Failed,
}

impl From<MetadataState> for pb::MetadataState {
    fn from(state: MetadataState) -> Self {
        match state {
            MetadataState::Complete => Self::Complete,
            MetadataState::Partial => Self::Partial,
            MetadataState::Failed => Self::Failed,
        }
    }
}

/// `--state`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ItemState {
    /// Accepted, waiting to be processed.
    Pending,
    /// Being processed.
    Processing,
    /// Its file was created or overwritten.
    Imported,
    /// Left alone by the skip conflict policy.
    Skipped,
    /// Rejected at intake.
    Rejected,
    /// Failed while processing.
    Failed,
    /// Cancelled before being processed.
    Cancelled,
    /// Imported and its metadata scraped.
    Scraped,
    /// Imported, but scraping its metadata failed.
    ScrapeFailed,
}

impl From<ItemState> for pb::ItemState {
    fn from(state: ItemState) -> Self {
        match state {
            ItemState::Pending => Self::Pending,
            ItemState::Processing => Self::Processing,
            ItemState::Imported => Self::Imported,
            ItemState::Skipped => Self::Skipped,
            ItemState::Rejected => Self::Rejected,
            ItemState::Failed => Self::Failed,
            ItemState::Cancelled => Self::Cancelled,
            ItemState::Scraped => Self::Scraped,
            ItemState::ScrapeFailed => Self::ScrapeFailed,
        }
    }
}

impl ImportsArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let server = self.client.server();
        let json = self.client.json();
        match self.command {
            ImportsCommand::List { project } => list(&server, &project, json, out).await,
            ImportsCommand::Get { import_id } => get(&server, &import_id, json, out).await,
            ImportsCommand::Items { import_id, states } => {
                let states: Vec<pb::ItemState> = states.into_iter().map(Into::into).collect();
                items(&server, &import_id, &states, json, out).await
            }
            ImportsCommand::Cancel { import_id } => cancel(&server, &import_id, json, out).await,
            ImportsCommand::Rescrape(r) => r.run(&server, json, out).await,
        }
    }
}

/// A project's imports, newest first, one per line, across pages.
async fn list(
    server: &Server,
    project: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut client = server.imports().await?;
    let mut page_token = String::new();
    let mut count = 0usize;
    loop {
        let page = client
            .list_imports(pb::ListImportsRequest {
                project: project.to_owned(),
                page_size: 1000,
                page_token,
            })
            .await?
            .into_inner();
        if count == 0 && !json && !page.imports.is_empty() {
            show::import_header(out)?;
        }
        for import in &page.imports {
            if json {
                output::message(out, import)?;
            } else {
                show::import_line(out, import)?;
            }
        }
        count += page.imports.len();
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    if count == 0 && !json {
        writeln!(out, "no imports in {project} yet")?;
    }
    Ok(())
}

/// One import, with its project's slug.
async fn get(
    server: &Server,
    import_id: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let import = server
        .imports()
        .await?
        .get_import(pb::GetImportRequest {
            import_id: import_id.to_owned(),
        })
        .await?
        .into_inner();
    print_import(server, &import, json, out).await
}

/// `import` as a block (with its project's slug), or as JSON.
async fn print_import(
    server: &Server,
    import: &pb::Import,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if json {
        return output::message(out, import);
    }
    // The caller may see the import through the project; if the project
    // cannot be read, the id alone still names it.
    let slug = match server
        .projects()
        .await?
        .get_project(pb::GetProjectRequest {
            project: import.project.clone(),
        })
        .await
    {
        Ok(project) => Some(project.into_inner().slug),
        Err(_) => None,
    };
    show::import_block(out, import, slug.as_deref())?;
    Ok(())
}

/// An import's items in stream order, only those in `states` when given.
async fn items(
    server: &Server,
    import_id: &str,
    states: &[pb::ItemState],
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut client = server.imports().await?;
    let mut page_token = String::new();
    loop {
        let page = client
            .list_import_items(pb::ListImportItemsRequest {
                import_id: import_id.to_owned(),
                states: states.iter().map(|s| *s as i32).collect(),
                page_size: 1000,
                page_token,
            })
            .await?
            .into_inner();
        for item in &page.items {
            if json {
                output::message(out, item)?;
            } else {
                writeln!(out, "{}", show::item(item))?;
            }
        }
        if page.next_page_token.is_empty() {
            return Ok(());
        }
        page_token = page.next_page_token;
    }
}

async fn cancel(
    server: &Server,
    import_id: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let import = server
        .imports()
        .await?
        .cancel_import(pb::CancelImportRequest {
            import_id: import_id.to_owned(),
        })
        .await?
        .into_inner();
    print_import(server, &import, json, out).await
}

impl RescrapeArgs {
    /// Starts a rescrape and prints the imports it started (one per FHIR
    /// server); with --watch, follows each until it finishes.
    async fn run(self, server: &Server, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
        let selection = match (self.import_id, self.all) {
            (Some(id), _) => Selection::ImportId(id),
            (None, true) => Selection::AllFiles(true),
            (None, false) => Selection::FileIds(pb::FileIds { ids: self.file }),
        };
        let metadata_states: Vec<pb::MetadataState> =
            self.metadata_states.into_iter().map(Into::into).collect();
        let started = server
            .imports()
            .await?
            .rescrape_files(pb::RescrapeFilesRequest {
                project: self.project,
                selection: Some(selection),
                metadata_states: metadata_states.iter().map(|s| *s as i32).collect(),
            })
            .await?
            .into_inner();
        if json {
            output::message(out, &started)?;
        } else {
            writeln!(
                out,
                "rescraping {} files in {} imports ({} already being scraped)",
                started.files,
                started.imports.len(),
                started.already_pending
            )?;
            for import in &started.imports {
                show::import_line(out, import)?;
            }
        }
        if !self.watch {
            return Ok(());
        }
        let mut worst = Ok(());
        for import in &started.imports {
            let follow = Follow {
                after: None,
                verbose: false,
                json,
            };
            let ended = watch::follow_import(server, &import.id, follow, out).await?;
            if worst.is_ok() {
                worst = watch::outcome(&ended);
            }
        }
        worst
    }
}
