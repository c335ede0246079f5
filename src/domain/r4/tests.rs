//! The R4 walk, one rule at a time: each case a DocumentReference broken in
//! one place, and the path and problem it is refused with.

use serde_json::{json, Value};

use super::check;

fn document() -> Value {
    json!({
        "resourceType": "DocumentReference",
        "id": "d1",
        "meta": {"versionId": "3", "lastUpdated": "2024-02-29T10:00:00.123+01:00",
                 "profile": ["https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/ncpi-drs-document-reference"],
                 "tag": [{"system": "urn:study", "code": "SD_1"}]},
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">A file</div>"},
        "contained": [{"resourceType": "Patient", "id": "p1", "birthDate": "2000-02-29",
                        "name": [{"given": ["Ada", "Marie"], "_given": [null, {"extension": [
                            {"url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier", "valueCode": "CL"}]}]}]}],
        "extension": [
            {"url": "https://example.org/sequencing", "extension": [
                {"url": "platform", "valueString": "Illumina"},
                {"url": "reads", "valueInteger": 1200},
                {"url": "paired", "valueBoolean": true}]}
        ],
        "status": "current",
        "_status": {"extension": [{"url": "https://example.org/note", "valueString": "as sent"}]},
        "docStatus": "final",
        "type": {"coding": [{"system": "https://includedcc.org/fhir/code-systems/data_types", "code": "Aligned-Reads"}], "text": "Aligned Reads"},
        "subject": {"reference": "#p1"},
        "date": "2024-05-01T12:00:00Z",
        "securityLabel": [{"text": "open"}],
        "content": [{"attachment": {"url": "drs://example.org/1", "size": 5_000_000_000u64,
                                    "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "creation": "2024"},
                     "format": {"code": "cram"}}],
        "context": {"period": {"start": "2023-12"}, "related": [{"reference": "Specimen/s1"}]}
    })
}

/// `document()` with the JSON Pointer `pointer` set to `value`, or
/// removed when `value` is `None`.
fn with(pointer: &str, value: Option<Value>) -> Value {
    let mut doc = document();
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer");
    let node = doc.pointer_mut(parent).expect("parent exists");
    match (node, value) {
        (Value::Object(o), Some(v)) => {
            o.insert(last.to_owned(), v);
        }
        (Value::Object(o), None) => {
            o.remove(last);
        }
        (Value::Array(a), Some(v)) => a[last.parse::<usize>().expect("index")] = v,
        (Value::Array(a), None) => {
            a.remove(last.parse::<usize>().expect("index"));
        }
        _ => panic!("{pointer} is not in an object or array"),
    }
    doc
}

fn verdict(doc: &Value) -> Result<(), String> {
    check(doc.as_object().expect("an object"))
}

#[track_caller]
fn refused(doc: &Value, expected: &str) {
    match verdict(doc) {
        Ok(()) => panic!("expected {expected:?}, but it passed"),
        Err(message) => assert_eq!(message, expected),
    }
}

#[test]
fn a_full_document_passes() {
    verdict(&document()).expect("valid R4");
}

#[test]
fn dates_must_be_on_the_calendar() {
    refused(
        &with("/contained/0/birthDate", Some(json!("2023-02-29"))),
        "contained[0].birthDate: \"2023-02-29\" is not a date on the calendar",
    );
    refused(
        &with("/date", Some(json!("2024-04-31T12:00:00Z"))),
        "date: \"2024-04-31T12:00:00Z\" is not a date on the calendar",
    );
    refused(
        &with("/date", Some(json!("2024-05-01"))),
        "date: \"2024-05-01\" is not a valid FHIR instant (such as 2024-05-01T12:00:00Z, with a time zone)",
    );
    refused(
        &with("/context/period/start", Some(json!("2024-05-01T12:00"))),
        "context.period.start: \"2024-05-01T12:00\" is not a valid FHIR dateTime \
         (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone)",
    );
    verdict(&with("/contained/0/birthDate", Some(json!("2000-02-29")))).expect("a leap day");
}

#[test]
fn complex_elements_must_have_their_json_shape() {
    refused(
        &with("/meta", Some(json!("v1"))),
        "meta: must be an object, got a string",
    );
    refused(
        &with("/meta", Some(json!([{"versionId": "1"}]))),
        "meta: must be an object, got an array",
    );
    refused(
        &with("/meta/profile", Some(json!("https://example.org/p"))),
        "meta.profile: must be an array, got a string",
    );
    refused(
        &with("/meta/versionId", Some(json!(3))),
        "meta.versionId: must be a string, got a number",
    );
    refused(&with("/meta", Some(json!({}))), "meta: must not be empty");
    refused(
        &with("/identifier", Some(json!([]))),
        "identifier: must not be an empty array",
    );
    refused(
        &with("/subject", Some(Value::Null)),
        "subject: must be an object, got null",
    );
}

#[test]
fn elements_r4_does_not_define_are_refused_with_their_path() {
    refused(
        &with("/sizeInBytes", Some(json!(1))),
        "sizeInBytes: unknown element: FHIR R4 DocumentReference has no element \"sizeInBytes\"",
    );
    refused(
        &with("/content/0/attachment/md5", Some(json!("x"))),
        "content[0].attachment.md5: unknown element: FHIR R4 Attachment has no element \"md5\"",
    );
    refused(
        &with("/meta/source2", Some(json!("x"))),
        "meta.source2: unknown element: FHIR R4 Meta has no element \"source2\"",
    );
}

