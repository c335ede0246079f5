//! Storage: every query the service makes, behind one `Store`. Nothing
//! outside this module touches sea-orm; callers see domain types and
//! `StoreError`.

mod accounts;
mod batch;
mod checkpoints;
mod codes;
mod convert;
mod doorbell;
mod entities;
mod failures;
mod fhir_servers;
mod figures;
mod files;
mod identities;
mod imports;
mod intake;
mod keys;
mod leases;
mod migrations;
mod names;
mod process_lock;
mod processing;
mod projects;
mod purge;
mod refresh;
mod rescrape;
mod schemas;
mod scraping;
mod sessions;
mod stalls;
mod stand_ins;

use std::{sync::Arc, time::Duration};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqlErr, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use checkpoints::Checkpoints;

pub use accounts::{NewClient, StoredClient, StoredSigningKey, StoredUser};
pub use batch::RecordRequest;
pub use codes::StoredCode;
pub use doorbell::{Doorbell, Ring, Ringer};
pub use files::FileFilter;
pub use imports::CancelOutcome;
pub use intake::{IntakeItem, IntakeOutcome, NewImport};
pub use leases::LeaseTerms;
pub use migrations::{known_migrations, migrate_down_to};
pub use process_lock::{sqlite_file, ProcessLock, ProcessLockError};
pub use processing::PendingItem;
pub use purge::Purged;
pub use refresh::{Redeemed, StoredRefresh};
pub use rescrape::{FileSource, NewRescrape, RescrapeSelection, RescrapeStarted};
pub use schemas::{NewSchema, SchemaInsert, StoredSchema};
pub use scraping::{AwaitingMetadata, ScrapeOutcome, ScrapeResult};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database is up but refused this statement (a constraint, a
    /// trigger, a row that is not there): trying again will not help.
    #[error("the database refused the change: {0}")]
    Refused(String),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// The store's schema does not fit this release (a newer one migrated
    /// it), or a migration named is not one of this release's.
    #[error("{0}")]
    Schema(String),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(msg)) = err.sql_err() {
            return Self::Conflict(msg);
        }
        if store_is_unreachable(&err) {
            Self::Unavailable(err.to_string())
        } else {
            Self::Refused(err.to_string())
        }
    }
}

/// True for trouble of the store as a whole, which passes (a lost
/// connection, a full pool, a busy or locked database, a serialization
/// failure); false when the database answered and refused the statement.
fn store_is_unreachable(err: &DbErr) -> bool {
    use sea_orm::{sqlx, RuntimeErr};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    match runtime {
        RuntimeErr::SqlxError(sqlx::Error::Database(db)) => {
            db.code().is_some_and(|code| transient_code(&code))
        }
        RuntimeErr::SqlxError(_) => true,
        RuntimeErr::Internal(_) => false,
    }
}

/// PostgreSQL's SQLSTATEs (five characters) and SQLite's result codes that
/// mean "not now" rather than "not this".
fn transient_code(code: &str) -> bool {
    if code.len() == 5 {
        // Serialization failure, deadlock, lock not available; connection
        // exceptions (08), insufficient resources (53), operator
        // intervention such as a shutdown (57).
        return matches!(code, "40001" | "40P01" | "55P03")
            || ["08", "53", "57"]
                .iter()
                .any(|class| code.starts_with(class));
    }
    // SQLite: IOERR, BUSY, LOCKED, FULL, CANTOPEN, with their extended codes.
    code.parse::<i32>()
        .is_ok_and(|extended| matches!(extended & 0xff, 5 | 6 | 10 | 13 | 14))
}

pub type StoreResult<T> = Result<T, StoreError>;

/// How long a lease lasts unless configured.
const DEFAULT_LEASE: Duration = Duration::from_secs(15);

/// The SQLite writer's page cache: the upper levels of the indexes a batch
/// probes (names, document ids) stay in memory as a project grows. Over a
/// 1,000,000-document stream 8 MiB took 32 s at 128 MB peak RSS, 2 MiB
/// 39 s at 118 MB, 32 MiB 26 s at 171 MB (scripts/stream-rss.sh).
const SQLITE_WRITER_CACHE_KIB: u32 = 8 * 1024;

