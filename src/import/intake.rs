//! Intake: reads a document stream as it arrives, validates each document,
//! and stores accepted and rejected items durably in batches, so memory stays
//! bounded however long the stream is.

use std::collections::HashMap;

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn};

use std::mem::take;

use super::admission::{Held, Permit};
use super::by_reference::{Checked, ReferenceSource};
use super::cut::until_cut;
use super::troubles::Backoff;
use super::writer::IntakeWriter;
use super::{ImportError, ImportSpec, Imports};
use crate::auth::Caller;
use crate::domain::account::Role;
use crate::domain::project::Project;
use crate::domain::{
    document::{document_reference_id, validate_document_json},
    ids::ImportId,
    import::{Import, ImportState},
    metadata::validate_metadata,
    rejection::{Rejection, RejectionCode},
};
use crate::services::fhir_servers::FhirServerError;
use crate::services::projects::acting_user;
use crate::store::{IntakeItem, NewImport, StoreError};

/// One message of the stream after the header.
pub enum Incoming {
    Document(DocumentMessage),
    /// A header where only documents may come.
    Header,
}

pub struct DocumentMessage {
    pub source: DocumentSource,
    pub metadata: HashMap<String, String>,
}

impl DocumentMessage {
    /// About the bytes it takes in memory.
    pub fn size(&self) -> usize {
        let source = match &self.source {
            DocumentSource::Json(json) => json.len(),
            DocumentSource::Reference(reference) => reference.len(),
            DocumentSource::Missing => 0,
        };
        source
            + self
                .metadata
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }
}

pub enum DocumentSource {
    Json(String),
    Reference(String),
    Missing,
}

/// The stream failed before its end.
#[derive(Debug)]
pub enum StreamFault {
    /// The client went away, or the transport broke.
    Broken(String),
    /// A message was over the server's size limit; nothing after it can be
    /// read.
    MessageTooLarge(String),
    /// The server began to shut down.
    ServerStopping,
}

#[derive(Debug, Default)]
pub struct IntakeSummary {
    pub import: Option<Import>,
    pub received: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejections: Vec<(u64, Rejection)>,
    pub truncated: bool,
    pub replayed: bool,
}

impl IntakeSummary {
    pub(super) fn note_rejection(&mut self, index: u64, rejection: &Rejection, max: usize) {
        self.rejected += 1;
        if self.rejections.len() < max {
            self.rejections.push((index, rejection.clone()));
        } else {
            self.truncated = true;
        }
    }
}

/// The answer to a stream whose import stopped taking its documents: a
/// cancelled import's summary (its state says so); for an import another
/// replica took over (this one paused longer than its lease, and that one
/// ended the intake), an error the portal acts on, since the documents it
/// sent since were not stored.
fn stopped_under(summary: IntakeSummary) -> Result<IntakeSummary, ImportError> {
    match summary.import.as_ref() {
        Some(import) if import.state == ImportState::Cancelled => Ok(summary),
        import => Err(ImportError::TakenOver(format!(
            "this server lost import {} to another replica while the stream was open (it \
             paused longer than its lease); the {} documents accepted before are kept; send \
             the stream again (on_conflict SKIP adds only what is missing)",
            import.map(|i| i.id.as_str()).unwrap_or_default(),
            summary.accepted
        ))),
    }
}

impl Imports {
    /// Counts one more open ImportDocuments stream for the caller, from
    /// before its header is read (a stream that never sends one still holds
    /// a slot), or refuses it.
    pub fn admit_stream(&self, caller: &Caller) -> Result<Permit, ImportError> {
        if self.shutdown.draining.is_cancelled() {
            return Err(ImportError::ShuttingDown(
                "this server is draining for a restart and takes no new streams; send the stream again (another replica takes it)".to_owned(),
            ));
        }
        self.admission
            .admit(caller, Held::ImportStream)
            .map_err(ImportError::Busy)
    }

    /// Runs the intake of one stream to its end. The work runs in its own
    /// task: when a client resets the stream, the server drops the call's
    /// future, and the intake must still see the break and close the import.
    ///
    /// `client_gone` fires when the call is dropped before it answers. A
    /// client that cancels its stream looks to the transport like one that
    /// ended it, so this is how a cut stream is told from a finished one.
    pub async fn import_documents<S>(
        &self,
        caller: &Caller,
        permit: Permit,
        spec: ImportSpec,
        stream: S,
        client_gone: CancellationToken,
    ) -> Result<IntakeSummary, ImportError>
    where
        S: Stream<Item = Result<Incoming, StreamFault>> + Unpin + Send + 'static,
    {
        let this = self.clone();
        let caller = caller.clone();
        let stream = until_cut(stream, client_gone, self.shutdown.stopping.clone());
        // The permit goes with the intake, which outlives a dropped call.
        self.streams
            .spawn(async move {
                let _permit = permit;
                this.intake(&caller, spec, stream).await
            })
            .await
            .map_err(|e| ImportError::StreamBroken(format!("intake task ended abnormally: {e}")))?
    }

