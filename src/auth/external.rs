//! Trusted identity providers: verifying their users' tokens against the
//! keys they publish (JWKS, fetched in the background and once more when a
//! token names a key not seen yet), and mapping their subjects to platform
//! users. Used by token exchange (RFC 8693) and, where the operator allows
//! it, by the gRPC gate directly.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
    jwk::{AlgorithmParameters, EllipticCurve, JwkSet, PublicKeyUse},
    Algorithm, DecodingKey, Validation,
};
use serde::Deserialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::ExternalIssuerConfig;
use crate::domain::account::Username;
use crate::store::{Store, StoreError};

/// Largest JWKS document read.
const MAX_JWKS_BYTES: usize = 256 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("tokens from {0:?} are not trusted here")]
    UntrustedIssuer(String),
    #[error("the token's algorithm {0} is not accepted from this issuer")]
    WrongAlgorithm(String),
    #[error("the token is signed with a key its issuer does not publish")]
    UnknownKey,
    #[error("the token was refused: {0}")]
    Invalid(String),
    #[error("subject {subject:?} of {issuer} is linked to no user here; an operator links it with `fhir-import admin link-identity`")]
    NotLinked { issuer: String, subject: String },
    #[error("cannot create a user for subject {subject:?}: {why}")]
    CannotCreateUser { subject: String, why: String },
    #[error("cannot check the token right now")]
    Unavailable,
}

/// What a verified external token says.
#[derive(Debug, Clone)]
pub struct ExternalClaims {
    pub issuer: String,
    pub subject: String,
    /// Its `scope` (or `scp`) claim, split.
    pub scopes: Vec<String>,
    /// The client it was issued to (`azp` or `client_id`), if it says.
    pub client_id: Option<String>,
    /// Every claim, for mapping the subject to a username.
    claims: serde_json::Map<String, Value>,
}

struct Key {
    algorithm: Algorithm,
    key: DecodingKey,
}

/// One provider: its settings and the keys last fetched from it.
struct Provider {
    config: ExternalIssuerConfig,
    keys: RwLock<HashMap<String, Arc<Key>>>,
    /// Serializes fetches; holds when the last one happened.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

/// Every trusted provider.
pub struct ExternalIssuers {
    providers: Vec<Arc<Provider>>,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct PeekedHeader {
    alg: String,
    kid: Option<String>,
}

/// The `iss` of a token, read without verifying anything: only to choose
/// which keys verify it.
pub fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

fn algorithm_named(name: &str) -> Option<Algorithm> {
    match name {
        "RS256" => Some(Algorithm::RS256),
        "ES256" => Some(Algorithm::ES256),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None,
    }
}

/// The one algorithm a published key verifies, from its type: a symmetric
/// key (`kty: oct`) is never accepted from a JWKS.
fn key_algorithm(params: &AlgorithmParameters) -> Option<Algorithm> {
    match params {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            Some(Algorithm::ES256)
        }
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Some(Algorithm::EdDSA)
        }
        _ => None,
    }
}

