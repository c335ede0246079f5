//! The real fhir-import server for the SDK's tests: the binary with a fresh
//! SQLite file, an admin user, a portal and a token made with
//! `fhir-import admin`, as an operator would. It can be stopped and started
//! again on the same address and database.

#![allow(dead_code)]

use std::{path::PathBuf, process::Stdio, time::Duration};

use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

pub const ISSUER: &str = "http://fhir-import.sdk-tests";
pub const SCOPES: &[&str] = &[
    "projects",
    "import:write",
    "import:read",
    "files:read",
    "admin",
];
/// The user `sdk` signs in with this on the authorization page.
pub const PASSWORD: &str = "a long passphrase for the sdk tests";
/// Where the test portal's authorization codes go.
pub const REDIRECT_URI: &str = "https://portal.example.org/callback";

/// The server binary: `FHIR_IMPORT_BIN`, or the workspace's debug build
/// (`cargo test --workspace` builds it before any test runs).
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("FHIR_IMPORT_BIN") {
        return bin.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let bin = target.join("debug/fhir-import");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build` (or set FHIR_IMPORT_BIN)",
        bin.display()
    );
    bin
}

pub struct TestServer {
    pub url: String,
    pub token: String,
    /// `fhir-import admin create-client`'s answer: client_id, client_secret.
    pub portal: Value,
    address: String,
    env: Vec<(String, String)>,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl TestServer {
    /// A server with more `FHIR_IMPORT__…` configuration.
    pub async fn start_with(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut env: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        env.push(("FHIR_IMPORT__AUTH__ISSUER".into(), ISSUER.into()));
        env.push((
            "FHIR_IMPORT__DATABASE_URL".into(),
            format!("sqlite://{}", dir.path().join("sdk.db").display()),
        ));
        let mut server = Self {
            url: String::new(),
            token: String::new(),
            portal: Value::Null,
            address: "127.0.0.1:0".into(),
            env,
            child: None,
            dir,
        };
        server.up().await;
        server.url = format!("http://{}", server.address);
        server.admin(
            &["create-user", "sdk", "--admin", "--password-stdin"],
            Some(PASSWORD),
        );
        let mut args = vec![
            "create-client",
            "--name",
            "Rust SDK tests",
            "--owner",
            "sdk",
        ];
        for scope in SCOPES {
            args.extend(["--scope", scope]);
        }
        args.extend(["--redirect-uri", REDIRECT_URI]);
        server.portal = server.admin(&args, None);
        let client_id = server.client_id();
        server.token = server.admin(
            &["issue-token", "--user", "sdk", "--client", &client_id],
            None,
        )["access_token"]
            .as_str()
            .expect("a token")
            .to_owned();
        server
    }

    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    pub fn client_id(&self) -> String {
        self.portal["client_id"]
            .as_str()
            .expect("client_id")
            .to_owned()
    }

    pub fn client_secret(&self) -> String {
        self.portal["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned()
    }

    fn command(&self) -> Command {
        let mut command = Command::new(binary());
        command.current_dir(self.dir.path());
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("FHIR_IMPORT")) {
            command.env_remove(key);
        }
        command.envs(self.env.iter().cloned());
        command
    }

    /// `fhir-import admin ARGS` on the server's store; its JSON answer.
    pub fn admin(&self, args: &[&str], input: Option<&str>) -> Value {
        let mut command = std::process::Command::new(binary());
        command.current_dir(self.dir.path()).arg("admin").args(args);
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("FHIR_IMPORT")) {
            command.env_remove(key);
        }
        command.envs(self.env.iter().cloned());
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("run fhir-import admin");
        if let Some(input) = input {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            writeln!(stdin, "{input}").expect("write stdin");
        }
        let output = child.wait_with_output().expect("admin output");
        assert!(
            output.status.success(),
            "admin {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("admin prints JSON")
    }

    /// Starts the server (again) on its address.
    pub async fn up(&mut self) {
        if self.child.is_some() {
            return;
        }
        let mut child = self
            .command()
            .args(["serve", "--listen", &self.address])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start fhir-import serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(address) = line.strip_prefix("listening on ") {
                    return address.trim().to_owned();
                }
            }
            panic!("the server exited before it listened");
        })
        .await
        .expect("the server started within 60 s");
        // Keep reading stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.address = address;
        self.child = Some(child);
    }

    /// SIGTERM, which must end the server with status 0.
    pub async fn down(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id().expect("a running server");
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill -TERM");
        assert!(killed.success());
        let status = child.wait().await.expect("wait for the server");
        assert!(
            status.success(),
            "the server exited with {status} on SIGTERM"
        );
    }

    /// SIGKILL: no drain, no goodbye; its connections die with it.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill -9 the server");
        }
    }

    pub async fn restart(&mut self) {
        self.down().await;
        self.up().await;
    }

    pub async fn stop(mut self) {
        self.down().await;
    }
}

/// A valid DocumentReference whose file is `sample-<n>.cram`.
pub fn document(n: u32) -> Value {
    serde_json::json!({
        "resourceType": "DocumentReference",
        "id": format!("doc-{n}"),
        "status": "current",
        "subject": { "reference": format!("Patient/pt-{n}") },
        "content": [{ "attachment": {
            "url": format!("drs://example.org/file-{n}"),
            "title": format!("sample-{n}.cram"),
            "size": 1000 + n,
        }}],
    })
}
