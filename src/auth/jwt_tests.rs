//! Issuing and verifying access tokens, and every refusal the verifier owes.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::Utc;
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use super::*;
use crate::auth::keys::{KeyRing, SigningKey};

const ISS: &str = "https://auth.example.test";
const AUD: &str = "fhir-import";
const LIFETIME: Duration = DEFAULT_LIFETIME;

fn issuer() -> TokenIssuer {
    TokenIssuer::new(ISS, AUD, LIFETIME)
}

fn verifier() -> TokenVerifier {
    TokenVerifier::new(ISS, AUD)
}

fn scopes(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

fn key_created(minutes_ago: i64) -> SigningKey {
    let mut key = SigningKey::generate().unwrap();
    key.created_at = Utc::now() - chrono::Duration::minutes(minutes_ago);
    key
}

fn ring(keys: &[SigningKey]) -> KeyRing {
    KeyRing::new(keys.to_vec(), LIFETIME).unwrap()
}

fn issue(keys: &KeyRing) -> String {
    issuer()
        .issue(keys, "alice", "portal", &scopes(&["import"]), None)
        .unwrap()
        .0
}

/// Claims as the issuer would write them, now.
fn claims() -> AccessClaims {
    let now = Utc::now().timestamp();
    AccessClaims {
        iss: ISS.into(),
        sub: "alice".into(),
        client_id: "portal".into(),
        aud: AUD.into(),
        scope: "import".into(),
        iat: now,
        nbf: now,
        exp: now + 900,
        jti: "jti-1".into(),
        fam: None,
    }
}

/// Signs anything with the ring's active key, under the issuer's header.
fn sign(keys: &KeyRing, claims: &impl serde::Serialize) -> String {
    let (kid, key) = keys.signer();
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(TOKEN_TYPE.into());
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The JWK the ring publishes for `kid`.
fn published(keys: &KeyRing, kid: &str) -> Value {
    keys.jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap()
        .clone()
}

fn jwk_x(keys: &KeyRing, kid: &str) -> String {
    published(keys, kid)["x"].as_str().unwrap().to_owned()
}

#[test]
fn issued_tokens_verify_and_carry_the_claims() {
    let key = key_created(0);
    let keys = ring(std::slice::from_ref(&key));
    let (token, issued) = issuer()
        .issue(&keys, "alice", "portal", &scopes(&["import", "read"]), None)
        .unwrap();

    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));

    let claims = verifier().verify(&keys, &token).unwrap();
    assert_eq!(claims, issued);
    assert_eq!(claims.iss, ISS);
    assert_eq!(claims.aud, AUD);
    assert_eq!(claims.sub, "alice");
    assert_eq!(claims.client_id, "portal");
    assert_eq!(claims.scope, "import read");
    assert!(claims.has_scope("read") && !claims.has_scope("admin"));
    assert_eq!(claims.exp - claims.iat, 15 * 60);
    assert_eq!(claims.nbf, claims.iat);
    assert!((claims.iat - Utc::now().timestamp()).abs() <= 2);

    let (_, other) = issuer().issue(&keys, "alice", "portal", &[], None).unwrap();
    assert_ne!(other.jti, issued.jti, "every token has its own jti");
    assert_eq!(other.scope, "");
}

#[test]
fn scopes_that_would_split_or_smuggle_are_refused() {
    let keys = ring(&[key_created(0)]);
    for bad in ["read write", "", "a\"b", "a\\b", "é", "tab\t"] {
        let err = issuer()
            .issue(&keys, "alice", "portal", &scopes(&[bad]), None)
            .unwrap_err();
        assert_eq!(err, TokenError::InvalidScope(bad.into()));
    }
}

