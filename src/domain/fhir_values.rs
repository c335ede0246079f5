//! Checks of FHIR R4 primitive values and JSON shapes, each reporting
//! `path: problem` with the received value quoted.

use base64::Engine as _;
use serde_json::{Map, Value};

/// Received values are quoted up to this many characters in messages.
const MAX_QUOTED_CHARS: usize = 80;

pub(super) fn check_size(path: &str, size: &Value) -> Result<(), String> {
    let Value::Number(n) = size else {
        return Err(format!(
            "{path}: must be a JSON number (a whole number of bytes), got {}",
            kind(size)
        ));
    };
    if n.as_u64().is_some() {
        return Ok(());
    }
    if n.as_i64().is_some_and(|i| i < 0) || n.as_f64().is_some_and(|f| f < 0.0) {
        Err(format!("{path}: must not be negative, got {n}"))
    } else if n
        .as_f64()
        .is_some_and(|f| f.fract() == 0.0 && f >= u64::MAX as f64)
    {
        Err(format!(
            "{path}: {n} is larger than the largest size accepted ({})",
            u64::MAX
        ))
    } else {
        Err(format!("{path}: must be a whole number of bytes, got {n}"))
    }
}

pub(super) fn check_base64(path: &str, text: &str) -> Result<(), String> {
    // FHIR base64Binary allows whitespace between the groups of four.
    let decoded = if text.contains(|c: char| c.is_ascii_whitespace()) {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(compact)
    } else {
        base64::engine::general_purpose::STANDARD.decode(text)
    };
    decoded
        .map(drop)
        .map_err(|e| format!("{path}: not valid base64 ({e})"))
}

/// Accepts any absolute URL the `url` crate parses (https://, s3://, gs://,
/// drs://host/id, urn:...), and also compact DRS identifiers
/// (`drs://[prefix/]namespace:accession`), which it cannot.
pub(super) fn check_absolute_url(text: &str) -> Result<(), url::ParseError> {
    match url::Url::parse(text) {
        Ok(_) => Ok(()),
        Err(e) => {
            if is_compact_drs(text) {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

pub(super) fn is_compact_drs(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("drs://") else {
        return false;
    };
    let name_char = |c: char| c.is_ascii_alphanumeric() || "._~-".contains(c);
    let (prefix_and_namespace, accession) = match rest.split_once(':') {
        Some(parts) => parts,
        None => return false,
    };
    let namespace = match prefix_and_namespace.split_once('/') {
        Some((prefix, namespace)) if !prefix.is_empty() && prefix.chars().all(name_char) => {
            namespace
        }
        Some(_) => return false,
        None => prefix_and_namespace,
    };
    !namespace.is_empty()
        && namespace.chars().all(name_char)
        && !accession.is_empty()
        && accession
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '/')
}

/// `type/subtype`, optionally followed by `; name=value` parameters.
pub(super) fn is_media_type(text: &str) -> bool {
    let is_token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
    };
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let Some((main, sub)) = essence.split_once('/') else {
        return false;
    };
    if !is_token(main) || !is_token(sub) {
        return false;
    }
    parts.all(|param| {
        let param = param.trim();
        param.is_empty()
            || param
                .split_once('=')
                .is_some_and(|(name, value)| is_token(name.trim()) && !value.trim().is_empty())
    })
}

/// FHIR id: `[A-Za-z0-9\-\.]{1,64}`.
pub(super) fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

pub(super) fn opt_str<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

pub(super) fn expect_str<'a>(path: &str, value: &'a Value) -> Result<&'a str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("{path}: must be a string, got {}", kind(value)))
}

pub(super) fn expect_non_empty_str<'a>(path: &str, value: &'a Value) -> Result<&'a str, String> {
    let text = expect_str(path, value)?;
    if text.trim().is_empty() {
        Err(format!("{path}: must not be empty"))
    } else {
        Ok(text)
    }
}

pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A received value quoted for a message, shortened if long.
pub(super) fn quote(text: &str) -> String {
    if text.chars().count() > MAX_QUOTED_CHARS {
        let head: String = text.chars().take(MAX_QUOTED_CHARS).collect();
        format!("{head:?}…")
    } else {
        format!("{text:?}")
    }
}
