//! The import model: an import's state and counts, its items and their
//! states, and the events that record every change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{FhirServerId, ImportId, ProjectId};
use super::rejection::{Rejection, RejectionCode};

macro_rules! stored_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

stored_enum!(ImportState {
    Receiving => "RECEIVING",
    Processing => "PROCESSING",
    Completed => "COMPLETED",
    CompletedWithErrors => "COMPLETED_WITH_ERRORS",
    Failed => "FAILED",
    Cancelled => "CANCELLED",
});

impl ImportState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::CompletedWithErrors | Self::Failed | Self::Cancelled
        )
    }
}

stored_enum!(ImportKind {
    Documents => "DOCUMENTS",
    Rescrape => "RESCRAPE",
});

stored_enum!(ItemState {
    Pending => "PENDING",
    Processing => "PROCESSING",
    Imported => "IMPORTED",
    Skipped => "SKIPPED",
    Rejected => "REJECTED",
    Failed => "FAILED",
    Cancelled => "CANCELLED",
    Scraped => "SCRAPED",
    ScrapeFailed => "SCRAPE_FAILED",
});

stored_enum!(ItemFailure {
    StoreRefused => "STORE_REFUSED",
    InvalidStoredDocument => "INVALID_STORED_DOCUMENT",
    FhirServerUnavailable => "FHIR_SERVER_UNAVAILABLE",
    FhirServerNotRegistered => "FHIR_SERVER_NOT_REGISTERED",
    FhirServerNotAllowed => "FHIR_SERVER_NOT_ALLOWED",
    NoSchema => "NO_SCHEMA",
});

stored_enum!(ItemStage {
    Intake => "INTAKE",
    RecordFile => "RECORD_FILE",
    FetchMetadata => "FETCH_METADATA",
});

stored_enum!(ConflictPolicy {
    Skip => "SKIP",
    Overwrite => "OVERWRITE",
    Rename => "RENAME",
});

/// Counts of an import's items by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: u64,
    pub pending: u64,
    pub processing: u64,
    pub imported: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub scraped: u64,
    pub scrape_failed: u64,
}

impl Counts {
    pub fn slot(&mut self, state: ItemState) -> &mut u64 {
        match state {
            ItemState::Pending => &mut self.pending,
            ItemState::Processing => &mut self.processing,
            ItemState::Imported => &mut self.imported,
            ItemState::Skipped => &mut self.skipped,
            ItemState::Rejected => &mut self.rejected,
            ItemState::Failed => &mut self.failed,
            ItemState::Cancelled => &mut self.cancelled,
            ItemState::Scraped => &mut self.scraped,
            ItemState::ScrapeFailed => &mut self.scrape_failed,
        }
    }

    /// Moves one item from `from` (None: a new item) to `to`.
    pub fn apply(&mut self, from: Option<ItemState>, to: ItemState) {
        match from {
            Some(from) => {
                let slot = self.slot(from);
                *slot = slot.saturating_sub(1);
            }
            None => self.received += 1,
        }
        *self.slot(to) += 1;
    }

    /// Items not done yet; with `scraping`, imported files still wait for
    /// their metadata.
    pub fn unfinished(&self, scraping: bool) -> u64 {
        self.pending + self.processing + if scraping { self.imported } else { 0 }
    }

    /// The terminal state an import whose items are all finished ends in.
    /// A stream cut before its end counts as an error of the import.
    pub fn outcome(&self, stream_cut: bool) -> ImportState {
        let errors = self.rejected + self.failed + self.scrape_failed + u64::from(stream_cut);
        // A file whose metadata failed is still imported: an error, not a
        // failure of the whole import.
        let done = self.imported + self.skipped + self.scraped + self.scrape_failed;
        match (done, errors) {
            (_, 0) => ImportState::Completed,
            (0, _) => ImportState::Failed,
            _ => ImportState::CompletedWithErrors,
        }
    }
}

/// One import as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub id: ImportId,
    pub project_id: ProjectId,
    pub kind: ImportKind,
    pub state: ImportState,
    pub counts: Counts,
    /// Where its files' metadata is scraped from; none: not scraped.
    pub fhir_server: Option<FhirServerId>,
    pub on_conflict: ConflictPolicy,
    pub idempotency_key: Option<String>,
    pub tags: Vec<String>,
    pub error: String,
    pub last_sequence: u64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One item (one document message) of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub index: u64,
    pub document_id: Option<String>,
    pub state: ItemState,
    pub stage: ItemStage,
    pub rejection: Option<StoredRejection>,
    pub error: Option<String>,
    pub file_id: Option<String>,
    pub sequence: u64,
    pub updated_at: DateTime<Utc>,
    /// The earlier item of the same import with the same document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<u64>,
    /// The kind of failure, when the item failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<ItemFailure>,
}

