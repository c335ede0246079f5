//! `fhir-import import`: streams a file's documents to ImportDocuments
//! through a bounded channel, shows progress, and prints the outcome.

use std::{collections::HashMap, fmt, io::Write, path::PathBuf, time::Duration};

use futures::Stream;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::{wrappers::ReceiverStream, StreamExt};

use super::{error::CliError, show, source::Documents, watch, Server};
use crate::proto::v1::{self as pb, document_input::Source, import_documents_request::Kind};

/// Documents read ahead of the network; bounds memory for huge files.
const CHANNEL_CAPACITY: usize = 64;

/// Everything `fhir-import import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportArgs {
    pub project: String,
    /// NDJSON, a Bundle or one resource; `-` is stdin.
    pub file: PathBuf,
    pub fhir_server: String,
    pub on_conflict: pb::ConflictPolicy,
    pub idempotency_key: String,
    pub tags: Vec<String>,
    pub validate_only: bool,
    /// Put on every document.
    pub metadata: Vec<(String, String)>,
    /// Follow the import until it finishes.
    pub watch: bool,
}

pub async fn run(server: &Server, args: ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut documents = Documents::open(&args.file).await?;
    let mut client = server.imports().await?;

    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let (finished_tx, finished_rx) = oneshot::channel();
    let call = client.import_documents(requests(rx, finished_rx));
    let progress = progress_bar(documents.total());
    let header = pb::ImportHeader {
        project: args.project.clone(),
        fhir_server: args.fhir_server.clone(),
        on_conflict: args.on_conflict as i32,
        idempotency_key: args.idempotency_key.clone(),
        validate_only: args.validate_only,
        tags: args.tags.clone(),
    };
    let metadata: HashMap<String, String> = args.metadata.iter().cloned().collect();
    let feeding = feed(&tx, header, &mut documents, metadata, &progress);

    let response = {
        tokio::pin!(call);
        tokio::select! {
            biased;
            // The server answered before every document was sent: an error
            // about the header or the project, or the connection broke.
            early = &mut call => early,
            fed = feeding => match fed {
                Ok(()) => {
                    let _ = finished_tx.send(());
                    drop(tx);
                    progress.set_message("- waiting for the server");
                    call.await
                }
                // The call ended while documents were still being sent; its
                // own result says why.
                Err(Stop::ServerGone) => call.await,
                // Leaving the block drops the call, which resets the stream:
                // the server sees it cut, not complete.
                Err(Stop::Failed(e)) => {
                    progress.abandon();
                    return Err(e);
                }
            },
        }
    };
    progress.finish_and_clear();
    let response = response?.into_inner();
    print_response(out, &response, args.validate_only)?;

    if args.watch && !response.import_id.is_empty() {
        let after = response.import.as_ref().map_or(0, |i| i.last_sequence);
        writeln!(out)?;
        watch::run(server, &response.import_id, after, out).await?;
    }
    Ok(())
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
    progress: &ProgressBar,
) -> Result<(), Stop> {
    tx.send(pb::ImportDocumentsRequest {
        kind: Some(Kind::Header(header)),
    })
    .await
    .map_err(|_| Stop::ServerGone)?;
    while let Some(document) = documents.next().await.map_err(Stop::Failed)? {
        if document.lossy {
            progress.suspend(|| {
                eprintln!(
                    "warning: {} line {}: not valid UTF-8; invalid bytes were replaced with U+FFFD",
                    documents.name(),
                    document.line.unwrap_or_default()
                );
            });
        }
        let message = pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(document.json)),
                metadata: metadata.clone(),
            })),
        };
        tx.send(message).await.map_err(|_| Stop::ServerGone)?;
        progress.inc(1);
    }
    Ok(())
}

/// A bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar(total: Option<u64>) -> ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} documents sent {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos} documents sent ({rate}, {elapsed}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .with_key("rate", |state: &ProgressState, w: &mut dyn fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            }),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn print_response(
    out: &mut dyn Write,
    r: &pb::ImportDocumentsResponse,
    validate_only: bool,
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
            writeln!(out, "  {}", show::rejection(rejection))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u64) -> pb::ImportDocumentsRequest {
        pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(n.to_string())),
                metadata: HashMap::new(),
            })),
        }
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
