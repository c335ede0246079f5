//! `fhir-import import`: streams a file's documents to ImportDocuments
//! through a bounded channel, shows progress, and prints the outcome.

use std::{collections::HashMap, io::Write, path::PathBuf};

use clap::{Args, ValueEnum};
use futures::Stream;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::{wrappers::ReceiverStream, StreamExt};

use super::client::ClientArgs;
use super::source::{Documents, Origin};
use super::{error::CliError, output, parse_key_value, progress::Progress, show, watch};
use crate::proto::v1::{self as pb, document_input::Source, import_documents_request::Kind};

/// Documents read ahead of the network; bounds memory for huge files.
const CHANNEL_CAPACITY: usize = 64;

const EXAMPLES: &str = "\
Examples:
  fhir-import import --project ada/kf-demo documents.ndjson --watch
  fhir-import import --project kf-demo bundle.json --fhir-server kf-fhir --tag batch-7
  cat documents.ndjson | fhir-import import --project ada/kf-demo - --validate-only

Exit status: 0 when every document was accepted (and, with --watch, the
import completed); 2 when some were rejected (the rest are imported) or the
import ended with errors; 1 when the command failed.";

/// Import DocumentReferences from NDJSON, a FHIR Bundle, or one resource.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ImportArgs {
    /// The target project: id, owner/name slug, or a name of your own.
    #[arg(long)]
    pub project: String,
    /// NDJSON (one DocumentReference per line), a FHIR Bundle, or one
    /// resource; `-` reads stdin.
    pub file: PathBuf,
    /// Id of the registered FHIR server the documents come from (their
    /// metadata is scraped from it).
    #[arg(long, value_name = "ID")]
    pub fhir_server: Option<String>,
    /// What to do with documents imported before.
    #[arg(long, value_enum, default_value_t = OnConflict::Overwrite)]
    pub on_conflict: OnConflict,
    /// Sending again with the same key replays the earlier import.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Tag put on every file; repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only validate and report rejections; store nothing.
    #[arg(long)]
    pub validate_only: bool,
    /// Metadata put on every file; repeatable.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub metadata: Vec<(String, String)>,
    /// Follow the import until it finishes, with a live summary.
    #[arg(long)]
    pub watch: bool,
    /// With --watch, print every event (one line per item) too.
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `--on-conflict`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OnConflict {
    /// Leave the earlier file alone.
    Skip,
    /// Replace the earlier file.
    Overwrite,
    /// Import under a new name beside the earlier file.
    Rename,
}

impl From<OnConflict> for pb::ConflictPolicy {
    fn from(policy: OnConflict) -> Self {
        match policy {
            OnConflict::Skip => Self::Skip,
            OnConflict::Overwrite => Self::Overwrite,
            OnConflict::Rename => Self::Rename,
        }
    }
}

/// Where each document of the stream came from, by its index.
enum Origins {
    /// NDJSON: the line of each document.
    Lines(LineMap),
    /// A Bundle's entries or one resource: the index says it.
    Listed { entries: bool },
}

/// The input line of each NDJSON document, kept as the points where the
/// distance between line and index changes (at blank lines), so that it
/// does not grow with the number of documents.
#[derive(Debug, Default)]
struct LineMap {
    sent: u64,
    /// `(first index, line - index)` from that index on.
    shifts: Vec<(u64, u64)>,
}

impl LineMap {
    /// The next document came from `line` (lines only increase).
    fn push(&mut self, line: u64) {
        let offset = line.saturating_sub(self.sent);
        if self.shifts.last().map(|&(_, o)| o) != Some(offset) {
            self.shifts.push((self.sent, offset));
        }
        self.sent += 1;
    }

    fn line(&self, index: u64) -> Option<u64> {
        if index >= self.sent {
            return None;
        }
        let after = self.shifts.partition_point(|&(start, _)| start <= index);
        let (_, offset) = self.shifts.get(after.checked_sub(1)?)?;
        Some(index + offset)
    }
}

impl Origins {
    fn of(&self, index: u64) -> Option<Origin> {
        match self {
            Self::Lines(lines) => lines.line(index).map(Origin::Line),
            Self::Listed { entries: true } => Some(Origin::Entry(index)),
            Self::Listed { entries: false } => (index == 0).then_some(Origin::Whole),
        }
    }
}