impl Item {
    /// An item in `state` with nothing else to say yet.
    pub fn new(
        index: u64,
        state: ItemState,
        stage: ItemStage,
        sequence: u64,
        updated_at: DateTime<Utc>,
    ) -> Self {
        Self {
            index,
            document_id: None,
            state,
            stage,
            rejection: None,
            error: None,
            file_id: None,
            sequence,
            updated_at,
            repeat_of: None,
            failure: None,
        }
    }

    /// True when the item ended where a person must look: rejected,
    /// failed, cancelled, or with a message (such as partial metadata).
    /// Such an item gets an event of its own; the others are told of in
    /// their batch's progress event.
    pub fn needs_attention(&self) -> bool {
        matches!(
            self.state,
            ItemState::Rejected
                | ItemState::Failed
                | ItemState::ScrapeFailed
                | ItemState::Cancelled
        ) || self.rejection.is_some()
            || self.error.is_some()
    }

    /// Marks the item failed, with why.
    pub fn fail(&mut self, state: ItemState, failure: Failure) {
        self.state = state;
        self.failure = Some(failure.kind);
        self.error = Some(failure.message);
    }
}

/// Why an item failed: its kind, and the text a user reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: ItemFailure,
    pub message: String,
}

impl Failure {
    pub fn new(kind: ItemFailure, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// A rejection as it is kept in events and item rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRejection {
    pub code: String,
    pub message: String,
}

impl StoredRejection {
    pub fn code(&self) -> Option<RejectionCode> {
        RejectionCode::parse(&self.code)
    }
}

impl From<&Rejection> for StoredRejection {
    fn from(r: &Rejection) -> Self {
        Self {
            code: r.code.as_str().to_owned(),
            message: r.message.clone(),
        }
    }
}

/// One change of an import, numbered by a per-import sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub sequence: u64,
    pub counts: Counts,
    pub time: DateTime<Utc>,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Item(Item),
    State {
        state: ImportState,
        error: String,
    },
    /// Nothing changed for a while; what the import waits for.
    Stall {
        reason: String,
        idle_seconds: u64,
    },
    /// A batch of items moved on together in `stage`.
    Progress(Progress),
}

/// What one batch moved without an event per item: `items` items with
/// indexes from `first_index` to `last_index`, in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: ItemStage,
    pub first_index: u64,
    pub last_index: u64,
    pub items: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for s in ImportState::ALL {
            assert_eq!(ImportState::parse(s.as_str()), Some(*s));
        }
        for s in ItemState::ALL {
            assert_eq!(ItemState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(ConflictPolicy::parse("nope"), None);
    }

    #[test]
    fn counts_follow_items_and_decide_the_outcome() {
        let mut c = Counts::default();
        c.apply(None, ItemState::Pending);
        c.apply(None, ItemState::Rejected);
        assert_eq!((c.received, c.pending, c.rejected), (2, 1, 1));
        c.apply(Some(ItemState::Pending), ItemState::Imported);
        assert_eq!((c.pending, c.imported, c.unfinished(false)), (0, 1, 0));
        assert_eq!(c.outcome(false), ImportState::CompletedWithErrors);
        assert_eq!(Counts::default().outcome(false), ImportState::Completed);
        let clean = Counts {
            received: 1,
            imported: 1,
            ..Counts::default()
        };
        assert_eq!(clean.outcome(false), ImportState::Completed);
        assert_eq!(clean.outcome(true), ImportState::CompletedWithErrors);
        assert_eq!(Counts::default().outcome(true), ImportState::Failed);
        let all_bad = Counts {
            received: 1,
            rejected: 1,
            ..Counts::default()
        };
        assert_eq!(all_bad.outcome(false), ImportState::Failed);
    }
}

stored_enum!(MetadataState {
    NotRequested => "NOT_REQUESTED",
    Pending => "PENDING",
    Complete => "COMPLETE",
    Failed => "FAILED",
    Partial => "PARTIAL",
});