/// What the service's PostgreSQL sessions call themselves.
const SESSION_NAME: &str = "fhir-import";

fn connect_options(url: &str, max_connections: u32, cache_kib: Option<u32>) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections.max(1))
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if url.starts_with("postgres") {
        // The service's sessions go by this name in pg_stat_activity (for
        // operators, and for `admin migrate-down`), unless the URL gives one.
        options.map_sqlx_postgres_opts(|opts| match opts.get_application_name() {
            Some(_) => opts,
            None => opts.application_name(SESSION_NAME),
        });
    }
    if url.starts_with("sqlite:") {
        // FULL: a commit is on disk before the client is told its
        // documents were accepted, even across a power loss. Batching
        // keeps this to one sync per few hundred documents.
        options.map_sqlx_sqlite_opts(move |opts| {
            let opts = opts
                .create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true);
            match cache_kib {
                // Negative: a size in KiB rather than in pages.
                Some(kib) => opts.pragma("cache_size", format!("-{kib}")).pragma(
                    "wal_autocheckpoint",
                    checkpoints::WRITER_BACKSTOP_PAGES.to_string(),
                ),
                None => opts,
            }
        });
    }
    options
}

#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where write transactions run. On SQLite one connection of its own:
    /// a connection drops its page cache whenever another one wrote, so
    /// writes spread over the pool re-read the indexes from the OS on every
    /// batch; a sole writer keeps them cached. On PostgreSQL the pool.
    writer: DatabaseConnection,
    /// SQLite allows one writer; taking this lock before a write transaction
    /// queues writers here instead of failing them with SQLITE_BUSY.
    write_lock: Option<Arc<Mutex<()>>>,
    /// SQLite: the task that checkpoints the WAL after writes.
    checkpoints: Option<Checkpoints>,
    lease: Arc<LeaseTerms>,
}

/// A write transaction, holding the SQLite writer lock where there is one.
pub(crate) struct WriteTx {
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    checkpoints: Option<Checkpoints>,
}

impl std::ops::Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTx {
    pub async fn commit(self) -> StoreResult<()> {
        self.txn.commit().await?;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.wrote();
        }
        Ok(())
    }
}

impl Store {
    /// Connects to `sqlite://…` or `postgres://…` and brings the schema up to
    /// date. A SQLite file is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let db = Database::connect(connect_options(url, max_connections, None)).await?;
        migrations::migrate(&db).await?;
        let (writer, write_lock, checkpoints) = if db.get_database_backend() == DbBackend::Sqlite {
            let writer =
                Database::connect(connect_options(url, 1, Some(SQLITE_WRITER_CACHE_KIB))).await?;
            let checkpoints = Checkpoints::start(db.clone());
            (writer, Some(Arc::new(Mutex::new(()))), Some(checkpoints))
        } else {
            (db.clone(), None, None)
        };
        Ok(Self {
            db,
            writer,
            write_lock,
            checkpoints,
            lease: Arc::new(LeaseTerms::new(DEFAULT_LEASE)),
        })
    }

    /// The same store, its leases lasting `ttl`.
    pub fn with_lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease = Arc::new(LeaseTerms {
            owner: self.lease.owner.clone(),
            ttl,
        });
        self
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            DbBackend::MySql => "mysql",
        }
    }

    /// True when other replicas may share this store (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.is_postgres()
    }

    pub(crate) fn is_postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    pub(crate) async fn begin_write(&self) -> StoreResult<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self.writer.begin().await?;
        if guard.is_some() {
            // SQLite begins a transaction as a reader; one that reads and
            // then writes while another process committed fails at once
            // with SQLITE_BUSY (its snapshot is stale, so the busy timeout
            // cannot help). A first statement that writes takes the write
            // lock up front, waiting for it like `BEGIN IMMEDIATE`.
            txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0")
                .await?;
        }
        Ok(WriteTx {
            txn,
            _guard: guard,
            checkpoints: self.checkpoints.clone(),
        })
    }

    pub async fn close(self) {
        if self.write_lock.is_some() {
            let _ = self.writer.close().await;
        }
        let _ = self.db.close().await;
    }
}