impl ExternalIssuers {
    pub fn new(configs: &[ExternalIssuerConfig]) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .build()?;
        Ok(Self {
            providers: configs
                .iter()
                .map(|config| {
                    Arc::new(Provider {
                        config: config.clone(),
                        keys: RwLock::default(),
                        last_fetch: tokio::sync::Mutex::new(None),
                    })
                })
                .collect(),
            http,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    fn provider(&self, issuer: &str) -> Option<&Arc<Provider>> {
        self.providers.iter().find(|p| p.config.issuer == issuer)
    }

    /// Whether tokens of `issuer` may be used directly on gRPC, and the
    /// scopes they are narrowed to there.
    pub fn grpc_scopes(&self, issuer: &str) -> Option<&[String]> {
        self.provider(issuer)
            .filter(|p| p.config.accept_on_grpc)
            .map(|p| p.config.grpc_scopes.as_slice())
    }

    /// Refuses a token issued to a portal the issuer's `allowed_azp` does
    /// not list (when it lists any), through exchange or on gRPC alike.
    pub fn check_issued_to(&self, claims: &ExternalClaims) -> Result<(), ExternalError> {
        check_azp(self.trusted_config(claims)?, claims)
    }

    /// What a token exchange for `claims` may issue at most: the token's own
    /// scopes within the issuer's `exchange_scopes`, when it was issued to
    /// a portal the issuer allows.
    pub fn exchange_ceiling(&self, claims: &ExternalClaims) -> Result<Vec<String>, ExternalError> {
        let config = self.trusted_config(claims)?;
        check_azp(config, claims)?;
        Ok(claims
            .scopes
            .iter()
            .filter(|s| config.exchange_scopes.contains(s))
            .cloned()
            .collect())
    }

    fn trusted_config(
        &self,
        claims: &ExternalClaims,
    ) -> Result<&ExternalIssuerConfig, ExternalError> {
        self.provider(&claims.issuer)
            .map(|p| &p.config)
            .ok_or_else(|| ExternalError::Invalid("the issuer is not trusted".into()))
    }

    pub fn trusts(&self, issuer: &str) -> bool {
        self.provider(issuer).is_some()
    }

    /// Fetches every provider's keys now, then again every
    /// `jwks_refresh_secs` until `stopping`.
    pub fn spawn_refresh(self: &Arc<Self>, stopping: CancellationToken) {
        for provider in &self.providers {
            let provider = provider.clone();
            let http = self.http.clone();
            let stopping = stopping.clone();
            tokio::spawn(async move {
                let period = Duration::from_secs(provider.config.jwks_refresh_secs);
                loop {
                    provider.fetch(&http, false).await;
                    tokio::select! {
                        _ = stopping.cancelled() => return,
                        _ = tokio::time::sleep(period) => {}
                    }
                }
            });
        }
    }

    /// The claims of `token` if a trusted provider signed it for us and it
    /// is current.
    pub async fn verify(&self, token: &str) -> Result<ExternalClaims, ExternalError> {
        let issuer = unverified_issuer(token).ok_or(ExternalError::Malformed)?;
        let provider = self
            .provider(&issuer)
            .ok_or_else(|| ExternalError::UntrustedIssuer(issuer.clone()))?;
        let header = peek_header(token)?;
        if !provider.config.algorithms.contains(&header.alg) {
            return Err(ExternalError::WrongAlgorithm(header.alg));
        }
        let algorithm =
            algorithm_named(&header.alg).ok_or(ExternalError::WrongAlgorithm(header.alg))?;
        let kid = header.kid.ok_or(ExternalError::UnknownKey)?;
        let key = match provider.key(&kid) {
            Some(key) => key,
            None => {
                provider.fetch(&self.http, true).await;
                provider.key(&kid).ok_or(ExternalError::UnknownKey)?
            }
        };
        // The algorithm is pinned by the key, whatever the header claims.
        if key.algorithm != algorithm {
            return Err(ExternalError::WrongAlgorithm(format!("{algorithm:?}")));
        }
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&provider.config.issuer]);
        validation.set_audience(&[&provider.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let data =
            jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, &key.key, &validation)
                .map_err(|e| ExternalError::Invalid(describe(e.kind())))?;
        claims_of(issuer, data.claims)
    }

    /// The platform user `claims` act for: the linked user, or a new one
    /// when the provider is set to create users.
    pub async fn user_for(
        &self,
        store: &Store,
        claims: &ExternalClaims,
    ) -> Result<String, ExternalError> {
        let unavailable = |err: StoreError| {
            warn!(error = %err, "external identity look-up failed");
            ExternalError::Unavailable
        };
        if let Some(user) = store
            .linked_user(&claims.issuer, &claims.subject)
            .await
            .map_err(unavailable)?
        {
            return Ok(user);
        }
        let provider = self
            .provider(&claims.issuer)
            .ok_or_else(|| ExternalError::UntrustedIssuer(claims.issuer.clone()))?;
        if !provider.config.create_users {
            return Err(ExternalError::NotLinked {
                issuer: claims.issuer.clone(),
                subject: claims.subject.clone(),
            });
        }
        let cannot = |why: String| ExternalError::CannotCreateUser {
            subject: claims.subject.clone(),
            why,
        };
        let name = claims
            .claims
            .get(&provider.config.username_claim)
            .and_then(Value::as_str)
            .ok_or_else(|| {
                cannot(format!(
                    "the token has no {} claim",
                    provider.config.username_claim
                ))
            })?;
        let username = Username::parse(&name.to_lowercase()).map_err(cannot)?;
        match store
            .link_identity(&claims.issuer, &claims.subject, &username, true)
            .await
        {
            Ok(()) => {
                info!(issuer = %claims.issuer, user = %username, "created a user for an external identity");
                Ok(username.as_str().to_owned())
            }
            // Two first calls at once: the other one linked it.
            Err(StoreError::Conflict(_)) => match store
                .linked_user(&claims.issuer, &claims.subject)
                .await
                .map_err(unavailable)?
            {
                Some(user) => Ok(user),
                None => Err(cannot(format!(
                    "a user named {username} already exists and is not linked to this identity"
                ))),
            },
            Err(err) => Err(unavailable(err)),
        }
    }
}

impl Provider {
    fn key(&self, kid: &str) -> Option<Arc<Key>> {
        self.keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(kid)
            .cloned()
    }

