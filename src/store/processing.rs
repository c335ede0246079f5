//! Writes of the record-file stage: pending items become files, in batches,
//! each batch one transaction with its item states, events and counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use migration::stored_document;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::batch::{claim_items, BatchEvents, BatchWritten, RecordRequest};
use super::convert::{batch_time, counts_of, item_row, set_counts, to_i64, to_u64, CheckedFields};
use super::entities::import;
use super::entities::{file, file_metadata, import_event, import_item};
use super::intake::Transition;
use super::keys::FileOwners;
use super::names::{existing_files, free_name, taken_names};
use super::stand_ins;
use super::{
    insert_chunked, probe_each, text_array, tuples, Store, StoreError, StoreResult, WriteTx,
};
use crate::domain::{
    conflict::{decide, FileAction},
    document::ValidDocument,
    ids::{stored_server, FileId, ImportId},
    import::{
        ConflictPolicy, Counts, Import, ImportState, Item, ItemStage, ItemState, MetadataState,
    },
};

/// An accepted item waiting for the record-file stage.
pub struct PendingItem {
    pub index: u64,
    pub document_id: Option<String>,
    pub document_json: String,
    /// What intake checked of the document; none for an item stored
    /// before items kept it (the document is checked again then).
    pub checked: Option<ValidDocument>,
    /// The supplied metadata, or why the stored copy cannot be read.
    pub metadata: Result<BTreeMap<String, String>, String>,
}

