//! Tracing setup: `RUST_LOG` filters, `info` by default; lines for people,
//! or one JSON object per line (`[log] format = "json"`) for a collector.

use std::io::IsTerminal;

use serde::{Deserialize, Serialize};
use tracing_subscriber::{fmt, EnvFilter};

/// `[log] format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for people (colours on a terminal).
    #[default]
    Text,
    /// One JSON object per line: timestamp, level, target, fields, spans.
    Json,
}

pub fn init(default_filter: &str) {
    init_as(default_filter, LogFormat::Text);
}

pub fn init_as(default_filter: &str, format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
}

/// The URL with any password replaced, for logs and errors.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("REDACTED"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
