//! An import's items read the same whatever later imports do to the files
//! they wrote: overwritten, skipped, repeated. (Most items are kept by the
//! file they wrote rather than a row of their own; the store writes such an
//! item out before its file changes.)

use crate::common::{docs, header, spawn_app, spawn_app_with, Backend, TestApp};
use fhir_import::proto::v1 as pb;
use serde_json::json;

/// Every item of `import_id` in `states`, read two at a time (pages end
/// between rows and items files stand for).
async fn items_of(app: &TestApp, import_id: &str, states: &[pb::ItemState]) -> Vec<pb::ImportItem> {
    app.all_items(import_id, states, 2).await
}

fn with_policy(project: &str, policy: pb::ConflictPolicy) -> pb::ImportHeader {
    let mut h = header(project);
    h.on_conflict = policy as i32;
    h
}

fn retitled(n: usize) -> pb::DocumentInput {
    let mut doc = docs::document(n);
    doc["content"][0]["attachment"]["title"] = json!(format!("again-{n}.cram"));
    docs::input(&doc)
}

fn summary(items: &[pb::ImportItem]) -> Vec<(u64, String, pb::ItemState, Option<u64>)> {
    items
        .iter()
        .map(|i| (i.index, i.document_id.clone(), i.state(), i.repeat_of))
        .collect()
}

async fn items_outlive_what_later_imports_do_to_their_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("history").await;
    let first = app
        .import_and_wait(header(&project.id), docs::valid_inputs(0..6))
        .await;
    let first_items = items_of(&app, &first.id, &[]).await;
    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(first_items.len(), 6);
    for (n, item) in first_items.iter().enumerate() {
        assert_eq!(item.index, n as u64);
        assert_eq!(item.document_id, format!("doc-{n}"));
        assert_eq!(item.state(), pb::ItemState::Imported);
        assert_eq!(item.stage(), pb::ItemStage::RecordFile);
        assert!(item.sequence > 0 && item.sequence <= first.last_sequence);
        assert!(item.update_time.is_some());
        let file = files
            .iter()
            .find(|f| f.document_reference_id == item.document_id)
            .expect("its file");
        assert_eq!(item.file_id, file.id);
    }

    // Overwrites doc-2 (twice: the stream repeats it) and doc-3, rejects
    // one, creates doc-7.
    let second_inputs = vec![
        docs::input(&docs::document(2)),
        docs::input(&docs::document(3)),
        retitled(2),
        docs::raw("{}"),
        docs::input(&docs::document(7)),
    ];
    let second = app
        .import_and_wait(header(&project.id), second_inputs)
        .await;
    let second_items = items_of(&app, &second.id, &[]).await;
    use pb::ItemState::{Imported, Rejected, Skipped};
    let doc = |n: usize| format!("doc-{n}");
    assert_eq!(
        summary(&second_items),
        [
            (0, doc(2), Imported, None),
            (1, doc(3), Imported, None),
            (2, doc(2), Imported, Some(0)),
            (3, String::new(), Rejected, None),
            (4, doc(7), Imported, None),
        ]
    );
    assert_eq!(
        second_items[0].file_id, first_items[2].file_id,
        "overwritten in place"
    );
    assert_eq!(second_items[2].file_id, first_items[2].file_id);
    assert_eq!(
        items_of(&app, &first.id, &[]).await,
        first_items,
        "the first import's items read as before its files were overwritten"
    );
    let imported = items_of(&app, &second.id, &[Imported]).await;
    assert_eq!(
        imported.iter().map(|i| i.index).collect::<Vec<_>>(),
        [0, 1, 2, 4]
    );
    let rejected = items_of(&app, &second.id, &[Rejected]).await;
    assert_eq!(rejected.iter().map(|i| i.index).collect::<Vec<_>>(), [3]);
    assert!(items_of(&app, &second.id, &[Skipped]).await.is_empty());

    // Skipping leaves the files, and every earlier item, as they were.
    let skip = with_policy(&project.id, pb::ConflictPolicy::Skip);
    let third = app.import_and_wait(skip, docs::valid_inputs(3..5)).await;
    let third_items = items_of(&app, &third.id, &[]).await;
    assert_eq!(
        summary(&third_items),
        [(0, doc(3), Skipped, None), (1, doc(4), Skipped, None)]
    );
    // Overwritten once more, by an import that repeats nothing.
    let fourth = app
        .import_and_wait(header(&project.id), docs::valid_inputs(7..8))
        .await;
    assert_eq!(
        summary(&items_of(&app, &fourth.id, &[]).await),
        [(0, doc(7), Imported, None)]
    );
    assert_eq!(items_of(&app, &first.id, &[]).await, first_items);
    assert_eq!(items_of(&app, &second.id, &[]).await, second_items);
    assert_eq!(items_of(&app, &third.id, &[]).await, third_items);
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 7);
    app.stop().await;
}
on_both_stores!(items_outlive_what_later_imports_do_to_their_files);

/// Under RENAME a repeated document gets a file of its own: both items
/// name their own file, before and after a later import overwrites one.
async fn renamed_repeats_keep_their_own_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("renames").await;
    let rename = with_policy(&project.id, pb::ConflictPolicy::Rename);
    let inputs = vec![
        docs::input(&docs::document(1)),
        retitled(1),
        docs::input(&docs::document(1)),
    ];
    let import = app.import_and_wait(rename, inputs).await;
    let items = items_of(&app, &import.id, &[]).await;
    let files: std::collections::HashSet<_> = items.iter().map(|i| i.file_id.clone()).collect();
    assert_eq!(files.len(), 3, "three files: {items:?}");
    let later = app
        .import_and_wait(header(&project.id), docs::valid_inputs(1..2))
        .await;
    assert_eq!(items_of(&app, &later.id, &[]).await.len(), 1);
    assert_eq!(items_of(&app, &import.id, &[]).await, items);
    app.stop().await;
}
on_both_stores!(renamed_repeats_keep_their_own_files);

/// Two imports overwriting the same files at once, each in many batches:
/// every item of each, and of the import that first wrote the files, is
/// listed once, whichever batch wrote a file last.
async fn concurrent_overwrites_keep_every_item(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.import.batch_size = 100).await;
    let project = app.create_project("together").await;
    let first = app
        .import_and_wait(header(&project.id), docs::valid_inputs(0..1_500))
        .await;
    let (a, b) = tokio::join!(
        app.import(header(&project.id), docs::valid_inputs(0..1_500)),
        app.import(header(&project.id), docs::valid_inputs(500..2_000)),
    );
    let a = app.wait_until_finished(&a.expect("a").import_id).await;
    let b = app.wait_until_finished(&b.expect("b").import_id).await;
    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 2_000);
    let file_of: std::collections::HashMap<_, _> = files
        .iter()
        .map(|f| (f.document_reference_id.clone(), f.id.clone()))
        .collect();
    for (import, docs) in [(&first, 0..1_500), (&a, 0..1_500), (&b, 500..2_000)] {
        let items = app.all_items(&import.id, &[], 1_000).await;
        assert_eq!(items.len(), docs.len(), "items of {}", import.id);
        for (item, n) in items.iter().zip(docs) {
            assert_eq!(item.document_id, format!("doc-{n}"));
            assert_eq!(item.state(), pb::ItemState::Imported);
            assert_eq!(Some(&item.file_id), file_of.get(&item.document_id));
        }
    }
    app.stop().await;
}
on_both_stores!(concurrent_overwrites_keep_every_item);