/// An INSERT of one item per row of `rows`, which selects, in this order,
/// its import, index, document id, state, stage, file, sequence and time
/// (rescrape and `stand_ins` make items of files inside the database).
fn insert_items_selected(
    rows: sea_orm::sea_query::SelectStatement,
) -> StoreResult<sea_orm::sea_query::InsertStatement> {
    use entities::import_item::Column;
    Ok(sea_orm::sea_query::Query::insert()
        .into_table(entities::import_item::Entity)
        .columns([
            Column::ImportId,
            Column::Idx,
            Column::DocumentId,
            Column::State,
            Column::Stage,
            Column::FileId,
            Column::Sequence,
            Column::UpdatedAt,
        ])
        .select_from(rows)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .to_owned())
}

/// Inserts rows: on PostgreSQL as one `INSERT … SELECT FROM UNNEST(…)`, a
/// statement with one array parameter per column however many rows (cheap
/// to plan and to bind); on SQLite in multi-row statements that stay under
/// its bind-parameter limit (32766).
async fn insert_chunked<E, A>(tx: &WriteTx, rows: Vec<A>) -> StoreResult<()>
where
    E: sea_orm::EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    E::Model: sea_orm::IntoActiveModel<A>,
{
    if rows.is_empty() {
        return Ok(());
    }
    if tx.get_database_backend() == DbBackend::Postgres {
        if let Some(statement) = unnest_insert::<E, A>(&rows) {
            tx.execute(statement).await?;
            return Ok(());
        }
    }
    const ROWS_PER_STATEMENT: usize = 500;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        E::insert_many(chunk).exec_without_returning(&**tx).await?;
    }
    Ok(())
}

/// On PostgreSQL, the start of a look-up of many values that probes the
/// index once per value of the text array `$array_parameter`: a nested loop
/// the planner cannot turn into a scan. With `col = ANY($n)` it may filter
/// all of a project's files instead, whenever its statistics are stale (a
/// fresh table, a new project in a big one): every batch of an import then
/// reads every file it wrote before (measured: 20 ms a batch after 100,000
/// files, 1 ms with this form). `OFFSET 0` keeps the subquery from being
/// flattened into a join the planner could reorder. A value given twice
/// yields its rows twice.
pub(super) fn probe_each(array_parameter: usize) -> String {
    format!("unnest(${array_parameter}::text[]) AS wanted(value), LATERAL (SELECT * FROM")
}

/// The rows of `statement`, each as a tuple.
pub(super) async fn tuples<T: sea_orm::TryGetableMany>(
    tx: &WriteTx,
    statement: sea_orm::Statement,
) -> StoreResult<Vec<T>> {
    let rows = tx.query_all(statement).await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get_many_by_index())
        .collect::<Result<_, _>>()?)
}

/// A bigint array parameter, bound as one value.
fn bigint_array(values: &[i64]) -> sea_orm::Value {
    use sea_orm::sea_query::{ArrayType, Value};
    let array = values.iter().map(|v| Value::from(*v)).collect();
    Value::Array(ArrayType::BigInt, Some(Box::new(array)))
}

/// A text array parameter, bound as one value however many elements.
fn text_array(values: &[&str]) -> sea_orm::Value {
    use sea_orm::sea_query::{ArrayType, Value};
    let array = values.iter().map(|v| Value::from(*v)).collect();
    Value::Array(ArrayType::String, Some(Box::new(array)))
}

