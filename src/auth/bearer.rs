//! The client side of the gate: a tonic interceptor that sends the bearer
//! token and the advance-access header on every call, for the tests' raw
//! tonic clients. Programs (the CLI among them) use the Rust SDK,
//! `fhir-import-client`, whose channel does the same and more.

use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use super::layer::{ADVANCE_ACCESS_HEADER, ADVANCE_ACCESS_VALUE};

/// Adds `authorization: Bearer …` (when there is a token) and
/// `x-sbg-advance-access: advance` to each request.
#[derive(Clone, Default)]
pub struct BearerAuth {
    authorization: Option<AsciiMetadataValue>,
}

impl BearerAuth {
    /// `None` sends only the advance-access header, for a server that does
    /// not require tokens. A token that cannot be a header value is refused.
    pub fn new(token: Option<&str>) -> Result<Self, InvalidToken> {
        let authorization = token
            .map(|t| MetadataValue::try_from(format!("Bearer {}", t.trim())))
            .transpose()
            .map_err(|_| InvalidToken)?;
        Ok(Self { authorization })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the access token holds characters a header cannot carry")]
pub struct InvalidToken;

impl Interceptor for BearerAuth {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let metadata = request.metadata_mut();
        if let Some(value) = &self.authorization {
            metadata.insert("authorization", value.clone());
        }
        metadata.insert(
            ADVANCE_ACCESS_HEADER,
            AsciiMetadataValue::from_static(ADVANCE_ACCESS_VALUE),
        );
        Ok(request)
    }
}
