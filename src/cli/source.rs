//! Reading the documents to import from a file or stdin: NDJSON line by line
//! (never the whole file), a FHIR Bundle's entries, or one JSON resource.

use std::{collections::VecDeque, io, path::Path};

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, BufReader};

use super::error::CliError;

type Reader = Box<dyn AsyncBufRead + Unpin + Send>;

const READ_BUFFER: usize = 256 * 1024;

/// One document as it goes on the wire.
pub struct Document {
    /// The resource JSON, unchanged (NDJSON) or re-serialized (Bundle entry).
    pub json: String,
    /// The 1-based line it came from, for NDJSON.
    pub line: Option<u64>,
    /// The line was not UTF-8; invalid bytes were replaced with U+FFFD.
    pub lossy: bool,
}

/// The documents of one input, read lazily for NDJSON.
pub struct Documents {
    name: String,
    kind: Kind,
}

enum Kind {
    Lines {
        reader: Reader,
        /// Lines already read while detecting the format.
        pending: VecDeque<(u64, Vec<u8>)>,
        line: u64,
    },
    Listed {
        documents: std::vec::IntoIter<String>,
        total: u64,
    },
}

impl Documents {
    /// Opens `path` (`-` is stdin) and works out its format from the
    /// content.
    pub async fn open(path: &Path) -> Result<Self, CliError> {
        let (name, reader): (String, Reader) = if path == Path::new("-") {
            let stdin = tokio::io::stdin();
            (
                "stdin".to_owned(),
                Box::new(BufReader::with_capacity(READ_BUFFER, stdin)),
            )
        } else {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| CliError::Input(format!("cannot open {}: {e}", path.display())))?;
            (
                path.display().to_string(),
                Box::new(BufReader::with_capacity(READ_BUFFER, file)),
            )
        };
        Self::detect(name, reader).await
    }

    async fn detect(name: String, mut reader: Reader) -> Result<Self, CliError> {
        let io_error = |e: io::Error| CliError::Input(format!("cannot read {name}: {e}"));
        let mut line = 0;
        let Some(first) = next_line(&mut reader, &mut line).await.map_err(io_error)? else {
            return Err(CliError::Input(format!("{name} holds no documents")));
        };
        let mut pending = VecDeque::from([first]);
        match serde_json::from_slice::<Value>(&pending[0].1) {
            Ok(value) if is_bundle(&value) => {
                // A one-line Bundle is a Bundle only when nothing follows it;
                // otherwise it is an NDJSON line the server will reject.
                match next_line(&mut reader, &mut line).await.map_err(io_error)? {
                    None => Self::from_bundle(name, value),
                    Some(second) => {
                        pending.push_back(second);
                        Ok(Self::lines(name, reader, pending, line))
                    }
                }
            }
            // The first line is a whole JSON value, so this is NDJSON.
            Ok(_) => Ok(Self::lines(name, reader, pending, line)),
            // The first line opens a value that goes on: one JSON document
            // spread over lines (a Bundle, or a pretty-printed resource).
            Err(e) if e.is_eof() => {
                let (first_line, first) = pending.pop_front().unwrap_or_default();
                let mut whole = first;
                whole.push(b'\n');
                reader.read_to_end(&mut whole).await.map_err(io_error)?;
                match serde_json::from_slice::<Value>(&whole) {
                    Ok(value) if is_bundle(&value) => Self::from_bundle(name, value),
                    Ok(Value::Object(_)) => {
                        let json = String::from_utf8_lossy(&whole).trim().to_owned();
                        Ok(Self::listed(name, vec![json]))
                    }
                    Ok(_) => Err(CliError::Input(format!(
                        "{name} is one JSON value that is not an object; expected NDJSON \
                         (one resource per line), a FHIR Bundle, or one resource"
                    ))),
                    // Not one document after all: NDJSON with a broken first
                    // line, which the server rejects with its index.
                    Err(_) => Ok(Self::lines(
                        name,
                        Box::new(io::Cursor::new(whole)),
                        VecDeque::new(),
                        first_line - 1,
                    )),
                }
            }
            // Not JSON at all: an NDJSON line the server will reject.
            Err(_) => Ok(Self::lines(name, reader, pending, line)),
        }
    }

    fn lines(name: String, reader: Reader, pending: VecDeque<(u64, Vec<u8>)>, line: u64) -> Self {
        Self {
            name,
            kind: Kind::Lines {
                reader,
                pending,
                line,
            },
        }
    }

    fn from_bundle(name: String, bundle: Value) -> Result<Self, CliError> {
        let Value::Object(mut bundle) = bundle else {
            return Err(CliError::Input(format!(
                "{name}: a Bundle must be an object"
            )));
        };
        let entries = match bundle.remove("entry") {
            None => Vec::new(),
            Some(Value::Array(entries)) => entries,
            Some(_) => {
                return Err(CliError::Input(format!(
                    "{name}: Bundle.entry must be an array"
                )))
            }
        };
        if entries.is_empty() {
            return Err(CliError::Input(format!(
                "{name}: the Bundle has no entries"
            )));
        }
        // An entry without a resource is still sent (empty), so the server
        // rejects it under the entry's own index.
        let documents = entries
            .into_iter()
            .map(
                |mut entry| match entry.get_mut("resource").map(Value::take) {
                    Some(resource) => resource.to_string(),
                    None => String::new(),
                },
            )
            .collect();
        Ok(Self::listed(name, documents))
    }

    fn listed(name: String, documents: Vec<String>) -> Self {
        let total = documents.len() as u64;
        Self {
            name,
            kind: Kind::Listed {
                documents: documents.into_iter(),
                total,
            },
        }
    }

    /// What the documents are read from: a path or `stdin`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many documents there are, when known up front (not for NDJSON).
    pub fn total(&self) -> Option<u64> {
        match &self.kind {
            Kind::Lines { .. } => None,
            Kind::Listed { total, .. } => Some(*total),
        }
    }

    /// The next document; blank lines are skipped.
    pub async fn next(&mut self) -> Result<Option<Document>, CliError> {
        match &mut self.kind {
            Kind::Listed { documents, .. } => Ok(documents.next().map(|json| Document {
                json,
                line: None,
                lossy: false,
            })),
            Kind::Lines {
                reader,
                pending,
                line,
            } => {
                let next = match pending.pop_front() {
                    Some(read) => Some(read),
                    None => next_line(reader, line).await.map_err(|e| {
                        CliError::Input(format!("cannot read {} after line {line}: {e}", self.name))
                    })?,
                };
                Ok(next.map(|(number, bytes)| {
                    let (json, lossy) = match String::from_utf8(bytes) {
                        Ok(text) => (text, false),
                        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
                    };
                    Document {
                        json,
                        line: Some(number),
                        lossy,
                    }
                }))
            }
        }
    }
}

fn is_bundle(value: &Value) -> bool {
    value.get("resourceType").and_then(Value::as_str) == Some("Bundle")
}

/// The next line that is not blank, without its line ending, and its
/// 1-based number; `line` counts every line read.
async fn next_line<R: AsyncBufRead + Unpin + ?Sized>(
    reader: &mut R,
    line: &mut u64,
) -> io::Result<Option<(u64, Vec<u8>)>> {
    loop {
        let mut bytes = Vec::new();
        if reader.read_until(b'\n', &mut bytes).await? == 0 {
            return Ok(None);
        }
        *line += 1;
        while matches!(bytes.last(), Some(b'\n' | b'\r')) {
            bytes.pop();
        }
        if !bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Some((*line, bytes)));
        }
    }
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
