//! `fhir-import imports list|get|items|cancel|rescrape`.

use std::io::Write;

use super::{error::CliError, show, Server};
use crate::proto::v1::{self as pb, rescrape_files_request::Selection};

/// A project's imports, newest first, one per line, across pages.
pub async fn list(server: &Server, project: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let mut client = server.imports().await?;
    let mut page_token = String::new();
    loop {
        let page = client
            .list_imports(pb::ListImportsRequest {
                project: project.to_owned(),
                page_size: 1000,
                page_token,
            })
            .await?
            .into_inner();
        for import in &page.imports {
            show::import_line(out, import)?;
        }
        if page.next_page_token.is_empty() {
            return Ok(());
        }
        page_token = page.next_page_token;
    }
}

pub async fn get(server: &Server, import_id: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let import = server
        .imports()
        .await?
        .get_import(pb::GetImportRequest {
            import_id: import_id.to_owned(),
        })
        .await?
        .into_inner();
    show::import_block(out, &import)?;
    Ok(())
}

/// An import's items in stream order, only those in `states` when given.
pub async fn items(
    server: &Server,
    import_id: &str,
    states: &[pb::ItemState],
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
            writeln!(out, "{}", show::item(item))?;
        }
        if page.next_page_token.is_empty() {
            return Ok(());
        }
        page_token = page.next_page_token;
    }
}

pub async fn cancel(server: &Server, import_id: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let import = server
        .imports()
        .await?
        .cancel_import(pb::CancelImportRequest {
            import_id: import_id.to_owned(),
        })
        .await?
        .into_inner();
    show::import_block(out, &import)?;
    Ok(())
}

/// Which files `imports rescrape` scrapes again.
pub enum RescrapeTarget {
    Files(Vec<String>),
    Import(String),
    All,
}

/// Starts a rescrape and prints the imports it started (one per FHIR
/// server); with `watch`, follows each until it finishes.
pub async fn rescrape(
    server: &Server,
    project: &str,
    target: RescrapeTarget,
    metadata_states: &[pb::MetadataState],
    watch: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let selection = match target {
        RescrapeTarget::Files(ids) => Selection::FileIds(pb::FileIds { ids }),
        RescrapeTarget::Import(id) => Selection::ImportId(id),
        RescrapeTarget::All => Selection::AllFiles(true),
    };
    let started = server
        .imports()
        .await?
        .rescrape_files(pb::RescrapeFilesRequest {
            project: project.to_owned(),
            selection: Some(selection),
            metadata_states: metadata_states.iter().map(|s| *s as i32).collect(),
        })
        .await?
        .into_inner();
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
    if watch {
        for import in &started.imports {
            super::watch::run(server, &import.id, 0, out).await?;
        }
    }
    Ok(())
}
