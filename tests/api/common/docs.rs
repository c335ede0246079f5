//! DocumentReferences for tests: valid ones shaped like a data portal's,
//! and ways to break them.

use std::collections::HashMap;

use fhir_import::proto::v1::{self as pb, document_input::Source, import_documents_request::Kind};
use serde_json::{json, Value};

/// A valid DocumentReference numbered `n`, as a portal would send it.
pub fn document(n: usize) -> Value {
    json!({
        "resourceType": "DocumentReference",
        "id": format!("doc-{n}"),
        "status": "current",
        "docStatus": "final",
        "subject": {"reference": format!("Patient/pt-{}", n % 50)},
        "content": [{
            "attachment": {
                "url": format!("drs://data.example.org/file-{n}"),
                "title": format!("sample-{n}.cram"),
                "contentType": "application/octet-stream",
                "size": 5_000_000_000u64 + n as u64,
                "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
            }
        }]
    })
}

pub fn input(doc: &Value) -> pb::DocumentInput {
    pb::DocumentInput {
        source: Some(Source::ResourceJson(doc.to_string())),
        metadata: HashMap::new(),
    }
}

pub fn input_with_metadata(doc: &Value, metadata: &[(&str, &str)]) -> pb::DocumentInput {
    pb::DocumentInput {
        source: Some(Source::ResourceJson(doc.to_string())),
        metadata: metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

pub fn raw(json: &str) -> pb::DocumentInput {
    pb::DocumentInput {
        source: Some(Source::ResourceJson(json.to_owned())),
        metadata: HashMap::new(),
    }
}

pub fn valid_inputs(range: std::ops::Range<usize>) -> Vec<pb::DocumentInput> {
    range.map(|n| input(&document(n))).collect()
}

pub fn header_message(header: pb::ImportHeader) -> pb::ImportDocumentsRequest {
    pb::ImportDocumentsRequest {
        kind: Some(Kind::Header(header)),
    }
}

pub fn document_message(document: pb::DocumentInput) -> pb::ImportDocumentsRequest {
    pb::ImportDocumentsRequest {
        kind: Some(Kind::Document(document)),
    }
}
