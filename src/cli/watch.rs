//! `fhir-import watch`: follows an import's events, one line each, until the
//! import reaches a terminal state, then prints where it ended.

use std::io::Write;

use super::{error::CliError, show, Server};
use crate::proto::v1 as pb;

/// Prints every event after sequence `after` until the stream ends, then
/// the import as GetImport shows it.
pub async fn run(
    server: &Server,
    import_id: &str,
    after: u64,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut client = server.imports().await?;
    let mut events = client
        .watch_import(pb::WatchImportRequest {
            import_id: import_id.to_owned(),
            after_sequence: after,
        })
        .await?
        .into_inner();
    while let Some(event) = events.message().await? {
        writeln!(out, "{}", show::event(&event))?;
        out.flush()?;
    }
    let import = client
        .get_import(pb::GetImportRequest {
            import_id: import_id.to_owned(),
        })
        .await?
        .into_inner();
    let mut last = format!(
        "import {} {}: {}",
        import.id,
        if is_terminal(import.state()) {
            "finished"
        } else {
            "is still running (the watch stream ended early)"
        },
        show::import_state(import.state())
    );
    last.push_str(&format!(" [{}]", show::counts(import.counts.as_ref())));
    if !import.error.is_empty() {
        last.push_str(&format!(": {}", import.error));
    }
    writeln!(out, "{last}")?;
    Ok(())
}

fn is_terminal(state: pb::ImportState) -> bool {
    matches!(
        state,
        pb::ImportState::Completed
            | pb::ImportState::CompletedWithErrors
            | pb::ImportState::Failed
            | pb::ImportState::Cancelled
    )
}
