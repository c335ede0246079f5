//! Several `fhir-import serve` processes on one PostgreSQL database, as an
//! operator runs them behind a load balancer: the same issuer, their own
//! ports, started, stopped with SIGTERM and killed with -9 like any process.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use fhir_import::auth::bearer::BearerAuth;
use fhir_import::proto::v1::{
    self as pb, fhir_server_service_client::FhirServerServiceClient,
    file_service_client::FileServiceClient, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};
use sea_orm::{ConnectionTrait, Database};
use tonic::{service::interceptor::InterceptedService, transport::Channel};

use super::{binary::BIN, fresh_database, postgres_admin_url, Authed, Backend, HARNESS_USER};

/// Every replica issues and accepts tokens under this name.
const ISSUER: &str = "http://fhir-import.replicas.test";

pub struct Cluster {
    pub database_url: String,
    database: String,
    pub token: String,
    lease_ms: u64,
    grace_ms: u64,
    /// More configuration (`FHIR_IMPORT__…` variables) for every replica.
    pub env: Vec<(String, String)>,
    started: usize,
    dir: tempfile::TempDir,
}

/// One `serve` process.
pub struct Replica {
    child: Child,
    pub name: String,
    pub addr: String,
    log: PathBuf,
}

/// Typed clients of one replica, acting as the harness user.
#[derive(Clone)]
pub struct Clients {
    pub imports: ImportServiceClient<Authed>,
    pub projects: ProjectServiceClient<Authed>,
    pub files: FileServiceClient<Authed>,
    pub fhir_servers: FhirServerServiceClient<Authed>,
}

impl Cluster {
    /// A fresh database with the harness user, its portal and a token;
    /// replicas hold leases for `lease_ms` and drain for `grace_ms`.
    pub async fn new(lease_ms: u64, grace_ms: u64) -> Cluster {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, database) = fresh_database(Backend::Postgres, &dir).await;
        let client_id = super::register_harness_client(&database_url).await;
        let token = issue_token(&database_url, &client_id).await;
        Cluster {
            database_url,
            database: database.expect("a PostgreSQL database"),
            token,
            lease_ms,
            grace_ms,
            env: Vec::new(),
            started: 0,
            dir,
        }
    }

    /// Starts one more replica and waits until it listens.
    pub fn start(&mut self) -> Replica {
        self.started += 1;
        let name = format!("replica-{}", self.started);
        let log = self.dir.path().join(format!("{name}.log"));
        let stderr = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(BIN)
            .arg("serve")
            .current_dir(self.dir.path())
            .env("FHIR_IMPORT__LISTEN", "127.0.0.1:0")
            .env("FHIR_IMPORT__DATABASE_URL", &self.database_url)
            .env("FHIR_IMPORT__DATABASE_MAX_CONNECTIONS", "8")
            .env("FHIR_IMPORT__AUTH__ISSUER", ISSUER)
            .env("FHIR_IMPORT__IMPORT__LEASE_MS", self.lease_ms.to_string())
            .env("FHIR_IMPORT__SHUTDOWN_GRACE_MS", self.grace_ms.to_string())
            .env("RUST_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start fhir-import serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        let first = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "{name} did not start: {first:?}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_owned();
        Replica {
            child,
            name,
            addr,
            log,
        }
    }

    pub async fn clients(&self, replica: &Replica) -> Clients {
        clients_of(&replica.addr, &self.token).await
    }

    /// Drops the database (replicas must have stopped).
    pub async fn remove(self) {
        let admin = Database::connect(&postgres_admin_url())
            .await
            .expect("admin");
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.database
            ))
            .await
            .expect("drop test database");
        let _ = admin.close().await;
    }
}

/// Clients of the replica at `addr`.
pub async fn clients_of(addr: &str, token: &str) -> Clients {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect to the replica");
    let auth = BearerAuth::new(Some(token)).expect("token fits a header");
    let authed = || InterceptedService::new(channel.clone(), auth.clone());
    Clients {
        imports: ImportServiceClient::new(authed()),
        projects: ProjectServiceClient::new(authed()),
        files: FileServiceClient::new(authed()),
        fhir_servers: FhirServerServiceClient::new(authed()),
    }
}

async fn issue_token(database_url: &str, client_id: &str) -> String {
    use fhir_import::auth::{jwt::TokenIssuer, operator, signing::load_key_ring};
    let store = fhir_import::store::Store::connect(database_url, 1)
        .await
        .expect("store");
    let lifetime = Duration::from_secs(900);
    let keys = load_key_ring(&store, lifetime).await.expect("keys");
    let issuer = TokenIssuer::new(ISSUER.to_owned(), "fhir-import", lifetime);
    let (token, _) = operator::issue_for_user(&store, &keys, &issuer, HARNESS_USER, client_id, &[])
        .await
        .expect("token");
    store.close().await;
    token
}

impl Replica {
    /// SIGTERM, then waits for the process to end; true when it exited 0.
    pub fn terminate(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().is_ok_and(|status| status.success())
    }

    /// SIGSTOP or SIGCONT: a replica that stops running for a while (a
    /// long pause, a starved host) and comes back.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill {signal}");
    }

    /// kill -9: no drain, no goodbye.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the replica logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Clients {
    pub async fn create_project(&self, name: &str) -> pb::Project {
        super::create_project(&self.projects, name).await
    }

    pub async fn get_import(&self, import_id: &str) -> pb::Import {
        super::get_import(&self.imports, import_id).await
    }

    /// The project's imports, newest first (one page).
    pub async fn imports_of(&self, project: &str) -> Vec<pb::Import> {
        self.imports
            .clone()
            .list_imports(pb::ListImportsRequest {
                project: project.to_owned(),
                page_size: 100,
                page_token: String::new(),
            })
            .await
            .expect("list imports")
            .into_inner()
            .imports
    }

    /// Polls until the import has finished; `None` if it did not within
    /// `limit`.
    pub async fn finished(&self, import_id: &str, limit: Duration) -> Option<pb::Import> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let import = self.get_import(import_id).await;
            let terminal = !matches!(
                import.state(),
                pb::ImportState::Receiving | pb::ImportState::Processing
            );
            if terminal {
                return Some(import);
            }
            if tokio::time::Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every file of the project, across all pages.
    pub async fn all_files(&self, project: &str) -> Vec<pb::File> {
        super::all_files(&self.files, project, &[]).await
    }
}
