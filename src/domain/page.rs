//! Page sizes and opaque page tokens for keyset pagination.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

pub const DEFAULT_PAGE_SIZE: u64 = 100;
pub const MAX_PAGE_SIZE: u64 = 1000;

pub fn page_size(requested: u32) -> u64 {
    match u64::from(requested) {
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    }
}

/// A position after which the next page starts. Tokens are opaque to clients
/// so the key can change without breaking them.
pub fn encode_token(after: &str) -> String {
    URL_SAFE_NO_PAD.encode(after.as_bytes())
}

pub fn decode_token(token: &str) -> Result<Option<String>, String> {
    if token.is_empty() {
        return Ok(None);
    }
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(Some)
        .ok_or_else(|| "page_token: not a token this service issued".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        let t = encode_token("0192-abc");
        assert_eq!(decode_token(&t), Ok(Some("0192-abc".into())));
        assert_eq!(decode_token(""), Ok(None));
        assert!(decode_token("!!!").is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(0), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(5), 5);
        assert_eq!(page_size(100_000), MAX_PAGE_SIZE);
    }
}
