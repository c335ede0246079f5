//! Row of `import_items`: one document message of an import.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub idx: i64,
    pub document_id: Option<String>,
    pub state: String,
    pub stage: String,
    pub rejection_code: Option<String>,
    pub message: Option<String>,
    pub file_id: Option<String>,
    pub sequence: i64,
    pub document_json: Option<String>,
    pub metadata_json: Option<String>,
    /// What intake checked of the document: the file's fields.
    pub checked_json: Option<String>,
    pub updated_at: DateTimeUtc,
    pub repeat_of: Option<i64>,
    pub failure: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