impl ImportArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let server = self.client.server();
        let json = self.client.json();
        let mut documents = Documents::open(&self.file).await?;
        let mut client = server.imports().await?;

        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let (finished_tx, finished_rx) = oneshot::channel();
        let call = client.import_documents(requests(rx, finished_rx));
        let mut progress = Progress::new();
        progress.start_sending(documents.name(), documents.size(), documents.total());
        let header = pb::ImportHeader {
            project: self.project.clone(),
            fhir_server: self.fhir_server.clone().unwrap_or_default(),
            on_conflict: pb::ConflictPolicy::from(self.on_conflict) as i32,
            idempotency_key: self.idempotency_key.clone().unwrap_or_default(),
            validate_only: self.validate_only,
            tags: self.tags.clone(),
        };
        let metadata: HashMap<String, String> = self.metadata.iter().cloned().collect();
        let mut origins = Origins::Lines(LineMap::default());
        let feeding = feed(
            &tx,
            header,
            &mut documents,
            metadata,
            &mut progress,
            &mut origins,
        );

        let response = {
            tokio::pin!(call);
            tokio::select! {
                biased;
                // The server answered before every document was sent: an
                // error about the header or the project, or the connection
                // broke.
                early = &mut call => early,
                fed = feeding => match fed {
                    Ok(()) => {
                        let _ = finished_tx.send(());
                        drop(tx);
                        progress.waiting();
                        call.await
                    }
                    // The call ended while documents were still being sent;
                    // its own result says why.
                    Err(Stop::ServerGone) => call.await,
                    // Leaving the block drops the call, which resets the
                    // stream: the server sees it cut, not complete.
                    Err(Stop::Failed(e)) => {
                        progress.clear();
                        return Err(e);
                    }
                },
            }
        };
        progress.clear();
        let response = response?.into_inner();
        if json {
            print_json(out, &response, &origins)?;
        } else {
            print_response(out, &response, self.validate_only, &origins)?;
        }

        let mut ended = None;
        if self.watch && !response.import_id.is_empty() {
            if !json {
                writeln!(out)?;
            }
            let follow = watch::Follow {
                after: response.import.as_ref().map(|i| i.last_sequence),
                verbose: self.verbose,
                json,
            };
            ended = Some(watch::follow_import(&server, &response.import_id, follow, out).await?);
        }
        outcome(&response, ended.as_ref())
    }
}

/// Exit status 2 when anything was rejected or the import did not end well.
fn outcome(
    response: &pb::ImportDocumentsResponse,
    ended: Option<&pb::Import>,
) -> Result<(), CliError> {
    if response.rejected > 0 {
        let noun = if response.received == 1 {
            "document"
        } else {
            "documents"
        };
        let accepted = if response.import_id.is_empty() {
            format!("{} passed validation", response.accepted)
        } else {
            format!("{} were accepted", response.accepted)
        };
        return Err(CliError::Unsuccessful(format!(
            "{} of {} {noun} rejected; {accepted}",
            response.rejected, response.received
        )));
    }
    match ended {
        Some(import) => watch::outcome(import),
        None => Ok(()),
    }
}

/// The request stream. It ends only once the feeder says it sent
/// everything; if the feeder fails it stays open until the call is dropped,
/// so a half-read file can never look like a complete import.
fn requests(
    rx: mpsc::Receiver<pb::ImportDocumentsRequest>,
    finished: oneshot::Receiver<()>,
) -> impl Stream<Item = pb::ImportDocumentsRequest> + Send + 'static {
    let finished = futures::stream::once(async move {
        if finished.await.is_err() {
            std::future::pending::<()>().await;
        }
    })
    .filter_map(|()| None);
    ReceiverStream::new(rx).chain(finished)
}

/// Why feeding stopped before the end of the input.
enum Stop {
    /// The call is over; the request stream is gone.
    ServerGone,
    /// The input could not be read.
    Failed(CliError),
}

/// Sends the header, then every document, each as soon as the channel has
/// room.
async fn feed(
    tx: &mpsc::Sender<pb::ImportDocumentsRequest>,
    header: pb::ImportHeader,
    documents: &mut Documents,
    metadata: HashMap<String, String>,
    progress: &mut Progress,
    origins: &mut Origins,
) -> Result<(), Stop> {
    tx.send(pb::ImportDocumentsRequest {
        kind: Some(Kind::Header(header)),
    })
    .await
    .map_err(|_| Stop::ServerGone)?;
    let mut sent = 0u64;
    while let Some(document) = documents.next().await.map_err(Stop::Failed)? {
        if document.lossy {
            progress.suspend(|| {
                eprintln!(
                    "warning: {} {}: not valid UTF-8; invalid bytes were replaced with U+FFFD",
                    documents.name(),
                    document.origin
                );
            });
        }
        match (&mut *origins, document.origin) {
            (Origins::Lines(lines), Origin::Line(line)) => lines.push(line),
            (_, Origin::Line(_)) => {}
            (_, Origin::Entry(_)) => *origins = Origins::Listed { entries: true },
            (_, Origin::Whole) => *origins = Origins::Listed { entries: false },
        }
        let message = pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(document.json)),
                metadata: metadata.clone(),
            })),
        };
        tx.send(message).await.map_err(|_| Stop::ServerGone)?;
        sent += 1;
        let position = if documents.size().is_some() {
            documents.bytes_read()
        } else {
            sent
        };
        progress.sent(sent, position);
    }
    Ok(())
}

