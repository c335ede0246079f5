//! Tests of the schema engine against the synthetic Kids First data set,
//! the FHIRPath specification's examples, and its limits and failure modes.

mod codings;
mod fhirpath_spec;
mod kids_first;
mod limits;
mod matching;
mod partial;
mod validation;

use std::sync::Arc;

use serde_json::Value;

use super::{evaluate, MemorySource, ResourceSource, Schema, Scraped};

pub(super) const BASE: &str = "https://fhir.example.org/r4";

/// A one-key schema with `searches` (YAML lines, may be empty).
pub(super) fn one_key(expression: &str, searches: &str) -> Schema {
    let text = format!(
        "name: test\nversion: 1\nsearches: {{{searches}}}\nkeys:\n  value:\n    expression: {}\n",
        serde_json::to_string(expression).expect("json string")
    );
    Schema::from_yaml(&text).unwrap_or_else(|e| panic!("{expression}: {e}"))
}

pub(super) async fn scrape(schema: &Schema, document: &Value, resources: &[Value]) -> Scraped {
    let source: Arc<dyn ResourceSource> = Arc::new(MemorySource::new(BASE, resources));
    evaluate(schema, document, source).await
}
