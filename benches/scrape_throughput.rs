//! Metadata scraping throughput: documents scraped per second and FHIR
//! requests per document, on a generated Kids First data set held by a real
//! FHIR server, next to plain keep-alive GET loops over the same resources
//! at the same concurrency.
//!
//! Targets, every one through the same counting proxy in front of the FHIR
//! server (so each pays the same extra hop):
//!
//! 1. fhir-import (SQLite, tokens off): import every DocumentReference
//!    naming the server, timed from the first message to the import's end,
//!    so it includes intake, recording the files and storing the metadata.
//!    The cross-import cache is off (`scrape.recent.ttl_secs = 0`): each
//!    run reads everything afresh.
//! 2. fhir-import without scraping: the same import naming no server, for
//!    what intake and recording alone cost.
//! 3. fhir-import by reference: the same documents sent as
//!    `DocumentReference/{id}`, read from the server at intake, then scraped.
//! 4. "naive GET loop": what a straightforward scraper asks per document
//!    (its Patient, its Specimens, the study, and the four searches that
//!    point back at the Patient), as plain GETs on one keep-alive
//!    `reqwest` client, `BENCH_CONCURRENCY` at a time. No parsing, no
//!    evaluation, no storage: the transport's cost of the naive plan.
//! 5. "same requests, plain GETs": the exact requests fhir-import made in
//!    its last run of (1), replayed the same way: the transport's cost of
//!    our plan.
//!
//! Run with `cargo bench --bench scrape_throughput`. Environment:
//! - `BENCH_FAMILIES`: families in the data set (default 60; about 8
//!   documents each)
//! - `BENCH_RUNS`: runs per target (default 3; the table shows medians)
//! - `BENCH_CONCURRENCY`: requests in flight (default 8, the service's
//!   default per-server limit)
//! - `BENCH_FHIR_URL`: a FHIR R4 base URL to use instead of starting
//!   sekmet-fhir (e.g. helios-hfs); the data set is POSTed to it as a
//!   transaction first unless `BENCH_FHIR_LOADED=1`

mod support;

// The test harness's real FHIR server and counting proxy, shared as is.
#[allow(dead_code)]
#[path = "../tests/api/common/fhir_proxy.rs"]
mod fhir_proxy;
#[allow(dead_code)]
#[path = "../tests/api/common/fhir_server.rs"]
mod fhir_server;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use fhir_import::auth::bearer::BearerAuth;
use fhir_import::config::ConfiguredFhirServer;
use fhir_import::dataset::{generate, Dataset, Shape};
use fhir_import::fhir::{ServerConfig, ServerLimits};
use fhir_import::proto::v1::{
    self as pb, document_input::Source, file_service_client::FileServiceClient,
    import_documents_request::Kind, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};
use fhir_import::{Application, Config};
use futures::StreamExt;
use tokio::sync::oneshot;
use tonic::{service::interceptor::InterceptedService, transport::Channel};

const RUN_TIMEOUT: Duration = Duration::from_secs(900);
const POLL_EVERY: Duration = Duration::from_millis(10);

type Authed = InterceptedService<Channel, BearerAuth>;

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "scrape_throughput: a benchmark; run it with `cargo bench --bench scrape_throughput`"
        );
        return Ok(());
    }
    let settings = Settings::from_env()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(settings))
}

struct Settings {
    families: usize,
    runs: usize,
    concurrency: usize,
    fhir_url: Option<String>,
    loaded: bool,
}

impl Settings {
    fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            families: support::positive("BENCH_FAMILIES", 60)?,
            runs: support::positive("BENCH_RUNS", 3)?,
            concurrency: support::positive("BENCH_CONCURRENCY", 8)?,
            fhir_url: std::env::var("BENCH_FHIR_URL").ok(),
            loaded: std::env::var("BENCH_FHIR_LOADED").is_ok_and(|v| v == "1"),
        })
    }
}

/// One run of one target.
#[derive(Clone, Copy)]
struct Run {
    elapsed: Duration,
    requests: usize,
}

