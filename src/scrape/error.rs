//! Why a schema document was refused, shared by the schema parser and the
//! FHIRPath checks it runs.

/// Why a schema document was refused: `path` points into the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// Not YAML, or YAML of the wrong shape (the message has line and column).
    #[error("schema is not a valid document: {0}")]
    Syntax(String),
    /// Well-formed, but a value breaks a rule.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl SchemaError {
    pub(super) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}
