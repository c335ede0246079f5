//! Checking a schema's FHIRPath expressions at load time: they must parse,
//! and every `%name` they use must be a declared search or a built-in.

use octofhir_fhirpath::{parse_with_mode, ExpressionNode, ParsingMode};
use serde_json::Value;

use super::error::SchemaError;

/// `%name`s every expression may use without declaring them: the document
/// (`%resource`, `%context`), the FHIR server's base URL (`%base`) and the
/// FHIRPath code systems.
pub const BUILTIN_VARIABLES: [&str; 6] = ["resource", "context", "base", "ucum", "sct", "loinc"];

/// The parser names `$this`, `$index` and `$total` like `%` variables, minus
/// the sigil; they are always in scope.
const LAMBDA_VARIABLES: [&str; 3] = ["this", "index", "total"];

/// Parses `source`, refusing unknown variables; returns the names of the
/// `%` variables it uses (built-ins and `declared` alike), sorted.
pub(super) fn check(
    path: &str,
    source: &str,
    declared: &[&str],
) -> Result<Vec<String>, SchemaError> {
    let ast = parse(source).map_err(|message| SchemaError::invalid(path, message))?;
    let mut used = Vec::new();
    // The AST serialises to JSON; walking that finds every variable node
    // without matching on each of the parser's node kinds.
    if let Ok(tree) = serde_json::to_value(&ast) {
        collect_variables(&tree, &mut used);
    }
    used.retain(|name| !LAMBDA_VARIABLES.contains(&name.as_str()));
    used.sort();
    used.dedup();
    for name in &used {
        if !BUILTIN_VARIABLES.contains(&name.as_str()) && !declared.contains(&name.as_str()) {
            let mut known: Vec<String> = declared.iter().map(|d| format!("%{d}")).collect();
            known.extend(BUILTIN_VARIABLES.iter().map(|b| format!("%{b}")));
            return Err(SchemaError::invalid(
                path,
                format!(
                    "unknown variable %{name}; declare it under searches or use one of {}",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(used)
}

/// The fast parser is the one evaluation uses; the analysis parser is asked
/// only to explain a failure, because it alone reports where it happened.
fn parse(source: &str) -> Result<ExpressionNode, String> {
    if source.trim().is_empty() {
        return Err("empty expression".to_owned());
    }
    let fast = parse_with_mode(source, ParsingMode::Fast);
    if fast.success {
        if let Some(ast) = fast.ast {
            return Ok(ast);
        }
    }
    let analysis = parse_with_mode(source, ParsingMode::Analysis);
    let located = analysis
        .diagnostics
        .iter()
        .find(|d| d.severity.is_error() && d.location.is_some());
    Err(match located {
        Some(diagnostic) => {
            let offset = diagnostic.location.as_ref().map_or(0, |l| l.offset);
            format!("unexpected {} at {offset}", found(&diagnostic.message))
        }
        None => fast
            .error_message
            .unwrap_or_else(|| "not a FHIRPath expression".to_owned()),
    })
}

/// What the parser found instead of what it expected, from its message
/// (`Expected …, but found ''b''`) without the doubled quotes.
fn found(message: &str) -> String {
    match message.rsplit_once("but found ") {
        Some((_, token)) => token.replace("''", "'"),
        None => message.to_owned(),
    }
}

fn collect_variables(tree: &Value, out: &mut Vec<String>) {
    match tree {
        Value::Object(map) => {
            if let Some(name) = map
                .get("Variable")
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_variables(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_variables(v, out)),
        _ => {}
    }
}
