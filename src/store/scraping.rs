//! Writes of the metadata stage: the files an import recorded get their
//! scraped key-value pairs (beside, never over, what the portal supplied),
//! their provenance, and their items move to SCRAPED or SCRAPE_FAILED; each
//! batch is one transaction with its events and counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use migration::stored_document;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::batch::{claim_items, BatchEvents, BatchWritten};
use super::convert::{batch_time, counts_of, item_row, to_u64};
use super::entities::file_metadata::{SCRAPED, SUPPLIED};
use super::entities::{file, file_metadata, import_event, import_item};
use super::{insert_chunked, Store, StoreError, StoreResult};
use crate::domain::{
    ids::ImportId,
    import::{Failure, Import, Item, ItemFailure, ItemStage, ItemState, MetadataState},
};

/// A recorded file whose metadata is still to be scraped.
pub struct AwaitingMetadata {
    pub index: u64,
    pub document_id: Option<String>,
    pub file_id: String,
    pub document_json: String,
}

/// What scraping one file gave.
pub struct ScrapeOutcome {
    pub index: u64,
    pub document_id: Option<String>,
    pub file_id: String,
    /// The metadata, or why there is none.
    pub result: Result<ScrapeResult, Failure>,
}

pub struct ScrapeResult {
    /// `name@version` of the schema applied.
    pub schema: String,
    pub pairs: Vec<(String, String)>,
    /// `meta.versionId` of every resource read, by reference.
    pub sources: BTreeMap<String, String>,
    /// Keys left out or cut, each with why; none means complete.
    pub problems: Vec<String>,
    /// Why scraping failed although some keys may be filled (the server
    /// could not answer for the others).
    pub failure: Option<String>,
}

/// Longest problem text kept on a file or item.
const MAX_PROBLEM_TEXT: usize = 2000;

