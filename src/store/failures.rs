//! Items failed alone: when the store refuses a batch's write for one of its
//! items, that item is failed with why, in a transaction of its own, and
//! the rest of its batch goes on.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbBackend, EntityTrait, QueryFilter, Statement,
};

use super::batch::claim_items;
use super::convert::{counts_of, event_row, item_row, to_i64};
use super::entities::{file, import_event, import_item};
use super::{bigint_array, insert_chunked, Store, StoreResult};
use crate::domain::{
    ids::ImportId,
    import::{Change, Event, Failure, Import, Item, ItemStage, ItemState, MetadataState},
};

impl Store {
    /// Moves the items at the given indexes that are still in `from` to
    /// `to` (FAILED or SCRAPE_FAILED) with their failure; a file whose
    /// metadata failed is marked so. Returns the import after it; `None`
    /// when none of them was still in `from` (done or cancelled meanwhile).
    pub async fn fail_items(
        &self,
        import_id: &ImportId,
        from: ItemState,
        to: ItemState,
        failures: &[(u64, Failure)],
    ) -> StoreResult<Option<Import>> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let import: Import = row.clone().try_into()?;
        // Another replica took the import over: its writes win.
        if import.state.is_terminal() || !self.holds(&row) {
            return Ok(None);
        }
        let indexes: Vec<i64> = failures.iter().map(|(index, _)| to_i64(*index)).collect();
        let items = if self.is_postgres() {
            // One index probe per item, whatever the statistics (see
            // `probe_each`).
            let statement = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT i.* FROM unnest($3::int8[]) AS wanted(value), LATERAL (SELECT * \
                 FROM import_items i WHERE i.import_id = $1 AND i.state = $2 \
                 AND i.idx = wanted.value OFFSET 0) i",
                [
                    import_id.as_str().into(),
                    from.as_str().into(),
                    bigint_array(&indexes),
                ],
            );
            import_item::Entity::find()
                .from_raw_sql(statement)
                .all(&*tx)
                .await?
        } else {
            import_item::Entity::find()
                .filter(import_item::Column::ImportId.eq(import_id.as_str()))
                .filter(import_item::Column::State.eq(from.as_str()))
                .filter(import_item::Column::Idx.is_in(indexes))
                .all(&*tx)
                .await?
        };
        if items.is_empty() {
            return Ok(None);
        }
        let found: Vec<u64> = items
            .iter()
            .map(|i| super::convert::to_u64(i.idx))
            .collect();
        claim_items(&tx, import_id, from, found).await?;

        let now = Utc::now();
        let mut counts = counts_of(&row);
        let mut sequence = import.last_sequence;
        let mut item_rows = Vec::with_capacity(items.len());
        let mut event_rows = Vec::with_capacity(items.len());
        for stored in items {
            let mut item = Item::try_from(stored)?;
            let Some((_, failure)) = failures.iter().find(|(index, _)| *index == item.index) else {
                continue;
            };
            sequence += 1;
            item.sequence = sequence;
            item.updated_at = now;
            item.stage = match to {
                ItemState::ScrapeFailed => ItemStage::FetchMetadata,
                _ => ItemStage::RecordFile,
            };
            item.fail(to, failure.clone());
            if let (ItemState::ScrapeFailed, Some(file_id)) = (to, &item.file_id) {
                file::ActiveModel {
                    id: Set(file_id.clone()),
                    metadata_state: Set(MetadataState::Failed.as_str().to_owned()),
                    metadata_error: Set(failure.message.clone()),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(&*tx)
                .await?;
            }
            counts.apply(Some(from), to);
            event_rows.push(event_row(
                import_id,
                &Event {
                    sequence,
                    counts,
                    time: now,
                    change: Change::Item(item.clone()),
                },
            )?);
            item_rows.push(item_row(import_id, &item, None));
        }
        insert_chunked::<import_item::Entity, _>(&tx, item_rows).await?;
        insert_chunked::<import_event::Entity, _>(&tx, event_rows).await?;
        let model = self
            .finish_batch(&tx, row, &import, counts, sequence, now)
            .await?;
        tx.commit().await?;
        Ok(Some(model.try_into()?))
    }
}
