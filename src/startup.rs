//! Building and running the server: `Application::build` connects the store
//! and binds the listener (port 0 works); `run_until` serves until the
//! shutdown future resolves, then stops cleanly.

use std::{
    future::{Future, IntoFuture},
    net::SocketAddr,
    sync::Arc,
    time::Duration,
};

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tracing::{info, warn};

use crate::api::{FhirServerApi, FileApi, ImportApi, ProjectApi, SchemaApi};
use crate::auth::accounts::Accounts;
use crate::auth::{
    external::ExternalIssuers,
    jwt::{TokenIssuer, TokenVerifier},
    layer::{AuthLayer, Gate},
    oauth::{self, TokenService},
    operator,
    signing::LiveKeys,
    Caller,
};
use crate::config::Config;
use crate::import::admission::Caps;
use crate::import::{
    ImportLimits, Imports, LeaseKeeper, Notifier, Processor, ScrapingStage, Shutdown, Stages,
    Troubles, Watchdog,
};
use crate::proto::v1::{
    fhir_server_service_server::FhirServerServiceServer, file_service_server::FileServiceServer,
    import_service_server::ImportServiceServer, project_service_server::ProjectServiceServer,
    schema_service_server::SchemaServiceServer,
};
use crate::proto::FILE_DESCRIPTOR_SET;
use crate::services::fhir_servers::FhirServers;
use crate::services::files::Files;
use crate::services::projects::Projects;
use crate::services::schemas::Schemas;
use crate::store::{ProcessLock, Store};
use crate::telemetry::redact_url;

