//! Domain types to wire messages and wire enums to domain enums.

use chrono::{DateTime, Utc};
use prost_types::Timestamp;

use crate::domain::{file::File, project::Project};
use crate::domain::{
    import::{
        Change, ConflictPolicy, Counts, Event, Import, ImportKind, ImportState, Item, ItemFailure,
        ItemStage, ItemState, MetadataState,
    },
    rejection::{Rejection, RejectionCode},
};
use crate::import::WatchUpdate;
use crate::proto::v1 as pb;

pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

pub fn project(p: Project) -> pb::Project {
    pb::Project {
        id: p.id.into_string(),
        name: p.name,
        slug: p.slug,
        owner: p.owner,
        description: p.description,
        create_time: Some(timestamp(p.created_at)),
        update_time: Some(timestamp(p.updated_at)),
    }
}

pub fn file(f: File) -> pb::File {
    pb::File {
        id: f.id.into_string(),
        project: f.project_id.into_string(),
        name: f.name,
        url: f.url,
        size: f.size,
        content_type: f.content_type,
        hashes: f.hashes.into_iter().collect(),
        document_reference_id: f.document_reference_id,
        fhir_server: f
            .fhir_server
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        metadata: f.metadata.into_iter().collect(),
        metadata_state: metadata_state(f.metadata_state) as i32,
        tags: f.tags,
        import_id: f.import_id.into_string(),
        document_reference_json: f.document_json.unwrap_or_default(),
        metadata_error: f.metadata_error,
        metadata_schema: f.metadata_schema.unwrap_or_default(),
        metadata_sources: f.metadata_sources.into_iter().collect(),
        create_time: Some(timestamp(f.created_at)),
        update_time: Some(timestamp(f.updated_at)),
    }
}

fn metadata_state(s: MetadataState) -> pb::MetadataState {
    match s {
        MetadataState::NotRequested => pb::MetadataState::NotRequested,
        MetadataState::Pending => pb::MetadataState::Pending,
        MetadataState::Complete => pb::MetadataState::Complete,
        MetadataState::Failed => pb::MetadataState::Failed,
        MetadataState::Partial => pb::MetadataState::Partial,
    }
}

pub fn metadata_state_from_wire(value: i32) -> Result<MetadataState, String> {
    Ok(match pb::MetadataState::try_from(value) {
        Ok(pb::MetadataState::NotRequested) => MetadataState::NotRequested,
        Ok(pb::MetadataState::Pending) => MetadataState::Pending,
        Ok(pb::MetadataState::Complete) => MetadataState::Complete,
        Ok(pb::MetadataState::Failed) => MetadataState::Failed,
        Ok(pb::MetadataState::Partial) => MetadataState::Partial,
        Ok(pb::MetadataState::Unspecified) | Err(_) => {
            return Err(format!("metadata_states: {value} is not a metadata state"))
        }
    })
}

fn import_kind(k: ImportKind) -> pb::ImportKind {
    match k {
        ImportKind::Documents => pb::ImportKind::Documents,
        ImportKind::Rescrape => pb::ImportKind::Rescrape,
    }
}

pub fn conflict_policy_from_wire(value: i32) -> Result<Option<ConflictPolicy>, String> {
    match pb::ConflictPolicy::try_from(value) {
        Ok(pb::ConflictPolicy::Unspecified) => Ok(None),
        Ok(pb::ConflictPolicy::Skip) => Ok(Some(ConflictPolicy::Skip)),
        Ok(pb::ConflictPolicy::Overwrite) => Ok(Some(ConflictPolicy::Overwrite)),
        Ok(pb::ConflictPolicy::Rename) => Ok(Some(ConflictPolicy::Rename)),
        Err(_) => Err(format!("header.on_conflict: unknown value {value}")),
    }
}

