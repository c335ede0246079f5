//! `fhir-import files`: a project's files, filtered by metadata or import,
//! one per line across pages.

use std::io::Write;

use super::{error::CliError, show, Server};
use crate::proto::v1 as pb;

/// Largest page the server hands out.
const MAX_PAGE: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct FilesQuery {
    pub project: String,
    /// `key=value` conditions, all of which must hold.
    pub filters: Vec<(String, String)>,
    /// Only files created or last overwritten by this import.
    pub import_id: Option<String>,
    /// Stop after this many files.
    pub limit: Option<usize>,
}

pub async fn list(server: &Server, query: FilesQuery, out: &mut dyn Write) -> Result<(), CliError> {
    let mut client = server.files().await?;
    let filters: Vec<pb::MetadataFilter> = query
        .filters
        .iter()
        .map(|(key, value)| pb::MetadataFilter {
            key: key.clone(),
            value: value.clone(),
        })
        .collect();
    let limit = query.limit.unwrap_or(usize::MAX);
    let mut shown = 0usize;
    let mut page_token = String::new();
    let mut more = false;
    while shown < limit {
        let page_size = (limit - shown).min(MAX_PAGE);
        let page = client
            .list_files(pb::ListFilesRequest {
                project: query.project.clone(),
                filters: filters.clone(),
                page_size: u32::try_from(page_size).unwrap_or(1000),
                page_token,
                import_id: query.import_id.clone().unwrap_or_default(),
            })
            .await?
            .into_inner();
        for file in page.files.iter().take(limit - shown) {
            show::file_line(out, file)?;
            shown += 1;
        }
        more = !page.next_page_token.is_empty();
        if !more {
            break;
        }
        page_token = page.next_page_token;
    }
    let noun = if shown == 1 { "file" } else { "files" };
    if more {
        writeln!(out, "{shown} {noun} (limit reached; there are more)")?;
    } else {
        writeln!(out, "{shown} {noun}")?;
    }
    Ok(())
}
