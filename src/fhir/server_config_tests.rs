//! ServerConfig: its serde shape, redaction and validation.

use serde_json::json;

use super::*;

#[test]
fn the_serde_shape_with_defaults() {
    let config: ServerConfig = serde_json::from_value(json!({
        "id": "kf",
        "base_url": "https://fhir.example.org/r4",
        "auth": {
            "type": "smart_backend",
            "token_url": "https://fhir.example.org/auth/token",
            "client_id": "fhir-import",
            "private_key_pem": "-----BEGIN PRIVATE KEY-----",
            "algorithm": "ES384",
            "scopes": ["system/*.read"]
        },
        "limits": {"max_concurrency": 2}
    }))
    .unwrap();
    assert_eq!(config.limits.max_concurrency, 2);
    assert_eq!(config.limits.requests_per_second, 20.0);
    assert_eq!(config.limits.max_response_bytes, 8 * 1024 * 1024);
    assert!(matches!(
        config.auth,
        FhirAuth::SmartBackend {
            algorithm: SigningAlgorithm::ES384,
            key_id: None,
            ..
        }
    ));
    let bare: ServerConfig =
        serde_json::from_value(json!({"id": "a", "base_url": "http://h/fhir"})).unwrap();
    assert!(matches!(bare.auth, FhirAuth::None));
    assert_eq!(bare.limits, ServerLimits::default());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let auths = [
        FhirAuth::Bearer {
            token: "tok-SECRET".into(),
        },
        FhirAuth::ClientCredentials {
            token_url: "https://h/token".into(),
            client_id: "c".into(),
            client_secret: "cs-SECRET".into(),
            scopes: vec![],
        },
        FhirAuth::SmartBackend {
            token_url: "https://h/token".into(),
            client_id: "c".into(),
            private_key_pem: "pem-SECRET".into(),
            algorithm: SigningAlgorithm::RS384,
            key_id: Some("k1".into()),
            scopes: vec![],
        },
    ];
    for auth in auths {
        let config = ServerConfig {
            auth,
            ..ServerConfig::new("s", "https://user:pw-SECRET@h/fhir")
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("[redacted]") || shown.contains("REDACTED"));
    }
}

#[test]
fn the_base_url_is_checked_and_normalised() {
    let base = ServerConfig::new("s", "https://h/fhir")
        .validated_base()
        .unwrap();
    assert_eq!(base.as_str(), "https://h/fhir/");
    for bad in [
        "ftp://h/fhir",
        "not a url",
        "https://h/fhir?x=1",
        "file:///fhir",
        "https://user:pa55word@h/fhir",
        "https://user@h/fhir",
    ] {
        let err = ServerConfig::new("s", bad).validated_base().unwrap_err();
        assert_eq!(err.code(), "INVALID_CONFIG", "{bad}");
        assert!(!err.to_string().contains("pa55word"), "{err}");
    }
    let mut config = ServerConfig::new("s", "https://h/fhir");
    config.limits.max_concurrency = 0;
    assert!(config.validated_base().is_err());
}
