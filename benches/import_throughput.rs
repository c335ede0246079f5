//! ImportDocuments throughput, in documents per second, next to a baseline.
//!
//! Targets, each a real server on 127.0.0.1 (port 0) driven by the same
//! generated tonic client with the same pre-built messages:
//!
//! 1. a bare tonic server whose `import_documents` only drains the stream
//!    (the transport's ceiling),
//! 2. fhir-import on SQLite (a fresh temp-file database),
//! 3. fhir-import on PostgreSQL (a fresh database, dropped afterwards;
//!    skipped when PostgreSQL is unreachable).
//!
//! Per run, into a fresh project: (a) intake = the RPC's wall time until the
//! response (documents durable), (b) end-to-end = until the import reaches a
//! terminal state (files recorded). The table shows medians over the runs.
//!
//! Run with `cargo bench --bench import_throughput`. Environment:
//! - `BENCH_DOCS`: documents per run (default 20000)
//! - `BENCH_RUNS`: runs per target (default 3)
//! - `BENCH_FOLLOW`: `poll` (GetImport every 10 ms, the default) or `watch`
//!   (WatchImport; the server then also streams one event per item)
//! - `BENCH_ONLY`: `sqlite` or `postgres` runs that store alone (with its
//!   raw baseline, without the bare drain), e.g. under `perf record`
//! - `BENCH_SHAPE`: `small` (portal-style DocumentReferences of ~330 bytes,
//!   the default) or `kids-first` (a generated Kids First study's, ~2.2 KB)
//! - `BENCH_BATCH`: the service's `import.batch_size` (default: its
//!   default, 1000; the raw baselines keep 500)
//! - `BENCH_PG_DATABASE`: options for every `CREATE DATABASE` of the run,
//!   e.g. `TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE
//!   'C.UTF-8'` for a database that compares text linguistically, as most
//!   production ones do (this machine's `test` uses `C.UTF-8`)
//! - `BENCH_LOG`: set to enable server logs (its value is the filter, or
//!   `info` when empty)
//! - `FHIR_IMPORT_BENCH_POSTGRES_URL`: admin URL of PostgreSQL (default
//!   `postgres://postgres@127.0.0.1:5432/test`)
//! - `PGOPTIONS` is honoured by sqlx, e.g. `-c plan_cache_mode=force_custom_plan`
//!   to try a session setting without changing the server.

mod raw_store;
mod support;

use support::{
    bench_token, build_documents, connect, header, is_terminal, median, Authed, FreshPostgres,
};

use std::{
    net::SocketAddr,
    pin::Pin,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use fhir_import::proto::v1::{
    self as pb,
    document_input::Source,
    import_documents_request::Kind,
    import_service_client::ImportServiceClient,
    import_service_server::{ImportService, ImportServiceServer},
    project_service_client::ProjectServiceClient,
};
use fhir_import::{Application, Config};
use futures::Stream;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status, Streaming};

const DEFAULT_DOCS: usize = 20_000;
const DEFAULT_RUNS: usize = 3;
const POLL_EVERY: Duration = Duration::from_millis(10);
/// Longest a run may take before the benchmark gives up.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches`/`--all-targets`
    // runs this binary without it: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "import_throughput: a benchmark; run it with `cargo bench --bench import_throughput`"
        );
        return Ok(());
    }
    if let Some(filter) = std::env::var_os("BENCH_LOG") {
        let filter = filter.to_string_lossy();
        fhir_import::telemetry::init(if filter.is_empty() { "info" } else { &filter });
    }
    let settings = Settings::from_env()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(settings))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Follow {
    Poll,
    Watch,
}

struct Settings {
    docs: usize,
    runs: usize,
    follow: Follow,
    postgres_admin_url: String,
    only: Option<String>,
    /// `BENCH_SHAPE=kids-first`: generated Kids First DocumentReferences
    /// instead of the small portal-style ones.
    kids_first: bool,
}

