//! `spawn_app()`: the real server on a free port with a fresh database
//! (SQLite in a temp dir, or a new PostgreSQL database), and typed helpers
//! that make tests read like what a portal does.

pub mod binary;
pub mod browser;
pub mod docs;
pub mod fhir_proxy;
pub mod fhir_server;
pub mod fhir_stub;
pub mod idp;
pub mod logs;
pub mod oauth;
pub mod replicas;

use std::{net::SocketAddr, sync::Once};

use fhir_import::auth::accounts::Accounts;
use fhir_import::auth::bearer::BearerAuth;
use fhir_import::domain::account::SCOPES;
use fhir_import::proto::v1::{
    self as pb, fhir_server_service_client::FhirServerServiceClient,
    file_service_client::FileServiceClient, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};
use fhir_import::{Application, Config};
use sea_orm::{ConnectionTrait, Database};
use tokio::{sync::oneshot, task::JoinHandle};
use tonic::{service::interceptor::InterceptedService, transport::Channel};

/// A channel that sends the harness user's token on every call.
pub type Authed = InterceptedService<Channel, BearerAuth>;

/// The user the typed clients act for: owner of the projects tests create.
pub const HARNESS_USER: &str = "harness";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per store from an `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_stores {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario($crate::common::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario($crate::common::Backend::Postgres).await
            }
        }
    };
}

pub fn postgres_admin_url() -> String {
    std::env::var("FHIR_IMPORT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            fhir_import::telemetry::init("info,fhir_import=debug");
        }
    });
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// `/metrics` on its own address, when the config asked for one.
    pub metrics_addr: Option<SocketAddr>,
    pub backend: Backend,
    pub database_url: String,
    /// The bare channel: no token, no advance-access header.
    pub channel: Channel,
    /// An access token for `HARNESS_USER` with every scope.
    pub token: String,
    /// The client `token` was issued through.
    pub client_id: String,
    pub imports: ImportServiceClient<Authed>,
    pub files: FileServiceClient<Authed>,
    pub projects: ProjectServiceClient<Authed>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    postgres_db: Option<String>,
    _dir: tempfile::TempDir,
}

/// A fresh database for `backend`: its URL, and the PostgreSQL database
/// name to drop afterwards.
pub async fn fresh_database(backend: Backend, dir: &tempfile::TempDir) -> (String, Option<String>) {
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("fhir-import.db").display()),
            None,
        ),
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!("PostgreSQL is expected at {admin_url} but is unreachable: {e}")
            });
            let name = format!("fhir_import_test_{}", uuid::Uuid::now_v7().simple());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let _ = admin.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .unwrap_or(admin_url);
            (format!("{base}/{name}"), Some(name))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, postgres_db) = fresh_database(backend, &dir).await;
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: database_url.clone(),
        database_max_connections: 5,
        ..Config::default()
    };
    tweak(&mut config);
    start(config, backend, dir, postgres_db, None).await
}

/// Creates the harness user and a portal with every scope for it to act
/// through; returns the portal's client id.
async fn register_harness_client(database_url: &str) -> String {
    let store = fhir_import::store::Store::connect(database_url, 1)
        .await
        .expect("open the store");
    let accounts = Accounts::new(store);
    accounts
        .create_user(HARNESS_USER, None)
        .await
        .expect("create the harness user");
    accounts
        .set_admin(HARNESS_USER, true)
        .await
        .expect("make the harness user an admin");
    let scopes: Vec<String> = SCOPES.iter().map(|s| (*s).to_owned()).collect();
    let (client, _secret) = accounts
        .create_client("test harness", HARNESS_USER, &[], &scopes)
        .await
        .expect("create the harness client");
    client.client_id
}

async fn start(
    config: Config,
    backend: Backend,
    dir: tempfile::TempDir,
    postgres_db: Option<String>,
    client_id: Option<String>,
) -> TestApp {
    let database_url = config.database_url.clone();
    let app = Application::build(config).await.expect("build app");
    let client_id = match client_id {
        Some(id) => id,
        None => register_harness_client(&database_url).await,
    };
    let token = app
        .issue_token(HARNESS_USER, &client_id, &[])
        .await
        .expect("issue the harness token");
    let addr = app.local_addr();
    let metrics_addr = app.metrics_addr();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect to the test server");
    let auth = BearerAuth::new(Some(&token)).expect("token fits a header");
    let authed = || InterceptedService::new(channel.clone(), auth.clone());
    TestApp {
        addr,
        metrics_addr,
        backend,
        database_url,
        imports: ImportServiceClient::new(authed()),
        files: FileServiceClient::new(authed()),
        projects: ProjectServiceClient::new(authed()),
        channel: channel.clone(),
        token,
        client_id,
        shutdown: Some(tx),
        server: Some(server),
        postgres_db,
        _dir: dir,
    }
}

impl TestApp {
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A channel to this server whose calls carry `token` and the
    /// advance-access header.
    pub fn channel_with(&self, token: &str) -> Authed {
        InterceptedService::new(
            self.channel.clone(),
            BearerAuth::new(Some(token)).expect("token fits a header"),
        )
    }

    /// Stops the server cleanly and returns the stopped app's database
    /// so that a new server can be started on it.
    pub async fn stop_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }

    /// Starts a new server on the same database (a restart).
    pub async fn restart(mut self) -> TestApp {
        self.stop_server().await;
        let config = Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            database_url: self.database_url.clone(),
            database_max_connections: 5,
            ..Config::default()
        };
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().expect("temp dir"));
        let postgres_db = self.postgres_db.take();
        let client_id = std::mem::take(&mut self.client_id);
        start(config, self.backend, dir, postgres_db, Some(client_id)).await
    }

    /// A second server on the same database, accepting this one's tokens
    /// (the same issuer): another replica. Stopping it leaves the database.
    pub async fn replica(&self) -> TestApp {
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            database_url: self.database_url.clone(),
            database_max_connections: 5,
            ..Config::default()
        };
        config.auth.issuer = self.endpoint();
        let dir = tempfile::tempdir().expect("temp dir");
        start(
            config,
            self.backend,
            dir,
            None,
            Some(self.client_id.clone()),
        )
        .await
    }

    /// Stops the server and drops the PostgreSQL test database.
    pub async fn stop(mut self) {
        self.stop_server().await;
        if let Some(name) = self.postgres_db.take() {
            let admin = Database::connect(&postgres_admin_url())
                .await
                .expect("admin");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop test database");
            let _ = admin.close().await;
        }
    }

    /// A token for `user` through `client_id` with `scopes` (all of the
    /// client's when empty), signed with the server's current key as
    /// `fhir-import admin issue-token` would sign it.
    pub async fn issue_token(&self, user: &str, client_id: &str, scopes: &[String]) -> String {
        use fhir_import::auth::{jwt::TokenIssuer, operator, signing::load_key_ring};
        let store = fhir_import::store::Store::connect(&self.database_url, 1)
            .await
            .expect("store");
        let lifetime = std::time::Duration::from_secs(900);
        let keys = load_key_ring(&store, lifetime).await.expect("keys");
        let issuer = TokenIssuer::new(self.endpoint(), "fhir-import", lifetime);
        let (token, _) = operator::issue_for_user(&store, &keys, &issuer, user, client_id, scopes)
            .await
            .expect("token");
        token
    }

    pub async fn create_project(&self, name: &str) -> pb::Project {
        create_project(&self.projects, name).await
    }

    /// Streams a header and documents; returns the RPC's result.
    pub async fn import(
        &self,
        header: pb::ImportHeader,
        documents: Vec<pb::DocumentInput>,
    ) -> Result<pb::ImportDocumentsResponse, tonic::Status> {
        let messages = std::iter::once(docs::header_message(header))
            .chain(documents.into_iter().map(docs::document_message));
        self.imports
            .clone()
            .import_documents(tokio_stream::iter(messages))
            .await
            .map(|r| r.into_inner())
    }

    /// The project's newest import, if any.
    pub async fn newest_import(&self, project: &str) -> Option<pb::Import> {
        self.imports
            .clone()
            .list_imports(pb::ListImportsRequest {
                project: project.to_owned(),
                page_size: 1,
                page_token: String::new(),
            })
            .await
            .expect("list imports")
            .into_inner()
            .imports
            .into_iter()
            .next()
    }

    /// Waits until the project's newest import has stored `received`
    /// documents, and returns its id.
    pub async fn wait_for_received(&self, project: &str, received: u64) -> String {
        let wait = async {
            loop {
                if let Some(import) = self.newest_import(project).await {
                    if import.counts.is_some_and(|c| c.received >= received) {
                        return import.id;
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), wait)
            .await
            .expect("the documents arrive")
    }

    /// Opens an ImportDocuments stream that stays open until the returned
    /// sender is dropped; the handle yields the call's result.
    pub fn open_import(&self) -> (OpenImport, ImportCall) {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let mut client = self.imports.clone();
        let call = tokio::spawn(async move {
            client
                .import_documents(tokio_stream::wrappers::ReceiverStream::new(rx))
                .await
                .map(|r| r.into_inner())
        });
        (OpenImport { tx }, call)
    }

    /// Follows the import to its end and returns it as GetImport shows it.
    pub async fn wait_until_finished(&self, import_id: &str) -> pb::Import {
        let mut events = self
            .imports
            .clone()
            .watch_import(pb::WatchImportRequest {
                import_id: import_id.to_owned(),
                after_sequence: 0,
            })
            .await
            .expect("watch")
            .into_inner();
        let wait = async { while events.message().await.expect("event").is_some() {} };
        tokio::time::timeout(std::time::Duration::from_secs(120), wait)
            .await
            .expect("the import finishes");
        self.get_import(import_id).await
    }

    pub async fn get_import(&self, import_id: &str) -> pb::Import {
        get_import(&self.imports, import_id).await
    }

    /// Streams `inputs` after `header` and follows the import to its end.
    pub async fn import_and_wait(
        &self,
        header: pb::ImportHeader,
        inputs: Vec<pb::DocumentInput>,
    ) -> pb::Import {
        let response = self.import(header, inputs).await.expect("import");
        self.wait_until_finished(&response.import_id).await
    }

    /// Every item of an import in `states` (any, when empty), read
    /// `page_size` at a time.
    pub async fn all_items(
        &self,
        import_id: &str,
        states: &[pb::ItemState],
        page_size: u32,
    ) -> Vec<pb::ImportItem> {
        let mut items = Vec::new();
        let mut page_token = String::new();
        loop {
            let page = self
                .imports
                .clone()
                .list_import_items(pb::ListImportItemsRequest {
                    import_id: import_id.to_owned(),
                    states: states.iter().map(|s| *s as i32).collect(),
                    page_size,
                    page_token,
                })
                .await
                .expect("items")
                .into_inner();
            items.extend(page.items);
            if page.next_page_token.is_empty() {
                return items;
            }
            page_token = page.next_page_token;
        }
    }

    /// Every file of a project matching the filters, across all pages.
    pub async fn all_files(&self, project: &str, filters: &[(&str, &str)]) -> Vec<pb::File> {
        all_files(&self.files, project, filters).await
    }
}

pub type ImportCall = JoinHandle<Result<pb::ImportDocumentsResponse, tonic::Status>>;

/// The sending side of an open ImportDocuments stream.
pub struct OpenImport {
    tx: tokio::sync::mpsc::Sender<pb::ImportDocumentsRequest>,
}

impl OpenImport {
    pub async fn header(&self, header: pb::ImportHeader) {
        self.tx
            .send(docs::header_message(header))
            .await
            .expect("send header");
    }

    pub async fn documents(&self, documents: Vec<pb::DocumentInput>) {
        for document in documents {
            // Sending fails once the server has answered (cancelled import).
            if self
                .tx
                .send(docs::document_message(document))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// Registers a FHIR server as the harness user (an admin), with a pinned
/// schema when `schema` is not empty, open to the harness user's projects.
pub async fn register_fhir_server(app: &TestApp, id: &str, base_url: &str, schema: &str) {
    let channel = app.channel_with(&app.token);
    FhirServerServiceClient::new(channel)
        .register_fhir_server(pb::RegisterFhirServerRequest {
            id: id.into(),
            base_url: base_url.into(),
            schema: schema.into(),
            allowed_projects: vec![format!("{HARNESS_USER}/*")],
            // Test servers listen on loopback.
            allow_private_addresses: true,
            ..Default::default()
        })
        .await
        .expect("register the FHIR server");
}

pub fn header(project: &str) -> pb::ImportHeader {
    pb::ImportHeader {
        project: project.to_owned(),
        ..Default::default()
    }
}

/// A data set served by sekmet behind a counting, recording proxy: what
/// tests that bound the service's requests talk to.
pub struct ProxiedStudy {
    pub proxy: String,
    pub counts: fhir_proxy::Counts,
    pub log: fhir_proxy::Log,
    _sekmet: fhir_server::SekmetServer,
}

impl ProxiedStudy {
    pub async fn start(data: &fhir_import::dataset::Dataset) -> Self {
        let sekmet = fhir_server::SekmetServer::start(Some(data)).await;
        let (proxy, counts, log) = fhir_proxy::recording_proxy(sekmet.base_url().to_owned()).await;
        Self {
            proxy,
            counts,
            log,
            _sekmet: sekmet,
        }
    }

    /// Registers the proxy with `app` as `kf` (pinned to the NCPI schema)
    /// and forgets the requests registering made.
    pub async fn register(&self, app: &TestApp) {
        register_fhir_server(app, "kf", &self.proxy, "ncpi-kids-first").await;
        self.counts.lock().expect("lock").clear();
        self.log.lock().expect("lock").clear();
    }
}

/// The header of an import whose documents come from `fhir_server`.
pub fn header_from(project: &str, fhir_server: &str) -> pb::ImportHeader {
    pb::ImportHeader {
        fhir_server: fhir_server.into(),
        ..header(project)
    }
}

/// A loopback FHIR base URL where nothing listens.
pub fn nowhere() -> String {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/fhir", free.local_addr().expect("addr"));
    drop(free);
    url
}

/// Creates a project as the caller of `projects`.
pub async fn create_project(projects: &ProjectServiceClient<Authed>, name: &str) -> pb::Project {
    projects
        .clone()
        .create_project(pb::CreateProjectRequest {
            name: name.to_owned(),
            description: String::new(),
        })
        .await
        .expect("create project")
        .into_inner()
}

pub async fn get_import(imports: &ImportServiceClient<Authed>, import_id: &str) -> pb::Import {
    imports
        .clone()
        .get_import(pb::GetImportRequest {
            import_id: import_id.to_owned(),
        })
        .await
        .expect("get import")
        .into_inner()
}

/// Every file of a project matching the filters, across all pages.
pub async fn all_files(
    files: &FileServiceClient<Authed>,
    project: &str,
    filters: &[(&str, &str)],
) -> Vec<pb::File> {
    let request = pb::ListFilesRequest {
        project: project.to_owned(),
        filters: filters
            .iter()
            .map(|(k, v)| pb::MetadataFilter {
                key: (*k).to_owned(),
                value: (*v).to_owned(),
            })
            .collect(),
        page_size: 1000,
        ..Default::default()
    };
    every_page_of_files(files, request).await
}

/// Every file `request` lists, following its pages.
pub async fn every_page_of_files(
    files: &FileServiceClient<Authed>,
    mut request: pb::ListFilesRequest,
) -> Vec<pb::File> {
    let mut found = Vec::new();
    loop {
        let page = files
            .clone()
            .list_files(request.clone())
            .await
            .expect("list files")
            .into_inner();
        found.extend(page.files);
        if page.next_page_token.is_empty() {
            return found;
        }
        request.page_token = page.next_page_token;
    }
}
