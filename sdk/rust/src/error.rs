//! One error type for every SDK call: a variant per gRPC status the API
//! documents, each carrying the server's `Status` (message, details,
//! metadata), and the failures that happen before a call reaches it.

use tonic::{Code, Status};

use crate::credentials::TokenError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The token is missing, expired, revoked or not this service's.
    #[error("UNAUTHENTICATED: {}", .0.message())]
    Unauthenticated(Status),
    /// The token is valid but lacks the scope or the project role.
    #[error("PERMISSION_DENIED: {}", .0.message())]
    PermissionDenied(Status),
    /// No such project, import, file, FHIR server or schema, or not one the
    /// caller may see.
    #[error("NOT_FOUND: {}", .0.message())]
    NotFound(Status),
    /// The resource is not in a state that allows the call (e.g. cancelling
    /// a finished import).
    #[error("FAILED_PRECONDITION: {}", .0.message())]
    FailedPrecondition(Status),
    /// The request is wrong; the message names the field and why.
    #[error("INVALID_ARGUMENT: {}", .0.message())]
    InvalidArgument(Status),
    /// What the call would create exists already.
    #[error("ALREADY_EXISTS: {}", .0.message())]
    AlreadyExists(Status),
    /// A quota or rate limit; try again later.
    #[error("RESOURCE_EXHAUSTED: {}", .0.message())]
    ResourceExhausted(Status),
    /// The server is draining, restarting or unreachable. Reads are retried
    /// before this is returned.
    #[error("UNAVAILABLE: {}", .0.message())]
    Unavailable(Status),
    /// The call's deadline passed.
    #[error("DEADLINE_EXCEEDED: {}", .0.message())]
    DeadlineExceeded(Status),
    /// The call was cancelled.
    #[error("CANCELLED: {}", .0.message())]
    Cancelled(Status),
    /// A page token or position past the end.
    #[error("OUT_OF_RANGE: {}", .0.message())]
    OutOfRange(Status),
    /// Any other status (INTERNAL, UNKNOWN, ...).
    #[error("{:?}: {}", .0.code(), .0.message())]
    Other(Status),
    /// The server's URL is not one a connection can be made to.
    #[error("{url:?} is not a valid server URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// No connection could be made to the server.
    #[error("could not reach the fhir-import server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The token endpoint refused or could not be reached.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The documents to import could not be read (an NDJSON file, a Bundle).
    #[error("{0}")]
    Input(String),
}

impl Error {
    /// The server's status, when the server answered.
    pub fn status(&self) -> Option<&Status> {
        match self {
            Self::Unauthenticated(s)
            | Self::PermissionDenied(s)
            | Self::NotFound(s)
            | Self::FailedPrecondition(s)
            | Self::InvalidArgument(s)
            | Self::AlreadyExists(s)
            | Self::ResourceExhausted(s)
            | Self::Unavailable(s)
            | Self::DeadlineExceeded(s)
            | Self::Cancelled(s)
            | Self::OutOfRange(s)
            | Self::Other(s) => Some(s),
            _ => None,
        }
    }

    /// The gRPC code: the server's, UNAVAILABLE for an unreachable server,
    /// UNAUTHENTICATED for a refused token request, INVALID_ARGUMENT for
    /// unusable input.
    pub fn code(&self) -> Code {
        match self {
            Self::InvalidUrl { .. } | Self::Input(_) => Code::InvalidArgument,
            Self::Unreachable { .. } => Code::Unavailable,
            Self::Token(_) => Code::Unauthenticated,
            other => other.status().map_or(Code::Unknown, Status::code),
        }
    }
}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        match status.code() {
            Code::Unauthenticated => Self::Unauthenticated(status),
            Code::PermissionDenied => Self::PermissionDenied(status),
            Code::NotFound => Self::NotFound(status),
            Code::FailedPrecondition => Self::FailedPrecondition(status),
            Code::InvalidArgument => Self::InvalidArgument(status),
            Code::AlreadyExists => Self::AlreadyExists(status),
            Code::ResourceExhausted => Self::ResourceExhausted(status),
            Code::Unavailable => Self::Unavailable(status),
            Code::DeadlineExceeded => Self::DeadlineExceeded(status),
            Code::Cancelled => Self::Cancelled(status),
            Code::OutOfRange => Self::OutOfRange(status),
            _ => Self::Other(status),
        }
    }
}

/// The innermost cause of an error: for a refused connection that is
/// "Connection refused (os error 111)" rather than "transport error".
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
