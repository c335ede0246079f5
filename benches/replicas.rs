//! Two replicas on one PostgreSQL database: what a second replica adds,
//! how late a watcher on one replica hears of events another wrote, and a
//! bounded load run.
//!
//! Both replicas are real servers on 127.0.0.1 (port 0), each with its own
//! connection pool, leases and doorbell, sharing a fresh database:
//!
//! 1. scale: two streams of `BENCH_DOCS` documents into one replica, then
//!    two streams, one into each replica: documents per second (intake and
//!    end-to-end) and the ratio of two replicas to one;
//! 2. load: `BENCH_STREAMS` concurrent streams of `BENCH_STREAM_DOCS`
//!    documents, alternating between the replicas, each followed by a
//!    WatchImport on the *other* replica: documents per second, errors,
//!    files per document (each exactly once, counted in the database), and
//!    the watch delay (from an event's time, stamped by the writing
//!    replica, to its arrival at the watcher on the other) as p50/p99/max
//!    over every event that arrived live;
//! 3. paced: one stream into one replica at `BENCH_PACED_RATE` documents a
//!    second (a portal sending steadily, the machine not saturated),
//!    watched on both: the same watch delays, which is what a dashboard on
//!    another replica than the writer's sees in the usual case.
//!
//! Run with `cargo bench --bench replicas`. Environment: `BENCH_DOCS`
//! (default 20000), `BENCH_STREAMS` (50), `BENCH_STREAM_DOCS` (10000),
//! `BENCH_PACED_DOCS` (10000), `BENCH_PACED_RATE` (500),
//! `FHIR_IMPORT_BENCH_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`).

mod support;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use fhir_import::proto::v1::{
    self as pb, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};
use fhir_import::{Application, Config};
use sea_orm::{ConnectionTrait, Database, Statement};
use tokio::{sync::oneshot, task::JoinHandle};

use support::{bench_token, build_documents, connect, header, is_terminal, Authed, FreshPostgres};

const ISSUER: &str = "http://fhir-import.bench";
const RUN_TIMEOUT: Duration = Duration::from_secs(900);

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("replicas: a benchmark; run it with `cargo bench --bench replicas`");
        return Ok(());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

struct Replica {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Replica {
    /// A replica's application on the shared database, not serving yet.
    async fn build(database_url: &str) -> anyhow::Result<Application> {
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.to_owned(),
            ..Config::default()
        };
        config.auth.issuer = ISSUER.to_owned();
        // One user streams everything here.
        config.import.max_streams_per_user = 0;
        config.import.max_streams_per_client = 0;
        config.import.max_watchers_per_user = 0;
        config.import.max_watchers_per_client = 0;
        Application::build(config).await
    }

    fn serve(app: Application) -> Self {
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Self { addr, stop, task }
    }

    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}

struct Clients {
    imports: ImportServiceClient<Authed>,
    projects: ProjectServiceClient<Authed>,
}

impl Clients {
    async fn of(addr: SocketAddr, token: &str) -> anyhow::Result<Self> {
        let channel = connect(addr, token).await?;
        Ok(Self {
            imports: ImportServiceClient::new(channel.clone()),
            projects: ProjectServiceClient::new(channel),
        })
    }

    async fn project(&self, label: &str) -> anyhow::Result<String> {
        Ok(self
            .projects
            .clone()
            .create_project(pb::CreateProjectRequest {
                name: format!("{label}-{}", uuid::Uuid::now_v7().simple()),
                description: String::new(),
            })
            .await?
            .into_inner()
            .id)
    }
}

async fn run() -> anyhow::Result<()> {
    let docs = support::positive("BENCH_DOCS", 20_000)?;
    let streams = support::positive("BENCH_STREAMS", 50)?;
    let stream_docs = support::positive("BENCH_STREAM_DOCS", 10_000)?;
    let pacing = Pacing {
        docs: support::positive("BENCH_PACED_DOCS", 10_000)?,
        rate: support::positive("BENCH_PACED_RATE", 500)?,
    };
    let db = FreshPostgres::create(&support::postgres_admin_url())
        .await
        .context("this benchmark needs PostgreSQL")?;
    let result = bench(&db.url, docs, streams, stream_docs, pacing).await;
    db.drop_database().await?;
    result
}

