//! Rows to domain types. Stored text that no longer parses is reported as
//! `StoreError::Corrupt` instead of being guessed at.

use super::entities::{import, import_event, import_item};
use super::StoreError;
use crate::domain::{
    document::ValidDocument,
    ids::{FhirServerId, ImportId, ProjectId},
    import::{
        ConflictPolicy, Counts, Event, Import, ImportKind, ImportState, Item, ItemFailure,
        ItemStage, ItemState, StoredRejection,
    },
};

/// The time of a batch's rows, to the millisecond. SQLite keeps timestamps
/// as text, and the nanoseconds nobody reads cost 6 bytes in each (three a
/// document: its item's and its file's). Text of either precision sorts in
/// time order.
pub(super) fn batch_time() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(3)
}

pub(super) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(super) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {value:?}"))
}

pub(super) fn counts_of(m: &import::Model) -> Counts {
    Counts {
        received: to_u64(m.received),
        pending: to_u64(m.pending),
        processing: to_u64(m.processing),
        imported: to_u64(m.imported),
        skipped: to_u64(m.skipped),
        rejected: to_u64(m.rejected),
        failed: to_u64(m.failed),
        cancelled: to_u64(m.cancelled),
        scraped: to_u64(m.scraped),
        scrape_failed: to_u64(m.scrape_failed),
    }
}

pub(super) fn set_counts(m: &mut import::ActiveModel, c: &Counts) {
    use sea_orm::ActiveValue::Set;
    m.received = Set(to_i64(c.received));
    m.pending = Set(to_i64(c.pending));
    m.processing = Set(to_i64(c.processing));
    m.imported = Set(to_i64(c.imported));
    m.skipped = Set(to_i64(c.skipped));
    m.rejected = Set(to_i64(c.rejected));
    m.failed = Set(to_i64(c.failed));
    m.cancelled = Set(to_i64(c.cancelled));
    m.scraped = Set(to_i64(c.scraped));
    m.scrape_failed = Set(to_i64(c.scrape_failed));
}

impl TryFrom<import::Model> for Import {
    type Error = StoreError;

    fn try_from(m: import::Model) -> Result<Self, StoreError> {
        let state =
            ImportState::parse(&m.state).ok_or_else(|| corrupt("import state", &m.state))?;
        let kind = ImportKind::parse(&m.kind).ok_or_else(|| corrupt("import kind", &m.kind))?;
        let on_conflict = ConflictPolicy::parse(&m.on_conflict)
            .ok_or_else(|| corrupt("conflict policy", &m.on_conflict))?;
        let tags: Vec<String> =
            serde_json::from_str(&m.tags).map_err(|_| corrupt("tags", &m.tags))?;
        Ok(Import {
            counts: counts_of(&m),
            id: ImportId::from_stored(m.id),
            project_id: ProjectId::from_stored(m.project_id),
            kind,
            state,
            fhir_server: FhirServerId::from_stored(m.fhir_server),
            on_conflict,
            idempotency_key: m.idempotency_key,
            tags,
            error: m.error,
            last_sequence: to_u64(m.last_sequence),
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            finished_at: m.finished_at,
        })
    }
}

impl TryFrom<import_item::Model> for Item {
    type Error = StoreError;

    fn try_from(m: import_item::Model) -> Result<Self, StoreError> {
        let state = ItemState::parse(&m.state).ok_or_else(|| corrupt("item state", &m.state))?;
        let stage = ItemStage::parse(&m.stage).ok_or_else(|| corrupt("item stage", &m.stage))?;
        let (rejection, error) = match (state, m.rejection_code) {
            (ItemState::Rejected, Some(code)) => (
                Some(StoredRejection {
                    code,
                    message: m.message.unwrap_or_default(),
                }),
                None,
            ),
            _ => (None, m.message),
        };
        let failure = match &m.failure {
            Some(text) => Some(ItemFailure::parse(text).ok_or_else(|| corrupt("failure", text))?),
            None => None,
        };
        Ok(Item {
            repeat_of: m.repeat_of.map(to_u64),
            failure,
            index: to_u64(m.idx),
            document_id: m.document_id,
            state,
            stage,
            rejection,
            error,
            file_id: m.file_id,
            sequence: to_u64(m.sequence),
            updated_at: m.updated_at,
        })
    }
}

