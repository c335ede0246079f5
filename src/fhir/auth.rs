//! Access tokens for a FHIR server: fixed, or from the OAuth 2.0
//! client-credentials grant (with a secret, or with a SMART Backend Services
//! signed JWT assertion), cached until shortly before they expire.
//!
//! SMART goes through the oauth2 crate too: the assertion is just two extra
//! form parameters (`client_assertion_type`, `client_assertion`) on a
//! client-credentials request without a secret, and oauth2 then sends
//! `client_id` in the body, which RFC 7521 §4.2 allows.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header};
use oauth2::{basic::BasicClient, ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use serde::Serialize;
use tokio::{sync::Mutex, time::Instant};

use super::{server_config::SigningAlgorithm, FhirAuth, FhirError};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// SMART caps an assertion's lifetime at five minutes.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);
/// Refresh this long before expiry (or at 90% of short lifetimes), so a
/// token does not expire in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

pub struct Authenticator {
    source: Source,
    http: reqwest::Client,
    cached: Mutex<Option<Cached>>,
}

enum Source {
    None,
    Fixed(String),
    Grant {
        token_url: TokenUrl,
        client_id: String,
        scopes: Vec<String>,
        proof: Proof,
    },
}

enum Proof {
    Secret(String),
    /// Boxed: a key and a header are large next to a secret.
    Assertion(Box<Signer>),
}

struct Signer {
    key: EncodingKey,
    header: Header,
}

struct Cached {
    token: String,
    /// `None`: the server gave no lifetime; used until it is refused.
    refresh_at: Option<Instant>,
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    jti: String,
}

impl Authenticator {
    /// Checks the credentials' shape (URL, key) up front. `http` sends the
    /// token requests; it must not follow redirects.
    pub fn new(auth: &FhirAuth, http: reqwest::Client) -> Result<Self, FhirError> {
        let token_url = |url: &str| {
            TokenUrl::new(url.to_owned())
                .map_err(|e| FhirError::InvalidConfig(format!("auth.token_url: {e}")))
        };
        let source = match auth {
            FhirAuth::None => Source::None,
            FhirAuth::Bearer { token } => Source::Fixed(token.clone()),
            FhirAuth::ClientCredentials {
                token_url: url,
                client_id,
                client_secret,
                scopes,
            } => Source::Grant {
                token_url: token_url(url)?,
                client_id: client_id.clone(),
                scopes: scopes.clone(),
                proof: Proof::Secret(client_secret.clone()),
            },
            FhirAuth::SmartBackend {
                token_url: url,
                client_id,
                private_key_pem,
                algorithm,
                key_id,
                scopes,
            } => {
                let pem = private_key_pem.as_bytes();
                let (key, alg) = match algorithm {
                    SigningAlgorithm::ES384 => (
                        EncodingKey::from_ec_pem(pem),
                        jsonwebtoken::Algorithm::ES384,
                    ),
                    SigningAlgorithm::RS384 => (
                        EncodingKey::from_rsa_pem(pem),
                        jsonwebtoken::Algorithm::RS384,
                    ),
                };
                let key = key.map_err(|e| {
                    FhirError::InvalidConfig(format!(
                        "auth.private_key_pem is not a PKCS#8 {algorithm:?} private key: {e}"
                    ))
                })?;
                let mut header = Header::new(alg);
                header.typ = Some("JWT".to_owned());
                header.kid = key_id.clone();
                Source::Grant {
                    token_url: token_url(url)?,
                    client_id: client_id.clone(),
                    scopes: scopes.clone(),
                    proof: Proof::Assertion(Box::new(Signer { key, header })),
                }
            }
        };
        Ok(Self {
            source,
            http,
            cached: Mutex::new(None),
        })
    }

    /// Whether a refused token is worth replacing (not so for fixed ones).
    pub fn can_refresh(&self) -> bool {
        matches!(self.source, Source::Grant { .. })
    }

    /// The token to send, fetching a new one if there is none or it is due.
    /// Concurrent callers wait for one fetch rather than each doing one.
    pub async fn token(&self) -> Result<Option<String>, FhirError> {
        match &self.source {
            Source::None => Ok(None),
            Source::Fixed(token) => Ok(Some(token.clone())),
            Source::Grant { .. } => {
                let mut cached = self.cached.lock().await;
                if let Some(c) = cached.as_ref() {
                    if c.refresh_at.is_none_or(|at| Instant::now() < at) {
                        return Ok(Some(c.token.clone()));
                    }
                }
                let fresh = self.fetch().await?;
                let token = fresh.token.clone();
                *cached = Some(fresh);
                Ok(Some(token))
            }
        }
    }

    /// Forgets `refused` so the next `token()` fetches a new one; a token
    /// another request already replaced is left alone.
    pub async fn invalidate(&self, refused: &str) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.token == refused) {
            *cached = None;
        }
    }

    #[tracing::instrument(skip_all, fields(token_url))]
    async fn fetch(&self) -> Result<Cached, FhirError> {
        let Source::Grant {
            token_url,
            client_id,
            scopes,
            proof,
        } = &self.source
        else {
            return Err(FhirError::Auth("no token source configured".into()));
        };
        tracing::Span::current().record("token_url", token_url.as_str());
        let mut client =
            BasicClient::new(ClientId::new(client_id.clone())).set_token_uri(token_url.clone());
        if let Proof::Secret(secret) = proof {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        let mut request = client.exchange_client_credentials();
        if let Proof::Assertion(signer) = proof {
            let assertion = sign_assertion(client_id, token_url.as_str(), signer)?;
            request = request
                .add_extra_param("client_assertion_type", ASSERTION_TYPE)
                .add_extra_param("client_assertion", assertion);
        }
        let response = request
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // Transient like any other unreachable server: retryable.
                oauth2::RequestTokenError::Request(e) => {
                    FhirError::Unreachable(format!("token endpoint {}: {e}", token_url.as_str()))
                }
                e => FhirError::Auth(describe_token_error(&e)),
            })?;
        let refresh_at = response.expires_in().map(|lifetime| {
            let margin = EXPIRY_MARGIN.min(lifetime / 10);
            Instant::now() + lifetime.saturating_sub(margin)
        });
        tracing::debug!(expires_in = ?response.expires_in(), "obtained an access token");
        Ok(Cached {
            token: response.access_token().secret().clone(),
            refresh_at,
        })
    }
}

/// The SMART Backend Services client assertion: iss = sub = client_id,
/// aud = the token URL, at most five minutes long, unique jti.
fn sign_assertion(client_id: &str, token_url: &str, signer: &Signer) -> Result<String, FhirError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let claims = AssertionClaims {
        iss: client_id,
        sub: client_id,
        aud: token_url,
        exp: (now + ASSERTION_LIFETIME).as_secs() - 1,
        jti: uuid::Uuid::now_v7().to_string(),
    };
    jsonwebtoken::encode(&signer.header, &claims, &signer.key)
        .map_err(|e| FhirError::Auth(format!("signing the client assertion failed: {e}")))
}

/// What the token endpoint said, without echoing anything secret back.
fn describe_token_error<RE: std::error::Error + 'static>(
    error: &oauth2::RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> String {
    match error {
        oauth2::RequestTokenError::ServerResponse(response) => {
            format!("the token endpoint refused: {response}")
        }
        oauth2::RequestTokenError::Request(e) => format!("the token endpoint is unreachable: {e}"),
        oauth2::RequestTokenError::Parse(e, _) => {
            format!("the token endpoint's answer is not a token response: {e}")
        }
        oauth2::RequestTokenError::Other(e) => format!("token request failed: {e}"),
    }
}