async fn bench(
    database_url: &str,
    docs: usize,
    streams: usize,
    stream_docs: usize,
    pacing: Pacing,
) -> anyhow::Result<()> {
    let app_a = Replica::build(database_url).await?;
    let token = bench_token(&app_a, database_url).await?;
    let app_b = Replica::build(database_url).await?;
    let (a, b) = (Replica::serve(app_a), Replica::serve(app_b));
    let on_a = Clients::of(a.addr, &token).await?;
    let on_b = Clients::of(b.addr, &token).await?;
    let result = async {
        let documents = build_documents(docs);
        // Warm-up: connections and caches on both, not timed.
        let warm = documents[..docs.min(1000)].to_vec();
        for clients in [&on_a, &on_b] {
            let project = clients.project("warm-up").await?;
            stream(clients, &project, warm.clone()).await?;
        }

        let one = pair(&[&on_a, &on_a], &documents).await?;
        let two = pair(&[&on_a, &on_b], &documents).await?;
        println!("scale: two streams of {docs} documents (PostgreSQL)");
        println!(
            "{:<34}{:>15}{:>20}",
            "target", "intake docs/s", "end-to-end docs/s"
        );
        println!(
            "{:<34}{:>15.0}{:>20.0}",
            "one replica, two streams", one.0, one.1
        );
        println!(
            "{:<34}{:>15.0}{:>20.0}",
            "two replicas, a stream each", two.0, two.1
        );
        println!(
            "two replicas / one: intake {:.2}x, end-to-end {:.2}x",
            two.0 / one.0,
            two.1 / one.1
        );

        load(database_url, &on_a, &on_b, streams, stream_docs).await?;
        paced(&on_a, &on_b, pacing).await
    }
    .await;
    a.stop().await?;
    b.stop().await?;
    result
}

/// Streams `documents` into each of `targets` at once; returns intake and
/// end-to-end documents per second over all of them.
async fn pair(
    targets: &[&Clients],
    documents: &[pb::ImportDocumentsRequest],
) -> anyhow::Result<(f64, f64)> {
    let mut projects = Vec::new();
    for clients in targets {
        projects.push(clients.project("scale").await?);
    }
    let start = Instant::now();
    let calls: Vec<_> = targets
        .iter()
        .zip(&projects)
        .map(|(clients, project)| {
            let mut imports = clients.imports.clone();
            let messages = std::iter::once(header(project)).chain(documents.to_vec());
            tokio::spawn(async move {
                imports
                    .import_documents(tokio_stream::iter(messages))
                    .await
                    .map(|r| r.into_inner())
            })
        })
        .collect();
    let mut responses = Vec::new();
    for call in calls {
        responses.push(call.await??);
    }
    let intake = start.elapsed();
    for (clients, response) in targets.iter().zip(&responses) {
        finished(clients, &response.import_id).await?;
    }
    let end_to_end = start.elapsed();
    let total = (documents.len() * targets.len()) as f64;
    Ok((
        total / intake.as_secs_f64(),
        total / end_to_end.as_secs_f64(),
    ))
}

async fn stream(
    clients: &Clients,
    project: &str,
    documents: Vec<pb::ImportDocumentsRequest>,
) -> anyhow::Result<pb::Import> {
    let messages = std::iter::once(header(project)).chain(documents);
    let response = clients
        .imports
        .clone()
        .import_documents(tokio_stream::iter(messages))
        .await?
        .into_inner();
    finished(clients, &response.import_id).await
}

