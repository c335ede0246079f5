//! How a file's FHIR document is stored (`files.document`): one byte that
//! names the format, then the document in it.
//!
//! - [`PLAIN`]: the JSON text as received, written only when zstd cannot
//!   allocate its context; read whenever found.
//! - [`ZSTD_FHIR_VOCABULARY_1`]: a zstd frame compressed against a fixed
//!   vocabulary of FHIR DocumentReference JSON (element names, the code
//!   systems and extensions portals use, attachment values), written from
//!   the FHIR R4 resource's structure, not from any one data set. Small
//!   documents gain most from it: a 330-byte DocumentReference takes about
//!   120 bytes, a 2.2 KB Kids First one about 740 (zstd alone: 245 and 990).
//!
//! The format lives beside the migrations because the schema depends on it:
//! a migration that moves documents in or out of this column reads and
//! writes it. A vocabulary is frozen once a document was written with it;
//! a better one comes as a new format byte.

use std::io;
use std::sync::LazyLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

/// The document's JSON text, unchanged.
pub const PLAIN: u8 = 0;
/// zstd against [`VOCABULARY_1`].
pub const ZSTD_FHIR_VOCABULARY_1: u8 = 1;

/// The first vocabulary, byte for byte as documents were compressed with it.
const VOCABULARY_1: &[u8] = include_bytes!("fhir_vocabulary_1.json");

/// zstd's level 3 (its default): at these sizes, higher levels save a few
/// bytes a document for several times the time.
const LEVEL: i32 = 3;

/// Decompressing never makes more than this: a frame that says otherwise is
/// not one this service wrote (`[import] max_document_bytes` may not be set
/// above it).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

static ENCODER_1: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(VOCABULARY_1, LEVEL));
static DECODER_1: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(VOCABULARY_1));

thread_local! {
    // A context per thread: making one costs more than compressing a small
    // document with it.
    static COMPRESSOR: std::cell::RefCell<Option<Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Why a stored document cannot be read.
#[derive(Debug)]
pub enum UnpackError {
    Empty,
    UnknownFormat(u8),
    Corrupt(String),
}

impl std::fmt::Display for UnpackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnpackError::Empty => write!(f, "the stored document is empty"),
            UnpackError::UnknownFormat(byte) => {
                write!(f, "the stored document has an unknown format ({byte})")
            }
            UnpackError::Corrupt(why) => write!(f, "the stored document is corrupt: {why}"),
        }
    }
}

impl std::error::Error for UnpackError {}

/// `json` in the format new documents are stored in.
pub fn pack(json: &str) -> Vec<u8> {
    match compress(json.as_bytes()) {
        Ok(frame) => {
            let mut stored = Vec::with_capacity(1 + frame.len());
            stored.push(ZSTD_FHIR_VOCABULARY_1);
            stored.extend_from_slice(&frame);
            stored
        }
        // zstd fails only when it cannot allocate; the text as it is then.
        Err(_) => plain(json),
    }
}

/// `json` stored as it is.
pub fn plain(json: &str) -> Vec<u8> {
    let mut stored = Vec::with_capacity(1 + json.len());
    stored.push(PLAIN);
    stored.extend_from_slice(json.as_bytes());
    stored
}

/// The JSON text of a stored document.
pub fn unpack(stored: &[u8]) -> Result<String, UnpackError> {
    let (&format, body) = stored.split_first().ok_or(UnpackError::Empty)?;
    let bytes = match format {
        PLAIN => body.to_vec(),
        ZSTD_FHIR_VOCABULARY_1 => decompress(body)?,
        other => return Err(UnpackError::UnknownFormat(other)),
    };
    String::from_utf8(bytes).map_err(|e| UnpackError::Corrupt(e.to_string()))
}

fn compress(bytes: &[u8]) -> io::Result<Vec<u8>> {
    COMPRESSOR.with_borrow_mut(|slot| {
        let compressor = match slot {
            Some(compressor) => compressor,
            None => slot.insert(Compressor::with_prepared_dictionary(&ENCODER_1)?),
        };
        compressor.compress(bytes)
    })
}

