//! The name a file gets from its DocumentReference: the attachment's title,
//! else the last segment of its URL, else the document id.

/// Longest file name kept, in bytes.
const MAX_FILE_NAME_BYTES: usize = 255;

pub(super) fn file_name(title: Option<&str>, url: Option<&str>, id: &str) -> String {
    title
        .map(sanitize_file_name)
        .filter(|name| usable(name))
        .or_else(|| {
            url.and_then(last_url_segment)
                .map(|segment| sanitize_file_name(&segment))
                .filter(|name| usable(name))
        })
        .unwrap_or_else(|| {
            // A valid FHIR id is already safe except when it is all dots.
            if usable(id) {
                id.to_owned()
            } else {
                format!("document{id}")
            }
        })
}

fn usable(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".."
}

/// Drops `/`, `\` and control characters, trims, and caps at 255 bytes on a
/// char boundary.
fn sanitize_file_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|&c| c != '/' && c != '\\' && !c.is_control())
        .collect();
    let mut name = cleaned.trim();
    if name.len() > MAX_FILE_NAME_BYTES {
        let mut end = MAX_FILE_NAME_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name = name[..end].trim_end();
    }
    name.to_owned()
}

/// The last non-empty path segment of `url`, percent-decoded.
fn last_url_segment(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let segment = parsed.path_segments()?.rev().find(|s| !s.is_empty())?;
    Some(
        percent_encoding::percent_decode_str(segment)
            .decode_utf8_lossy()
            .into_owned(),
    )
}
