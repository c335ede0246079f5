//! The Ed25519 keys that sign access tokens, and the ring of keys in use:
//! one signs, every key whose tokens may still be alive verifies, and the
//! JWKS publishes exactly those.
//!
//! Rotation is adding a new key and retiring the old one. A retired key
//! keeps verifying for one token lifetime, so no token it signed dies early.
//! A leaked key must be deleted, not retired: retiring it would leave every
//! token forged with it valid for that window.

use std::{collections::HashSet, fmt, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{json, Value};

/// One signing key: its id, and its private key as PKCS#8 PEM (what the
/// store keeps).
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub private_pem: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("private_pem", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

impl SigningKey {
    /// A fresh Ed25519 key from the operating system's random source, with a
    /// random url-safe id (base64url of 16 random bytes), created now.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; ed25519_dalek::SECRET_KEY_LENGTH];
        getrandom::fill(&mut seed).map_err(KeyError::Random)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.fill(0);
        let private_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyError::Encode)?
            .to_string();

        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(KeyError::Random)?;

        Ok(Self {
            kid: URL_SAFE_NO_PAD.encode(id),
            private_pem,
            created_at: Utc::now(),
            retired_at: None,
        })
    }

    /// The public half as a JWK (RFC 8037):
    /// `{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"}`.
    pub fn public_jwk(&self) -> Result<Value, KeyError> {
        Ok(jwk(&self.kid, &self.public_x()?))
    }

    /// The public key, base64url without padding: the JWK's `x`.
    fn public_x(&self) -> Result<String, KeyError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(&self.private_pem).map_err(|_| {
            KeyError::InvalidKey {
                kid: self.kid.clone(),
            }
        })?;
        Ok(URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()))
    }

    /// Whether this key still verifies at `now`: not retired, or retired no
    /// longer ago than `token_lifetime`, so tokens it signed may be alive.
    fn verifies_at(&self, now: DateTime<Utc>, token_lifetime: Duration) -> bool {
        match self.retired_at {
            None => true,
            Some(retired_at) => match chrono::Duration::from_std(token_lifetime) {
                Ok(lifetime) => retired_at + lifetime >= now,
                Err(_) => true, // a lifetime beyond chrono's range never ends
            },
        }
    }
}

fn jwk(kid: &str, x: &str) -> Value {
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    })
}

/// The keys in use: the newest unretired one signs; every key not retired
/// longer ago than the token lifetime verifies.
///
/// Which keys verify is decided when the ring is built; rebuild it when the
/// stored keys change. The issuer's token lifetime must not exceed the one
/// given here, or a rotation would cut its tokens short.
pub struct KeyRing {
    signer_kid: String,
    signer: EncodingKey,
    /// Newest first.
    verifiers: Vec<Verifier>,
    token_lifetime: Duration,
}

struct Verifier {
    kid: String,
    jwk: Value,
    key: DecodingKey,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.verifiers.iter().map(|v| v.kid.as_str()).collect();
        f.debug_struct("KeyRing")
            .field("signer", &self.signer_kid)
            .field("verifiers", &kids)
            .field("token_lifetime", &self.token_lifetime)
            .finish()
    }
}

impl KeyRing {
    /// Checks every key it keeps; fails when no key is active, when two keys
    /// share an id, or when a key does not parse.
    pub fn new(keys: Vec<SigningKey>, token_lifetime: Duration) -> Result<Self, KeyError> {
        let now = Utc::now();
        let mut seen = HashSet::new();
        for key in &keys {
            if !seen.insert(key.kid.as_str()) {
                return Err(KeyError::DuplicateKid(key.kid.clone()));
            }
        }

        let mut keys: Vec<SigningKey> = keys
            .into_iter()
            .filter(|key| key.verifies_at(now, token_lifetime))
            .collect();
        keys.sort_by(|a, b| (b.created_at, &b.kid).cmp(&(a.created_at, &a.kid)));

        let active = keys
            .iter()
            .find(|key| key.retired_at.is_none())
            .ok_or(KeyError::NoActiveKey)?;
        let signer = EncodingKey::from_ed_pem(active.private_pem.as_bytes()).map_err(|_| {
            KeyError::InvalidKey {
                kid: active.kid.clone(),
            }
        })?;
        let signer_kid = active.kid.clone();

        let verifiers = keys
            .iter()
            .map(|key| {
                let x = key.public_x()?;
                let decoding =
                    DecodingKey::from_ed_components(&x).map_err(|_| KeyError::InvalidKey {
                        kid: key.kid.clone(),
                    })?;
                Ok(Verifier {
                    jwk: jwk(&key.kid, &x),
                    kid: key.kid.clone(),
                    key: decoding,
                })
            })
            .collect::<Result<_, KeyError>>()?;

        Ok(Self {
            signer_kid,
            signer,
            verifiers,
            token_lifetime,
        })
    }