/// The UNNEST insert of `rows`, or none when a column has a type it does
/// not map (then the rows go in as multi-row VALUES). The binder takes
/// arrays without NULL elements, so a column with NULLs comes with a second
/// array saying which are NULL; a nullable column NULL in every row is left
/// out.
fn unnest_insert<E, A>(rows: &[A]) -> Option<sea_orm::Statement>
where
    E: sea_orm::EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E>,
{
    use sea_orm::sea_query::{ArrayType, ColumnType, Value};
    // `Iden::to_string`: the column's name as the table has it.
    use sea_orm::{ColumnTrait, Iden, Iterable};
    let mut names = Vec::new();
    let mut selected = Vec::new();
    let mut arrays = Vec::new();
    let mut params = Vec::new();
    for column in E::Column::iter() {
        let (cast, kind, stand_in) = match column.def().get_column_type() {
            ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => (
                "text",
                ArrayType::String,
                Value::String(Some(Box::default())),
            ),
            ColumnType::Binary(_) | ColumnType::VarBinary(_) | ColumnType::Blob => (
                "bytea",
                ArrayType::Bytes,
                Value::Bytes(Some(Box::default())),
            ),
            ColumnType::BigInteger => ("int8", ArrayType::BigInt, Value::BigInt(Some(0))),
            ColumnType::Integer => ("int4", ArrayType::Int, Value::Int(Some(0))),
            ColumnType::Boolean => ("bool", ArrayType::Bool, Value::Bool(Some(false))),
            ColumnType::TimestampWithTimeZone => (
                "timestamptz",
                ArrayType::ChronoDateTimeUtc,
                Value::ChronoDateTimeUtc(Some(Box::default())),
            ),
            _ => return None,
        };
        let cells: Vec<Option<Value>> = rows
            .iter()
            .map(|row| row.get(column).into_value().filter(|v| !is_null(v)))
            .collect();
        if column.def().is_null() && cells.iter().all(Option::is_none) {
            // Left out, the column is NULL all the same: no array of stand-ins
            // and of flags to send and unpack for it.
            continue;
        }
        let nulls: Option<Vec<Value>> = cells.iter().any(Option::is_none).then(|| {
            cells
                .iter()
                .map(|cell| Value::Bool(Some(cell.is_none())))
                .collect()
        });
        let values: Vec<Value> = cells
            .into_iter()
            .map(|cell| cell.unwrap_or_else(|| stand_in.clone()))
            .collect();
        let n = arrays.len();
        names.push(format!("\"{}\"", column.to_string()));
        params.push(format!("${}::{cast}[]", n + 1));
        arrays.push(Value::Array(kind, Some(Box::new(values))));
        if let Some(nulls) = nulls {
            params.push(format!("${}::bool[]", n + 2));
            arrays.push(Value::Array(ArrayType::Bool, Some(Box::new(nulls))));
            selected.push(format!("CASE WHEN c{} THEN NULL ELSE c{n} END", n + 1));
        } else {
            selected.push(format!("c{n}"));
        }
    }
    let aliases: Vec<String> = (0..arrays.len()).map(|n| format!("c{n}")).collect();
    let sql = format!(
        "INSERT INTO \"{}\" ({}) SELECT {} FROM UNNEST({}) AS t({})",
        E::default().table_name(),
        names.join(", "),
        selected.join(", "),
        params.join(", "),
        aliases.join(", ")
    );
    Some(sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        arrays,
    ))
}

