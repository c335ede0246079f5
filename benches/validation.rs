//! Document validation alone, in documents per second: the rich Kids
//! First-shaped DocumentReferences of a generated study (meta, identifiers,
//! codings, security labels, context) and small portal-style ones, each
//! validated as intake validates it. No server, no store: what strict R4
//! validation costs per document, to set beside `import_throughput`.
//!
//! Run with `cargo bench --bench validation`. Environment:
//! - `BENCH_ROUNDS`: passes over the documents (default 20)

use std::time::Instant;

use fhir_import::dataset::{generate, Shape};
use fhir_import::domain::document::{validate_document_json, DocumentPolicy};
use serde_json::json;

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let study = generate(
        7,
        &Shape {
            families: 100,
            ..Shape::default()
        },
    );
    let rich: Vec<String> = study
        .document_references
        .iter()
        .map(|d| d.to_string())
        .collect();
    let small: Vec<String> = (0..rich.len())
        .map(|n| {
            json!({
                "resourceType": "DocumentReference",
                "id": format!("doc-{n}"),
                "status": "current",
                "subject": {"reference": format!("Patient/pt-{}", n % 50)},
                "content": [{"attachment": {
                    "url": format!("drs://data.example.org/file-{n}"),
                    "title": format!("sample-{n}.cram"),
                    "size": 5_000_000_000u64 + n as u64,
                    "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
                }}]
            })
            .to_string()
        })
        .collect();
    let policy = DocumentPolicy::default();
    for (name, documents) in [("kids-first", &rich), ("small", &small)] {
        let bytes: usize = documents.iter().map(String::len).sum::<usize>() / documents.len();
        // One pass to warm up (and to load the R4 definitions).
        for d in documents {
            assert!(validate_document_json(d, &policy).is_ok(), "valid: {d}");
        }
        let start = Instant::now();
        for _ in 0..rounds {
            for d in documents {
                std::hint::black_box(validate_document_json(d, &policy).is_ok());
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        let count = (rounds * documents.len()) as f64;
        println!(
            "{name:<11} {} documents of {bytes} bytes, {rounds} rounds: {:.0} docs/s, {:.1} µs/doc",
            documents.len(),
            count / elapsed,
            elapsed / count * 1e6
        );
    }
}