fn decompress(frame: &[u8]) -> Result<Vec<u8>, UnpackError> {
    let corrupt = |e: &dyn std::fmt::Display| UnpackError::Corrupt(e.to_string());
    let size = zstd::zstd_safe::get_frame_content_size(frame)
        .map_err(|_| UnpackError::Corrupt("no zstd frame".into()))?
        .ok_or_else(|| UnpackError::Corrupt("the frame does not say its size".into()))?;
    if size > MAX_DOCUMENT_BYTES {
        return Err(UnpackError::Corrupt(format!(
            "the frame claims {size} bytes"
        )));
    }
    DECOMPRESSOR.with_borrow_mut(|slot| {
        let decompressor = match slot {
            Some(decompressor) => decompressor,
            None => slot.insert(
                Decompressor::with_prepared_dictionary(&DECODER_1).map_err(|e| corrupt(&e))?,
            ),
        };
        let capacity = usize::try_from(size).map_err(|e| corrupt(&e))?;
        decompressor
            .decompress(frame, capacity)
            .map_err(|e| corrupt(&e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"content":[{"attachment":{"contentType":"application/octet-stream","hash":"2jmj7l5rSw0yVb/vlWAYkK/YBwk=","size":5000000007,"title":"sample-7.cram","url":"drs://data.example.org/file-7"}}],"docStatus":"final","id":"doc-7","resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/pt-7"}}"#;

    #[test]
    fn a_packed_document_reads_back_the_same_and_is_smaller() {
        let stored = pack(SMALL);
        assert_eq!(stored[0], ZSTD_FHIR_VOCABULARY_1);
        assert!(
            stored.len() * 2 < SMALL.len(),
            "{} bytes for {}",
            stored.len(),
            SMALL.len()
        );
        assert_eq!(unpack(&stored).expect("unpack"), SMALL);
    }

    #[test]
    fn any_text_survives_packing() {
        for text in [
            "",
            "{}",
            "ünïcödé 🚀",
            &"x".repeat(1 << 20),
            "{\"a\":\"\\u0000\"}",
        ] {
            assert_eq!(unpack(&pack(text)).expect("unpack"), text);
        }
    }

    #[test]
    fn plain_documents_read_as_they_are() {
        assert_eq!(unpack(&plain(SMALL)).expect("unpack"), SMALL);
        let mut migrated = vec![PLAIN];
        migrated.extend_from_slice(b"{\"id\":\"x\"}");
        assert_eq!(unpack(&migrated).expect("unpack"), "{\"id\":\"x\"}");
    }

    #[test]
    fn what_this_service_did_not_write_is_refused_not_guessed() {
        assert!(matches!(unpack(&[]), Err(UnpackError::Empty)));
        assert!(matches!(
            unpack(&[9, 1, 2]),
            Err(UnpackError::UnknownFormat(9))
        ));
        assert!(matches!(
            unpack(&[ZSTD_FHIR_VOCABULARY_1, 1, 2, 3]),
            Err(UnpackError::Corrupt(_))
        ));
        let mut cut = pack(SMALL);
        cut.truncate(cut.len() - 5);
        assert!(matches!(unpack(&cut), Err(UnpackError::Corrupt(_))));
        assert!(matches!(
            unpack(&[PLAIN, 0xff, 0xfe]),
            Err(UnpackError::Corrupt(_))
        ));
    }

    /// Documents written by an earlier build must stay readable: this frame
    /// was written with the first vocabulary. Editing the vocabulary file
    /// breaks it (and every document stored with it).
    #[test]
    fn the_first_vocabulary_is_frozen() {
        let written: &[u8] = &FROZEN_SAMPLE;
        assert_eq!(unpack(written).expect("unpack"), SMALL);
    }

    const FROZEN_SAMPLE: [u8; 116] = [
        1, 40, 181, 47, 253, 96, 59, 0, 77, 3, 0, 196, 3, 50, 106, 109, 106, 55, 108, 53, 114, 83,
        119, 48, 121, 86, 98, 47, 118, 108, 87, 65, 89, 107, 75, 47, 89, 66, 119, 107, 61, 53, 48,
        55, 115, 97, 109, 112, 108, 101, 45, 55, 100, 97, 116, 97, 46, 101, 120, 55, 100, 111, 99,
        45, 55, 34, 112, 116, 45, 55, 34, 125, 125, 14, 0, 180, 179, 83, 189, 237, 130, 208, 53,
        46, 197, 60, 177, 80, 14, 80, 244, 178, 207, 197, 129, 29, 153, 112, 2, 177, 25, 46, 55,
        32, 138, 146, 244, 36, 219, 128, 175, 52, 169, 98, 5, 1,
    ];
}