    /// Fetches the JWKS and replaces the keys. `on_demand` fetches (for an
    /// unknown kid) are skipped when the last fetch was very recent.
    async fn fetch(&self, http: &reqwest::Client, on_demand: bool) {
        let mut last = self.last_fetch.lock().await;
        let cooldown = Duration::from_secs(self.config.jwks_refetch_cooldown_secs);
        if on_demand && last.is_some_and(|at| at.elapsed() < cooldown) {
            return;
        }
        *last = Some(Instant::now());
        match fetch_jwks(http, &self.config.jwks_uri).await {
            Ok(set) => {
                let keys = usable_keys(&set, &self.config.algorithms);
                info!(issuer = %self.config.issuer, keys = keys.len(), "fetched the JWKS");
                *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
            }
            // Keep the keys we have: a provider briefly down must not
            // lock its users out.
            Err(why) => {
                warn!(issuer = %self.config.issuer, error = %why, "fetching the JWKS failed")
            }
        }
    }
}

async fn fetch_jwks(http: &reqwest::Client, uri: &str) -> Result<JwkSet, String> {
    let mut response = http
        .get(uri)
        .header(http::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| format!("not a JWKS: {e}"))
}

/// The signing keys of `set` that have a `kid` and an accepted algorithm.
fn usable_keys(set: &JwkSet, accepted: &[String]) -> HashMap<String, Arc<Key>> {
    set.keys
        .iter()
        .filter(|jwk| {
            matches!(
                jwk.common.public_key_use,
                None | Some(PublicKeyUse::Signature)
            )
        })
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let algorithm = key_algorithm(&jwk.algorithm)?;
            if !accepted
                .iter()
                .any(|a| algorithm_named(a) == Some(algorithm))
            {
                return None;
            }
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, Arc::new(Key { algorithm, key })))
        })
        .collect()
}

fn peek_header(token: &str) -> Result<PeekedHeader, ExternalError> {
    let header = token.split('.').next().ok_or(ExternalError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| ExternalError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| ExternalError::Malformed)
}

fn describe(kind: &jsonwebtoken::errors::ErrorKind) -> String {
    use jsonwebtoken::errors::ErrorKind::*;
    match kind {
        InvalidSignature => "bad signature".into(),
        ExpiredSignature => "expired".into(),
        ImmatureSignature => "not valid yet".into(),
        InvalidIssuer => "wrong issuer".into(),
        InvalidAudience => "not issued for this service (aud)".into(),
        InvalidAlgorithm => "wrong algorithm".into(),
        MissingRequiredClaim(claim) => format!("no {claim} claim"),
        _ => "malformed".into(),
    }
}

fn claims_of(
    issuer: String,
    claims: serde_json::Map<String, Value>,
) -> Result<ExternalClaims, ExternalError> {
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ExternalError::Invalid("no sub claim".into()))?
        .to_owned();
    let scopes = match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(s)), _) => s.split_whitespace().map(str::to_owned).collect(),
        (_, Some(Value::Array(list))) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let client_id = ["azp", "client_id"]
        .iter()
        .find_map(|c| claims.get(*c).and_then(Value::as_str))
        .map(str::to_owned);
    Ok(ExternalClaims {
        issuer,
        subject,
        scopes,
        client_id,
        claims,
    })
}

/// Refuses a token issued to a portal `config`'s `allowed_azp` does not list
/// (when it lists any).
fn check_azp(config: &ExternalIssuerConfig, claims: &ExternalClaims) -> Result<(), ExternalError> {
    if config.allowed_azp.is_empty() {
        return Ok(());
    }
    let issued_to = claims.client_id.as_deref().unwrap_or_default();
    match config.allowed_azp.iter().any(|a| a == issued_to) {
        true => Ok(()),
        false => Err(ExternalError::Invalid(match claims.client_id.as_deref() {
            Some(azp) => format!("tokens issued to {azp:?} are not accepted here"),
            None => "the token names no azp (or client_id)".into(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_read_without_trusting_it() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"iss":"https://idp.example.org","sub":"x"}"#);
        let token = format!("e30.{payload}.sig");
        assert_eq!(
            unverified_issuer(&token).as_deref(),
            Some("https://idp.example.org")
        );
        assert_eq!(unverified_issuer("not a jwt"), None);
        assert_eq!(unverified_issuer("a.!!!.c"), None);
    }

    #[test]
    fn only_asymmetric_published_keys_of_accepted_algorithms_are_kept() {
        let set: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
        ]}))
        .expect("jwks");
        let keys = usable_keys(&set, &["EdDSA".to_owned()]);
        assert_eq!(keys.keys().collect::<Vec<_>>(), vec!["ed"]);
        assert!(usable_keys(&set, &["RS256".to_owned()]).is_empty());
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let claims = |v: Value| claims_of("i".into(), v.as_object().cloned().unwrap_or_default());
        let a = claims(serde_json::json!({"sub": "s", "scope": "a b", "azp": "portal"}))
            .expect("claims");
        assert_eq!(a.scopes, vec!["a", "b"]);
        assert_eq!(a.client_id.as_deref(), Some("portal"));
        let b = claims(serde_json::json!({"sub": "s", "scp": ["c"]})).expect("claims");
        assert_eq!(b.scopes, vec!["c"]);
        assert!(claims(serde_json::json!({"scope": "a"})).is_err());
    }
}
