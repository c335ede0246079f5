//! Validation of one FHIR R4 DocumentReference as received in an import: the
//! whole resource against the R4 definitions (`super::r4`), then what the
//! service relies on beyond R4 (an attachment it can fetch, hashes that
//! decode), the file to import picked from its attachments, and every
//! problem reported as `path: problem`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::fhir_values::{
    check_absolute_url, check_base64, expect_non_empty_str, is_fhir_id, is_media_type, kind,
    opt_str, quote,
};
use super::file_name::file_name;
use super::rejection::{Rejection, RejectionCode};

/// The largest resource accepted unless configured otherwise: 1 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The URL schemes an attachment may have unless configured otherwise:
/// what the platform can fetch.
pub const DEFAULT_URL_SCHEMES: [&str; 6] = ["drs", "https", "http", "s3", "gs", "ftp"];

const FHIR_ID_RULE: &str = "1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'";

/// What an import accepts beyond FHIR R4 itself.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentPolicy {
    /// The largest resource JSON, in bytes.
    pub max_bytes: usize,
    /// The schemes an attachment URL may have (lower case).
    pub url_schemes: Arc<[String]>,
}

impl Default for DocumentPolicy {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            url_schemes: DEFAULT_URL_SCHEMES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

impl DocumentPolicy {
    /// The same rules for a document stored already, whatever its size.
    pub fn for_stored(&self) -> Self {
        Self {
            max_bytes: usize::MAX,
            ..self.clone()
        }
    }
}

/// A DocumentReference that passed validation, with what a file needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDocument {
    /// `DocumentReference.id`.
    pub id: String,
    /// A safe file name: the attachment title, else the last URL path
    /// segment, else the id; without `/`, `\` or control characters, at most
    /// 255 bytes.
    pub file_name: String,
    /// The chosen attachment's `url`.
    pub url: Option<String>,
    /// The chosen attachment's `size`.
    pub size: Option<u64>,
    /// The chosen attachment's `contentType`.
    pub content_type: Option<String>,
    /// `"sha1"` -> the chosen attachment's `hash` (base64, as given).
    pub hashes: BTreeMap<String, String>,
    /// The resource JSON as received, unchanged.
    pub json: String,
}

