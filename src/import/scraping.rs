//! The metadata stage: a background worker that takes the files an import
//! recorded, fetches what their documents point at from the import's FHIR
//! server (each resource once per batch, with `_id` searches first), applies
//! the server's schema and stores the key-value metadata, batch by batch.
//! A server that is slow or down holds up only its own imports' batches.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use futures::{future::BoxFuture, stream, StreamExt};
use serde_json::Value;
use tokio::{
    sync::{mpsc, Semaphore},
    task::JoinSet,
};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn};

use super::notify::Notifier;
use super::troubles::{Backoff, Troubles};
use crate::config::ScrapeConfig;
use crate::domain::{
    ids::ImportId,
    import::{Failure, ImportKind, ItemFailure, ItemState},
};
use crate::scrape::{evaluate, FhirSource, RecentReads, ResourceSource, Schema, Scraped};
use crate::services::fhir_servers::{FhirServerError, FhirServers};
use crate::store::{AwaitingMetadata, ScrapeOutcome, ScrapeResult, Store, StoreError};

/// Documents of a batch evaluated at once; the client's own limits bound
/// what reaches the server.
const CONCURRENT_DOCUMENTS: usize = 16;
/// Imports scraped at once, so that one slow server does not hold up the
/// others.
const CONCURRENT_IMPORTS: usize = 4;

#[derive(Clone)]
pub struct ScrapingStage {
    queue: mpsc::UnboundedSender<ImportId>,
    /// Imports queued or being scraped; one batch of an import at a time.
    states: Arc<Mutex<HashMap<ImportId, Turn>>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Turn {
    Queued,
    Running,
    /// Asked for again while running: queue once more when done.
    RunningAgain,
}

struct Worker {
    store: Store,
    servers: FhirServers,
    notifier: Notifier,
    scraper: ScrapingStage,
    troubles: Troubles,
    backoff: Backoff,
    batch_size: u64,
    /// What each import read so far, for its later batches.
    within_import: RecentReads,
}

impl ScrapingStage {
    pub fn start(
        store: Store,
        servers: FhirServers,
        notifier: Notifier,
        troubles: Troubles,
        settings: &ScrapeConfig,
        shutdown: CancellationToken,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, rx) = mpsc::unbounded_channel();
        let scraper = Self {
            queue,
            states: Arc::default(),
        };
        let worker = Arc::new(Worker {
            store,
            servers,
            notifier,
            troubles,
            backoff: Backoff::default(),
            scraper: scraper.clone(),
            batch_size: settings.batch_size,
            within_import: RecentReads::new(settings.within_import),
        });
        let handle = tokio::spawn(worker.run(rx, shutdown));
        (scraper, handle)
    }

    /// Asks for the import's recorded files to be scraped.
    pub fn enqueue(&self, import_id: &ImportId) {
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        match states.get(import_id).copied() {
            None => {
                states.insert(import_id.clone(), Turn::Queued);
                if self.queue.send(import_id.clone()).is_err() {
                    states.remove(import_id);
                }
            }
            Some(Turn::Running) => {
                states.insert(import_id.clone(), Turn::RunningAgain);
            }
            Some(Turn::Queued | Turn::RunningAgain) => {}
        }
    }

    fn started(&self, import_id: &ImportId) {
        self.states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(import_id.clone(), Turn::Running);
    }

    /// Ends a batch; queues the import again when more may be waiting or
    /// it was asked for meanwhile.
    fn finished(&self, import_id: &ImportId, more: bool) {
        let again = {
            let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
            let asked = states.remove(import_id) == Some(Turn::RunningAgain);
            more || asked
        };
        if again {
            self.enqueue(import_id);
        }
    }
}

