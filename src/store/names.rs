//! File names and document look-ups of the record-file stage: which files
//! a batch's documents made before, and names no other file has.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Statement,
};

use super::convert::to_u64;
use super::entities::file;
use super::keys::FileOwners;
use super::{probe_each, text_array, tuples, StoreResult, WriteTx};
use crate::domain::conflict::unique_name;
use crate::domain::ids::{stored_server, FhirServerId};

/// The files a batch's documents made before.
pub(super) struct KnownFiles {
    /// The newest file made from each document: its id and name.
    pub by_document: HashMap<String, (String, String)>,
    /// Of those files, the ones this import wrote (created or last
    /// overwrote): the index of the item that did, by file id.
    pub written_here: HashMap<String, u64>,
}

/// The newest file made from each of `doc_ids`, with its name, and which
/// of them the import `owners` names wrote.
pub(super) async fn existing_files(
    tx: &WriteTx,
    owners: FileOwners,
    fhir_server: Option<&FhirServerId>,
    doc_ids: &[&str],
) -> StoreResult<KnownFiles> {
    let fhir_server = stored_server(fhir_server);
    let mut by_document: HashMap<String, (String, String)> = HashMap::new();
    let mut written_here = HashMap::new();
    for chunk in doc_ids.chunks(500) {
        let rows: Vec<(String, String, String, i64, Option<i64>)> =
            if tx.get_database_backend() == DbBackend::Postgres {
                let statement = Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!(
                        "SELECT f.document_reference_id, f.id, f.name, f.import_key, f.import_idx \
                         FROM {} files f WHERE f.project_key = $1 AND f.fhir_server = $2 \
                         AND f.document_reference_id = wanted.value OFFSET 0) f",
                        probe_each(3)
                    ),
                    [
                        owners.project.into(),
                        fhir_server.as_str().into(),
                        text_array(chunk),
                    ],
                );
                tuples(tx, statement).await?
            } else {
                // No ORDER BY: SQLite would then walk the project's files in id
                // order (an index that sorts) rather than probe the document
                // index once per id, reading every file row of the project per
                // batch.
                file::Entity::find()
                    .select_only()
                    .column(file::Column::DocumentReferenceId)
                    .column(file::Column::Id)
                    .column(file::Column::Name)
                    .column(file::Column::ImportKey)
                    .column(file::Column::ImportIdx)
                    .filter(file::Column::ProjectKey.eq(owners.project))
                    .filter(file::Column::FhirServer.eq(fhir_server.as_str()))
                    .filter(file::Column::DocumentReferenceId.is_in(chunk.iter().copied()))
                    .into_tuple()
                    .all(&**tx)
                    .await?
            };
        for (doc_id, id, name, writer_import, writer_index) in rows {
            if let (true, Some(index)) = (writer_import == owners.import, writer_index) {
                written_here.insert(id.clone(), to_u64(index));
            }
            // Ids are time-ordered: the greatest is the newest file.
            match by_document.get(&doc_id) {
                Some((newest, _)) if *newest >= id => {}
                _ => {
                    by_document.insert(doc_id, (id, name));
                }
            }
        }
    }
    Ok(KnownFiles {
        by_document,
        written_here,
    })
}

pub(super) async fn taken_names(
    tx: &WriteTx,
    project: i64,
    names: &[&str],
) -> StoreResult<HashSet<String>> {
    let mut taken = HashSet::new();
    for chunk in names.chunks(500) {
        let rows: Vec<String> = if tx.get_database_backend() == DbBackend::Postgres {
            let statement = Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT f.name FROM {} files f \
                     WHERE f.project_key = $1 AND f.name = wanted.value OFFSET 0) f",
                    probe_each(2)
                ),
                [project.into(), text_array(chunk)],
            );
            tuples::<(String,)>(tx, statement)
                .await?
                .into_iter()
                .map(|(name,)| name)
                .collect()
        } else {
            file::Entity::find()
                .select_only()
                .column(file::Column::Name)
                .filter(file::Column::ProjectKey.eq(project))
                .filter(file::Column::Name.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&**tx)
                .await?
        };
        taken.extend(rows);
    }
    Ok(taken)
}

/// A name for a file that no other file of the project has. `own` is the
/// name the file holds already, which it may keep.
pub(super) async fn free_name(
    tx: &WriteTx,
    project: i64,
    wanted: &str,
    taken: &mut HashSet<String>,
    own: Option<&str>,
) -> StoreResult<String> {
    if own == Some(wanted) {
        return Ok(wanted.to_owned());
    }
    let mut candidate = unique_name(wanted, |n| taken.contains(n));
    // The batch's prefetch only knew the wanted names; a `_N_` copy name
    // may exist already, so confirm it against the table.
    while candidate != wanted && name_exists(tx, project, &candidate).await? {
        taken.insert(candidate.clone());
        candidate = unique_name(wanted, |n| taken.contains(n));
    }
    if let Some(own) = own {
        taken.remove(own);
    }
    taken.insert(candidate.clone());
    Ok(candidate)
}

async fn name_exists(tx: &WriteTx, project: i64, name: &str) -> StoreResult<bool> {
    Ok(file::Entity::find()
        .filter(file::Column::ProjectKey.eq(project))
        .filter(file::Column::Name.eq(name))
        .count(&**tx)
        .await?
        > 0)
}
