//! How often the service asks a FHIR server, counted by a proxy in front
//! of a real one (sekmet-fhir holding a Kids First-shaped study): each
//! Patient and Specimen at most once per import (one `_id` search per type
//! for a batch), and what one import read is not read again by the next
//! within `scrape.recent.ttl_secs`; a rescrape reads afresh.

use std::collections::BTreeMap;

use crate::common::{
    docs, fhir_proxy, header_from, spawn_app, spawn_app_with, Backend, ProxiedStudy, TestApp,
};
use fhir_import::dataset::{generate, Dataset, Shape};
use fhir_import::proto::v1::{self as pb, rescrape_files_request::Selection};

async fn each_patient_and_specimen_is_fetched_at_most_once(backend: Backend) {
    let data = generate(
        23,
        &Shape {
            families: 6,
            ..Shape::default()
        },
    );
    let kf = ProxiedStudy::start(&data).await;
    let app = spawn_app(backend).await;
    kf.register(&app).await;
    let project = app.create_project("counted").await;
    let documents: Vec<pb::DocumentInput> =
        data.document_references.iter().map(docs::input).collect();
    let response = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed);

    let patients = data.patients.len();
    let specimens = data.specimens.len();
    let documents = data.document_references.len();
    let counts = kf.counts.lock().expect("lock").clone();
    let reads =
        counts.get("Patient").copied().unwrap_or(0) + counts.get("Specimen").copied().unwrap_or(0);
    assert!(
        reads <= patients + specimens,
        "{documents} documents, {patients} patients, {specimens} specimens: {counts:?}"
    );
    // With `_id` batching it is one search per type for the whole batch.
    assert!(reads <= 2, "{counts:?}");
    // What points back at the patients is found with one search per kind
    // for the whole batch, and the study is read once.
    for kind in ["Condition", "Group", "Observation", "ResearchSubject"] {
        assert_eq!(counts.get(kind).copied(), Some(1), "{kind}: {counts:?}");
    }
    assert_eq!(counts.get("ResearchStudy").copied(), Some(1), "{counts:?}");
    app.stop().await;
}
on_both_stores!(each_patient_and_specimen_is_fetched_at_most_once);

/// Imports `documents` into a new project and waits for their metadata;
/// returns its slug and the requests the server saw meanwhile, by
/// resource type.
async fn import_counted(
    app: &TestApp,
    counts: &fhir_proxy::Counts,
    project: &str,
    documents: &[serde_json::Value],
) -> (String, BTreeMap<String, usize>) {
    counts.lock().expect("lock").clear();
    let project = app.create_project(project).await;
    let inputs = documents.iter().map(docs::input).collect();
    let response = app
        .import(header_from(&project.slug, "kf"), inputs)
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    let seen = counts.lock().expect("lock").clone();
    (project.slug, seen)
}

fn study(seed: u64) -> Dataset {
    generate(
        seed,
        &Shape {
            families: 3,
            ..Shape::default()
        },
    )
}

async fn a_second_import_reuses_what_the_first_read(backend: Backend) {
    let data = study(31);
    let kf = ProxiedStudy::start(&data).await;
    let app = spawn_app(backend).await;
    kf.register(&app).await;

    let (first_half, second_half) = data
        .document_references
        .split_at(data.document_references.len() / 2);
    let (_, first) = import_counted(&app, &kf.counts, "first", first_half).await;
    assert!(first.get("Patient").copied().unwrap_or(0) > 0, "{first:?}");
    // The same documents again, into another project: every resource they
    // need was read moments ago.
    let (again_slug, again) = import_counted(&app, &kf.counts, "again", first_half).await;
    assert!(again.is_empty(), "nothing read twice: {again:?}");
    // Other documents of the same families need only what was not read.
    let (_, rest) = import_counted(&app, &kf.counts, "rest", second_half).await;
    assert_eq!(
        rest.get("ResearchStudy"),
        None,
        "the study was read: {rest:?}"
    );

    // A rescrape asks the server again, to see it as it is now.
    kf.counts.lock().expect("lock").clear();
    let started = app
        .imports
        .clone()
        .rescrape_files(pb::RescrapeFilesRequest {
            project: again_slug,
            selection: Some(Selection::AllFiles(true)),
            metadata_states: vec![],
        })
        .await
        .expect("rescrape")
        .into_inner();
    app.wait_until_finished(&started.imports[0].id).await;
    let fresh = kf.counts.lock().expect("lock").clone();
    assert_eq!(fresh.get("ResearchStudy"), Some(&1), "{fresh:?}");
    assert!(fresh.get("Patient").copied().unwrap_or(0) > 0, "{fresh:?}");
    app.stop().await;
}
on_both_stores!(a_second_import_reuses_what_the_first_read);

