//! The metadata schema document: what it looks like in YAML, and loading it
//! into a checked [`Schema`] whose every expression has been parsed.
//!
//! ```yaml
//! name: ncpi-kids-first      # [a-z0-9-]{1,64}; (name, version) identifies a schema
//! version: 3                 # positive integer
//! description: …             # optional
//! match:                     # all given rules must hold; none given fits any server
//!   fhir_versions: ["4.0"]   # CapabilityStatement.fhirVersion, by leading dotted parts
//!   software: ["HAPI"]       # software.name, case-insensitive substring
//!   implementation_guides: ["https://…/ImplementationGuide/x"]  # any declared (|version ignored)
//!   profiles: ["https://…/StructureDefinition/y"]  # any in rest.resource.profile/supportedProfile
//! searches:                  # resources pointing back at the document's, bound as %name
//!   conditions: { resource: Condition, param: subject, for: "subject" }
//! keys:
//!   case_id:
//!     expression: "subject.resolve().identifier.where(use = 'official').value"
//!     join: ","              # separator for several values; default ","
//!     first: false           # keep only the first value; default false
//!     description: …         # optional
//! ```
//!
//! `schemas/README.md` is the user-facing version of this description.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::expression::{self, BUILTIN_VARIABLES};

/// At most this many keys in one schema (and so pairs from one document).
pub const MAX_KEYS: usize = 1000;
/// A key's length limit, in bytes.
pub const MAX_KEY_BYTES: usize = 100;
/// The separator used when a key does not name one.
pub const DEFAULT_JOIN: &str = ",";

pub use super::error::SchemaError;

/// Which servers a schema is meant for; see [`super::matching`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRules {
    #[serde(default)]
    pub fhir_versions: Vec<String>,
    #[serde(default)]
    pub software: Vec<String>,
    #[serde(default)]
    pub implementation_guides: Vec<String>,
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// A search run before the keys: `resource?param=<references>` where the
/// references come from evaluating `for` on the document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    pub resource: String,
    pub param: String,
    #[serde(rename = "for")]
    pub for_expression: String,
}

/// One metadata key: how to compute it and how several values become one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRule {
    pub expression: String,
    pub join: String,
    pub first: bool,
    pub description: Option<String>,
    /// The searches (`%name`) the expression uses, so a failed search
    /// affects only the keys that depend on it.
    pub searches: Vec<String>,
}

/// A checked schema: every expression parses and every `%name` is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    pub version: u32,
    pub description: String,
    pub match_rules: MatchRules,
    pub searches: BTreeMap<String, Search>,
    /// Sorted by key, which is also the order of the pairs evaluated.
    pub keys: BTreeMap<String, KeyRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    name: String,
    version: i64,
    #[serde(default)]
    description: String,
    #[serde(rename = "match", default)]
    match_rules: MatchRules,
    #[serde(default)]
    searches: BTreeMap<String, Search>,
    keys: BTreeMap<String, KeyDocument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyDocument {
    expression: String,
    join: Option<String>,
    #[serde(default)]
    first: bool,
    description: Option<String>,
}

impl Schema {
    /// Parses and checks a schema written in YAML (JSON is YAML too).
    pub fn from_yaml(text: &str) -> Result<Self, SchemaError> {
        let document: Document =
            serde_yaml_ng::from_str(text).map_err(|e| SchemaError::Syntax(e.to_string()))?;
        document.check()
    }

