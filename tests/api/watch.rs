//! A dashboard follows an import live, reconnects where it left off, and
//! sees cancellation.

use std::time::Duration;

use crate::common::{docs, header, spawn_app, Backend, TestApp};
use fhir_import::proto::v1::{self as pb, import_event::Kind};
use tonic::Code;

async fn watch(app: &TestApp, import_id: &str, after: u64) -> tonic::Streaming<pb::ImportEvent> {
    app.imports
        .clone()
        .watch_import(pb::WatchImportRequest {
            import_id: import_id.to_owned(),
            after_sequence: after,
        })
        .await
        .expect("watch")
        .into_inner()
}

async fn collect(mut stream: tonic::Streaming<pb::ImportEvent>) -> Vec<pb::ImportEvent> {
    let mut events = Vec::new();
    let all = async {
        while let Some(event) = stream.message().await.expect("event") {
            events.push(event);
        }
    };
    tokio::time::timeout(Duration::from_secs(60), all)
        .await
        .expect("the stream ends with the import");
    events
}

fn item_events(events: &[pb::ImportEvent]) -> Vec<(u64, pb::ItemState)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            Some(Kind::Item(item)) => Some((item.index, item.state())),
            _ => None,
        })
        .collect()
}

async fn live_events_from_the_start_and_resumed(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("live").await;
    let (stream, call) = app.open_import();
    stream.header(header(&project.id)).await;
    stream.documents(docs::valid_inputs(0..1)).await;

    // Subscribe while the stream is still open.
    let import_id = app.wait_for_received(&project.id, 1).await;
    let live = watch(&app, &import_id, 0).await;
    stream.documents(vec![docs::raw("nonsense")]).await;
    stream.documents(docs::valid_inputs(2..5)).await;
    drop(stream);
    call.await.expect("task").expect("import");
    let events = collect(live).await;

    // First a snapshot, then strictly increasing sequences.
    let Some(Kind::Snapshot(snapshot)) = &events[0].kind else {
        panic!("first event is a snapshot: {:?}", events[0]);
    };
    assert_eq!(snapshot.id, import_id);
    assert_eq!(events[0].sequence, 0);
    for pair in events[1..].windows(2) {
        assert!(pair[0].sequence < pair[1].sequence, "{pair:?}");
    }
    assert_eq!(
        events[1].sequence, 1,
        "nothing before the first change is missed"
    );

    // The rejected item has an event of its own; the others are told of
    // by their batches' progress events (each recorded as it was received).
    assert_eq!(item_events(&events), [(1, pb::ItemState::Rejected)]);
    let moved = |stage: pb::ItemStage| -> u64 {
        events
            .iter()
            .filter_map(|e| match &e.kind {
                Some(Kind::Progress(p)) if p.stage() == stage => Some(p.items),
                _ => None,
            })
            .sum()
    };
    assert_eq!(moved(pb::ItemStage::RecordFile), 4, "{events:?}");
    assert_eq!(moved(pb::ItemStage::Intake), 0, "{events:?}");
    let states: Vec<pb::ImportState> = events
        .iter()
        .filter_map(|e| match &e.kind {
            Some(Kind::StateChange(change)) => Some(change.state()),
            _ => None,
        })
        .collect();
    assert_eq!(states.last(), Some(&pb::ImportState::CompletedWithErrors));
    let last = events.last().expect("events");
    let counts = last.counts.expect("counts");
    assert_eq!(
        (counts.received, counts.imported, counts.rejected),
        (5, 4, 1)
    );

    // A dashboard that saw up to the second change reconnects and gets
    // the rest.
    let seen = events[2].sequence;
    let resumed = collect(watch(&app, &import_id, seen).await).await;
    assert!(matches!(resumed[0].kind, Some(Kind::Snapshot(_))));
    assert_eq!(resumed[0].sequence, seen);
    assert_eq!(
        resumed[1..],
        events[3..],
        "the same events, in the same order"
    );

    // Reconnecting after the end yields the snapshot alone.
    let after_end = collect(watch(&app, &import_id, last.sequence).await).await;
    assert_eq!(after_end.len(), 1);
    app.stop().await;
}
on_both_stores!(live_events_from_the_start_and_resumed);

