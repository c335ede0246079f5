//! Writes of RescrapeFiles: the selected files of a project become the items
//! of one RESCRAPE import per FHIR server, waiting for the metadata stage.
//! Rows are copied inside the database (INSERT … SELECT), so rescraping a
//! project of a million files holds none of them in memory.

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, StatementBuilder,
};

use super::convert::set_counts;
use super::entities::{file, import, import_item, project};
use super::keys::{next_key, project_key_of};
use super::{Store, StoreResult, WriteTx};
use crate::domain::{
    ids::{FhirServerId, ImportId, ProjectId},
    import::{
        ConflictPolicy, Counts, Import, ImportKind, ImportState, ItemStage, ItemState,
        MetadataState,
    },
};

/// Which files of a project to scrape again.
#[derive(Debug, Clone)]
pub enum RescrapeSelection {
    /// These files (ids already checked to be in the project).
    Files(Vec<String>),
    /// The files this import created or overwrote.
    Import(ImportId),
    /// Every file of the project that came from a FHIR server.
    Project,
}

pub struct NewRescrape {
    pub project_id: ProjectId,
    pub selection: RescrapeSelection,
    /// Only files whose metadata is in one of these states; empty: any.
    pub metadata_states: Vec<MetadataState>,
    pub created_by: String,
}

pub struct RescrapeStarted {
    pub imports: Vec<Import>,
    pub files: u64,
    pub already_pending: u64,
}

/// A file of the project and where it came from.
pub struct FileSource {
    pub id: String,
    pub fhir_server: Option<FhirServerId>,
}

/// Item states whose file the import created or overwrote.
const RECORDED: [ItemState; 3] = [
    ItemState::Imported,
    ItemState::Scraped,
    ItemState::ScrapeFailed,
];

fn selected(new: &NewRescrape) -> Condition {
    let mut condition = Condition::all()
        .add(Expr::col(file::Column::ProjectKey).eq(project_key_of(new.project_id.as_str())))
        .add(file::Column::FhirServer.ne(""));
    condition = match &new.selection {
        RescrapeSelection::Files(ids) => condition.add(file::Column::Id.is_in(ids.clone())),
        RescrapeSelection::Import(import_id) => condition.add(
            file::Column::Id.in_subquery(
                Query::select()
                    .column(import_item::Column::FileId)
                    .from(import_item::Entity)
                    .and_where(import_item::Column::ImportId.eq(import_id.as_str()))
                    .and_where(import_item::Column::FileId.is_not_null())
                    .and_where(import_item::Column::State.is_in(RECORDED.map(ItemState::as_str)))
                    .to_owned(),
            ),
        ),
        RescrapeSelection::Project => condition,
    };
    if !new.metadata_states.is_empty() {
        condition = condition
            .add(file::Column::MetadataState.is_in(new.metadata_states.iter().map(|s| s.as_str())));
    }
    condition
}