#[test]
fn the_jwks_publishes_every_verifying_key_correctly() {
    let old = key_created(60);
    let mut retired = key_created(30);
    retired.retired_at = Some(Utc::now() - chrono::Duration::minutes(1));
    let old_ring = ring(std::slice::from_ref(&old));
    let retired_ring = ring(&[{
        let mut k = retired.clone();
        k.retired_at = None;
        k
    }]);
    let new = key_created(0);
    let keys = ring(&[old.clone(), retired.clone(), new.clone()]);

    let jwks = keys.jwks();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [&new.kid, &retired.kid, &old.kid]);

    // Each published `x` verifies tokens of its key, alone and through a
    // standard JWK parser: what a resource server fetching the JWKS does.
    let set: JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    for (key, signing_ring) in [(&old, &old_ring), (&retired, &retired_ring), (&new, &keys)] {
        let token = issue(signing_ring);
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISS]);
        validation.set_audience(&[AUD]);

        let from_x = DecodingKey::from_ed_components(&jwk_x(&keys, &key.kid)).unwrap();
        jsonwebtoken::decode::<AccessClaims>(&token, &from_x, &validation).unwrap();

        let jwk = set.find(&key.kid).unwrap();
        let from_jwk = DecodingKey::from_jwk(jwk).unwrap();
        jsonwebtoken::decode::<AccessClaims>(&token, &from_jwk, &validation).unwrap();
        assert_eq!(published(&keys, &key.kid), key.public_jwk().unwrap());
    }

    // And the x of one key does not verify another's tokens.
    let foreign = DecodingKey::from_ed_components(&jwk_x(&keys, &old.kid)).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[AUD]);
    let err =
        jsonwebtoken::decode::<AccessClaims>(issue(&keys), &foreign, &validation).unwrap_err();
    assert_eq!(
        *err.kind(),
        jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
}

#[test]
fn after_rotation_old_tokens_verify_and_new_ones_use_the_new_key() {
    let mut old = key_created(60);
    let before = ring(std::slice::from_ref(&old));
    let old_token = issue(&before);

    old.retired_at = Some(Utc::now());
    let new = key_created(0);
    let after = ring(&[old.clone(), new.clone()]);

    assert_eq!(verifier().verify(&after, &old_token).unwrap().sub, "alice");
    let new_token = issue(&after);
    let header = jsonwebtoken::decode_header(&new_token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new.kid.as_str()));
    verifier().verify(&after, &new_token).unwrap();
    verifier().verify(&after, &old_token).unwrap();
}

