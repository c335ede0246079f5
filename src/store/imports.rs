//! Reads of imports, their items and events, and cancelling.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use super::convert::{counts_of, to_i64};
use super::entities::{file, import, import_event, import_item};
use super::intake::Transition;
use super::{Store, StoreResult};
use crate::domain::{
    ids::{ImportId, ProjectId},
    import::{Event, Import, ImportState, Item, ItemState, MetadataState},
};

pub enum CancelOutcome {
    Cancelled(Import),
    AlreadyFinished(Import),
}

impl Store {
    pub async fn get_import(&self, id: &ImportId) -> StoreResult<Option<Import>> {
        import::Entity::find_by_id(id.as_str().to_owned())
            .one(&self.db)
            .await?
            .map(Import::try_from)
            .transpose()
    }

    /// A project's imports, newest first, older than `before`.
    pub async fn list_imports(
        &self,
        project_id: &ProjectId,
        before: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<Import>> {
        let mut query =
            import::Entity::find().filter(import::Column::ProjectId.eq(project_id.as_str()));
        if let Some(before) = before {
            query = query.filter(import::Column::Id.lt(before));
        }
        query
            .order_by_desc(import::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Import::try_from)
            .collect()
    }

    /// An import's items in stream order after index `after`, optionally only
    /// those in `states`, whether they have rows or files stand for them.
    pub async fn list_items(
        &self,
        import_id: &ImportId,
        states: &[ItemState],
        after: Option<u64>,
        limit: u64,
    ) -> StoreResult<Vec<Item>> {
        super::stand_ins::list_items(&self.db, import_id, states, after, limit).await
    }

    /// Events of an import with a sequence above `after`, in order.
    pub async fn list_events(
        &self,
        import_id: &ImportId,
        after: u64,
        limit: u64,
    ) -> StoreResult<Vec<Event>> {
        import_event::Entity::find()
            .filter(import_event::Column::ImportId.eq(import_id.as_str()))
            .filter(import_event::Column::Sequence.gt(to_i64(after)))
            .order_by_asc(import_event::Column::Sequence)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Event::try_from)
            .collect()
    }

    /// Cancels an import that has not finished. Its pending items become
    /// CANCELLED under the one state-change event, whose sequence they carry.
    pub async fn cancel_import(&self, import_id: &ImportId) -> StoreResult<CancelOutcome> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let current: Import = row.clone().try_into()?;
        if current.state.is_terminal() {
            tx.commit().await?;
            return Ok(CancelOutcome::AlreadyFinished(current));
        }
        let sequence = current.last_sequence + 1;
        let cancelled = import_item::Entity::update_many()
            .col_expr(
                import_item::Column::State,
                Expr::value(ItemState::Cancelled.as_str()),
            )
            .col_expr(import_item::Column::Sequence, Expr::value(to_i64(sequence)))
            .col_expr(
                import_item::Column::DocumentJson,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                import_item::Column::UpdatedAt,
                Expr::value(chrono::Utc::now()),
            )
            .filter(import_item::Column::ImportId.eq(import_id.as_str()))
            .filter(import_item::Column::State.eq(ItemState::Pending.as_str()))
            .exec(&*tx)
            .await?
            .rows_affected;
        // Files recorded but still waiting for metadata would stay PENDING
        // for ever: nothing will scrape them now.
        file::Entity::update_many()
            .col_expr(
                file::Column::MetadataState,
                Expr::value(MetadataState::Failed.as_str()),
            )
            .col_expr(
                file::Column::MetadataError,
                Expr::value(
                    "not scraped: the import was cancelled first; RescrapeFiles scrapes it",
                ),
            )
            .filter(file::Column::MetadataState.eq(MetadataState::Pending.as_str()))
            .filter(
                file::Column::Id.in_subquery(
                    Query::select()
                        .column(import_item::Column::FileId)
                        .from(import_item::Entity)
                        .and_where(import_item::Column::ImportId.eq(import_id.as_str()))
                        .and_where(import_item::Column::State.eq(ItemState::Imported.as_str()))
                        .to_owned(),
                ),
            )
            .exec(&*tx)
            .await?;
        let mut counts = counts_of(&row);
        counts.pending = counts.pending.saturating_sub(cancelled);
        counts.cancelled += cancelled;
        let update = row.into_active_model();
        let model = self
            .change_state(
                &tx,
                import_id,
                update,
                Transition {
                    after_sequence: current.last_sequence,
                    counts,
                    state: ImportState::Cancelled,
                    error: "cancelled by request".to_owned(),
                },
            )
            .await?;
        tx.commit().await?;
        Ok(CancelOutcome::Cancelled(model.try_into()?))
    }
}

impl Store {
    /// Removes the events of imports that finished before `finished_before`;
    /// returns how many. Their items, files and counts stay.
    pub async fn prune_events(&self, finished_before: DateTime<Utc>) -> StoreResult<u64> {
        let tx = self.begin_write().await?;
        let pruned = import_event::Entity::delete_many()
            .filter(
                import_event::Column::ImportId.in_subquery(
                    Query::select()
                        .column(import::Column::Id)
                        .from(import::Entity)
                        .and_where(import::Column::FinishedAt.lt(finished_before))
                        .to_owned(),
                ),
            )
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(pruned)
    }
}
