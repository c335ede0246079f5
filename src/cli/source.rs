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
    /// Where in the input it came from.
    pub origin: Origin,
    /// The line was not UTF-8; invalid bytes were replaced with U+FFFD.
    pub lossy: bool,
}

/// Where a document is in the input, to name it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The 1-based line of an NDJSON file.
    Line(u64),
    /// The 0-based index of a Bundle's entry.
    Entry(u64),
    /// The input is this one document.
    Whole,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Line(n) => write!(f, "line {n}"),
            Self::Entry(n) => write!(f, "Bundle.entry[{n}]"),
            Self::Whole => f.write_str("the document"),
        }
    }
}

/// The documents of one input, read lazily for NDJSON.
pub struct Documents {
    name: String,
    /// The input's size in bytes, for a regular file.
    size: Option<u64>,
    /// Bytes read so far.
    read: u64,
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
        documents: std::iter::Enumerate<std::vec::IntoIter<String>>,
        total: u64,
        /// Bundle entries, or one whole resource.
        entries: bool,
    },
}

impl Documents {
    /// Opens `path` (`-` is stdin) and works out its format from the
    /// content.
    pub async fn open(path: &Path) -> Result<Self, CliError> {
        let (name, reader, size): (String, Reader, _) = if path == Path::new("-") {
            let stdin = tokio::io::stdin();
            (
                "stdin".to_owned(),
                Box::new(BufReader::with_capacity(READ_BUFFER, stdin)),
                None,
            )
        } else {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| CliError::Input(format!("cannot open {}: {e}", path.display())))?;
            let size = match file.metadata().await {
                Ok(m) if m.is_file() => Some(m.len()),
                _ => None,
            };
            (
                path.display().to_string(),
                Box::new(BufReader::with_capacity(READ_BUFFER, file)),
                size,
            )
        };
        let mut documents = Self::detect(name, reader).await?;
        documents.size = size;
        Ok(documents)
    }

    async fn detect(name: String, mut reader: Reader) -> Result<Self, CliError> {
        let io_error = |e: io::Error| CliError::Input(format!("cannot read {name}: {e}"));
        let mut line = 0;
        let mut read = 0;
        let Some(first) = next_line(&mut reader, &mut line, &mut read)
            .await
            .map_err(io_error)?
        else {
            return Err(CliError::Input(format!("{name} holds no documents")));
        };
        let mut pending = VecDeque::from([first]);
        match serde_json::from_slice::<Value>(&pending[0].1) {
            Ok(value) if is_bundle(&value) => {
                // A one-line Bundle is a Bundle only when nothing follows it;
                // otherwise it is an NDJSON line the server will reject.
                match next_line(&mut reader, &mut line, &mut read)
                    .await
                    .map_err(io_error)?
                {
                    None => Self::from_bundle(name, value, read),
                    Some(second) => {
                        pending.push_back(second);
                        Ok(Self::lines(name, reader, pending, line, read))
                    }
                }
            }
            // The first line is a whole JSON value, so this is NDJSON.
            Ok(_) => Ok(Self::lines(name, reader, pending, line, read)),
            // The first line opens a value that goes on: one JSON document
            // spread over lines (a Bundle, or a pretty-printed resource).
            Err(e) if e.is_eof() => {
                let (first_line, first) = pending.pop_front().unwrap_or_default();
                let mut whole = first;
                whole.push(b'\n');
                let before = whole.len();
                reader.read_to_end(&mut whole).await.map_err(io_error)?;
                let read_whole = read + (whole.len() - before) as u64;
                match serde_json::from_slice::<Value>(&whole) {
                    Ok(value) if is_bundle(&value) => Self::from_bundle(name, value, read_whole),
                    Ok(Value::Object(_)) => {
                        let json = String::from_utf8_lossy(&whole).trim().to_owned();
                        Ok(Self::listed(name, vec![json], false, read_whole))
                    }
                    Ok(_) => Err(CliError::Input(format!(
                        "{name} is one JSON value that is not an object; expected NDJSON \
                         (one resource per line), a FHIR Bundle, or one resource"
                    ))),
                    // Not one document after all: NDJSON with a broken first
                    // line, which the server rejects with its index.
                    // Everything read so far is read again from memory, and
                    // counted as it is.
                    Err(_) => Ok(Self::lines(
                        name,
                        Box::new(io::Cursor::new(whole)),
                        VecDeque::new(),
                        first_line - 1,
                        0,
                    )),
                }
            }
            // Not JSON at all: an NDJSON line the server will reject.
            Err(_) => Ok(Self::lines(name, reader, pending, line, read)),
        }
    }

    fn lines(
        name: String,
        reader: Reader,
        pending: VecDeque<(u64, Vec<u8>)>,
        line: u64,
        read: u64,
    ) -> Self {
        Self {
            name,
            size: None,
            read,
            kind: Kind::Lines {
                reader,
                pending,
                line,
            },
        }
    }

    fn from_bundle(name: String, bundle: Value, read: u64) -> Result<Self, CliError> {
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
        Ok(Self::listed(name, documents, true, read))
    }

    fn listed(name: String, documents: Vec<String>, entries: bool, read: u64) -> Self {
        let total = documents.len() as u64;
        Self {
            name,
            size: None,
            read,
            kind: Kind::Listed {
                documents: documents.into_iter().enumerate(),
                total,
                entries,
            },
        }
    }

    /// What the documents are read from: a path or `stdin`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The input's size in bytes, when it is a regular file read line by
    /// line (a Bundle or one resource is read whole before the first
    /// document).
    pub fn size(&self) -> Option<u64> {
        match self.kind {
            Kind::Lines { .. } => self.size,
            Kind::Listed { .. } => None,
        }
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
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
            Kind::Listed {
                documents, entries, ..
            } => Ok(documents.next().map(|(index, json)| Document {
                json,
                origin: if *entries {
                    Origin::Entry(index as u64)
                } else {
                    Origin::Whole
                },
                lossy: false,
            })),
            Kind::Lines {
                reader,
                pending,
                line,
            } => {
                let next = match pending.pop_front() {
                    Some(read) => Some(read),
                    None => next_line(reader, line, &mut self.read).await.map_err(|e| {
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
                        origin: Origin::Line(number),
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
/// 1-based number; `line` counts every line read, `read` every byte.
async fn next_line<R: AsyncBufRead + Unpin + ?Sized>(
    reader: &mut R,
    line: &mut u64,
    read: &mut u64,
) -> io::Result<Option<(u64, Vec<u8>)>> {
    loop {
        let mut bytes = Vec::new();
        let n = reader.read_until(b'\n', &mut bytes).await?;
        if n == 0 {
            return Ok(None);
        }
        *read += n as u64;
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
