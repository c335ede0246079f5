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

/// Given a page read with one row more than `limit`, drops the extra row
/// and returns the token of the next page: empty when this is the last.
pub fn next_token<T>(rows: &mut Vec<T>, limit: u64, key: impl Fn(&T) -> String) -> String {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return String::new();
    }
    rows.truncate(limit);
    rows.last()
        .map(|last| encode_token(&key(last)))
        .unwrap_or_default()
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
    fn only_a_page_with_more_behind_it_has_a_next_token() {
        let mut full = vec![1, 2, 3];
        assert_eq!(next_token(&mut full, 3, |n| n.to_string()), "");
        let mut more = vec![1, 2, 3, 4];
        let token = next_token(&mut more, 3, |n| n.to_string());
        assert_eq!(more, [1, 2, 3]);
        assert_eq!(decode_token(&token), Ok(Some("3".into())));
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(0), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(5), 5);
        assert_eq!(page_size(100_000), MAX_PAGE_SIZE);
    }
}
