//! Passwords and client secrets, generated from the OS's randomness and
//! kept only hashed. Passwords, which people choose, as argon2 hashes;
//! client secrets, 256 random bits, as SHA-256 digests compared in constant
//! time: as hard to invert as the secret is to guess, and no CPU for a
//! stranger to spend (clients registered before keep argon2 hashes).

use std::fmt;

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the system's random source failed")]
    Random,
    #[error("hashing failed")]
    Hash,
}

/// A secret in the clear, shown once. Its Debug never prints it.
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(REDACTED)")
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| SecretError::Random)?;
    Ok(bytes)
}

/// A new random identifier: `prefix` and 16 random bytes, URL-safe.
pub fn random_id(prefix: &str) -> Result<String, SecretError> {
    Ok(format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(random_bytes::<16>()?)
    ))
}

/// A new client secret: 32 random bytes, URL-safe.
pub fn new_secret() -> Result<Secret, SecretError> {
    Ok(Secret(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)))
}

/// The argon2id hash (PHC string) of a password or secret.
pub fn hash(secret: &str) -> Result<String, SecretError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|_| SecretError::Hash)?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| SecretError::Hash)
}

const DIGEST_PREFIX: &str = "sha256$";

/// The stored form of a client secret: `sha256$` and its digest.
pub fn digest(secret: &str) -> String {
    use sha2::Digest as _;
    format!(
        "{DIGEST_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret.as_bytes()))
    )
}

/// Whether a stored secret is a digest (cheap to check) rather than an
/// argon2 hash (slow on purpose: check it off the async threads).
pub fn is_digest(stored: &str) -> bool {
    stored.starts_with(DIGEST_PREFIX)
}

/// True when `secret` matches the stored digest, compared in constant time.
pub fn verify_digest(secret: &str, stored: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    let computed = digest(secret);
    computed.len() == stored.len() && bool::from(computed.as_bytes().ct_eq(stored.as_bytes()))
}

/// True when `secret` matches `stored_hash`; a malformed hash never matches.
pub fn verify(secret: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_secret() {
        let secret = new_secret().expect("random");
        let stored = hash(secret.expose()).expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(!stored.contains(secret.expose()));
        assert!(verify(secret.expose(), &stored));
        assert!(!verify("wrong", &stored));
        assert!(!verify(secret.expose(), "not a hash"));
    }

    #[test]
    fn client_secrets_are_digests_that_verify_only_the_right_secret() {
        let secret = new_secret().expect("random");
        let stored = digest(secret.expose());
        assert!(is_digest(&stored) && !is_digest("$argon2id$v=19$x"));
        assert!(!stored.contains(secret.expose()));
        assert!(verify_digest(secret.expose(), &stored));
        assert!(!verify_digest("wrong", &stored));
        assert!(!verify_digest(secret.expose(), "sha256$short"));
    }

    #[test]
    fn secrets_are_fresh_and_never_printed() {
        let a = new_secret().expect("random");
        let b = new_secret().expect("random");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(format!("{a:?}"), "Secret(REDACTED)");
        assert!(random_id("fic_").expect("random").starts_with("fic_"));
    }
}
