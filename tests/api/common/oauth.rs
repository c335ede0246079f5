//! What the OAuth tests check of a token: the error the token endpoint gave
//! (through the `oauth2` crate), and whether gRPC takes it.

use oauth2::{basic::BasicErrorResponseType, RequestTokenError, StandardErrorResponse};

use super::TestApp;

/// The token endpoint refused with the RFC 6749 error `expected`
/// (`"invalid_grant"`, or `BasicErrorResponseType::InvalidGrant`).
pub fn assert_oauth_error<RE: std::error::Error + 'static>(
    err: RequestTokenError<RE, StandardErrorResponse<BasicErrorResponseType>>,
    expected: impl AsRef<str>,
) {
    let expected = expected.as_ref();
    match err {
        RequestTokenError::ServerResponse(response) => {
            assert_eq!(response.error().as_ref(), expected, "{response:?}")
        }
        other => panic!("expected {expected}, got {other:?}"),
    }
}

/// What a gRPC call with `token` answers: a project that does not exist,
/// so NOT_FOUND while the token holds, UNAUTHENTICATED once it does not.
pub async fn grpc_with(app: &TestApp, token: &str) -> tonic::Status {
    fhir_import::proto::v1::import_service_client::ImportServiceClient::new(app.channel_with(token))
        .list_imports(fhir_import::proto::v1::ListImportsRequest {
            project: "nobody/nothing".into(),
            ..Default::default()
        })
        .await
        .expect_err("no such project")
}
