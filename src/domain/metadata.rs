//! Checks of the free-form metadata a portal attaches to an import: bounded
//! in number and size, printable, and returned in a stable (sorted) order.

use std::collections::{BTreeMap, HashMap};

use super::rejection::{Rejection, RejectionCode};

/// Most entries one metadata map may have.
pub const MAX_METADATA_ENTRIES: usize = 100;
/// Longest key, in characters.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest value, in characters.
pub const MAX_VALUE_CHARS: usize = 1024;

/// Longest piece of a key quoted back in a message, in chars.
const MAX_QUOTED_KEY_CHARS: usize = 64;

/// Checks portal-supplied metadata; returns it sorted.
///
/// Keys are 1 to [`MAX_KEY_CHARS`] characters, without control characters
/// and without whitespace at either end; values are at most
/// [`MAX_VALUE_CHARS`] characters, without control characters. Entries are
/// checked in key order, so the problem reported is always the same one.
pub fn validate_metadata(
    map: HashMap<String, String>,
) -> Result<BTreeMap<String, String>, Rejection> {
    if map.len() > MAX_METADATA_ENTRIES {
        return Err(invalid(format!(
            "metadata: {} entries; at most {MAX_METADATA_ENTRIES} are allowed",
            map.len()
        )));
    }
    let sorted: BTreeMap<String, String> = map.into_iter().collect();
    for (key, value) in &sorted {
        check_key(key)?;
        check_value(key, value)?;
    }
    Ok(sorted)
}

fn check_key(key: &str) -> Result<(), Rejection> {
    let at = path(key);
    let chars = key.chars().count();
    if chars == 0 {
        return Err(invalid(format!("{at}: key must not be empty")));
    }
    if chars > MAX_KEY_CHARS {
        return Err(invalid(format!(
            "{at}: key is {chars} characters; at most {MAX_KEY_CHARS} are allowed"
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{at}: key must not contain control characters"
        )));
    }
    if key.starts_with(char::is_whitespace) || key.ends_with(char::is_whitespace) {
        return Err(invalid(format!(
            "{at}: key must not start or end with whitespace"
        )));
    }
    Ok(())
}

fn check_value(key: &str, value: &str) -> Result<(), Rejection> {
    let chars = value.chars().count();
    if chars > MAX_VALUE_CHARS {
        return Err(invalid(format!(
            "{}: value is {chars} characters; at most {MAX_VALUE_CHARS} are allowed",
            path(key)
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{}: value must not contain control characters",
            path(key)
        )));
    }
    Ok(())
}

/// `metadata["key"]`, with the key escaped and shortened if long.
fn path(key: &str) -> String {
    if key.chars().count() > MAX_QUOTED_KEY_CHARS {
        let head: String = key.chars().take(MAX_QUOTED_KEY_CHARS).collect();
        format!("metadata[{head:?}…]")
    } else {
        format!("metadata[{key:?}]")
    }
}

