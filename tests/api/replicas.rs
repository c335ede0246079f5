//! Several replicas on one PostgreSQL database, as real processes: a
//! replica starting, restarting or dying beside a stream never cuts or
//! duplicates what another replica received; a dead replica's imports are
//! finished by the others; a rolling restart loses nothing.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fhir_import::proto::v1 as pb;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::common::docs;
use crate::common::replicas::{clients_of, Clients, Cluster};

/// How long anything here may take before the test gives up on it.
const PATIENCE: Duration = Duration::from_secs(90);

fn header(project: &str, on_conflict: pb::ConflictPolicy) -> pb::ImportDocumentsRequest {
    docs::header_message(pb::ImportHeader {
        project: project.to_owned(),
        on_conflict: on_conflict.into(),
        ..Default::default()
    })
}

/// Documents `range` as one message each.
fn messages(range: std::ops::Range<usize>) -> Vec<pb::ImportDocumentsRequest> {
    docs::valid_inputs(range)
        .into_iter()
        .map(docs::document_message)
        .collect()
}

/// Opens a stream on `clients` and returns where to send its messages and
/// the call's outcome.
fn open(
    clients: &Clients,
) -> (
    mpsc::Sender<pb::ImportDocumentsRequest>,
    tokio::task::JoinHandle<Result<pb::ImportDocumentsResponse, tonic::Status>>,
) {
    let (tx, rx) = mpsc::channel(64);
    let mut imports = clients.imports.clone();
    let call = tokio::spawn(async move {
        imports
            .import_documents(ReceiverStream::new(rx))
            .await
            .map(|r| r.into_inner())
    });
    (tx, call)
}

/// The document ids of the project's files; panics on a file recorded
/// twice for one document.
async fn documents_once(clients: &Clients, project: &str) -> HashSet<String> {
    let files = clients.all_files(project).await;
    let mut seen = HashSet::new();
    for file in &files {
        assert!(
            seen.insert(file.document_reference_id.clone()),
            "document {} has two files",
            file.document_reference_id
        );
    }
    seen
}

fn expected(range: std::ops::Range<usize>) -> HashSet<String> {
    range.map(|n| format!("doc-{n}")).collect()
}

/// A stream into A goes on while B starts, restarts and stops: the import
/// is not cut, every document is imported once, and B serves the import A
/// wrote (its events too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_coming_and_going_beside_a_stream_cut_nothing() {
    let mut cluster = Cluster::new(2_000, 2_000).await;
    let a = cluster.start();
    let on_a = cluster.clients(&a).await;
    let project = on_a.create_project("beside").await;

    let (tx, call) = open(&on_a);
    tx.send(header(&project.id, pb::ConflictPolicy::Overwrite))
        .await
        .expect("send");
    let total = 3_000;
    let sender = tokio::spawn(async move {
        for chunk in (0..total).step_by(100) {
            for message in messages(chunk..chunk + 100) {
                tx.send(message).await.expect("the stream stays open");
            }
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    });

    let mut b = cluster.start();
    assert!(b.terminate(), "B stopped cleanly:\n{}", b.logs());
    let b = cluster.start();
    sender.await.expect("every document was sent");
    let response = call.await.expect("task").expect("the stream ended well");
    assert_eq!(response.accepted, total as u64, "{response:?}");

    let on_b = cluster.clients(&b).await;
    let import = on_b
        .finished(&response.import_id, PATIENCE)
        .await
        .expect("the import finishes");
    assert_eq!(
        import.state(),
        pb::ImportState::Completed,
        "{}\n--- A\n{}\n--- B\n{}",
        import.error,
        a.logs(),
        b.logs()
    );
    assert_eq!(import.counts.expect("counts").imported, total as u64);
    assert_eq!(documents_once(&on_b, &project.id).await, expected(0..total));
    // B replays the events A wrote, to the end.
    let mut events = on_b
        .imports
        .clone()
        .watch_import(pb::WatchImportRequest {
            import_id: response.import_id.clone(),
            after_sequence: 0,
        })
        .await
        .expect("watch on B")
        .into_inner();
    let mut last = None;
    while let Some(event) = events.message().await.expect("event") {
        last = Some(event);
    }
    let last = last.expect("events");
    assert_eq!(last.counts.expect("counts").imported, total as u64);

    drop((a, b));
    cluster.remove().await;
}