impl Settings {
    fn from_env() -> anyhow::Result<Self> {
        let follow = match std::env::var("BENCH_FOLLOW").as_deref() {
            Err(_) | Ok("poll") => Follow::Poll,
            Ok("watch") => Follow::Watch,
            Ok(other) => bail!("BENCH_FOLLOW: expected poll or watch, got {other:?}"),
        };
        Ok(Self {
            docs: support::positive("BENCH_DOCS", DEFAULT_DOCS)?,
            runs: support::positive("BENCH_RUNS", DEFAULT_RUNS)?,
            follow,
            postgres_admin_url: support::postgres_admin_url(),
            kids_first: match std::env::var("BENCH_SHAPE").as_deref() {
                Err(_) | Ok("small") => false,
                Ok("kids-first") => true,
                Ok(other) => bail!("BENCH_SHAPE: expected small or kids-first, got {other:?}"),
            },
            only: match std::env::var("BENCH_ONLY") {
                Err(_) => None,
                Ok(store) if ["sqlite", "postgres"].contains(&store.as_str()) => Some(store),
                Ok(other) => bail!("BENCH_ONLY: expected sqlite or postgres, got {other:?}"),
            },
        })
    }

    /// Whether `target` (bare, sqlite, postgres) is to be run.
    fn runs(&self, target: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == target)
    }
}

/// One target's medians, in documents per second.
struct Row {
    name: &'static str,
    intake: f64,
    end_to_end: f64,
}

async fn run(settings: Settings) -> anyhow::Result<()> {
    let documents = if settings.kids_first {
        support::build_kids_first_documents(settings.docs)
    } else {
        build_documents(settings.docs)
    };
    anyhow::ensure!(
        documents.len() == settings.docs,
        "only {} documents were generated",
        documents.len()
    );
    let bytes: usize = documents.iter().map(json_len).sum();
    eprintln!(
        "{} documents per run, {} bytes of JSON on average, {} runs per target, {} worker threads",
        settings.docs,
        bytes / settings.docs,
        settings.runs,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );

    let mut rows = Vec::new();

    if settings.runs("bare") {
        // 1. The bare drain server.
        let bare = BareServer::start().await?;
        // Shaped like a real token, so the baseline carries as many bytes.
        let dummy_token = "x".repeat(420);
        let client = ImportServiceClient::new(connect(bare.addr, &dummy_token).await?);
        let mut runs = Vec::new();
        warm_up_bare(&client, &documents).await?;
        for run in 1..=settings.runs {
            let messages = documents.clone();
            let start = Instant::now();
            let response = import(&client, "bench/bare", messages).await?;
            let intake = start.elapsed();
            if response.received != settings.docs as u64 {
                bail!(
                    "bare server counted {} documents, expected {}",
                    response.received,
                    settings.docs
                );
            }
            report_run("bare tonic drain", run, settings.docs, intake, intake);
            runs.push((intake, intake));
        }
        bare.stop().await?;
        rows.push(row("bare tonic drain", settings.docs, &runs));
    }

    let mut storage_line = None;
    if settings.runs("sqlite") {
        // 2. fhir-import on SQLite, beside the same rows written by plain sqlx.
        let mut raw = Vec::new();
        for run in 1..=settings.runs {
            let dir = tempfile::tempdir().context("temp dir")?;
            let took = raw_store::sqlite(dir.path(), &documents).await?;
            report_run("raw sqlite (sqlx)", run, settings.docs, took, took);
            raw.push((took, took));
        }
        rows.push(row("raw sqlite (sqlx)", settings.docs, &raw));
        let dir = tempfile::tempdir().context("temp dir")?;
        let db_file = dir.path().join("bench.db");
        let sqlite_url = format!("sqlite://{}", db_file.display());
        let runs = bench_app("fhir-import sqlite", &sqlite_url, &settings, &documents).await?;
        rows.push(row("fhir-import sqlite", settings.docs, &runs));
        // Everything imported: the warm-up's documents and every run's.
        let warm_up: usize = documents[..documents.len().min(1000)]
            .iter()
            .map(json_len)
            .sum();
        let imported = warm_up + bytes * settings.runs;
        // What the data takes: the WAL copied into the database and emptied
        // first. Left as it is, the WAL adds up to its checkpoint threshold
        // (16 MB) whatever was imported, depending on when the run ended.
        checkpoint_sqlite(&db_file).await?;
        let stored: u64 = ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db_file.display())).ok())
            .map(|m| m.len())
            .sum();
        let storage = stored as f64 / imported as f64;
        if let Some(keep) = std::env::var_os("BENCH_KEEP_SQLITE") {
            std::fs::copy(&db_file, keep)?;
        }
        drop(dir);
        storage_line = Some(format!(
            "SQLite storage: {:.1} MB for {:.1} MB of imported JSON ({storage:.2}x)",
            stored as f64 / 1e6,
            imported as f64 / 1e6
        ));
    }

    if settings.runs("postgres") {
        // 3. fhir-import on PostgreSQL, when there is one.
        match FreshPostgres::create(&settings.postgres_admin_url).await {
            Err(err) => eprintln!(
                "fhir-import postgres: skipped, PostgreSQL at {} is unreachable: {err:#}",
                fhir_import::telemetry::redact_url(&settings.postgres_admin_url)
            ),
            Ok(db) => {
                let result =
                    bench_app("fhir-import postgres", &db.url, &settings, &documents).await;
                db.drop_database().await?;
                let mut raw = Vec::new();
                for run in 1..=settings.runs {
                    let fresh = FreshPostgres::create(&settings.postgres_admin_url).await?;
                    let took = raw_store::postgres(&fresh.url, &documents).await;
                    fresh.drop_database().await?;
                    let took = took?;
                    report_run("raw postgres (sqlx)", run, settings.docs, took, took);
                    raw.push((took, took));
                }
                rows.push(row("raw postgres (sqlx)", settings.docs, &raw));
                rows.push(row("fhir-import postgres", settings.docs, &result?));
            }
        }
    }

    print_table(&settings, &rows);
    if let Some(line) = storage_line {
        println!("{line}");
    }
    Ok(())
}