impl Store {
    pub async fn pending_items(
        &self,
        import_id: &ImportId,
        limit: u64,
    ) -> StoreResult<Vec<PendingItem>> {
        let rows = import_item::Entity::find()
            .filter(import_item::Column::ImportId.eq(import_id.as_str()))
            .filter(import_item::Column::State.eq(ItemState::Pending.as_str()))
            .order_by_asc(import_item::Column::Idx)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let document_json = row.document_json.unwrap_or_default();
                let checked = row
                    .checked_json
                    .as_deref()
                    .and_then(|json| serde_json::from_str::<CheckedFields>(json).ok())
                    .map(|fields| fields.with_document(document_json.clone()));
                PendingItem {
                    metadata: match &row.metadata_json {
                        Some(json) => serde_json::from_str(json)
                            .map_err(|e| format!("its stored metadata is not readable: {e}")),
                        None => Ok(BTreeMap::new()),
                    },
                    index: to_u64(row.idx),
                    document_id: row.document_id,
                    checked,
                    document_json,
                }
            })
            .collect())
    }

    /// Records a batch of pending items as files following the import's
    /// conflict policy, in stream order, and returns the import after it;
    /// `None` when the items changed under the batch (cancelled) and
    /// nothing was written. A document the stream sent before is applied
    /// to what its earlier item left (OVERWRITE: the later one wins; SKIP:
    /// the first one does; RENAME: both are kept) and its item names the
    /// earlier one. When the stream has ended and nothing is left, the
    /// import moves to its outcome in the same transaction.
    pub async fn record_files(
        &self,
        import_id: &ImportId,
        requests: &[RecordRequest],
    ) -> StoreResult<Option<Import>> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let import: Import = row.clone().try_into()?;
        // Another replica took the import over: its writes win.
        if import.state.is_terminal() || !self.holds(&row) {
            return Ok(None);
        }
        let indexes = requests.iter().map(|r| r.index);
        if !claim_items(&tx, import_id, ItemState::Pending, indexes).await? {
            return Ok(None);
        }

        let now = batch_time();
        let mut events = BatchEvents::new(
            import_id,
            ItemStage::RecordFile,
            import.last_sequence,
            counts_of(&row),
            now,
        );
        let owners = FileOwners::of(&tx, &row).await?;
        let standing = self
            .write_files(
                &tx,
                &import,
                owners,
                requests,
                Some(ItemState::Pending),
                &mut events,
            )
            .await?;
        let BatchWritten {
            items,
            events: event_rows,
            counts,
            sequence,
        } = events.finish()?;
        let item_rows: Vec<_> = items
            .iter()
            .filter(|item| !standing.contains(&item.index))
            .map(|item| item_row(import_id, item, None))
            .collect();
        insert_chunked::<import_item::Entity, _>(&tx, item_rows).await?;
        insert_chunked::<import_event::Entity, _>(&tx, event_rows).await?;

        let model = self
            .finish_batch(&tx, row, &import, counts, sequence, now)
            .await?;
        tx.commit().await?;
        Ok(Some(model.try_into()?))
    }

    /// Records `requests` as files following the import's conflict policy,
    /// in stream order, and moves their items from `from` (none: new items,
    /// recorded as they are received) on to where that leaves them, into
    /// `events`. A document the stream sent before is applied to what its
    /// earlier item left (OVERWRITE: the later one wins; SKIP: the first one
    /// does; RENAME: both are kept) and its item names the earlier one.
    /// Returns the indexes of the items their files now stand for: the
    /// caller writes no row for those (`stand_ins`).
    pub(super) async fn write_files(
        &self,
        tx: &WriteTx,
        import: &Import,
        owners: FileOwners,
        requests: &[RecordRequest],
        from: Option<ItemState>,
        events: &mut BatchEvents,
    ) -> StoreResult<HashSet<u64>> {
        let now = events.time();
        let project = owners.project;
        let doc_ids: Vec<&str> = requests
            .iter()
            .filter_map(|r| r.document.as_ref().ok().map(|d| d.id.as_str()))
            .collect();
        let known = existing_files(tx, owners, import.fhir_server.as_ref(), &doc_ids).await?;
        let mut existing = known.by_document;
        // Only OVERWRITE changes a file that exists: the items these files
        // stand for become rows first.
        if import.on_conflict == ConflictPolicy::Overwrite {
            let known_ids: Vec<&str> = existing.values().map(|(id, _)| id.as_str()).collect();
            stand_ins::write_out(tx, &known_ids).await?;
        }
        // Which earlier item of this import each known document came from.
        let mut earlier_items =
            latest_items_of_files(tx, &import.id, &existing, known.written_here).await?;
        let wanted: Vec<&str> = requests
            .iter()
            .filter_map(|r| r.document.as_ref().ok().map(|d| d.file_name.as_str()))
            .collect();
        let mut taken = taken_names(tx, project, &wanted).await?;

        // Files this batch creates, by id: a later repeat in the batch
        // replaces its row before anything is written.
        let mut new_files: BTreeMap<String, file::ActiveModel> = BTreeMap::new();
        // The item each written file ends the batch written by, and whether
        // the file can stand for it.
        let mut writers: HashMap<String, (u64, bool)> = HashMap::new();
        let scraping = import.fhir_server.is_some();
        // The supplied metadata each file ends the batch with.
        let mut metadata_of: BTreeMap<String, &BTreeMap<String, String>> = BTreeMap::new();
        let mut replaced_metadata = Vec::new();
        let batch = BatchFiles {
            metadata_state: if import.fhir_server.is_none() {
                MetadataState::NotRequested
            } else {
                MetadataState::Pending
            },
            tags: serde_json::to_string(&import.tags)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            fhir_server: stored_server(import.fhir_server.as_ref()),
            owners,
            now,
        };

        for request in requests {
            let mut item = Item {
                document_id: request.document_id.clone(),
                ..Item::new(
                    request.index,
                    ItemState::Imported,
                    ItemStage::RecordFile,
                    0,
                    now,
                )
            };
            match &request.document {
                Err(failure) => item.fail(ItemState::Failed, failure.clone()),
                Ok(doc) => {
                    let known = existing.get(&doc.id).cloned();
                    item.repeat_of = known
                        .as_ref()
                        .and_then(|(file_id, _)| earlier_items.get(file_id).copied());
                    let action = decide(
                        import.on_conflict,
                        known.as_ref().map(|(id, _)| id.as_str()),
                    );
                    let file_id = match action {
                        FileAction::Skip { file_id } => {
                            item.state = ItemState::Skipped;
                            file_id
                        }
                        FileAction::Create => {
                            let name =
                                free_name(tx, project, &doc.file_name, &mut taken, None).await?;
                            let id = FileId::generate().into_string();
                            let row = file_row(&id, request, doc, &name, &batch);
                            new_files.insert(id.clone(), row);
                            existing.insert(doc.id.clone(), (id.clone(), name));
                            id
                        }
                        FileAction::Overwrite { file_id } => {
                            let own = known.as_ref().map(|(_, name)| name.clone());
                            let name =
                                free_name(tx, project, &doc.file_name, &mut taken, own.as_deref())
                                    .await?;
                            let mut update = file_row(&file_id, request, doc, &name, &batch);
                            if let Some(created) = new_files.get_mut(&file_id) {
                                // Made earlier in this batch: not in the table yet.
                                *created = update;
                            } else {
                                update.created_at = sea_orm::ActiveValue::NotSet;
                                update.update(&**tx).await?;
                                replaced_metadata.push(file_id.clone());
                            }
                            existing.insert(doc.id.clone(), (file_id.clone(), name));
                            file_id
                        }
                    };
                    if item.state == ItemState::Imported {
                        metadata_of.insert(file_id.clone(), &request.metadata);
                        let plain = stand_ins::can_stand_in(&item, scraping)
                            && item.document_id.as_deref() == Some(doc.id.as_str());
                        writers.insert(file_id.clone(), (request.index, plain));
                    }
                    earlier_items.insert(file_id.clone(), request.index);
                    item.file_id = Some(file_id);
                }
            }
            events.push(from, item)?;
        }
        if !replaced_metadata.is_empty() {
            file_metadata::Entity::delete_many()
                .filter(file_metadata::Column::FileId.is_in(replaced_metadata))
                .exec(&**tx)
                .await?;
        }
        let metadata_rows: Vec<_> = metadata_of
            .iter()
            .flat_map(|(file_id, metadata)| metadata_models(file_id, metadata))
            .collect();
        let mut standing = HashSet::new();
        let mut overwritten = Vec::new();
        let plain_writers: Vec<_> = writers
            .into_iter()
            .filter(|(_, (_, plain))| *plain)
            .collect();
        if !plain_writers.is_empty() {
            let sequence = to_i64(events.quiet_sequence());
            for (file_id, (index, _)) in plain_writers {
                standing.insert(index);
                match new_files.get_mut(&file_id) {
                    Some(row) => row.import_sequence = Set(Some(sequence)),
                    None => overwritten.push(file_id),
                }
            }
            stand_ins::stand_in(tx, overwritten, sequence).await?;
        }
        insert_chunked::<file::Entity, _>(tx, new_files.into_values().collect()).await?;
        insert_chunked::<file_metadata::Entity, _>(tx, metadata_rows).await?;
        Ok(standing)
    }

    /// Ends a batch of either stage: the import's new counts and sequence,
    /// and its outcome when nothing is left to do (with a FHIR server,
    /// imported files still wait for their metadata).
    pub(super) async fn finish_batch(
        &self,
        tx: &WriteTx,
        row: import::Model,
        import: &Import,
        counts: Counts,
        sequence: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<import::Model> {
        let mut update = row.into_active_model();
        set_counts(&mut update, &counts);
        update.last_sequence = Set(to_i64(sequence));
        update.updated_at = Set(now);
        let scraping = import.fhir_server.is_some();
        if import.state == ImportState::Processing && counts.unfinished(scraping) == 0 {
            let transition = Transition {
                after_sequence: sequence,
                counts,
                state: counts.outcome(!import.error.is_empty()),
                error: String::new(),
            };
            self.change_state(tx, &import.id, update, transition).await
        } else {
            Ok(update.update(&**tx).await?)
        }
    }

    /// Moves an import whose stream ended and whose items are all done to
    /// its outcome (used after a restart, when no batch is left to do it).
    pub async fn settle_import(&self, import_id: &ImportId) -> StoreResult<Import> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let import: Import = row.clone().try_into()?;
        // With a FHIR server, imported items still wait for their metadata.
        let mut waiting = vec![ItemState::Pending.as_str()];
        if import.fhir_server.is_some() {
            waiting.push(ItemState::Imported.as_str());
        }
        let left = import_item::Entity::find()
            .filter(import_item::Column::ImportId.eq(import_id.as_str()))
            .filter(import_item::Column::State.is_in(waiting))
            .count(&*tx)
            .await?;
        if import.state != ImportState::Processing || left > 0 {
            return Ok(import);
        }
        let counts = import.counts;
        let model = self
            .change_state(
                &tx,
                import_id,
                row.into_active_model(),
                Transition {
                    after_sequence: import.last_sequence,
                    counts,
                    state: counts.outcome(!import.error.is_empty()),
                    error: String::new(),
                },
            )
            .await?;
        tx.commit().await?;
        model.try_into()
    }
}