/// kill -9 of the replica that owns a stream: the client's stream fails;
/// the other replica takes the import over once its lease expires, and
/// every document the dead replica had stored is imported exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_owner_s_import_is_finished_by_another_replica() {
    let lease_ms = 1_500;
    let mut cluster = Cluster::new(lease_ms, 2_000).await;
    let mut a = cluster.start();
    let b = cluster.start();
    let on_a = cluster.clients(&a).await;
    let on_b = cluster.clients(&b).await;
    let project = on_a.create_project("killed").await;

    let (tx, call) = open(&on_a);
    tx.send(header(&project.id, pb::ConflictPolicy::Overwrite))
        .await
        .expect("send");
    let sender = tokio::spawn(async move {
        let mut sent = 0;
        for chunk in (0..100_000).step_by(100) {
            for message in messages(chunk..chunk + 100) {
                if tx.send(message).await.is_err() {
                    return sent;
                }
                sent += 1;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sent
    });
    // Until A has stored a good part of the stream.
    let import_id = loop {
        let imports = on_b.imports_of(&project.id).await;
        if let Some(import) = imports.first() {
            if import.counts.is_some_and(|c| c.received >= 2_000) {
                break import.id.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    a.kill();
    let killed_at = Instant::now();
    let status = call
        .await
        .expect("task")
        .expect_err("the stream fails with its replica");
    // The connection is gone: tonic says UNAVAILABLE or, for a reset
    // mid-stream, UNKNOWN "transport error".
    assert!(
        matches!(
            status.code(),
            tonic::Code::Unavailable | tonic::Code::Unknown
        ),
        "{status:?}"
    );
    let sent = sender.await.expect("sender");

    let import = on_b
        .finished(&import_id, PATIENCE)
        .await
        .unwrap_or_else(|| panic!("B finishes the import:\n{}", b.logs()));
    let took = killed_at.elapsed();
    eprintln!(
        "taken over and finished {} ms after kill -9 (lease {lease_ms} ms)",
        took.as_millis()
    );
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    assert!(import.error.contains("lease"), "{}", import.error);
    let counts = import.counts.expect("counts");
    assert!(counts.received >= 2_000 && counts.received <= sent as u64);
    assert_eq!(counts.rejected + counts.failed, 0, "{counts:?}");
    assert_eq!(counts.imported, counts.received, "{counts:?}");
    // Exactly the documents stored before the kill, each once: the stream
    // sent them in order, so they are the first `received`.
    let received = counts.received as usize;
    assert_eq!(
        documents_once(&on_b, &project.id).await,
        expected(0..received)
    );

    drop(b);
    cluster.remove().await;
}

/// kill -9 of the replica scraping an import's metadata: another replica
/// takes the import over once the lease expires and scrapes what is left;
/// every file ends with its metadata scraped, none is left pending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_replica_s_scraping_is_finished_by_another() {
    use crate::common::fhir_stub::{bundle, FhirStub, Reply};

    const DOCUMENTS: usize = 300;
    let lease_ms = 1_500;
    let mut cluster = Cluster::new(lease_ms, 2_000).await;
    // Small batches, each held up by a slow FHIR server: A is mid-scrape
    // for several seconds.
    cluster
        .env
        .push(("FHIR_IMPORT__SCRAPE__BATCH_SIZE".into(), "20".into()));
    let stub = FhirStub::start().await;
    stub.on(
        "/fhir/Patient",
        vec![Reply::delayed(300, Reply::Json(bundle(&[], None)))],
    );
    let mut a = cluster.start();
    let b = cluster.start();
    let on_a = cluster.clients(&a).await;
    let on_b = cluster.clients(&b).await;
    on_a.fhir_servers
        .clone()
        .register_fhir_server(pb::RegisterFhirServerRequest {
            id: "slow".into(),
            base_url: stub.base_url(),
            schema: "generic-r4".into(),
            allow_private_addresses: true,
            allowed_projects: vec![format!("{}/*", crate::common::HARNESS_USER)],
            ..Default::default()
        })
        .await
        .expect("register the FHIR server");
    let project = on_a.create_project("killed-scraping").await;

    // Each document names a patient of its own, so no batch finds its
    // reads done by an earlier one.
    let mut messages = vec![docs::header_message(pb::ImportHeader {
        project: project.id.clone(),
        fhir_server: "slow".into(),
        ..Default::default()
    })];
    messages.extend((0..DOCUMENTS).map(|n| {
        let mut document = docs::document(n);
        document["subject"]["reference"] = format!("Patient/own-{n}").into();
        docs::document_message(docs::input(&document))
    }));
    let response = on_a
        .imports
        .clone()
        .import_documents(tokio_stream::iter(messages))
        .await
        .expect("import")
        .into_inner();
    assert_eq!(response.accepted, DOCUMENTS as u64);
    let import_id = response.import_id;

    // Until A has scraped some of the files, not all.
    let scraped_before = loop {
        let import = on_b.get_import(&import_id).await;
        let scraped = import.counts.map_or(0, |c| c.scraped);
        if scraped >= 40 {
            break scraped;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    a.kill();
    let killed_at = Instant::now();
    let left_by_a = on_b
        .get_import(&import_id)
        .await
        .counts
        .map_or(0, |c| c.scraped);
    assert!(
        left_by_a < DOCUMENTS as u64,
        "A scraped everything before the kill; the test needs slower scraping"
    );
    // B's first batch: the takeover (a figure, not an assert on time).
    let resumed = loop {
        let import = on_b.get_import(&import_id).await;
        if import.counts.map_or(0, |c| c.scraped) > left_by_a {
            break killed_at.elapsed();
        }
        assert_eq!(import.state(), pb::ImportState::Processing);
        if killed_at.elapsed() > PATIENCE {
            panic!("nobody resumed the scraping:\n{}", b.logs());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    let import = on_b
        .finished(&import_id, PATIENCE)
        .await
        .unwrap_or_else(|| panic!("B finishes the scraping:\n{}", b.logs()));
    eprintln!(
        "scraping resumed {} ms and finished {} ms after kill -9 (lease {lease_ms} ms; \
         {scraped_before} of {DOCUMENTS} scraped when A was killed, {left_by_a} by A in all)",
        resumed.as_millis(),
        killed_at.elapsed().as_millis(),
    );
    assert_eq!(
        import.state(),
        pb::ImportState::Completed,
        "{}",
        import.error
    );
    let counts = import.counts.expect("counts");
    assert_eq!(counts.received, DOCUMENTS as u64, "{counts:?}");
    assert_eq!(counts.scraped, DOCUMENTS as u64, "{counts:?}");
    assert_eq!(counts.scrape_failed + counts.failed, 0, "{counts:?}");
    let files = on_b.all_files(&project.id).await;
    assert_eq!(files.len(), DOCUMENTS);
    let pending: Vec<_> = files
        .iter()
        .filter(|f| {
            !matches!(
                f.metadata_state(),
                pb::MetadataState::Complete | pb::MetadataState::Partial
            )
        })
        .map(|f| (f.document_reference_id.clone(), f.metadata_state()))
        .collect();
    assert!(pending.is_empty(), "files not scraped: {pending:?}");

    drop(b);
    cluster.remove().await;
}

/// A replica that stops running longer than its lease (SIGSTOP: a long
/// pause, a starved host) loses the import it was receiving to another,
/// which ends the intake. Back, it must not tell the portal its stream
/// went through: the documents sent since were not stored. The portal gets
/// UNAVAILABLE, sends again with SKIP, and every document is there once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_that_paused_past_its_lease_does_not_answer_ok() {
    let lease_ms = 1_500;
    let mut cluster = Cluster::new(lease_ms, 2_000).await;
    let a = cluster.start();
    let b = cluster.start();
    let on_a = cluster.clients(&a).await;
    let on_b = cluster.clients(&b).await;
    let project = on_a.create_project("paused").await;
    let (tx, call) = open(&on_a);
    tx.send(header(&project.id, pb::ConflictPolicy::Skip))
        .await
        .expect("header");
    for message in messages(0..300) {
        tx.send(message).await.expect("send");
    }
    let import_id = loop {
        let imports = on_b.imports_of(&project.id).await;
        if let Some(import) = imports
            .iter()
            .find(|i| i.counts.as_ref().is_some_and(|c| c.received >= 300))
        {
            break import.id.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    a.signal("-STOP");
    let deadline = Instant::now() + PATIENCE;
    let taken = loop {
        let import = on_b.get_import(&import_id).await;
        if import.state() != pb::ImportState::Receiving {
            break import;
        }
        assert!(Instant::now() < deadline, "B never took the import over");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(taken.error.contains("lease"), "{}", taken.error);
    a.signal("-CONT");
    for message in messages(300..600) {
        if tx.send(message).await.is_err() {
            break;
        }
    }
    drop(tx);
    let answer = call.await.expect("task");
    let status = answer.expect_err("the documents sent after the takeover were not stored");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(
        status.message().contains("another replica"),
        "{}",
        status.message()
    );

    // The portal sends the stream again, to B: everything is there once.
    let (tx, call) = open(&on_b);
    tx.send(header(&project.id, pb::ConflictPolicy::Skip))
        .await
        .expect("header");
    for message in messages(0..600) {
        tx.send(message).await.expect("send");
    }
    drop(tx);
    let again = call.await.expect("task").expect("sent again");
    on_b.finished(&again.import_id, PATIENCE)
        .await
        .expect("the second import ends");
    on_b.finished(&import_id, PATIENCE)
        .await
        .expect("the first import ends");
    assert_eq!(documents_once(&on_b, &project.id).await, expected(0..600));
    drop((a, b));
    cluster.remove().await;
}

/// What one portal does through a rolling restart: it streams its
/// documents to a replica; when the stream is turned away or cut
/// (UNAVAILABLE) it sends the whole stream again to another with
/// on_conflict SKIP, which imports only what is missing.
async fn portal(
    addresses: Arc<Mutex<Vec<String>>>,
    token: String,
    project: String,
    range: std::ops::Range<usize>,
    start_at: usize,
) -> usize {
    for attempt in 0.. {
        assert!(attempt < 60, "the portal gave up after {attempt} attempts");
        let addr = {
            let addresses = addresses.lock().expect("lock");
            addresses[(start_at + attempt) % addresses.len()].clone()
        };
        let Ok(clients) = tokio::time::timeout(Duration::from_secs(5), clients_of(&addr, &token))
            .await
            .map_err(|_| ())
        else {
            continue;
        };
        let (tx, call) = open(&clients);
        let policy = match attempt {
            0 => pb::ConflictPolicy::Overwrite,
            _ => pb::ConflictPolicy::Skip,
        };
        let range = range.clone();
        let project = project.clone();
        let sender = tokio::spawn(async move {
            if tx.send(header(&project, policy)).await.is_err() {
                return;
            }
            for chunk in range.step_by(50) {
                for message in messages(chunk..chunk + 50) {
                    if tx.send(message).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let outcome = call.await.expect("task");
        let _ = sender.await;
        match outcome {
            Ok(_) => return attempt + 1,
            // Cut or turned away by a draining replica (the cut import
            // keeps what it stored), the connection dropped as that replica's
            // process ended (tonic: UNKNOWN "transport error"), or it has as
            // many of this user's streams as it takes: elsewhere, a moment
            // later.
            Err(status)
                if matches!(
                    status.code(),
                    tonic::Code::Unavailable | tonic::Code::ResourceExhausted
                ) || (status.code() == tonic::Code::Unknown
                    && status.message() == "transport error") =>
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(status) => panic!("the portal's stream failed: {status:?}"),
        }
    }
    unreachable!()
}

/// Three replicas restarted one after the other (SIGTERM, then a new
/// process) while ten portals stream: every import ends, and every
/// document is imported exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_during_ten_imports_loses_and_duplicates_nothing() {
    let mut cluster = Cluster::new(2_000, 500).await;
    let mut replicas: Vec<_> = (0..3).map(|_| cluster.start()).collect();
    let addresses = Arc::new(Mutex::new(
        replicas.iter().map(|r| r.addr.clone()).collect::<Vec<_>>(),
    ));
    let first = cluster.clients(&replicas[0]).await;
    let per_portal = 2_000;
    let mut projects = Vec::new();
    let mut portals = Vec::new();
    for n in 0..10 {
        let project = first.create_project(&format!("rolling-{n}")).await;
        projects.push(project.id.clone());
        portals.push(tokio::spawn(portal(
            addresses.clone(),
            cluster.token.clone(),
            project.id,
            0..per_portal,
            n,
        )));
    }

    for (slot, replica) in replicas.iter_mut().enumerate() {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let stopped = replica.terminate();
        assert!(
            stopped,
            "{} drained and exited 0:\n{}",
            replica.name,
            replica.logs()
        );
        let fresh = cluster.start();
        addresses.lock().expect("lock")[slot] = fresh.addr.clone();
        *replica = fresh;
    }

    let mut streams = 0;
    for portal in portals {
        streams += portal.await.expect("the portal finished");
    }
    let any = cluster.clients(&replicas[2]).await;
    for project in &projects {
        for import in any.imports_of(project).await {
            let ended = any.finished(&import.id, PATIENCE).await;
            assert!(
                ended.is_some(),
                "import {} of {project} ended: {:?}",
                import.id,
                any.get_import(&import.id).await
            );
        }
        assert_eq!(
            documents_once(&any, project).await,
            expected(0..per_portal),
            "project {project}"
        );
    }
    eprintln!(
        "10 portals finished with {streams} streams in all ({} sent again)",
        streams - 10
    );
    // A stream lasts four seconds and the first replica drains for half a
    // second after 0.7 s: its streams were cut and sent again.
    assert!(streams > 10, "no stream was cut: the test proved nothing");

    drop(replicas);
    cluster.remove().await;
}

/// A FHIR server's settings changed through one replica are what the
/// other reads it with from its next call: the client it keeps for the
/// server (base URL, credentials) is rebuilt, not kept from before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fhir_server_changed_through_one_replica_is_read_so_by_the_other() {
    use crate::common::fhir_stub::{bundle, patient, FhirStub, Reply};
    use fhir_import::proto::v1::fhir_server_service_client::FhirServerServiceClient;

    let a = crate::common::spawn_app(crate::common::Backend::Postgres).await;
    let b = a.replica().await;
    let (old, new) = (FhirStub::start().await, FhirStub::start().await);
    for stub in [&old, &new] {
        stub.on(
            "/fhir/Patient",
            vec![Reply::Json(bundle(&[patient("pt-1")], None))],
        );
        stub.on("/fhir/Patient/pt-1", vec![Reply::Json(patient("pt-1"))]);
    }
    let patient_reads =
        |stub: &FhirStub| stub.hits("/fhir/Patient") + stub.hits("/fhir/Patient/pt-1");
    let mut on_a = FhirServerServiceClient::new(a.channel_with(&a.token));
    let mut on_b = FhirServerServiceClient::new(b.channel_with(&b.token));
    on_a.register_fhir_server(pb::RegisterFhirServerRequest {
        id: "moving".into(),
        base_url: old.base_url(),
        schema: "generic-r4".into(),
        allow_private_addresses: true,
        ..Default::default()
    })
    .await
    .expect("register through A");
    let document = docs::document(1).to_string();
    let preview = pb::PreviewScrapeRequest {
        fhir_server: "moving".into(),
        document: Some(pb::preview_scrape_request::Document::ResourceJson(document)),
        schema: String::new(),
    };
    on_b.preview_scrape(preview.clone())
        .await
        .expect("preview through B");
    assert!(
        patient_reads(&old) > 0,
        "B read the registered server: {:?}",
        old.log()
    );
    assert_eq!(patient_reads(&new), 0);

    on_a.update_fhir_server(pb::UpdateFhirServerRequest {
        id: "moving".into(),
        base_url: new.base_url(),
        ..Default::default()
    })
    .await
    .expect("move it through A");
    let old_reads = patient_reads(&old);
    on_b.preview_scrape(preview)
        .await
        .expect("preview through B again");
    assert!(
        patient_reads(&new) > 0,
        "B reads the server where A moved it"
    );
    assert_eq!(
        patient_reads(&old),
        old_reads,
        "B no longer reads the old one"
    );

    b.stop().await;
    a.stop().await;
}
