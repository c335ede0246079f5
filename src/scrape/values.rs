//! Turning a FHIRPath result into one metadata value: primitives as
//! strings, empties dropped, duplicates removed, joined, and cut to fit.

use octofhir_fhirpath::{Collection, FhirPathValue};

/// A metadata value's length limit, in bytes.
pub const MAX_VALUE_BYTES: usize = 300;
/// Ends a value that was cut to fit [`MAX_VALUE_BYTES`].
pub const TRUNCATION_MARKER: &str = "…[truncated]";

/// The strings of a result's primitive items, in order, and how many items
/// were complex (a Coding, a Reference, a Quantity …) and so left out.
pub(super) fn primitives(result: &Collection) -> (Vec<String>, usize) {
    let mut strings = Vec::new();
    let mut complex = 0;
    for value in result.iter() {
        flatten(value, &mut strings, &mut complex);
    }
    (strings, complex)
}

fn flatten(value: &FhirPathValue, strings: &mut Vec<String>, complex: &mut usize) {
    match value {
        FhirPathValue::Collection(items) => {
            for item in items.iter() {
                flatten(item, strings, complex);
            }
        }
        FhirPathValue::Empty => {}
        FhirPathValue::Quantity { .. } | FhirPathValue::Resource(..) => *complex += 1,
        // Strings as they are; booleans, numbers and dates in FHIRPath's
        // canonical string form (`true`, `1.5`, `2020-01-02T03:04:05+00:00`).
        primitive => match primitive.to_string() {
            Ok(text) => strings.push(text),
            Err(_) => *complex += 1,
        },
    }
}

/// Empty and blank values dropped, later duplicates removed; only the first
/// value kept when `first`.
pub(super) fn distinct(values: Vec<String>, first: bool) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for value in values {
        if !value.trim().is_empty() && !kept.contains(&value) {
            kept.push(value);
        }
        if first && !kept.is_empty() {
            break;
        }
    }
    kept
}

/// The values joined; `None` when there are none. The flag says whether the
/// joined value had to be cut.
pub(super) fn join(values: &[String], separator: &str) -> Option<(String, bool)> {
    if values.is_empty() {
        return None;
    }
    Some(fit(values.join(separator)))
}

/// Cuts `value` at a char boundary so that, with the marker, it is at most
/// [`MAX_VALUE_BYTES`] bytes.
pub(super) fn fit(mut value: String) -> (String, bool) {
    if value.len() <= MAX_VALUE_BYTES {
        return (value, false);
    }
    let mut end = MAX_VALUE_BYTES - TRUNCATION_MARKER.len();
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value.truncate(end);
    value.push_str(TRUNCATION_MARKER);
    (value, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_kept_whole() {
        assert_eq!(fit("abc".to_owned()), ("abc".to_owned(), false));
        let exact = "x".repeat(MAX_VALUE_BYTES);
        assert_eq!(fit(exact.clone()), (exact, false));
    }

    #[test]
    fn long_values_are_cut_at_a_char_boundary_with_the_marker() {
        // After one 'a', every 'é' (two bytes) starts at an odd offset, so the
        // cut at 300 - 14 (the marker's bytes) = 286 falls inside one.
        let (cut, truncated) = fit(format!("a{}", "é".repeat(200)));
        assert!(truncated);
        assert_eq!(cut.len(), 299);
        assert_eq!(cut, format!("a{}{TRUNCATION_MARKER}", "é".repeat(142)));
    }

    #[test]
    fn distinct_drops_blanks_and_later_duplicates() {
        let values = ["b", "", "a", "b", " ", "c", "a"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(distinct(values.clone(), false), ["b", "a", "c"]);
        assert_eq!(distinct(values, true), ["b"]);
        assert_eq!(join(&[], ","), None);
    }
}
