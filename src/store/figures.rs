//! What the metrics endpoint reads from the store when scraped: imports
//! per state (the same for every replica) and this replica's pool.

use sea_orm::{sea_query::Expr, ConnectionTrait, DbBackend, EntityTrait, QuerySelect};

use super::entities::import;
use super::{Store, StoreResult};

/// Connections of this replica's read pool.
pub struct PoolFigures {
    pub idle: u32,
    pub busy: u32,
}

impl Store {
    /// How many imports are in each state.
    pub async fn imports_per_state(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(import::Entity::find()
            .select_only()
            .column(import::Column::State)
            .column_as(Expr::col(import::Column::Id).count(), "count")
            .group_by(import::Column::State)
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?)
    }

    pub fn pool_figures(&self) -> PoolFigures {
        let (size, idle) = match self.db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        PoolFigures {
            idle,
            busy: size.saturating_sub(idle),
        }
    }
}
