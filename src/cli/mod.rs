//! The command-line client and `serve`: one module per command, each taking
//! already-parsed arguments and writing what it has to say to `out`.

pub mod admin;
pub mod credentials;
pub mod dataset;
pub mod error;
pub mod files;
pub mod import;
pub mod imports;
pub mod login;
pub mod projects;
pub mod serve;
pub mod watch;

mod server;
mod show;
mod source;

pub use error::CliError;
pub use server::Server;

/// The default for `--server`.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// Parses `KEY=VALUE` (`--metadata`, `--where`): the key is what comes
/// before the first `=` and must not be empty; the value may be.
pub fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.to_owned(), value.to_owned())),
        Some(_) => Err(format!("{text:?}: the key before '=' is empty")),
        None => Err(format!("{text:?}: expected KEY=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_key_value;

    #[test]
    fn key_value_splits_at_the_first_equals_sign() {
        assert_eq!(
            parse_key_value("query=a=b"),
            Ok(("query".to_owned(), "a=b".to_owned()))
        );
        assert_eq!(
            parse_key_value("empty="),
            Ok(("empty".to_owned(), String::new()))
        );
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("novalue").is_err());
    }
}
