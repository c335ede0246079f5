//! Tests of `document.rs`: one per rule, each checking the code and the path
//! named in the message.

use serde_json::{json, Value};

use super::*;

const KIDS_FIRST: &str = r#"{
  "resourceType": "DocumentReference",
  "id": "kf-GF-0A1B2C3D.cram",
  "meta": {"profile": ["https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/ncpi-drs-document-reference"]},
  "identifier": [{"system": "https://kf-api-dataservice.kidsfirstdrc.org/genomic-files/", "value": "GF_0A1B2C3D"}],
  "status": "current",
  "docStatus": "final",
  "type": {"coding": [{"system": "https://includedcc.org/fhir/code-systems/data_types", "code": "Aligned-Reads"}]},
  "subject": {"reference": "Patient/PT-ABC123"},
  "date": "2021-03-04T05:06:07.000Z",
  "author": [{"reference": "Organization/SD-XYZ"}],
  "custodian": {"reference": "Organization/kids-first"},
  "securityLabel": [{"coding": [{"code": "phs001138.c1"}]}],
  "content": [
    {
      "attachment": {
        "url": "drs://data.kidsfirstdrc.org/0e7a4ee9-4c16-4a3c-a44b-4ab6ff5e5c8e",
        "contentType": "application/octet-stream",
        "size": 5000000000,
        "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
        "title": "NA12878.final.cram"
      },
      "format": {"code": "cram"}
    },
    {
      "attachment": {"url": "drs://data.kidsfirstdrc.org/9a7c0b0e-index", "title": "NA12878.final.cram.crai"},
      "format": {"code": "crai"}
    }
  ],
  "context": {"related": [{"reference": "Specimen/BS-1"}]}
}"#;

fn minimal() -> Value {
    json!({
        "resourceType": "DocumentReference",
        "id": "doc-1",
        "status": "current",
        "content": [{"attachment": {"url": "https://example.org/files/report.pdf"}}]
    })
}

/// `minimal()` with `path` (dot-separated, numbers index arrays) set to
/// `value`, or removed when `value` is `None`.
fn with(path: &str, value: Option<Value>) -> Value {
    let mut doc = minimal();
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().expect("non-empty path");
    let mut node = &mut doc;
    for key in keys {
        node = match key.parse::<usize>() {
            Ok(i) => &mut node[i],
            Err(_) => &mut node[key],
        };
    }
    let object = node.as_object_mut().expect("path leads to an object");
    match value {
        Some(v) => {
            object.insert(last.to_owned(), v);
        }
        None => {
            object.remove(last);
        }
    }
    doc
}

fn sized(max_bytes: usize) -> DocumentPolicy {
    DocumentPolicy {
        max_bytes,
        ..DocumentPolicy::default()
    }
}

fn ok(doc: &Value) -> ValidDocument {
    let text = doc.to_string();
    validate_document_json(&text, &DocumentPolicy::default())
        .unwrap_or_else(|r| panic!("expected {text} to pass, got {r}"))
}

fn err_text(text: &str) -> Rejection {
    match validate_document_json(text, &DocumentPolicy::default()) {
        Ok(doc) => panic!("expected a rejection of {text}, got {doc:?}"),
        Err(r) => r,
    }
}

fn err(doc: &Value) -> Rejection {
    err_text(&doc.to_string())
}

/// Asserts an InvalidResource rejection of document "doc-1" whose message
/// starts with `prefix`.
fn assert_invalid(doc: &Value, prefix: &str) {
    let r = err(doc);
    assert_eq!(r.code, RejectionCode::InvalidResource, "{r}");
    assert_eq!(r.document_id.as_deref(), Some("doc-1"), "{r}");
    assert!(
        r.message.starts_with(prefix),
        "message {:?} should start with {prefix:?}",
        r.message
    );
}

// ---- accepted documents ----

#[test]
fn minimal_document() {
    let text = minimal().to_string();
    let doc = ok(&minimal());
    assert_eq!(
        doc,
        ValidDocument {
            id: "doc-1".into(),
            file_name: "report.pdf".into(),
            url: Some("https://example.org/files/report.pdf".into()),
            size: None,
            content_type: None,
            hashes: BTreeMap::new(),
            json: text,
        }
    );
}

