//! Where references live: those a search parameter matches in the resources
//! it finds, and those a search's `for` picks out of a document when `for`
//! is a plain element path. Knowing both lets one search for a whole batch
//! (`Condition?subject=Patient/a,Patient/b`) stand in for one per document.

use serde_json::Value;

/// Where a search parameter's references live in a resource (as the R4
/// SearchParameter expressions put them). Parameters not listed are looked
/// up in the element of the same name by [`paths_or_same_name`].
fn reference_paths(param: &str) -> &'static [&'static [&'static str]] {
    match param {
        "member" => &[&["member", "entity"]],
        "patient" => &[&["subject"], &["patient"]],
        "subject" => &[&["subject"]],
        "individual" => &[&["individual"]],
        "focus" => &[&["focus"]],
        "study" => &[&["study"]],
        _ => &[],
    }
}

/// [`reference_paths`], or the element named like the parameter.
pub(super) fn paths_or_same_name(param: &str) -> Vec<Vec<&str>> {
    match reference_paths(param) {
        [] => vec![vec![param]],
        listed => listed.iter().map(|p| p.to_vec()).collect(),
    }
}

/// Whether `param` is one whose paths are known for certain.
pub(super) fn is_known(param: &str) -> bool {
    !reference_paths(param).is_empty()
}

/// Every reference in `resource` where `param` looks.
pub(super) fn param_references<'a>(resource: &'a Value, param: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    for path in paths_or_same_name(param) {
        references_at(resource, &path, &mut found);
    }
    found
}

/// Every `reference` at `path` inside `value`, through arrays.
pub(super) fn references_at<'a>(value: &'a Value, path: &[&str], out: &mut Vec<&'a str>) {
    match (value, path.split_first()) {
        (Value::Array(items), _) => items.iter().for_each(|v| references_at(v, path, out)),
        (_, Some((first, rest))) => references_at(&value[*first], rest, out),
        (Value::String(text), None) => out.push(text),
        (_, None) => out.extend(value["reference"].as_str()),
    }
}

/// What a search's `for` expression yields on `document`, when it is a
/// plain path such as `subject` or `context.related`: its references in
/// document order, each once, as evaluation would pass them to the search.
/// `None` for any other expression (evaluation then searches on its own).
pub(super) fn plain_for_references(document: &Value, expression: &str) -> Option<Vec<String>> {
    let path: Vec<&str> = expression.trim().split('.').collect();
    let plain = path.iter().all(|step| {
        !step.is_empty() && step.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if !plain {
        return None;
    }
    let mut found = Vec::new();
    references_at(document, &path, &mut found);
    let mut unique: Vec<String> = Vec::new();
    for reference in found.into_iter().filter(|r| !r.is_empty()) {
        if !unique.iter().any(|u| u == reference) {
            unique.push(reference.to_owned());
        }
    }
    Some(unique)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_paths_yield_references_in_document_order_once() {
        let document = json!({
            "subject": {"reference": "Patient/p1"},
            "context": {"related": [
                {"reference": "Specimen/s2"}, {"reference": "Specimen/s1"}, {"reference": "Specimen/s2"}
            ]},
        });
        assert_eq!(
            plain_for_references(&document, "subject"),
            Some(vec!["Patient/p1".to_owned()])
        );
        assert_eq!(
            plain_for_references(&document, "context.related"),
            Some(vec!["Specimen/s2".to_owned(), "Specimen/s1".to_owned()])
        );
        assert_eq!(
            plain_for_references(&document, "subject.reference"),
            Some(vec!["Patient/p1".to_owned()])
        );
        assert_eq!(plain_for_references(&document, "author"), Some(vec![]));
        assert_eq!(plain_for_references(&document, "subject.resolve()"), None);
        assert_eq!(plain_for_references(&document, "subject | author"), None);
    }

    #[test]
    fn group_members_are_found_through_their_entity() {
        let group = json!({"member": [{"entity": {"reference": "Patient/a"}}, {"entity": {"reference": "Patient/b"}}]});
        let mut found = Vec::new();
        for path in paths_or_same_name("member") {
            references_at(&group, &path, &mut found);
        }
        assert_eq!(found, ["Patient/a", "Patient/b"]);
    }
}
