//! Stall events: an unfinished import that has not changed for a while gets
//! an event saying what it waits for, so that a watcher is never left
//! without word.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use super::convert::{counts_of, event_row, to_i64};
use super::entities::import_event;
use super::{Store, StoreResult};
use crate::domain::{
    ids::ImportId,
    import::{Change, Event, Import},
};

impl Store {
    /// Records that the import waits for `reason`, unless it changed after
    /// `idle_since` or finished meanwhile (then `None`). The import's
    /// `updated_at` stays: it tells when it last made progress.
    pub async fn record_stall(
        &self,
        import_id: &ImportId,
        idle_since: DateTime<Utc>,
        reason: String,
    ) -> StoreResult<Option<Import>> {
        let tx = self.begin_write().await?;
        let row = self.lock_import(&tx, import_id).await?;
        let import: Import = row.clone().try_into()?;
        if import.state.is_terminal() || import.updated_at > idle_since {
            return Ok(None);
        }
        let now = Utc::now();
        let sequence = import.last_sequence + 1;
        let idle_seconds = u64::try_from((now - import.updated_at).num_seconds()).unwrap_or(0);
        import_event::Entity::insert(event_row(
            import_id,
            &Event {
                sequence,
                counts: counts_of(&row),
                time: now,
                change: Change::Stall {
                    reason,
                    idle_seconds,
                },
            },
        )?)
        .exec_without_returning(&*tx)
        .await?;
        let mut update = row.into_active_model();
        update.last_sequence = Set(to_i64(sequence));
        let model = update.update(&*tx).await?;
        tx.commit().await?;
        Ok(Some(model.try_into()?))
    }
}