    #[instrument(skip_all, fields(project = %spec.project, import_id))]
    async fn intake<S>(
        &self,
        caller: &Caller,
        spec: ImportSpec,
        stream: S,
    ) -> Result<IntakeSummary, ImportError>
    where
        S: Stream<Item = Result<Incoming, StreamFault>> + Unpin + Send,
    {
        let project = self
            .projects
            .authorize(caller, &spec.project, Role::Write)
            .await?;
        // Metadata is scraped only from registered servers: an unknown id
        // is a mistake to report now, not on every file later.
        let references = self.reference_source(&spec, &project).await?;
        if spec.validate_only {
            return self.validate_only(&spec, references, stream).await;
        }
        if let Some(key) = &spec.idempotency_key {
            if let Some(earlier) = self.store.find_import_by_key(&project.id, key).await? {
                return self.replay(earlier).await;
            }
        }
        let created = self
            .store
            .create_import(NewImport {
                project_id: project.id.clone(),
                fhir_server: spec.fhir_server.clone(),
                on_conflict: spec.on_conflict,
                idempotency_key: spec.idempotency_key.clone(),
                tags: spec.tags.clone(),
                created_by: acting_user(caller)?.to_owned(),
            })
            .await;
        let import = match (created, &spec.idempotency_key) {
            (Ok(import), _) => import,
            // Another stream with the same key started between our look-up
            // and insert.
            (Err(StoreError::Conflict(_)), Some(key)) => {
                match self.store.find_import_by_key(&project.id, key).await? {
                    Some(earlier) => return self.replay(earlier).await,
                    None => return Err(StoreError::Conflict(key.clone()).into()),
                }
            }
            (Err(err), _) => return Err(err.into()),
        };
        tracing::Span::current().record("import_id", import.id.as_str());
        info!(user = ?caller.user, client_id = ?caller.client_id, "import started");
        let received = self.receive(&import, &spec, references, stream).await;
        if received.is_err() {
            self.settle_in_background(import.id.clone());
        }
        received
    }

