//! Failures as text a person can act on: an error with its causes, and the
//! diagnostics of an OperationOutcome.

use serde_json::Value;

pub fn find_source<'e, T: std::error::Error + 'static>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// The error and its causes on one line ("error sending request: …:
/// connection refused"); reqwest's own Display stops at the first.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The diagnostics of an OperationOutcome body, shortened, if it is one.
pub fn outcome_message(body: &[u8]) -> Option<String> {
    let outcome: Value = serde_json::from_slice(body).ok()?;
    let issues = outcome.get("issue")?.as_array()?;
    let text: Vec<&str> = issues
        .iter()
        .filter_map(|i| {
            i.get("diagnostics")
                .or_else(|| i.pointer("/details/text"))
                .and_then(Value::as_str)
        })
        .collect();
    let mut text = text.join("; ");
    if text.len() > 300 {
        let cut = (0..=300)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_diagnostics_are_joined_and_shortened() {
        let body = br#"{"resourceType":"OperationOutcome","issue":[
            {"diagnostics":"Patient/x not found"},{"details":{"text":"try again"}}]}"#;
        assert_eq!(
            outcome_message(body).as_deref(),
            Some("Patient/x not found; try again")
        );
        let long = format!(r#"{{"issue":[{{"diagnostics":"{}"}}]}}"#, "é".repeat(400));
        let shown = outcome_message(long.as_bytes()).unwrap();
        assert!(shown.len() <= 304 && shown.ends_with('…'));
        assert_eq!(outcome_message(b"<html>"), None);
        assert_eq!(outcome_message(br#"{"issue":[]}"#), None);
    }
}
