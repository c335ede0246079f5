//! The processing stage: a background worker that takes accepted items and
//! records their files, batch by batch, imports taking turns. Metadata
//! scraping will be a further stage of the same worker.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{sync::mpsc, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn};

use super::notify::Notifier;
use super::scraper::Scraper;
use crate::domain::{document::validate_document_json, ids::ImportId, import::ImportState};
use crate::store::{RecordRequest, Store, StoreError};

const BATCH: u64 = 500;

#[derive(Clone)]
pub struct Processor {
    queue: mpsc::UnboundedSender<ImportId>,
    queued: Arc<Mutex<HashSet<ImportId>>>,
}

enum Progress {
    More,
    Done,
}

impl Processor {
    /// Starts the worker. It stops between two batches once `shutdown` fires.
    pub fn start(
        store: Store,
        notifier: Notifier,
        scraper: Scraper,
        shutdown: CancellationToken,
    ) -> (Self, JoinHandle<()>) {
        let (queue, rx) = mpsc::unbounded_channel();
        let processor = Self {
            queue,
            queued: Arc::default(),
        };
        let worker = Worker {
            store,
            notifier,
            scraper,
            processor: processor.clone(),
        };
        let handle = tokio::spawn(worker.run(rx, shutdown));
        (processor, handle)
    }

    /// Asks for the import's pending items to be processed. Asking again
    /// while it waits in the queue changes nothing.
    pub fn enqueue(&self, import_id: &ImportId) {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        if queued.insert(import_id.clone()) && self.queue.send(import_id.clone()).is_err() {
            queued.remove(import_id);
        }
    }

    fn dequeued(&self, import_id: &ImportId) {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        queued.remove(import_id);
    }
}

struct Worker {
    store: Store,
    notifier: Notifier,
    /// Takes over the files of imports that name a FHIR server.
    scraper: Scraper,
    processor: Processor,
}

impl Worker {
    async fn run(self, mut rx: mpsc::UnboundedReceiver<ImportId>, shutdown: CancellationToken) {
        loop {
            let import_id = tokio::select! {
                _ = shutdown.cancelled() => break,
                next = rx.recv() => match next {
                    Some(id) => id,
                    None => break,
                },
            };
            self.processor.dequeued(&import_id);
            match self.process_batch(&import_id).await {
                Ok(Progress::More) => self.processor.enqueue(&import_id),
                Ok(Progress::Done) => {}
                Err(err) => {
                    warn!(import_id = %import_id, error = %err, "processing failed; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    }
                    self.processor.enqueue(&import_id);
                }
            }
        }
        info!("processing worker stopped");
    }

    #[instrument(skip_all, fields(import_id = %import_id))]
    async fn process_batch(&self, import_id: &ImportId) -> Result<Progress, StoreError> {
        let pending = self.store.pending_items(import_id, BATCH).await?;
        if pending.is_empty() {
            let import = self.store.settle_import(import_id).await?;
            self.notifier.publish(import_id, import.last_sequence);
            return Ok(Progress::Done);
        }
        let full = pending.len() as u64 == BATCH;
        let requests = pending
            .into_iter()
            .map(|item| RecordRequest {
                index: item.index,
                document_id: item.document_id,
                document: validate_document_json(&item.document_json, usize::MAX)
                    .map_err(|r| format!("stored document no longer valid: {}", r.message)),
                metadata: item.metadata,
            })
            .collect();
        match self.store.record_files(import_id, requests).await {
            Ok(Some(import)) => {
                self.notifier.publish(import_id, import.last_sequence);
                if !import.fhir_server.is_empty() {
                    self.scraper.enqueue(import_id);
                }
                Ok(if full { Progress::More } else { Progress::Done })
            }
            // The items changed under the batch (cancelled): look again.
            Ok(None) => match self.store.get_import(import_id).await? {
                Some(import) if !import.state.is_terminal() => Ok(Progress::More),
                _ => Ok(Progress::Done),
            },
            Err(err) => Err(err),
        }
    }
}

/// After a restart: streams that were open died with the old process, so
/// their imports stop receiving; every unfinished import is processed on.
pub async fn resume_unfinished(
    store: &Store,
    notifier: &Notifier,
    processor: &Processor,
    scraper: &Scraper,
) -> Result<usize, StoreError> {
    let unfinished = store.unfinished_imports().await?;
    for import in &unfinished {
        if import.state == ImportState::Receiving {
            let settled = store
                .finish_intake(
                    &import.id,
                    Some("the server restarted while the stream was open".to_owned()),
                )
                .await?;
            notifier.publish(&import.id, settled.last_sequence);
        }
        processor.enqueue(&import.id);
        if !import.fhir_server.is_empty() {
            scraper.enqueue(&import.id);
        }
    }
    Ok(unfinished.len())
}