fn conflict_policy(p: ConflictPolicy) -> pb::ConflictPolicy {
    match p {
        ConflictPolicy::Skip => pb::ConflictPolicy::Skip,
        ConflictPolicy::Overwrite => pb::ConflictPolicy::Overwrite,
        ConflictPolicy::Rename => pb::ConflictPolicy::Rename,
    }
}

fn import_state(s: ImportState) -> pb::ImportState {
    match s {
        ImportState::Receiving => pb::ImportState::Receiving,
        ImportState::Processing => pb::ImportState::Processing,
        ImportState::Completed => pb::ImportState::Completed,
        ImportState::CompletedWithErrors => pb::ImportState::CompletedWithErrors,
        ImportState::Failed => pb::ImportState::Failed,
        ImportState::Cancelled => pb::ImportState::Cancelled,
    }
}

pub fn item_state_from_wire(value: i32) -> Result<ItemState, String> {
    Ok(match pb::ItemState::try_from(value) {
        Ok(pb::ItemState::Pending) => ItemState::Pending,
        Ok(pb::ItemState::Processing) => ItemState::Processing,
        Ok(pb::ItemState::Imported) => ItemState::Imported,
        Ok(pb::ItemState::Skipped) => ItemState::Skipped,
        Ok(pb::ItemState::Rejected) => ItemState::Rejected,
        Ok(pb::ItemState::Failed) => ItemState::Failed,
        Ok(pb::ItemState::Cancelled) => ItemState::Cancelled,
        Ok(pb::ItemState::Scraped) => ItemState::Scraped,
        Ok(pb::ItemState::ScrapeFailed) => ItemState::ScrapeFailed,
        Ok(pb::ItemState::Unspecified) | Err(_) => {
            return Err(format!("states: {value} is not an item state"))
        }
    })
}

fn item_state(s: ItemState) -> pb::ItemState {
    match s {
        ItemState::Pending => pb::ItemState::Pending,
        ItemState::Processing => pb::ItemState::Processing,
        ItemState::Imported => pb::ItemState::Imported,
        ItemState::Skipped => pb::ItemState::Skipped,
        ItemState::Rejected => pb::ItemState::Rejected,
        ItemState::Failed => pb::ItemState::Failed,
        ItemState::Cancelled => pb::ItemState::Cancelled,
        ItemState::Scraped => pb::ItemState::Scraped,
        ItemState::ScrapeFailed => pb::ItemState::ScrapeFailed,
    }
}

fn item_stage(s: ItemStage) -> pb::ItemStage {
    match s {
        ItemStage::Intake => pb::ItemStage::Intake,
        ItemStage::RecordFile => pb::ItemStage::RecordFile,
        ItemStage::FetchMetadata => pb::ItemStage::FetchMetadata,
    }
}

fn rejection_code(c: RejectionCode) -> pb::RejectionCode {
    match c {
        RejectionCode::EmptyDocument => pb::RejectionCode::EmptyDocument,
        RejectionCode::InvalidJson => pb::RejectionCode::InvalidJson,
        RejectionCode::WrongResourceType => pb::RejectionCode::WrongResourceType,
        RejectionCode::InvalidResource => pb::RejectionCode::InvalidResource,
        RejectionCode::TooLarge => pb::RejectionCode::TooLarge,
        RejectionCode::InvalidMetadata => pb::RejectionCode::InvalidMetadata,
        RejectionCode::InvalidReference => pb::RejectionCode::InvalidReference,
        RejectionCode::ReferenceNotResolvable => pb::RejectionCode::ReferenceNotResolvable,
    }
}

pub fn rejection(index: u64, r: Rejection) -> pb::ItemRejection {
    pb::ItemRejection {
        index,
        document_id: r.document_id.unwrap_or_default(),
        code: rejection_code(r.code) as i32,
        message: r.message,
    }
}

