//! `fhir-import watch`: follows an import until it reaches a terminal
//! state, as one live summary (every event with --verbose), then prints
//! where it ended.

use std::io::Write;

use clap::Args;
pub use fhir_import_client::is_terminal;
use fhir_import_client::WatchOptions;
use futures::StreamExt;

use super::client::ClientArgs;
use super::{error::CliError, output, progress::Progress, show, Server};
use crate::proto::v1 as pb;

const EXAMPLES: &str = "\
Examples:
  fhir-import watch 0193b1c2-5e0f-7a3d-9c4e-2b8f6d1a7e90
  fhir-import watch IMPORT_ID --verbose            # every event, from the start
  fhir-import watch IMPORT_ID --verbose --after 120 # resume after event 120

Exit status: 0 when the import completed; 2 when it completed with errors
(rejected or failed items), failed, or was cancelled; 1 when the command
failed.";

/// Follow an import until it finishes.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct WatchArgs {
    /// The import's id (printed by `import`, listed by `imports list`).
    pub import_id: String,
    /// Print every event, one line each (per item), not only the summary.
    #[arg(long, short)]
    pub verbose: bool,
    /// With --verbose: only events after this sequence [default: 0, from
    /// the start].
    #[arg(long, value_name = "N")]
    pub after: Option<u64>,
    #[command(flatten)]
    pub client: ClientArgs,
}

impl WatchArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let follow = Follow {
            after: self.after,
            verbose: self.verbose,
            json: self.client.json(),
        };
        let ended = follow_import(&self.client.server(), &self.import_id, follow, out).await?;
        outcome(&ended)
    }
}

/// How to follow an import.
#[derive(Debug, Clone, Default)]
pub struct Follow {
    /// Events after this sequence; None: from now on (the summary) or from
    /// the start (--verbose).
    pub after: Option<u64>,
    /// Print each event.
    pub verbose: bool,
    /// Print JSON rather than text.
    pub json: bool,
}

/// Follows `import_id` until the watch stream ends and prints where the
/// import ended; returns it.
pub async fn follow_import(
    server: &Server,
    import_id: &str,
    follow: Follow,
    out: &mut dyn Write,
) -> Result<pb::Import, CliError> {
    let mut client = server.imports().await?;
    let get = pb::GetImportRequest {
        import_id: import_id.to_owned(),
    };
    let after = match (follow.after, follow.verbose) {
        (Some(after), _) => after,
        (None, true) => 0,
        // The summary needs no history: start from where the import stands,
        // and do not watch at all when it already ended.
        (None, false) => {
            let import = client.get_import(get.clone()).await?.into_inner();
            if is_terminal(import.state()) {
                print_end(out, &import, follow.json)?;
                return Ok(import);
            }
            import.last_sequence
        }
    };
    // The SDK's watch resumes by sequence when the server restarts or the
    // connection drops, so a deploy does not end the command.
    let options = WatchOptions {
        after_sequence: after,
        ..WatchOptions::default()
    };
    let events = server.client().await?.watch_import(import_id, options);
    futures::pin_mut!(events);
    let mut progress = Progress::new();
    let mut scrapes = false;
    while let Some(event) = events.next().await {
        let event = event?;
        if let Some(pb::import_event::Kind::Snapshot(import)) = &event.kind {
            scrapes = !import.fhir_server.is_empty();
            progress.start_watching(import);
        } else {
            progress.watched(event.counts.as_ref(), scrapes);
        }
        if follow.verbose {
            progress.suspend(|| -> Result<(), CliError> {
                if follow.json {
                    output::message(out, &event)?;
                } else {
                    writeln!(out, "{}", show::event(&event))?;
                }
                out.flush()?;
                Ok(())
            })?;
        }
    }
    progress.clear();
    let import = client.get_import(get).await?.into_inner();
    print_end(out, &import, follow.json)?;
    Ok(import)
}

/// `import ID finished: STATE [counts]`, and what to look at next.
fn print_end(out: &mut dyn Write, import: &pb::Import, json: bool) -> Result<(), CliError> {
    if json {
        return output::message(out, import);
    }
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
    let c = import.counts.unwrap_or_default();
    for (state, n) in [
        ("rejected", c.rejected),
        ("failed", c.failed),
        ("scrape-failed", c.scrape_failed),
    ] {
        if n > 0 {
            writeln!(
                out,
                "  {n} {state}: see `fhir-import imports items {} --state {state}`",
                import.id
            )?;
        }
    }
    Ok(())
}

/// Exit status 2 unless the import completed without errors; an error when
/// it is still running.
pub fn outcome(import: &pb::Import) -> Result<(), CliError> {
    match import.state() {
        pb::ImportState::Completed => Ok(()),
        state if is_terminal(state) => Err(CliError::Unsuccessful(format!(
            "import {} ended {}",
            import.id,
            show::import_state(state)
        ))),
        state => Err(CliError::Input(format!(
            "the watch stream ended while import {} is {}; watch it again",
            import.id,
            show::import_state(state)
        ))),
    }
}