    /// `{"keys":[…]}`: the public JWK of every verifying key, newest first.
    pub fn jwks(&self) -> Value {
        let keys: Vec<&Value> = self.verifiers.iter().map(|v| &v.jwk).collect();
        json!({ "keys": keys })
    }

    /// The id and key that sign new tokens.
    pub(crate) fn signer(&self) -> (&str, &EncodingKey) {
        (&self.signer_kid, &self.signer)
    }

    /// The key that verifies tokens whose header names `kid`, if it still
    /// verifies.
    pub(crate) fn verifier(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifiers.iter().find(|v| v.kid == kid).map(|v| &v.key)
    }
}

/// What can go wrong with signing keys. No message carries key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no active signing key: every key is retired")]
    NoActiveKey,
    #[error("two signing keys share the id {0:?}")]
    DuplicateKid(String),
    #[error("signing key {kid:?} is not an Ed25519 private key in PKCS#8 PEM")]
    InvalidKey { kid: String },
    #[error("the operating system's random source failed: {0}")]
    Random(getrandom::Error),
    #[error("could not encode the new key as PKCS#8 PEM")]
    Encode,
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIFETIME: Duration = Duration::from_secs(15 * 60);

    fn key_created(minutes_ago: i64) -> SigningKey {
        let mut key = SigningKey::generate().unwrap();
        key.created_at = Utc::now() - chrono::Duration::minutes(minutes_ago);
        key
    }

    #[test]
    fn debug_never_prints_the_private_key() {
        let key = SigningKey::generate().unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert!(key.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(!shown.contains("PRIVATE KEY"));
        let body = key.private_pem.lines().nth(1).unwrap();
        assert!(!shown.contains(body));
        assert!(shown.contains(&key.kid));
    }

    #[test]
    fn generated_keys_differ_and_have_url_safe_ids() {
        let (a, b) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        assert_ne!(a.kid, b.kid);
        assert_ne!(a.private_pem, b.private_pem);
        assert_eq!(a.kid.len(), 22);
        assert!(a
            .kid
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn public_jwk_has_the_rfc_8037_shape() {
        let key = SigningKey::generate().unwrap();
        let jwk = key.public_jwk().unwrap();
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], key.kid.as_str());
        let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
        assert_eq!(x.len(), 32);
        assert_eq!(jwk.as_object().unwrap().len(), 6, "no private part: {jwk}");
    }

    #[test]
    fn the_newest_unretired_key_signs() {
        let old = key_created(60);
        let new = key_created(1);
        let mut newest_but_retired = key_created(0);
        newest_but_retired.retired_at = Some(Utc::now());
        let ring = KeyRing::new(
            vec![old.clone(), newest_but_retired.clone(), new.clone()],
            LIFETIME,
        )
        .unwrap();
        assert_eq!(ring.signer().0, new.kid);
        for key in [&old, &new, &newest_but_retired] {
            assert!(ring.verifier(&key.kid).is_some());
        }
        assert_eq!(ring.jwks()["keys"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn a_ring_without_an_active_key_is_refused() {
        assert!(matches!(
            KeyRing::new(vec![], LIFETIME),
            Err(KeyError::NoActiveKey)
        ));
        let mut retired = key_created(5);
        retired.retired_at = Some(Utc::now());
        assert!(matches!(
            KeyRing::new(vec![retired], LIFETIME),
            Err(KeyError::NoActiveKey)
        ));
    }

    #[test]
    fn duplicate_ids_and_broken_keys_are_refused() {
        let a = key_created(5);
        let mut b = key_created(1);
        b.kid = a.kid.clone();
        assert!(matches!(
            KeyRing::new(vec![a.clone(), b], LIFETIME),
            Err(KeyError::DuplicateKid(kid)) if kid == a.kid
        ));

        let mut broken = key_created(0);
        broken.private_pem =
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into();
        let err = KeyRing::new(vec![a, broken.clone()], LIFETIME).unwrap_err();
        assert!(matches!(&err, KeyError::InvalidKey { kid } if *kid == broken.kid));
        assert!(!err.to_string().contains("AAAA"));
    }
}