/// The latest item of this import that led to each of the `existing`
/// files (created, overwrote or skipped it), by file id: the item that
/// wrote the file, as the file says (`written_here`), or a later one that
/// skipped it. A file another import overwrote since no longer names this
/// import's writer; an item repeating it then names the latest that skipped
/// it, or none.
async fn latest_items_of_files(
    tx: &WriteTx,
    import_id: &ImportId,
    existing: &HashMap<String, (String, String)>,
    written_here: HashMap<String, u64>,
) -> StoreResult<HashMap<String, u64>> {
    let file_ids: Vec<&str> = existing.values().map(|(id, _)| id.as_str()).collect();
    let mut latest = written_here;
    // The state as a literal: a bound value would not let either store use
    // the partial index of skipped items (`import_items_skipped_file`).
    let skipped = ItemState::Skipped.as_str();
    for chunk in file_ids.chunks(500) {
        let rows: Vec<(Option<String>, Option<i64>)> =
            if tx.get_database_backend() == DbBackend::Postgres {
                let statement = Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!(
                        "SELECT i.file_id, max(i.idx) FROM {} import_items i \
                         WHERE i.import_id = $1 AND i.state = '{skipped}' \
                         AND i.file_id = wanted.value OFFSET 0) i GROUP BY i.file_id",
                        probe_each(2)
                    ),
                    [import_id.as_str().into(), text_array(chunk)],
                );
                tuples(tx, statement).await?
            } else {
                import_item::Entity::find()
                    .select_only()
                    .column(import_item::Column::FileId)
                    .column_as(import_item::Column::Idx.max(), "idx")
                    .filter(import_item::Column::ImportId.eq(import_id.as_str()))
                    .filter(sea_orm::sea_query::Expr::cust(format!(
                        "\"state\" = '{skipped}'"
                    )))
                    .filter(import_item::Column::FileId.is_in(chunk.iter().copied()))
                    .group_by(import_item::Column::FileId)
                    .into_tuple()
                    .all(&**tx)
                    .await?
            };
        for (file_id, index) in rows {
            if let (Some(file_id), Some(index)) = (file_id, index) {
                let index = to_u64(index);
                let entry = latest.entry(file_id).or_insert(index);
                *entry = (*entry).max(index);
            }
        }
    }
    Ok(latest)
}

