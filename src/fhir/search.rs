//! Building search URLs whose value lists fit in a URL, and reading the
//! matches out of searchset Bundles.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::Value;

/// Search URLs are kept under this many bytes: many servers and proxies
/// refuse lines much over 4 KB.
pub const MAX_URL_BYTES: usize = 4000;

/// What must be escaped in one value of a query parameter. `,` is not in
/// it: it separates values (one inside a value is escaped as `\,`).
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'=')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// One value as it goes into a comma-separated list in a URL.
pub fn encode_value(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace(',', "\\,");
    utf8_percent_encode(&escaped, QUERY_VALUE).to_string()
}

/// Splits `values` into comma-joined, encoded lists of at most `max_values`
/// values and `max_bytes` bytes each (a single longer value goes alone).
pub fn chunk_values(values: &[String], max_values: usize, max_bytes: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut count = 0;
    for value in values {
        let encoded = encode_value(value);
        let needed = if count == 0 {
            encoded.len()
        } else {
            current.len() + 1 + encoded.len()
        };
        if count > 0 && (count == max_values.max(1) || needed > max_bytes) {
            chunks.push(std::mem::take(&mut current));
            count = 0;
        }
        if count > 0 {
            current.push(',');
        }
        current.push_str(&encoded);
        count += 1;
    }
    if count > 0 {
        chunks.push(current);
    }
    chunks
}

/// What a search answer was.
pub enum Page {
    /// A Bundle: its matches (not `_include`d or outcome entries) and the
    /// next page's link, if any.
    Bundle {
        matches: Vec<Value>,
        next: Option<String>,
    },
    /// Anything else, e.g. an OperationOutcome instead of results.
    NotABundle,
}

pub fn read_page(body: Value) -> Page {
    if body.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Page::NotABundle;
    }
    let next = body
        .get("link")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))
        .and_then(|l| l.get("url"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let matches = match body {
        Value::Object(mut bundle) => match bundle.remove("entry") {
            Some(Value::Array(entries)) => entries.into_iter().filter_map(a_match).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    Page::Bundle { matches, next }
}

fn a_match(entry: Value) -> Option<Value> {
    let mode = entry.pointer("/search/mode").and_then(Value::as_str);
    if !matches!(mode, None | Some("match")) {
        return None;
    }
    match entry {
        Value::Object(mut entry) => entry.remove("resource"),
        _ => None,
    }
}

/// `Type/id` of a resource, to drop duplicates across pages.
pub fn key_of(resource: &Value) -> Option<String> {
    let t = resource.get("resourceType")?.as_str()?;
    let id = resource.get("id")?.as_str()?;
    Some(format!("{t}/{id}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id-{i:04}")).collect()
    }

    #[test]
    fn chunks_respect_the_count() {
        let chunks = chunk_values(&ids(25), 10, MAX_URL_BYTES);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].split(',').count(), 10);
        assert_eq!(chunks[2].split(',').count(), 5);
        assert!(chunks[0].starts_with("id-0000,id-0001,"));
        assert!(chunk_values(&[], 10, MAX_URL_BYTES).is_empty());
    }

    #[test]
    fn chunks_respect_the_byte_budget() {
        let values = ids(1000);
        let chunks = chunk_values(&values, 1000, 100);
        assert!(chunks.iter().all(|c| c.len() <= 100), "{chunks:?}");
        let rejoined: Vec<&str> = chunks.iter().flat_map(|c| c.split(',')).collect();
        assert_eq!(
            rejoined,
            values.iter().map(String::as_str).collect::<Vec<_>>()
        );
        // A value bigger than the budget still goes, alone.
        let long = vec!["x".repeat(150), "y".into()];
        assert_eq!(chunk_values(&long, 10, 100).len(), 2);
    }

    #[test]
    fn values_are_escaped_but_references_stay_readable() {
        assert_eq!(encode_value("Patient/p-1"), "Patient/p-1");
        assert_eq!(encode_value("a,b"), "a%5C,b");
        assert_eq!(encode_value("x y&z=1#"), "x%20y%26z%3D1%23");
        assert_eq!(
            encode_value("http://loinc.org|1234-5"),
            "http://loinc.org|1234-5"
        );
    }

    #[test]
    fn pages_yield_matches_and_the_next_link() {
        let page = read_page(json!({
            "resourceType": "Bundle",
            "link": [{"relation": "self", "url": "s"}, {"relation": "next", "url": "n"}],
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "a"}, "search": {"mode": "match"}},
                {"resource": {"resourceType": "Patient", "id": "b"}},
                {"resource": {"resourceType": "Group", "id": "g"}, "search": {"mode": "include"}},
                {"resource": {"resourceType": "OperationOutcome"}, "search": {"mode": "outcome"}}
            ]
        }));
        let Page::Bundle { matches, next } = page else {
            panic!("a bundle")
        };
        assert_eq!(next.as_deref(), Some("n"));
        let keys: Vec<_> = matches.iter().filter_map(key_of).collect();
        assert_eq!(keys, ["Patient/a", "Patient/b"]);
        let outcome = json!({"resourceType": "OperationOutcome", "issue": []});
        assert!(matches!(read_page(outcome), Page::NotABundle));
    }
}
