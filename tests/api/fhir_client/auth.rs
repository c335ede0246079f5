//! Access tokens: client credentials fetched once and reused, a refused
//! token replaced once, fixed bearer tokens sent as given, and SMART
//! Backend Services assertions that the real server verifies.

use fhir_import::dataset::{generate, Shape};
use fhir_import::fhir::{FhirAuth, FhirClient, FhirError, SigningAlgorithm};

use crate::common::fhir_server::{SekmetServer, SmartClient};
use crate::common::fhir_stub::{patient, FhirStub, Reply};

const PATIENT: &str = "/fhir/Patient/a";
const TOKEN: &str = "/token";

fn client_credentials(stub: &FhirStub) -> FhirClient {
    let mut config = super::quick_config(&stub.base_url());
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
async fn a_token_is_renewed_before_it_expires() {
    let stub = FhirStub::start().await;
    stub.on(TOKEN, vec![Reply::Token { expires_in: 1 }]);
    stub.on(PATIENT, vec![Reply::Json(patient("a"))]);
    let fhir = client_credentials(&stub);
    fhir.read("Patient", "a").await.expect("read");
    tokio::time::sleep(std::time::Duration::from_millis(950)).await;
    fhir.read("Patient", "a").await.expect("read");
    assert_eq!(
        stub.authorizations(PATIENT),
        [bearer("token-1"), bearer("token-2")]
    );
    assert_eq!(stub.hits(PATIENT), 2, "no 401 round trip needed");
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
    let mut config = super::quick_config(&stub.base_url());
    config.auth = FhirAuth::Bearer {
        token: "fixed".into(),
    };
    let fhir = FhirClient::new(config).expect("client");
    let error = fhir.read("Patient", "a").await.expect_err("refused");
    assert_eq!(error.code(), "AUTH");
    assert_eq!(stub.authorizations(PATIENT), [bearer("fixed")]);
}

const ES384_PRIVATE: &str = include_str!("../../fixtures/smart/es384-private.pem");
const ES384_PUBLIC: &str = include_str!("../../fixtures/smart/es384-public.pem");
const RS384_PRIVATE: &str = include_str!("../../fixtures/smart/rs384-private.pem");
const RS384_PUBLIC: &str = include_str!("../../fixtures/smart/rs384-public.pem");

/// A SMART client signing with `private` against sekmet trusting `public`:
/// it reads a patient, and a client without credentials cannot.
async fn smart_backend(algorithm: SigningAlgorithm, private: &str, public: &str) {
    let dataset = generate(3, &Shape::default());
    let trusted = SmartClient {
        client_id: "fhir-import".into(),
        public_key_pem: public.into(),
        scopes: "system/*.read".into(),
    };
    let server = SekmetServer::start_smart(Some(&dataset), &trusted).await;
    let patient_id = dataset.patients[0]["id"].as_str().expect("id");
    let smart = |private_key_pem: &str, algorithm: SigningAlgorithm| {
        let mut config = super::quick_config(server.base_url());
        config.limits.timeout_ms = 10_000;
        config.auth = FhirAuth::SmartBackend {
            token_url: server.token_url(),
            client_id: "fhir-import".into(),
            private_key_pem: private_key_pem.into(),
            algorithm,
            key_id: Some("test-key".into()),
            scopes: vec!["system/Patient.read".into()],
        };
        assert!(!format!("{config:?}").contains("PRIVATE KEY"));
        FhirClient::new(config).expect("client")
    };

    let fhir = smart(private, algorithm);
    let found = fhir
        .read("Patient", patient_id)
        .await
        .expect("read with a token");
    assert_eq!(found.expect("found")["id"], patient_id);
    fhir.read("Patient", patient_id)
        .await
        .expect("the token is reused");
    assert_eq!(fhir.requests_made(), 2);

    let anonymous = FhirClient::new(super::quick_config(server.base_url())).expect("client");
    let error = anonymous
        .read("Patient", patient_id)
        .await
        .expect_err("401");
    assert_eq!(error.code(), "AUTH", "{error:?}");

    let (wrong_key, its_algorithm) = other_key(algorithm);
    let error = smart(wrong_key, its_algorithm)
        .read("Patient", patient_id)
        .await
        .expect_err("bad signature");
    // sekmet's answer to a key of another type is not a JSON OAuth error,
    // so only the code is checked.
    assert_eq!(error.code(), "AUTH", "{error:?}");
}

/// The other algorithm's key pair: a valid key the server does not trust.
fn other_key(algorithm: SigningAlgorithm) -> (&'static str, SigningAlgorithm) {
    match algorithm {
        SigningAlgorithm::ES384 => (RS384_PRIVATE, SigningAlgorithm::RS384),
        SigningAlgorithm::RS384 => (ES384_PRIVATE, SigningAlgorithm::ES384),
    }
}

#[tokio::test]
async fn smart_backend_services_with_es384() {
    smart_backend(SigningAlgorithm::ES384, ES384_PRIVATE, ES384_PUBLIC).await;
}

#[tokio::test]
async fn smart_backend_services_with_rs384() {
    smart_backend(SigningAlgorithm::RS384, RS384_PRIVATE, RS384_PUBLIC).await;
}

#[test]
fn a_key_that_does_not_fit_the_algorithm_is_a_config_error() {
    let mut config = super::quick_config("http://127.0.0.1:1/fhir");
    config.auth = FhirAuth::SmartBackend {
        token_url: "http://127.0.0.1:1/token".into(),
        client_id: "x".into(),
        private_key_pem: "not a key".into(),
        algorithm: SigningAlgorithm::ES384,
        key_id: None,
        scopes: vec![],
    };
    let error = FhirClient::new(config).err().expect("invalid");
    assert_eq!(error.code(), "INVALID_CONFIG");
}
