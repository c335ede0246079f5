//! Why a single document of an import was rejected: a code a program can act
//! on and a message a person can, naming the element at fault.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectionCode {
    EmptyDocument,
    InvalidJson,
    WrongResourceType,
    InvalidResource,
    TooLarge,
    InvalidMetadata,
    InvalidReference,
    ReferenceNotResolvable,
}

impl RejectionCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptyDocument => "EMPTY_DOCUMENT",
            Self::InvalidJson => "INVALID_JSON",
            Self::WrongResourceType => "WRONG_RESOURCE_TYPE",
            Self::InvalidResource => "INVALID_RESOURCE",
            Self::TooLarge => "TOO_LARGE",
            Self::InvalidMetadata => "INVALID_METADATA",
            Self::InvalidReference => "INVALID_REFERENCE",
            Self::ReferenceNotResolvable => "REFERENCE_NOT_RESOLVABLE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::EmptyDocument,
            Self::InvalidJson,
            Self::WrongResourceType,
            Self::InvalidResource,
            Self::TooLarge,
            Self::InvalidMetadata,
            Self::InvalidReference,
            Self::ReferenceNotResolvable,
        ]
        .into_iter()
        .find(|code| code.as_str() == s)
    }
}

/// One rejected document: what is wrong, and the document id when one could
/// be read before the problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectionCode,
    pub document_id: Option<String>,
    pub message: String,
}

impl Rejection {
    pub fn new(code: RejectionCode, message: impl Into<String>) -> Self {
        Self {
            code,
            document_id: None,
            message: message.into(),
        }
    }

    pub fn with_document_id(mut self, id: Option<String>) -> Self {
        self.document_id = id;
        self
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}
