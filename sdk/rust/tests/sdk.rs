//! The Rust SDK against the real server: the tour, watch resumption across
//! a restart, token sources, typed errors, document sources, retries.

mod common;

use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use common::{document, TestServer, PASSWORD, REDIRECT_URI};
use fhir_import_client::{
    authorization_request, bundle_documents, client_credentials_tokens, exchange_code, pb, Client,
    Document, Error, FileQuery, ImportOptions, Portal, TokenError, TokenSource, WatchOptions,
};
use futures::{StreamExt, TryStreamExt};

const UNKNOWN_IMPORT: &str = "01890000-0000-7000-8000-000000000000";

async fn project(client: &Client, name: &str) -> pb::Project {
    client
        .projects()
        .create_project(pb::CreateProjectRequest {
            name: name.to_owned(),
            ..Default::default()
        })
        .await
        .expect("create a project")
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tour_imports_with_one_rejection_follows_to_the_end_and_filters_files() {
    let server = TestServer::start().await;
    let client = Client::connect(&server.url, server.token.as_str())
        .await
        .expect("connect");
    let project = project(&client, "rust-tour").await;

    let documents = futures::stream::iter([
        Document::resource(&document(0)).with_metadata("study", "SD_RS"),
        Document::json("{not json"),
        Document::from(document(2)),
    ]);
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&progress);
    let options = ImportOptions {
        on_conflict: pb::ConflictPolicy::Skip,
        ..ImportOptions::default()
    }
    .on_progress(move |sent| seen.lock().expect("progress").push(sent));
    let response = client
        .import_documents(&project.id, documents, options)
        .await
        .expect("import");
    assert_eq!((response.accepted, response.rejected), (2, 1));
    assert_eq!(response.rejections.len(), 1);
    assert_eq!(response.rejections[0].index, 1);
    assert_eq!(*progress.lock().expect("progress"), vec![1, 2, 3]);

    let events: Vec<pb::ImportEvent> = client
        .watch_import(&response.import_id, WatchOptions::default())
        .try_collect()
        .await
        .expect("watch to the end");
    assert!(matches!(
        events[0].kind,
        Some(pb::import_event::Kind::Snapshot(_))
    ));
    for pair in events[1..].windows(2) {
        assert!(pair[1].sequence > pair[0].sequence, "sequences increase");
    }
    let finished = client
        .wait_for_import(&response.import_id)
        .await
        .expect("wait");
    assert_eq!(finished.state(), pb::ImportState::CompletedWithErrors);
    assert_eq!(
        finished.last_sequence,
        events.last().expect("events").sequence
    );

    let query = FileQuery {
        page_size: 1,
        ..FileQuery::default()
    };
    let mut names: Vec<String> = client
        .list_files(&project.id, query)
        .map_ok(|file| file.name)
        .try_collect()
        .await
        .expect("list files");
    names.sort();
    assert_eq!(names, ["sample-0.cram", "sample-2.cram"]);
    let tagged: Vec<String> = client
        .list_files(&project.id, FileQuery::default().with("study", "SD_RS"))
        .map_ok(|file| file.name)
        .try_collect()
        .await
        .expect("list files by metadata");
    assert_eq!(tagged, ["sample-0.cram"]);
    server.stop().await;
}

