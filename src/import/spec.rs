//! The checked form of an import's header.

use crate::domain::{ids::FhirServerId, import::ConflictPolicy};

pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 128;
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;
pub const MAX_FHIR_SERVER_ID: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSpec {
    pub project: String,
    pub fhir_server: Option<FhirServerId>,
    pub on_conflict: ConflictPolicy,
    pub idempotency_key: Option<String>,
    pub validate_only: bool,
    pub tags: Vec<String>,
}

impl ImportSpec {
    pub fn parse(
        project: String,
        fhir_server: String,
        on_conflict: Option<ConflictPolicy>,
        idempotency_key: String,
        validate_only: bool,
        tags: Vec<String>,
    ) -> Result<Self, String> {
        if project.trim().is_empty() {
            return Err("header.project: required (a project id or an owner/name slug)".into());
        }
        let fhir_server = fhir_server.trim().to_owned();
        let valid_server = fhir_server.len() <= MAX_FHIR_SERVER_ID
            && fhir_server
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !valid_server {
            return Err(format!(
                "header.fhir_server: {fhir_server:?} is not a FHIR server id (letters, digits, '-', '_', '.', at most {MAX_FHIR_SERVER_ID})"
            ));
        }
        let idempotency_key = match idempotency_key.as_str() {
            "" => None,
            key if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS => {
                return Err(format!(
                    "header.idempotency_key: at most {MAX_IDEMPOTENCY_KEY_CHARS} characters"
                ))
            }
            key => Some(key.to_owned()),
        };
        if tags.len() > MAX_TAGS {
            return Err(format!(
                "header.tags: at most {MAX_TAGS}, got {}",
                tags.len()
            ));
        }
        for (i, tag) in tags.iter().enumerate() {
            let chars = tag.chars().count();
            if chars == 0 || chars > MAX_TAG_CHARS || tag.chars().any(char::is_control) {
                return Err(format!(
                    "header.tags[{i}]: 1 to {MAX_TAG_CHARS} characters without control characters"
                ));
            }
        }
        Ok(Self {
            project,
            fhir_server: FhirServerId::named(&fhir_server),
            on_conflict: on_conflict.unwrap_or(ConflictPolicy::Overwrite),
            idempotency_key,
            validate_only,
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(fhir_server: &str, key: &str, tags: Vec<String>) -> Result<ImportSpec, String> {
        ImportSpec::parse(
            "p".into(),
            fhir_server.into(),
            None,
            key.into(),
            false,
            tags,
        )
    }

    #[test]
    fn headers_are_checked_field_by_field() {
        let ok = spec("kf-fhir", "k1", vec!["a".into()]).expect("valid");
        assert_eq!(ok.on_conflict, ConflictPolicy::Overwrite);
        assert_eq!(ok.idempotency_key.as_deref(), Some("k1"));
        assert!(spec("", "", vec![])
            .expect("valid")
            .idempotency_key
            .is_none());
        assert!(spec("has space", "", vec![])
            .unwrap_err()
            .contains("fhir_server"));
        assert!(spec("", &"k".repeat(129), vec![])
            .unwrap_err()
            .contains("idempotency_key"));
        assert!(spec("", "", vec![String::new()])
            .unwrap_err()
            .contains("tags[0]"));
    }
}