async fn with_sharing_off_each_import_reads_for_itself(backend: Backend) {
    let data = study(32);
    let kf = ProxiedStudy::start(&data).await;
    let app = spawn_app_with(backend, |config| config.scrape.recent.ttl_secs = 0).await;
    kf.register(&app).await;
    let (_, first) = import_counted(&app, &kf.counts, "first", &data.document_references).await;
    let (_, again) = import_counted(&app, &kf.counts, "again", &data.document_references).await;
    assert!(first.get("Patient").copied().unwrap_or(0) > 0, "{first:?}");
    assert_eq!(first, again, "the same documents ask the same again");
    app.stop().await;
}
on_both_stores!(with_sharing_off_each_import_reads_for_itself);

/// The ids each request of `log` asked for, by resource type: `_id` lists
/// and reads of `Type/id` as ids, other searches as their reference values.
fn asked_for(log: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut asked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for request in log {
        let (path, query) = request.split_once('?').unwrap_or((request, ""));
        let mut parts = path.split('/');
        let kind = parts.next().unwrap_or_default().to_owned();
        if let Some(id) = parts.next() {
            asked.entry(kind).or_default().push(id.to_owned());
            continue;
        }
        let Some((param, values)) = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name != "_count" && *name != "_offset")
        else {
            continue;
        };
        let entry = asked.entry(format!("{kind}?{param}")).or_default();
        entry.extend(values.split(',').map(str::to_owned));
    }
    asked
}

async fn no_resource_is_read_twice_within_an_import(backend: Backend) {
    let data = study(33);
    let kf = ProxiedStudy::start(&data).await;
    // Small batches, and nothing shared between imports: only what the
    // import itself read can spare a request.
    let app = spawn_app_with(backend, |config| {
        config.scrape.batch_size = 5;
        config.scrape.recent.ttl_secs = 0;
    })
    .await;
    kf.register(&app).await;
    let documents = data.document_references.len();
    assert!(documents > 15, "several batches: {documents} documents");
    let (_, counts) = import_counted(&app, &kf.counts, "batched", &data.document_references).await;
    let asked = asked_for(&kf.log.lock().expect("lock"));
    for (what, values) in &asked {
        let mut unique = values.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            values.len(),
            "{what} asked for something twice: {values:?} ({counts:?})"
        );
    }
    assert!(asked.contains_key("Patient?_id"), "{asked:?}");
    app.stop().await;
}
on_both_stores!(no_resource_is_read_twice_within_an_import);

async fn small_pages_and_chunks_give_the_same_metadata(backend: Backend) {
    let data = study(34);
    let kf = ProxiedStudy::start(&data).await;
    // Searches of at most 2 values a request, answers of at most 3 matches
    // a page: everything is chunked and paged (through links the proxy
    // rewrites, as a reverse proxy would).
    let server = fhir_import::config::ConfiguredFhirServer {
        server: fhir_import::fhir::ServerConfig {
            limits: fhir_import::fhir::ServerLimits {
                ids_per_search: 2,
                page_size: 3,
                requests_per_second: 0.0,
                ..Default::default()
            },
            allow_private_addresses: true,
            ..fhir_import::fhir::ServerConfig::new("kf", kf.proxy.clone())
        },
        schema: Some("ncpi-kids-first".into()),
        allowed_projects: vec!["harness/*".into()],
    };
    let app = spawn_app_with(backend, |config| config.fhir_servers = vec![server]).await;
    let (slug, counts) = import_counted(&app, &kf.counts, "paged", &data.document_references).await;
    let paged = kf
        .log
        .lock()
        .expect("lock")
        .iter()
        .filter(|r| r.contains("_offset="))
        .count();
    assert!(
        paged > 0,
        "some answers took more than one page: {counts:?}"
    );
    let expected = data.expected();
    for file in app.all_files(&slug, &[]).await {
        let id = &file.document_reference_id;
        assert_eq!(
            file.metadata_state(),
            pb::MetadataState::Complete,
            "{id}: {}",
            file.metadata_error
        );
        for (key, values) in &expected[id] {
            let want = (!values.is_empty()).then(|| values.join(","));
            assert_eq!(file.metadata.get(key), want.as_ref(), "{id} {key}");
        }
    }
    app.stop().await;
}
on_both_stores!(small_pages_and_chunks_give_the_same_metadata);
