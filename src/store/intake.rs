//! Writes of the intake stage: creating an import, storing each batch of
//! received documents durably with its events, and closing the intake.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};

use migration::stored_document;

use super::batch::RecordRequest;
use super::batch::{BatchEvents, BatchWritten};
use super::convert::{
    batch_time, counts_of, event_row, item_row, set_counts, Accepted, CheckedFields,
};
use super::entities::{import, import_event, import_item};
use super::keys::{next_key, FileOwners};
use super::{insert_chunked, Store, StoreError, StoreResult, WriteTx};
use crate::domain::{
    document::ValidDocument,
    ids::{stored_server, FhirServerId, ImportId, ProjectId},
    import::{
        Change, ConflictPolicy, Counts, Event, Import, ImportKind, ImportState, Item, ItemStage,
        ItemState, StoredRejection,
    },
    rejection::Rejection,
};

pub struct NewImport {
    pub project_id: ProjectId,
    pub fhir_server: Option<FhirServerId>,
    pub on_conflict: ConflictPolicy,
    pub idempotency_key: Option<String>,
    pub tags: Vec<String>,
    pub created_by: String,
}

/// One received document after validation.
pub struct IntakeItem {
    pub index: u64,
    pub outcome: Result<(ValidDocument, std::collections::BTreeMap<String, String>), Rejection>,
    /// The accepted document as its file stores it, once `packed`; the
    /// batch writer packs what is not.
    stored: Option<Vec<u8>>,
}

impl IntakeItem {
    pub fn new(
        index: u64,
        outcome: Result<(ValidDocument, std::collections::BTreeMap<String, String>), Rejection>,
    ) -> Self {
        Self {
            index,
            outcome,
            stored: None,
        }
    }

    /// The item with its document packed now. The intake packs each item
    /// on the stream's task as it arrives, so that compressing overlaps the
    /// batch writer's statements instead of lengthening them.
    pub fn packed(mut self) -> Self {
        if let (None, Ok((doc, _))) = (&self.stored, &self.outcome) {
            self.stored = Some(stored_document::pack(&doc.json));
        }
        self
    }
}

/// What a batch write leaves behind.
pub struct IntakeOutcome {
    pub import: Import,
    pub accepted: u64,
    /// Items of the import waiting for the processing stage.
    pub pending: u64,
    /// Nothing was stored: the import no longer receives (cancelled), or
    /// another replica holds it now (this one paused past its lease and
    /// that one ended the intake).
    pub stopped: bool,
}

/// When a batch's files are recorded.
#[derive(Clone, Copy)]
enum Recording {
    /// In the batch's own transaction.
    Now,
    /// By the processing stage.
    Later,
}

