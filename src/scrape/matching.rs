//! Which schema fits a FHIR server, judged from its CapabilityStatement.
//!
//! A schema fits when every rule it gives holds (a schema with no rules fits
//! any server). Among fitting schemas [`pick`] takes the most specific: the
//! one with the most rules satisfied; ties go to the name first in
//! alphabetical order, then to the highest version of that name. A server a
//! schema is meant for but whose CapabilityStatement does not say so (no
//! `implementationGuide`, say) is pinned to the schema by an administrator
//! instead.

use std::fmt;

use serde_json::Value;

use super::schema::{MatchRules, Schema};

/// Why a schema fits: one sentence per rule satisfied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchReason {
    pub satisfied: Vec<String>,
}

impl MatchReason {
    /// How many rules held; more is more specific.
    pub fn specificity(&self) -> usize {
        self.satisfied.len()
    }
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.satisfied.is_empty() {
            f.write_str("no match rules: fits any server")
        } else {
            f.write_str(&self.satisfied.join("; "))
        }
    }
}

/// What a CapabilityStatement says about the server, as the rules need it.
struct Capability<'a> {
    fhir_version: &'a str,
    software: &'a str,
    guides: Vec<&'a str>,
    profiles: Vec<&'a str>,
}

impl<'a> Capability<'a> {
    fn read(statement: &'a Value) -> Self {
        let strings = |v: &'a Value| -> Vec<&'a str> {
            v.as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(canonical)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut profiles = Vec::new();
        for rest in statement["rest"].as_array().into_iter().flatten() {
            for resource in rest["resource"].as_array().into_iter().flatten() {
                profiles.extend(resource["profile"].as_str().map(canonical));
                profiles.extend(strings(&resource["supportedProfile"]));
            }
        }
        Capability {
            fhir_version: statement["fhirVersion"].as_str().unwrap_or_default(),
            software: statement["software"]["name"].as_str().unwrap_or_default(),
            guides: strings(&statement["implementationGuide"]),
            profiles,
        }
    }
}

/// A canonical URL without its `|version`.
fn canonical(url: &str) -> &str {
    url.split_once('|').map_or(url, |(base, _)| base)
}

/// `4.0` fits `4.0.1` and `4.0`, but not `4.01` or `4.1.0`.
fn version_fits(rule: &str, version: &str) -> bool {
    let mut server = version.split('.');
    rule.split('.').all(|part| server.next() == Some(part))
}

impl MatchRules {
    /// Whether a server with this CapabilityStatement fits, and why.
    pub fn score(&self, capability_statement: &Value) -> Option<MatchReason> {
        let server = Capability::read(capability_statement);
        let mut satisfied = Vec::new();
        if !self.fhir_versions.is_empty() {
            let rule = self
                .fhir_versions
                .iter()
                .find(|rule| version_fits(rule, server.fhir_version))?;
            satisfied.push(format!(
                "fhirVersion {} matches {rule}",
                server.fhir_version
            ));
        }
        if !self.software.is_empty() {
            let name = server.software.to_lowercase();
            let rule = self
                .software
                .iter()
                .find(|rule| name.contains(&rule.to_lowercase()))?;
            satisfied.push(format!("software {:?} contains {rule:?}", server.software));
        }
        if !self.implementation_guides.is_empty() {
            let guide = self
                .implementation_guides
                .iter()
                .map(|g| canonical(g))
                .find(|g| server.guides.contains(g))?;
            satisfied.push(format!("implementationGuide {guide} declared"));
        }
        if !self.profiles.is_empty() {
            let profile = self
                .profiles
                .iter()
                .map(|p| canonical(p))
                .find(|p| server.profiles.contains(p))?;
            satisfied.push(format!("profile {profile} supported"));
        }
        Some(MatchReason { satisfied })
    }
}

impl Schema {
    /// Whether this schema fits a server with this CapabilityStatement, and why.
    pub fn score(&self, capability_statement: &Value) -> Option<MatchReason> {
        self.match_rules.score(capability_statement)
    }
}

/// The most specific schema that fits the server (see the module docs).
pub fn pick<'a>(
    schemas: &'a [Schema],
    capability_statement: &Value,
) -> Option<(&'a Schema, MatchReason)> {
    schemas
        .iter()
        .filter_map(|schema| Some((schema, schema.score(capability_statement)?)))
        .min_by(|(a, a_reason), (b, b_reason)| {
            b_reason
                .specificity()
                .cmp(&a_reason.specificity())
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| b.version.cmp(&a.version))
        })
}
