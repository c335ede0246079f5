//! A source that fails part of the time yields the keys it could still
//! compute, and a problem for each key it could not.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::scrape::{evaluate, MemorySource, ProblemKind, ResourceSource, Schema, SourceError};

/// Serves from memory but fails reads of one reference and searches of one type.
struct Flaky {
    inner: MemorySource,
    broken_reference: &'static str,
    broken_search: &'static str,
}

#[async_trait]
impl ResourceSource for Flaky {
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }
    async fn resolve(&self, reference: &str) -> Result<Option<Value>, SourceError> {
        if reference == self.broken_reference {
            return Err(SourceError::Unavailable("503 from server".to_owned()));
        }
        self.inner.resolve(reference).await
    }
    async fn search(
        &self,
        resource_type: &str,
        param: &str,
        references: &[String],
    ) -> Result<Vec<Value>, SourceError> {
        if resource_type == self.broken_search {
            return Err(SourceError::Unavailable("timed out".to_owned()));
        }
        self.inner.search(resource_type, param, references).await
    }
}

const SCHEMA: &str = r#"
name: partial
version: 1
searches:
  conditions: { resource: Condition, param: subject, for: subject }
  groups: { resource: Group, param: member, for: subject }
keys:
  gender: { expression: "subject.resolve().gender" }
  sample: { expression: "context.related.resolve().type.text" }
  codes: { expression: "%conditions.code.coding.code" }
  family: { expression: "%groups.id" }
  status: { expression: "status" }
"#;

#[tokio::test]
async fn failed_reads_and_searches_cost_only_the_keys_that_needed_them() {
    let resources = [
        json!({"resourceType": "Patient", "id": "p1", "gender": "female"}),
        json!({"resourceType": "Specimen", "id": "s1", "type": {"text": "Saliva"}}),
        json!({"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"},
               "code": {"coding": [{"code": "HP:0001250"}]}}),
        json!({"resourceType": "Group", "id": "g1", "member": [{"entity": {"reference": "Patient/p1"}}]}),
    ];
    let document = json!({
        "resourceType": "DocumentReference", "id": "d1", "status": "current",
        "subject": {"reference": "Patient/p1"},
        "context": {"related": [{"reference": "Specimen/s1"}]},
    });
    let schema = Schema::from_yaml(SCHEMA).expect("loads");
    let source: Arc<dyn ResourceSource> = Arc::new(Flaky {
        inner: MemorySource::new("https://fhir.example.org/r4", &resources),
        broken_reference: "Patient/p1",
        broken_search: "Condition",
    });
    let scraped = evaluate(&schema, &document, source).await;

    assert_eq!(
        scraped.pairs,
        [
            ("family".to_owned(), "g1".to_owned()),
            ("sample".to_owned(), "Saliva".to_owned()),
            ("status".to_owned(), "current".to_owned()),
        ]
    );
    let problems: Vec<(&str, &ProblemKind)> = scraped
        .problems
        .iter()
        .map(|p| (p.key.as_str(), &p.kind))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        matches!(
            problems[0],
            ("codes", ProblemKind::SourceError(m)) if m.contains("Condition?subject=Patient/p1") && m.contains("timed out")
        ),
        "{problems:?}"
    );
    assert!(
        matches!(
            problems[1],
            ("gender", ProblemKind::SourceError(m)) if m == "resolve Patient/p1: unavailable: 503 from server"
        ),
        "{problems:?}"
    );
    assert_eq!(scraped.fetched, ["Group/g1", "Specimen/s1"]);
}

#[tokio::test]
async fn a_runtime_expression_error_is_reported_for_its_key() {
    let schema = Schema::from_yaml(
        "name: t\nversion: 1\nkeys:\n  bad: { expression: 'nosuchfunction()' }\n  good: { expression: id }\n",
    )
    .expect("parses: functions are looked up when evaluated");
    let document = json!({"resourceType": "DocumentReference", "id": "d1"});
    let source: Arc<dyn ResourceSource> = Arc::new(MemorySource::new("https://x", &[]));
    let scraped = evaluate(&schema, &document, source).await;
    assert_eq!(scraped.get("good"), Some("d1"));
    assert!(
        matches!(&scraped.problems[0].kind, ProblemKind::ExpressionError(m) if m.contains("nosuchfunction"))
    );
}

#[test]
fn evaluation_can_run_on_a_spawned_task() {
    fn is_send<T: Send>(_: &T) {}
    let schema =
        Schema::from_yaml("name: t\nversion: 1\nkeys:\n  k: { expression: id }\n").expect("loads");
    let document = json!({});
    let source: Arc<dyn ResourceSource> = Arc::new(MemorySource::new("https://x", &[]));
    is_send(&evaluate(&schema, &document, source));
}

#[tokio::test]
async fn a_reference_to_a_resource_that_is_gone_marks_the_keys_that_followed_it() {
    let schema = Schema::from_yaml(SCHEMA).expect("loads");
    let document = json!({
        "resourceType": "DocumentReference", "id": "d1", "status": "current",
        "subject": {"reference": "Patient/gone"},
    });
    let source: Arc<dyn ResourceSource> = Arc::new(MemorySource::new("https://x", &[]));
    let scraped = evaluate(&schema, &document, source).await;
    assert_eq!(scraped.get("status"), Some("current"));
    assert_eq!(scraped.get("gender"), None);
    let gender = scraped
        .problems
        .iter()
        .find(|p| p.key == "gender")
        .expect("gender is marked");
    assert!(
        matches!(&gender.kind, ProblemKind::SourceError(m) if m == "resolve Patient/gone: the server has no such resource"),
        "{gender:?}"
    );
    assert!(
        !gender.kind.server_unavailable(),
        "gone is not worth retrying"
    );
}
