//! The FHIRPath features the shipped schemas rely on, checked with examples
//! from the FHIRPath specification (its example Patient, §2 and §5-6) and
//! FHIR's `resolve()` and `extension()`.

use serde_json::{json, Value};

use super::{one_key, scrape};

/// The FHIRPath specification's example Patient, plus an extension.
fn patient() -> Value {
    json!({
        "resourceType": "Patient",
        "id": "example",
        "extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
            "valueString": "Windsor",
        }],
        "name": [
            {"use": "official", "given": ["Peter", "James"], "family": "Chalmers"},
            {"use": "usual", "given": ["Jim"]},
            {"use": "maiden", "given": ["Peter", "James"], "family": "Windsor",
             "period": {"end": "2002"}},
        ],
        "gender": "male",
        "birthDate": "1974-12-25",
        "active": true,
    })
}

/// Evaluates on the example Patient, with it also readable as `Patient/example`.
async fn on_patient(expression: &str) -> Option<String> {
    let patient = patient();
    let scraped = scrape(
        &one_key(expression, ""),
        &patient,
        std::slice::from_ref(&patient),
    )
    .await;
    assert!(
        scraped.problems.is_empty(),
        "{expression}: {:?}",
        scraped.problems
    );
    scraped.get("value").map(str::to_owned)
}

#[tokio::test]
async fn path_navigation_flattens_collections() {
    // Spec §2: Patient.name.given gives every given name, in order (the
    // engine de-duplicates on output, keeping first occurrences).
    assert_eq!(
        on_patient("Patient.name.given").await.as_deref(),
        Some("Peter,James,Jim")
    );
    assert_eq!(
        on_patient("name.family").await.as_deref(),
        Some("Chalmers,Windsor")
    );
}

#[tokio::test]
async fn where_first_and_exists() {
    assert_eq!(
        on_patient("Patient.name.where(use = 'official').given.first()")
            .await
            .as_deref(),
        Some("Peter")
    );
    assert_eq!(
        on_patient("Patient.name.where(use = 'nickname').exists()")
            .await
            .as_deref(),
        Some("false")
    );
    assert_eq!(
        on_patient("name.exists(use = 'usual')").await.as_deref(),
        Some("true")
    );
}

#[tokio::test]
async fn iif_union_and_distinct() {
    assert_eq!(
        on_patient("iif(active, 'active', 'inactive')")
            .await
            .as_deref(),
        Some("active")
    );
    // §6.5: `|` merges without duplicates; union() is the same.
    assert_eq!(
        on_patient("(1 | 1 | 2).count()").await.as_deref(),
        Some("2")
    );
    assert_eq!(
        on_patient("name.select(use | given)").await.as_deref(),
        Some("official,Peter,James,usual,Jim,maiden")
    );
    assert_eq!(
        on_patient("name.given.distinct().count()").await.as_deref(),
        Some("3")
    );
}

#[tokio::test]
async fn string_concatenation_with_plus_and_ampersand() {
    // §6.6: `+` on an empty operand is empty, `&` treats it as ''.
    assert_eq!(on_patient("'ABC' + 'DEF'").await.as_deref(), Some("ABCDEF"));
    assert_eq!(on_patient("'ABC' + {}").await, None);
    assert_eq!(on_patient("'ABC' & {}").await.as_deref(), Some("ABC"));
    assert_eq!(
        on_patient("%base + '/Patient/' + id").await.as_deref(),
        Some(format!("{}/Patient/example", super::BASE).as_str())
    );
}

#[tokio::test]
async fn extension_lookups() {
    let url = "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName";
    assert_eq!(
        on_patient(&format!("extension.where(url = '{url}').value"))
            .await
            .as_deref(),
        Some("Windsor")
    );
    assert_eq!(
        on_patient(&format!("extension('{url}').value"))
            .await
            .as_deref(),
        Some("Windsor")
    );
}

#[tokio::test]
async fn primitives_render_canonically() {
    assert_eq!(on_patient("birthDate").await.as_deref(), Some("1974-12-25"));
    assert_eq!(on_patient("active").await.as_deref(), Some("true"));
    assert_eq!(on_patient("name.count() * 2").await.as_deref(), Some("6"));
    assert_eq!(on_patient("1.50 + 1").await.as_deref(), Some("2.50"));
}

#[tokio::test]
async fn resolve_reads_relative_references_and_contained_ones() {
    let observation = json!({
        "resourceType": "Observation", "id": "o1",
        "contained": [{"resourceType": "Practitioner", "id": "pr", "name": [{"family": "Careful"}]}],
        "subject": {"reference": "Patient/example"},
        "performer": [{"reference": "#pr"}],
    });
    let resources = [patient()];
    let scraped = scrape(
        &one_key(
            "subject.resolve().name.given.first() & ' ' & performer.resolve().name.family",
            "",
        ),
        &observation,
        &resources,
    )
    .await;
    assert_eq!(scraped.get("value"), Some("Peter Careful"));
    assert_eq!(scraped.fetched, ["Patient/example"]);
}

#[tokio::test]
async fn absolute_references_reach_the_source_as_written() {
    let observation = json!({
        "resourceType": "Observation", "id": "o1",
        "subject": {"reference": format!("{}/Patient/example", super::BASE)},
        "focus": [{"reference": "https://elsewhere.example/fhir/Patient/example"}],
    });
    let resources = [patient()];
    let schema = crate::scrape::Schema::from_yaml(
        "name: t\nversion: 1\nkeys:\n  here: { expression: subject.resolve().gender }\n  there: { expression: focus.resolve().gender }\n",
    )
    .expect("loads");
    let scraped = scrape(&schema, &observation, &resources).await;
    assert_eq!(scraped.get("here"), Some("male"));
    // The memory source refuses other hosts, as the FHIR client will.
    assert_eq!(scraped.get("there"), None);
    assert_eq!(scraped.problems.len(), 1);
    assert_eq!(scraped.problems[0].key, "there");
}
