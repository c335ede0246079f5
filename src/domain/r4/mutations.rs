//! Documents as portals break them: a valid DocumentReference with one
//! element changed at random (another JSON type, an element R4 lacks, one
//! removed, a control character, a day not on the calendar, a second
//! value[x], an array where one value goes or the other way round…), for
//! the validator's property tests.

use proptest::prelude::*;
use serde_json::{json, Value};

/// Valid documents to start from: plain, and one using most of what R4
/// lets a DocumentReference carry.
pub fn bases() -> Vec<Value> {
    vec![
        json!({
            "resourceType": "DocumentReference",
            "id": "doc-1",
            "status": "current",
            "content": [{"attachment": {"url": "https://example.org/files/report.pdf"}}]
        }),
        json!({
            "resourceType": "DocumentReference",
            "id": "kf-GF-1.cram",
            "meta": {"versionId": "2", "lastUpdated": "2024-02-29T10:00:00.5+01:00",
                     "profile": ["https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/ncpi-drs-document-reference"],
                     "tag": [{"system": "https://kf-api-dataservice.kidsfirstdrc.org/studies/", "code": "SD_1"}]},
            "contained": [{"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "2000-02-29",
                           "name": [{"family": "Lovelace", "given": ["Ada"]}]}],
            "extension": [{"url": "https://example.org/seq", "extension": [
                {"url": "platform", "valueString": "Illumina"},
                {"url": "reads", "valueInteger": 1200}]},
                {"url": "https://example.org/flag", "valueBoolean": true}],
            "identifier": [{"use": "official", "system": "https://example.org/files/", "value": "GF_1"}],
            "status": "current",
            "docStatus": "final",
            "type": {"coding": [{"system": "https://includedcc.org/fhir/code-systems/data_types",
                                 "code": "Aligned-Reads", "display": "Aligned Reads"}]},
            "category": [{"coding": [{"system": "https://includedcc.org/fhir/code-systems/experimental_strategies", "code": "WGS"}]}],
            "subject": {"reference": "Patient/PT-1"},
            "date": "2021-03-04T05:06:07.000Z",
            "author": [{"reference": "Organization/SD-1", "display": "Study"}],
            "description": "Aligned reads",
            "securityLabel": [{"coding": [{"system": "https://includedcc.org/fhir/code-systems/data_access_types", "code": "Controlled"}]},
                              {"text": "phs001138.c1"}],
            "content": [{"attachment": {"url": "drs://data.example.org/0e7a4ee9", "contentType": "application/octet-stream",
                                        "size": 5_000_000_000u64, "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
                                        "title": "NA12878.cram", "creation": "2021-03-04"},
                         "format": {"code": "cram"}}],
            "context": {"period": {"start": "2020-01", "end": "2021-03-04T05:06:07Z"},
                        "related": [{"reference": "Specimen/BS-1"}]}
        }),
    ]
}

/// Every JSON Pointer into `value`, the root excepted.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

/// What to do at the chosen place.
#[derive(Debug, Clone)]
pub enum Mutation {
    Replace(Value),
    Remove,
    AddElement(String),
    InsertControl(char),
    /// Other text of the kind already there (a date, a URL, a word),
    /// chosen by the number.
    Text(usize),
    WrapInArray,
    Unwrap,
    SecondValue,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop_oneof![
        Just(json!("x")),
        Just(json!("")),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(3_000_000_000u64)),
        Just(json!(true)),
        Just(Value::Null),
        Just(json!([])),
        Just(json!({})),
        Just(json!(["x"])),
        Just(json!({"x": 1})),
    ];
    prop_oneof![
        3 => replacement.prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        2 => prop_oneof![Just("bogus"), Just("sizeInBytes"), Just("_status"), Just("valueString"), Just("extension")]
            .prop_map(|k| Mutation::AddElement(k.to_owned())),
        2 => prop_oneof![Just('\u{0}'), Just('\u{7}'), Just('\u{1b}'), Just('\u{7f}'), Just('\u{b}')]
            .prop_map(Mutation::InsertControl),
        3 => any::<usize>().prop_map(Mutation::Text),
        1 => Just(Mutation::WrapInArray),
        1 => Just(Mutation::Unwrap),
        1 => Just(Mutation::SecondValue),
    ]
}