#[test]
fn a_client_s_key_is_shown_shortened_and_escaped() {
    let key = format!("x\n{}", "k".repeat(100_000));
    let message = verdict(&with(&format!("/{key}"), Some(json!(1)))).expect_err("unknown");
    assert!(message.len() < 300, "{} bytes", message.len());
    assert!(message.starts_with("\"x\\nkkk"), "{message}");
}

#[test]
fn strings_and_urls_carry_no_control_characters() {
    refused(
        &with("/description", Some(json!("a\u{0}b"))),
        "description: contains the control character U+0000; FHIR text allows only tab, CR and LF",
    );
    refused(
        &with("/content/0/attachment/url", Some(json!("drs://example.org/\u{7}1"))),
        "content[0].attachment.url: contains the control character U+0007; FHIR text allows only tab, CR and LF",
    );
    refused(
        &with("/content/0/attachment/url", Some(json!("drs://example.org/a b"))),
        "content[0].attachment.url: \"drs://example.org/a b\" is not a valid FHIR url (no whitespace)",
    );
    verdict(&with(
        "/description",
        Some(json!("two\tlines\r\nand\u{a0}a space")),
    ))
    .expect("allowed");
}

#[test]
fn required_elements_and_codes_of_required_bindings() {
    refused(
        &with("/content/0/attachment", None),
        "content[0].attachment: required",
    );
    refused(
        &with("/status", Some(json!("active"))),
        "status: \"active\" is not one of current, superseded, entered-in-error",
    );
    refused(
        &with("/text/status", Some(json!("made-up"))),
        "text.status: \"made-up\" is not one of generated, extensions, additional, empty",
    );
    let mut no_status = with("/status", None);
    no_status.as_object_mut().expect("object").remove("_status");
    refused(&no_status, "status: required");
    // An extension on the primitive stands in for its value.
    verdict(&with("/status", None)).expect("_status counts");
}

#[test]
fn extensions_carry_a_url_and_either_one_value_or_extensions() {
    refused(
        &with("/extension/0/extension/0/url", None),
        "extension[0].extension[0].url: required",
    );
    refused(
        &with("/extension/0/extension/0/valueCode", Some(json!("x"))),
        "extension[0].extension[0].value[x]: one value only, got valueCode and valueString",
    );
    refused(
        &with("/extension/0/valueString", Some(json!("x"))),
        "extension[0]: an extension has either a value[x] or nested extensions, not both",
    );
    refused(
        &with("/extension/0/extension/1/valueInteger", None),
        "extension[0].extension[1]: an extension needs a value[x] or nested extensions",
    );
    refused(
        &with("/extension/0/extension/1/valueInteger", Some(json!(1.5))),
        "extension[0].extension[1].valueInteger: must be a whole number, got 1.5",
    );
    refused(
        &with(
            "/extension/0/extension/1/valueInteger",
            Some(json!(3_000_000_000u64)),
        ),
        "extension[0].extension[1].valueInteger: must be at most 2147483647, got 3000000000",
    );
    refused(
        &with("/extension", Some(json!({"url": "x", "valueString": "y"}))),
        "extension: must be an array, got an object",
    );
}

#[test]
fn contained_resources_are_resources_without_resources_of_their_own() {
    refused(
        &with("/contained/0", Some(json!({"id": "x"}))),
        "contained[0].resourceType: required",
    );
    refused(
        &with(
            "/contained/0",
            Some(json!({"resourceType": "Bogus", "id": "x"})),
        ),
        "contained[0].resourceType: \"Bogus\" is not a FHIR R4 resource type",
    );
    refused(
        &with("/contained/0", Some(json!("Patient/p1"))),
        "contained[0]: must be a resource (an object), got a string",
    );
    refused(
        &with(
            "/contained/0/contained",
            Some(json!([{"resourceType": "Patient", "id": "p2"}])),
        ),
        "contained[0].contained: a contained resource must not contain resources",
    );
    refused(
        &with("/contained/0/meta", Some(json!({"versionId": "1"}))),
        "contained[0].meta.versionId: a contained resource has no version of its own",
    );
    refused(
        &with("/contained/0/gender", Some(json!("femme"))),
        "contained[0].gender: \"femme\" is not one of male, female, other, unknown",
    );
}

#[test]
fn repeated_primitives_pair_with_their_extensions() {
    refused(
        &with("/contained/0/name/0/given/0", Some(Value::Null)),
        "contained[0].name[0]._given[0]: must not be null",
    );
    // A name part given only as an extension.
    verdict(&with("/contained/0/name/0/given/1", Some(Value::Null))).expect("paired");
}

#[test]
fn primitive_formats_follow_the_r4_expressions() {
    let cases = [
        ("/id", json!("a b"), "id: \"a b\" is not a valid FHIR id (1 to 64 characters of A-Z, a-z, 0-9, '-' and '.')"),
        ("/content/0/format/code", json!(" cram"), "content[0].format.code: \" cram\" is not a valid FHIR code (a code: no leading, trailing or double whitespace)"),
        ("/content/0/attachment/hash", json!("not base64!"), "content[0].attachment.hash: \"not base64!\" is not a valid FHIR base64Binary (base64 in groups of four)"),
        ("/content/0/attachment/size", json!(-1), "content[0].attachment.size: must not be negative, got -1"),
        ("/meta/profile/0", json!(""), "meta.profile[0]: must not be empty"),
        ("/text/div", json!("plain text"), "text.div: must be an XHTML <div> element"),
    ];
    for (pointer, value, expected) in cases {
        refused(&with(pointer, Some(value)), expected);
    }
}