fn counts(c: Counts) -> pb::ImportCounts {
    pb::ImportCounts {
        received: c.received,
        pending: c.pending,
        processing: c.processing,
        imported: c.imported,
        skipped: c.skipped,
        rejected: c.rejected,
        failed: c.failed,
        cancelled: c.cancelled,
        scraped: c.scraped,
        scrape_failed: c.scrape_failed,
    }
}

pub fn import(i: Import) -> pb::Import {
    pb::Import {
        id: i.id.into_string(),
        project: i.project_id.into_string(),
        state: import_state(i.state) as i32,
        counts: Some(counts(i.counts)),
        fhir_server: i
            .fhir_server
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        on_conflict: conflict_policy(i.on_conflict) as i32,
        idempotency_key: i.idempotency_key.unwrap_or_default(),
        tags: i.tags,
        error: i.error,
        last_sequence: i.last_sequence,
        created_by: i.created_by,
        create_time: Some(timestamp(i.created_at)),
        update_time: Some(timestamp(i.updated_at)),
        finish_time: i.finished_at.map(timestamp),
        kind: import_kind(i.kind) as i32,
    }
}

pub fn item(i: Item) -> pb::ImportItem {
    let rejection = i.rejection.map(|stored| pb::ItemRejection {
        index: i.index,
        document_id: i.document_id.clone().unwrap_or_default(),
        code: stored
            .code()
            .map_or(pb::RejectionCode::Unspecified, rejection_code) as i32,
        message: stored.message,
    });
    pb::ImportItem {
        index: i.index,
        document_id: i.document_id.unwrap_or_default(),
        state: item_state(i.state) as i32,
        stage: item_stage(i.stage) as i32,
        rejection,
        error: i.error.unwrap_or_default(),
        file_id: i.file_id.unwrap_or_default(),
        sequence: i.sequence,
        update_time: Some(timestamp(i.updated_at)),
        repeat_of: i.repeat_of,
        failure: i.failure.map_or(pb::ItemFailure::Unspecified, item_failure) as i32,
    }
}

fn item_failure(f: ItemFailure) -> pb::ItemFailure {
    match f {
        ItemFailure::StoreRefused => pb::ItemFailure::StoreRefused,
        ItemFailure::InvalidStoredDocument => pb::ItemFailure::InvalidStoredDocument,
        ItemFailure::FhirServerUnavailable => pb::ItemFailure::FhirServerUnavailable,
        ItemFailure::FhirServerNotRegistered => pb::ItemFailure::FhirServerNotRegistered,
        ItemFailure::FhirServerNotAllowed => pb::ItemFailure::FhirServerNotAllowed,
        ItemFailure::NoSchema => pb::ItemFailure::NoSchema,
    }
}

pub fn watch_update(update: WatchUpdate) -> pb::ImportEvent {
    use pb::import_event::Kind;
    match update {
        WatchUpdate::Snapshot {
            sequence,
            import: snapshot,
        } => pb::ImportEvent {
            sequence,
            counts: Some(counts(snapshot.counts)),
            time: Some(timestamp(snapshot.updated_at)),
            kind: Some(Kind::Snapshot(import(snapshot))),
        },
        WatchUpdate::Event(Event {
            sequence,
            counts: c,
            time,
            change,
        }) => pb::ImportEvent {
            sequence,
            counts: Some(counts(c)),
            time: Some(timestamp(time)),
            kind: Some(match change {
                Change::Item(i) => Kind::Item(item(i)),
                Change::State { state, error } => Kind::StateChange(pb::ImportStateChange {
                    state: import_state(state) as i32,
                    error,
                }),
                Change::Stall {
                    reason,
                    idle_seconds,
                } => Kind::Stall(pb::ImportStall {
                    reason,
                    idle_seconds,
                }),
                Change::Progress(p) => Kind::Progress(pb::ImportProgress {
                    stage: item_stage(p.stage) as i32,
                    first_index: p.first_index,
                    last_index: p.last_index,
                    items: p.items,
                }),
            }),
        },
    }
}
