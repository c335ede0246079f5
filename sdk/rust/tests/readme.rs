//! The README's quickstart is `examples/quickstart.rs` word for word, and
//! it runs against a real server as a portal developer would run it.

mod common;

use std::path::PathBuf;

use common::TestServer;

const README: &str = include_str!("../README.md");
const QUICKSTART: &str = include_str!("../examples/quickstart.rs");

/// The README's first ```rust block.
fn readme_block() -> &'static str {
    let start = README
        .find("```rust\n")
        .expect("a rust block in the README")
        + "```rust\n".len();
    let end = start + README[start..].find("```").expect("the block's end");
    &README[start..end]
}

#[test]
fn the_readme_quickstart_is_the_example_and_at_most_fifteen_lines_of_code() {
    assert_eq!(
        readme_block().trim(),
        QUICKSTART.trim(),
        "README.md and examples/quickstart.rs differ"
    );
    let code = QUICKSTART.lines().filter(|l| !l.trim().is_empty()).count();
    assert!(code <= 15, "the quickstart has {code} lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_runs_as_pasted() {
    let server = TestServer::start().await;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let example = target.join("debug/examples/quickstart");
    assert!(
        example.exists(),
        "{} is missing: `cargo test -p fhir-import-client` builds it",
        example.display()
    );
    let output = tokio::process::Command::new(example)
        .env("FHIR_IMPORT_SERVER", &server.url)
        .env("FHIR_IMPORT_TOKEN", &server.token)
        .output()
        .await
        .expect("run the quickstart");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("accepted 1, rejected 1 ("), "{stdout}");
    assert!(stdout.contains("), ended CompletedWithErrors"), "{stdout}");
    assert!(stdout.contains(r#"files: ["reads-1.cram"]"#), "{stdout}");
    server.stop().await;
}