impl Store {
    /// Where each of these files of the project came from; ids not in the
    /// project are left out.
    pub async fn file_sources(
        &self,
        project_id: &ProjectId,
        ids: &[String],
    ) -> StoreResult<Vec<FileSource>> {
        let mut sources = Vec::with_capacity(ids.len());
        // Chunked to stay under the bind-parameter limits.
        for chunk in ids.chunks(5000) {
            let rows: Vec<(String, String)> = file::Entity::find()
                .select_only()
                .column(file::Column::Id)
                .column(file::Column::FhirServer)
                .filter(Expr::col(file::Column::ProjectKey).eq(project_key_of(project_id.as_str())))
                .filter(file::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            sources.extend(rows.into_iter().map(|(id, fhir_server)| FileSource {
                id,
                fhir_server: FhirServerId::from_stored(fhir_server),
            }));
        }
        Ok(sources)
    }

    /// Starts the rescrape: per FHIR server among the selected files, an
    /// import in PROCESSING whose items (in file creation order) are those
    /// files, IMPORTED and waiting for the metadata stage; the files'
    /// metadata becomes PENDING. Files already PENDING are left out.
    pub async fn start_rescrape(&self, new: NewRescrape) -> StoreResult<RescrapeStarted> {
        let tx = self.begin_write().await?;
        self.lock_project(&tx, &new.project_id).await?;
        let selected = selected(&new);
        let not_pending = file::Column::MetadataState.ne(MetadataState::Pending.as_str());
        let already_pending = file::Entity::find()
            .filter(selected.clone())
            .filter(file::Column::MetadataState.eq(MetadataState::Pending.as_str()))
            .count(&*tx)
            .await?;
        let servers: Vec<String> = file::Entity::find()
            .select_only()
            .column(file::Column::FhirServer)
            .distinct()
            .filter(selected.clone())
            .filter(not_pending.clone())
            .order_by_asc(file::Column::FhirServer)
            .into_tuple()
            .all(&*tx)
            .await?;

        let now = Utc::now();
        let mut imports = Vec::with_capacity(servers.len());
        let mut files = 0;
        for server in servers {
            let import_id = ImportId::generate();
            let of_server = Condition::all()
                .add(selected.clone())
                .add(not_pending.clone())
                .add(file::Column::FhirServer.eq(server.as_str()));
            let mut row = import::ActiveModel {
                id: Set(import_id.as_str().to_owned()),
                project_id: Set(new.project_id.as_str().to_owned()),
                kind: Set(ImportKind::Rescrape.as_str().to_owned()),
                state: Set(ImportState::Processing.as_str().to_owned()),
                fhir_server: Set(server),
                on_conflict: Set(ConflictPolicy::Overwrite.as_str().to_owned()),
                idempotency_key: Set(None),
                tags: Set("[]".to_owned()),
                error: Set(String::new()),
                created_by: Set(new.created_by.clone()),
                last_sequence: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                finished_at: Set(None),
                ..Default::default()
            };
            self.lease_new(&mut row, now);
            row.key = next_key(&tx, import::Entity, import::Column::Key).await?;
            let mut row = import::Entity::insert(with_counts(row, &Counts::default()))
                .exec_with_returning(&*tx)
                .await?
                .into_active_model();
            // The items refer to their import, so they come after it.
            let copied = copy_as_items(&tx, &import_id, of_server.clone(), now).await?;
            file::Entity::update_many()
                .col_expr(
                    file::Column::MetadataState,
                    Expr::value(MetadataState::Pending.as_str()),
                )
                .col_expr(file::Column::MetadataError, Expr::value(""))
                .col_expr(file::Column::UpdatedAt, Expr::value(now))
                .filter(of_server)
                .exec(&*tx)
                .await?;
            let counts = Counts {
                received: copied,
                imported: copied,
                ..Counts::default()
            };
            set_counts(&mut row, &counts);
            let model = row.update(&*tx).await?;
            files += copied;
            imports.push(model.try_into()?);
        }
        tx.commit().await?;
        Ok(RescrapeStarted {
            imports,
            files,
            already_pending,
        })
    }

    /// Serialises rescrapes of one project on PostgreSQL (SQLite writes are
    /// serialised already), so two cannot both take the same files.
    async fn lock_project(&self, tx: &WriteTx, project_id: &ProjectId) -> StoreResult<()> {
        if self.is_postgres() {
            project::Entity::find_by_id(project_id.as_str().to_owned())
                .lock_exclusive()
                .one(&**tx)
                .await?;
        }
        Ok(())
    }
}

fn with_counts(mut row: import::ActiveModel, counts: &Counts) -> import::ActiveModel {
    set_counts(&mut row, counts);
    row
}

/// Inserts one IMPORTED item per file matching `files`, numbered from 0 in
/// creation order; returns how many.
async fn copy_as_items(
    tx: &WriteTx,
    import_id: &ImportId,
    files: Condition,
    now: chrono::DateTime<Utc>,
) -> StoreResult<u64> {
    let rows = Query::select()
        .expr(Expr::value(import_id.as_str()))
        .expr(Expr::cust(
            "ROW_NUMBER() OVER (ORDER BY created_at, id) - 1",
        ))
        .column(file::Column::DocumentReferenceId)
        .expr(Expr::value(ItemState::Imported.as_str()))
        .expr(Expr::value(ItemStage::FetchMetadata.as_str()))
        .column(file::Column::Id)
        .expr(Expr::value(0i64))
        .expr(Expr::value(now))
        .from(file::Entity)
        .cond_where(files)
        .to_owned();
    let insert = super::insert_items_selected(rows)?;
    let conn: &DatabaseTransaction = tx;
    let backend = conn.get_database_backend();
    let result = conn
        .execute(StatementBuilder::build(&insert, &backend))
        .await?;
    Ok(result.rows_affected())
}
