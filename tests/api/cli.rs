//! The `fhir-import` binary used the way a person would: against a real
//! server, with the sample files, reading what it prints.

use std::{
    io::{BufRead, BufReader, Read, Write},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use crate::common::{spawn_app, Backend, TestApp};
use fhir_import::proto::v1 as pb;

use crate::common::binary::{as_harness, cli, command, run_with, Run, BIN, TIMEOUT};

fn sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
        .display()
        .to_string()
}

/// The value after `prefix` on the first line that starts with it.
fn field<'a>(run: &'a Run, prefix: &str) -> &'a str {
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no line starting with {prefix:?}: {run}"))
}

async fn new_project(app: &TestApp, name: &str) -> String {
    let run = cli(app, &["projects", "create", name]).await.ok();
    field(&run, "slug:").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_are_created_listed_and_shown() {
    let app = spawn_app(Backend::Sqlite).await;

    let created = cli(
        &app,
        &[
            "projects",
            "create",
            "kf-demo",
            "--description",
            "Kids First demo",
        ],
    )
    .await
    .ok();
    assert_eq!(field(&created, "slug:"), "harness/kf-demo");
    assert_eq!(field(&created, "name:"), "kf-demo");
    assert_eq!(field(&created, "description:"), "Kids First demo");
    let id = field(&created, "id:").to_owned();
    assert_eq!(id.len(), 36, "a UUID: {created}");

    let listed = cli(&app, &["projects", "list"]).await.ok();
    assert_eq!(
        listed.lines(),
        vec![
            "SLUG\tID\tDESCRIPTION".to_owned(),
            format!("harness/kf-demo\t{id}\tKids First demo")
        ]
    );
    let as_json = cli(&app, &["projects", "list", "--output", "json"])
        .await
        .ok();
    let projects: Vec<serde_json::Value> = as_json
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(projects.len(), 1, "{as_json}");
    assert_eq!(projects[0]["slug"], "harness/kf-demo");
    assert_eq!(projects[0]["id"], id.as_str());
    let shown = cli(&app, &["projects", "get", "kf-demo", "-o", "json"])
        .await
        .ok();
    let shown: serde_json::Value = serde_json::from_str(&shown.stdout).expect("JSON");
    assert_eq!(shown["description"], "Kids First demo");

    for name in ["harness/kf-demo", id.as_str()] {
        let shown = cli(&app, &["projects", "get", name]).await.ok();
        assert_eq!(field(&shown, "id:"), id);
    }

    let missing = cli(&app, &["projects", "get", "harness/nope"])
        .await
        .failed();
    assert_eq!(
        missing.stderr.trim(),
        "error: NOT_FOUND: project harness/nope not found"
    );
    let duplicate = cli(&app, &["projects", "create", "kf-demo"]).await.failed();
    assert!(
        duplicate.stderr.starts_with("error: ALREADY_EXISTS: "),
        "{duplicate}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ndjson_sample_imports_and_names_its_rejection() {
    let app = spawn_app(Backend::Sqlite).await;
    let project = new_project(&app, "kf-demo").await;

    let ndjson = sample("document-references.ndjson");
    // A rejection is named by the input's line, and makes the exit status 2
    // for scripts, while the other documents are imported.
    let imported = cli(
        &app,
        &["import", "--project", &project, &ndjson, "--tag", "demo"],
    )
    .await
    .exited(2);
    let import_id = field(&imported, "import:").to_owned();
    assert_eq!(import_id.len(), 36, "{imported}");
    assert_eq!(field(&imported, "received:"), "8  accepted: 7  rejected: 1");
    assert!(
        imported
            .lines()
            .contains(&"  line 6: #5 kf-gf-5s0yq7ga INVALID_RESOURCE: status: required"),
        "{imported}"
    );
    assert!(imported.stdout.contains("state:"), "{imported}");
    assert_eq!(
        imported.stderr.trim(),
        "1 of 8 documents rejected; 7 were accepted"
    );

    // Watching a finished import prints where it ended, not its history.
    let watched = cli(&app, &["watch", &import_id]).await.exited(2);
    assert_eq!(
        watched.lines(),
        vec![
            format!(
                "import {import_id} finished: completed_with_errors [received=8 imported=7 rejected=1]"
            ),
            format!("  1 rejected: see `fhir-import imports items {import_id} --state rejected`"),
        ],
        "{watched}"
    );
    assert_eq!(
        watched.stderr.trim(),
        format!("import {import_id} ended completed_with_errors")
    );
    let watched = cli(&app, &["watch", &import_id, "--verbose"])
        .await
        .exited(2);
    let lines = watched.lines();
    assert!(lines[0].starts_with("#0 snapshot "), "{watched}");
    // The rejected item on a line of its own; the others in their
    // batches' progress lines.
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" item #") && l.contains("rejected")),
        "{watched}"
    );
    let recorded: u64 = lines
        .iter()
        .filter_map(|l| {
            let (_, after) = l.split_once(" recorded ")?;
            after.split_once(" items (#")?.0.parse::<u64>().ok()
        })
        .sum();
    assert_eq!(recorded, 7, "{watched}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" state completed_with_errors [")),
        "{watched}"
    );
    assert_eq!(
        lines[lines.len() - 2],
        format!(
            "import {import_id} finished: completed_with_errors [received=8 imported=7 rejected=1]"
        ),
        "{watched}"
    );
    let json = cli(&app, &["watch", &import_id, "--output", "json"])
        .await
        .exited(2);
    let ended: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON object");
    assert_eq!(ended["state"], "IMPORT_STATE_COMPLETED_WITH_ERRORS");
    assert_eq!(ended["counts"]["rejected"], "1");
    let import = app.get_import(&import_id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    assert_eq!(import.tags, vec!["demo"]);

    let rejected = cli(
        &app,
        &["imports", "items", &import_id, "--state", "rejected"],
    )
    .await
    .ok();
    assert_eq!(
        rejected.lines(),
        vec!["#5 kf-gf-5s0yq7ga rejected: INVALID_RESOURCE: status: required"]
    );
    let items = cli(&app, &["imports", "items", &import_id]).await.ok();
    assert_eq!(items.lines().len(), 8, "{items}");
    let items = cli(&app, &["imports", "items", &import_id, "-o", "json"])
        .await
        .ok();
    let states: Vec<String> = items
        .lines()
        .iter()
        .map(|l| {
            let item: serde_json::Value = serde_json::from_str(l).expect("JSON");
            item["state"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(states.len(), 8, "{items}");
    assert_eq!(states[5], "ITEM_STATE_REJECTED");

    let listed = cli(&app, &["imports", "list", "--project", &project])
        .await
        .ok();
    assert_eq!(listed.lines()[0], "ID\tSTATE\tCREATED\tCOUNTS", "{listed}");
    assert!(
        listed.lines()[1].starts_with(&format!("{import_id}\tcompleted_with_errors\t")),
        "{listed}"
    );
    let shown = cli(&app, &["imports", "get", &import_id]).await.ok();
    assert_eq!(field(&shown, "state:"), "completed_with_errors");
    assert_eq!(field(&shown, "tags:"), "demo");
    let project_id = app.get_import(&import_id).await.project;
    assert_eq!(
        field(&shown, "project:"),
        format!("{project} ({project_id})")
    );

    let cancel = cli(&app, &["imports", "cancel", &import_id]).await.failed();
    assert!(
        cancel.stderr.starts_with("error: FAILED_PRECONDITION: "),
        "{cancel}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_sample_imports_its_entries_and_watch_follows_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let project = new_project(&app, "kf-bundle").await;

    let bundle = sample("bundle.json");
    let run = cli(&app, &["import", "--project", &project, &bundle, "--watch"])
        .await
        .ok();
    assert_eq!(field(&run, "received:"), "3  accepted: 3  rejected: 0");
    let import_id = field(&run, "import:").to_owned();
    let last = run.lines().last().copied().unwrap_or_default().to_owned();
    assert_eq!(
        last,
        format!("import {import_id} finished: completed [received=3 imported=3]"),
        "{run}"
    );

    let files = cli(
        &app,
        &["files", "--project", &project, "--import", &import_id],
    )
    .await
    .ok();
    let names: Vec<&str> = files
        .lines()
        .iter()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(
        names,
        vec![
            "NAME",
            "HTP0004.cram",
            "HTP0004.cram.crai",
            "HTP0004.consensus_somatic.vep.maf",
            "3 files"
        ],
        "{files}"
    );
    assert!(
        files.stdout.contains(
            "HTP0004.cram\t18.51 GiB\tdrs://data.kidsfirstdrc.org/2a9f4c7e-1d3b-4b6a-8e2f-7c5d0b9a3e18\t-"
        ),
        "{files}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_found_by_the_metadata_given_on_import() {
    let app = spawn_app(Backend::Sqlite).await;
    let project = new_project(&app, "kf-meta").await;
    let ndjson = sample("document-references.ndjson");
    let bundle = sample("bundle.json");
    for (file, study) in [(&ndjson, "study=SD_BHJXBDQK"), (&bundle, "study=SD_OTHER")] {
        cli(
            &app,
            &[
                "import",
                "--project",
                &project,
                file,
                "--metadata",
                study,
                "--metadata",
                "release=v1",
                "--watch",
            ],
        )
        .await;
    }

    let files = |filters: Vec<&'static str>| {
        let project = project.clone();
        let app = &app;
        async move {
            let mut args = vec!["files", "--project", project.as_str()];
            for filter in &filters {
                args.extend(["--where", filter]);
            }
            cli(app, &args).await.ok()
        }
    };
    let first_study = files(vec!["study=SD_BHJXBDQK"]).await;
    let lines = first_study.lines();
    assert_eq!(lines.len(), 9, "{first_study}");
    assert_eq!(lines[0], "NAME\tSIZE\tURL\tMETADATA");
    assert_eq!(lines[8], "7 files");
    assert!(
        lines[1..8]
            .iter()
            .all(|l| l.ends_with("\trelease=v1, study=SD_BHJXBDQK")),
        "{first_study}"
    );
    assert_eq!(
        files(vec!["study=SD_OTHER", "release=v1"])
            .await
            .lines()
            .last()
            .copied(),
        Some("3 files")
    );
    assert_eq!(
        files(vec!["study=SD_OTHER", "release=v2"]).await.lines(),
        vec!["NAME\tSIZE\tURL\tMETADATA", "0 files"]
    );

    let limited = cli(&app, &["files", "--project", &project, "--limit", "2"])
        .await
        .ok();
    assert_eq!(limited.lines().len(), 4, "{limited}");
    assert_eq!(
        limited.lines()[3],
        "2 files (limit reached; there are more)"
    );
    let as_json = cli(
        &app,
        &[
            "files",
            "--project",
            &project,
            "--where",
            "study=SD_OTHER",
            "--output",
            "json",
        ],
    )
    .await
    .ok();
    let files: Vec<serde_json::Value> = as_json
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(files.len(), 3, "{as_json}");
    assert!(files
        .iter()
        .all(|f| f["metadata"]["study"] == "SD_OTHER" && f["url"].is_string()));

    let bad = cli(
        &app,
        &["files", "--project", &project, "--where", "no-equals-sign"],
    )
    .await
    .failed();
    assert!(bad.stderr.contains("expected KEY=VALUE"), "{bad}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_takes_one_pretty_printed_resource_or_ndjson() {
    let app = spawn_app(Backend::Sqlite).await;
    let project = new_project(&app, "kf-stdin").await;
    let ndjson = std::fs::read_to_string(sample("document-references.ndjson")).expect("sample");
    let first: serde_json::Value =
        serde_json::from_str(ndjson.lines().next().expect("a line")).expect("json");
    let pretty = serde_json::to_string_pretty(&first).expect("pretty");

    let args = [
        "import",
        "--project",
        project.as_str(),
        "-",
        "--validate-only",
    ];
    let run = run_with(as_harness(&app, &args), Some(pretty)).await.ok();
    assert!(
        run.stdout
            .starts_with("validation only: nothing was imported\n"),
        "{run}"
    );
    assert_eq!(field(&run, "received:"), "1  accepted: 1  rejected: 0");

    let lines = "not json\n\n{\"resourceType\":\"Patient\",\"id\":\"p\"}\n".to_owned();
    let args = ["import", "--project", project.as_str(), "-"];
    let run = run_with(as_harness(&app, &args), Some(lines.clone()))
        .await
        .exited(2);
    assert_eq!(field(&run, "received:"), "2  accepted: 0  rejected: 2");
    assert!(
        run.stdout.contains("\n  line 1: #0 - INVALID_JSON: "),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("\n  line 3: #1 - WRONG_RESOURCE_TYPE: "),
        "{run}"
    );
    assert_eq!(field(&run, "state:"), "failed");
    // The same as JSON, each rejection with its line.
    let args = ["import", "--project", project.as_str(), "-", "-o", "json"];
    let run = run_with(as_harness(&app, &args), Some(lines))
        .await
        .exited(2);
    let response: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(response["rejected"], "2");
    assert_eq!(response["rejections"][0]["index"], "0");
    assert_eq!(response["rejections"][0]["line"], 1);
    assert_eq!(response["rejections"][1]["line"], 3);
    assert_eq!(
        response["rejections"][1]["code"],
        "REJECTION_CODE_WRONG_RESOURCE_TYPE"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_say_what_went_wrong() {
    let app = spawn_app(Backend::Sqlite).await;
    let bundle = sample("bundle.json");

    let run = cli(&app, &["import", "--project", "harness/nope", &bundle])
        .await
        .failed();
    assert_eq!(
        run.stderr.trim(),
        "error: NOT_FOUND: project harness/nope not found"
    );

    let run = cli(
        &app,
        &[
            "import",
            "--project",
            "harness/nope",
            "/no/such/file.ndjson",
        ],
    )
    .await
    .failed();
    assert!(
        run.stderr
            .starts_with("error: cannot open /no/such/file.ndjson: "),
        "{run}"
    );

    // A port nothing listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = format!("http://{}", free.local_addr().expect("addr"));
    drop(free);
    let run = run_with(command(&server, None, &["projects", "list"]), None)
        .await
        .failed();
    assert!(
        run.stderr.starts_with(&format!(
            "error: could not reach the fhir-import server at {server}: "
        )),
        "{run}"
    );
    assert!(run.stderr.contains("--server"), "{run}");
    assert!(run.stderr.contains("FHIR_IMPORT_SERVER"), "{run}");

    // An empty FHIR_IMPORT_TOKEN says so, rather than that no one signed in.
    let mut empty = command(&app.endpoint(), None, &["projects", "list"]);
    empty.env("FHIR_IMPORT_TOKEN", "");
    let run = run_with(empty, None).await.failed();
    assert!(run.stderr.contains("is empty"), "{run}");
    assert!(run.stderr.contains("FHIR_IMPORT_TOKEN"), "{run}");

    // A project named without its owner is the caller's own…
    new_project(&app, "mine").await;
    cli(&app, &["import", "--project", "mine", &bundle])
        .await
        .ok();
    assert!(
        app.newest_import("harness/mine").await.is_some(),
        "imported into harness/mine"
    );
    // …and when there is none, the error says how to name another's.
    let run = cli(&app, &["import", "--project", "kf-demo", &bundle])
        .await
        .failed();
    assert!(
        run.stderr.contains("project harness/kf-demo not found"),
        "{run}"
    );
    assert!(run.stderr.contains("owner/kf-demo"), "{run}");
    app.stop().await;
}

/// Kills the child if the test ends before it exited.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn serve_prints_its_address_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One configuration for `serve` and `admin`, so the tokens `admin
    // issue-token` signs name the issuer the server checks.
    std::fs::write(
        dir.path().join("fhir-import.toml"),
        "listen = \"127.0.0.1:0\"\ndatabase_url = \"sqlite://x.db\"\n\
         [auth]\nissuer = \"http://fhir-import.test\"\n",
    )
    .expect("config file");
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start fhir-import serve");
    let mut serve = Running(child);
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();

    let stdout = serve.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let _ = tx.send(first);
        let mut rest = String::new();
        let _ = stdout.read_to_string(&mut rest);
        rest
    });
    let first = rx
        .recv_timeout(TIMEOUT)
        .unwrap_or_else(|_| panic!("serve printed nothing; its log:\n{}", log()));
    let addr = first
        .strip_suffix('\n')
        .and_then(|l| l.strip_prefix("listening on 127.0.0.1:"))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}; log:\n{}", log()));
    let server = format!("http://127.0.0.1:{addr}");

    let run_in_dir = |args: &[&str], stdin: &str| {
        let mut child = command(&server, None, args)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start fhir-import");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("run fhir-import"))
    };
    let refused = run_in_dir(&["projects", "list"], "").failed();
    assert!(
        refused
            .stderr
            .starts_with("error: UNAUTHENTICATED: send `authorization: Bearer <access token>`"),
        "{refused}"
    );
    assert!(refused.stderr.contains("fhir-import login"), "{refused}");

    run_in_dir(&["admin", "create-user", "ada"], "").ok();
    let client = run_in_dir(
        &[
            "admin",
            "create-client",
            "--name",
            "scripts",
            "--owner",
            "ada",
            "--scope",
            "projects",
        ],
        "",
    )
    .ok();
    let client: serde_json::Value = serde_json::from_str(&client.stdout).expect("client JSON");
    let client_id = client["client_id"].as_str().expect("client_id");
    let issued = run_in_dir(
        &[
            "admin",
            "issue-token",
            "--user",
            "ada",
            "--client",
            client_id,
        ],
        "",
    )
    .ok();
    let issued: serde_json::Value = serde_json::from_str(&issued.stdout).expect("token JSON");
    assert_eq!(issued["iss"], "http://fhir-import.test");
    assert_eq!(issued["scope"], "projects");
    let token = issued["access_token"].as_str().expect("access_token");
    let list = run_in_dir(&["projects", "list", "--token", token], "").ok();
    assert!(list.stdout.starts_with("no projects yet"), "{list}");

    let kill = Command::new("kill")
        .args(["-TERM", &serve.0.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = serve.0.try_wait().expect("wait for serve") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM; log:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "serve exited with {status}; log:\n{}",
        log()
    );
    let rest = reader.join().expect("stdout reader");
    assert_eq!(rest, "", "serve prints one line on stdout only");
    assert!(log().contains("stopped"), "log:\n{}", log());
}

/// `serve` in `dir` (its fhir-import.toml), once it printed its address.
fn serve_in(dir: &std::path::Path) -> (Running, String) {
    let child = Command::new(BIN)
        .arg("serve")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fhir-import serve");
    let mut serve = Running(child);
    let stdout = serve.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx.recv_timeout(TIMEOUT).expect("serve printed its address");
    assert!(first.starts_with("listening on "), "{first:?}");
    (serve, first)
}

/// SQLite is the embedded, single-process store: a second server on the
/// same file refuses to start (the first goes on), `admin` still works
/// beside the server, and a server killed with -9 leaves no stale claim.
#[test]
fn a_second_server_on_the_same_sqlite_file_refuses_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("fhir-import.toml"),
        "listen = \"127.0.0.1:0\"\ndatabase_url = \"sqlite://shared.db\"\n",
    )
    .expect("config file");
    let (mut first, _) = serve_in(dir.path());

    let second = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a second serve");
    let mut second = Running(second);
    let deadline = Instant::now() + TIMEOUT;
    while second.0.try_wait().expect("poll").is_none() {
        assert!(
            Instant::now() < deadline,
            "a second server started on the file"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stdout = String::new();
    let mut stderr = String::new();
    let _ = second
        .0
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout);
    let _ = second
        .0
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    let second = Run {
        code: second.0.try_wait().expect("status").and_then(|s| s.code()),
        stdout,
        stderr,
    }
    .failed();
    assert!(
        second
            .stderr
            .contains("another fhir-import server is using shared.db"),
        "{second}"
    );
    assert!(second.stdout.is_empty(), "it never listened: {second}");
    assert_eq!(first.0.try_wait().expect("poll"), None, "the first runs on");

    let admin = Command::new(BIN)
        .args(["admin", "create-user", "ada"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("run admin");
    Run::from(admin).ok();

    first.0.kill().expect("kill -9");
    first.0.wait().expect("reap");
    let (mut again, _) = serve_in(dir.path());
    again.0.kill().expect("kill");
    again.0.wait().expect("reap");
}

#[test]
fn serve_refuses_a_bad_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "mysql://db/x",
        ])
        .current_dir(dir.path())
        .output()
        .expect("run serve");
    let run = Run::from(output).failed();
    assert_eq!(
        run.stderr.trim(),
        "error: database_url: expected sqlite://… or postgres://…, got mysql://db/x"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn dataset_kids_first_writes_the_same_files_for_the_same_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let output = Command::new(BIN)
            .args(["dataset", "kids-first", "--seed", seed, "--families", "3"])
            .arg("--out-dir")
            .arg(&out)
            .stdin(Stdio::null())
            .output()
            .expect("run dataset kids-first");
        let run = Run::from(output).ok();
        assert!(run.stdout.contains("bundle.json"), "{run}");
        let bundle = std::fs::read(out.join("bundle.json")).expect("bundle.json");
        let ndjson = std::fs::read_to_string(out.join("documents.ndjson")).expect("ndjson");
        (bundle, ndjson)
    };
    let (bundle, ndjson) = write("a", "9");
    assert_eq!((bundle.clone(), ndjson.clone()), write("b", "9"));
    assert_ne!(bundle, write("c", "10").0);

    let bundle: serde_json::Value = serde_json::from_slice(&bundle).expect("bundle json");
    assert_eq!(bundle["type"], "transaction");
    let documents: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson line"))
        .collect();
    assert!(!documents.is_empty());
    assert!(documents
        .iter()
        .all(|d| d["resourceType"] == "DocumentReference"));
}

/// `n` valid DocumentReferences (the sample's, with ids of their own) as
/// NDJSON, the ones at `invalid` without their required status.
fn many_documents(n: usize, invalid: &[usize]) -> String {
    let sample = std::fs::read_to_string(sample("document-references.ndjson")).expect("sample");
    let valid: Vec<serde_json::Value> = sample
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .filter(|d: &serde_json::Value| d.get("status").is_some())
        .collect();
    let mut ndjson = String::new();
    for i in 0..n {
        let mut document = valid[i % valid.len()].clone();
        document["id"] = format!("many-{i}").into();
        if invalid.contains(&i) {
            document.as_object_mut().expect("object").remove("status");
        }
        ndjson.push_str(&document.to_string());
        ndjson.push('\n');
    }
    ndjson
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_import_prints_a_summary_and_every_event_only_when_verbose() {
    let app = spawn_app(Backend::Sqlite).await;
    let project = new_project(&app, "kf-big").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("big.ndjson");
    std::fs::write(&file, many_documents(2_000, &[1_234])).expect("write");
    let file = file.display().to_string();

    let quiet = cli(&app, &["import", "--project", &project, &file, "--watch"])
        .await
        .exited(2);
    assert!(
        quiet.lines().len() < 12,
        "a summary, not a line per item: {quiet}"
    );
    assert!(
        quiet
            .lines()
            .contains(&"  line 1235: #1234 many-1234 INVALID_RESOURCE: status: required"),
        "{quiet}"
    );
    let import_id = field(&quiet, "import:").to_owned();
    assert!(
        quiet.stdout.contains(&format!(
            "import {import_id} finished: completed_with_errors [received=2000 imported=1999 rejected=1]"
        )),
        "{quiet}"
    );

    // Replaying a finished import's events is for --verbose only.
    let replay = cli(&app, &["watch", &import_id, "--verbose"])
        .await
        .exited(2);
    // Every item accounted for: the rejected one on its own line, the
    // others in the progress lines of their batches.
    let moved = |stage: &str| -> u64 {
        replay
            .lines()
            .iter()
            .filter_map(|l| {
                let (_, after) = l.split_once(&format!(" {stage} "))?;
                after.split_once(" items (#")?.0.parse::<u64>().ok()
            })
            .sum()
    };
    assert_eq!(moved("recorded"), 1_999, "{replay}");
    let rejected_lines = replay
        .lines()
        .iter()
        .filter(|l| l.contains(" item #1234 "))
        .count();
    assert_eq!(rejected_lines, 1, "{replay}");
    let summary = cli(&app, &["watch", &import_id]).await.exited(2);
    assert_eq!(summary.lines().len(), 2, "{summary}");
    app.stop().await;
}

/// The live display as a terminal shows it: `script` gives the command a
/// pseudo-terminal and copies what it drew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_watch_draws_a_live_summary_on_a_terminal() {
    let app = spawn_app(Backend::Sqlite).await;
    let project = new_project(&app, "kf-tty").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tty.ndjson");
    std::fs::write(&file, many_documents(3_000, &[7])).expect("write");
    let inner = format!(
        "{BIN} import --project {project} {} --watch",
        file.display()
    );
    // The environment the harness gives the binary, given to `script`.
    let harness = as_harness(&app, &[]);
    let mut terminal = Command::new("script");
    terminal
        .args(["-q", "-e", "-c", &inner, "/dev/null"])
        .stdin(Stdio::null());
    for (key, value) in harness.get_envs() {
        match value {
            Some(value) => terminal.env(key, value),
            None => terminal.env_remove(key),
        };
    }
    let run = run_with(terminal, None).await.exited(2);
    let drawn = run.stdout.replace('\r', "\n");
    assert!(
        drawn.contains("sending tty.ndjson ["),
        "the input file's progress: {drawn}"
    );
    assert!(
        drawn.contains("received 3,000 · imported "),
        "the import's counts: {drawn}"
    );
    assert!(drawn.contains("rejected 1 · pending "), "{drawn}");
    assert!(
        drawn.contains("finished: completed_with_errors [received=3000 imported=2999 rejected=1]"),
        "{drawn}"
    );
    app.stop().await;
}

/// `[log] format = "json"`: what a log collector reads, one object a line.
#[test]
fn serve_writes_json_log_lines_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log_path = dir.path().join("serve.log");
    let child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "sqlite://x.db",
        ])
        .env("FHIR_IMPORT__LOG__FORMAT", "json")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).expect("log file"))
        .spawn()
        .expect("start fhir-import serve");
    let mut serve = Running(child);
    let mut first = String::new();
    BufReader::new(serve.0.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the address line");
    assert!(first.starts_with("listening on "), "{first:?}");
    let kill = Command::new("kill")
        .args(["-TERM", &serve.0.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let deadline = Instant::now() + TIMEOUT;
    while serve.0.try_wait().expect("wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(&log_path).expect("the log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(lines
        .iter()
        .all(|l| l["level"].is_string() && l["timestamp"].is_string()));
    let listening = lines
        .iter()
        .find(|l| l["fields"]["message"] == "fhir-import listening")
        .unwrap_or_else(|| panic!("no listening line in:\n{log}"));
    assert_eq!(listening["level"], "INFO");
    assert_eq!(listening["fields"]["store"], "sqlite");
    assert!(
        lines.iter().any(|l| l["fields"]["message"] == "stopped"),
        "{log}"
    );
}
