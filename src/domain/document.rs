//! Validation of one FHIR R4 DocumentReference as received in an import: the
//! elements the service relies on are checked for real, the file to import is
//! picked from its attachments, and every problem is reported as `path: problem`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fhir_values::{
    check_absolute_url, check_base64, check_code, check_reference_shape, check_size,
    expect_non_empty_str, expect_object, expect_str, is_fhir_id, is_media_type, kind, opt_str,
    quote, starts_with_date,
};
use super::file_name::file_name;
use super::rejection::{Rejection, RejectionCode};

/// The largest resource accepted unless configured otherwise: 1 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

const FHIR_ID_RULE: &str = "1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'";
const STATUSES: [&str; 3] = ["current", "superseded", "entered-in-error"];
const DOC_STATUSES: [&str; 4] = ["preliminary", "final", "amended", "entered-in-error"];

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
pub fn validate_document_json(json: &str, max_bytes: usize) -> Result<ValidDocument, Rejection> {
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
    let chosen = check_body(&resource).map_err(|message| {
        Rejection::new(RejectionCode::InvalidResource, message).with_document_id(Some(id.clone()))
    })?;

    let url = opt_str(chosen, "url").map(str::to_owned);
    let file_name = file_name(opt_str(chosen, "title"), url.as_deref(), &id);
    let mut hashes = BTreeMap::new();
    if let Some(hash) = opt_str(chosen, "hash") {
        hashes.insert("sha1".to_owned(), hash.to_owned());
    }
    Ok(ValidDocument {
        file_name,
        url,
        size: chosen.get("size").and_then(Value::as_u64),
        content_type: opt_str(chosen, "contentType").map(str::to_owned),
        hashes,
        json: json.to_owned(),
        id,
    })
}

/// Parses `DocumentReference/{id}` and returns the id.
pub fn parse_reference(reference: &str) -> Result<String, Rejection> {
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
                // Resource type names are shown bare, anything else quoted.
                Value::String(t)
                    if (1..=64).contains(&t.len())
                        && t.bytes().all(|b| b.is_ascii_alphanumeric()) =>
                {
                    t.clone()
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

/// Checks everything after `resourceType` and `id`; returns the attachment
/// the file comes from, or the message of the first problem found.
fn check_body(resource: &Map<String, Value>) -> Result<&Map<String, Value>, String> {
    match resource.get("status") {
        None => return Err("status: required".to_owned()),
        Some(status) => check_code("status", status, &STATUSES)?,
    }
    if let Some(doc_status) = resource.get("docStatus") {
        check_code("docStatus", doc_status, &DOC_STATUSES)?;
    }
    let chosen = check_content(resource.get("content"))?;
    if let Some(subject) = resource.get("subject") {
        check_reference_shape("subject", subject)?;
    }
    if let Some(context) = resource.get("context") {
        expect_object("context", context)?;
    }
    if let Some(author) = resource.get("author") {
        let Value::Array(authors) = author else {
            return Err(format!("author: must be an array, got {}", kind(author)));
        };
        for (i, a) in authors.iter().enumerate() {
            check_reference_shape(&format!("author[{i}]"), a)?;
        }
    }
    if let Some(custodian) = resource.get("custodian") {
        check_reference_shape("custodian", custodian)?;
    }
    if let Some(date) = resource.get("date") {
        let date = expect_str("date", date)?;
        if !starts_with_date(date) {
            return Err(format!(
                "date: expected a FHIR instant such as 2024-05-01T12:00:00Z, got {}",
                quote(date)
            ));
        }
    }
    Ok(chosen)
}

fn check_content(content: Option<&Value>) -> Result<&Map<String, Value>, String> {
    let Some(content) = content else {
        return Err("content: required (the file to import comes from it)".to_owned());
    };
    let Value::Array(entries) = content else {
        return Err(format!("content: must be an array, got {}", kind(content)));
    };
    if entries.is_empty() {
        return Err("content: must have at least one entry".to_owned());
    }
    let mut chosen = None;
    for (i, entry) in entries.iter().enumerate() {
        let path = format!("content[{i}]");
        let entry = expect_object(&path, entry)?;
        let path = format!("{path}.attachment");
        let Some(attachment) = entry.get("attachment") else {
            return Err(format!("{path}: required"));
        };
        let attachment = expect_object(&path, attachment)?;
        check_attachment(&path, attachment)?;
        if chosen.is_none() && (attachment.contains_key("url") || attachment.contains_key("data")) {
            chosen = Some(attachment);
        }
    }
    chosen.ok_or_else(|| {
        "content[0].attachment.url: required (an attachment needs url or data)".to_owned()
    })
}

/// Checks the type and form of each attachment element that is present.
fn check_attachment(path: &str, attachment: &Map<String, Value>) -> Result<(), String> {
    if let Some(url) = attachment.get("url") {
        let p = format!("{path}.url");
        let url = expect_non_empty_str(&p, url)?;
        if let Err(e) = check_absolute_url(url) {
            return Err(format!("{p}: {} is not an absolute URL ({e})", quote(url)));
        }
    }
    if let Some(data) = attachment.get("data") {
        let p = format!("{path}.data");
        check_base64(&p, expect_non_empty_str(&p, data)?)?;
    }
    if let Some(size) = attachment.get("size") {
        check_size(&format!("{path}.size"), size)?;
    }
    if let Some(hash) = attachment.get("hash") {
        let p = format!("{path}.hash");
        check_base64(&p, expect_non_empty_str(&p, hash)?)?;
    }
    if let Some(content_type) = attachment.get("contentType") {
        let p = format!("{path}.contentType");
        let content_type = expect_str(&p, content_type)?;
        if !is_media_type(content_type) {
            return Err(format!(
                "{p}: {} is not a media type of the form type/subtype[; name=value]",
                quote(content_type)
            ));
        }
    }
    for element in ["title", "language"] {
        if let Some(value) = attachment.get(element) {
            expect_str(&format!("{path}.{element}"), value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
