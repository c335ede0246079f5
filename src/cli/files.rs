//! `fhir-import files`: a project's files, filtered by metadata or import,
//! one per line across pages.

use std::io::Write;

use clap::Args;

use super::client::ClientArgs;
use super::{error::CliError, output, parse_key_value, show};
use crate::proto::v1 as pb;

/// Largest page the server hands out.
const MAX_PAGE: usize = 1000;

const EXAMPLES: &str = "\
Examples:
  fhir-import files --project ada/kf-demo
  fhir-import files --project ada/kf-demo --where study=SD_BHJXBDQK --where data_category=Genomics
  fhir-import files --project kf-demo --import IMPORT_ID --limit 20
  fhir-import files --project ada/kf-demo --output json | jq -r .url";

/// List a project's files, filtered by metadata or by import.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct FilesArgs {
    /// The project: id, owner/name slug, or a name of your own.
    #[arg(long)]
    pub project: String,
    /// Only files whose metadata has KEY equal to VALUE; repeatable (all
    /// must hold).
    #[arg(long = "where", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub filters: Vec<(String, String)>,
    /// Only files created or last overwritten by this import.
    #[arg(long = "import", value_name = "ID")]
    pub import_id: Option<String>,
    /// Show at most N files.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    #[command(flatten)]
    pub client: ClientArgs,
}

impl FilesArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let json = self.client.json();
        let mut client = self.client.server().files().await?;
        let filters: Vec<pb::MetadataFilter> = self
            .filters
            .iter()
            .map(|(key, value)| pb::MetadataFilter {
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        let limit = self.limit.map_or(usize::MAX, |n| n as usize);
        let mut shown = 0usize;
        let mut page_token = String::new();
        let mut more = false;
        if !json {
            show::file_header(out)?;
        }
        while shown < limit {
            let page_size = (limit - shown).min(MAX_PAGE);
            let page = client
                .list_files(pb::ListFilesRequest {
                    project: self.project.clone(),
                    filters: filters.clone(),
                    page_size: u32::try_from(page_size).unwrap_or(1000),
                    page_token,
                    import_id: self.import_id.clone().unwrap_or_default(),
                })
                .await?
                .into_inner();
            for file in page.files.iter().take(limit - shown) {
                if json {
                    output::message(out, file)?;
                } else {
                    show::file_line(out, file)?;
                }
                shown += 1;
            }
            more = !page.next_page_token.is_empty();
            if !more {
                break;
            }
            page_token = page.next_page_token;
        }
        if json {
            return Ok(());
        }
        let noun = if shown == 1 { "file" } else { "files" };
        if more {
            writeln!(out, "{shown} {noun} (limit reached; there are more)")?;
        } else {
            writeln!(out, "{shown} {noun}")?;
        }
        Ok(())
    }
}