/// How the server goes away under a watch.
#[derive(Clone, Copy, PartialEq)]
enum Interruption {
    /// SIGTERM, a drain, and the same server again.
    Restart,
    /// kill -9 (no drain, the connections just die), and the server again.
    Kill,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_resumes_by_sequence_after_the_server_restarts() {
    let server = TestServer::start_with(&[("FHIR_IMPORT__SHUTDOWN_GRACE_MS", "300")]).await;
    a_watch_resumes_across(server, Interruption::Restart).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_resumes_after_the_connection_drops() {
    // A short lease: the restarted server takes the killed one's import over
    // at once rather than after 15 s.
    let server = TestServer::start_with(&[("FHIR_IMPORT__IMPORT__LEASE_MS", "500")]).await;
    a_watch_resumes_across(server, Interruption::Kill).await;
}

/// An import held open, a watch on it, the server interrupted under both:
/// the watch ends with the import's last event, one snapshot, no repeats.
async fn a_watch_resumes_across(mut server: TestServer, interruption: Interruption) {
    let client = Client::connect(&server.url, server.token.as_str())
        .await
        .expect("connect");
    let project = project(&client, "rust-resume").await;
    // Five documents, then the stream stays open until the server goes.
    let documents = futures::stream::iter((0..5).map(|n| Document::from(document(n))))
        .chain(futures::stream::pending());
    let sending = {
        let client = client.clone();
        let project = project.id.clone();
        tokio::spawn(async move {
            client
                .import_documents(&project, documents, ImportOptions::default())
                .await
        })
    };
    let import_id = loop {
        let imports: Vec<pb::Import> = client
            .list_imports(&project.id)
            .try_collect()
            .await
            .expect("list");
        if let Some(import) = imports
            .first()
            .filter(|i| i.counts.is_some_and(|c| c.received == 5))
        {
            break import.id.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let events = Arc::new(Mutex::new(Vec::new()));
    let following = {
        let events = Arc::clone(&events);
        let stream = client.watch_import(&import_id, WatchOptions::default());
        tokio::spawn(async move {
            futures::pin_mut!(stream);
            while let Some(event) = stream.next().await {
                events.lock().expect("events").push(event?);
            }
            Ok::<_, Error>(())
        })
    };
    while events.lock().expect("events").is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    match interruption {
        Interruption::Restart => {
            server.restart().await;
            let cut = sending.await.expect("the import task");
            assert!(
                matches!(cut, Err(Error::Unavailable(_))),
                "the stream was cut: {cut:?}"
            );
        }
        Interruption::Kill => {
            server.kill().await;
            let cut = sending.await.expect("the import task");
            assert!(cut.is_err(), "the stream failed with its server: {cut:?}");
            server.up().await;
        }
    }
    tokio::time::timeout(Duration::from_secs(60), following)
        .await
        .expect("the watch ended")
        .expect("the watch task")
        .expect("the watch resumed rather than failed");

    let events = events.lock().expect("events").clone();
    let snapshots = events
        .iter()
        .filter(|e| matches!(e.kind, Some(pb::import_event::Kind::Snapshot(_))))
        .count();
    assert_eq!(snapshots, 1, "one snapshot");
    for pair in events[1..].windows(2) {
        assert!(
            pair[1].sequence > pair[0].sequence,
            "increasing, none twice"
        );
    }
    let finished = client
        .wait_for_import(&import_id)
        .await
        .expect("the import");
    assert_eq!(
        finished.last_sequence,
        events.last().expect("events").sequence,
        "the watch saw the last event"
    );
    if interruption == Interruption::Restart {
        assert_eq!(finished.state(), pb::ImportState::CompletedWithErrors);
        assert_eq!(finished.counts.expect("counts").imported, 5);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_are_exchanged_for_a_token_and_again_before_it_expires() {
    let server = TestServer::start().await;
    let portal = Portal::new(&server.url, server.client_id()).with_secret(server.client_secret());
    // Tokens live 15 minutes; renewing 14 m 56 s early fetches again four
    // seconds after each fetch (room for a loaded machine).
    let fetched = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&fetched);
    let source = TokenSource::renewing(
        move || {
            let portal = portal.clone();
            count.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { client_credentials_tokens(&portal, &[]).await })
        },
        Duration::from_secs(15 * 60 - 4),
    );
    let client = Client::connect(&server.url, source).await.expect("connect");
    let list = || {
        let mut schemas = client.schemas();
        async move {
            schemas
                .list_schemas(pb::ListSchemasRequest::default())
                .await
        }
    };
    list()
        .await
        .expect("the portal's own token may list schemas");
    list().await.expect("again");
    assert_eq!(
        fetched.load(Ordering::SeqCst),
        1,
        "one token for calls within its life"
    );
    tokio::time::sleep(Duration::from_millis(4_200)).await;
    list().await.expect("after renewal");
    assert_eq!(
        fetched.load(Ordering::SeqCst),
        2,
        "a new token once the old one is near its end"
    );
    let projects: Result<Vec<pb::Project>, Error> = client.list_projects().try_collect().await;
    assert!(
        matches!(projects, Err(Error::PermissionDenied(_))),
        "{projects:?}"
    );

    // The built-in source, with a wrong secret: the token request's refusal
    // and, through a client, UNAUTHENTICATED.
    let wrong = Portal::new(&server.url, server.client_id()).with_secret("wrong");
    let refused = client_credentials_tokens(&wrong, &[]).await;
    assert!(
        matches!(&refused, Err(TokenError::Refused { error, .. }) if error == "invalid_client"),
        "{refused:?}"
    );
    let source = TokenSource::client_credentials(wrong, Vec::new(), Duration::from_secs(60));
    let client = Client::connect(&server.url, source).await.expect("connect");
    let answer = client
        .schemas()
        .list_schemas(pb::ListSchemasRequest::default())
        .await;
    let error = Error::from(answer.expect_err("no token, no call"));
    assert!(
        matches!(&error, Error::Unauthenticated(s) if s.message().contains("invalid_client")),
        "{error}"
    );
    server.stop().await;
}

/// The user's browser: cookies kept, forms posted with their CSRF token;
/// returns where the server sent the browser back to.
async fn sign_in_and_allow(url: &str) -> reqwest::Url {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let cookies = Arc::new(Mutex::new(Vec::<String>::new()));
    let send = |target: String, form: Option<Vec<(String, String)>>| {
        let http = http.clone();
        let cookies = Arc::clone(&cookies);
        async move {
            let jar = cookies.lock().expect("cookies").join("; ");
            let request = match form {
                Some(form) => http.post(&target).form(&form),
                None => http.get(&target),
            };
            let response = request.header("cookie", jar).send().await.expect("send");
            for cookie in response.headers().get_all("set-cookie") {
                let pair = cookie
                    .to_str()
                    .expect("cookie")
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let name = pair.split('=').next().unwrap_or_default().to_owned();
                let mut jar = cookies.lock().expect("cookies");
                jar.retain(|c| !c.starts_with(&format!("{name}=")));
                jar.push(pair);
            }
            response
        }
    };
    let csrf = || async {
        let page = send(url.to_owned(), None).await.text().await.expect("page");
        let start = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        page[start..start + page[start..].find('"').expect("end of the value")].to_owned()
    };
    let parsed = reqwest::Url::parse(url).expect("url");
    let request: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let action = parsed.join("/oauth/authorize").expect("action").to_string();
    let mut sign_in = request.clone();
    sign_in.extend([
        ("username".into(), "sdk".into()),
        ("password".into(), PASSWORD.into()),
        ("csrf".into(), csrf().await),
        ("step".into(), "sign_in".into()),
    ]);
    send(action.clone(), Some(sign_in)).await;
    let mut allow = request;
    allow.extend([
        ("csrf".into(), csrf().await),
        ("step".into(), "allow".into()),
    ]);
    let back = send(action, Some(allow)).await;
    let location = back
        .headers()
        .get("location")
        .expect("a redirect back")
        .to_str()
        .expect("location");
    reqwest::Url::parse(location).expect("redirect URL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_with_pkce_then_a_rotating_refresh_token() {
    let server = TestServer::start().await;
    let portal = Portal::new(&server.url, server.client_id()).with_secret(server.client_secret());
    let request = authorization_request(&portal, REDIRECT_URI, &["projects", "import:read"])
        .expect("request");
    let url = reqwest::Url::parse(&request.url).expect("url");
    assert!(url
        .query_pairs()
        .any(|(k, v)| k == "code_challenge_method" && v == "S256"));
    let back = sign_in_and_allow(&request.url).await;
    let param = |url: &reqwest::Url, name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .expect(name)
    };
    assert_eq!(param(&back, "state"), request.state);
    // Without its verifier the code is worth nothing.
    let stolen = exchange_code(
        &portal,
        &param(&back, "code"),
        &"x".repeat(50),
        REDIRECT_URI,
    )
    .await;
    assert!(
        matches!(&stolen, Err(TokenError::Refused { error, .. }) if error == "invalid_grant"),
        "{stolen:?}"
    );

    let request = authorization_request(&portal, REDIRECT_URI, &["projects", "import:read"])
        .expect("request");
    let back = sign_in_and_allow(&request.url).await;
    let tokens = exchange_code(
        &portal,
        &param(&back, "code"),
        &request.verifier,
        REDIRECT_URI,
    )
    .await
    .expect("the code with its verifier");
    assert_eq!(tokens.scope, "projects import:read");

    let stored = Arc::new(Mutex::new(Vec::new()));
    let store = {
        let stored = Arc::clone(&stored);
        move |fresh: &fhir_import_client::Tokens| {
            stored
                .lock()
                .expect("store")
                .push(fresh.refresh_token.clone().expect("rotated"));
        }
    };
    let first = tokens.refresh_token.clone().expect("a refresh token");
    let source = TokenSource::refresh_token(
        portal,
        first.clone(),
        store,
        Duration::from_secs(15 * 60 - 4),
    );
    let client = Client::connect(&server.url, source).await.expect("connect");
    project(&client, "rust-for-sdk").await;
    tokio::time::sleep(Duration::from_millis(4_200)).await;
    let projects: Vec<pb::Project> = client
        .list_projects()
        .try_collect()
        .await
        .expect("projects");
    assert!(projects.iter().any(|p| p.name == "rust-for-sdk"));
    let stored = stored.lock().expect("stored").clone();
    assert_eq!(
        stored.len(),
        2,
        "a refresh per stale access token, each new refresh token stored"
    );
    assert_ne!(stored[0], first);
    assert_ne!(stored[1], stored[0], "refresh tokens rotate");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_documented_status_is_its_own_error() {
    let server = TestServer::start().await;
    let stranger = Client::connect(&server.url, "not-a-token")
        .await
        .expect("connect");
    let refused: Result<Vec<_>, _> = stranger.list_projects().try_collect().await;
    assert!(
        matches!(&refused, Err(Error::Unauthenticated(s)) if !s.message().is_empty()),
        "{refused:?}"
    );

    let client = Client::connect(&server.url, server.token.as_str())
        .await
        .expect("connect");
    let missing = client
        .projects()
        .get_project(pb::GetProjectRequest {
            project: "sdk/no-such-project".into(),
        })
        .await
        .map_err(Error::from);
    assert!(matches!(&missing, Err(Error::NotFound(_))), "{missing:?}");
    let watched: Result<Vec<_>, _> = client
        .watch_import(UNKNOWN_IMPORT, WatchOptions::default())
        .try_collect()
        .await;
    assert!(
        matches!(&watched, Err(Error::NotFound(_))),
        "from a stream: {watched:?}"
    );
    let nowhere = client
        .import_documents(
            "sdk/no-such-project",
            futures::stream::iter([Document::from(document(1))]),
            ImportOptions::default(),
        )
        .await;
    assert!(matches!(&nowhere, Err(Error::NotFound(_))), "{nowhere:?}");

    let project = project(&client, "rust-errors").await;
    let response = client
        .import_documents(
            &project.id,
            futures::stream::iter([Document::from(document(1))]),
            ImportOptions::default(),
        )
        .await
        .expect("import");
    client
        .wait_for_import(&response.import_id)
        .await
        .expect("wait");
    let late = client
        .imports()
        .cancel_import(pb::CancelImportRequest {
            import_id: response.import_id.clone(),
        })
        .await
        .map_err(Error::from);
    assert!(
        matches!(&late, Err(Error::FailedPrecondition(_))),
        "{late:?}"
    );

    let unnamed = client
        .projects()
        .create_project(pb::CreateProjectRequest::default())
        .await
        .map_err(Error::from);
    assert!(
        matches!(&unnamed, Err(e @ Error::InvalidArgument(_)) if e.code() == tonic::Code::InvalidArgument),
        "{unnamed:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_files_and_bundles_are_sources_of_documents() {
    let server = TestServer::start().await;
    let client = Client::connect(&server.url, server.token.as_str())
        .await
        .expect("connect");
    let project = project(&client, "rust-sources").await;

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("documents.ndjson");
    let lines = [
        document(1).to_string(),
        String::new(),
        "{broken".into(),
        document(2).to_string(),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").expect("write NDJSON");
    let response = client
        .import_ndjson(&project.id, &path, ImportOptions::default())
        .await
        .expect("import");
    assert_eq!(
        (response.accepted, response.rejected),
        (2, 1),
        "the blank line is skipped"
    );
    assert_eq!(
        response.rejections[0].index, 1,
        "the broken line, counted among documents"
    );

    let missing = client
        .import_ndjson(
            &project.id,
            dir.path().join("nope.ndjson"),
            ImportOptions::default(),
        )
        .await;
    assert!(
        matches!(&missing, Err(Error::Input(m)) if m.contains("nope.ndjson")),
        "{missing:?}"
    );

    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            { "resource": document(3) },
            { "resource": { "resourceType": "Patient", "id": "pt-3" } },
            { "resource": document(4) },
        ],
    });
    let documents = bundle_documents(&bundle).expect("a bundle");
    assert_eq!(documents.len(), 2, "only the DocumentReferences");
    let response = client
        .import_documents(
            &project.id,
            futures::stream::iter(documents),
            ImportOptions::default(),
        )
        .await
        .expect("import the bundle");
    assert_eq!(response.accepted, 2);
    assert!(matches!(
        bundle_documents(&document(5)),
        Err(Error::Input(_))
    ));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_survives_a_restart_while_a_write_is_not_sent_again() {
    let mut server = TestServer::start().await;
    let client = Client::connect(&server.url, server.token.as_str())
        .await
        .expect("connect");
    let project = project(&client, "rust-retries").await;

    server.down().await;
    let write = client
        .projects()
        .create_project(pb::CreateProjectRequest {
            name: "while-down".into(),
            ..Default::default()
        })
        .await
        .map_err(Error::from);
    assert!(
        matches!(&write, Err(Error::Unavailable(_))),
        "a write fails at once: {write:?}"
    );

    // The read is retried (100, 200, 400 ms...) while the server comes back.
    let read = {
        let mut projects = client.projects();
        let id = project.id.clone();
        tokio::spawn(async move {
            projects
                .get_project(pb::GetProjectRequest { project: id })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.up().await;
    let answer = read
        .await
        .expect("the read task")
        .expect("the read got its answer");
    assert_eq!(answer.into_inner().id, project.id);
    server.stop().await;
}
