//! Row of `files`. The attachment's url, size, content type and hashes are
//! not columns: they are read from `document_json` (migration 20). The
//! project and the import are named by their `key` (migration 24).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `projects.key` of the file's project.
    pub project_key: i64,
    pub name: String,
    pub document_reference_id: String,
    pub fhir_server: String,
    /// The FHIR document, stored as `migration::stored_document` says.
    pub document: Vec<u8>,
    pub metadata_state: String,
    pub metadata_error: String,
    pub metadata_schema: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub metadata_sources: Option<String>,
    pub tags: String,
    /// `imports.key` of the import that created or last overwrote the file.
    pub import_key: i64,
    /// The item of that import that created or last overwrote the file
    /// (none for files written before migration 21 by finished imports).
    pub import_idx: Option<i64>,
    /// Set when the file stands for the item `import_idx` of its import,
    /// which then has no row of its own: the sequence that item carries
    /// (migration 23).
    pub import_sequence: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