fn summary(problems: &[String]) -> String {
    let mut text = problems.join("; ");
    if text.len() > MAX_PROBLEM_TEXT {
        let mut end = MAX_PROBLEM_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

impl Store {
    /// The import's items whose files wait for metadata, oldest first.
    pub async fn awaiting_metadata(
        &self,
        import_id: &ImportId,
        limit: u64,
    ) -> StoreResult<Vec<AwaitingMetadata>> {
        let items = import_item::Entity::find()
            .filter(import_item::Column::ImportId.eq(import_id.as_str()))
            .filter(import_item::Column::State.eq(ItemState::Imported.as_str()))
            .order_by_asc(import_item::Column::Idx)
            .limit(limit)
            .all(&self.db)
            .await?;
        let file_ids: Vec<String> = items.iter().filter_map(|i| i.file_id.clone()).collect();
        let documents: HashMap<String, String> = file::Entity::find()
            .filter(file::Column::Id.is_in(file_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| {
                // An unreadable document scrapes as one that is not JSON.
                let json = stored_document::unpack(&f.document).unwrap_or_else(|e| {
                    tracing::warn!(file = %f.id, error = %e, "stored document unreadable");
                    String::new()
                });
                (f.id, json)
            })
            .collect();
        Ok(items
            .into_iter()
            .filter_map(|item| {
                let file_id = item.file_id?;
                Some(AwaitingMetadata {
                    index: to_u64(item.idx),
                    document_id: item.document_id,
                    document_json: documents.get(&file_id).cloned().unwrap_or_default(),
                    file_id,
                })
            })
            .collect())
    }

    /// Stores a batch of outcomes and returns the import after it; `None`
    /// when the items changed under the batch (cancelled) and nothing was
    /// written. The import reaches its outcome in the same transaction when
    /// nothing is left to do.
    pub async fn record_scrapes(
        &self,
        import_id: &ImportId,
        outcomes: &[ScrapeOutcome],
    ) -> StoreResult<Option<Import>> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let import: Import = row.clone().try_into()?;
        // Another replica took the import over: its writes win.
        if import.state.is_terminal() || !self.holds(&row) {
            return Ok(None);
        }
        let indexes = outcomes.iter().map(|o| o.index);
        if !claim_items(&tx, import_id, ItemState::Imported, indexes).await? {
            return Ok(None);
        }

        let file_ids: Vec<&str> = outcomes.iter().map(|o| o.file_id.as_str()).collect();
        let supplied: HashSet<(String, String)> = file_metadata::Entity::find()
            .filter(file_metadata::Column::FileId.is_in(file_ids.clone()))
            .filter(file_metadata::Column::Origin.eq(SUPPLIED))
            .all(&*tx)
            .await?
            .into_iter()
            .map(|m| (m.file_id, m.key))
            .collect();
        file_metadata::Entity::delete_many()
            .filter(file_metadata::Column::FileId.is_in(file_ids))
            .filter(file_metadata::Column::Origin.eq(SCRAPED))
            .exec(&*tx)
            .await?;

        let now = batch_time();
        let mut events = BatchEvents::new(
            import_id,
            ItemStage::FetchMetadata,
            import.last_sequence,
            counts_of(&row),
            now,
        );
        // The pairs each file ends the batch with: the same file twice in a
        // batch (a document its stream repeated) is written once.
        let mut pairs_of: HashMap<&str, &[(String, String)]> = HashMap::new();
        for outcome in outcomes {
            let mut item = Item {
                document_id: outcome.document_id.clone(),
                file_id: Some(outcome.file_id.clone()),
                ..Item::new(
                    outcome.index,
                    ItemState::Scraped,
                    ItemStage::FetchMetadata,
                    0,
                    now,
                )
            };
            let mut update = file::ActiveModel {
                id: Set(outcome.file_id.clone()),
                updated_at: Set(now),
                ..Default::default()
            };
            match &outcome.result {
                Ok(result) => {
                    let complete = result.problems.is_empty();
                    update.metadata_state = Set(match (&result.failure, complete) {
                        (Some(_), _) => MetadataState::Failed,
                        (None, true) => MetadataState::Complete,
                        (None, false) => MetadataState::Partial,
                    }
                    .as_str()
                    .to_owned());
                    update.metadata_error = Set(summary(&result.problems));
                    if let Some(why) = &result.failure {
                        let kept = format!("{why} ({} keys kept)", result.pairs.len());
                        update.metadata_error = Set(summary(std::slice::from_ref(&kept)));
                        let failure = Failure::new(ItemFailure::FhirServerUnavailable, kept);
                        item.fail(ItemState::ScrapeFailed, failure);
                    }
                    update.metadata_schema = Set(Some(result.schema.clone()));
                    update.metadata_sources = Set(Some(
                        serde_json::to_string(&result.sources)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    ));
                    if !complete && result.failure.is_none() {
                        item.error = Some(summary(&result.problems));
                    }
                    pairs_of.insert(&outcome.file_id, &result.pairs);
                }
                Err(failure) => {
                    update.metadata_state = Set(MetadataState::Failed.as_str().to_owned());
                    update.metadata_error = Set(summary(std::slice::from_ref(&failure.message)));
                    pairs_of.remove(outcome.file_id.as_str());
                    item.fail(ItemState::ScrapeFailed, failure.clone());
                }
            }
            update.update(&*tx).await?;
            events.push(Some(ItemState::Imported), item)?;
        }
        let BatchWritten {
            items,
            events: event_rows,
            counts,
            sequence,
        } = events.finish()?;
        let item_rows: Vec<_> = items
            .iter()
            .map(|item| item_row(import_id, item, None))
            .collect();
        let metadata_rows: Vec<_> = pairs_of
            .into_iter()
            .flat_map(|(file_id, pairs)| {
                let supplied = &supplied;
                pairs
                    .iter()
                    .filter(move |(key, _)| !supplied.contains(&(file_id.to_owned(), key.clone())))
                    .map(move |(key, value)| file_metadata::ActiveModel {
                        file_id: Set(file_id.to_owned()),
                        key: Set(key.clone()),
                        value: Set(value.clone()),
                        origin: Set(SCRAPED.to_owned()),
                    })
            })
            .collect();
        insert_chunked::<file_metadata::Entity, _>(&tx, metadata_rows).await?;
        insert_chunked::<import_item::Entity, _>(&tx, item_rows).await?;
        insert_chunked::<import_event::Entity, _>(&tx, event_rows).await?;

        let model = self
            .finish_batch(&tx, row, &import, counts, sequence, now)
            .await?;
        tx.commit().await?;
        Ok(Some(model.try_into()?))
    }
}