/// What an accepted item keeps until its file is recorded: the document,
/// the metadata the portal supplied, and what intake checked of it.
pub(super) struct Accepted {
    pub document_json: String,
    pub metadata_json: String,
    pub checked_json: String,
}

/// The fields of a checked document a file is made of, as an item keeps
/// them (the document itself is kept beside them).
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct CheckedFields {
    pub id: String,
    pub file_name: String,
    pub url: Option<String>,
    pub size: Option<u64>,
    pub content_type: Option<String>,
    pub hashes: std::collections::BTreeMap<String, String>,
}

impl CheckedFields {
    pub fn of(doc: &ValidDocument) -> Self {
        Self {
            id: doc.id.clone(),
            file_name: doc.file_name.clone(),
            url: doc.url.clone(),
            size: doc.size,
            content_type: doc.content_type.clone(),
            hashes: doc.hashes.clone(),
        }
    }

    pub fn with_document(self, json: String) -> ValidDocument {
        ValidDocument {
            id: self.id,
            file_name: self.file_name,
            url: self.url,
            size: self.size,
            content_type: self.content_type,
            hashes: self.hashes,
            json,
        }
    }
}

/// The item row for an item as it stands now.
pub(super) fn item_row(
    import_id: &ImportId,
    item: &Item,
    accepted: Option<Accepted>,
) -> import_item::ActiveModel {
    use sea_orm::ActiveValue::Set;
    let (code, message) = match (&item.rejection, &item.error) {
        (Some(r), _) => (Some(r.code.clone()), Some(r.message.clone())),
        (None, Some(e)) => (None, Some(e.clone())),
        (None, None) => (None, None),
    };
    import_item::ActiveModel {
        import_id: Set(import_id.as_str().to_owned()),
        idx: Set(to_i64(item.index)),
        document_id: Set(item.document_id.clone()),
        state: Set(item.state.as_str().to_owned()),
        stage: Set(item.stage.as_str().to_owned()),
        rejection_code: Set(code),
        message: Set(message),
        file_id: Set(item.file_id.clone()),
        sequence: Set(to_i64(item.sequence)),
        document_json: Set(accepted.as_ref().map(|a| a.document_json.clone())),
        metadata_json: Set(accepted.as_ref().map(|a| a.metadata_json.clone())),
        checked_json: Set(accepted.map(|a| a.checked_json)),
        updated_at: Set(item.updated_at),
        repeat_of: Set(item.repeat_of.map(to_i64)),
        failure: Set(item.failure.map(|f| f.as_str().to_owned())),
    }
}

pub(super) fn event_row(
    import_id: &ImportId,
    event: &Event,
) -> Result<import_event::ActiveModel, StoreError> {
    use sea_orm::ActiveValue::Set;
    let payload = serde_json::to_string(event)
        .map_err(|e| StoreError::Corrupt(format!("event not serialisable: {e}")))?;
    Ok(import_event::ActiveModel {
        import_id: Set(import_id.as_str().to_owned()),
        sequence: Set(to_i64(event.sequence)),
        payload: Set(payload),
        created_at: Set(event.time),
    })
}

impl TryFrom<import_event::Model> for Event {
    type Error = StoreError;

    fn try_from(m: import_event::Model) -> Result<Self, StoreError> {
        serde_json::from_str(&m.payload).map_err(|e| {
            StoreError::Corrupt(format!("event {} of {}: {e}", m.sequence, m.import_id))
        })
    }
}
