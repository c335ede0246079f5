//! An identity provider the tests run themselves: it publishes a JWKS on a
//! loopback port (counting fetches), can rotate to a new key, and signs
//! tokens for its users.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use axum::{extract::State, routing::get, Json, Router};
use fhir_import::auth::keys::SigningKey;
use fhir_import::config::ExternalIssuerConfig;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

#[derive(Default)]
struct Published {
    keys: Mutex<Vec<SigningKey>>,
    fetches: AtomicUsize,
}

pub struct IdentityProvider {
    pub jwks_uri: String,
    published: Arc<Published>,
    /// Signs tokens; not necessarily published (an outsider's key).
    current: SigningKey,
}

async fn jwks(State(published): State<Arc<Published>>) -> Json<Value> {
    published.fetches.fetch_add(1, Ordering::SeqCst);
    let keys = published.keys.lock().unwrap_or_else(|p| p.into_inner());
    Json(json!({
        "keys": keys.iter().map(|k| k.public_jwk().expect("jwk")).collect::<Vec<_>>()
    }))
}

impl IdentityProvider {
    pub async fn start() -> Self {
        let key = SigningKey::generate().expect("key");
        let published = Arc::new(Published {
            keys: Mutex::new(vec![key.clone()]),
            fetches: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new()
            .route("/jwks.json", get(jwks))
            .with_state(published.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            jwks_uri: format!("http://{addr}/jwks.json"),
            published,
            current: key,
        }
    }

    /// A trust entry for this provider under `issuer`.
    pub fn trusted_as(&self, issuer: &str) -> ExternalIssuerConfig {
        ExternalIssuerConfig {
            issuer: issuer.to_owned(),
            jwks_uri: self.jwks_uri.clone(),
            audience: "fhir-import".to_owned(),
            algorithms: vec!["EdDSA".to_owned()],
            accept_on_grpc: false,
            grpc_scopes: Vec::new(),
            exchange_scopes: ["projects", "import:write", "import:read", "files:read"]
                .map(str::to_owned)
                .to_vec(),
            allowed_azp: Vec::new(),
            create_users: false,
            username_claim: "preferred_username".to_owned(),
            jwks_refresh_secs: 3600,
            jwks_refetch_cooldown_secs: 2,
        }
    }

    pub fn jwks_fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
    }

    /// Publishes a new key beside the old one and signs with it from now on.
    pub fn rotate(&mut self) {
        let key = SigningKey::generate().expect("key");
        self.published
            .keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(key.clone());
        self.current = key;
    }

    /// Signs with a key it never publishes.
    pub fn sign_with_unpublished_key(&self, claims: &Value) -> String {
        let outsider = SigningKey::generate().expect("key");
        sign(&outsider, claims)
    }

    pub fn sign(&self, claims: &Value) -> String {
        sign(&self.current, claims)
    }

    /// A current token of `issuer` for `subject`, for fhir-import.
    pub fn token(&self, issuer: &str, subject: &str, extra: Value) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "iss": issuer, "sub": subject, "aud": "fhir-import",
            "iat": now, "exp": now + 300,
        });
        if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
            claims.extend(extra.clone());
        }
        self.sign(&claims)
    }
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    let encoding = EncodingKey::from_ed_pem(key.private_pem.as_bytes()).expect("pem");
    jsonwebtoken::encode(&header, claims, &encoding).expect("sign")
}