fn is_null(value: &sea_orm::sea_query::Value) -> bool {
    use sea_orm::sea_query::Value;
    matches!(
        value,
        Value::String(None)
            | Value::Bytes(None)
            | Value::BigInt(None)
            | Value::Int(None)
            | Value::Bool(None)
            | Value::ChronoDateTimeUtc(None)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Statement};

    /// The rows written per document go in as one UNNEST insert a batch on
    /// PostgreSQL: a column type the insert does not map would silently
    /// send them as 500-row VALUES lists (thousands of parameters to parse).
    #[test]
    fn hot_path_rows_map_to_an_unnest_insert() {
        use sea_orm::IntoActiveModel;
        let now = chrono::Utc::now();
        let file = entities::file::Model {
            id: "f".into(),
            project_key: 1,
            name: "n".into(),
            document_reference_id: "d".into(),
            fhir_server: String::new(),
            document: vec![0, b'{', b'}'],
            metadata_state: "PENDING".into(),
            metadata_error: String::new(),
            metadata_schema: None,
            metadata_sources: None,
            tags: "[]".into(),
            import_key: 2,
            import_idx: Some(0),
            import_sequence: Some(1),
            created_at: now,
            updated_at: now,
        };
        let statement = unnest_insert::<entities::file::Entity, _>(&[file.into_active_model()])
            .expect("files map");
        assert!(statement.sql.contains("::bytea[]"), "{}", statement.sql);
        assert!(
            statement.sql.contains("\"import_sequence\""),
            "{}",
            statement.sql
        );
        let item = entities::import_item::Model {
            import_id: "i".into(),
            idx: 0,
            document_id: None,
            state: "IMPORTED".into(),
            stage: "RECORD_FILE".into(),
            rejection_code: None,
            message: None,
            file_id: Some("f".into()),
            sequence: 1,
            document_json: None,
            metadata_json: None,
            checked_json: None,
            updated_at: now,
            repeat_of: None,
            failure: None,
        };
        let statement =
            unnest_insert::<entities::import_item::Entity, _>(&[item.into_active_model()])
                .expect("items map");
        // Columns NULL in every row are left out; the others stay.
        assert!(statement.sql.contains("\"file_id\""), "{}", statement.sql);
        assert!(!statement.sql.contains("\"message\""), "{}", statement.sql);
    }

    /// A SQLite store in `dir` with one import of 300 documents, recorded
    /// as files; the store and the import.
    async fn store_with_an_import(dir: &std::path::Path) -> (Store, crate::domain::import::Import) {
        store_with_files(dir, 300).await
    }

    /// A SQLite store in `dir` with one import that recorded `count`
    /// documents as files, in batches of 500; the store and the import.
    async fn store_with_files(
        dir: &std::path::Path,
        count: u64,
    ) -> (Store, crate::domain::import::Import) {
        use crate::domain::{
            document::{validate_document_json, DocumentPolicy},
            import::ConflictPolicy,
            project::ProjectName,
        };
        let url = format!("sqlite://{}", dir.join("db.sqlite").display());
        let store = Store::connect(&url, 2).await.expect("store");
        let name = ProjectName::parse("upgrade").expect("name");
        let project = store
            .create_project("ada", &name, "")
            .await
            .expect("project");
        let import = store
            .create_import(intake::NewImport {
                project_id: project.id,
                fhir_server: None,
                on_conflict: ConflictPolicy::Overwrite,
                idempotency_key: None,
                tags: vec![],
                created_by: "ada".into(),
            })
            .await
            .expect("import");
        let items: Vec<_> = (0..count)
            .map(|n| {
                IntakeItem::new(
                    n,
                    validate_document_json(
                    &format!(
                        r#"{{"resourceType":"DocumentReference","id":"d{n}","status":"current","content":[{{"attachment":{{"url":"https://example.org/{n}.cram","size":{n},"contentType":"application/cram","hash":"{n:04}"}}}}]}}"#
                    ),
                    &DocumentPolicy::default(),
                )
                    .map(|doc| (doc, Default::default())),
                )
            })
            .collect();
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let batch = items.by_ref().take(500).collect();
            store.record_intake(&import.id, batch).await.expect("items");
        }
        (store, import)
    }

    /// The filter that lists every file of `import`'s project.
    fn every_file_of(import: &crate::domain::import::Import) -> files::FileFilter {
        files::FileFilter {
            project_id: import.project_id.clone(),
            metadata: vec![],
            import_id: None,
        }
    }

    /// The count `sql` reads from the SQLite store.
    async fn count_of(store: &Store, sql: &str) -> i64 {
        one_row(store, sql)
            .await
            .try_get_by_index::<i64>(0)
            .expect("a count")
    }

    /// The one row `sql` reads from the SQLite store.
    async fn one_row(store: &Store, sql: &str) -> sea_orm::QueryResult {
        store
            .db
            .query_one(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .expect("query")
            .expect("a row")
    }

    /// Migrates `store` down to the schema before migration `number` (the
    /// migrations are numbered from 1 in the order they run).
    async fn down_to_before(store: &Store, number: usize) {
        let steps = Migrator::migrations().len() + 1 - number;
        let steps = u32::try_from(steps).expect("steps");
        Migrator::down(&store.writer, Some(steps))
            .await
            .expect("down");
    }

    /// Items written before their table became WITHOUT ROWID (migration
    /// 19) are all there after it, in order, and the other way round. The
    /// rows are read as they are: the store's reads need the schema of now.
    #[tokio::test]
    async fn items_survive_the_rebuild_of_their_table() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = store_with_an_import(dir.path()).await;
        // Items the files stand for (migration 23) become rows.
        down_to_before(&store, 23).await;
        let listed = || async {
            store
                .db
                .query_all(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT idx, document_id, state FROM import_items ORDER BY idx",
                ))
                .await
                .expect("items")
                .iter()
                .map(|row| row.try_get_many_by_index().expect("item"))
                .collect::<Vec<(i64, String, String)>>()
        };
        let before = listed().await;
        assert_eq!(before.len(), 300);
        assert_eq!(before[7], (7, "d7".to_owned(), "IMPORTED".to_owned()));
        let table_sql = || async {
            one_row(
                &store,
                "SELECT sql FROM sqlite_schema WHERE name = 'import_items'",
            )
            .await
            .try_get_by_index::<String>(0)
            .expect("sql")
        };
        assert!(table_sql().await.ends_with("WITHOUT ROWID"));

        down_to_before(&store, 19).await;
        assert!(!table_sql().await.contains("WITHOUT ROWID"));
        assert_eq!(listed().await, before);
        Migrator::up(&store.writer, None).await.expect("up");
        assert!(table_sql().await.ends_with("WITHOUT ROWID"));
        assert_eq!(listed().await, before);
        store.close().await;
    }

    /// Files read their attachment's url, size, content type and hashes
    /// from their document since migration 20 dropped those columns: the
    /// same as before it, and, migrated down, the columns hold them again.
    #[tokio::test]
    async fn files_read_the_same_attachment_before_and_after_migration_20() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, import) = store_with_an_import(dir.path()).await;
        let listed = |store: Store| {
            let filter = every_file_of(&import);
            async move {
                let files = store.list_files(&filter, None, 1000).await.expect("list");
                let mut seen: Vec<_> = files
                    .into_iter()
                    .map(|f| (f.name, f.url, f.size, f.content_type, f.hashes))
                    .collect();
                seen.sort();
                seen
            }
        };
        let after = listed(store.clone()).await;
        assert_eq!(after.len(), 300);
        let seven = after
            .iter()
            .find(|(name, ..)| name == "7.cram")
            .expect("the file of d7");
        assert_eq!(seven.1, "https://example.org/7.cram");
        assert_eq!(seven.2, Some(7));
        assert_eq!(seven.3, "application/cram");
        assert_eq!(seven.4.get("sha1").map(String::as_str), Some("0007"));

        down_to_before(&store, 20).await;
        let row = one_row(
            &store,
            "SELECT url, size, content_type, hashes FROM files WHERE name = '7.cram'",
        )
        .await;
        assert_eq!(
            row.try_get_by_index::<String>(0).expect("url"),
            "https://example.org/7.cram"
        );
        assert_eq!(row.try_get_by_index::<i64>(1).expect("size"), 7);
        assert_eq!(
            row.try_get_by_index::<String>(2).expect("content type"),
            "application/cram"
        );
        assert_eq!(
            row.try_get_by_index::<String>(3).expect("hashes"),
            r#"{"sha1":"0007"}"#
        );
        Migrator::up(&store.writer, None).await.expect("up");
        assert_eq!(listed(store.clone()).await, after);
        store.close().await;
    }

    /// Migration 21 tells each file which item of its import wrote it,
    /// from the items, before their index by file goes.
    #[tokio::test]
    async fn migration_21_names_each_file_s_writer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = store_with_an_import(dir.path()).await;
        let count = |sql: &'static str| count_of(&store, sql);
        let named = "SELECT count(*) FROM files f JOIN import_items i \
                     ON i.import_id = f.import_id AND i.file_id = f.id AND i.idx = f.import_idx";
        // Items the files stand for (migration 23) become rows.
        down_to_before(&store, 23).await;
        assert_eq!(count(named).await, 300, "written by the store");
        down_to_before(&store, 21).await;
        assert_eq!(count("SELECT count(*) FROM files").await, 300);
        Migrator::up(&store.writer, None).await.expect("up");
        // Files name their import by key since migration 24.
        let named_by_key = "SELECT count(*) FROM files f JOIN imports m ON m.key = f.import_key \
                            JOIN import_items i \
                            ON i.import_id = m.id AND i.file_id = f.id AND i.idx = f.import_idx";
        assert_eq!(count(named_by_key).await, 300, "filled by the migration");
        store.close().await;
    }

    /// Migration 22 compresses every document (in chunks of a thousand
    /// files) and `down` gives the text back: every file reads the same.
    #[tokio::test]
    async fn migration_22_packs_and_unpacks_every_document() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, import) = store_with_files(dir.path(), 2_345).await;
        let documents = |store: Store| {
            let filter = every_file_of(&import);
            async move {
                let mut all = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let page = store
                        .list_files(&filter, after.as_deref(), 1000)
                        .await
                        .expect("list");
                    let Some(last) = page.last() else { break };
                    after = Some(last.id.as_str().to_owned());
                    for file in page {
                        let file = store.get_file(&file.id).await.expect("get").expect("file");
                        all.push((file.name, file.document_json.expect("document")));
                    }
                }
                all.sort();
                all
            }
        };
        let before = documents(store.clone()).await;
        assert_eq!(before.len(), 2_345);
        let count = |sql: &'static str| count_of(&store, sql);

        down_to_before(&store, 22).await;
        let texts = "SELECT count(*) FROM files WHERE document_json LIKE '{\"resourceType\"%'";
        assert_eq!(count(texts).await, 2_345);
        Migrator::up(&store.writer, None).await.expect("up");
        let packed = "SELECT count(*) FROM files WHERE hex(substr(document, 1, 1)) = '01'";
        assert_eq!(count(packed).await, 2_345);
        assert_eq!(documents(store.clone()).await, before);
        store.close().await;
    }

    /// The files of a plain import stand for its items (migration 23): no
    /// item rows, and the items list the same read off the files, from the
    /// rows `down` writes out, and after `up` again.
    #[tokio::test]
    async fn migration_23_writes_out_the_items_files_stood_for() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, import) = store_with_files(dir.path(), 1_234).await;
        let listed = |store: Store| {
            let import_id = import.id.clone();
            async move {
                let mut all = Vec::new();
                let mut after = None;
                loop {
                    let page = store
                        .list_items(&import_id, &[], after, 500)
                        .await
                        .expect("list");
                    let Some(last) = page.last() else { break };
                    after = Some(last.index);
                    all.extend(page);
                }
                all
            }
        };
        let rows = "SELECT count(*) FROM import_items";
        let standing = "SELECT count(*) FROM files WHERE import_sequence IS NOT NULL";
        assert_eq!(count_of(&store, rows).await, 0);
        assert_eq!(count_of(&store, standing).await, 1_234);
        let before = listed(store.clone()).await;
        assert_eq!(before.len(), 1_234);
        assert!(before
            .iter()
            .enumerate()
            .all(|(n, item)| item.index == n as u64
                && item.state == crate::domain::import::ItemState::Imported
                && item.document_id.as_deref() == Some(format!("d{n}").as_str())
                && item.file_id.is_some()
                && item.sequence > 0));

        down_to_before(&store, 23).await;
        assert_eq!(count_of(&store, rows).await, 1_234);
        let written_out = "SELECT count(*) FROM import_items i JOIN files f \
                           ON f.id = i.file_id AND f.import_id = i.import_id AND f.import_idx = i.idx \
                           AND f.updated_at = i.updated_at WHERE i.state = 'IMPORTED' \
                           AND i.stage = 'RECORD_FILE' AND i.document_id = f.document_reference_id";
        assert_eq!(count_of(&store, written_out).await, 1_234);
        Migrator::up(&store.writer, None).await.expect("up");
        assert_eq!(count_of(&store, standing).await, 0, "the rows stay rows");
        assert_eq!(listed(store.clone()).await, before);
        store.close().await;
    }

    /// Upgrading a SQLite store through migration 22 leaves it smaller on
    /// disk, not larger: the rows it rewrites smaller leave half-empty
    /// pages, which the store vacuums away once.
    #[tokio::test]
    async fn an_upgraded_sqlite_store_takes_less_disk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = store_with_files(dir.path(), 3_000).await;
        down_to_before(&store, 22).await;
        store
            .writer
            .execute_unprepared("VACUUM")
            .await
            .expect("compact the old layout");
        store.close().await;
        let on_disk = || {
            ["db.sqlite", "db.sqlite-wal"]
                .iter()
                .filter_map(|name| std::fs::metadata(dir.path().join(name)).ok())
                .map(|m| m.len())
                .sum::<u64>()
        };
        let before = on_disk();

        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = Store::connect(&url, 2).await.expect("upgrade");
        let after = on_disk();
        assert!(
            after * 10 < before * 9,
            "{after} bytes on disk after the upgrade, {before} before"
        );
        store.close().await;
    }

    /// A commit reaches the database file itself soon, not only its WAL
    /// (which the writer would copy back only after thousands of pages): a
    /// copy of the file without its `-wal` holds it.
    #[tokio::test]
    async fn commits_are_checkpointed_into_the_database_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("db.sqlite");
        let store = Store::connect(&format!("sqlite://{}", file.display()), 2)
            .await
            .expect("store");
        let tx = store.begin_write().await.expect("write");
        tx.execute_unprepared("CREATE TABLE written (x INTEGER)")
            .await
            .expect("create");
        tx.execute_unprepared("INSERT INTO written VALUES (42)")
            .await
            .expect("insert");
        tx.commit().await.expect("commit");

        let copy = dir.path().join("copy.sqlite");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            std::fs::copy(&file, &copy).expect("copy the file alone");
            let _ = std::fs::remove_file(dir.path().join("copy.sqlite-wal"));
            let copied = Database::connect(format!("sqlite://{}", copy.display()))
                .await
                .expect("open the copy");
            let found = copied
                .query_one(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT x FROM written",
                ))
                .await;
            copied.close().await.expect("close the copy");
            if let Ok(Some(row)) = found {
                assert_eq!(row.try_get_by_index::<i64>(0).expect("x"), 42);
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the commit is still only in the WAL after 10 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        store.close().await;
    }

    /// Two processes on one SQLite file: a transaction that reads before it
    /// writes waits for the other's commit instead of failing "database is
    /// locked" (what `admin rotate-signing-key` met beside a running server).
    #[tokio::test]
    async fn a_write_transaction_waits_for_another_process_s_commit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let server = Store::connect(&url, 2).await.expect("first store");
        let admin = Store::connect(&url, 2).await.expect("second store");
        let count = "SELECT count(*) AS n FROM seaql_migrations";

        let holding = server.begin_write().await.expect("first write");
        holding
            .execute_unprepared("UPDATE seaql_migrations SET applied_at = applied_at")
            .await
            .expect("first write's update");
        let commit_later = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            holding.commit().await
        });

        let tx = admin.begin_write().await.expect("second write begins");
        let read = tx
            .query_one(Statement::from_string(DbBackend::Sqlite, count))
            .await
            .expect("read");
        assert!(read.is_some());
        tx.execute_unprepared("UPDATE seaql_migrations SET applied_at = applied_at")
            .await
            .expect("the write after the read waits for the other commit");
        tx.commit().await.expect("second commit");
        commit_later.await.expect("join").expect("first commit");
    }
}
