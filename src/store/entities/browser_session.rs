//! Row of `browser_sessions`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "browser_sessions")]
pub struct Model {
    /// SHA-256 (hex) of the session cookie's secret.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub username: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
