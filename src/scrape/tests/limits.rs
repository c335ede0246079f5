//! Value and pair limits: long values are cut with a marker and reported;
//! a schema of the most keys allowed yields that many pairs.

use serde_json::json;

use super::{one_key, scrape};
use crate::scrape::{ProblemKind, Schema, MAX_KEYS, MAX_VALUE_BYTES, TRUNCATION_MARKER};

#[tokio::test]
async fn a_long_value_is_cut_on_a_char_boundary_and_reported() {
    // 'ü' is two bytes; after the one-byte 'x' every cut at an even offset
    // lands inside a character.
    let description = format!("x{}", "ü".repeat(400));
    let document =
        json!({"resourceType": "DocumentReference", "id": "d", "description": description});
    let scraped = scrape(&one_key("description", ""), &document, &[]).await;
    let value = scraped.get("value").expect("value kept");
    assert!(value.len() <= MAX_VALUE_BYTES, "{} bytes", value.len());
    assert_eq!(value, format!("x{}{TRUNCATION_MARKER}", "ü".repeat(142)));
    assert_eq!(scraped.problems.len(), 1);
    assert_eq!(scraped.problems[0].key, "value");
    assert_eq!(scraped.problems[0].kind, ProblemKind::Truncated);
}

#[tokio::test]
async fn joining_several_values_can_overflow_too() {
    let identifier: Vec<_> = (0..40)
        .map(|i| json!({"value": format!("identifier-{i:03}")}))
        .collect();
    let document =
        json!({"resourceType": "DocumentReference", "id": "d", "identifier": identifier});
    let scraped = scrape(&one_key("identifier.value", ""), &document, &[]).await;
    let value = scraped.get("value").expect("value kept");
    assert!(value.starts_with("identifier-000,identifier-001,"));
    assert!(value.ends_with(TRUNCATION_MARKER));
    assert!(value.len() <= MAX_VALUE_BYTES);
}

#[tokio::test]
async fn the_most_keys_allowed_yield_that_many_pairs() {
    let keys: String = (0..MAX_KEYS)
        .map(|i| format!("  k{i:04}:\n    expression: \"id + '-{i}'\"\n"))
        .collect();
    let schema =
        Schema::from_yaml(&format!("name: wide\nversion: 1\nkeys:\n{keys}")).expect("loads");
    let document = json!({"resourceType": "DocumentReference", "id": "d"});
    let scraped = scrape(&schema, &document, &[]).await;
    assert_eq!(scraped.pairs.len(), MAX_KEYS);
    assert_eq!(scraped.pairs[0], ("k0000".to_owned(), "d-0".to_owned()));
    assert_eq!(scraped.pairs[999], ("k0999".to_owned(), "d-999".to_owned()));
    // One more is refused at load, so no document can exceed the cap.
    let more = format!("name: wide\nversion: 1\nkeys:\n{keys}  k1000:\n    expression: id\n");
    assert!(Schema::from_yaml(&more).is_err());
}

#[tokio::test]
async fn empty_values_and_duplicates_are_dropped_and_empty_keys_omitted() {
    let document = json!({
        "resourceType": "DocumentReference", "id": "d",
        "identifier": [{"value": "b"}, {"value": ""}, {"value": "a"}, {"value": "b"}],
    });
    let scraped = scrape(&one_key("identifier.value", ""), &document, &[]).await;
    assert_eq!(scraped.get("value"), Some("b,a"));
    let scraped = scrape(&one_key("description", ""), &document, &[]).await;
    assert!(scraped.pairs.is_empty());
    assert!(scraped.problems.is_empty());
}

#[tokio::test]
async fn join_and_first_shape_several_values() {
    let document = json!({
        "resourceType": "DocumentReference", "id": "d",
        "identifier": [{"value": "b"}, {"value": "a"}],
    });
    let yaml = "name: t\nversion: 1\nkeys:\n  all: { expression: identifier.value, join: ' | ' }\n  one: { expression: identifier.value, first: true }\n";
    let schema = Schema::from_yaml(yaml).expect("loads");
    let scraped = scrape(&schema, &document, &[]).await;
    assert_eq!(scraped.get("all"), Some("b | a"));
    assert_eq!(scraped.get("one"), Some("b"));
}

#[tokio::test]
async fn complex_values_are_skipped_and_reported() {
    let document = json!({
        "resourceType": "DocumentReference", "id": "d",
        "type": {"coding": [{"code": "x"}], "text": "X"},
    });
    let scraped = scrape(&one_key("type.coding | type.text", ""), &document, &[]).await;
    assert_eq!(scraped.get("value"), Some("X"));
    assert_eq!(scraped.problems[0].kind, ProblemKind::NotPrimitive(1));
}
