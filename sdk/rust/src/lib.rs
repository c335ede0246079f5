//! Client SDK for fhir-import: typed clients of every service (generated
//! from `proto/` by tonic-prost-build) and what every portal needs around
//! them: token sources (fixed, client credentials, rotating refresh tokens,
//! the authorization-code + PKCE flow), streaming imports from streams,
//! NDJSON files and Bundles, watching an import across reconnects, listing
//! every page as a stream, reads retried after UNAVAILABLE, and one error
//! type with a variant per status.
//!
//! Every call carries `authorization: Bearer …` and
//! `x-sbg-advance-access: advance` without the caller asking.

mod channel;
mod client;
mod credentials;
mod error;
mod files;
mod import;
mod watch;

/// The generated messages and client stubs of `proto/`.
pub mod proto {
    #[allow(clippy::all, clippy::pedantic)]
    pub mod v1 {
        tonic::include_proto!("fhir_import.v1");
    }
}

pub use channel::{PlatformChannel, RetryPolicy, ADVANCE_ACCESS_HEADER, ADVANCE_ACCESS_VALUE};
pub use client::{normalize_url, Client, ClientBuilder};
pub use credentials::{
    authorization_request, client_credentials_tokens, exchange_code, refresh_tokens,
    AuthorizationRequest, BoxFuture, Portal, TokenError, TokenProvider, TokenSource, Tokens,
    DEFAULT_REFRESH_BEFORE,
};
pub use error::Error;
pub use files::FileQuery;
pub use import::{bundle_documents, Document, ImportOptions};
pub use proto::v1 as pb;
pub use watch::{is_terminal, WatchOptions};
