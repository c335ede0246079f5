//! Row of `fhir_servers`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fhir_servers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The server's `ServerConfig` as JSON, credentials included.
    #[sea_orm(column_type = "Text")]
    pub config: String,
    pub pinned_schema: Option<String>,
    pub schema: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub schema_reason: String,
    pub fhir_version: Option<String>,
    pub software_name: Option<String>,
    pub capability_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub capability_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// JSON list of the project patterns that may use the server.
    #[sea_orm(column_type = "Text")]
    pub allowed_projects: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
