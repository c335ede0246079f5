//! Property tests of document validation on documents mutated at random
//! (`mutations.rs`): it never panics, names where each problem is, and
//! refuses everything a reference R4 validator refuses.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use super::mutations::mutated;
use crate::domain::document::{validate_document_json, DocumentPolicy};
use crate::domain::rejection::RejectionCode;

/// `content[0].attachment.url` as a JSON Pointer.
fn pointer_of(path: &str) -> String {
    let mut pointer = String::new();
    for part in path.split('.') {
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        pointer.push('/');
        pointer.push_str(name);
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            pointer.push('/');
            pointer.push_str(index.trim_end_matches(']'));
        }
    }
    pointer
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_verdict_is_a_result_that_names_where(doc in mutated()) {
        let text = doc.to_string();
        if let Err(rejection) = validate_document_json(&text, &DocumentPolicy::default()) {
            if rejection.code == RejectionCode::InvalidResource {
                let (path, problem) = rejection
                    .message
                    .split_once(": ")
                    .ok_or_else(|| TestCaseError::fail(format!("no path in {:?}", rejection.message)))?;
                // What is there is named by where it is; what is missing
                // by where it would go.
                let named = doc.pointer(&pointer_of(path)).is_some()
                    || problem.starts_with("required")
                    || path.ends_with("[x]")
                    || problem.starts_with("an extension");
                prop_assert!(named, "{} does not point into {}", rejection.message, text);
            }
        }
    }
}

/// The reference validator in its own virtualenv under target/, made once.
fn reference_python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/reference-validator-venv");
    let python = venv.join("bin/python");
    let ready = venv.join(".fhir.resources-6.5.0");
    if !ready.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv {}", venv.display());
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["fhir.resources==6.5.0", "pydantic==1.10.27"])
            .status()
            .expect("pip runs");
        assert!(
            installed.success(),
            "installing fhir.resources 6.5.0 from PyPI"
        );
        std::fs::write(&ready, b"").expect("mark the virtualenv ready");
    }
    python
}

/// R4 rules the reference does not check, each refused by the service on
/// purpose; a refusal the reference does not share must be one of these.
const STRICTER_THAN_THE_REFERENCE: [(&str, &str); 16] = [
    (
        "is not a media type",
        "the file's contentType is recorded: type/subtype",
    ),
    (
        "got null",
        "FHIR JSON: null only as a placeholder in arrays",
    ),
    (
        "must be a string, got",
        "FHIR JSON: text is a JSON string (pydantic coerces 1 to \"1\")",
    ),
    (
        "id: required",
        "the service's own rule: the id recognises a re-import",
    ),
    (
        "contains the control character",
        "R4 string: no characters below U+0020 but tab, CR, LF",
    ),
    (
        "cannot be fetched",
        "attachment URL schemes: the platform's allow-list",
    ),
    (
        "is not one of",
        "codes of required bindings (status, gender…)",
    ),
    (
        "an extension",
        "ext-1: a value[x] or nested extensions, not both",
    ),
    ("url: required", "Extension.url is 1..1"),
    (
        "is not a FHIR R4 resource type",
        "contained: resources only",
    ),
    ("resourceType: required", "contained: resources only"),
    ("must not be empty", "ele-1: no empty values or objects"),
    ("must not be an empty array", "FHIR JSON: no empty arrays"),
    (
        "is not a valid FHIR",
        "R4 regular expressions (uri: no whitespace; code; id)",
    ),
    (
        "is not an absolute URL",
        "the service fetches attachments by absolute URL",
    ),
    ("must be at most 2147483647", "R4 integer is 32-bit"),
];

#[test]
fn refuses_all_that_a_reference_r4_validator_refuses() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = mutated();
    let sample: Vec<Value> = (0..1000)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("a document")
                .current()
        })
        .collect();

    let mut child = Command::new(reference_python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/reference_validator.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the reference validator starts");
    let mut input = child.stdin.take().expect("stdin");
    let lines: String = sample.iter().map(|d| format!("{d}\n")).collect();
    let writer = std::thread::spawn(move || input.write_all(lines.as_bytes()));
    let output = child
        .wait_with_output()
        .expect("the reference validator ends");
    writer.join().expect("writer").expect("documents written");
    assert!(output.status.success(), "the reference validator failed");
    let verdicts: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(verdicts.len(), sample.len());

    let (mut both, mut only_ours, mut neither) = (0, 0, 0);
    let mut wrong = Vec::new();
    for (doc, reference) in sample.iter().zip(&verdicts) {
        let ours = validate_document_json(&doc.to_string(), &DocumentPolicy::default());
        match (ours, reference.starts_with("valid")) {
            (Ok(_), true) => neither += 1,
            (Err(_), false) => both += 1,
            (Ok(_), false) => wrong.push(format!("accepted what R4 refuses ({reference}): {doc}")),
            (Err(rejection), true) => {
                only_ours += 1;
                let known = STRICTER_THAN_THE_REFERENCE
                    .iter()
                    .any(|(phrase, _)| rejection.message.contains(phrase))
                    || rejection.code != RejectionCode::InvalidResource;
                if !known {
                    wrong.push(format!(
                        "refused for no rule we know of: {rejection} in {doc}"
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        sample.len(),
        wrong.join("\n")
    );
    eprintln!("refused by both {both}, by the service only {only_ours}, by neither {neither}");
    // The sample must exercise both verdicts to mean anything.
    assert!(
        both > 100 && neither > 20,
        "both {both}, only ours {only_ours}, neither {neither}"
    );
}