/// Validates one DocumentReference given as JSON text and picks its file:
/// the attachment of the first `content` entry that has a `url` or `data`.
pub fn validate_document_json(
    json: &str,
    policy: &DocumentPolicy,
) -> Result<ValidDocument, Rejection> {
    let max_bytes = policy.max_bytes;
    if json.len() > max_bytes {
        return Err(Rejection::new(
            RejectionCode::TooLarge,
            format!("resource is {} bytes; the limit is {max_bytes}", json.len()),
        ));
    }
    if json.trim().is_empty() {
        return Err(Rejection::new(
            RejectionCode::EmptyDocument,
            "resource is empty",
        ));
    }
    let value: Value = serde_json::from_str(json).map_err(|e| {
        Rejection::new(
            RejectionCode::InvalidJson,
            format!("resource is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(resource) = value else {
        return Err(Rejection::new(
            RejectionCode::InvalidJson,
            format!("resource must be a JSON object, got {}", kind(&value)),
        ));
    };

    check_resource_type(&resource)?;
    let id = read_id(&resource)?;
    let chosen = super::r4::check(&resource)
        .and_then(|()| check_content(&resource, policy))
        .map_err(|message| {
            Rejection::new(RejectionCode::InvalidResource, message)
                .with_document_id(Some(id.clone()))
        })?;

    let AttachmentFields {
        url,
        size,
        content_type,
        hashes,
    } = AttachmentFields::of(chosen);
    let file_name = file_name(opt_str(chosen, "title"), url.as_deref(), &id);
    Ok(ValidDocument {
        file_name,
        url,
        size,
        content_type,
        hashes,
        json: json.to_owned(),
        id,
    })
}

/// What a file takes from its document's chosen attachment: the attachment
/// of the first `content` entry that has a `url` or `data`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentFields {
    pub url: Option<String>,
    pub size: Option<u64>,
    pub content_type: Option<String>,
    /// `"sha1"` -> the attachment's `hash` (base64, as given).
    pub hashes: BTreeMap<String, String>,
}

impl AttachmentFields {
    fn of(chosen: &Map<String, Value>) -> Self {
        let mut hashes = BTreeMap::new();
        if let Some(hash) = opt_str(chosen, "hash") {
            hashes.insert("sha1".to_owned(), hash.to_owned());
        }
        Self {
            url: opt_str(chosen, "url").map(str::to_owned),
            size: chosen.get("size").and_then(Value::as_u64),
            content_type: opt_str(chosen, "contentType").map(str::to_owned),
            hashes,
        }
    }

    /// The fields of a document stored after validation, read again: files
    /// keep them only in their document. Only `content` is parsed; None
    /// when the JSON is not a document with a chosen attachment.
    pub fn of_stored(json: &str) -> Option<Self> {
        #[derive(serde::Deserialize)]
        struct Stored {
            content: Vec<Content>,
        }
        #[derive(serde::Deserialize)]
        struct Content {
            attachment: Option<Map<String, Value>>,
        }
        let stored: Stored = serde_json::from_str(json).ok()?;
        stored
            .content
            .iter()
            .filter_map(|entry| entry.attachment.as_ref())
            .find(|attachment| attachment.contains_key("url") || attachment.contains_key("data"))
            .map(Self::of)
    }
}

/// Parses `DocumentReference/{id}` and returns the id.
pub fn document_reference_id(reference: &str) -> Result<String, Rejection> {
    match reference.strip_prefix("DocumentReference/") {
        Some(id) if is_fhir_id(id) => Ok(id.to_owned()),
        _ => Err(Rejection::new(
            RejectionCode::InvalidReference,
            format!(
                "reference {} is not of the form DocumentReference/{{id}}, \
                 where the id is {FHIR_ID_RULE}",
                quote(reference)
            ),
        )),
    }
}

fn check_resource_type(resource: &Map<String, Value>) -> Result<(), Rejection> {
    match resource.get("resourceType") {
        None => Err(Rejection::new(
            RejectionCode::InvalidResource,
            "resourceType: required",
        )),
        Some(Value::String(t)) if t == "DocumentReference" => Ok(()),
        Some(other) => {
            let got = match other {
                // Resource type names are shown bare, anything else quoted;
                // a resource with a valid id as a reference, so a portal can
                // find what it sent by mistake.
                Value::String(t)
                    if (1..=64).contains(&t.len())
                        && t.bytes().all(|b| b.is_ascii_alphanumeric()) =>
                {
                    match resource.get("id") {
                        Some(Value::String(id)) if is_fhir_id(id) => format!("{t}/{id}"),
                        _ => t.clone(),
                    }
                }
                Value::String(t) => quote(t),
                other => kind(other).to_owned(),
            };
            Err(Rejection::new(
                RejectionCode::WrongResourceType,
                format!("resourceType: expected DocumentReference, got {got}"),
            ))
        }
    }
}

fn read_id(resource: &Map<String, Value>) -> Result<String, Rejection> {
    let invalid = |message: String| Rejection::new(RejectionCode::InvalidResource, message);
    match resource.get("id") {
        None => Err(invalid(
            "id: required (the id is how a re-import of the same document is recognised)"
                .to_owned(),
        )),
        Some(Value::String(id)) if is_fhir_id(id) => Ok(id.clone()),
        Some(Value::String(id)) => Err(invalid(format!(
            "id: {} is not a valid FHIR id ({FHIR_ID_RULE})",
            quote(id)
        ))),
        Some(other) => Err(invalid(format!(
            "id: must be a string, got {}",
            kind(other)
        ))),
    }
}

/// What the service needs of `content` beyond R4: an attachment to import
/// (the first with `url` or `data`), URLs it can fetch, base64 that decodes,
/// media types of the form `type/subtype`. R4 has checked the shapes.
fn check_content<'a>(
    resource: &'a Map<String, Value>,
    policy: &DocumentPolicy,
) -> Result<&'a Map<String, Value>, String> {
    let entries = resource
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| "content: required (the file to import comes from it)".to_owned())?;
    let mut chosen = None;
    for (i, entry) in entries.iter().enumerate() {
        let path = format!("content[{i}].attachment");
        let Some(attachment) = entry.get("attachment").and_then(Value::as_object) else {
            return Err(format!("{path}: required"));
        };
        check_attachment(&path, attachment, policy)?;
        if chosen.is_none() && (attachment.contains_key("url") || attachment.contains_key("data")) {
            chosen = Some(attachment);
        }
    }
    chosen.ok_or_else(|| {
        "content[0].attachment.url: required (an attachment needs url or data)".to_owned()
    })
}

fn check_attachment(
    path: &str,
    attachment: &Map<String, Value>,
    policy: &DocumentPolicy,
) -> Result<(), String> {
    if let Some(url) = attachment.get("url") {
        let p = format!("{path}.url");
        let url = expect_non_empty_str(&p, url)?;
        if let Err(e) = check_absolute_url(url) {
            return Err(format!("{p}: {} is not an absolute URL ({e})", quote(url)));
        }
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
            .unwrap_or_default();
        if !policy.url_schemes.contains(&scheme) {
            return Err(format!(
                "{p}: the scheme {} cannot be fetched; allowed: {}",
                quote(&scheme),
                policy.url_schemes.join(", ")
            ));
        }
    }
    if let Some(data) = attachment.get("data") {
        let p = format!("{path}.data");
        check_base64(&p, expect_non_empty_str(&p, data)?)?;
    }
    if let Some(hash) = attachment.get("hash") {
        let p = format!("{path}.hash");
        check_base64(&p, expect_non_empty_str(&p, hash)?)?;
    }
    if let Some(Value::String(content_type)) = attachment.get("contentType") {
        if !is_media_type(content_type) {
            return Err(format!(
                "{path}.contentType: {} is not a media type of the form type/subtype[; name=value]",
                quote(content_type)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
