//! Running the `fhir-import` binary as a person would, and what it did.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
    time::Duration,
};

use super::TestApp;

pub const BIN: &str = env!("CARGO_BIN_EXE_fhir-import");
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// What one run of the binary did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn ok(self) -> Self {
        assert_eq!(self.code, Some(0), "{self}");
        self
    }

    /// The run ended with exit status `code`.
    pub fn exited(self, code: i32) -> Self {
        assert_eq!(self.code, Some(code), "{self}");
        self
    }

    pub fn failed(self) -> Self {
        assert!(
            self.code.is_some_and(|c| c != 0),
            "expected a failure: {self}"
        );
        self
    }

    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The binary pointed at `server` through `FHIR_IMPORT_SERVER`, with no
/// credentials but `token` (none stored, none from the environment).
pub fn command(server: &str, token: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("FHIR_IMPORT_SERVER", server)
        .env(
            "FHIR_IMPORT_CREDENTIALS",
            "/nonexistent/fhir-import/credentials.json",
        )
        .env_remove("FHIR_IMPORT_TOKEN")
        .env_remove("FHIR_IMPORT_CLIENT_ID")
        .env_remove("FHIR_IMPORT_CLIENT_SECRET")
        .stdin(Stdio::null());
    if let Some(token) = token {
        command.env("FHIR_IMPORT_TOKEN", token);
    }
    command
}

/// The binary as the harness user, pointed at `app`.
pub fn as_harness(app: &TestApp, args: &[&str]) -> Command {
    command(&app.endpoint(), Some(&app.token), args)
}

pub async fn run_with(mut command: Command, stdin: Option<String>) -> Run {
    let run = tokio::task::spawn_blocking(move || {
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start fhir-import");
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("run fhir-import")
    });
    let output = tokio::time::timeout(TIMEOUT, run)
        .await
        .expect("fhir-import finishes")
        .expect("the run's thread");
    Run::from(output)
}

pub async fn cli(app: &TestApp, args: &[&str]) -> Run {
    run_with(as_harness(app, args), None).await
}