fn json_len(message: &pb::ImportDocumentsRequest) -> usize {
    match &message.kind {
        Some(Kind::Document(pb::DocumentInput {
            source: Some(Source::ResourceJson(json)),
            ..
        })) => json.len(),
        _ => 0,
    }
}

/// Streams a header and `documents`; returns the response.
async fn import(
    client: &ImportServiceClient<Authed>,
    project: &str,
    documents: Vec<pb::ImportDocumentsRequest>,
) -> anyhow::Result<pb::ImportDocumentsResponse> {
    let messages = std::iter::once(header(project)).chain(documents);
    Ok(client
        .clone()
        .import_documents(tokio_stream::iter(messages))
        .await
        .context("ImportDocuments")?
        .into_inner())
}

async fn warm_up_bare(
    client: &ImportServiceClient<Authed>,
    documents: &[pb::ImportDocumentsRequest],
) -> anyhow::Result<()> {
    let some = documents[..documents.len().min(1000)].to_vec();
    import(client, "bench/warm-up", some).await?;
    Ok(())
}

/// Runs every run against fhir-import on `database_url`; returns (intake,
/// end-to-end) per run.
async fn bench_app(
    name: &'static str,
    database_url: &str,
    settings: &Settings,
    documents: &[pb::ImportDocumentsRequest],
) -> anyhow::Result<Vec<(Duration, Duration)>> {
    let mut config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: database_url.to_owned(),
        ..Config::default()
    };
    config.import.batch_size = support::positive("BENCH_BATCH", config.import.batch_size)?;
    let app = Application::build(config)
        .await
        .with_context(|| format!("{name}: building the application"))?;
    let addr = app.local_addr();
    let token = bench_token(&app, database_url)
        .await
        .with_context(|| format!("{name}: issuing a token"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let result = bench_app_runs(name, addr, &token, settings, documents).await;
    let _ = stop.send(());
    server
        .await
        .context("server task")?
        .with_context(|| format!("{name}: the server did not stop cleanly"))?;
    result
}

async fn bench_app_runs(
    name: &'static str,
    addr: SocketAddr,
    token: &str,
    settings: &Settings,
    documents: &[pb::ImportDocumentsRequest],
) -> anyhow::Result<Vec<(Duration, Duration)>> {
    let channel = connect(addr, token).await?;
    let imports = ImportServiceClient::new(channel.clone());
    let projects = ProjectServiceClient::new(channel);
    let create_project = |label: String| {
        let mut projects = projects.clone();
        async move {
            let name = format!("bench-{label}-{}", uuid::Uuid::now_v7().simple());
            anyhow::Ok(
                projects
                    .create_project(pb::CreateProjectRequest {
                        name,
                        description: String::new(),
                    })
                    .await
                    .context("CreateProject")?
                    .into_inner()
                    .id,
            )
        }
    };

    // Warm-up: connections, statement caches, page cache; not timed.
    let project = create_project("warm-up".into()).await?;
    let some = documents[..documents.len().min(1000)].to_vec();
    let response = import(&imports, &project, some).await?;
    tokio::time::timeout(RUN_TIMEOUT, finish(&imports, &response, settings.follow))
        .await
        .with_context(|| format!("{name}: the warm-up import did not finish"))??;

    let mut runs = Vec::new();
    for run in 1..=settings.runs {
        let project = create_project(format!("run{run}")).await?;
        let messages = documents.to_vec();
        let start = Instant::now();
        let response = import(&imports, &project, messages).await?;
        let intake = start.elapsed();
        if response.accepted != settings.docs as u64 || response.rejected != 0 {
            bail!(
                "{name}: {} accepted and {} rejected of {} documents: {:?}",
                response.accepted,
                response.rejected,
                settings.docs,
                response.rejections.first()
            );
        }
        let done = tokio::time::timeout(RUN_TIMEOUT, finish(&imports, &response, settings.follow))
            .await
            .with_context(|| {
                format!("{name}: the import did not finish within {RUN_TIMEOUT:?}")
            })??;
        let end_to_end = start.elapsed();
        let counts = done.counts.unwrap_or_default();
        if done.state() != pb::ImportState::Completed || counts.imported != settings.docs as u64 {
            bail!(
                "{name}: import {} ended {:?} with {} of {} documents imported ({:?})",
                done.id,
                done.state(),
                counts.imported,
                settings.docs,
                done.error
            );
        }
        report_run(name, run, settings.docs, intake, end_to_end);
        runs.push((intake, end_to_end));
    }
    Ok(runs)
}

/// Waits until the import of `response` is in a terminal state; returns it.
async fn finish(
    client: &ImportServiceClient<Authed>,
    response: &pb::ImportDocumentsResponse,
    follow: Follow,
) -> anyhow::Result<pb::Import> {
    let mut client = client.clone();
    let get = |mut client: ImportServiceClient<Authed>| {
        let import_id = response.import_id.clone();
        async move {
            anyhow::Ok(
                client
                    .get_import(pb::GetImportRequest { import_id })
                    .await
                    .context("GetImport")?
                    .into_inner(),
            )
        }
    };
    if let Some(import) = &response.import {
        if is_terminal(import.state()) {
            return Ok(import.clone());
        }
    }
    match follow {
        Follow::Poll => loop {
            let import = get(client.clone()).await?;
            if is_terminal(import.state()) {
                return Ok(import);
            }
            tokio::time::sleep(POLL_EVERY).await;
        },
        Follow::Watch => {
            let after = response.import.as_ref().map_or(0, |i| i.last_sequence);
            let mut events = client
                .watch_import(pb::WatchImportRequest {
                    import_id: response.import_id.clone(),
                    after_sequence: after,
                })
                .await
                .context("WatchImport")?
                .into_inner();
            // The stream ends once the import is terminal.
            while events
                .message()
                .await
                .context("WatchImport event")?
                .is_some()
            {}
            get(client).await
        }
    }
}

fn report_run(name: &str, run: usize, docs: usize, intake: Duration, end_to_end: Duration) {
    eprintln!(
        "{name} run {run}: intake {:.3} s ({:.0} docs/s), end-to-end {:.3} s ({:.0} docs/s)",
        intake.as_secs_f64(),
        rate(docs, intake),
        end_to_end.as_secs_f64(),
        rate(docs, end_to_end),
    );
}

fn rate(docs: usize, took: Duration) -> f64 {
    docs as f64 / took.as_secs_f64().max(f64::MIN_POSITIVE)
}

fn row(name: &'static str, docs: usize, runs: &[(Duration, Duration)]) -> Row {
    Row {
        name,
        intake: median(runs.iter().map(|(i, _)| rate(docs, *i)).collect()),
        end_to_end: median(runs.iter().map(|(_, e)| rate(docs, *e)).collect()),
    }
}

/// The table: each target's medians, against the bare drain, and each
/// fhir-import target against the raw store baseline printed above it.
fn print_table(settings: &Settings, rows: &[Row]) {
    let baseline = rows
        .iter()
        .find(|r| r.name == "bare tonic drain")
        .map_or(f64::NAN, |r| r.end_to_end);
    println!(
        "documents per run: {}, runs: {} (median)",
        settings.docs, settings.runs
    );
    println!(
        "{:<22}{:>15}{:>20}{:>17}{:>14}{:>15}{:>12}",
        "target",
        "intake docs/s",
        "end-to-end docs/s",
        "intake vs base",
        "e2e vs base",
        "intake vs raw",
        "e2e/intake"
    );
    let mut raw = f64::NAN;
    for r in rows {
        let vs_raw = if r.name.starts_with("raw ") {
            raw = r.intake;
            String::new()
        } else if r.name.starts_with("fhir-import") {
            format!("{:.3}", r.intake / raw)
        } else {
            String::new()
        };
        println!(
            "{:<22}{:>15.0}{:>20.0}{:>17.3}{:>14.3}{:>15}{:>12.3}",
            r.name,
            r.intake,
            r.end_to_end,
            r.intake / baseline,
            r.end_to_end / baseline,
            vs_raw,
            r.end_to_end / r.intake
        );
    }
}

/// The baseline: a tonic server whose ImportDocuments only drains the stream.
struct BareServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl BareServer {
    async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(ImportServiceServer::new(BareDrain::default()))
                .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                    let _ = stopped.await;
                }),
        );
        Ok(Self { addr, stop, task })
    }

    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}

