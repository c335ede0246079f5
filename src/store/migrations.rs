//! The store's schema and this release's migrations: brought up to date as
//! a replica starts, refused when a newer release migrated it further, and
//! rolled back by this release (`admin migrate-down`) before an older one
//! runs again.

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::{self, Connection},
    ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};

use super::{connect_options, StoreError, StoreResult};

/// Any PostgreSQL advisory lock key only this service takes: replicas
/// starting together migrate one after the other.
const MIGRATION_LOCK: i64 = 0x6668_6972_696d_7074;

/// The names of this release's migrations, in the order they run.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// Brings the schema up to date. On PostgreSQL the migrator runs under a
/// session advisory lock, so replicas that start at once (a rolling
/// deploy) do not race to create the same tables: the others wait, then
/// find nothing left to do. A store that a newer release migrated further
/// is refused as it is, untouched.
pub(super) async fn migrate(db: &DatabaseConnection) -> StoreResult<()> {
    let failed = |e: DbErr| StoreError::Unavailable(format!("migration failed: {e}"));
    if db.get_database_backend() != DbBackend::Postgres {
        applied_known_migrations(db).await?;
        let pending = Migrator::get_pending_migrations(db).await.map_err(failed)?;
        Migrator::up(db, None).await.map_err(failed)?;
        let shrunk = pending
            .iter()
            .any(|m| migration::SHRINK_SQLITE_ROWS.contains(&m.name()));
        if shrunk {
            // Once, right after the upgrade, while nothing else runs.
            tracing::info!("rows were rewritten smaller; vacuuming the database once");
            db.execute_unprepared("VACUUM").await.map_err(failed)?;
            // In WAL mode the vacuumed copy went through the WAL: copy it
            // back and empty it, or it keeps the database's size on disk.
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .map_err(failed)?;
        }
        return Ok(());
    }
    let lock = MigrationLock::take(db).await?;
    let migrated = match applied_known_migrations(db).await {
        Ok(_) => Migrator::up(db, None).await.map_err(failed),
        Err(refused) => Err(refused),
    };
    lock.release().await;
    migrated
}

/// Rolls the schema of the store at `url` back to where it stood right
/// after the migration `to` (one of this release's), undoing the later
/// ones newest first; the names of those undone. The store must not be in
/// use: an older release then starts on it.
pub async fn migrate_down_to(url: &str, to: &str) -> StoreResult<Vec<String>> {
    let known = known_migrations();
    let Some(position) = known.iter().position(|name| name == to) else {
        return Err(StoreError::Schema(format!(
            "{to} is not a migration of this release; its migrations are {} to {}",
            known.first().map_or("", String::as_str),
            known.last().map_or("", String::as_str),
        )));
    };
    let mut options = connect_options(url, 1, None);
    // Not a session of the running service (see `refuse_while_served`).
    options.map_sqlx_postgres_opts(|opts| opts.application_name("fhir-import migrate-down"));
    let db = Database::connect(options).await?;
    let lock = match db.get_database_backend() {
        DbBackend::Postgres => Some(MigrationLock::take(&db).await?),
        _ => None,
    };
    let rolled_back = match refuse_while_served(&db).await {
        Ok(()) => roll_back(&db, &known[..=position]).await,
        Err(refused) => Err(refused),
    };
    if let Some(lock) = lock {
        lock.release().await;
    }
    let _ = db.close().await;
    rolled_back
}

/// Refuses to change the schema of a PostgreSQL database that sessions of
/// the service are connected to: replicas (or `admin` commands) would go
/// on with tables that no longer fit them. Sessions whose URL named
/// another `application_name` are not seen. (On SQLite the caller holds
/// the file's process lock.)
async fn refuse_while_served(db: &DatabaseConnection) -> StoreResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let row = db
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1",
            [super::SESSION_NAME.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt("no answer from pg_stat_activity".into()))?;
    let sessions: i64 = row.try_get_by_index(0)?;
    if sessions == 0 {
        return Ok(());
    }
    Err(StoreError::Schema(format!(
        "{sessions} session(s) of fhir-import are connected to this database (replicas, or \
         admin commands): stop every replica first"
    )))
}

/// Undoes every applied migration after `kept`, newest first.
async fn roll_back(db: &DatabaseConnection, kept: &[String]) -> StoreResult<Vec<String>> {
    let undone: Vec<String> = applied_known_migrations(db)
        .await?
        .into_iter()
        .filter(|name| !kept.contains(name))
        .rev()
        .collect();
    if undone.is_empty() {
        return Ok(undone);
    }
    let steps = u32::try_from(undone.len())
        .map_err(|_| StoreError::Schema("too many migrations to undo".into()))?;
    Migrator::down(db, Some(steps))
        .await
        .map_err(|e| StoreError::Unavailable(format!("rolling the schema back failed: {e}")))?;
    Ok(undone)
}

/// The migrations applied to the store, oldest first, refusing a store on
/// which one this release does not know was applied: a newer release
/// migrated it, and this one's reads and writes would not fit its tables.
async fn applied_known_migrations(db: &DatabaseConnection) -> StoreResult<Vec<String>> {
    let known = known_migrations();
    let applied = applied_migrations(db).await?;
    let unknown: Vec<&str> = applied
        .iter()
        .filter(|name| !known.contains(name))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(applied);
    }
    let latest = known.last().map_or("", String::as_str);
    Err(StoreError::Schema(format!(
        "the store was migrated by a newer release of fhir-import: this release does not know \
         {} (its own end at {latest}). Run the newer release, or roll the schema back with it \
         first, every replica of it stopped: `fhir-import admin migrate-down --to {latest}`",
        unknown.join(", ")
    )))
}

/// The migrations applied to the store, oldest first; none on a new store.
async fn applied_migrations(db: &DatabaseConnection) -> StoreResult<Vec<String>> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Postgres => "SELECT to_regclass('seaql_migrations') IS NOT NULL",
        _ => "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations')",
    };
    let row = db
        .query_one(Statement::from_string(backend, exists))
        .await?
        .ok_or_else(|| StoreError::Corrupt("no answer on the migrations table".into()))?;
    if !row.try_get_by_index::<bool>(0)? {
        return Ok(Vec::new());
    }
    let rows = db
        .query_all(Statement::from_string(
            backend,
            r#"SELECT "version" FROM "seaql_migrations" ORDER BY "version""#,
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?)
}

/// The PostgreSQL migration lock, held by a connection of its own outside
/// the pool (a pool of one, as `admin` opens, still has a connection left
/// for the migrator); closing that session releases it.
struct MigrationLock(sqlx::PgConnection);

impl MigrationLock {
    async fn take(db: &DatabaseConnection) -> StoreResult<Self> {
        let options = db.get_postgres_connection_pool().connect_options();
        let mut holder = sqlx::PgConnection::connect_with(&options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut holder)
            .await
            .map_err(|e| StoreError::Unavailable(format!("waiting for the migration lock: {e}")))?;
        Ok(Self(holder))
    }

    async fn release(self) {
        let _ = self.0.close().await;
    }
}
