//! Files name their project and import by a number in the store
//! (migration 24); the API still speaks in ids. Files, their metadata and
//! the items they stand for read the same across the migration, down and
//! up, and the projects and imports made after it get numbers of their own.
//! On PostgreSQL the same walk goes through migration 25 (file keys compared
//! as bytes): pages of files read the same, in the same order.

use crate::common::{docs, every_page_of_files, header, spawn_app, Backend, TestApp};
use fhir_import::proto::v1 as pb;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

fn with_study(range: std::ops::Range<usize>, study: &str) -> Vec<pb::DocumentInput> {
    range
        .map(|n| docs::input_with_metadata(&docs::document(n), &[("study", study)]))
        .collect()
}

fn overwriting(project: &str) -> pb::ImportHeader {
    let mut h = header(project);
    h.on_conflict = pb::ConflictPolicy::Overwrite as i32;
    h
}

/// Files of `import_id` in `project`, read three at a time.
async fn files_of_import(app: &TestApp, project: &str, import_id: &str) -> Vec<pb::File> {
    let request = pb::ListFilesRequest {
        project: project.to_owned(),
        page_size: 3,
        import_id: import_id.to_owned(),
        ..Default::default()
    };
    every_page_of_files(&app.files, request).await
}

/// What a portal reads back: each project's files (all, by metadata, by
/// import) and every import's items.
#[derive(Debug, PartialEq)]
struct Seen {
    files: Vec<Vec<pb::File>>,
    items: Vec<Vec<pb::ImportItem>>,
}

async fn seen(app: &TestApp, projects: &[&pb::Project], imports: &[&pb::Import]) -> Seen {
    let mut files = Vec::new();
    for project in projects {
        files.push(app.all_files(&project.id, &[]).await);
        files.push(app.all_files(&project.id, &[("study", "s2")]).await);
        for import in imports.iter().filter(|i| i.project == project.id) {
            files.push(files_of_import(app, &project.id, &import.id).await);
        }
    }
    let mut items = Vec::new();
    for import in imports {
        items.push(app.all_items(&import.id, &[], 7).await);
    }
    Seen { files, items }
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a number")
}

/// The collations of the columns holding a file's id, name or document
/// id, on PostgreSQL; none for the database's default.
async fn key_collations(db: &DatabaseConnection) -> Vec<Option<String>> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT collation_name::text FROM information_schema.columns \
             WHERE (table_name, column_name) IN (('files', 'id'), ('files', 'name'), \
             ('files', 'document_reference_id'), ('file_metadata', 'file_id'), \
             ('import_items', 'file_id'), ('import_items', 'document_id')) \
             AND table_schema = current_schema()",
        ))
        .await
        .expect("collations");
    let collations: Vec<Option<String>> = rows
        .iter()
        .map(|row| row.try_get_by_index(0).expect("a collation or none"))
        .collect();
    assert_eq!(collations.len(), 6, "every key column is there");
    collations
}

async fn files_read_the_same_across_migration_24(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.create_project("keyed-a").await;
    let b = app.create_project("keyed-b").await;
    let first = app
        .import_and_wait(overwriting(&a.slug), with_study(0..30, "s1"))
        .await;
    // Overwrites ten files of the first import and makes ten more.
    let second = app
        .import_and_wait(overwriting(&a.slug), with_study(20..40, "s2"))
        .await;
    // The same documents in another project are other files.
    let third = app
        .import_and_wait(header(&b.slug), with_study(0..10, "s2"))
        .await;
    for import in [&first, &second, &third] {
        assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    }
    let projects = [&a, &b];
    let imports = [&first, &second, &third];
    let before = seen(&app, &projects, &imports).await;
    assert_eq!(before.files[0].len(), 40, "project a");
    assert_eq!(before.files[1].len(), 20, "project a, study s2");
    assert_eq!(
        before.files[2].len(),
        20,
        "files the first import still holds"
    );
    assert_eq!(before.files[3].len(), 20, "files of the second import");
    assert_eq!(before.files[4].len(), 10, "project b");
    assert!(before.files[0]
        .iter()
        .all(|f| f.project == a.id && (f.import_id == first.id || f.import_id == second.id)));
    assert_eq!(
        before.items.iter().map(Vec::len).collect::<Vec<_>>(),
        [30, 20, 10]
    );

    let mut app = app;
    app.stop_server().await;
    let db = Database::connect(&app.database_url).await.expect("connect");
    let metadata = count(&db, "SELECT count(*) FROM file_metadata").await;
    assert_eq!(metadata, 50);
    // Down to before migration 24 (the 24th of the list), whatever came after.
    let steps = u32::try_from(Migrator::migrations().len() - 23).expect("steps");
    Migrator::down(&db, Some(steps)).await.expect("down");
    let by_id = "SELECT count(*) FROM files f JOIN projects p ON p.id = f.project_id \
                 JOIN imports i ON i.id = f.import_id AND i.project_id = p.id";
    assert_eq!(count(&db, by_id).await, 50, "files name their owners by id");
    assert_eq!(
        count(&db, "SELECT count(*) FROM file_metadata").await,
        metadata,
        "the metadata stays with the files"
    );
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    if postgres {
        assert_eq!(
            key_collations(&db).await,
            vec![None; 6],
            "the database's own"
        );
    }
    Migrator::up(&db, None).await.expect("up");
    if postgres {
        // Migration 25: the keys compare as bytes, whatever the database's
        // collation; the pages read below come out the same.
        assert_eq!(key_collations(&db).await, vec![Some("C".to_owned()); 6]);
    }
    let by_key = "SELECT count(*) FROM files f JOIN projects p ON p.key = f.project_key \
                  JOIN imports i ON i.key = f.import_key AND i.project_id = p.id";
    assert_eq!(
        count(&db, by_key).await,
        50,
        "files name their owners by key"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM file_metadata").await,
        metadata
    );

    let app = app.restart().await;
    assert_eq!(seen(&app, &projects, &imports).await, before);

    // After the migration: a new project and new imports into both.
    let c = app.create_project("keyed-c").await;
    let fourth = app
        .import_and_wait(overwriting(&a.slug), with_study(35..45, "s2"))
        .await;
    let fifth = app
        .import_and_wait(header(&c.slug), with_study(0..5, "s2"))
        .await;
    assert_eq!(fourth.state(), pb::ImportState::Completed);
    assert_eq!(fourth.counts.as_ref().map(|c| c.imported), Some(10));
    assert_eq!(fifth.counts.as_ref().map(|c| c.imported), Some(5));
    let a_files = app.all_files(&a.id, &[]).await;
    assert_eq!(a_files.len(), 45);
    let by_fourth: Vec<_> = a_files
        .iter()
        .filter(|f| f.import_id == fourth.id)
        .collect();
    assert_eq!(by_fourth.len(), 10, "five overwritten, five new");
    assert_eq!(app.all_files(&b.id, &[]).await, before.files[4]);
    let c_files = app.all_files(&c.id, &[]).await;
    assert_eq!(c_files.len(), 5);
    assert!(c_files
        .iter()
        .all(|f| f.project == c.id && f.import_id == fifth.id));
    assert_eq!(app.all_items(&fourth.id, &[], 4).await.len(), 10);
    db.close().await.expect("close");
    app.stop().await;
}
on_both_stores!(files_read_the_same_across_migration_24);