#[derive(Default)]
struct BareDrain {
    imports: AtomicU64,
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::ImportEvent, Status>> + Send>>;

#[tonic::async_trait]
impl ImportService for BareDrain {
    async fn import_documents(
        &self,
        request: Request<Streaming<pb::ImportDocumentsRequest>>,
    ) -> Result<Response<pb::ImportDocumentsResponse>, Status> {
        let mut stream = request.into_inner();
        let mut received = 0u64;
        let mut header = false;
        while let Some(message) = stream.message().await? {
            match message.kind {
                Some(Kind::Header(_)) if !header && received == 0 => header = true,
                _ => received += 1,
            }
        }
        let n = self.imports.fetch_add(1, Ordering::Relaxed);
        Ok(Response::new(pb::ImportDocumentsResponse {
            import_id: format!("bare-{n}"),
            received,
            accepted: received,
            ..Default::default()
        }))
    }

    type WatchImportStream = EventStream;

    async fn watch_import(
        &self,
        _: Request<pb::WatchImportRequest>,
    ) -> Result<Response<Self::WatchImportStream>, Status> {
        Err(Status::unimplemented("bare drain server"))
    }

    async fn get_import(
        &self,
        _: Request<pb::GetImportRequest>,
    ) -> Result<Response<pb::Import>, Status> {
        Err(Status::unimplemented("bare drain server"))
    }