    /// Reads the stream into `import` until it ends, breaks or the store
    /// fails.
    async fn receive<S>(
        &self,
        import: &Import,
        spec: &ImportSpec,
        references: Option<ReferenceSource>,
        mut stream: S,
    ) -> Result<IntakeSummary, ImportError>
    where
        S: Stream<Item = Result<Incoming, StreamFault>> + Unpin + Send,
    {
        let mut summary = IntakeSummary {
            import: Some(import.clone()),
            ..IntakeSummary::default()
        };
        let mut batch = Vec::with_capacity(self.limits.batch_size);
        let mut batch_bytes = 0usize;
        // Looked up once: the loop only adds to it.
        let received = metrics::counter!(crate::metrics::DOCUMENTS_RECEIVED);
        let mut writer = IntakeWriter::new(self.clone(), import.id.clone(), references);
        // When the batch being filled is stored if it is not full by then:
        // the linger after its first document, however steadily documents
        // come, so watchers hear of a slow stream that often.
        let mut batch_due: Option<tokio::time::Instant> = None;
        loop {
            let next = match batch_due {
                None => stream.next().await,
                Some(due) => match tokio::time::timeout_at(due, stream.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        batch_bytes = 0;
                        batch_due = None;
                        if !writer.submit(take(&mut batch), &mut summary).await? {
                            return stopped_under(summary);
                        }
                        continue;
                    }
                },
            };
            match next {
                None => break,
                Some(Ok(Incoming::Document(message))) => {
                    batch_bytes += message.size();
                    let item = self.check(summary.received, message, spec).packed();
                    summary.received += 1;
                    received.increment(1);
                    batch.push(item);
                    if batch.len() == 1 {
                        batch_due = Some(tokio::time::Instant::now() + self.limits.batch_linger);
                    }
                    let full = batch.len() >= self.limits.batch_size
                        || batch_bytes >= self.limits.batch_bytes;
                    if full {
                        batch_bytes = 0;
                        batch_due = None;
                        if !writer.submit(take(&mut batch), &mut summary).await? {
                            return stopped_under(summary);
                        }
                    }
                }
                Some(Ok(Incoming::Header)) => {
                    let at = summary.received;
                    writer.finish(take(&mut batch), &mut summary).await?;
                    let why = format!("a second header arrived at document index {at}");
                    self.end_intake(import, Some(why.clone())).await?;
                    return Err(ImportError::InvalidArgument(format!(
                        "header: only the first message may be a header, but {why}; import {} stopped there and the {} documents accepted before it are imported",
                        import.id, summary.accepted
                    )));
                }
                Some(Err(fault)) => {
                    let at = summary.received;
                    warn!(?fault, received = at, "document stream ended early");
                    writer.finish(take(&mut batch), &mut summary).await?;
                    return Err(match fault {
                        StreamFault::Broken(why) => {
                            self.end_intake(import, Some(why.clone())).await?;
                            ImportError::StreamBroken(why)
                        }
                        StreamFault::ServerStopping => {
                            self.end_intake(
                                import,
                                Some("the server shut down while the stream was open".to_owned()),
                            )
                            .await?;
                            ImportError::ShuttingDown(format!(
                                "the server is shutting down; import {} kept the {} documents accepted so far; send the stream again (on_conflict SKIP adds only what is missing)",
                                import.id, summary.accepted
                            ))
                        }
                        StreamFault::MessageTooLarge(why) => {
                            let cut =
                                format!("the message at document index {at} was too large ({why})");
                            self.end_intake(import, Some(cut.clone())).await?;
                            ImportError::MessageTooLarge(format!(
                                "{cut}; import {} stopped there and the {} documents accepted before it are imported; send smaller documents or raise import.max_message_bytes",
                                import.id, summary.accepted
                            ))
                        }
                    });
                }
            }
        }
        if !writer.finish(take(&mut batch), &mut summary).await? {
            return stopped_under(summary);
        }
        summary.import = Some(self.end_intake(import, None).await?);
        info!(
            received = summary.received,
            accepted = summary.accepted,
            rejected = summary.rejected,
            "import stream ended"
        );
        Ok(summary)
    }

    /// An intake that failed part way (the store went away, say) must not
    /// leave its import receiving for ever: it is ended as cut, retried
    /// while the store cannot be reached. A no-op when it was ended already.
    fn settle_in_background(&self, import_id: ImportId) {
        let this = self.clone();
        tokio::spawn(async move {
            let backoff = Backoff::default();
            loop {
                let why = "the server could not store the stream's documents".to_owned();
                match this.store.finish_intake(&import_id, Some(why)).await {
                    Ok(ended) => {
                        this.notifier.publish(&import_id, ended.last_sequence);
                        this.processor.enqueue(&import_id);
                        return;
                    }
                    Err(StoreError::Unavailable(_)) => {
                        tokio::select! {
                            _ = this.shutdown.stopping.cancelled() => return,
                            _ = tokio::time::sleep(backoff.failed()) => {}
                        }
                    }
                    Err(err) => {
                        warn!(import_id = %import_id, error = %err, "ending a failed intake failed");
                        return;
                    }
                }
            }
        });
    }

    /// Validates one document message. A document given by reference is
    /// checked as far as it can be here and read from the FHIR server with
    /// the rest of its batch.
    pub(super) fn check(&self, index: u64, message: DocumentMessage, spec: &ImportSpec) -> Checked {
        let outcome = match message.source {
            DocumentSource::Missing => Err(Rejection::new(
                RejectionCode::EmptyDocument,
                "document: set resource_json or reference",
            )),
            DocumentSource::Reference(reference) => match document_reference_id(&reference) {
                Err(rejection) => Err(rejection),
                Ok(id) if spec.fhir_server.is_none() => Err(Rejection::new(
                    RejectionCode::ReferenceNotResolvable,
                    format!("reference: the header names no fhir_server to read DocumentReference/{id} from; set header.fhir_server or send resource_json"),
                )
                .with_document_id(Some(id))),
                Ok(id) => match validate_metadata(message.metadata) {
                    Ok(metadata) => {
                        return Checked::ByReference {
                            index,
                            id,
                            metadata,
                        }
                    }
                    Err(rejection) => Err(rejection.with_document_id(Some(id))),
                },
            },
            DocumentSource::Json(json) => {
                validate_document_json(&json, &self.limits.document).and_then(|doc| {
                    match validate_metadata(message.metadata) {
                        Ok(metadata) => Ok((doc, metadata)),
                        Err(rejection) => Err(rejection.with_document_id(Some(doc.id))),
                    }
                })
            }
        };
        Checked::Ready(IntakeItem::new(index, outcome))
    }

    /// Where documents given by reference are read from: the import's FHIR
    /// server, when it names one, which must be registered and open to the
    /// project.
    async fn reference_source(
        &self,
        spec: &ImportSpec,
        project: &Project,
    ) -> Result<Option<ReferenceSource>, ImportError> {
        let Some(server_id) = &spec.fhir_server else {
            return Ok(None);
        };
        let client = match self.servers.client_for(server_id.as_str(), project).await {
            Ok(Some(client)) => client,
            Ok(None) => {
                return Err(ImportError::InvalidArgument(format!(
                    "header.fhir_server: no FHIR server \"{server_id}\" is registered; an admin registers it with FhirServerService"
                )))
            }
            Err(FhirServerError::Store(err)) => return Err(err.into()),
            Err(err @ FhirServerError::NotAllowed { .. }) => {
                return Err(ImportError::PermissionDenied(format!("header.fhir_server: {err}")))
            }
            Err(err) => return Err(ImportError::FailedPrecondition(err.to_string())),
        };
        Ok(Some(ReferenceSource {
            server_id: server_id.clone(),
            client,
        }))
    }

    async fn end_intake(
        &self,
        import: &Import,
        interrupted: Option<String>,
    ) -> Result<Import, ImportError> {
        let ended = self.store.finish_intake(&import.id, interrupted).await?;
        self.notifier.publish(&import.id, ended.last_sequence);
        self.processor.enqueue(&import.id);
        Ok(ended)
    }
}