impl Worker {
    async fn run(
        self: Arc<Self>,
        mut rx: mpsc::UnboundedReceiver<ImportId>,
        shutdown: CancellationToken,
    ) {
        let slots = Arc::new(Semaphore::new(CONCURRENT_IMPORTS));
        let mut batches = JoinSet::new();
        loop {
            let import_id = tokio::select! {
                _ = shutdown.cancelled() => break,
                next = rx.recv() => match next {
                    Some(id) => id,
                    None => break,
                },
            };
            let permit = tokio::select! {
                _ = shutdown.cancelled() => break,
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let worker = self.clone();
            let shutdown = shutdown.clone();
            batches.spawn(async move {
                let _permit = permit;
                worker.scraper.started(&import_id);
                let started = std::time::Instant::now();
                let scraped = worker.scrape_batch(&import_id, &shutdown).await;
                metrics::histogram!(crate::metrics::STAGE_BATCH_SECONDS, "stage" => "scraping")
                    .record(started.elapsed().as_secs_f64());
                let more = match scraped {
                    Ok(more) => {
                        worker.backoff.succeeded();
                        worker.troubles.store_reachable();
                        more
                    }
                    Err(err) => {
                        let wait = worker.backoff.failed();
                        warn!(import_id = %import_id, error = %err, retry_in_ms = wait.as_millis() as u64,
                            "scraping could not reach the store; retrying");
                        match &err {
                            StoreError::Unavailable(_) => worker.troubles.store_unavailable(),
                            _ => worker.troubles.set(
                                &import_id,
                                "storing metadata failed in the store; the server retries"
                                    .to_owned(),
                            ),
                        }
                        tokio::select! {
                            _ = shutdown.cancelled() => {}
                            _ = tokio::time::sleep(wait) => {}
                        }
                        true
                    }
                };
                if !shutdown.is_cancelled() {
                    worker.scraper.finished(&import_id, more);
                }
            });
            while batches.try_join_next().is_some() {}
        }
        while batches.join_next().await.is_some() {}
        info!("metadata worker stopped");
    }

    /// Scrapes one batch; true when more may be waiting. On shutdown a
    /// batch still fetching is dropped before anything is stored: its
    /// files stay IMPORTED and are scraped after the restart.
    #[instrument(skip_all, fields(import_id = %import_id))]
    async fn scrape_batch(
        &self,
        import_id: &ImportId,
        shutdown: &CancellationToken,
    ) -> Result<bool, StoreError> {
        // None when taken over by another replica: it scrapes the rest.
        let Some(import) = self.store.held_import(import_id).await? else {
            return Ok(false);
        };
        let Some(server) = import.fhir_server.clone() else {
            return Ok(false);
        };
        if import.state.is_terminal() {
            return Ok(false);
        }
        let batch = self.batch_size;
        let awaiting = self.store.awaiting_metadata(import_id, batch).await?;
        if awaiting.is_empty() {
            let import = self.store.settle_import(import_id).await?;
            self.notifier.publish(import_id, import.last_sequence);
            return Ok(false);
        }
        let full = awaiting.len() as u64 == batch;
        let scrape = async {
            Ok(
                match self
                    .servers
                    .scraper_for(server.as_str(), &import.project_id)
                    .await
                {
                    Ok(Some((connection, Some(schema)))) => {
                        // A rescrape is asked for to see the server as it is now.
                        let reuse_recent = import.kind != ImportKind::Rescrape;
                        let source =
                            FhirSource::sharing(connection.client, connection.recent, reuse_recent)
                                .within_import(self.within_import.scoped(import_id.as_str()));
                        scrape_all(source, Arc::new(schema), awaiting).await
                    }
                    Ok(Some((_, None))) => fail_all(
                        awaiting,
                        Failure::new(
                            ItemFailure::NoSchema,
                            format!("no schema fits FHIR server {server}; an admin can pin one"),
                        ),
                    ),
                    Ok(None) => fail_all(
                        awaiting,
                        Failure::new(
                            ItemFailure::FhirServerNotRegistered,
                            format!("FHIR server {server} is no longer registered"),
                        ),
                    ),
                    Err(err @ FhirServerError::NotAllowed { .. }) => fail_all(
                        awaiting,
                        Failure::new(ItemFailure::FhirServerNotAllowed, err.to_string()),
                    ),
                    // The store could not be read: try again, failing nothing.
                    Err(FhirServerError::Store(err)) => return Err(err),
                    Err(err) => fail_all(
                        awaiting,
                        Failure::new(ItemFailure::FhirServerUnavailable, err.to_string()),
                    ),
                },
            )
        };
        let outcomes = tokio::select! {
            _ = shutdown.cancelled() => return Ok(false),
            outcomes = scrape => outcomes?,
        };
        match self.store.record_scrapes(import_id, &outcomes).await {
            Ok(Some(import)) => self.notifier.publish(import_id, import.last_sequence),
            Ok(None) => {}
            Err(err @ StoreError::Unavailable(_)) => return Err(err),
            Err(refused) => {
                warn!(error = %refused, files = outcomes.len(),
                    "the store refused a batch of metadata; storing it file by file");
                self.record_one_by_one(import_id, &outcomes).await?;
            }
        }
        Ok(full)
    }

    /// Stores each outcome of a refused batch alone, so that the one the
    /// store refuses fails with why and the others are stored.
    async fn record_one_by_one(
        &self,
        import_id: &ImportId,
        outcomes: &[ScrapeOutcome],
    ) -> Result<(), StoreError> {
        for outcome in outcomes {
            let stored = match self
                .store
                .record_scrapes(import_id, std::slice::from_ref(outcome))
                .await
            {
                Ok(stored) => stored,
                Err(err @ StoreError::Unavailable(_)) => return Err(err),
                Err(refused) => {
                    warn!(index = outcome.index, error = %refused,
                        "the store refused a file's metadata; failing it alone");
                    let failure = Failure::new(
                        ItemFailure::StoreRefused,
                        "the store refused this file's metadata (the server log has \
                         the detail); the rest of its batch was stored",
                    );
                    self.store
                        .fail_items(
                            import_id,
                            ItemState::Imported,
                            ItemState::ScrapeFailed,
                            &[(outcome.index, failure)],
                        )
                        .await?
                }
            };
            match stored {
                Some(import) => self.notifier.publish(import_id, import.last_sequence),
                // Cancelled meanwhile.
                None => return Ok(()),
            }
        }
        Ok(())
    }
}

fn fail_all(awaiting: Vec<AwaitingMetadata>, failure: Failure) -> Vec<ScrapeOutcome> {
    awaiting
        .into_iter()
        .map(|file| ScrapeOutcome {
            index: file.index,
            document_id: file.document_id,
            file_id: file.file_id,
            result: Err(failure.clone()),
        })
        .collect()
}

/// The references a document most likely needs: its subject and related
/// resources, fetched for the whole batch with `_id` searches.
fn likely_references(document: &Value) -> Vec<String> {
    let mut references = Vec::new();
    let mut push = |value: &Value| {
        if let Some(reference) = value["reference"].as_str() {
            references.push(reference.to_owned());
        }
    };
    push(&document["subject"]);
    if let Some(related) = document["context"]["related"].as_array() {
        related.iter().for_each(&mut push);
    }
    references
}

/// Boxed so that the future's `Send` is proven here, once, rather than
/// through every generic layer of the stream below.
fn scrape_all(
    source: FhirSource,
    schema: Arc<Schema>,
    awaiting: Vec<AwaitingMetadata>,
) -> BoxFuture<'static, Vec<ScrapeOutcome>> {
    Box::pin(async move {
        let documents: Vec<(AwaitingMetadata, Option<Value>)> = awaiting
            .into_iter()
            .map(|file| {
                let document = serde_json::from_str(&file.document_json).ok();
                (file, document)
            })
            .collect();
        let parsed: Vec<&Value> = documents.iter().filter_map(|(_, d)| d.as_ref()).collect();
        let references: Vec<String> = parsed.iter().flat_map(|d| likely_references(d)).collect();
        futures::join!(
            source.prefetch(references),
            source.prefetch_searches(&schema, &parsed)
        );
        let source: Arc<dyn ResourceSource> = Arc::new(source);
        stream::iter(documents)
            .map(move |(file, document)| {
                let source = source.clone();
                let schema = schema.clone();
                async move {
                    let result = match document {
                        None => Err(Failure::new(
                            ItemFailure::InvalidStoredDocument,
                            "the stored document is not JSON",
                        )),
                        Some(document) => {
                            let scraped = evaluate(&schema, &document, source).await;
                            outcome(&schema, scraped)
                        }
                    };
                    ScrapeOutcome {
                        index: file.index,
                        document_id: file.document_id,
                        file_id: file.file_id,
                        result,
                    }
                }
            })
            .buffer_unordered(CONCURRENT_DOCUMENTS)
            .collect()
            .await
    })
}

/// Metadata with its provenance. When the server could not answer for
/// some keys (down, timing out, erroring), scraping failed and is worth
/// retrying, but the keys it did fill are kept; other problems (a key with
/// an expression error, a value cut) leave partial metadata.
fn outcome(schema: &Schema, scraped: Scraped) -> Result<ScrapeResult, Failure> {
    let unavailable = scraped
        .problems
        .iter()
        .find(|p| p.kind.server_unavailable())
        .map(|p| p.kind.to_string());
    let problems = scraped
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.key, p.kind))
        .collect();
    Ok(ScrapeResult {
        schema: schema.id(),
        pairs: scraped.pairs,
        sources: scraped.versions,
        problems,
        failure: unavailable,
    })
}