/// A base document with one mutation at a place chosen by `place`.
pub fn mutated() -> impl Strategy<Value = Value> {
    (0..bases().len(), any::<prop::sample::Index>(), mutation())
        .prop_map(|(base, place, mutation)| apply(base, place, mutation))
}

fn apply(base: usize, place: prop::sample::Index, mutation: Mutation) -> Value {
    let mut doc = bases().swap_remove(base);
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    // Text goes where text is, so that dates get impossible days and URLs
    // odd schemes rather than every change landing on an object.
    if matches!(mutation, Mutation::Text(_) | Mutation::InsertControl(_)) {
        all.retain(|p| doc.pointer(p).is_some_and(Value::is_string));
    }
    let pointer = place.get(&all).clone();
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", ""));
    match mutation {
        Mutation::Replace(v) => set(&mut doc, &pointer, v),
        Mutation::Remove => match doc.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(last);
            }
            Some(Value::Array(items)) => {
                if let Ok(i) = last.parse::<usize>() {
                    items.remove(i);
                }
            }
            _ => {}
        },
        Mutation::AddElement(key) => {
            let target = match doc.pointer(&pointer) {
                Some(Value::Object(_)) => pointer.clone(),
                _ => parent.to_owned(),
            };
            if let Some(Value::Object(map)) = doc.pointer_mut(&target) {
                map.insert(key, json!("added"));
            }
        }
        Mutation::InsertControl(c) => {
            if let Some(Value::String(s)) = doc.pointer_mut(&pointer) {
                let at = s.len() / 2;
                let at = (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                s.insert(at, c);
            }
        }
        Mutation::Text(choice) => {
            let current = doc.pointer(&pointer).and_then(Value::as_str).unwrap_or("");
            let choices = texts_like(current);
            let text = choices[choice % choices.len()];
            set(&mut doc, &pointer, json!(text));
        }
        Mutation::WrapInArray => {
            if let Some(v) = doc.pointer(&pointer).cloned() {
                set(&mut doc, &pointer, json!([v]));
            }
        }
        Mutation::Unwrap => {
            if let Some(Value::Array(items)) = doc.pointer(&pointer).cloned() {
                if let Some(first) = items.into_iter().next() {
                    set(&mut doc, &pointer, first);
                }
            }
        }
        Mutation::SecondValue => {
            let target = match doc.pointer(&pointer) {
                Some(Value::Object(_)) => pointer.clone(),
                _ => parent.to_owned(),
            };
            if let Some(Value::Object(map)) = doc.pointer_mut(&target) {
                map.insert("valueCode".to_owned(), json!("second"));
            }
        }
    }
    doc
}

/// Texts a portal might send instead of `current`: of the same shape, and
/// wrong in the way that shape goes wrong.
fn texts_like(current: &str) -> &'static [&'static str] {
    let date_like = current.len() >= 4 && current.bytes().take(4).all(|b| b.is_ascii_digit());
    if date_like && current.contains('T') {
        &[
            "2023-02-29T05:06:07Z",
            "2024-04-31T10:00:00+01:00",
            "2024-05-01T10:00",
            "2024-05-01T25:00:00Z",
            "2024-05-01",
            "2024-02-29T23:59:60.5-03:30",
        ]
    } else if date_like {
        &[
            "2023-02-29",
            "2024-04-31",
            "2024-13",
            "2024-00-10",
            "24-05-01",
            "2024-02-29",
            "2024",
        ]
    } else if current.contains(':') {
        &[
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "urn:uuid:1",
            "drs://a b",
            "HTTPS://EXAMPLE.ORG/x",
            "relative/path",
        ]
    } else {
        &[
            "a b", " lead", "trail ", "Bogus", "current", "final", "x\u{a0}y", "", "male",
        ]
    }
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = value;
    }
}
