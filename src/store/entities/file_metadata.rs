//! Row of `file_metadata`: one key-value pair of a file.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "file_metadata")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub file_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub value: String,
    /// `supplied` by the portal or `scraped` from the FHIR server.
    pub origin: String,
}

/// `origin` of a pair the portal gave on import.
pub const SUPPLIED: &str = "supplied";
/// `origin` of a pair scraped from the FHIR server.
pub const SCRAPED: &str = "scraped";

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