async fn watching_needs_a_real_import_and_sequence(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("w").await;
    let response = app
        .import(header(&project.id), docs::valid_inputs(0..1))
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;

    let mut client = app.imports.clone();
    let unknown = client
        .watch_import(pb::WatchImportRequest {
            import_id: "0192f000-0000-7000-8000-000000000000".into(),
            after_sequence: 0,
        })
        .await
        .expect_err("unknown import");
    assert_eq!(unknown.code(), Code::NotFound);
    let future = client
        .watch_import(pb::WatchImportRequest {
            import_id: import.id.clone(),
            after_sequence: import.last_sequence + 1,
        })
        .await
        .expect_err("sequence from the future");
    assert_eq!(future.code(), Code::OutOfRange);
    app.stop().await;
}
on_both_stores!(watching_needs_a_real_import_and_sequence);

async fn cancelling_stops_the_stream_and_pending_items(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("cancel").await;
    let (stream, call) = app.open_import();
    stream.header(header(&project.id)).await;
    stream.documents(docs::valid_inputs(0..10)).await;
    let import_id = app.wait_for_received(&project.id, 10).await;
    let cancelled = app
        .imports
        .clone()
        .cancel_import(pb::CancelImportRequest {
            import_id: import_id.clone(),
        })
        .await
        .expect("cancel")
        .into_inner();
    assert_eq!(cancelled.state(), pb::ImportState::Cancelled);
    // Documents sent after the cancel are not taken.
    stream.documents(docs::valid_inputs(10..11)).await;
    drop(stream);
    let response = call.await.expect("task").expect("the call answers");
    assert_eq!(
        response.import.expect("import").state(),
        pb::ImportState::Cancelled
    );

    let import = app.get_import(&import_id).await;
    let counts = import.counts.expect("counts");
    assert_eq!(counts.received, 10);
    assert_eq!(counts.imported + counts.cancelled, 10);
    assert_eq!(counts.pending, 0);
    assert_eq!(
        app.all_files(&project.id, &[]).await.len() as u64,
        counts.imported
    );

    let again = app
        .imports
        .clone()
        .cancel_import(pb::CancelImportRequest { import_id })
        .await
        .expect_err("already cancelled");
    assert_eq!(again.code(), Code::FailedPrecondition);
    app.stop().await;
}
on_both_stores!(cancelling_stops_the_stream_and_pending_items);

/// Events of an import finished longer ago than the retention are pruned:
/// watching it gives the snapshot (with its final counts) and ends; its
/// items are all still listed.
async fn pruned_events_leave_the_snapshot_and_the_items(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("pruned").await;
    let mut documents = docs::valid_inputs(0..20);
    documents.insert(3, docs::raw("nonsense"));
    let response = app
        .import(header(&project.id), documents)
        .await
        .expect("import");
    let finished = app.wait_until_finished(&response.import_id).await;

    let store = fhir_import::store::Store::connect(&app.database_url, 1)
        .await
        .expect("store");
    let kept = store
        .prune_events(chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .expect("prune");
    assert_eq!(kept, 0, "an import finished just now keeps its events");
    let pruned = store
        .prune_events(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .expect("prune");
    assert!(pruned >= 2, "{pruned} events removed");

    let events = collect(watch(&app, &response.import_id, 0).await).await;
    assert_eq!(events.len(), 1, "the snapshot alone: {events:?}");
    let Some(Kind::Snapshot(snapshot)) = &events[0].kind else {
        panic!("a snapshot: {:?}", events[0]);
    };
    assert_eq!(snapshot.state(), finished.state());
    assert_eq!(snapshot.counts, finished.counts);
    let items = app
        .imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: response.import_id.clone(),
            page_size: 100,
            ..Default::default()
        })
        .await
        .expect("items")
        .into_inner()
        .items;
    assert_eq!(items.len(), 21);
    store.close().await;
    app.stop().await;
}
on_both_stores!(pruned_events_leave_the_snapshot_and_the_items);