async fn run(settings: Settings) -> anyhow::Result<()> {
    let data = generate(
        7,
        &Shape {
            families: settings.families,
            ..Shape::default()
        },
    );
    let documents = data.document_references.len();
    eprintln!(
        "{documents} documents of {} patients and {} specimens; {} runs per target; concurrency {}",
        data.patients.len(),
        data.specimens.len(),
        settings.runs,
        settings.concurrency
    );
    // Kept alive until the end: dropping it stops sekmet.
    let mut _sekmet = None;
    let upstream = match &settings.fhir_url {
        Some(url) => {
            if !settings.loaded {
                load(url, &data).await?;
            }
            url.clone()
        }
        None => {
            let server = fhir_server::SekmetServer::start(Some(&data)).await;
            let url = server.base_url().to_owned();
            _sekmet = Some(server);
            url
        }
    };
    eprintln!("FHIR server: {upstream}");
    let (proxy, _counts, log) = fhir_proxy::recording_proxy(upstream).await;

    let app = BenchApp::start(&proxy, settings.concurrency).await?;
    let inputs = inputs(&data);
    let references = reference_inputs(&data);
    let mut scraped = Vec::new();
    let mut plain = Vec::new();
    let mut referenced = Vec::new();
    // A warm-up (connections, statement caches, the FHIRPath engine), and
    // a check that the server's answers give the metadata they should.
    let (_, project) = app.import_all(&inputs, true).await?;
    check_metadata(&app.files(&project).await?, &data)?;
    let mut ours = Vec::new();
    for run in 1..=settings.runs {
        log.lock().expect("lock").clear();
        let (elapsed, _) = app.import_all(&inputs, true).await?;
        ours = log.lock().expect("lock").clone();
        let r = Run {
            elapsed,
            requests: ours.len(),
        };
        report("fhir-import (scraping)", run, documents, r);
        scraped.push(r);

        let (elapsed, _) = app.import_all(&inputs, false).await?;
        let r = Run {
            elapsed,
            requests: 0,
        };
        report("fhir-import (no scraping)", run, documents, r);
        plain.push(r);

        log.lock().expect("lock").clear();
        let (elapsed, _) = app.import_all(&references, true).await?;
        let r = Run {
            elapsed,
            requests: log.lock().expect("lock").len(),
        };
        report("fhir-import (by reference)", run, documents, r);
        referenced.push(r);
    }
    app.stop().await?;

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(settings.concurrency)
        .build()?;
    let naive_plan = naive_requests(&data);
    let mut naive = Vec::new();
    let mut replay = Vec::new();
    get_all(&http, &proxy, &naive_plan, settings.concurrency).await?;
    for run in 1..=settings.runs {
        let elapsed = get_all(&http, &proxy, &naive_plan, settings.concurrency).await?;
        let r = Run {
            elapsed,
            requests: naive_plan.len(),
        };
        report("naive GET loop", run, documents, r);
        naive.push(r);
        let elapsed = get_all(&http, &proxy, &ours, settings.concurrency).await?;
        let r = Run {
            elapsed,
            requests: ours.len(),
        };
        report("same requests, plain GETs", run, documents, r);
        replay.push(r);
    }

    let rows = [
        ("fhir-import (scraping)", median(&scraped)),
        ("fhir-import (no scraping)", median(&plain)),
        ("fhir-import (by reference)", median(&referenced)),
        ("naive GET loop", median(&naive)),
        ("same requests, plain GETs", median(&replay)),
    ];
    let base = docs_per_second(documents, rows[3].1);
    println!();
    println!(
        "{:<28}{:>12}{:>14}{:>16}",
        "target", "docs/s", "requests/doc", "docs/s vs naive"
    );
    for (name, run) in rows {
        let rate = docs_per_second(documents, run);
        println!(
            "{name:<28}{rate:>12.1}{:>14.3}{:>16.2}",
            run.requests as f64 / documents as f64,
            rate / base
        );
    }
    Ok(())
}

