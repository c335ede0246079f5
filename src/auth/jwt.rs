//! Access tokens: signed JWTs (RFC 9068 profile, EdDSA over Ed25519).
//! The issuer signs with the key ring's active key; the verifier accepts
//! only EdDSA tokens of type `at+jwt` from this issuer, for this audience,
//! signed by a key the ring still trusts.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::Utc;
use jsonwebtoken::{errors::ErrorKind, Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;

/// How long an access token lives unless configured otherwise.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Clock skew tolerated on `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
/// The JOSE `typ` of an access token (RFC 9068 §2.1).
pub const TOKEN_TYPE: &str = "at+jwt";
/// Longer tokens are refused before any parsing.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user the token acts for, or the client id for client_credentials.
    pub sub: String,
    pub client_id: String,
    pub aud: String,
    /// Space-separated scopes.
    pub scope: String,
    pub iat: i64,
    /// Always issued, equal to `iat`; verification requires it.
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The grant family it was issued from (an authorization code and the
    /// refresh tokens that follow it): revoking the family, or replaying
    /// its code, revokes it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
}

impl AccessClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }
}

/// Signs access tokens.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    issuer: String,
    audience: String,
    lifetime: Duration,
}

impl TokenIssuer {
    /// `lifetime` must not exceed the key ring's token lifetime.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, lifetime: Duration) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            lifetime,
        }
    }

    /// A token for `subject`, obtained through `client_id`, carrying `scopes`
    /// (each an RFC 6749 scope token: printable ASCII without space, `"` or `\`).
    /// The `aud` of the tokens this issuer signs.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    pub fn issue(
        &self,
        keys: &KeyRing,
        subject: &str,
        client_id: &str,
        scopes: &[String],
        family: Option<&str>,
    ) -> Result<(String, AccessClaims), TokenError> {
        if let Some(bad) = scopes.iter().find(|s| !is_scope_token(s)) {
            return Err(TokenError::InvalidScope(bad.clone()));
        }
        let lifetime = i64::try_from(self.lifetime.as_secs()).map_err(|_| TokenError::Internal)?;
        let iat = Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: subject.to_owned(),
            client_id: client_id.to_owned(),
            aud: self.audience.clone(),
            scope: scopes.join(" "),
            iat,
            nbf: iat,
            exp: iat.checked_add(lifetime).ok_or(TokenError::Internal)?,
            jti: uuid::Uuid::now_v7().to_string(),
            fam: family.map(str::to_owned),
        };

        let (kid, key) = keys.signer();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TOKEN_TYPE.to_owned());
        header.kid = Some(kid.to_owned());
        let token = jsonwebtoken::encode(&header, &claims, key).map_err(|e| {
            tracing::error!(error = %e, kid, "signing an access token failed");
            TokenError::Internal
        })?;
        Ok((token, claims))
    }
}

fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// Checks access tokens.
#[derive(Debug, Clone)]
pub struct TokenVerifier {
    issuer: String,
    audience: String,
    leeway: Duration,
}

/// The part of the JOSE header looked at before the signature is checked.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
}

impl TokenVerifier {
    /// A verifier with the default leeway.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway: DEFAULT_LEEWAY,
        }
    }

    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The claims of `token` if every check passes. The algorithm is pinned
    /// to EdDSA before any key is looked at, so neither `none` nor an HMAC
    /// keyed with a public key can pass.
    pub fn verify(&self, keys: &KeyRing, token: &str) -> Result<AccessClaims, TokenError> {
        let header = read_header(token)?;
        if header.alg != "EdDSA" {
            return Err(TokenError::WrongAlgorithm);
        }
        if !header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(TOKEN_TYPE) || t.eq_ignore_ascii_case("application/at+jwt")
        }) {
            return Err(TokenError::WrongType);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = keys.verifier(&kid).ok_or(TokenError::UnknownKey)?;

        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = self.leeway.as_secs();

        jsonwebtoken::decode::<AccessClaims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.into_kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::InvalidAlgorithm => TokenError::WrongAlgorithm,
                ErrorKind::InvalidToken
                | ErrorKind::MissingRequiredClaim(_)
                | ErrorKind::InvalidClaimFormat(_)
                | ErrorKind::Base64(_)
                | ErrorKind::Json(_)
                | ErrorKind::Utf8(_) => TokenError::Malformed,
                other => {
                    tracing::error!(error = ?other, kid, "verifying an access token failed");
                    TokenError::Internal
                }
            })
    }
}

impl TokenVerifier {
    /// Why `token` was refused, in words a person can act on: what this
    /// server expected and what the token says (issuer, audience, key id,
    /// expiry; never the token), and what to do.
    pub fn explain(&self, err: &TokenError, token: &str) -> String {
        let claims = peek_claims(token);
        let claim = |name: &str| {
            claims
                .as_ref()
                .and_then(|c| c.get(name))
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_else(|| "nothing".to_owned())
        };
        let elsewhere = "it was issued by another server or store: issue it against this \
                         server's own settings (the same --config or database_url, listen and \
                         [auth] issuer), or sign in again with `fhir-import login`";
        match err {
            TokenError::UnknownKey => {
                let kid = read_header(token).ok().and_then(|h| h.kid);
                format!(
                    "the access token is signed with key {}, which this server does not have; {elsewhere}",
                    kid.as_deref().unwrap_or("(none named)")
                )
            }
            TokenError::WrongIssuer => format!(
                "the access token was issued by {:?}, and this server is {:?}; {elsewhere}",
                claim("iss"),
                self.issuer
            ),
            TokenError::WrongAudience => format!(
                "the access token is for audience {}, and this server accepts {:?}",
                claim("aud"),
                self.audience
            ),
            TokenError::Expired => {
                let ago = claims
                    .as_ref()
                    .and_then(|c| c.get("exp")?.as_i64())
                    .map(|exp| format!(" {} s ago", chrono::Utc::now().timestamp() - exp))
                    .unwrap_or_default();
                format!(
                    "the access token expired{ago}; get a new one (a refresh token, or \
                     `fhir-import login` again)"
                )
            }
            TokenError::NotYetValid => "the access token is not valid yet; check that the \
                                        clocks of this server and the issuer agree"
                .to_owned(),
            other => format!("{other}"),
        }
    }
}

/// The claims of a token, unverified: only for saying why it was refused
/// (the signature was checked before any claim is compared).
fn peek_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = token.split('.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&json).ok()
}

/// Splits a compact JWS into exactly three parts and decodes the header.
fn read_header(token: &str) -> Result<RawHeader, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(_claims), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)
}

/// Why a token was not issued or not accepted. Messages are safe to show a
/// client and never echo the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is not a well-formed JWT")]
    Malformed,
    #[error("the access token's type is not at+jwt")]
    WrongType,
    #[error("the access token is signed with an unknown key")]
    UnknownKey,
    #[error("the access token's signature is invalid")]
    BadSignature,
    #[error("the access token's algorithm is not accepted")]
    WrongAlgorithm,
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid yet")]
    NotYetValid,
    #[error("the access token is from another issuer")]
    WrongIssuer,
    #[error("the access token is for another audience")]
    WrongAudience,
    #[error("{0:?} is not a valid scope")]
    InvalidScope(String),
    #[error("the access token could not be processed")]
    Internal,
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