/// What every file a batch writes has in common.
struct BatchFiles {
    metadata_state: MetadataState,
    /// The import's tags, as JSON.
    tags: String,
    /// The import's FHIR server, as stored.
    fhir_server: String,
    owners: FileOwners,
    now: DateTime<Utc>,
}

/// The row of the file `id` written by `request`, an item of the batch's
/// import.
fn file_row(
    id: &str,
    request: &RecordRequest,
    doc: &ValidDocument,
    name: &str,
    batch: &BatchFiles,
) -> file::ActiveModel {
    file::ActiveModel {
        id: Set(id.to_owned()),
        project_key: Set(batch.owners.project),
        name: Set(name.to_owned()),
        document_reference_id: Set(doc.id.clone()),
        fhir_server: Set(batch.fhir_server.clone()),
        document: Set(match &request.stored {
            Some(stored) => stored.clone(),
            None => stored_document::pack(&doc.json),
        }),
        metadata_state: Set(batch.metadata_state.as_str().to_owned()),
        metadata_error: Set(String::new()),
        metadata_schema: Set(None),
        metadata_sources: Set(None),
        tags: Set(batch.tags.clone()),
        import_key: Set(batch.owners.import),
        import_idx: Set(Some(to_i64(request.index))),
        // Set once the batch knows the file's last writer and its sequence.
        import_sequence: Set(None),
        created_at: Set(batch.now),
        updated_at: Set(batch.now),
    }
}

fn metadata_models<'a>(
    file_id: &str,
    metadata: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = file_metadata::ActiveModel> + 'a {
    let file_id = file_id.to_owned();
    metadata
        .iter()
        .map(move |(k, v)| file_metadata::ActiveModel {
            file_id: Set(file_id.clone()),
            key: Set(k.clone()),
            value: Set(v.clone()),
            origin: Set(file_metadata::SUPPLIED.to_owned()),
        })
}
