//! What the stages' batch writers (processing, scraping) share: claiming
//! a batch's items so that no other writer advances them.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::convert::to_i64;
use super::entities::import_item;
use super::{StoreResult, WriteTx};
use crate::domain::{ids::ImportId, import::ItemState};

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
    let claimed = import_item::Entity::delete_many()
        .filter(import_item::Column::ImportId.eq(import_id.as_str()))
        .filter(import_item::Column::State.eq(state.as_str()))
        .filter(import_item::Column::Idx.is_in(indexes))
        .exec(&**tx)
        .await?
        .rows_affected;
    Ok(claimed == wanted)
}
