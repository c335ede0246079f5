//! The authorization server's HTTP side, driven by the `oauth2` crate as a
//! portal's standard client would: discovery, client credentials with both
//! client authentication methods, refusals, and tokens that verify against
//! the published JWKS across a restart. Nothing secret reaches the logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::{spawn_app, Backend, TestApp};
use fhir_import::{accounts::Accounts, store::Store};
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use oauth2::{
    basic::{BasicClient, BasicErrorResponseType},
    AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use serde_json::Value;

/// Everything the server logs in this test binary, to look for leaks.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Portal {
    client_id: String,
    secret: String,
}

async fn register_portal(app: &TestApp, scopes: &[&str]) -> Portal {
    let store = Store::connect(&app.database_url, 2).await.expect("store");
    let accounts = Accounts::new(store);
    if accounts
        .create_user("alice", Some("correct horse battery"))
        .await
        .is_err()
    {
        // alice exists from an earlier registration in this test
    }
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    let (client, secret) = accounts
        .create_client("Kids First portal", "alice", &[], &scopes)
        .await
        .expect("register portal");
    Portal {
        client_id: client.client_id,
        secret: secret.expose().to_owned(),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

async fn discover(app: &TestApp) -> Value {
    http()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            app.endpoint()
        ))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("metadata JSON")
}

/// Verifies `token` as a resource server would: with the published JWKS,
/// for the given issuer (by default the one the server announces).
async fn verify_with_jwks(app: &TestApp, token: &str, issuer: Option<&str>) -> Value {
    let metadata = discover(app).await;
    let issuer = issuer
        .unwrap_or(metadata["issuer"].as_str().expect("issuer"))
        .to_owned();
    let jwks: JwkSet = http()
        .get(metadata["jwks_uri"].as_str().expect("jwks_uri"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks JSON");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.alg, Algorithm::EdDSA);
    let jwk = jwks
        .find(header.kid.as_deref().expect("kid"))
        .expect("kid in JWKS");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&["fhir-import"]);
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("the token verifies against the JWKS")
    .claims
}

async fn portal_gets_tokens_with_client_credentials(backend: Backend) {
    let logs = captured_logs();
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["import:write", "import:read"]).await;
    let metadata = discover(&app).await;
    assert_eq!(metadata["issuer"], app.endpoint());
    assert_eq!(
        metadata["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post"])
    );
    let token_url = TokenUrl::new(
        metadata["token_endpoint"]
            .as_str()
            .expect("token_endpoint")
            .to_owned(),
    )
    .expect("token url");
    let client = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_client_secret(ClientSecret::new(portal.secret.clone()))
        .set_token_uri(token_url.clone());

    // client_secret_basic, narrowing the scope.
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new("import:read".into()))
        .request_async(&http())
        .await
        .expect("token");
    let access_token = token.access_token().secret().clone();
    let claims = verify_with_jwks(&app, &access_token, None).await;
    assert_eq!(claims["sub"], portal.client_id.as_str());
    assert_eq!(claims["client_id"], portal.client_id.as_str());
    assert_eq!(claims["scope"], "import:read");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        900
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(token.expires_in().map(|d| d.as_secs()), Some(900));

    // client_secret_post, all registered scopes by default.
    let post = client
        .clone()
        .set_auth_type(AuthType::RequestBody)
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect("token by client_secret_post");
    let scopes: Vec<String> = post
        .scopes()
        .expect("scope")
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(scopes, ["import:write", "import:read"]);

    // Refusals, each with its RFC 6749 error.
    let wrong_secret = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_client_secret(ClientSecret::new("not-the-secret".into()))
        .set_token_uri(token_url.clone())
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect_err("wrong secret");
    assert_oauth_error(wrong_secret, BasicErrorResponseType::InvalidClient);
    let unknown = BasicClient::new(ClientId::new("fic_nobody".into()))
        .set_client_secret(ClientSecret::new(portal.secret.clone()))
        .set_token_uri(token_url.clone())
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect_err("unknown client");
    assert_oauth_error(unknown, BasicErrorResponseType::InvalidClient);
    let never_granted = client
        .exchange_client_credentials()
        .add_scope(Scope::new("admin".into()))
        .request_async(&http())
        .await
        .expect_err("scope never granted");
    assert_oauth_error(never_granted, BasicErrorResponseType::InvalidScope);
    let password_grant = http()
        .post(token_url.as_str())
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "x"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(password_grant.status(), 400);
    let body: Value = password_grant.json().await.expect("json");
    assert_eq!(body["error"], "unsupported_grant_type");
    let both_methods = http()
        .post(token_url.as_str())
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_secret", portal.secret.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(both_methods.status(), 400);
    let body: Value = both_methods.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");

    // Signing keys persist: a token from before a restart still verifies.
    // (The restarted test server listens on another port, and so announces
    // another default issuer; deployments set auth.issuer.)
    let issuer = claims["iss"].as_str().expect("iss").to_owned();
    let app = app.restart().await;
    let claims = verify_with_jwks(&app, &access_token, Some(&issuer)).await;
    assert_eq!(claims["client_id"], portal.client_id.as_str());

    let logged =
        String::from_utf8_lossy(&logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logged.contains("issued an access token"),
        "the logs were captured"
    );
    assert!(
        !logged.contains(&portal.secret),
        "a client secret was logged"
    );
    assert!(
        !logged.contains(&access_token),
        "an access token was logged"
    );
    assert!(
        !logged.contains("correct horse battery"),
        "a password was logged"
    );
    app.stop().await;
}
on_both_stores!(portal_gets_tokens_with_client_credentials);

fn assert_oauth_error<RE: std::error::Error + 'static>(
    err: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
    expected: BasicErrorResponseType,
) {
    match err {
        RequestTokenError::ServerResponse(response) => assert_eq!(response.error(), &expected),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}