pub struct Application {
    config: Config,
    /// SQLite: this process's claim on the database file.
    process_lock: Option<ProcessLock>,
    listener: TcpListener,
    local_addr: SocketAddr,
    /// `[telemetry] metrics_listen`: `/metrics` on an address of its own.
    metrics_listener: Option<TcpListener>,
    store: Store,
    keys: Arc<LiveKeys>,
    issuer_url: String,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // Before the store is opened (and migrated): a second server on
        // the same SQLite file stops here.
        let process_lock = ProcessLock::acquire(&config.database_url)?;
        let store = Store::connect(&config.database_url, config.database_max_connections)
            .await
            .with_context(|| format!("opening {}", redact_url(&config.database_url)))?
            .with_lease_ttl(Duration::from_millis(config.import.lease_ms.max(300)));
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let local_addr = listener.local_addr()?;
        let metrics_listener = match config.telemetry.metrics_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .with_context(|| format!("binding telemetry.metrics_listen {address}"))?,
            ),
            None => None,
        };
        // The recorder, before anything counts.
        crate::metrics::handle();
        let keys = LiveKeys::load(
            store.clone(),
            Duration::from_secs(config.auth.token_lifetime_secs),
        )
        .await
        .context("loading the token signing keys")?;
        let issuer_url = config.auth.issuer_url(local_addr);
        // Loaded now rather than on the first import's first document.
        crate::domain::r4::definitions();
        Ok(Self {
            config,
            process_lock,
            listener,
            local_addr,
            metrics_listener,
            store,
            keys: Arc::new(keys),
            issuer_url,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Where `/metrics` is served when `[telemetry] metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// The `iss` of the tokens this server issues.
    pub fn issuer_url(&self) -> &str {
        &self.issuer_url
    }

    /// A token for `username` through `client_id`, as `fhir-import admin
    /// issue-token` would print it for this server.
    pub async fn issue_token(
        &self,
        username: &str,
        client_id: &str,
        scopes: &[String],
    ) -> Result<String, crate::auth::accounts::AccountError> {
        let issuer = TokenIssuer::new(
            self.issuer_url.clone(),
            self.config.auth.audience.clone(),
            Duration::from_secs(self.config.auth.token_lifetime_secs),
        );
        let (token, _) = operator::issue_for_user(
            &self.store,
            &self.keys.current(),
            &issuer,
            username,
            client_id,
            scopes,
        )
        .await?;
        Ok(token)
    }

    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let Self {
            config,
            process_lock,
            listener,
            local_addr,
            metrics_listener,
            store,
            keys,
            issuer_url,
        } = self;
        let shutdown_steps = Shutdown::default();
        let stopping = shutdown_steps.stopping.clone();
        // The doorbell outlives the stages: a drained replica's last ring
        // says its leases are free.
        let bell_stop = CancellationToken::new();
        let leases_released = Arc::new(tokio::sync::Notify::new());
        let (notifier, ringer) =
            Notifier::connected(&store, leases_released.clone(), bell_stop.clone()).await;
        let schemas = Schemas::new(store.clone());
        let fhir_servers = FhirServers::new(
            store.clone(),
            Arc::new(schemas.clone()),
            config.scrape.recent,
        );
        fhir_servers
            .load_configured(&config.fhir_servers)
            .await
            .context("registering the FHIR servers of the configuration")?;
        fhir_servers.spawn_refresh(
            Duration::from_secs(config.scrape.capability_refresh_secs),
            stopping.clone(),
        );
        let troubles = Troubles::default();
        let (scraper, scrape_worker) = ScrapingStage::start(
            store.clone(),
            fhir_servers.clone(),
            notifier.clone(),
            troubles.clone(),
            &config.scrape,
            stopping.clone(),
        );
        let (processor, worker) = Processor::start(
            store.clone(),
            notifier.clone(),
            scraper.clone(),
            troubles.clone(),
            config.import.document_policy().for_stored(),
            stopping.clone(),
        );
        let leases = LeaseKeeper {
            store: store.clone(),
            notifier: notifier.clone(),
            processor: processor.clone(),
            scraper: scraper.clone(),
            troubles: troubles.clone(),
            sole_replica: process_lock.is_some(),
        };
        let resumed = leases.take_over_all().await?;
        if resumed > 0 {
            info!(resumed, "resuming unfinished imports");
        }
        let lease_keeper = leases.spawn(leases_released, stopping.clone());
        Watchdog {
            store: store.clone(),
            notifier: notifier.clone(),
            processor: processor.clone(),
            scraper: scraper.clone(),
            troubles: troubles.clone(),
            stall_after: Duration::from_secs(config.import.stall_after_secs),
        }
        .spawn(stopping.clone());

        let limits = ImportLimits {
            document: config.import.document_policy(),
            batch_size: config.import.batch_size,
            batch_bytes: config.import.batch_bytes,
            batch_linger: Duration::from_millis(config.import.batch_linger_ms),
            caps: Caps::from(&config.import),
            ..ImportLimits::default()
        };
        let projects = Projects::new(store.clone());
        let imports = Imports::new(
            store.clone(),
            projects.clone(),
            Stages {
                notifier: notifier.clone(),
                processor,
                scraper,
                servers: fhir_servers.clone(),
            },
            limits,
            shutdown_steps.clone(),
        );
        let files = Files::new(store.clone(), projects.clone());
        let token_lifetime = Duration::from_secs(config.auth.token_lifetime_secs);
        let verifier = Arc::new(TokenVerifier::new(
            issuer_url.clone(),
            config.auth.audience.clone(),
        ));
        let external = Arc::new(
            ExternalIssuers::new(&config.auth.external_issuers)
                .context("building the identity providers' HTTP client")?,
        );
        external.spawn_refresh(stopping.clone());
        keys.spawn_reload(stopping.clone());
        let oauth_http = oauth::router(TokenService {
            accounts: Accounts::new(store.clone()),
            store: store.clone(),
            keys: keys.clone(),
            issuer: Arc::new(TokenIssuer::new(
                issuer_url.clone(),
                config.auth.audience.clone(),
                token_lifetime,
            )),
            verifier: verifier.clone(),
            issuer_url: issuer_url.clone(),
            external: external.clone(),
            throttles: Arc::default(),
            signup_open: config.auth.signup,
        });
        let gate = match config.auth.require_tokens {
            true => Gate::Tokens {
                store: store.clone(),
                keys,
                verifier,
                external,
            },
            false => Gate::Local(Caller::local(config.auth.local_user.clone())),
        };
        let gate = Arc::new(gate);
        let ops = crate::ops::Ops {
            store: store.clone(),
            fhir_servers: fhir_servers.clone(),
            gate: gate.clone(),
            store_down: troubles.watch_store(),
            stopping: stopping.clone(),
        };
        let oauth_http = oauth_http
            .merge(crate::ops::router(ops.clone(), metrics_listener.is_some()))
            .merge(crate::dashboard::router(
                issuer_url,
                config.web.ui_dir.clone(),
            ));
        let max_message = config.import.max_message_bytes;
        let grace = Duration::from_millis(config.shutdown_grace_ms);

        let (health, health_service) = tonic_health::server::health_reporter();
        // Each stage's worker has a health entry of its own: SERVING while it
        // runs, NOT_SERVING once it stopped (on shutdown, or if it died).
        let worker =
            report_stage(health.clone(), PROCESSING_HEALTH, worker, stopping.clone()).await;
        let scrape_worker = report_stage(
            health.clone(),
            SCRAPING_HEALTH,
            scrape_worker,
            stopping.clone(),
        )
        .await;
        health.set_serving::<ImportServiceServer<ImportApi>>().await;
        health.set_serving::<FileServiceServer<FileApi>>().await;
        health
            .set_serving::<ProjectServiceServer<ProjectApi>>()
            .await;
        health.set_serving::<SchemaServiceServer<SchemaApi>>().await;
        health
            .set_serving::<FhirServerServiceServer<FhirServerApi>>()
            .await;
        spawn_store_health(health.clone(), troubles.watch_store(), stopping.clone());
        crate::import::retention::spawn_pruning(
            store.clone(),
            Duration::from_secs(config.import.event_retention_hours * 3600),
            stopping.clone(),
        );
        crate::auth::purge::spawn_purge(
            store.clone(),
            Duration::from_secs(config.auth.purge_interval_secs),
            stopping.clone(),
        );
        let reflection_v1 = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        let reflection_v1alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1alpha()?;

        // HTTP/1.1 too: the OAuth endpoints and gRPC-Web share the port with
        // gRPC. CORS answers preflights first; gRPC-Web is translated before
        // the gate, so its refusals reach the page as gRPC-Web answers.
        let router = tonic::transport::Server::builder()
            .accept_http1(true)
            .layer(
                tower_http::trace::TraceLayer::new_for_grpc()
                    .make_span_with(crate::telemetry::request_span),
            )
            .layer(crate::web::cors_layer(&config.web))
            .layer(crate::web::GrpcWebOnly)
            .layer(AuthLayer::new(gate))
            .add_routes(Routes::from(oauth_http))
            .add_service(health_service)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha)
            .add_service(
                ImportServiceServer::new(ImportApi::new(imports.clone()))
                    .max_decoding_message_size(max_message),
            )
            .add_service(FileServiceServer::new(FileApi::new(files)))
            .add_service(ProjectServiceServer::new(ProjectApi::new(projects)))
            .add_service(SchemaServiceServer::new(SchemaApi::new(schemas)))
            .add_service(FhirServerServiceServer::new(FhirServerApi::new(
                fhir_servers,
            )));

        info!(address = %local_addr, store = store.backend_name(), "fhir-import listening");
        // The server stops after the stages: see the linger below.
        let server_stop = CancellationToken::new();
        let drain = server_stop.clone();
        if let Some(listener) = metrics_listener {
            let stop = server_stop.clone();
            info!(address = ?listener.local_addr().ok(), "metrics listening");
            tokio::spawn(
                axum::serve(listener, crate::ops::metrics_router(ops))
                    .with_graceful_shutdown(async move { stop.cancelled().await })
                    .into_future(),
            );
        }
        let mut server = tokio::spawn(
            router.serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
                drain.cancelled().await
            }),
        );

        shutdown.await;
        info!("shutting down: reporting NOT_SERVING, then draining calls");
        health
            .set_not_serving::<ImportServiceServer<ImportApi>>()
            .await;
        health.set_not_serving::<FileServiceServer<FileApi>>().await;
        health
            .set_not_serving::<FhirServerServiceServer<FhirServerApi>>()
            .await;
        health
            .set_not_serving::<ProjectServiceServer<ProjectApi>>()
            .await;
        health
            .set_not_serving::<SchemaServiceServer<SchemaApi>>()
            .await;
        // Open streams may finish within the grace period; new ones are
        // turned away (UNAVAILABLE), so that their clients go elsewhere.
        shutdown_steps.draining.cancel();
        let cut = tokio::time::timeout(grace, imports.streams_ended())
            .await
            .is_err();
        if cut {
            warn!("import streams still open after the grace period are cut");
        }
        stopping.cancel();
        if cut {
            // Cut streams end their intake and answer UNAVAILABLE ("shutting
            // down") before the server stops: stopped first, it dropped them
            // half-way and closed the store under them ("storage is
            // unavailable"). Their clients may still be sending; closing a
            // connection with its bytes unread resets it, which can destroy
            // the answer on its way, so the connections stay up a moment
            // longer, until the clients have the answer and stop sending.
            // Their last batch is being written: that gets its time even
            // when the grace period is short (a loaded store is slow), or
            // the store would close under it.
            let _ = tokio::time::timeout(grace.max(CUT_STREAMS_END), imports.streams_ended()).await;
            tokio::time::sleep(CUT_STREAMS_LINGER).await;
        }
        server_stop.cancel();
        match tokio::time::timeout(grace, &mut server).await {
            Ok(result) => result??,
            Err(_) => {
                // Long-lived calls (a health Watch, say) would hold the
                // server open for ever.
                warn!("calls still running after the grace period were cut");
                server.abort();
            }
        }
        if tokio::time::timeout(grace, worker).await.is_err() {
            warn!("the processing worker did not stop in time");
        }
        if tokio::time::timeout(grace, scrape_worker).await.is_err() {
            warn!("the metadata worker did not stop in time");
        }
        let _ = lease_keeper.await;
        // Handed back rather than left to expire: the other replicas take
        // these imports over at once.
        match store.release_leases().await {
            Ok(0) => {}
            Ok(released) => {
                info!(released, "handed the leases of unfinished imports back");
                notifier.leases_released();
            }
            Err(err) => warn!(error = %err, "could not hand the leases back; they expire"),
        }
        bell_stop.cancel();
        if let Some(ringer) = ringer {
            let _ = tokio::time::timeout(Duration::from_secs(2), ringer).await;
        }
        store.close().await;
        drop(process_lock);
        info!("stopped");
        Ok(())
    }
}