fn invalid(message: String) -> Rejection {
    Rejection::new(RejectionCode::InvalidMetadata, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn rejected(entries: &[(&str, &str)]) -> Rejection {
        match validate_metadata(map(entries)) {
            Ok(ok) => panic!("expected a rejection, got {ok:?}"),
            Err(r) => {
                assert_eq!(r.code, RejectionCode::InvalidMetadata, "{r}");
                assert_eq!(r.document_id, None);
                r
            }
        }
    }

    #[test]
    fn empty_map_is_valid() {
        assert_eq!(validate_metadata(HashMap::new()), Ok(BTreeMap::new()));
    }

    #[test]
    fn valid_entries_come_back_sorted() {
        let got = validate_metadata(map(&[
            ("study", "KF-CHD"),
            ("Sample ID", "S-1"),
            ("aliquot", ""),
            ("diagnosis", "ventricular septal defect — VSD"),
        ]))
        .expect("valid");
        let keys: Vec<&str> = got.keys().map(String::as_str).collect();
        assert_eq!(keys, ["Sample ID", "aliquot", "diagnosis", "study"]);
        assert_eq!(got["study"], "KF-CHD");
        assert_eq!(got["aliquot"], "");
    }

    #[test]
    fn exactly_the_limits_are_accepted() {
        let mut m: HashMap<String, String> = (0..MAX_METADATA_ENTRIES)
            .map(|i| (format!("k{i}"), "v".to_owned()))
            .collect();
        m.insert("k0".to_owned(), "é".repeat(MAX_VALUE_CHARS));
        m.insert("k1".to_owned(), String::new());
        m.remove("k2");
        m.insert("ß".repeat(MAX_KEY_CHARS), "x".to_owned());
        assert_eq!(m.len(), MAX_METADATA_ENTRIES);
        assert_eq!(
            validate_metadata(m).map(|m| m.len()),
            Ok(MAX_METADATA_ENTRIES)
        );
    }

    #[test]
    fn too_many_entries() {
        let m: HashMap<String, String> = (0..=MAX_METADATA_ENTRIES)
            .map(|i| (format!("k{i}"), "v".to_owned()))
            .collect();
        let r = validate_metadata(m).expect_err("too many");
        assert_eq!(r.code, RejectionCode::InvalidMetadata);
        assert_eq!(r.message, "metadata: 101 entries; at most 100 are allowed");
    }

    #[test]
    fn empty_key() {
        assert_eq!(
            rejected(&[("", "v")]).message,
            r#"metadata[""]: key must not be empty"#
        );
    }

    #[test]
    fn key_too_long_counts_chars_and_shortens_the_quote() {
        let key = "é".repeat(MAX_KEY_CHARS + 1);
        let r = rejected(&[(&key, "v")]);
        assert!(
            r.message
                .ends_with(": key is 129 characters; at most 128 are allowed"),
            "{}",
            r.message
        );
        assert!(
            r.message
                .starts_with(&format!("metadata[\"{}\"…]", "é".repeat(64))),
            "{}",
            r.message
        );
    }

    #[test]
    fn key_with_whitespace_at_either_end() {
        assert_eq!(
            rejected(&[("sample id ", "v")]).message,
            r#"metadata["sample id "]: key must not start or end with whitespace"#
        );
        assert_eq!(
            rejected(&[(" sample id", "v")]).message,
            r#"metadata[" sample id"]: key must not start or end with whitespace"#
        );
        assert_eq!(
            rejected(&[("\u{a0}x", "v")]).message,
            r#"metadata["\u{a0}x"]: key must not start or end with whitespace"#
        );
        assert!(validate_metadata(map(&[("sample id", "v")])).is_ok());
    }

    #[test]
    fn key_with_control_characters_is_escaped_in_the_message() {
        assert_eq!(
            rejected(&[("a\tb", "v")]).message,
            r#"metadata["a\tb"]: key must not contain control characters"#
        );
        assert_eq!(
            rejected(&[("a\u{7f}", "v")]).message,
            r#"metadata["a\u{7f}"]: key must not contain control characters"#
        );
        // A trailing newline is a control character first.
        assert_eq!(
            rejected(&[("key\n", "v")]).message,
            r#"metadata["key\n"]: key must not contain control characters"#
        );
    }

    #[test]
    fn value_too_long() {
        let value = "x".repeat(MAX_VALUE_CHARS + 1);
        assert_eq!(
            rejected(&[("note", &value)]).message,
            r#"metadata["note"]: value is 1025 characters; at most 1024 are allowed"#
        );
    }

    #[test]
    fn value_with_control_characters() {
        for value in ["line\nbreak", "tab\there", "nul\0", "\u{85}"] {
            assert_eq!(
                rejected(&[("note", value)]).message,
                r#"metadata["note"]: value must not contain control characters"#
            );
        }
    }

    #[test]
    fn values_may_have_whitespace_at_the_ends() {
        let got = validate_metadata(map(&[("note", "  padded  ")])).expect("valid");
        assert_eq!(got["note"], "  padded  ");
    }

    #[test]
    fn the_first_problem_in_key_order_is_reported() {
        for _ in 0..20 {
            let r = rejected(&[("b ", "v"), ("a", "x\n"), ("c", "ok")]);
            assert_eq!(
                r.message,
                r#"metadata["a"]: value must not contain control characters"#
            );
        }
    }
}
