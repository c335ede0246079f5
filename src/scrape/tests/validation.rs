//! Schemas that break a rule are refused with the path of what is wrong.

use crate::scrape::{Schema, SchemaError};

/// The schema with `keys:` replaced by `keys`, loaded.
fn load(head: &str, keys: &str) -> Result<Schema, SchemaError> {
    Schema::from_yaml(&format!("{head}\nkeys:\n{keys}"))
}

const HEAD: &str = "name: test\nversion: 1";

/// The error's path and message, or a panic if it loaded or failed otherwise.
fn refusal(result: Result<Schema, SchemaError>) -> (String, String) {
    match result {
        Err(SchemaError::Invalid { path, message }) => (path, message),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

fn key(name: &str, expression: &str) -> String {
    format!("  {name:?}:\n    expression: {expression:?}\n")
}

#[test]
fn a_well_formed_schema_loads_with_defaults() {
    let schema = load(HEAD, &key("case_id", "subject.reference")).expect("loads");
    let rule = &schema.keys["case_id"];
    assert_eq!(rule.join, ",");
    assert!(!rule.first);
    assert_eq!(schema.id(), "test@1");
}

#[test]
fn keys_with_a_dot_or_dollar_or_too_long_are_refused() {
    let (path, message) = refusal(load(HEAD, &key("a.b", "id")));
    assert_eq!(path, "keys.\"a.b\"");
    assert!(message.contains("'.' or '$'"), "{message}");

    let (path, _) = refusal(load(HEAD, &key("$x", "id")));
    assert_eq!(path, "keys.\"$x\"");

    let long = "k".repeat(101);
    let (path, message) = refusal(load(HEAD, &key(&long, "id")));
    assert_eq!(path, format!("keys.{long}"));
    assert!(message.contains("this one is 101"), "{message}");
    assert!(load(HEAD, &key(&"k".repeat(100), "id")).is_ok());
}

#[test]
fn a_bad_expression_is_refused_at_its_key_with_the_offset() {
    let expression = "subject.resolve().identifier.where(use = )";
    let error = load(HEAD, &key("case_id", expression)).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "keys.case_id.expression: unexpected ')' at 41"
    );
}

#[test]
fn an_undeclared_variable_is_refused_and_declared_ones_load() {
    let (path, message) = refusal(load(HEAD, &key("codes", "%conditions.code.coding.code")));
    assert_eq!(path, "keys.codes.expression");
    assert!(
        message.starts_with("unknown variable %conditions;"),
        "{message}"
    );

    let head = format!(
        "{HEAD}\nsearches:\n  conditions: {{ resource: Condition, param: subject, for: subject }}"
    );
    let schema = load(&head, &key("codes", "%conditions.code.coding.code")).expect("loads");
    assert_eq!(schema.keys["codes"].searches, ["conditions"]);
    // Built-ins and lambda variables need no declaration.
    load(
        HEAD,
        &key("url", "%base + '/x/' + %resource.id + %context.id"),
    )
    .expect("built-ins");
    load(
        HEAD,
        &key("x", "identifier.where($this.value.exists()).value"),
    )
    .expect("$this");
}

#[test]
fn searches_are_checked() {
    let with = |search: &str| {
        refusal(load(
            &format!("{HEAD}\nsearches:\n  {search}"),
            &key("k", "id"),
        ))
    };
    let (path, _) = with("found: { resource: condition, param: subject, for: subject }");
    assert_eq!(path, "searches.found.resource");
    let (path, _) = with("found: { resource: Condition, param: 'a b', for: subject }");
    assert_eq!(path, "searches.found.param");
    let (path, message) = with("found: { resource: Condition, param: subject, for: 'subject.' }");
    assert_eq!(path, "searches.found.for");
    assert!(
        message.starts_with("unexpected end of input at"),
        "{message}"
    );
    let (path, message) = with("base: { resource: Condition, param: subject, for: subject }");
    assert_eq!(path, "searches.base");
    assert!(message.contains("built in"), "{message}");
    // A search's `for` sees the built-ins only, not other searches.
    let (path, _) = with("found: { resource: Condition, param: subject, for: '%found' }");
    assert_eq!(path, "searches.found.for");
}

#[test]
fn too_many_keys_are_refused() {
    let keys: String = (0..1001).map(|i| key(&format!("k{i}"), "id")).collect();
    let (path, message) = refusal(load(HEAD, &keys));
    assert_eq!(path, "keys");
    assert_eq!(message, "1001 keys, at most 1000 are allowed");
}

#[test]
fn bad_names_and_versions_are_refused() {
    let keys = key("k", "id");
    for name in ["Kids", "", "a_b", &"n".repeat(65)] {
        let (path, _) = refusal(load(&format!("name: {name:?}\nversion: 1"), &keys));
        assert_eq!(path, "name", "{name:?}");
    }
    for version in ["0", "-3", "4294967296"] {
        let (path, message) = refusal(load(&format!("name: ok\nversion: {version}"), &keys));
        assert_eq!(
            (path.as_str(), message.as_str()),
            ("version", "must be a positive integer")
        );
    }
    let error = load("name: ok\nversion: two", &keys).expect_err("refused");
    assert!(matches!(error, SchemaError::Syntax(_)), "{error}");
}

#[test]
fn unknown_fields_and_empty_rules_are_refused() {
    let error = load(
        &format!("{HEAD}\nmatch: {{ fhir_version: ['4.0'] }}"),
        &key("k", "id"),
    )
    .expect_err("typo refused");
    assert!(error.to_string().contains("fhir_version"), "{error}");
    let (path, _) = refusal(load(
        &format!("{HEAD}\nmatch: {{ software: ['HAPI', ' '] }}"),
        &key("k", "id"),
    ));
    assert_eq!(path, "match.software[1]");
    let (path, _) = refusal(Schema::from_yaml(&format!("{HEAD}\nkeys: {{}}")));
    assert_eq!(path, "keys");
}