/// Every file's metadata is what the data set says the schema derives.
fn check_metadata(files: &[pb::File], data: &Dataset) -> anyhow::Result<()> {
    let expected = data.expected();
    let mut wrong = Vec::new();
    for file in files {
        let Some(want) = expected.get(&file.document_reference_id) else {
            bail!(
                "a file for an unknown document {}",
                file.document_reference_id
            );
        };
        for (key, values) in want {
            let want = (!values.is_empty()).then(|| values.join(","));
            if file.metadata.get(key) != want.as_ref() {
                wrong.push(format!(
                    "{} {key}: {:?} instead of {want:?}",
                    file.document_reference_id,
                    file.metadata.get(key)
                ));
            }
        }
    }
    if files.len() != expected.len() || !wrong.is_empty() {
        bail!(
            "{} files for {} documents; {} wrong values, e.g. {:?}",
            files.len(),
            expected.len(),
            wrong.len(),
            wrong.first()
        );
    }
    eprintln!(
        "metadata of all {} files matches the data set's expected values",
        files.len()
    );
    Ok(())
}

fn docs_per_second(documents: usize, run: Run) -> f64 {
    documents as f64 / run.elapsed.as_secs_f64()
}

fn median(runs: &[Run]) -> Run {
    let mut sorted = runs.to_vec();
    sorted.sort_by_key(|r| r.elapsed);
    sorted[sorted.len() / 2]
}

fn report(name: &str, run: usize, documents: usize, r: Run) {
    eprintln!(
        "{name} run {run}: {:.2}s, {:.1} docs/s, {} requests",
        r.elapsed.as_secs_f64(),
        docs_per_second(documents, r),
        r.requests
    );
}

fn inputs(data: &Dataset) -> Vec<pb::ImportDocumentsRequest> {
    data.document_references
        .iter()
        .map(|d| pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(d.to_string())),
                metadata: Default::default(),
            })),
        })
        .collect()
}

/// The same documents, given by reference for the server to be read.
fn reference_inputs(data: &Dataset) -> Vec<pb::ImportDocumentsRequest> {
    data.document_references
        .iter()
        .map(|d| pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::Reference(format!(
                    "DocumentReference/{}",
                    d["id"].as_str().unwrap_or_default()
                ))),
                metadata: Default::default(),
            })),
        })
        .collect()
}

/// Per document: its subject, each related Specimen, the study, and the
/// searches the NCPI schema runs for the subject.
fn naive_requests(data: &Dataset) -> Vec<String> {
    let study = data.research_study["id"].as_str().unwrap_or_default();
    let mut plan = Vec::new();
    for document in &data.document_references {
        let subject = document["subject"]["reference"]
            .as_str()
            .unwrap_or_default();
        plan.push(subject.to_owned());
        for related in document["context"]["related"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(reference) = related["reference"].as_str() {
                plan.push(reference.to_owned());
            }
        }
        plan.push(format!("ResearchStudy/{study}"));
        for (resource, param) in [
            ("Condition", "subject"),
            ("Group", "member"),
            ("Observation", "subject"),
            ("ResearchSubject", "individual"),
        ] {
            plan.push(format!("{resource}?{param}={subject}"));
        }
    }
    plan
}

/// GETs every path below `base`, `concurrency` at a time, reading each body.
async fn get_all(
    http: &reqwest::Client,
    base: &str,
    paths: &[String],
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let mut answers = futures::stream::iter(paths)
        .map(|path| async move {
            let response = http
                .get(format!("{base}/{path}"))
                .header("accept", "application/fhir+json")
                .send()
                .await?;
            let status = response.status();
            let body = response.bytes().await?;
            anyhow::Ok((status, body.len()))
        })
        .buffer_unordered(concurrency);
    while let Some(answer) = answers.next().await {
        let (status, _) = answer?;
        if !status.is_success() {
            bail!("a GET was answered {status}");
        }
    }
    Ok(start.elapsed())
}

async fn load(base: &str, data: &Dataset) -> anyhow::Result<()> {
    let response = reqwest::Client::new()
        .post(base)
        .header("content-type", "application/fhir+json")
        .body(data.transaction_bundle().to_string())
        .send()
        .await
        .context("POST the transaction bundle")?;
    let status = response.status();
    if !status.is_success() {
        bail!("loading the data set: {status} {}", response.text().await?);
    }
    Ok(())
}

