//! Access tokens: client credentials fetched once and reused, a refused
//! token replaced once, fixed bearer tokens sent as given.

use fhir_import::fhir::{FhirAuth, FhirClient, FhirError};

use crate::common::fhir_stub::{patient, FhirStub, Reply};

const PATIENT: &str = "/fhir/Patient/a";
const TOKEN: &str = "/token";

fn client_credentials(stub: &FhirStub) -> FhirClient {
    let mut config = crate::quick_config(&stub.base_url());
    config.auth = FhirAuth::ClientCredentials {
        token_url: format!("http://127.0.0.1:{}{TOKEN}", stub.port()),
        client_id: "importer".into(),
        client_secret: "s3cret-value".into(),
        scopes: vec!["system/*.read".into()],
    };
    assert!(!format!("{config:?}").contains("s3cret-value"));
    FhirClient::new(config).expect("client")
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[tokio::test]
async fn a_client_credentials_token_is_fetched_once_and_reused() {
    let stub = FhirStub::start().await;
    stub.on(TOKEN, vec![Reply::Token { expires_in: 3600 }]);
    stub.on(PATIENT, vec![Reply::Json(patient("a"))]);
    let fhir = client_credentials(&stub);
    let reads = (0..4).map(|_| fhir.read("Patient", "a"));
    for found in futures::future::join_all(reads).await {
        found.expect("read").expect("found");
    }
    assert_eq!(stub.hits(TOKEN), 1);
    assert_eq!(stub.authorizations(PATIENT), vec![bearer("token-1"); 4]);
    let basic = stub.authorizations(TOKEN)[0]
        .clone()
        .expect("client authentication");
    assert!(basic.starts_with("Basic "), "{basic}");
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once() {
    let stub = FhirStub::start().await;
    stub.on(TOKEN, vec![Reply::Token { expires_in: 3600 }]);
    stub.on(
        PATIENT,
        vec![Reply::Status(401, "expired"), Reply::Json(patient("a"))],
    );
    stub.on("/fhir/Patient/b", vec![Reply::Status(401, "never")]);
    let fhir = client_credentials(&stub);

    fhir.read("Patient", "a").await.expect("read after refresh");
    assert_eq!(
        stub.authorizations(PATIENT),
        [bearer("token-1"), bearer("token-2")]
    );

    let error = fhir.read("Patient", "b").await.expect_err("still refused");
    assert!(matches!(error, FhirError::Auth(_)), "{error:?}");
    assert_eq!(stub.hits("/fhir/Patient/b"), 2, "one refresh, no more");
    assert_eq!(stub.hits(TOKEN), 3);
}

#[tokio::test]
async fn a_token_endpoint_refusal_is_an_auth_error() {
    let stub = FhirStub::start().await;
    stub.on(TOKEN, vec![Reply::Status(401, "invalid_client")]);
    let fhir = client_credentials(&stub);
    let error = fhir.read("Patient", "a").await.expect_err("no token");
    assert_eq!(error.code(), "AUTH", "{error:?}");
    assert!(!error.to_string().contains("s3cret-value"));
    assert_eq!(stub.hits(PATIENT), 0);
}

#[tokio::test]
async fn a_fixed_bearer_token_is_sent_and_not_refreshed() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::Status(401, "bad token")]);
    let mut config = crate::quick_config(&stub.base_url());
    config.auth = FhirAuth::Bearer {
        token: "fixed".into(),
    };
    let fhir = FhirClient::new(config).expect("client");
    let error = fhir.read("Patient", "a").await.expect_err("refused");
    assert_eq!(error.code(), "AUTH");
    assert_eq!(stub.authorizations(PATIENT), [bearer("fixed")]);
}
