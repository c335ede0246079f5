//! What the stages' batch writers (intake, processing, scraping) share:
//! claiming a batch's items so that no other writer advances them, and
//! the events a batch leaves.

use chrono::{DateTime, Utc};
use migration::stored_document;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use super::convert::{event_row, to_i64};
use super::entities::{import_event, import_item};
use super::{bigint_array, StoreError, StoreResult, WriteTx};
use std::collections::BTreeMap;

use crate::domain::{
    document::ValidDocument,
    ids::ImportId,
    import::{Change, Counts, Event, Failure, Item, ItemStage, ItemState, Progress},
};

/// An item ready to be recorded: its document, or why it cannot be.
pub struct RecordRequest {
    pub index: u64,
    pub document_id: Option<String>,
    pub document: Result<ValidDocument, Failure>,
    pub metadata: BTreeMap<String, String>,
    /// The document as its file stores it, packed before the batch's
    /// transaction so that compressing never holds the store's writer.
    pub(super) stored: Option<Vec<u8>>,
}

impl RecordRequest {
    pub fn new(
        index: u64,
        document_id: Option<String>,
        document: Result<ValidDocument, Failure>,
        metadata: BTreeMap<String, String>,
    ) -> Self {
        Self::with_stored(index, document_id, document, metadata, None)
    }

    /// A request whose document may have been packed already where it was
    /// received (`stored`); it is packed here when not.
    pub(super) fn with_stored(
        index: u64,
        document_id: Option<String>,
        document: Result<ValidDocument, Failure>,
        metadata: BTreeMap<String, String>,
        stored: Option<Vec<u8>>,
    ) -> Self {
        let stored = stored.or_else(|| {
            document
                .as_ref()
                .ok()
                .map(|doc| stored_document::pack(&doc.json))
        });
        Self {
            index,
            document_id,
            document,
            metadata,
            stored,
        }
    }
}

/// Takes the items at `indexes` that are in `state` out of the table, to be
/// written back in their next state; false when any of them is no longer
/// there in that state (the import changed under the batch).
pub(super) async fn claim_items(
    tx: &WriteTx,
    import_id: &ImportId,
    state: ItemState,
    indexes: impl IntoIterator<Item = u64>,
) -> StoreResult<bool> {
    let indexes: Vec<i64> = indexes.into_iter().map(to_i64).collect();
    let wanted = indexes.len() as u64;
    let claimed = if tx.get_database_backend() == DbBackend::Postgres {
        // Each item found through its own index probe (see `probe_each`),
        // then deleted by row id: `idx = ANY($3)` is read as a scan of all
        // the import's items in that state whenever statistics are stale
        // (measured: 175 ms a batch of 200 among 200,000 items; 1 ms so).
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM import_items t USING (SELECT i.ctid AS row_id \
             FROM unnest($3::int8[]) AS wanted(value), LATERAL (SELECT ctid FROM import_items i \
             WHERE i.import_id = $1 AND i.state = $2 AND i.idx = wanted.value OFFSET 0) i) found \
             WHERE t.ctid = found.row_id",
            [
                import_id.as_str().into(),
                state.as_str().into(),
                bigint_array(&indexes),
            ],
        );
        tx.execute(statement).await?.rows_affected()
    } else {
        import_item::Entity::delete_many()
            .filter(import_item::Column::ImportId.eq(import_id.as_str()))
            .filter(import_item::Column::State.eq(state.as_str()))
            .filter(import_item::Column::Idx.is_in(indexes))
            .exec(&**tx)
            .await?
            .rows_affected
    };
    Ok(claimed == wanted)
}

/// The events of one batch, in order: one per item a person must look at
/// (`Item::needs_attention`), then one progress event for the others,
/// carrying the counts after the whole batch. The items told of only by the
/// progress event carry its sequence.
pub(super) struct BatchEvents {
    import_id: ImportId,
    stage: ItemStage,
    time: DateTime<Utc>,
    sequence: u64,
    counts: Counts,
    rows: Vec<import_event::ActiveModel>,
    items: Vec<Item>,
    /// Positions in `items` told of by the progress event.
    quiet: Vec<usize>,
    /// The progress event's sequence, once told (`quiet_sequence`).
    promised: Option<u64>,
}

/// A written-up batch: its items with their sequences, the event rows, and
/// where the import's counts and sequence end.
pub(super) struct BatchWritten {
    pub items: Vec<Item>,
    pub events: Vec<import_event::ActiveModel>,
    pub counts: Counts,
    pub sequence: u64,
}

impl BatchEvents {
    pub fn new(
        import_id: &ImportId,
        stage: ItemStage,
        after_sequence: u64,
        counts: Counts,
        time: DateTime<Utc>,
    ) -> Self {
        Self {
            import_id: import_id.clone(),
            stage,
            time,
            sequence: after_sequence,
            counts,
            rows: Vec::new(),
            items: Vec::new(),
            quiet: Vec::new(),
            promised: None,
        }
    }

    /// The batch's time, which its rows carry.
    pub fn time(&self) -> DateTime<Utc> {
        self.time
    }

    /// The sequence the progress event will take, which the quiet items
    /// pushed so far will carry. No item needing attention may come after
    /// this is asked (`push` refuses one): its event would take that
    /// sequence.
    pub fn quiet_sequence(&mut self) -> u64 {
        let sequence = self.sequence + 1;
        self.promised = Some(sequence);
        sequence
    }

    /// Counts `item`'s move from `from` (none: a new item) and, when it
    /// needs attention, gives it its own event.
    pub fn push(&mut self, from: Option<ItemState>, mut item: Item) -> StoreResult<()> {
        if item.needs_attention() && self.promised.is_some() {
            return Err(StoreError::Corrupt(format!(
                "item {} needs attention after the batch's progress sequence was told",
                item.index
            )));
        }
        self.counts.apply(from, item.state);
        if item.needs_attention() {
            self.sequence += 1;
            item.sequence = self.sequence;
            self.rows.push(event_row(
                &self.import_id,
                &Event {
                    sequence: self.sequence,
                    counts: self.counts,
                    time: self.time,
                    change: Change::Item(item.clone()),
                },
            )?);
        } else {
            self.quiet.push(self.items.len());
        }
        self.items.push(item);
        Ok(())
    }

    pub fn finish(mut self) -> StoreResult<BatchWritten> {
        if !self.quiet.is_empty() {
            self.sequence += 1;
            let indexes = self.quiet.iter().map(|&at| self.items[at].index);
            let progress = Progress {
                stage: self.stage,
                first_index: indexes.clone().min().unwrap_or_default(),
                last_index: indexes.max().unwrap_or_default(),
                items: self.quiet.len() as u64,
            };
            for &at in &self.quiet {
                self.items[at].sequence = self.sequence;
            }
            self.rows.push(event_row(
                &self.import_id,
                &Event {
                    sequence: self.sequence,
                    counts: self.counts,
                    time: self.time,
                    change: Change::Progress(progress),
                },
            )?);
        }
        Ok(BatchWritten {
            items: self.items,
            events: self.rows,
            counts: self.counts,
            sequence: self.sequence,
        })
    }
}
