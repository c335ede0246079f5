//! Streaming documents into an import: from any stream of documents (pulled
//! as the server takes them, so the input is never all in memory), from an
//! NDJSON file and from a Bundle.

use std::{collections::HashMap, path::Path, sync::Arc, time::Duration};

use futures::{Stream, StreamExt};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::error::Error;
use crate::proto::v1::{
    self as pb, document_input::Source, import_documents_request::Kind, ConflictPolicy,
};
use crate::Client;

/// One document to import: a DocumentReference (JSON text or value), or a
/// reference the service reads from the import's FHIR server; with
/// metadata of the portal's own if wanted.
#[derive(Debug, Clone)]
pub struct Document {
    source: Source,
    metadata: HashMap<String, String>,
}

impl Document {
    /// A DocumentReference as JSON text, sent as it is.
    pub fn json(text: impl Into<String>) -> Self {
        Self::of(Source::ResourceJson(text.into()))
    }

    /// A DocumentReference as a JSON value.
    pub fn resource(value: &serde_json::Value) -> Self {
        Self::json(value.to_string())
    }

    /// `DocumentReference/<id>` on the import's FHIR server.
    pub fn reference(reference: impl Into<String>) -> Self {
        Self::of(Source::Reference(reference.into()))
    }

    /// This document's own metadata key and value.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    fn of(source: Source) -> Self {
        Self {
            source,
            metadata: HashMap::new(),
        }
    }

    fn into_request(self) -> pb::ImportDocumentsRequest {
        pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(self.source),
                metadata: self.metadata,
            })),
        }
    }
}

impl From<String> for Document {
    fn from(text: String) -> Self {
        Self::json(text)
    }
}

impl From<&str> for Document {
    fn from(text: &str) -> Self {
        Self::json(text)
    }
}

impl From<serde_json::Value> for Document {
    fn from(value: serde_json::Value) -> Self {
        Self::resource(&value)
    }
}

/// The import's header fields, and how to run the call.
#[derive(Clone, Default)]
pub struct ImportOptions {
    /// The registered FHIR server the documents come from (empty: none).
    pub fhir_server: String,
    /// What to do with a document whose file exists (overwrite by default).
    pub on_conflict: ConflictPolicy,
    /// The same key again returns the first import instead of a new one.
    pub idempotency_key: String,
    pub tags: Vec<String>,
    /// Check the documents without importing them.
    pub validate_only: bool,
    /// Told how many documents the stream has taken, after each one.
    pub on_progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
    /// A deadline for the whole call.
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("fhir_server", &self.fhir_server)
            .field("on_conflict", &self.on_conflict)
            .field("idempotency_key", &self.idempotency_key)
            .field("tags", &self.tags)
            .field("validate_only", &self.validate_only)
            .field("on_progress", &self.on_progress.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ImportOptions {
    pub fn on_progress(mut self, progress: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(progress));
        self
    }
}

impl Client {
    /// Streams `documents` into `project` as one ImportDocuments call and
    /// returns the response: counts, and each rejected document's index,
    /// id, code and message. A rejected document does not fail the call.
    pub async fn import_documents<S>(
        &self,
        project: &str,
        documents: S,
        options: ImportOptions,
    ) -> Result<pb::ImportDocumentsResponse, Error>
    where
        S: Stream<Item = Document> + Send + 'static,
    {
        let header = pb::ImportDocumentsRequest {
            kind: Some(Kind::Header(pb::ImportHeader {
                project: project.to_owned(),
                fhir_server: options.fhir_server,
                on_conflict: options.on_conflict as i32,
                idempotency_key: options.idempotency_key,
                validate_only: options.validate_only,
                tags: options.tags,
            })),
        };
        let requests = requests(header, documents, options.on_progress);
        let mut request = tonic::Request::new(requests);
        if let Some(timeout) = options.timeout {
            request.set_timeout(timeout);
        }
        Ok(self.imports().import_documents(request).await?.into_inner())
    }

    /// Imports an NDJSON file, one DocumentReference per line (blank lines
    /// skipped), read as the stream takes the lines. If the file cannot be
    /// read to its end, the call is cut rather than finished (the import
    /// ends COMPLETED_WITH_ERRORS with what was sent) and the read error is
    /// returned.
    pub async fn import_ndjson(
        &self,
        project: &str,
        path: impl AsRef<Path>,
        options: ImportOptions,
    ) -> Result<pb::ImportDocumentsResponse, Error> {
        let path = path.as_ref().to_owned();
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| Error::Input(format!("cannot open {}: {e}", path.display())))?;
        let (failed, failure) = tokio::sync::oneshot::channel::<String>();
        let mut failed = Some(failed);
        let shown = path.display().to_string();
        let documents = async_stream::stream! {
            let mut lines = BufReader::new(file).lines();
            let mut number = 0u64;
            loop {
                number += 1;
                match lines.next_line().await {
                    Ok(Some(line)) if line.trim().is_empty() => {}
                    Ok(Some(line)) => yield Document::json(line),
                    Ok(None) => break,
                    Err(e) => {
                        if let Some(failed) = failed.take() {
                            let _ = failed.send(format!("cannot read line {number} of {shown}: {e}"));
                        }
                        // Never end: the call is dropped, which cuts it.
                        futures::future::pending::<()>().await;
                    }
                }
            }
        };
        tokio::select! {
            result = self.import_documents(project, documents, options) => result,
            Ok(reason) = failure => Err(Error::Input(reason)),
        }
    }
}

/// The header, then each document as the call takes it (counted for
/// `progress`).
fn requests<S>(
    header: pb::ImportDocumentsRequest,
    documents: S,
    progress: Option<Arc<dyn Fn(u64) + Send + Sync>>,
) -> impl Stream<Item = pb::ImportDocumentsRequest> + Send + 'static
where
    S: Stream<Item = Document> + Send + 'static,
{
    async_stream::stream! {
        yield header;
        let mut sent = 0u64;
        futures::pin_mut!(documents);
        while let Some(document) = documents.next().await {
            sent += 1;
            if let Some(progress) = &progress {
                progress(sent);
            }
            yield document.into_request();
        }
    }
}

/// The DocumentReferences among a Bundle's entries, in order.
pub fn bundle_documents(bundle: &serde_json::Value) -> Result<Vec<Document>, Error> {
    let kind = bundle.get("resourceType").and_then(|v| v.as_str());
    if kind != Some("Bundle") {
        return Err(Error::Input(format!(
            "expected a Bundle, got {}",
            kind.unwrap_or("no resourceType")
        )));
    }
    Ok(bundle
        .get("entry")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("resource"))
        .filter(|resource| {
            resource.get("resourceType").and_then(|v| v.as_str()) == Some("DocumentReference")
        })
        .map(Document::resource)
        .collect())
}
