//! Picking the shipped schema that fits a server's CapabilityStatement.

use serde_json::{json, Value};

use crate::scrape::{builtin_schemas, pick, Schema};

const NCPI_IG: &str =
    "https://ncpi-fhir.github.io/ncpi-fhir-ig/ImplementationGuide/NCPI-FHIR-Implementation-Guide";

fn capability(fhir_version: &str, guides: &[&str]) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "fhirVersion": fhir_version,
        "software": {"name": "SEKMET FHIR R4 Tester", "version": "0.1.0"},
        "implementationGuide": guides,
        "rest": [{"mode": "server", "resource": [
            {"type": "Patient", "profile": "http://hl7.org/fhir/StructureDefinition/Patient"},
            {"type": "DocumentReference", "supportedProfile": [
                "https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/ncpi-drs-document-reference|0.1.0"
            ]},
        ]}],
    })
}

#[test]
fn a_plain_r4_server_gets_the_generic_schema() {
    let schemas = builtin_schemas();
    let (schema, reason) = pick(&schemas, &capability("4.0.1", &[])).expect("fits");
    assert_eq!(schema.name, "generic-r4");
    assert_eq!(reason.to_string(), "fhirVersion 4.0.1 matches 4.0");
}

#[test]
fn a_server_declaring_the_ncpi_guide_gets_the_kids_first_schema() {
    let schemas = builtin_schemas();
    let statement = capability("4.0.1", &[&format!("{NCPI_IG}|0.1.0")]);
    let (schema, reason) = pick(&schemas, &statement).expect("fits");
    assert_eq!(schema.name, "ncpi-kids-first");
    assert_eq!(
        reason.to_string(),
        format!("fhirVersion 4.0.1 matches 4.0; implementationGuide {NCPI_IG} declared")
    );
    // The generic schema fits too, but less specifically.
    let generic = schemas
        .iter()
        .find(|s| s.name == "generic-r4")
        .expect("shipped");
    assert_eq!(generic.score(&statement).expect("fits").specificity(), 1);
}

#[test]
fn an_r5_server_gets_none() {
    let schemas = builtin_schemas();
    assert!(pick(&schemas, &capability("5.0.0", &[NCPI_IG])).is_none());
    assert!(pick(&schemas, &capability("4.01", &[])).is_none());
    assert!(pick(&schemas, &json!({"resourceType": "CapabilityStatement"})).is_none());
}

fn schema(name: &str, version: u32, rules: &str) -> Schema {
    Schema::from_yaml(&format!(
        "name: {name}\nversion: {version}\nmatch: {rules}\nkeys:\n  k: {{ expression: id }}\n"
    ))
    .expect("loads")
}

#[test]
fn rules_are_all_required_and_ties_go_by_name_then_newest_version() {
    let statement = capability("4.0.1", &[]);
    let schemas = [
        schema("zeta", 1, "{ software: ['sekmet'] }"),
        schema("alpha", 1, "{ software: ['SEKMET'] }"),
        schema("alpha", 2, "{ software: ['tester'] }"),
        schema("any", 1, "{}"),
        schema(
            "strict",
            1,
            "{ software: ['sekmet'], profiles: ['https://nowhere.example/p'] }",
        ),
    ];
    let (picked, reason) = pick(&schemas, &statement).expect("fits");
    assert_eq!(picked.id(), "alpha@2");
    assert_eq!(
        reason.to_string(),
        "software \"SEKMET FHIR R4 Tester\" contains \"tester\""
    );
    assert!(schemas[4].score(&statement).is_none());
    assert_eq!(
        schemas[3]
            .score(&statement)
            .expect("fits anything")
            .to_string(),
        "no match rules: fits any server"
    );
    let profile = schema(
        "profiled",
        1,
        "{ profiles: ['https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/ncpi-drs-document-reference'] }",
    );
    assert!(profile.score(&statement).is_some());
}