struct BenchApp {
    imports: ImportServiceClient<Authed>,
    files: FileServiceClient<Authed>,
    projects: ProjectServiceClient<Authed>,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl BenchApp {
    async fn start(fhir_base: &str, concurrency: usize) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
            ..Config::default()
        };
        config.auth.require_tokens = false;
        config.scrape.recent.ttl_secs = 0;
        config.fhir_servers = vec![ConfiguredFhirServer {
            server: ServerConfig {
                limits: ServerLimits {
                    max_concurrency: concurrency,
                    requests_per_second: 0.0,
                    ..ServerLimits::default()
                },
                allow_private_addresses: true,
                ..ServerConfig::new("bench", fhir_base)
            },
            schema: Some("ncpi-kids-first".into()),
            allowed_projects: vec!["*".into()],
        }];
        let app = Application::build(config).await?;
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        let channel = Channel::from_shared(format!("http://{addr}"))?
            .connect()
            .await?;
        let authed = InterceptedService::new(channel, BearerAuth::new(None)?);
        Ok(Self {
            imports: ImportServiceClient::new(authed.clone()),
            files: FileServiceClient::new(authed.clone()),
            projects: ProjectServiceClient::new(authed),
            stop,
            server,
            _dir: dir,
        })
    }

    /// Imports `inputs` into a new project (naming the FHIR server when
    /// `scrape`) and waits for the import's end; returns the time taken and
    /// the project.
    async fn import_all(
        &self,
        inputs: &[pb::ImportDocumentsRequest],
        scrape: bool,
    ) -> anyhow::Result<(Duration, String)> {
        let project = self
            .projects
            .clone()
            .create_project(pb::CreateProjectRequest {
                name: format!("bench-{}", uuid::Uuid::now_v7().simple()),
                description: String::new(),
            })
            .await?
            .into_inner();
        let header = pb::ImportDocumentsRequest {
            kind: Some(Kind::Header(pb::ImportHeader {
                project: project.id.clone(),
                fhir_server: if scrape {
                    "bench".into()
                } else {
                    String::new()
                },
                ..Default::default()
            })),
        };
        let messages: Vec<_> = std::iter::once(header)
            .chain(inputs.iter().cloned())
            .collect();
        let start = Instant::now();
        let response = self
            .imports
            .clone()
            .import_documents(tokio_stream::iter(messages))
            .await?
            .into_inner();
        let done = tokio::time::timeout(RUN_TIMEOUT, self.finished(&response.import_id))
            .await
            .context("the import did not finish")??;
        let elapsed = start.elapsed();
        let counts = done.counts.unwrap_or_default();
        let want = inputs.len() as u64;
        let ok = if scrape {
            counts.scraped == want
        } else {
            counts.imported == want
        };
        if done.state() != pb::ImportState::Completed || !ok {
            bail!("import {} ended {:?}: {counts:?}", done.id, done.state());
        }
        Ok((elapsed, project.id))
    }

    /// Every file of `project`, across pages.
    async fn files(&self, project: &str) -> anyhow::Result<Vec<pb::File>> {
        let mut files = Vec::new();
        let mut page_token = String::new();
        loop {
            let page = self
                .files
                .clone()
                .list_files(pb::ListFilesRequest {
                    project: project.to_owned(),
                    page_size: 1000,
                    page_token,
                    ..Default::default()
                })
                .await?
                .into_inner();
            files.extend(page.files);
            if page.next_page_token.is_empty() {
                return Ok(files);
            }
            page_token = page.next_page_token;
        }
    }

    async fn finished(&self, import_id: &str) -> anyhow::Result<pb::Import> {
        loop {
            let import = self
                .imports
                .clone()
                .get_import(pb::GetImportRequest {
                    import_id: import_id.to_owned(),
                })
                .await?
                .into_inner();
            if matches!(
                import.state(),
                pb::ImportState::Completed
                    | pb::ImportState::CompletedWithErrors
                    | pb::ImportState::Failed
                    | pb::ImportState::Cancelled
            ) {
                return Ok(import);
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await??;
        Ok(())
    }
}
