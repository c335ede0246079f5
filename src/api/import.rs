//! ImportService over gRPC.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Request, Response, Status, Streaming};

use super::convert;
use crate::auth::Caller;
use crate::import::{
    DocumentMessage, DocumentSource, ImportSpec, Imports, Incoming, Rescrape, StreamFault,
};
use crate::proto::v1::{
    self as pb, document_input::Source, import_documents_request::Kind,
    import_service_server::ImportService, rescrape_files_request::Selection,
};

pub struct ImportApi {
    imports: Imports,
}

impl ImportApi {
    pub fn new(imports: Imports) -> Self {
        Self { imports }
    }
}

fn spec(header: pb::ImportHeader) -> Result<ImportSpec, Status> {
    let on_conflict =
        convert::conflict_policy_from_wire(header.on_conflict).map_err(Status::invalid_argument)?;
    ImportSpec::parse(
        header.project,
        header.fhir_server,
        on_conflict,
        header.idempotency_key,
        header.validate_only,
        header.tags,
    )
    .map_err(Status::invalid_argument)
}

fn incoming(message: Result<pb::ImportDocumentsRequest, Status>) -> Result<Incoming, StreamFault> {
    let message = message.map_err(|status| match status.code() {
        // tonic's decoder refuses a message over max_decoding_message_size.
        Code::OutOfRange | Code::ResourceExhausted => {
            StreamFault::MessageTooLarge(status.message().to_owned())
        }
        _ => StreamFault::Broken(status.message().to_owned()),
    })?;
    Ok(match message.kind {
        Some(Kind::Header(_)) => Incoming::Header,
        Some(Kind::Document(doc)) => Incoming::Document(DocumentMessage {
            source: match doc.source {
                Some(Source::ResourceJson(json)) => DocumentSource::Json(json),
                Some(Source::Reference(reference)) => DocumentSource::Reference(reference),
                None => DocumentSource::Missing,
            },
            metadata: doc.metadata,
        }),
        None => Incoming::Document(DocumentMessage {
            source: DocumentSource::Missing,
            metadata: Default::default(),
        }),
    })
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::ImportEvent, Status>> + Send>>;

#[tonic::async_trait]
impl ImportService for ImportApi {
    async fn import_documents(
        &self,
        request: Request<Streaming<pb::ImportDocumentsRequest>>,
    ) -> Result<Response<pb::ImportDocumentsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let permit = self.imports.admit_stream(&caller)?;
        let mut stream = request.into_inner();
        let header = match stream.message().await? {
            Some(pb::ImportDocumentsRequest {
                kind: Some(Kind::Header(header)),
            }) => header,
            Some(_) => {
                return Err(Status::invalid_argument(
                    "header: the first message must be an ImportHeader; got a document",
                ))
            }
            None => {
                return Err(Status::invalid_argument(
                    "header: the stream was empty; send an ImportHeader first",
                ))
            }
        };
        let spec = spec(header)?;
        let client_gone = CancellationToken::new();
        let answered = client_gone.clone().drop_guard();
        let summary = self
            .imports
            .import_documents(&caller, permit, spec, stream.map(incoming), client_gone)
            .await;
        answered.disarm();
        let summary = summary?;
        Ok(Response::new(pb::ImportDocumentsResponse {
            import_id: summary
                .import
                .as_ref()
                .map(|i| i.id.to_string())
                .unwrap_or_default(),
            received: summary.received,
            accepted: summary.accepted,
            rejected: summary.rejected,
            rejections: summary
                .rejections
                .into_iter()
                .map(|(index, r)| convert::rejection(index, r))
                .collect(),
            rejections_truncated: summary.truncated,
            import: summary.import.map(convert::import),
            replayed: summary.replayed,
        }))
    }

    type WatchImportStream = EventStream;

    async fn watch_import(
        &self,
        request: Request<pb::WatchImportRequest>,
    ) -> Result<Response<Self::WatchImportStream>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let (updates, permit) = self
            .imports
            .watch(&caller, &request.import_id, request.after_sequence)
            .await?;
        // The watcher counts against its caller for as long as the stream
        // is open: the permit goes when tonic drops the stream.
        let stream = ReceiverStream::new(updates).map(move |update| {
            let _held = &permit;
            update.map(convert::watch_update).map_err(Status::from)
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn get_import(
        &self,
        request: Request<pb::GetImportRequest>,
    ) -> Result<Response<pb::Import>, Status> {
        let caller = Caller::of(&request)?;
        let import = self
            .imports
            .get(&caller, &request.into_inner().import_id)
            .await?;
        Ok(Response::new(convert::import(import)))
    }

    async fn list_imports(
        &self,
        request: Request<pb::ListImportsRequest>,
    ) -> Result<Response<pb::ListImportsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let (imports, next_page_token) = self
            .imports
            .list(
                &caller,
                &request.project,
                request.page_size,
                &request.page_token,
            )
            .await?;
        Ok(Response::new(pb::ListImportsResponse {
            imports: imports.into_iter().map(convert::import).collect(),
            next_page_token,
        }))
    }

    async fn list_import_items(
        &self,
        request: Request<pb::ListImportItemsRequest>,
    ) -> Result<Response<pb::ListImportItemsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let states = request
            .states
            .iter()
            .map(|s| convert::item_state_from_wire(*s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Status::invalid_argument)?;
        let (items, next_page_token) = self
            .imports
            .list_items(
                &caller,
                &request.import_id,
                &states,
                request.page_size,
                &request.page_token,
            )
            .await?;
        Ok(Response::new(pb::ListImportItemsResponse {
            items: items.into_iter().map(convert::item).collect(),
            next_page_token,
        }))
    }

    async fn cancel_import(
        &self,
        request: Request<pb::CancelImportRequest>,
    ) -> Result<Response<pb::Import>, Status> {
        let caller = Caller::of(&request)?;
        let import = self
            .imports
            .cancel(&caller, &request.into_inner().import_id)
            .await?;
        Ok(Response::new(convert::import(import)))
    }

    async fn rescrape_files(
        &self,
        request: Request<pb::RescrapeFilesRequest>,
    ) -> Result<Response<pb::RescrapeFilesResponse>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let rescrape = match request.selection {
            Some(Selection::FileIds(list)) => Rescrape::Files(list.ids),
            Some(Selection::ImportId(id)) => Rescrape::Import(id),
            Some(Selection::AllFiles(true)) => Rescrape::AllFiles,
            Some(Selection::AllFiles(false)) | None => {
                return Err(Status::invalid_argument(
                    "selection: set file_ids, import_id or all_files",
                ))
            }
        };
        let states = request
            .metadata_states
            .into_iter()
            .map(convert::metadata_state_from_wire)
            .collect::<Result<Vec<_>, _>>()
            .map_err(Status::invalid_argument)?;
        let started = self
            .imports
            .rescrape(&caller, &request.project, rescrape, states)
            .await?;
        Ok(Response::new(pb::RescrapeFilesResponse {
            imports: started.imports.into_iter().map(convert::import).collect(),
            files: started.files,
            already_pending: started.already_pending,
        }))
    }
}