async fn finished(clients: &Clients, import_id: &str) -> anyhow::Result<pb::Import> {
    let deadline = Instant::now() + RUN_TIMEOUT;
    loop {
        let import = clients
            .imports
            .clone()
            .get_import(pb::GetImportRequest {
                import_id: import_id.to_owned(),
            })
            .await?
            .into_inner();
        if is_terminal(import.state()) {
            return Ok(import);
        }
        if Instant::now() > deadline {
            bail!("import {import_id} did not finish");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Each live event a watcher got: its sequence, how late it arrived after
/// its time, and when it arrived.
type Arrivals = Vec<(u64, Duration, DateTime<Utc>)>;

async fn watch_delays(
    mut imports: ImportServiceClient<Authed>,
    import_id: String,
) -> anyhow::Result<Arrivals> {
    let watching_since = Utc::now();
    let mut events = imports
        .watch_import(pb::WatchImportRequest {
            import_id,
            after_sequence: 0,
        })
        .await?
        .into_inner();
    let mut delays = Vec::new();
    while let Some(event) = events.message().await? {
        let arrived = Utc::now();
        let Some(time) = event.time else { continue };
        let written =
            DateTime::<Utc>::from_timestamp(time.seconds, u32::try_from(time.nanos).unwrap_or(0));
        // Events written before the watch began are catch-up, not live.
        if let Some(written) = written.filter(|w| *w >= watching_since) {
            let late = (arrived - written).to_std().unwrap_or_default();
            delays.push((event.sequence, late, arrived));
        }
    }
    Ok(delays)
}

async fn load(
    database_url: &str,
    on_a: &Clients,
    on_b: &Clients,
    streams: usize,
    stream_docs: usize,
) -> anyhow::Result<()> {
    let documents = build_documents(stream_docs);
    let mut projects = Vec::new();
    for n in 0..streams {
        let writer = if n % 2 == 0 { on_a } else { on_b };
        projects.push(writer.project("load").await?);
    }
    let start = Instant::now();
    let mut calls = Vec::new();
    for (n, project) in projects.iter().enumerate() {
        let (writer, watcher) = if n % 2 == 0 {
            (on_a, on_b)
        } else {
            (on_b, on_a)
        };
        let mut imports = writer.imports.clone();
        let watcher = watcher.imports.clone();
        let local = writer.imports.clone();
        let lookup = writer.imports.clone();
        let messages = std::iter::once(header(project)).chain(documents.clone());
        let project = project.clone();
        calls.push(tokio::spawn(async move {
            // The watcher starts as soon as the import exists.
            let (tx, rx) = tokio::sync::mpsc::channel(4096);
            let stream = tokio_stream::iter(messages);
            let forward = tokio::spawn(async move {
                use tokio_stream::StreamExt;
                let mut stream = stream;
                while let Some(message) = stream.next().await {
                    if tx.send(message).await.is_err() {
                        break;
                    }
                }
            });
            let call = tokio::spawn(async move {
                imports
                    .import_documents(tokio_stream::wrappers::ReceiverStream::new(rx))
                    .await
                    .map(|r| r.into_inner())
            });
            let import_id = newest_import(lookup, &project).await?;
            let delays = tokio::spawn(watch_delays(watcher, import_id.clone()));
            let local_delays = tokio::spawn(watch_delays(local, import_id));
            let response = call.await??;
            let _ = forward.await;
            let delays = delays.await??;
            let local_delays = local_delays.await??;
            anyhow::Ok((response, delays, local_delays))
        }));
    }
    let mut errors = 0;
    let mut delays = Vec::new();
    let mut local_delays = Vec::new();
    // How much later the other replica's watcher got each event than the
    // writing replica's: what the doorbell between replicas adds.
    let mut extra = Vec::new();
    let mut accepted = 0u64;
    for call in calls {
        match call.await? {
            Ok((response, d, l)) => {
                accepted += response.accepted;
                let local_at: std::collections::HashMap<u64, DateTime<Utc>> =
                    l.iter().map(|(seq, _, at)| (*seq, *at)).collect();
                for (seq, _, at) in &d {
                    if let Some(local) = local_at.get(seq) {
                        extra.push((*at - *local).to_std().unwrap_or_default());
                    }
                }
                delays.extend(d.into_iter().map(|(_, late, _)| late));
                local_delays.extend(l.into_iter().map(|(_, late, _)| late));
            }
            Err(err) => {
                errors += 1;
                eprintln!("a load stream failed: {err:#}");
            }
        }
    }
    let took = start.elapsed();

    let db = Database::connect(database_url).await?;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT count(*) AS files, count(DISTINCT (project_key, document_reference_id)) AS documents FROM files",
        ))
        .await?
        .context("counting files")?;
    let files: i64 = row.try_get("", "files")?;
    let distinct: i64 = row.try_get("", "documents")?;
    let _ = db.close().await;

    println!(
        "load: {streams} streams of {stream_docs} documents over two replicas, each watched on the other"
    );
    println!(
        "  {:.0} docs/s end-to-end ({accepted} accepted in {:.1} s), {errors} failed streams",
        accepted as f64 / took.as_secs_f64(),
        took.as_secs_f64()
    );
    println!(
        "  files in the database: {files} for {distinct} distinct documents (all runs of this benchmark)"
    );
    print_delays(&delays, &local_delays, &extra);
    if files != distinct {
        bail!("{} documents have more than one file", files - distinct);
    }
    Ok(())
}

/// How fast the paced stream sends, and how much.
struct Pacing {
    docs: usize,
    rate: usize,
}

/// One stream into A at `pacing.rate` documents a second, in messages of
/// a twentieth of a second, watched on B and on A.
async fn paced(on_a: &Clients, on_b: &Clients, pacing: Pacing) -> anyhow::Result<()> {
    let project = on_a.project("paced").await?;
    let documents = build_documents(pacing.docs);
    let per_tick = (pacing.rate / 20).max(1);
    let (tx, rx) = tokio::sync::mpsc::channel(4096);
    tx.send(header(&project)).await?;
    let forward = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_millis(50));
        for chunk in documents.chunks(per_tick) {
            ticks.tick().await;
            for message in chunk {
                if tx.send(message.clone()).await.is_err() {
                    return;
                }
            }
        }
    });
    let mut imports = on_a.imports.clone();
    let call = tokio::spawn(async move {
        imports
            .import_documents(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .map(|r| r.into_inner())
    });
    let import_id = newest_import(on_a.imports.clone(), &project).await?;
    let other = tokio::spawn(watch_delays(on_b.imports.clone(), import_id.clone()));
    let local = tokio::spawn(watch_delays(on_a.imports.clone(), import_id));
    let response = call.await??;
    forward.await?;
    let (other, local) = (other.await??, local.await??);
    let local_at: std::collections::HashMap<u64, DateTime<Utc>> =
        local.iter().map(|(seq, _, at)| (*seq, *at)).collect();
    let extra: Vec<Duration> = other
        .iter()
        .filter_map(|(seq, _, at)| {
            local_at
                .get(seq)
                .map(|l| (*at - *l).to_std().unwrap_or_default())
        })
        .collect();
    println!(
        "paced: one stream of {} documents at {} docs/s into one replica, watched on both ({} accepted)",
        pacing.docs, pacing.rate, response.accepted
    );
    let late = |arrivals: Arrivals| -> Vec<Duration> {
        arrivals.into_iter().map(|(_, late, _)| late).collect()
    };
    print_delays(&late(other), &late(local), &extra);
    Ok(())
}

/// Prints p50, p99 and max of each set of watch delays.
fn print_delays(other: &[Duration], local: &[Duration], extra: &[Duration]) {
    for (label, delays) in [
        ("the other replica", other),
        ("the writing replica (baseline)", local),
        (
            "the other replica after the writing one (the doorbell)",
            extra,
        ),
    ] {
        let mut delays = delays.to_vec();
        delays.sort();
        let at = |q: f64| {
            delays
                .get(((delays.len() as f64 * q) as usize).min(delays.len().saturating_sub(1)))
                .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "  watch delay on {label} over {} live events: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            delays.len(),
            at(0.5),
            at(0.99),
            delays.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        );
    }
}

async fn newest_import(
    mut imports: ImportServiceClient<Authed>,
    project: &str,
) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = imports
            .list_imports(pb::ListImportsRequest {
                project: project.to_owned(),
                page_size: 1,
                page_token: String::new(),
            })
            .await?
            .into_inner();
        if let Some(import) = listed.imports.first() {
            return Ok(import.id.clone());
        }
        if Instant::now() > deadline {
            bail!("no import appeared in {project}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