impl Store {
    pub async fn create_import(&self, new: NewImport) -> StoreResult<Import> {
        let now = Utc::now();
        let tags =
            serde_json::to_string(&new.tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut row = import::ActiveModel {
            id: Set(ImportId::generate().into_string()),
            project_id: Set(new.project_id.into_string()),
            kind: Set(ImportKind::Documents.as_str().to_owned()),
            state: Set(ImportState::Receiving.as_str().to_owned()),
            fhir_server: Set(stored_server(new.fhir_server.as_ref())),
            on_conflict: Set(new.on_conflict.as_str().to_owned()),
            idempotency_key: Set(new.idempotency_key),
            tags: Set(tags),
            error: Set(String::new()),
            created_by: Set(new.created_by),
            last_sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        };
        set_counts(&mut row, &Counts::default());
        self.lease_new(&mut row, now);
        let tx = self.begin_write().await?;
        row.key = next_key(&tx, import::Entity, import::Column::Key).await?;
        let model = import::Entity::insert(row)
            .exec_with_returning(&*tx)
            .await?;
        tx.commit().await?;
        model.try_into()
    }

    pub async fn find_import_by_key(
        &self,
        project_id: &ProjectId,
        key: &str,
    ) -> StoreResult<Option<Import>> {
        import::Entity::find()
            .filter(import::Column::ProjectId.eq(project_id.as_str()))
            .filter(import::Column::IdempotencyKey.eq(key))
            .one(&self.db)
            .await?
            .map(Import::try_from)
            .transpose()
    }

    /// Stores a batch of received items and their events in one transaction,
    /// recording the accepted documents' files in the same transaction when
    /// nothing of the import waits for the processing stage (the common
    /// case: each document is written once, as its file). When the store
    /// refuses that (a name another import took meanwhile, say), the batch is
    /// stored as PENDING items instead and the processing stage records them,
    /// item by item where it must. Nothing is stored when the import is no
    /// longer receiving (cancelled) or no longer this replica's (see
    /// `leases`): the outcome tells the caller to stop.
    pub async fn record_intake(
        &self,
        import_id: &ImportId,
        items: Vec<IntakeItem>,
    ) -> StoreResult<IntakeOutcome> {
        let mut requests = Vec::with_capacity(items.len());
        let mut rejected = Vec::new();
        for IntakeItem {
            index,
            outcome,
            stored,
        } in items
        {
            match outcome {
                Ok((doc, metadata)) => requests.push(RecordRequest::with_stored(
                    index,
                    Some(doc.id.clone()),
                    Ok(doc),
                    metadata,
                    stored,
                )),
                Err(rejection) => rejected.push((index, rejection)),
            }
        }
        match self
            .store_received(import_id, &requests, &rejected, Recording::Now)
            .await
        {
            Err(err @ StoreError::Unavailable(_)) => Err(err),
            Err(refused) => {
                tracing::warn!(import_id = %import_id, error = %refused,
                    "recording a batch's files at intake was refused; the processing stage records them");
                self.store_received(import_id, &requests, &rejected, Recording::Later)
                    .await
            }
            Ok(outcome) => Ok(outcome),
        }
    }

    async fn store_received(
        &self,
        import_id: &ImportId,
        requests: &[RecordRequest],
        rejected: &[(u64, Rejection)],
        mut recording: Recording,
    ) -> StoreResult<IntakeOutcome> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let current: Import = row.clone().try_into()?;
        if current.state != ImportState::Receiving || !self.holds(&row) {
            tx.commit().await?;
            return Ok(IntakeOutcome {
                import: current,
                accepted: 0,
                pending: 0,
                stopped: true,
            });
        }
        // Items already waiting for processing go first: a later document
        // must not be applied before an earlier one.
        if current.counts.pending + current.counts.processing > 0 {
            recording = Recording::Later;
        }
        let now = batch_time();
        let stage = match recording {
            Recording::Now => ItemStage::RecordFile,
            Recording::Later => ItemStage::Intake,
        };
        let mut events = BatchEvents::new(
            import_id,
            stage,
            current.last_sequence,
            counts_of(&row),
            now,
        );
        for (index, rejection) in rejected {
            let item = Item {
                document_id: rejection.document_id.clone(),
                rejection: Some(StoredRejection::from(rejection)),
                ..Item::new(*index, ItemState::Rejected, ItemStage::Intake, 0, now)
            };
            events.push(None, item)?;
        }
        let mut kept = Vec::new();
        let mut standing = HashSet::new();
        match recording {
            Recording::Now => {
                let owners = FileOwners::of(&tx, &row).await?;
                standing = self
                    .write_files(&tx, &current, owners, requests, None, &mut events)
                    .await?;
            }
            Recording::Later => {
                for request in requests {
                    let Ok(doc) = &request.document else { continue };
                    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
                    kept.push(Accepted {
                        document_json: doc.json.clone(),
                        metadata_json: serde_json::to_string(&request.metadata).map_err(corrupt)?,
                        checked_json: serde_json::to_string(&CheckedFields::of(doc))
                            .map_err(corrupt)?,
                    });
                    let item = Item {
                        document_id: request.document_id.clone(),
                        ..Item::new(request.index, ItemState::Pending, ItemStage::Intake, 0, now)
                    };
                    events.push(None, item)?;
                }
            }
        }
        let BatchWritten {
            items: written,
            events: event_rows,
            counts,
            sequence,
        } = events.finish()?;
        // Rejected items come first, then the accepted ones in order; only
        // PENDING ones keep their document. Files stand for most imported
        // ones (`stand_ins`).
        let mut kept = kept.into_iter();
        let item_rows: Vec<_> = written
            .iter()
            .filter(|item| !standing.contains(&item.index))
            .map(|item| {
                let payload = match item.state {
                    ItemState::Pending => kept.next(),
                    _ => None,
                };
                item_row(import_id, item, payload)
            })
            .collect();
        insert_chunked::<import_item::Entity, _>(&tx, item_rows).await?;
        insert_chunked::<import_event::Entity, _>(&tx, event_rows).await?;
        let mut update = row.into_active_model();
        set_counts(&mut update, &counts);
        update.last_sequence = Set(super::convert::to_i64(sequence));
        update.updated_at = Set(now);
        let model = update.update(&*tx).await?;
        tx.commit().await?;
        Ok(IntakeOutcome {
            import: model.try_into()?,
            accepted: requests.len() as u64,
            pending: counts.pending,
            stopped: false,
        })
    }

