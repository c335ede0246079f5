//! The numbers files name their project and their import by (migration
//! 24): `projects.key` and `imports.key`. The API speaks in ids; these stay
//! in the store, which maps one to the other here.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    sea_query::{Expr, Func, Query, SimpleExpr, SubQueryStatement},
    ActiveValue, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
};

use super::entities::{import, project};
use super::{StoreResult, WriteTx};

/// The keys a file written by an import carries.
#[derive(Debug, Clone, Copy)]
pub(super) struct FileOwners {
    pub project: i64,
    pub import: i64,
}

impl FileOwners {
    /// The owners of the files `import` writes.
    pub async fn of(tx: &WriteTx, import: &import::Model) -> StoreResult<Self> {
        let project = project_key(&**tx, &import.project_id)
            .await?
            .ok_or_else(|| {
                super::StoreError::Corrupt(format!(
                    "import {}: its project {} is missing",
                    import.id, import.project_id
                ))
            })?;
        Ok(Self {
            project,
            import: import.key,
        })
    }
}

/// The key a new row of projects or imports takes. PostgreSQL's identity
/// gives one when none is set, safely across replicas; SQLite takes the
/// next after the greatest, which its single writer makes safe.
pub(super) async fn next_key<E: EntityTrait>(
    tx: &WriteTx,
    table: E,
    key: E::Column,
) -> StoreResult<ActiveValue<i64>> {
    if tx.get_database_backend() == DbBackend::Postgres {
        return Ok(ActiveValue::NotSet);
    }
    let greatest = E::find()
        .select_only()
        .expr(Func::coalesce([
            Expr::col((table, key)).max(),
            Expr::value(0i64),
        ]))
        .into_tuple::<i64>()
        .one(&**tx)
        .await?
        .unwrap_or(0);
    Ok(ActiveValue::Set(greatest + 1))
}

/// The key of the project `project_id`, when there is one. Reads that
/// page through files look the key up first: compared with a known number,
/// PostgreSQL plans with the statistics of that value (a large import's
/// items are then read in index order, a page at a time), where a subquery
/// would leave it a generic guess.
pub(super) async fn project_key<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
) -> StoreResult<Option<i64>> {
    key_by_id::<_, project::Entity>(db, project::Column::Key, project::Column::Id, project_id).await
}

/// The key of the import `import_id`, when there is one.
pub(super) async fn import_key<C: ConnectionTrait>(
    db: &C,
    import_id: &str,
) -> StoreResult<Option<i64>> {
    key_by_id::<_, import::Entity>(db, import::Column::Key, import::Column::Id, import_id).await
}

async fn key_by_id<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    key: E::Column,
    id: E::Column,
    value: &str,
) -> StoreResult<Option<i64>> {
    Ok(E::find()
        .select_only()
        .column(key)
        .filter(id.eq(value))
        .into_tuple::<i64>()
        .one(db)
        .await?)
}

fn scalar(select: sea_orm::sea_query::SelectStatement) -> SimpleExpr {
    SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select)))
}

/// `(SELECT key FROM projects WHERE id = …)`: compared with a file's
/// `project_key`, one look-up, after which the files' indexes serve.
pub(super) fn project_key_of(project_id: &str) -> SimpleExpr {
    scalar(
        Query::select()
            .column(project::Column::Key)
            .from(project::Entity)
            .and_where(project::Column::Id.eq(project_id))
            .to_owned(),
    )
}

/// The ids of the projects and imports `keys` name.
pub(super) async fn ids_of<C: ConnectionTrait>(
    db: &C,
    project_keys: impl IntoIterator<Item = i64>,
    import_keys: impl IntoIterator<Item = i64>,
) -> StoreResult<Owners> {
    Ok(Owners {
        projects: by_key::<_, project::Entity>(
            db,
            project::Column::Key,
            project::Column::Id,
            project_keys,
        )
        .await?,
        imports: by_key::<_, import::Entity>(
            db,
            import::Column::Key,
            import::Column::Id,
            import_keys,
        )
        .await?,
    })
}

/// `id` by `key` of the rows of one table whose key is in `keys`.
async fn by_key<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    key: E::Column,
    id: E::Column,
    keys: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, String>> {
    let keys: HashSet<i64> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .select_only()
        .columns([key, id])
        .filter(key.is_in(keys))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Project and import ids by key.
pub(super) struct Owners {
    pub projects: HashMap<i64, String>,
    pub imports: HashMap<i64, String>,
}
