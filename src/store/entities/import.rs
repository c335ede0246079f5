//! Row of `imports`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// A number unique among imports, which files name their import by
    /// (migration 24).
    pub key: i64,
    pub project_id: String,
    pub state: String,
    /// `DOCUMENTS` (a stream of documents) or `RESCRAPE`.
    pub kind: String,
    pub fhir_server: String,
    pub on_conflict: String,
    pub idempotency_key: Option<String>,
    pub tags: String,
    pub error: String,
    pub created_by: String,
    pub last_sequence: i64,
    pub received: i64,
    pub pending: i64,
    pub processing: i64,
    pub imported: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub failed: i64,
    pub cancelled: i64,
    pub scraped: i64,
    pub scrape_failed: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// The replica working the import, while its lease lasts.
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