    /// Ends the intake: the import moves on to processing, or straight to
    /// its outcome when nothing is left to process. `interrupted` says why
    /// the stream ended early; such an import releases its idempotency key.
    pub async fn finish_intake(
        &self,
        import_id: &ImportId,
        interrupted: Option<String>,
    ) -> StoreResult<Import> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let current: Import = row.clone().try_into()?;
        if current.state != ImportState::Receiving {
            tx.commit().await?;
            return Ok(current);
        }
        let counts = current.counts;
        let mut update = row.into_active_model();
        let error = match &interrupted {
            Some(why) => {
                update.idempotency_key = Set(None);
                format!("the document stream ended early: {why}; documents accepted before that are imported")
            }
            None => String::new(),
        };
        let next = if counts.unfinished(current.fhir_server.is_some()) > 0 {
            ImportState::Processing
        } else {
            counts.outcome(interrupted.is_some())
        };
        let model = self
            .change_state(
                &tx,
                import_id,
                update,
                Transition {
                    after_sequence: current.last_sequence,
                    counts,
                    state: next,
                    error,
                },
            )
            .await?;
        tx.commit().await?;
        model.try_into()
    }

    /// Reads an import row for update: on PostgreSQL the row stays locked
    /// until the transaction ends, so counts and sequences never race.
    pub(super) async fn lock_import(
        &self,
        tx: &WriteTx,
        import_id: &ImportId,
    ) -> StoreResult<import::Model> {
        let mut query = import::Entity::find_by_id(import_id.as_str().to_owned());
        if self.is_postgres() {
            query = query.lock_exclusive();
        }
        query
            .one(&**tx)
            .await?
            .ok_or(StoreError::NotFound("import"))
    }

    /// Moves an import to another state, appending the state-change event.
    pub(super) async fn change_state(
        &self,
        tx: &WriteTx,
        import_id: &ImportId,
        mut update: import::ActiveModel,
        transition: Transition,
    ) -> StoreResult<import::Model> {
        let Transition {
            after_sequence,
            counts,
            state,
            error,
        } = transition;
        let now = Utc::now();
        let sequence = after_sequence + 1;
        let event = Event {
            sequence,
            counts,
            time: now,
            change: Change::State {
                state,
                error: error.clone(),
            },
        };
        import_event::Entity::insert(event_row(import_id, &event)?)
            .exec(&**tx)
            .await?;
        update.state = Set(state.as_str().to_owned());
        if !error.is_empty() {
            update.error = Set(error);
        }
        set_counts(&mut update, &counts);
        update.last_sequence = Set(super::convert::to_i64(sequence));
        update.updated_at = Set(now);
        if state.is_terminal() {
            update.finished_at = Set(Some(now));
        }
        Ok(update.update(&**tx).await?)
    }
}

/// A change of an import's state: the new state and why, the counts it
/// leaves, and the sequence of the event before it.
pub(super) struct Transition {
    pub after_sequence: u64,
    pub counts: Counts,
    pub state: ImportState,
    pub error: String,
}
