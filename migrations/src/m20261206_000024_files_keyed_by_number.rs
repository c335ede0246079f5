//! Files name their project and their import by a small number instead of
//! the 36-character id. Projects and imports each get `key`, a number
//! unique in their table (an identity on PostgreSQL; on SQLite the store
//! gives the next one under its single writer), and `files` holds
//! `project_key` and `import_key` where it held `project_id` and
//! `import_id`. The project id was in the row and in three indexes (by
//! name, by document, by id), the import id in the row and in the index of
//! the items files stand for: about 210 of the 700 bytes a small document
//! took in SQLite. The API keeps its ids; the store maps them.
//!
//! Both stores rebuild `files`: a column changed in place keeps its old
//! bytes in every row until the table is rewritten, and SQLite cannot drop
//! a column a foreign key names. On SQLite the rebuilt table frees pages
//! the store vacuums once (`SHRINK_SQLITE_ROWS`), and the metadata rows are
//! set aside while the old table goes: dropping a table deletes its rows
//! first, which would cascade to their metadata. A file whose project or
//! import cannot be found stops the migration rather than being left out.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns of `files` that both layouts share.
const SHARED: &str = r#""id", "name", "document_reference_id", "fhir_server", "metadata_state", "metadata_error", "tags", "created_at", "updated_at", "metadata_schema", "metadata_sources", "import_idx", "document", "import_sequence""#;

/// Which way the files table goes.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// `project_key` and `import_key` (`up`).
    Keyed,
    /// `project_id` and `import_id` (`down`).
    ById,
}

/// `CREATE TABLE "files_rebuilt"` in `layout` for `backend`.
fn create_table(backend: DatabaseBackend, layout: Layout) -> String {
    let sqlite = backend == DatabaseBackend::Sqlite;
    let (timestamp, bytes) = if sqlite {
        ("timestamp_with_timezone_text", "blob")
    } else {
        ("timestamp with time zone", "bytea")
    };
    let (project, import) = match layout {
        Layout::Keyed => (
            r#""project_key" bigint NOT NULL"#,
            r#""import_key" bigint NOT NULL"#,
        ),
        Layout::ById => (
            r#""project_id" varchar NOT NULL"#,
            r#""import_id" varchar NOT NULL"#,
        ),
    };
    // PostgreSQL keeps the references in the store (migration 17).
    let reference = match (sqlite, layout) {
        (false, _) => "",
        (true, Layout::Keyed) => {
            r#", FOREIGN KEY ("project_key") REFERENCES "projects" ("key") ON DELETE CASCADE"#
        }
        (true, Layout::ById) => {
            r#", FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE"#
        }
    };
    format!(
        r#"CREATE TABLE "files_rebuilt" ("id" varchar NOT NULL, {project}, "name" varchar NOT NULL, "document_reference_id" varchar NOT NULL, "fhir_server" varchar NOT NULL, "metadata_state" varchar NOT NULL, "metadata_error" text NOT NULL, "tags" text NOT NULL, {import}, "created_at" {timestamp} NOT NULL, "updated_at" {timestamp} NOT NULL, "metadata_schema" varchar NULL, "metadata_sources" text NULL, "import_idx" bigint NULL, "document" {bytes} NOT NULL, "import_sequence" bigint NULL, CONSTRAINT "files_rebuilt_pkey" PRIMARY KEY ("id"){reference})"#
    )
}

