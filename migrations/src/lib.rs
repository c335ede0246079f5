//! Schema migrations for the fhir-import store. One file per migration; a
//! migration that has landed is never edited, only followed by a new one.

#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

pub mod stored_document;

mod m20261128_000001_core;
mod m20261128_000002_accounts;
mod m20261128_000003_authorization_codes;
mod m20261128_000004_refresh_tokens;
mod m20261128_000005_initial_access_tokens;
mod m20261128_000006_external_identities;
mod m20261128_000007_fhir_servers;
mod m20261128_000008_schemas;
mod m20261128_000009_scraping;
mod m20261128_000010_rescrape;
mod m20261201_000011_item_outcomes;
mod m20261201_000012_user_roles;
mod m20261202_000013_fhir_server_access;
mod m20261202_000014_browser_sessions;
mod m20261205_000015_import_leases;
mod m20261205_000016_checked_items;
mod m20261205_000017_hot_path_foreign_keys;
mod m20261206_000018_public_clients;
mod m20261206_000019_items_without_rowid;
mod m20261206_000020_files_read_attachment_from_document;
mod m20261206_000021_files_know_their_writer;
mod m20261206_000022_files_keep_documents_packed;
mod m20261206_000023_files_stand_for_their_items;
mod m20261206_000024_files_keyed_by_number;
mod m20261206_000025_file_keys_compare_bytes;

/// Migrations after which SQLite holds many half-empty or free pages (rows
/// made smaller in place, a table rebuilt): a `VACUUM` once they ran gives
/// the space back.
pub const SHRINK_SQLITE_ROWS: [&str; 2] = [
    "m20261206_000022_files_keep_documents_packed",
    "m20261206_000024_files_keyed_by_number",
];

/// Runs `statements` in one transaction, so on one connection (through the
/// pool, a statement could run on a connection that had not seen the one
/// before it) and all or nothing. For migrations from 23 on; earlier ones
/// keep the copy they landed with.
pub(crate) async fn in_one_transaction(
    manager: &SchemaManager<'_>,
    statements: &[&str],
) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::TransactionTrait;
    let tx = manager.get_connection().begin().await?;
    for statement in statements {
        tx.execute_unprepared(statement).await?;
    }
    tx.commit().await
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_core::Migration),
            Box::new(m20261128_000002_accounts::Migration),
            Box::new(m20261128_000003_authorization_codes::Migration),
            Box::new(m20261128_000004_refresh_tokens::Migration),
            Box::new(m20261128_000005_initial_access_tokens::Migration),
            Box::new(m20261128_000006_external_identities::Migration),
            Box::new(m20261128_000007_fhir_servers::Migration),
            Box::new(m20261128_000008_schemas::Migration),
            Box::new(m20261128_000009_scraping::Migration),
            Box::new(m20261128_000010_rescrape::Migration),
            Box::new(m20261201_000011_item_outcomes::Migration),
            Box::new(m20261201_000012_user_roles::Migration),
            Box::new(m20261202_000013_fhir_server_access::Migration),
            Box::new(m20261202_000014_browser_sessions::Migration),
            Box::new(m20261205_000015_import_leases::Migration),
            Box::new(m20261205_000016_checked_items::Migration),
            Box::new(m20261205_000017_hot_path_foreign_keys::Migration),
            Box::new(m20261206_000018_public_clients::Migration),
            Box::new(m20261206_000019_items_without_rowid::Migration),
            Box::new(m20261206_000020_files_read_attachment_from_document::Migration),
            Box::new(m20261206_000021_files_know_their_writer::Migration),
            Box::new(m20261206_000022_files_keep_documents_packed::Migration),
            Box::new(m20261206_000023_files_stand_for_their_items::Migration),
            Box::new(m20261206_000024_files_keyed_by_number::Migration),
            Box::new(m20261206_000025_file_keys_compare_bytes::Migration),
        ]
    }
}