#[test]
fn kids_first_document_with_drs_url_and_large_size() {
    let doc = validate_document_json(KIDS_FIRST, &DocumentPolicy::default()).expect("valid");
    assert_eq!(doc.id, "kf-GF-0A1B2C3D.cram");
    assert_eq!(doc.file_name, "NA12878.final.cram");
    assert_eq!(
        doc.url.as_deref(),
        Some("drs://data.kidsfirstdrc.org/0e7a4ee9-4c16-4a3c-a44b-4ab6ff5e5c8e")
    );
    assert_eq!(doc.size, Some(5_000_000_000));
    assert_eq!(
        doc.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(
        doc.hashes,
        BTreeMap::from([("sha1".to_owned(), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=".to_owned())])
    );
    // The JSON is kept byte for byte, whitespace and key order included.
    assert_eq!(doc.json, KIDS_FIRST);
}

#[test]
fn other_url_schemes_are_accepted() {
    for url in [
        "s3://bucket/path/to/file.bam",
        "gs://bucket/file.vcf.gz",
        "http://example.org/x",
        "ftp://ftp.example.org/pub/x.fa",
        "drs://dg.4503/0e7a4ee9",
        "drs://dg.4503:943200c3-271d-4a04-a2b6-040272239a64",
        "drs://dg.anv0/dg.4503:943200c3",
        "HTTPS://EXAMPLE.ORG/upper-case-scheme",
    ] {
        let doc = ok(&with("content.0.attachment.url", Some(json!(url))));
        assert_eq!(doc.url.as_deref(), Some(url));
    }
}

#[test]
fn schemes_nothing_can_fetch_are_refused_by_name() {
    for (url, scheme) in [
        ("javascript:alert(1)", "javascript"),
        ("data:text/html;base64,PGI+", "data"),
        ("file:///etc/passwd", "file"),
        ("vbscript:msgbox", "vbscript"),
        ("urn:uuid:0e7a4ee9-4c16-4a3c-a44b-4ab6ff5e5c8e", "urn"),
    ] {
        assert_invalid(
            &with("content.0.attachment.url", Some(json!(url))),
            &format!(
                "content[0].attachment.url: the scheme \"{scheme}\" cannot be fetched; \
                 allowed: drs, https, http, s3, gs, ftp"
            ),
        );
    }
    // The list is the operator's.
    let policy = DocumentPolicy {
        url_schemes: ["urn".to_owned()].into(),
        ..DocumentPolicy::default()
    };
    let urn = with("content.0.attachment.url", Some(json!("urn:uuid:1234")));
    assert!(validate_document_json(&urn.to_string(), &policy).is_ok());
    assert!(validate_document_json(&minimal().to_string(), &policy).is_err());
}

#[test]
fn size_up_to_u64_max_is_accepted() {
    let doc = ok(&with("content.0.attachment.size", Some(json!(u64::MAX))));
    assert_eq!(doc.size, Some(u64::MAX));
    let doc = ok(&with("content.0.attachment.size", Some(json!(0))));
    assert_eq!(doc.size, Some(0));
}

#[test]
fn extensions_are_allowed_and_unknown_elements_refused() {
    let mut doc = with("extension", Some(json!([{"url": "x", "valueString": "y"}])));
    doc["content"][0]["format"] = json!({"code": "pdf"});
    ok(&doc);
    doc["content"][0]["attachment"]["somethingNew"] = json!(42);
    assert_invalid(
        &doc,
        "content[0].attachment.somethingNew: unknown element: FHIR R4 Attachment has no element",
    );
}

#[test]
fn optional_elements_of_the_right_shape_are_accepted() {
    let mut doc = minimal();
    doc["docStatus"] = json!("amended");
    doc["subject"] = json!({"reference": "Patient/1", "display": "P"});
    doc["context"] = json!({"period": {"start": "2020-01-01"}});
    doc["author"] = json!([{"reference": "Practitioner/1"}, {"display": "Lab"}]);
    doc["custodian"] = json!({"reference": "Organization/1", "type": "Organization"});
    doc["date"] = json!("2024-05-01T12:00:00+02:00");
    let attachment = &mut doc["content"][0]["attachment"];
    attachment["contentType"] = json!("text/plain; charset=UTF-8");
    attachment["language"] = json!("en-GB");
    attachment["title"] = json!("Report");
    let v = ok(&doc);
    assert_eq!(v.content_type.as_deref(), Some("text/plain; charset=UTF-8"));
    assert_eq!(v.file_name, "Report");
}

#[test]
fn all_statuses_and_doc_statuses_are_accepted() {
    for status in ["current", "superseded", "entered-in-error"] {
        ok(&with("status", Some(json!(status))));
    }
    for doc_status in ["preliminary", "final", "amended", "entered-in-error"] {
        ok(&with("docStatus", Some(json!(doc_status))));
    }
}

#[test]
fn inline_data_is_accepted() {
    let doc = ok(&with(
        "content.0.attachment",
        Some(
            json!({"data": "aGVsbG8gd29ybGQ=", "contentType": "text/plain", "title": "hello.txt"}),
        ),
    ));
    assert_eq!(doc.url, None);
    assert_eq!(doc.file_name, "hello.txt");
    // FHIR allows whitespace between the base64 groups.
    ok(&with(
        "content.0.attachment",
        Some(json!({"data": "aGVs\nbG8g d29y\r\nbGQ="})),
    ));
}

#[test]
fn the_first_attachment_with_url_or_data_is_chosen() {
    let doc = with(
        "content",
        Some(json!([
            {"attachment": {"title": "no file here", "contentType": "text/plain"}},
            {"attachment": {"url": "https://example.org/second.txt", "size": 10, "hash": "AAAA"}},
            {"attachment": {"url": "https://example.org/third.txt", "size": 20}}
        ])),
    );
    let v = ok(&doc);
    assert_eq!(v.url.as_deref(), Some("https://example.org/second.txt"));
    assert_eq!(v.file_name, "second.txt");
    assert_eq!(v.size, Some(10));
    assert_eq!(v.content_type, None);
    assert_eq!(v.hashes.get("sha1").map(String::as_str), Some("AAAA"));
    // A file keeps these only in its document: read again, the same choice.
    let stored = AttachmentFields::of_stored(&v.json).expect("a stored document");
    assert_eq!(
        stored,
        AttachmentFields {
            url: v.url.clone(),
            size: v.size,
            content_type: v.content_type.clone(),
            hashes: v.hashes.clone(),
        }
    );
}

#[test]
fn a_stored_inline_attachment_reads_back_without_url() {
    let v = ok(&with(
        "content.0.attachment",
        Some(json!({"data": "aGVsbG8=", "contentType": "text/plain", "size": 5})),
    ));
    let stored = AttachmentFields::of_stored(&v.json).expect("a stored document");
    assert_eq!(stored.url, None);
    assert_eq!(stored.content_type.as_deref(), Some("text/plain"));
    assert_eq!(stored.size, Some(5));
    assert!(stored.hashes.is_empty());
    // What is not a validated document has no chosen attachment.
    assert_eq!(AttachmentFields::of_stored("{}"), None);
    assert_eq!(AttachmentFields::of_stored(r#"{"content": []}"#), None);
    assert_eq!(AttachmentFields::of_stored("not json"), None);
}

// ---- file names ----

fn name_for(attachment: Value) -> String {
    ok(&with("content.0.attachment", Some(attachment))).file_name
}

#[test]
fn title_wins_over_url() {
    assert_eq!(
        name_for(json!({"url": "https://x.org/a/b.bam", "title": "  Sample 1.bam  "})),
        "Sample 1.bam"
    );
}

#[test]
fn blank_title_falls_back_to_the_url() {
    assert_eq!(
        name_for(json!({"url": "https://x.org/a/b.bam", "title": "   "})),
        "b.bam"
    );
    assert_eq!(
        name_for(json!({"url": "https://x.org/a/b.bam", "title": "//\\"})),
        "b.bam"
    );
}

#[test]
fn url_name_is_the_last_non_empty_segment_percent_decoded() {
    assert_eq!(
        name_for(json!({"url": "s3://bucket/dir/My%20File%C3%A9.vcf.gz?x=1#y"})),
        "My Fileé.vcf.gz"
    );
    assert_eq!(name_for(json!({"url": "gs://bucket/dir/sub/"})), "sub");
    // An encoded slash is decoded and then dropped; bad escapes stay as-is.
    assert_eq!(
        name_for(json!({"url": "https://x.org/a%2Fb%zz%4"})),
        "ab%zz%4"
    );
    // Invalid UTF-8 after decoding does not panic.
    assert_eq!(
        name_for(json!({"url": "https://x.org/%FF.txt"})),
        "\u{fffd}.txt"
    );
}

#[test]
fn no_usable_name_falls_back_to_the_id() {
    assert_eq!(name_for(json!({"url": "https://x.org/"})), "doc-1");
    assert_eq!(name_for(json!({"url": "https://x.org/%2E%2E"})), "doc-1");
    assert_eq!(name_for(json!({"url": "s3://bucket"})), "doc-1");
    assert_eq!(name_for(json!({"url": "drs://dg.4503:abc"})), "doc-1");
    assert_eq!(name_for(json!({"data": "AAAA"})), "doc-1");
    let mut doc = with("content.0.attachment", Some(json!({"data": "AAAA"})));
    doc["id"] = json!("..");
    assert_eq!(ok(&doc).file_name, "document..");
}

#[test]
fn names_are_stripped_of_separators_and_control_characters() {
    assert_eq!(
        name_for(json!({"url": "https://x.org/f", "title": "../../etc/pa\\ss\twd\n"})),
        "....etcpasswd"
    );
    // Other control characters are not FHIR text at all.
    assert_invalid(
        &with(
            "content.0.attachment",
            Some(json!({"url": "https://x.org/f", "title": "pa\u{0}ss"})),
        ),
        "content[0].attachment.title: contains the control character U+0000",
    );
    assert_eq!(
        name_for(json!({"url": "https://x.org/f", "title": ".."})),
        "f"
    );
}

#[test]
fn names_are_capped_at_255_bytes_on_a_char_boundary() {
    let title = "é".repeat(200); // 400 bytes
    let name = name_for(json!({"url": "https://x.org/f", "title": title}));
    assert_eq!(name.len(), 254);
    assert!(name.chars().all(|c| c == 'é'));
    let title = "a".repeat(300);
    assert_eq!(
        name_for(json!({"url": "https://x.org/f", "title": title})).len(),
        255
    );
}

// ---- size, emptiness, JSON ----

#[test]
fn too_large() {
    let text = minimal().to_string();
    let r = validate_document_json(&text, &sized(text.len() - 1)).expect_err("too large");
    assert_eq!(r.code, RejectionCode::TooLarge);
    assert_eq!(
        r.message,
        format!(
            "resource is {} bytes; the limit is {}",
            text.len(),
            text.len() - 1
        )
    );
    assert!(validate_document_json(&text, &sized(text.len())).is_ok());
}

#[test]
fn huge_input_is_rejected_before_parsing() {
    let text = format!("[{}", "x".repeat(2_000_000));
    let r = err_text(&text);
    assert_eq!(r.code, RejectionCode::TooLarge);
    assert_eq!(r.message, "resource is 2000001 bytes; the limit is 1048576");
    assert_eq!(r.document_id, None);
}

#[test]
fn deeply_nested_json_does_not_overflow_the_stack() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = validate_document_json(&text, &sized(usize::MAX)).expect_err("too deep");
    assert_eq!(r.code, RejectionCode::InvalidJson);
}

#[test]
fn empty_input() {
    for text in ["", "  \n\t"] {
        let r = err_text(text);
        assert_eq!(r.code, RejectionCode::EmptyDocument);
        assert_eq!(r.message, "resource is empty");
    }
}

#[test]
fn truncated_json_reports_line_and_column() {
    let r = err_text("{\n  \"resourceType\": \"DocumentReference\",\n  \"id\": ");
    assert_eq!(r.code, RejectionCode::InvalidJson);
    assert!(
        r.message.starts_with("resource is not valid JSON: "),
        "{}",
        r.message
    );
    assert!(r.message.contains("line 3 column"), "{}", r.message);
    assert_eq!(r.document_id, None);
}

#[test]
fn syntax_errors_report_line_and_column() {
    let r = err_text("{\"a\": 1,}");
    assert_eq!(r.code, RejectionCode::InvalidJson);
    assert!(r.message.contains("line 1 column 9"), "{}", r.message);
    let r = err_text("{} trailing");
    assert_eq!(r.code, RejectionCode::InvalidJson);
}

#[test]
fn non_object_json() {
    for (text, got) in [
        ("[]", "an array"),
        ("\"DocumentReference\"", "a string"),
        ("42", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let r = err_text(text);
        assert_eq!(r.code, RejectionCode::InvalidJson);
        assert_eq!(
            r.message,
            format!("resource must be a JSON object, got {got}")
        );
    }
}

// ---- resourceType and id ----

#[test]
fn missing_resource_type() {
    let r = err(&with("resourceType", None));
    assert_eq!(r.code, RejectionCode::InvalidResource);
    assert_eq!(r.message, "resourceType: required");
    assert_eq!(r.document_id, None);
}

#[test]
fn wrong_resource_type() {
    // Named as a reference, so the portal can find what it sent.
    let r = err(&with("resourceType", Some(json!("Patient"))));
    assert_eq!(r.code, RejectionCode::WrongResourceType);
    assert_eq!(
        r.message,
        "resourceType: expected DocumentReference, got Patient/doc-1"
    );
    assert_eq!(r.document_id, None, "a Patient's id is no document's");
    let mut no_id = with("resourceType", Some(json!("Patient")));
    no_id.as_object_mut().expect("object").remove("id");
    assert_eq!(
        err(&no_id).message,
        "resourceType: expected DocumentReference, got Patient"
    );
    let mut bad_id = with("resourceType", Some(json!("Patient")));
    bad_id["id"] = json!("not an id!");
    assert_eq!(
        err(&bad_id).message,
        "resourceType: expected DocumentReference, got Patient"
    );
    let r = err(&with("resourceType", Some(json!("Doc Ref\n"))));
    assert_eq!(r.code, RejectionCode::WrongResourceType);
    assert_eq!(
        r.message,
        r#"resourceType: expected DocumentReference, got "Doc Ref\n""#
    );
    let r = err(&with("resourceType", Some(json!(7))));
    assert_eq!(r.code, RejectionCode::WrongResourceType);
    assert_eq!(
        r.message,
        "resourceType: expected DocumentReference, got a number"
    );
}

#[test]
fn missing_id() {
    let r = err(&with("id", None));
    assert_eq!(r.code, RejectionCode::InvalidResource);
    assert!(r.message.starts_with("id: required"), "{}", r.message);
    assert!(r.message.contains("re-import"), "{}", r.message);
    assert_eq!(r.document_id, None);
}

#[test]
fn malformed_ids() {
    let long = "a".repeat(65);
    for id in ["", "has space", "a/b", "ünïcode", long.as_str()] {
        let r = err(&with("id", Some(json!(id))));
        assert_eq!(r.code, RejectionCode::InvalidResource);
        assert!(r.message.starts_with("id: "), "{}", r.message);
        assert!(r.message.contains("not a valid FHIR id"), "{}", r.message);
        assert_eq!(r.document_id, None);
    }
    let r = err(&with("id", Some(json!(12))));
    assert_eq!(r.message, "id: must be a string, got a number");
    ok(&with("id", Some(json!("a".repeat(64)))));
    ok(&with("id", Some(json!("A-z.0"))));
}

#[test]
fn long_values_are_shortened_in_messages() {
    let r = err(&with("id", Some(json!("x ".repeat(1000)))));
    assert!(r.message.len() < 250, "{}", r.message);
    assert!(r.message.contains('…'), "{}", r.message);
}

// ---- status ----

#[test]
fn status_rules() {
    assert_invalid(&with("status", None), "status: required");
    assert_invalid(
        &with("status", Some(json!("final"))),
        r#"status: "final" is not one of current, superseded, entered-in-error"#,
    );
    assert_invalid(
        &with("status", Some(json!(1))),
        "status: must be a string, got a number",
    );
    assert_invalid(
        &with("docStatus", Some(json!("current"))),
        r#"docStatus: "current" is not one of preliminary, final, amended, entered-in-error"#,
    );
    assert_invalid(
        &with("docStatus", Some(Value::Null)),
        "docStatus: must be a string, got null",
    );
}

// ---- content and attachments ----

#[test]
fn content_structure() {
    assert_invalid(&with("content", None), "content: required");
    assert_invalid(
        &with("content", Some(json!({}))),
        "content: must be an array, got an object",
    );
    assert_invalid(
        &with("content", Some(json!([]))),
        "content: must not be an empty array",
    );
    let three = |third: Value| {
        with(
            "content",
            Some(json!([
                {"attachment": {"url": "https://x.org/a"}},
                {"attachment": {"url": "https://x.org/b"}},
                third
            ])),
        )
    };
    assert_invalid(
        &three(json!("x")),
        "content[2]: must be an object, got a string",
    );
    assert_invalid(
        &three(json!({"format": {"code": "pdf"}})),
        "content[2].attachment: required",
    );
    assert_invalid(
        &three(json!({"attachment": []})),
        "content[2].attachment: must be an object, got an array",
    );
}

#[test]
fn an_attachment_needs_url_or_data() {
    let doc = with(
        "content",
        Some(json!([{"attachment": {"title": "a"}}, {"attachment": {"title": "b"}}])),
    );
    let r = err(&doc);
    assert_eq!(r.code, RejectionCode::InvalidResource);
    assert_eq!(r.document_id.as_deref(), Some("doc-1"));
    assert_eq!(
        r.message,
        "content[0].attachment.url: required (an attachment needs url or data)"
    );
}

#[test]
fn urls_must_be_absolute_strings() {
    let at = |v: Value| with("content.0.attachment.url", Some(v));
    assert_invalid(
        &at(json!(5)),
        "content[0].attachment.url: must be a string, got a number",
    );
    assert_invalid(
        &at(json!("")),
        "content[0].attachment.url: must not be empty",
    );
    for bad in ["files/report.pdf", "/abs/path", "https://"] {
        assert_invalid(
            &at(json!(bad)),
            &format!("content[0].attachment.url: {bad:?} is not an absolute URL ("),
        );
    }
    for spaced in ["drs://dg 4503:abc", "drs://a:b c"] {
        assert_invalid(
            &at(json!(spaced)),
            &format!(
                "content[0].attachment.url: {spaced:?} is not a valid FHIR url (no whitespace)"
            ),
        );
    }
}

#[test]
fn every_attachment_is_checked_not_only_the_chosen_one() {
    let doc = with(
        "content",
        Some(json!([
            {"attachment": {"url": "https://x.org/a"}},
            {"attachment": {"url": "https://x.org/b", "size": -1}}
        ])),
    );
    assert_invalid(
        &doc,
        "content[1].attachment.size: must not be negative, got -1",
    );
    let doc = with(
        "content",
        Some(json!([
            {"attachment": {"url": "https://x.org/a"}},
            {"attachment": {"url": "not a url"}}
        ])),
    );
    assert_invalid(&doc, "content[1].attachment.url: ");
}

#[test]
fn data_must_be_base64() {
    let at = |v: Value| with("content.0.attachment", Some(json!({"data": v})));
    assert_invalid(
        &at(json!("not base64!")),
        "content[0].attachment.data: \"not base64!\" is not a valid FHIR base64Binary",
    );
    assert_invalid(
        &at(json!("aGVsbG8")),
        "content[0].attachment.data: \"aGVsbG8\" is not a valid FHIR base64Binary",
    );
    // Groups of four that still do not decode.
    assert_invalid(
        &at(json!("a===")),
        "content[0].attachment.data: not valid base64 (",
    );
    assert_invalid(
        &at(json!([1, 2])),
        "content[0].attachment.data: must be a string, got an array",
    );
    assert_invalid(
        &at(json!("")),
        "content[0].attachment.data: must not be empty",
    );
}

#[test]
fn size_must_be_a_non_negative_whole_json_number() {
    let at = |v: Value| with("content.0.attachment.size", Some(v));
    assert_invalid(
        &at(json!(-5)),
        "content[0].attachment.size: must not be negative, got -5",
    );
    assert_invalid(
        &at(json!(-0.5)),
        "content[0].attachment.size: must not be negative",
    );
    assert_invalid(
        &at(json!(1.5)),
        "content[0].attachment.size: must be a whole number of bytes, got 1.5",
    );
    assert_invalid(
        &at(json!(10.0)),
        "content[0].attachment.size: must be a whole number of bytes, got 10.0",
    );
    assert_invalid(
        &at(json!("123")),
        "content[0].attachment.size: must be a JSON number (a whole number of bytes), got a string",
    );
    assert_invalid(
        &at(Value::Null),
        "content[0].attachment.size: must be a JSON number",
    );
    for too_big in ["18446744073709551616", "184467440737095516150"] {
        let r = err_text(
            &minimal()
                .to_string()
                .replace("\"url\":", &format!("\"size\":{too_big},\"url\":")),
        );
        assert_eq!(r.code, RejectionCode::InvalidResource);
        assert!(
            r.message.starts_with("content[0].attachment.size: ") && r.message.contains("larger"),
            "{}",
            r.message
        );
    }
}

#[test]
fn hash_must_be_base64() {
    let at = |v: Value| with("content.0.attachment.hash", Some(v));
    assert_invalid(
        &at(json!("da39a3ee5e6b4b0d3255bfef95601890afd80709!")),
        "content[0].attachment.hash: \"da39a3ee5e6b4b0d3255bfef95601890afd80709!\" is not a valid FHIR base64Binary",
    );
    assert_invalid(
        &at(json!(1)),
        "content[0].attachment.hash: must be a string, got a number",
    );
    assert_invalid(
        &at(json!("")),
        "content[0].attachment.hash: must not be empty",
    );
}

#[test]
fn content_type_must_be_a_media_type() {
    let at = |v: Value| with("content.0.attachment.contentType", Some(v));
    for good in [
        "application/pdf",
        "application/vnd.ga4gh.htsget.v1.0.0+json",
        "text/plain;charset=utf-8",
        "text/plain; charset=\"utf-8\"; format=flowed",
        "text/plain;",
    ] {
        ok(&at(json!(good)));
    }
    for bad in [
        "pdf",
        "text/",
        "/plain",
        "text/plain/x",
        "text plain/x",
        "text/plain; charset",
        "text/plain; =x",
    ] {
        assert_invalid(
            &at(json!(bad)),
            &format!("content[0].attachment.contentType: {bad:?} is not a media type"),
        );
    }
    assert_invalid(
        &at(json!(true)),
        "content[0].attachment.contentType: must be a string, got a boolean",
    );
}

#[test]
fn title_and_language_must_be_strings() {
    assert_invalid(
        &with("content.0.attachment.title", Some(json!(["a"]))),
        "content[0].attachment.title: must be a string, got an array",
    );
    assert_invalid(
        &with("content.0.attachment.language", Some(json!({}))),
        "content[0].attachment.language: must be a string, got an object",
    );
}

// ---- other elements ----

#[test]
fn reference_shaped_elements() {
    assert_invalid(
        &with("subject", Some(json!("Patient/1"))),
        "subject: must be an object, got a string",
    );
    assert_invalid(
        &with("subject", Some(json!({"reference": 1}))),
        "subject.reference: must be a string, got a number",
    );
    assert_invalid(
        &with("context", Some(json!([]))),
        "context: must be an object, got an array",
    );
    assert_invalid(
        &with("author", Some(json!({}))),
        "author: must be an array, got an object",
    );
    assert_invalid(
        &with(
            "author",
            Some(json!([{"reference": "Practitioner/1"}, "Org/2"])),
        ),
        "author[1]: must be an object, got a string",
    );
    assert_invalid(
        &with("author", Some(json!([{"display": false}]))),
        "author[0].display: must be a string, got a boolean",
    );
    assert_invalid(
        &with("custodian", Some(json!([]))),
        "custodian: must be an object, got an array",
    );
}

#[test]
fn date_must_look_like_an_instant() {
    assert_invalid(
        &with("date", Some(json!(20240501))),
        "date: must be a string, got a number",
    );
    for bad in [
        "yesterday",
        "2024-5-1",
        "01-05-2024",
        "2024-13-01",
        "2024-01-00",
        "2024",
    ] {
        assert_invalid(
            &with("date", Some(json!(bad))),
            &format!(
                "date: {bad:?} is not a valid FHIR instant (such as 2024-05-01T12:00:00Z, with a time zone)"
            ),
        );
    }
    // R4 instants carry a time and a zone, and name a day on the calendar.
    for bad in ["2024-05-01", "2024-05-01T12:00:00"] {
        assert_invalid(
            &with("date", Some(json!(bad))),
            &format!("date: {bad:?} is not a valid FHIR instant"),
        );
    }
    assert_invalid(
        &with("date", Some(json!("2023-02-29T12:00:00Z"))),
        "date: \"2023-02-29T12:00:00Z\" is not a date on the calendar",
    );
    ok(&with("date", Some(json!("2024-02-29T23:59:60.123-03:30"))));
}

// ---- references ----

#[test]
fn parse_reference_accepts_document_references() {
    assert_eq!(
        document_reference_id("DocumentReference/abc-1.2"),
        Ok("abc-1.2".to_owned())
    );
    let long = format!("DocumentReference/{}", "a".repeat(64));
    assert_eq!(document_reference_id(&long), Ok("a".repeat(64)));
}

#[test]
fn parse_reference_rejects_everything_else() {
    let long = format!("DocumentReference/{}", "a".repeat(65));
    for bad in [
        "",
        "abc",
        "DocumentReference/",
        "DocumentReference",
        "Patient/abc",
        "documentreference/abc",
        "DocumentReference/a/b",
        "DocumentReference/a b",
        " DocumentReference/abc",
        "DocumentReference/abc ",
        "https://fhir.example.org/DocumentReference/abc",
        "DocumentReference/abc/_history/2",
        long.as_str(),
    ] {
        let r = document_reference_id(bad).expect_err(bad);
        assert_eq!(r.code, RejectionCode::InvalidReference);
        assert_eq!(r.document_id, None);
        assert!(
            r.message.contains("DocumentReference/{id}"),
            "{}",
            r.message
        );
    }
    assert_eq!(
        document_reference_id("Patient/1")
            .expect_err("wrong type")
            .message,
        "reference \"Patient/1\" is not of the form DocumentReference/{id}, \
         where the id is 1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'"
    );
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "{",
        "}",
        "{\"resourceType\":null}",
        "{\"resourceType\":\"DocumentReference\",\"id\":\"x\",\"status\":\"current\",\"content\":[null]}",
        "{\"resourceType\":\"DocumentReference\",\"id\":\"x\",\"status\":\"current\",\"content\":[{\"attachment\":null}]}",
        "\u{feff}{}",
        "\"\\ud800\"",
    ] {
        let _ = validate_document_json(text, &DocumentPolicy::default());
    }
}

// ---- the shipped samples ----

#[test]
fn the_samples_hold_what_the_readme_says() {
    // README's tour: one of the eight documents is invalid (no status).
    let verdicts: Vec<Result<ValidDocument, Rejection>> =
        include_str!("../../samples/document-references.ndjson")
            .lines()
            .map(|line| validate_document_json(line, &DocumentPolicy::default()))
            .collect();
    assert_eq!(verdicts.len(), 8);
    let refused: Vec<&Rejection> = verdicts.iter().filter_map(|v| v.as_ref().err()).collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].message, "status: required");
    // The Bundle's documents are all valid R4.
    let bundle: Value =
        serde_json::from_str(include_str!("../../samples/bundle.json")).expect("a Bundle");
    let entries = bundle["entry"].as_array().expect("entries");
    assert!(!entries.is_empty());
    for entry in entries {
        let text = entry["resource"].to_string();
        if let Err(r) = validate_document_json(&text, &DocumentPolicy::default()) {
            panic!("{r}: {text}");
        }
    }
}
