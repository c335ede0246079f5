//! Reads of files and their key-value metadata.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{sea_query::Query, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use migration::stored_document;

use super::entities::{file, file_metadata};
use super::keys::{self, Owners};
use super::{Store, StoreError, StoreResult};
use crate::domain::{
    document::AttachmentFields,
    file::File,
    ids::{FhirServerId, FileId, ImportId, ProjectId},
    import::MetadataState,
};

pub struct FileFilter {
    pub project_id: ProjectId,
    pub metadata: Vec<(String, String)>,
    pub import_id: Option<ImportId>,
}

fn to_file(
    m: file::Model,
    owners: &Owners,
    metadata: BTreeMap<String, String>,
    with_document: bool,
) -> StoreResult<File> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("file {}: unreadable {what}", m.id));
    let project_id = owners
        .projects
        .get(&m.project_key)
        .ok_or_else(|| corrupt("project"))?;
    let import_id = owners
        .imports
        .get(&m.import_key)
        .ok_or_else(|| corrupt("import"))?;
    let metadata_state =
        MetadataState::parse(&m.metadata_state).ok_or_else(|| corrupt("metadata state"))?;
    let document = stored_document::unpack(&m.document)
        .map_err(|e| StoreError::Corrupt(format!("file {}: {e}", m.id)))?;
    let attachment = AttachmentFields::of_stored(&document).ok_or_else(|| corrupt("document"))?;
    let tags = serde_json::from_str(&m.tags).map_err(|_| corrupt("tags"))?;
    let metadata_sources = match &m.metadata_sources {
        Some(json) => serde_json::from_str(json).map_err(|_| corrupt("metadata sources"))?,
        None => BTreeMap::new(),
    };
    Ok(File {
        id: FileId::from_stored(m.id),
        project_id: ProjectId::from_stored(project_id.clone()),
        name: m.name,
        url: attachment.url.unwrap_or_default(),
        size: attachment.size,
        content_type: attachment.content_type.unwrap_or_default(),
        hashes: attachment.hashes,
        document_reference_id: m.document_reference_id,
        fhir_server: FhirServerId::from_stored(m.fhir_server),
        document_json: with_document.then_some(document),
        metadata,
        metadata_state,
        metadata_error: m.metadata_error,
        metadata_schema: m.metadata_schema,
        metadata_sources,
        tags,
        import_id: ImportId::from_stored(import_id.clone()),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

impl Store {
    pub async fn get_file(&self, id: &FileId) -> StoreResult<Option<File>> {
        let Some(model) = file::Entity::find_by_id(id.as_str().to_owned())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let mut metadata = self.metadata_of(std::slice::from_ref(&model.id)).await?;
        let own = metadata.remove(&model.id).unwrap_or_default();
        let owners = keys::ids_of(&self.db, [model.project_key], [model.import_key]).await?;
        to_file(model, &owners, own, true).map(Some)
    }

    /// Files of a project matching every filter, oldest first, after `after`.
    pub async fn list_files(
        &self,
        filter: &FileFilter,
        after: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<File>> {
        let Some(project_key) = keys::project_key(&self.db, filter.project_id.as_str()).await?
        else {
            return Ok(Vec::new());
        };
        let mut query = file::Entity::find().filter(file::Column::ProjectKey.eq(project_key));
        for (key, value) in &filter.metadata {
            query = query.filter(
                file::Column::Id.in_subquery(
                    Query::select()
                        .column(file_metadata::Column::FileId)
                        .from(file_metadata::Entity)
                        .and_where(file_metadata::Column::Key.eq(key.as_str()))
                        .and_where(file_metadata::Column::Value.eq(value.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(import_id) = &filter.import_id {
            let Some(import_key) = keys::import_key(&self.db, import_id.as_str()).await? else {
                return Ok(Vec::new());
            };
            query = query.filter(file::Column::ImportKey.eq(import_key));
        }
        if let Some(after) = after {
            query = query.filter(file::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(file::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
        let mut metadata = self.metadata_of(&ids).await?;
        // The project is the filter's: only the imports need looking up.
        let mut owners = keys::ids_of(
            &self.db,
            std::iter::empty(),
            rows.iter().map(|m| m.import_key),
        )
        .await?;
        owners
            .projects
            .insert(project_key, filter.project_id.as_str().to_owned());
        rows.into_iter()
            .map(|m| {
                let own = metadata.remove(&m.id).unwrap_or_default();
                to_file(m, &owners, own, false)
            })
            .collect()
    }

    async fn metadata_of(
        &self,
        file_ids: &[String],
    ) -> StoreResult<HashMap<String, BTreeMap<String, String>>> {
        let mut by_file: HashMap<String, BTreeMap<String, String>> = HashMap::new();
        if file_ids.is_empty() {
            return Ok(by_file);
        }
        let rows = file_metadata::Entity::find()
            .filter(file_metadata::Column::FileId.is_in(file_ids.iter().cloned()))
            .all(&self.db)
            .await?;
        for row in rows {
            by_file
                .entry(row.file_id)
                .or_default()
                .insert(row.key, row.value);
        }
        Ok(by_file)
    }
}