/// How long connections stay up after open streams were cut, for their
/// UNAVAILABLE to reach clients that were still sending.
const CUT_STREAMS_LINGER: Duration = Duration::from_millis(300);

/// The health entries of the stages' workers (`grpc.health.v1` names).
pub const PROCESSING_HEALTH: &str = "fhir_import.stage.processing";
pub const SCRAPING_HEALTH: &str = "fhir_import.stage.scraping";

/// Reports `worker` SERVING under `name` now, and NOT_SERVING when its task
/// ends, with a warning unless the server is stopping; the handle returned
/// ends with it.
async fn report_stage(
    health: tonic_health::server::HealthReporter,
    name: &'static str,
    worker: tokio::task::JoinHandle<()>,
    stopping: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    use tonic_health::ServingStatus;
    health
        .set_service_status(name, ServingStatus::Serving)
        .await;
    tokio::spawn(async move {
        let ended = worker.await;
        if !stopping.is_cancelled() {
            warn!(
                stage = name,
                died = ended.is_err(),
                "a stage's worker stopped: NOT_SERVING"
            );
        }
        health
            .set_service_status(name, ServingStatus::NotServing)
            .await;
    })
}

/// The least time cut streams get to write their last batch and answer.
const CUT_STREAMS_END: Duration = Duration::from_secs(5);

