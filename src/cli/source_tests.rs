//! Format detection and line handling of `source`, on in-memory input.

use std::io::Cursor;

use super::*;

async fn read_all(input: &[u8]) -> Result<Vec<(Origin, String)>, CliError> {
    let mut documents =
        Documents::detect("test".into(), Box::new(Cursor::new(input.to_vec()))).await?;
    let mut all = Vec::new();
    while let Some(d) = documents.next().await? {
        all.push((d.origin, d.json));
    }
    Ok(all)
}

fn texts(all: &[(Origin, String)]) -> Vec<&str> {
    all.iter().map(|(_, json)| json.as_str()).collect()
}

#[tokio::test]
async fn ndjson_lines_are_sent_unchanged_and_blank_lines_skipped() {
    let input = b"\n{\"id\": \"a\"}\r\n   \n{\"id\":\"b\"}\nnot json\n{\"id\":\"c\"}";
    let all = read_all(input).await.expect("reads");
    assert_eq!(
        all,
        vec![
            (Origin::Line(2), r#"{"id": "a"}"#.to_owned()),
            (Origin::Line(4), r#"{"id":"b"}"#.to_owned()),
            (Origin::Line(5), "not json".to_owned()),
            (Origin::Line(6), r#"{"id":"c"}"#.to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_first_line_that_is_not_json_is_still_a_document() {
    let all = read_all(b"garbage\n{\"id\":\"b\"}\n").await.expect("reads");
    assert_eq!(texts(&all), vec!["garbage", r#"{"id":"b"}"#]);
}

#[tokio::test]
async fn a_pretty_printed_bundle_yields_its_entries_in_order() {
    let input = br#"{
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {"resource": {"resourceType": "DocumentReference", "id": "a"}},
    {"fullUrl": "urn:uuid:no-resource"},
    {"resource": {"resourceType": "DocumentReference", "id": "c"}}
  ]
}"#;
    let mut documents = Documents::detect("b".into(), Box::new(Cursor::new(input.to_vec())))
        .await
        .expect("detects");
    assert_eq!(documents.total(), Some(3));
    let mut all = Vec::new();
    while let Some(d) = documents.next().await.expect("next") {
        all.push((d.origin, d.json));
    }
    assert_eq!(
        all,
        vec![
            (
                Origin::Entry(0),
                r#"{"id":"a","resourceType":"DocumentReference"}"#.to_owned()
            ),
            (Origin::Entry(1), String::new()),
            (
                Origin::Entry(2),
                r#"{"id":"c","resourceType":"DocumentReference"}"#.to_owned()
            ),
        ]
    );
    assert_eq!(documents.bytes_read(), input.len() as u64);
}

#[tokio::test]
async fn ndjson_counts_the_bytes_read_as_it_goes() {
    let input = b"{\"id\":\"a\"}\r\n\n{\"id\":\"b\"}\n";
    let mut documents = Documents::detect("t".into(), Box::new(Cursor::new(input.to_vec())))
        .await
        .expect("detects");
    let first = documents.next().await.expect("next").expect("a document");
    assert_eq!(first.origin, Origin::Line(1));
    let second = documents.next().await.expect("next").expect("a document");
    assert_eq!(second.origin, Origin::Line(3));
    assert_eq!(documents.bytes_read(), input.len() as u64);
    assert_eq!(Origin::Line(3).to_string(), "line 3");
    assert_eq!(Origin::Entry(2).to_string(), "Bundle.entry[2]");
}

#[tokio::test]
async fn a_one_line_bundle_alone_is_a_bundle() {
    let input = br#"{"resourceType":"Bundle","entry":[{"resource":{"id":"a"}}]}
"#;
    let all = read_all(input).await.expect("reads");
    assert_eq!(texts(&all), vec![r#"{"id":"a"}"#]);
}

#[tokio::test]
async fn a_one_line_bundle_among_other_lines_is_an_ndjson_line() {
    let input = b"{\"resourceType\":\"Bundle\"}\n\n{\"id\":\"b\"}\n";
    let all = read_all(input).await.expect("reads");
    assert_eq!(
        all,
        vec![
            (Origin::Line(1), r#"{"resourceType":"Bundle"}"#.to_owned()),
            (Origin::Line(3), r#"{"id":"b"}"#.to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_pretty_printed_resource_is_one_document_sent_as_written() {
    let input = b"\n{\n  \"resourceType\": \"DocumentReference\",\n  \"id\": \"a\"\n}\n";
    let all = read_all(input).await.expect("reads");
    assert_eq!(
        texts(&all),
        vec!["{\n  \"resourceType\": \"DocumentReference\",\n  \"id\": \"a\"\n}"]
    );
}

#[tokio::test]
async fn a_truncated_first_line_falls_back_to_ndjson() {
    let input = b"\n{\"id\": \"a\"\n{\"id\":\"b\"}\n";
    let all = read_all(input).await.expect("reads");
    assert_eq!(
        all,
        vec![
            (Origin::Line(2), r#"{"id": "a""#.to_owned()),
            (Origin::Line(3), r#"{"id":"b"}"#.to_owned()),
        ]
    );
}

#[tokio::test]
async fn unusable_inputs_are_refused_with_the_reason() {
    for (input, expected) in [
        (&b""[..], "holds no documents"),
        (b"\n  \n", "holds no documents"),
        (b"[\n{\"id\":\"a\"}\n]\n", "not an object"),
        (b"{\"resourceType\":\"Bundle\"}", "no entries"),
        (
            b"{\"resourceType\":\"Bundle\",\"entry\":{}}",
            "must be an array",
        ),
    ] {
        let err = read_all(input).await.err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains(expected)),
            "{input:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn invalid_utf8_is_replaced_and_flagged() {
    let input = b"{\"title\":\"caf\xe9\"}\n";
    let mut documents = Documents::detect("t".into(), Box::new(Cursor::new(input.to_vec())))
        .await
        .expect("detects");
    let doc = documents.next().await.expect("reads").expect("a document");
    assert!(doc.lossy);
    assert_eq!(doc.json, "{\"title\":\"caf\u{fffd}\"}");
}
