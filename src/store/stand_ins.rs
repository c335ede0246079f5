//! Items a file stands for (migration 23). An item that says no more than
//! "imported" (no repeat, no metadata stage to wait for) has no row of its
//! own: the file it wrote carries `import_sequence` and is read as that
//! item. Before anything changes such a file, the item is written out as a
//! row; reads list the rows and the files together.

use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Statement, StatementBuilder, Value,
};

use super::convert::to_i64;
use super::entities::{file, import_item};
use super::{StoreResult, WriteTx};
use crate::domain::{
    ids::ImportId,
    import::{Item, ItemStage, ItemState},
};

/// Whether `item`, which just wrote its file, can be left to that file:
/// everything a reader would see of it is on the file.
pub(super) fn can_stand_in(item: &Item, scraping: bool) -> bool {
    !scraping
        && item.state == ItemState::Imported
        && item.stage == ItemStage::RecordFile
        && item.repeat_of.is_none()
        && item.rejection.is_none()
        && item.error.is_none()
        && item.failure.is_none()
}

/// Writes out as rows the items that the files `file_ids` stand for, so
/// that the batch may overwrite those files. On PostgreSQL the files are
/// locked first, in id order: a concurrent batch overwriting one of them
/// either committed before (its item is written out here) or waits.
pub(super) async fn write_out(tx: &WriteTx, file_ids: &[&str]) -> StoreResult<()> {
    for chunk in file_ids.chunks(500) {
        let ids = chunk.iter().map(|id| (*id).to_owned());
        if tx.get_database_backend() == DbBackend::Postgres {
            file::Entity::find()
                .select_only()
                .column(file::Column::Id)
                .filter(file::Column::Id.is_in(ids.clone()))
                .order_by_asc(file::Column::Id)
                .lock_exclusive()
                .into_tuple::<String>()
                .all(&**tx)
                .await?;
        }
        let standing = Query::select()
            .expr(Expr::cust(
                r#"(SELECT "id" FROM "imports" WHERE "imports"."key" = "files"."import_key")"#,
            ))
            .column(file::Column::ImportIdx)
            .column(file::Column::DocumentReferenceId)
            .expr(Expr::value(ItemState::Imported.as_str()))
            .expr(Expr::value(ItemStage::RecordFile.as_str()))
            .columns([
                file::Column::Id,
                file::Column::ImportSequence,
                file::Column::UpdatedAt,
            ])
            .from(file::Entity)
            .and_where(file::Column::Id.is_in(ids.clone()))
            .and_where(file::Column::ImportSequence.is_not_null())
            .to_owned();
        let insert = super::insert_items_selected(standing)?
            .on_conflict(
                OnConflict::columns([import_item::Column::ImportId, import_item::Column::Idx])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        let backend = tx.get_database_backend();
        tx.execute(StatementBuilder::build(&insert, &backend))
            .await?;
        file::Entity::update_many()
            .col_expr(
                file::Column::ImportSequence,
                Expr::value(Option::<i64>::None),
            )
            .filter(file::Column::Id.is_in(ids))
            .filter(file::Column::ImportSequence.is_not_null())
            .exec(&**tx)
            .await?;
    }
    Ok(())
}

/// Marks the files `file_ids`, overwritten by this batch, as standing for
/// the items that wrote them, which carry `sequence`.
pub(super) async fn stand_in(
    tx: &WriteTx,
    file_ids: Vec<String>,
    sequence: i64,
) -> StoreResult<()> {
    for chunk in file_ids.chunks(500) {
        file::Entity::update_many()
            .col_expr(file::Column::ImportSequence, Expr::value(sequence))
            .filter(file::Column::Id.is_in(chunk.to_vec()))
            .exec(&**tx)
            .await?;
    }
    Ok(())
}

/// An import's items in index order after `after`, at most `limit`: the
/// rows of `import_items` (those in `states`, when given) and the items
/// files stand for, read in one statement so that an item written out
/// meanwhile is seen once. Neither side reads the documents of pending
/// items. The NULLs are typed: PostgreSQL reads an untyped one in a
/// subquery as text, which a UNION cannot match with bigint.
pub(super) async fn list_items<C: ConnectionTrait>(
    db: &C,
    import_id: &ImportId,
    states: &[ItemState],
    after: Option<u64>,
    limit: u64,
) -> StoreResult<Vec<Item>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let mut rows = format!(
        r#"SELECT "import_id", "idx", "document_id", "state", "stage", "rejection_code", "message", "file_id", "sequence", CAST(NULL AS text) AS "document_json", CAST(NULL AS text) AS "metadata_json", CAST(NULL AS text) AS "checked_json", "updated_at", "repeat_of", "failure" FROM "import_items" WHERE "import_id" = {}"#,
        bind(import_id.as_str().into())
    );
    if !states.is_empty() {
        // Literals of our own enum: the index by state can be used.
        let listed: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
        rows.push_str(&format!(r#" AND "state" IN ({})"#, listed.join(", ")));
    }
    if let Some(after) = after {
        rows.push_str(&format!(r#" AND "idx" > {}"#, bind(to_i64(after).into())));
    }
    rows.push_str(&format!(r#" ORDER BY "idx" LIMIT {limit}"#));
    let mut sql = format!(r#"SELECT * FROM ({rows}) r"#);
    // The key first, not a subquery: see `keys::project_key`.
    let files_of = if states.is_empty() || states.contains(&ItemState::Imported) {
        super::keys::import_key(db, import_id.as_str()).await?
    } else {
        None
    };
    if let Some(import_key) = files_of {
        let mut files = format!(
            r#"SELECT CAST({id} AS varchar) AS "import_id", "import_idx" AS "idx", "document_reference_id" AS "document_id", '{imported}' AS "state", '{stage}' AS "stage", CAST(NULL AS varchar) AS "rejection_code", CAST(NULL AS text) AS "message", "id" AS "file_id", "import_sequence" AS "sequence", CAST(NULL AS text) AS "document_json", CAST(NULL AS text) AS "metadata_json", CAST(NULL AS text) AS "checked_json", "updated_at", CAST(NULL AS bigint) AS "repeat_of", CAST(NULL AS varchar) AS "failure" FROM "files" WHERE "import_key" = {key} AND "import_sequence" IS NOT NULL"#,
            imported = ItemState::Imported.as_str(),
            stage = ItemStage::RecordFile.as_str(),
            id = bind(import_id.as_str().into()),
            key = bind(import_key.into()),
        );
        if let Some(after) = after {
            files.push_str(&format!(
                r#" AND "import_idx" > {}"#,
                bind(to_i64(after).into())
            ));
        }
        files.push_str(&format!(r#" ORDER BY "import_idx" LIMIT {limit}"#));
        sql = format!(
            r#"SELECT * FROM ({sql} UNION ALL SELECT * FROM ({files}) f) t ORDER BY "idx" LIMIT {limit}"#
        );
    }
    import_item::Model::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?
        .into_iter()
        .map(Item::try_from)
        .collect()
}
