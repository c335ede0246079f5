//! PostgreSQL checks a foreign key with a trigger per inserted row: for a
//! batch of 500 documents, a thousand look-ups of the same import and
//! project, more time than the inserts themselves. The rows written per
//! document (items and events of an import, files of a project, metadata
//! of a file) are only ever written inside a transaction that holds their
//! import's row lock, and no API deletes an import, a project or a file, so
//! the store keeps these references itself; a delete added later removes
//! the children in the same transaction. SQLite keeps the constraints: it
//! cannot drop one without rebuilding the table, and its check is a single
//! index probe.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint, its definition to restore on `down`).
const HOT_PATH_KEYS: [(&str, &str, &str); 4] = [
    (
        "import_items",
        "import_items_import_id_fkey",
        "FOREIGN KEY (import_id) REFERENCES imports(id) ON DELETE CASCADE",
    ),
    (
        "import_events",
        "import_events_import_id_fkey",
        "FOREIGN KEY (import_id) REFERENCES imports(id) ON DELETE CASCADE",
    ),
    (
        "files",
        "files_project_id_fkey",
        "FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE",
    ),
    (
        "file_metadata",
        "file_metadata_file_id_fkey",
        "FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE CASCADE",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, constraint, _) in HOT_PATH_KEYS {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, constraint, definition) in HOT_PATH_KEYS {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}"
            ))
            .await?;
        }
        Ok(())
    }
}