#[test]
fn a_key_retired_longer_ago_than_the_lifetime_no_longer_verifies() {
    let mut old = key_created(60);
    let old_token = issue(&ring(std::slice::from_ref(&old)));

    old.retired_at = Some(Utc::now() - chrono::Duration::minutes(16));
    let keys = ring(&[old.clone(), key_created(0)]);

    assert!(keys.verifier(&old.kid).is_none());
    let jwks = keys.jwks();
    assert!(jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["kid"] != old.kid.as_str()));
    assert_eq!(
        verifier().verify(&keys, &old_token),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn expiry_is_enforced_with_a_small_leeway() {
    let keys = ring(&[key_created(0)]);
    let now = Utc::now().timestamp();

    let expired = sign(
        &keys,
        &AccessClaims {
            exp: now - 120,
            ..claims()
        },
    );
    assert_eq!(verifier().verify(&keys, &expired), Err(TokenError::Expired));

    let just_expired = sign(
        &keys,
        &AccessClaims {
            exp: now - 10,
            ..claims()
        },
    );
    verifier().verify(&keys, &just_expired).unwrap();
    assert_eq!(
        verifier()
            .with_leeway(Duration::ZERO)
            .verify(&keys, &just_expired),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_token_not_valid_yet_is_refused() {
    let keys = ring(&[key_created(0)]);
    let now = Utc::now().timestamp();

    let early = sign(
        &keys,
        &AccessClaims {
            nbf: now + 120,
            ..claims()
        },
    );
    assert_eq!(
        verifier().verify(&keys, &early),
        Err(TokenError::NotYetValid)
    );

    let skewed = sign(
        &keys,
        &AccessClaims {
            nbf: now + 10,
            ..claims()
        },
    );
    verifier().verify(&keys, &skewed).unwrap();
}

#[test]
fn another_key_under_the_same_kid_is_a_bad_signature() {
    let real = key_created(0);
    let mut impostor = key_created(0);
    impostor.kid = real.kid.clone();

    let forged = issue(&ring(&[impostor]));
    assert_eq!(
        verifier().verify(&ring(&[real]), &forged),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn a_tampered_payload_is_a_bad_signature() {
    let keys = ring(&[key_created(0)]);
    let token = issue(&keys);
    let parts: Vec<&str> = token.split('.').collect();
    let admin = b64(&serde_json::to_value(AccessClaims {
        scope: "admin".into(),
        ..claims()
    })
    .unwrap());
    let tampered = format!("{}.{}.{}", parts[0], admin, parts[2]);
    assert_eq!(
        verifier().verify(&keys, &tampered),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn unknown_and_missing_kids_are_refused() {
    let keys = ring(&[key_created(0)]);
    let stranger = issue(&ring(&[key_created(0)]));
    assert_eq!(
        verifier().verify(&keys, &stranger),
        Err(TokenError::UnknownKey)
    );

    let (_, key) = keys.signer();
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(TOKEN_TYPE.into());
    let no_kid = jsonwebtoken::encode(&header, &claims(), key).unwrap();
    assert_eq!(
        verifier().verify(&keys, &no_kid),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn alg_none_is_refused() {
    let keys = ring(&[key_created(0)]);
    let (kid, _) = keys.signer();
    let body = b64(&serde_json::to_value(claims()).unwrap());
    for alg in ["none", "None", "NONE", ""] {
        let header = b64(&json!({ "alg": alg, "typ": "JWT", "kid": kid }));
        for signature in ["", "AAAA"] {
            let token = format!("{header}.{body}.{signature}");
            assert_eq!(
                verifier().verify(&keys, &token),
                Err(TokenError::WrongAlgorithm),
                "alg {alg:?}"
            );
        }
    }
    // The library alone refuses it too, though only as a parse error.
    let header = b64(&json!({ "alg": "none", "typ": "JWT", "kid": kid }));
    assert!(jsonwebtoken::decode_header(format!("{header}.{body}.")).is_err());
}

#[test]
fn hs256_keyed_with_the_public_key_is_refused() {
    let keys = ring(&[key_created(0)]);
    let (kid, _) = keys.signer();
    let x = jwk_x(&keys, kid);
    let raw = URL_SAFE_NO_PAD.decode(&x).unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&raw.clone().try_into().unwrap()).unwrap();
    let pem = public.to_public_key_pem(LineEnding::LF).unwrap();
    let der = public.to_public_key_der().unwrap();

    for secret in [&raw[..], x.as_bytes(), pem.as_bytes(), der.as_bytes()] {
        for typ in ["JWT", TOKEN_TYPE] {
            let mut header = Header::new(Algorithm::HS256);
            header.typ = Some(typ.into());
            header.kid = Some(kid.into());
            let key = EncodingKey::from_secret(secret).unwrap();
            let token = jsonwebtoken::encode(&header, &claims(), &key).unwrap();
            assert_eq!(
                verifier().verify(&keys, &token),
                Err(TokenError::WrongAlgorithm)
            );
        }
    }
}

#[test]
fn other_algorithms_and_types_are_refused() {
    let keys = ring(&[key_created(0)]);
    let (kid, key) = keys.signer();
    let body = b64(&serde_json::to_value(claims()).unwrap());
    for alg in ["RS256", "ES256", "HS512", "eddsa", "Ed25519"] {
        let header = b64(&json!({ "alg": alg, "typ": TOKEN_TYPE, "kid": kid }));
        let token = format!("{header}.{body}.AAAA");
        assert_eq!(
            verifier().verify(&keys, &token),
            Err(TokenError::WrongAlgorithm),
            "alg {alg}"
        );
    }

    // A correctly signed JWT of another type (an ID token, say) is no access token.
    for typ in [None, Some("JWT"), Some("id_token+jwt")] {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = typ.map(Into::into);
        header.kid = Some(kid.into());
        let token = jsonwebtoken::encode(&header, &claims(), key).unwrap();
        assert_eq!(
            verifier().verify(&keys, &token),
            Err(TokenError::WrongType),
            "typ {typ:?}"
        );
    }
}

#[test]
fn wrong_audience_and_issuer_are_refused() {
    let keys = ring(&[key_created(0)]);
    let elsewhere = sign(
        &keys,
        &AccessClaims {
            aud: "other-api".into(),
            ..claims()
        },
    );
    assert_eq!(
        verifier().verify(&keys, &elsewhere),
        Err(TokenError::WrongAudience)
    );
    let foreign = sign(
        &keys,
        &AccessClaims {
            iss: "https://evil.test".into(),
            ..claims()
        },
    );
    assert_eq!(
        verifier().verify(&keys, &foreign),
        Err(TokenError::WrongIssuer)
    );

    let token = issue(&keys);
    assert_eq!(
        TokenVerifier::new(ISS, "another-service").verify(&keys, &token),
        Err(TokenError::WrongAudience)
    );
    assert_eq!(
        TokenVerifier::new("https://other.test", AUD).verify(&keys, &token),
        Err(TokenError::WrongIssuer)
    );
}

#[test]
fn missing_claims_are_refused() {
    let keys = ring(&[key_created(0)]);
    let full = serde_json::to_value(claims()).unwrap();
    for claim in [
        "exp",
        "nbf",
        "iat",
        "iss",
        "aud",
        "sub",
        "client_id",
        "scope",
        "jti",
    ] {
        let mut partial = full.clone();
        partial.as_object_mut().unwrap().remove(claim);
        let token = sign(&keys, &partial);
        assert_eq!(
            verifier().verify(&keys, &token),
            Err(TokenError::Malformed),
            "without {claim}"
        );
    }
    // An audience list is not what this issuer writes.
    let mut listed = full.clone();
    listed["aud"] = json!([AUD]);
    assert_eq!(
        verifier().verify(&keys, &sign(&keys, &listed)),
        Err(TokenError::Malformed)
    );
}

#[test]
fn garbage_is_malformed() {
    let keys = ring(&[key_created(0)]);
    let token = issue(&keys);
    let long = format!("{token}{}", "A".repeat(MAX_TOKEN_LEN));
    let extra_part = format!("{token}.AAAA");
    let not_json = format!("{}.e30.AAAA", URL_SAFE_NO_PAD.encode("alg: EdDSA"));
    let signed_nonsense = sign(&keys, &json!("not an object"));
    for garbage in [
        "",
        "garbage",
        "a.b",
        "a.b.c",
        "...",
        "Bearer x.y.z",
        extra_part.as_str(),
        long.as_str(),
        "%%%.e30.AAAA",
        not_json.as_str(),
        signed_nonsense.as_str(),
    ] {
        assert_eq!(
            verifier().verify(&keys, garbage),
            Err(TokenError::Malformed),
            "{garbage:?}"
        );
    }
}

#[test]
fn error_messages_never_echo_the_token() {
    let keys = ring(&[key_created(0)]);
    let token = issue(&keys);
    let parts: Vec<&str> = token.split('.').collect();
    let broken = format!("{}.{}.{}x", parts[0], parts[1], parts[2]);
    let err = verifier().verify(&keys, &broken).unwrap_err();
    let shown = format!("{err} {err:?}");
    for part in parts {
        assert!(!shown.contains(part), "{shown}");
    }
}