    async fn list_imports(
        &self,
        _: Request<pb::ListImportsRequest>,
    ) -> Result<Response<pb::ListImportsResponse>, Status> {
        Err(Status::unimplemented("bare drain server"))
    }

    async fn list_import_items(
        &self,
        _: Request<pb::ListImportItemsRequest>,
    ) -> Result<Response<pb::ListImportItemsResponse>, Status> {
        Err(Status::unimplemented("bare drain server"))
    }

    async fn cancel_import(
        &self,
        _: Request<pb::CancelImportRequest>,
    ) -> Result<Response<pb::Import>, Status> {
        Err(Status::unimplemented("bare drain server"))
    }

    async fn rescrape_files(
        &self,
        _: Request<pb::RescrapeFilesRequest>,
    ) -> Result<Response<pb::RescrapeFilesResponse>, Status> {
        Err(Status::unimplemented("bare drain server"))
    }
}

/// Copies the WAL of the SQLite database at `file` into it and truncates it.
async fn checkpoint_sqlite(file: &std::path::Path) -> anyhow::Result<()> {
    use sea_orm::sqlx::{self, sqlite::SqliteConnectOptions, Connection, SqliteConnection};
    let mut db = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file))
        .await
        .context("open the benchmark's database")?;
    // A reader still open (the server's pool winding down) makes the
    // checkpoint give up: `busy` is 1 and the WAL keeps its pages. Try again.
    for _ in 0..100 {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut db)
            .await
            .context("checkpoint")?;
        if busy == 0 {
            db.close().await?;
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("the WAL could not be checkpointed in 10 s: a connection still reads it")
}
