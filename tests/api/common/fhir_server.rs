//! The real FHIR server the client is tested against: sekmet-fhir (pinned in
//! scripts/fhir-server.sh), one process per test on a free loopback port,
//! with an in-memory database, optionally loaded with a synthetic data set.
//! No Python means the tests fail, loudly: they do not skip.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use fhir_import::dataset::Dataset;
use serde_json::Value;

const STARTUP: Duration = Duration::from_secs(60);
/// The static bearer token the harness loads data with when the server
/// requires authentication.
const LOADER_TOKEN: &str = "harness-loader";

/// A SMART Backend Services client the server is to trust.
pub struct SmartClient {
    pub client_id: String,
    pub public_key_pem: String,
    /// e.g. `system/*.read`
    pub scopes: String,
}

pub struct SekmetServer {
    child: Child,
    base_url: String,
    dir: tempfile::TempDir,
}

impl SekmetServer {
    /// Starts a server and, if given, loads `dataset` into it as one
    /// transaction.
    pub async fn start(dataset: Option<&Dataset>) -> SekmetServer {
        Self::start_with(dataset, None).await
    }

    /// Starts a server that demands SMART Backend Services tokens, which
    /// only `client` can get (from [`Self::token_url`]).
    pub async fn start_smart(dataset: Option<&Dataset>, client: &SmartClient) -> SekmetServer {
        Self::start_with(dataset, Some(client)).await
    }

    async fn start_with(dataset: Option<&Dataset>, smart: Option<&SmartClient>) -> SekmetServer {
        // The port is free when we look; another process can take it before
        // sekmet binds, so a failed start is retried on a new port.
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::try_start(smart).await {
                Ok(server) => {
                    if let Some(dataset) = dataset {
                        server.load(dataset).await;
                    }
                    return server;
                }
                Err(why) => failures.push(why),
            }
        }
        panic!("sekmet did not start:\n{}", failures.join("\n---\n"));
    }

    /// The FHIR base, e.g. `http://127.0.0.1:41234/fhir`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The OAuth token endpoint (sekmet serves it beside `/fhir`).
    pub fn token_url(&self) -> String {
        let root = self.base_url.trim_end_matches("/fhir");
        format!("{root}/auth/token")
    }

    async fn try_start(smart: Option<&SmartClient>) -> Result<SekmetServer, String> {
        let sekmet = sekmet_binary();
        let port = free_port();
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let base_url = format!("http://127.0.0.1:{port}/fhir");
        let mut settings = format!(
            "base_url: {base_url}\nhost: 127.0.0.1\nport: {port}\n\
             data_dir: {}\ndb_path: \":memory:\"\nlog_inbound: false\n",
            dir.path().join("data").display()
        );
        if let Some(client) = smart {
            let key = dir.path().join("client-public.pem");
            std::fs::write(&key, &client.public_key_pem).map_err(|e| e.to_string())?;
            settings.push_str(&format!(
                "server_auth:\n  types: [smart, bearer]\n  tokens: [{LOADER_TOKEN}]\n  \
                 smart_clients:\n    - client_id: {}\n      public_key_path: {}\n      \
                 scopes: \"{}\"\n",
                client.client_id,
                key.display(),
                client.scopes
            ));
        }
        let config = dir.path().join("settings.yaml");
        std::fs::write(&config, settings).map_err(|e| e.to_string())?;
        let log =
            std::fs::File::create(dir.path().join("sekmet.log")).map_err(|e| e.to_string())?;
        let child = Command::new(sekmet)
            .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--config")
            .arg(&config)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", sekmet.display()))?;
        let mut server = SekmetServer {
            child,
            base_url,
            dir,
        };
        server.wait_until_ready().await?;
        Ok(server)
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::new();
        let metadata = format!("{}/metadata", self.base_url);
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("sekmet exited with {status}:\n{}", self.log()));
            }
            let answer = http
                .get(&metadata)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "{metadata} did not answer within {STARTUP:?}:\n{}",
            self.log()
        ))
    }

    async fn load(&self, dataset: &Dataset) {
        let response = reqwest::Client::new()
            .post(&self.base_url)
            .header("Content-Type", "application/fhir+json")
            .bearer_auth(LOADER_TOKEN)
            .body(dataset.transaction_bundle().to_string())
            .send()
            .await
            .expect("POST the data set's transaction bundle");
        let status = response.status();
        let body: Value = response.json().await.expect("a transaction response");
        assert!(status.is_success(), "loading the data set: {status} {body}");
        let entries = body["entry"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(entries, dataset.resources().count(), "{body}");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sekmet.log")).unwrap_or_default()
    }
}

impl Drop for SekmetServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `sekmet` executable: `FHIR_IMPORT_TEST_SEKMET`, or the pinned one
/// scripts/fhir-server.sh installs. Looked up once per test binary; the
/// script runs under a file lock so parallel test binaries do not race.
fn sekmet_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("FHIR_IMPORT_TEST_SEKMET") {
            return PathBuf::from(path);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::create_dir_all(root.join("target")).expect("create target/");
        let output = Command::new("flock")
            .arg(root.join("target/sekmet-venv.lock"))
            .arg("bash")
            .arg(root.join("scripts/fhir-server.sh"))
            .current_dir(root)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `flock … scripts/fhir-server.sh` (needs util-linux flock and bash): {e}")
            });
        assert!(
            output.status.success(),
            "scripts/fhir-server.sh failed, so the FHIR client tests cannot run. They need \
             python3 with venv and pip, and access to PyPI (or FHIR_IMPORT_TEST_SEKMET set to \
             a sekmet executable).\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        PathBuf::from(path)
    })
}

/// A free loopback port below the kernel's ephemeral range. Every other
/// listener in the tests binds port 0 and so takes an ephemeral port: a
/// port from the ephemeral range, free when we look, could be handed to one
/// of them (a test proxy, once) before sekmet binds it, and then that
/// listener answered as if it were sekmet.
fn free_port() -> u16 {
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let span = u64::from(low.saturating_sub(10_000)).max(1);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id()).rotate_left(32);
    for attempt in 0..200u64 {
        let offset = seed.wrapping_add(attempt.wrapping_mul(7919)) % span;
        let port = 10_000 + offset as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port below {low}")
}