/// Imports cannot move while the store is unreachable: health says so for
/// the server as a whole and for ImportService, until the stages reach the
/// store again. Shutdown's NOT_SERVING is left alone.
fn spawn_store_health(
    health: tonic_health::server::HealthReporter,
    mut store_down: tokio::sync::watch::Receiver<Option<String>>,
    stopping: CancellationToken,
) {
    use tonic::server::NamedService;
    use tonic_health::ServingStatus;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopping.cancelled() => return,
                changed = store_down.changed() => if changed.is_err() { return },
            }
            let down = store_down.borrow_and_update().clone();
            if stopping.is_cancelled() {
                return;
            }
            let status = match &down {
                Some(reason) => {
                    warn!(%reason, "reporting NOT_SERVING until the store is back");
                    ServingStatus::NotServing
                }
                None => {
                    info!("the store is reachable again: SERVING");
                    ServingStatus::Serving
                }
            };
            for service in ["", <ImportServiceServer<ImportApi> as NamedService>::NAME] {
                health.set_service_status(service, status).await;
            }
        }
    });
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this
/// is called, not when the future is first polled: a SIGTERM that arrives
/// just after the server said it listens still drains it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let received = |listener: Option<tokio::signal::unix::Signal>| async move {
                match listener {
                    Some(mut listener) => {
                        listener.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = received(interrupt) => {},
                _ = received(terminate) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_health::pb::{
        health_check_response::ServingStatus, health_server::Health, HealthCheckRequest,
    };
    use tonic_health::server::HealthService;

    async fn status(service: &HealthService, name: &str) -> ServingStatus {
        let request = tonic::Request::new(HealthCheckRequest {
            service: name.to_owned(),
        });
        service
            .check(request)
            .await
            .expect("a known entry")
            .into_inner()
            .status()
    }

    /// A stage's worker that dies (a panic, say) while the server runs
    /// turns its health entry NOT_SERVING, so a load balancer or an
    /// operator's probe sees that imports would not move.
    #[tokio::test]
    async fn a_stage_worker_that_dies_turns_its_entry_not_serving() {
        let (reporter, _) = tonic_health::server::health_reporter();
        let service = HealthService::from_health_reporter(reporter.clone());
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(async move {
            let _ = released.await;
            panic!("the worker died");
        });
        let watched = report_stage(
            reporter,
            PROCESSING_HEALTH,
            worker,
            CancellationToken::new(),
        )
        .await;
        assert_eq!(
            status(&service, PROCESSING_HEALTH).await,
            ServingStatus::Serving
        );
        release.send(()).expect("the worker waits");
        watched.await.expect("the reporter ends with the worker");
        assert_eq!(
            status(&service, PROCESSING_HEALTH).await,
            ServingStatus::NotServing
        );
    }
}