fn print_response(
    out: &mut dyn Write,
    r: &pb::ImportDocumentsResponse,
    validate_only: bool,
    origins: &Origins,
) -> Result<(), CliError> {
    if validate_only {
        writeln!(out, "validation only: nothing was imported")?;
    } else {
        writeln!(out, "import:   {}", r.import_id)?;
    }
    if r.replayed {
        writeln!(
            out,
            "replayed: an import with this idempotency key already ran; nothing new was imported"
        )?;
    }
    writeln!(
        out,
        "received: {}  accepted: {}  rejected: {}",
        r.received, r.accepted, r.rejected
    )?;
    if !r.rejections.is_empty() {
        writeln!(out, "rejected documents:")?;
        for rejection in &r.rejections {
            let at = origins
                .of(rejection.index)
                .map(|o| format!("{o}: "))
                .unwrap_or_default();
            writeln!(out, "  {at}{}", show::rejection(rejection))?;
        }
    }
    if r.rejections_truncated {
        writeln!(
            out,
            "  … only the first {} are listed; see `fhir-import imports items {} --state rejected`",
            r.rejections.len(),
            r.import_id
        )?;
    }
    if let Some(import) = &r.import {
        writeln!(out, "state:    {}", show::import_state(import.state()))?;
    }
    Ok(())
}

/// The response as proto3 JSON, each rejection with where it is in the
/// input (`line`, or `bundleEntry`).
fn print_json(
    out: &mut dyn Write,
    r: &pb::ImportDocumentsResponse,
    origins: &Origins,
) -> Result<(), CliError> {
    let mut value = output::to_json(r)?;
    if let Some(rejections) = value
        .get_mut("rejections")
        .and_then(serde_json::Value::as_array_mut)
    {
        for (rejection, listed) in rejections.iter_mut().zip(&r.rejections) {
            let (key, n) = match origins.of(listed.index) {
                Some(Origin::Line(n)) => ("line", n),
                Some(Origin::Entry(n)) => ("bundleEntry", n),
                _ => continue,
            };
            if let Some(object) = rejection.as_object_mut() {
                object.insert(key.to_owned(), n.into());
            }
        }
    }
    output::line(out, &value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn message(n: u64) -> pb::ImportDocumentsRequest {
        pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(n.to_string())),
                metadata: HashMap::new(),
            })),
        }
    }

    #[test]
    fn lines_are_kept_as_shifts_and_found_by_index() {
        let mut lines = LineMap::default();
        for line in [1, 2, 4, 5, 6, 9] {
            lines.push(line);
        }
        let found: Vec<Option<u64>> = (0..7).map(|i| lines.line(i)).collect();
        assert_eq!(
            found,
            vec![Some(1), Some(2), Some(4), Some(5), Some(6), Some(9), None]
        );
        assert_eq!(lines.shifts.len(), 3, "one entry per blank-line shift");
        let mut dense = LineMap::default();
        (1..=100_000).for_each(|line| dense.push(line));
        assert_eq!(dense.shifts.len(), 1);
        assert_eq!(dense.line(99_999), Some(100_000));
    }

    #[tokio::test]
    async fn the_request_stream_ends_only_when_the_feeder_finished() {
        let (tx, rx) = mpsc::channel(4);
        let (finished_tx, finished_rx) = oneshot::channel();
        let mut stream = Box::pin(requests(rx, finished_rx));
        tx.send(message(0)).await.expect("send");
        let _ = finished_tx.send(());
        drop(tx);
        assert_eq!(stream.next().await, Some(message(0)));
        assert_eq!(stream.next().await, None);
    }

    #[tokio::test]
    async fn a_failed_feeder_leaves_the_request_stream_open() {
        let (tx, rx) = mpsc::channel(4);
        let (finished_tx, finished_rx) = oneshot::channel::<()>();
        let mut stream = Box::pin(requests(rx, finished_rx));
        tx.send(message(0)).await.expect("send");
        drop(finished_tx);
        drop(tx);
        assert_eq!(stream.next().await, Some(message(0)));
        let next = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
        assert!(next.is_err(), "the stream must not end: {next:?}");
    }
}
