//! Documents given by reference (`DocumentReference/{id}`) are read from
//! the import's FHIR server a batch at a time, with `_id` searches (one
//! request for many documents, single reads where the server refuses
//! them), just before the batch is stored. A document the server does not
//! have, or could not send, rejects that one item with its reason; the rest
//! of the batch is stored as usual.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::{
    document::{validate_document_json, DocumentPolicy},
    rejection::{Rejection, RejectionCode},
};
use crate::fhir::FhirClient;
use crate::store::IntakeItem;

/// One document message after its first check: ready to store, or still
/// to be read from the FHIR server.
pub(super) enum Checked {
    Ready(IntakeItem),
    ByReference {
        index: u64,
        id: String,
        metadata: BTreeMap<String, String>,
    },
}

impl Checked {
    /// The item with its document packed, when it has one already.
    pub fn packed(self) -> Self {
        match self {
            Checked::Ready(item) => Checked::Ready(item.packed()),
            by_reference => by_reference,
        }
    }
}

/// Where a batch's references are read from.
#[derive(Clone)]
pub(super) struct ReferenceSource {
    pub server_id: crate::domain::ids::FhirServerId,
    pub client: FhirClient,
}

/// Reads the referenced documents of `batch` and returns every item ready
/// to store, in the batch's order.
pub(super) async fn resolve_batch(
    source: Option<&ReferenceSource>,
    batch: Vec<Checked>,
    policy: &DocumentPolicy,
) -> Vec<IntakeItem> {
    let wanted: Vec<String> = batch
        .iter()
        .filter_map(|c| match c {
            Checked::ByReference { id, .. } => Some(id.clone()),
            Checked::Ready(_) => None,
        })
        .collect();
    let fetched = match source {
        _ if wanted.is_empty() => Ok(HashMap::new()),
        Some(source) => read_documents(source, &wanted).await,
        None => Err("the import names no FHIR server".to_owned()),
    };
    let server = source.map(|s| s.server_id.as_str()).unwrap_or_default();
    batch
        .into_iter()
        .map(|checked| match checked {
            Checked::Ready(item) => item,
            Checked::ByReference {
                index,
                id,
                metadata,
            } => {
                let outcome = match &fetched {
                    Err(why) => Err(not_resolvable(
                        &id,
                        format!("reading DocumentReference/{id} from FHIR server {server} failed: {why}"),
                    )),
                    Ok(found) => match found.get(&id) {
                        None => Err(not_resolvable(
                            &id,
                            format!("FHIR server {server} has no DocumentReference/{id}"),
                        )),
                        Some(json) => validate_document_json(json, policy)
                            .map(|doc| (doc, metadata))
                            .map_err(|r| {
                                Rejection::new(
                                    r.code,
                                    format!(
                                        "DocumentReference/{id} as FHIR server {server} sent it: {}",
                                        r.message
                                    ),
                                )
                                .with_document_id(Some(id.clone()))
                            }),
                    },
                };
                IntakeItem::new(index, outcome)
            }
        })
        .collect()
}

fn not_resolvable(id: &str, message: String) -> Rejection {
    Rejection::new(RejectionCode::ReferenceNotResolvable, message).with_document_id(Some(id.into()))
}

/// The documents the server has among `ids`, as JSON text by id. Anything
/// that is not a DocumentReference with one of those ids is ignored.
async fn read_documents(
    source: &ReferenceSource,
    ids: &[String],
) -> Result<HashMap<String, String>, String> {
    let found = source
        .client
        .search_ids("DocumentReference", ids)
        .await
        .map_err(|e| e.to_string())?;
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    Ok(found
        .into_iter()
        .filter(|d| d["resourceType"] == "DocumentReference")
        .filter(|d| d["id"].as_str().is_some_and(|id| wanted.contains(id)))
        .filter_map(|d| {
            let id = d["id"].as_str()?.to_owned();
            let json = serde_json::to_string(&d).ok()?;
            Some((id, json))
        })
        .collect())
}