/// Fills `files_rebuilt` from `files`. The joins are outer so that a file
/// whose project or import is missing meets the NOT NULL and stops the
/// migration instead of being dropped.
fn copy_rows(layout: Layout) -> String {
    let shared = SHARED
        .split(", ")
        .map(|c| format!("f.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    match layout {
        Layout::Keyed => format!(
            r#"INSERT INTO "files_rebuilt" ({SHARED}, "project_key", "import_key") SELECT {shared}, p."key", i."key" FROM "files" f LEFT JOIN "projects" p ON p."id" = f."project_id" LEFT JOIN "imports" i ON i."id" = f."import_id""#
        ),
        Layout::ById => format!(
            r#"INSERT INTO "files_rebuilt" ({SHARED}, "project_id", "import_id") SELECT {shared}, p."id", i."id" FROM "files" f LEFT JOIN "projects" p ON p."key" = f."project_key" LEFT JOIN "imports" i ON i."key" = f."import_key""#
        ),
    }
}

/// The indexes of `files` in `layout`.
fn indexes(layout: Layout) -> [String; 4] {
    let (project, import) = match layout {
        Layout::Keyed => ("project_key", "import_key"),
        Layout::ById => ("project_id", "import_id"),
    };
    [
        format!(r#"CREATE UNIQUE INDEX "files_project_name" ON "files" ("{project}", "name")"#),
        format!(
            r#"CREATE INDEX "files_document" ON "files" ("{project}", "fhir_server", "document_reference_id")"#
        ),
        format!(r#"CREATE INDEX "files_project_id" ON "files" ("{project}", "id")"#),
        format!(
            r#"CREATE INDEX "files_stand_in" ON "files" ("{import}", "import_idx") WHERE "import_sequence" IS NOT NULL"#
        ),
    ]
}

/// Replaces `files` by a copy in `layout`.
fn rebuild_files(backend: DatabaseBackend, layout: Layout) -> Vec<String> {
    let sqlite = backend == DatabaseBackend::Sqlite;
    let mut statements = vec![create_table(backend, layout), copy_rows(layout)];
    if sqlite {
        statements.extend([
            r#"CREATE TABLE "file_metadata_kept" AS SELECT * FROM "file_metadata""#.to_owned(),
            r#"DELETE FROM "file_metadata""#.to_owned(),
        ]);
    }
    statements.extend([
        r#"DROP TABLE "files""#.to_owned(),
        r#"ALTER TABLE "files_rebuilt" RENAME TO "files""#.to_owned(),
    ]);
    if sqlite {
        statements.extend([
            r#"INSERT INTO "file_metadata" SELECT * FROM "file_metadata_kept""#.to_owned(),
            r#"DROP TABLE "file_metadata_kept""#.to_owned(),
        ]);
    } else {
        statements.push(
            r#"ALTER TABLE "files" RENAME CONSTRAINT "files_rebuilt_pkey" TO "files_pkey""#
                .to_owned(),
        );
    }
    statements.extend(indexes(layout));
    statements
}

/// Gives every row of `table` its `key`, unique in the table.
fn add_key(backend: DatabaseBackend, table: &str) -> Vec<String> {
    let mut statements = match backend {
        DatabaseBackend::Postgres => vec![format!(
            r#"ALTER TABLE "{table}" ADD COLUMN "key" bigint GENERATED BY DEFAULT AS IDENTITY"#
        )],
        _ => vec![
            format!(r#"ALTER TABLE "{table}" ADD COLUMN "key" bigint NOT NULL DEFAULT 0"#),
            format!(r#"UPDATE "{table}" SET "key" = rowid"#),
        ],
    };
    statements.push(format!(
        r#"CREATE UNIQUE INDEX "{table}_key" ON "{table}" ("key")"#
    ));
    statements
}

fn drop_key(table: &str) -> [String; 2] {
    [
        format!(r#"DROP INDEX "{table}_key""#),
        format!(r#"ALTER TABLE "{table}" DROP COLUMN "key""#),
    ]
}

async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    crate::in_one_transaction(manager, &statements).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut statements = add_key(backend, "projects");
        statements.extend(add_key(backend, "imports"));
        statements.extend(rebuild_files(backend, Layout::Keyed));
        run(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut statements = rebuild_files(backend, Layout::ById);
        statements.extend(drop_key("projects"));
        statements.extend(drop_key("imports"));
        run(manager, statements).await
    }
}