    /// The schema's identity as `name@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

impl Document {
    fn check(self) -> Result<Schema, SchemaError> {
        check_name(&self.name)?;
        let version = u32::try_from(self.version)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| SchemaError::invalid("version", "must be a positive integer"))?;
        check_match_rules(&self.match_rules)?;
        for (name, search) in &self.searches {
            check_search(name, search)?;
        }
        if self.keys.is_empty() {
            return Err(SchemaError::invalid("keys", "at least one key is needed"));
        }
        if self.keys.len() > MAX_KEYS {
            return Err(SchemaError::invalid(
                "keys",
                format!("{} keys, at most {MAX_KEYS} are allowed", self.keys.len()),
            ));
        }
        let mut keys = BTreeMap::new();
        for (key, rule) in self.keys {
            let checked = check_key(&key, rule, &self.searches)?;
            keys.insert(key, checked);
        }
        Ok(Schema {
            name: self.name,
            version,
            description: self.description,
            match_rules: self.match_rules,
            searches: self.searches,
            keys,
        })
    }
}

fn check_name(name: &str) -> Result<(), SchemaError> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(SchemaError::invalid(
            "name",
            format!("{name:?} must be 1 to 64 of a-z, 0-9 and '-'"),
        ))
    }
}

fn check_match_rules(rules: &MatchRules) -> Result<(), SchemaError> {
    let lists = [
        ("fhir_versions", &rules.fhir_versions),
        ("software", &rules.software),
        ("implementation_guides", &rules.implementation_guides),
        ("profiles", &rules.profiles),
    ];
    for (field, values) in lists {
        if let Some(i) = values.iter().position(|v| v.trim().is_empty()) {
            return Err(SchemaError::invalid(
                format!("match.{field}[{i}]"),
                "must not be empty",
            ));
        }
    }
    Ok(())
}

/// `Condition`, `DocumentReference`: FHIR resource type names are
/// upper camel case ASCII letters.
fn looks_like_resource_type(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphabetic())
}

/// Search parameter names with an optional modifier: `subject`,
/// `general-practitioner`, `_id`, `subject:Patient`.
fn looks_like_search_param(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
}

fn check_search(name: &str, search: &Search) -> Result<(), SchemaError> {
    let path = format!("searches.{}", path_segment(name));
    let identifier = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier {
        return Err(SchemaError::invalid(
            path,
            "a search name is a letter then letters, digits or '_' (at most 64)",
        ));
    }
    if BUILTIN_VARIABLES.contains(&name) {
        return Err(SchemaError::invalid(
            path,
            format!("%{name} is built in; choose another name"),
        ));
    }
    if !looks_like_resource_type(&search.resource) {
        return Err(SchemaError::invalid(
            format!("{path}.resource"),
            format!("{:?} is not a FHIR resource type", search.resource),
        ));
    }
    if !looks_like_search_param(&search.param) {
        return Err(SchemaError::invalid(
            format!("{path}.param"),
            format!("{:?} is not a search parameter name", search.param),
        ));
    }
    // Searches run before one another could be used, so `for` sees built-ins only.
    expression::check(&format!("{path}.for"), &search.for_expression, &[])?;
    Ok(())
}

fn check_key(
    key: &str,
    rule: KeyDocument,
    searches: &BTreeMap<String, Search>,
) -> Result<KeyRule, SchemaError> {
    let path = format!("keys.{}", path_segment(key));
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(SchemaError::invalid(
            path,
            format!(
                "a key is 1 to {MAX_KEY_BYTES} bytes, this one is {}",
                key.len()
            ),
        ));
    }
    if key.contains(['.', '$']) {
        return Err(SchemaError::invalid(
            path,
            "a key must not contain '.' or '$'",
        ));
    }
    let declared: Vec<&str> = searches.keys().map(String::as_str).collect();
    let used = expression::check(&format!("{path}.expression"), &rule.expression, &declared)?;
    let join = rule.join.unwrap_or_else(|| DEFAULT_JOIN.to_owned());
    Ok(KeyRule {
        expression: rule.expression,
        join,
        first: rule.first,
        description: rule.description,
        searches: used
            .into_iter()
            .filter(|name| searches.contains_key(name))
            .collect(),
    })
}

/// A map key as it appears in an error path: quoted when it would be
/// ambiguous after a dot.
pub(super) fn path_segment(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}
