//! R4's primitive types: the JSON type each takes, the specification's
//! regular expression for its text, and what a regular expression cannot
//! say (a date that is on the calendar, a string without control
//! characters, an integer that fits in 32 bits).

use regex::Regex;
use serde_json::Value;

use crate::domain::fhir_values::{kind, quote};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    Base64Binary,
    Boolean,
    Canonical,
    Code,
    Date,
    DateTime,
    Decimal,
    Id,
    Instant,
    Integer,
    Markdown,
    Oid,
    PositiveInt,
    String,
    Time,
    UnsignedInt,
    Uri,
    Url,
    Uuid,
    Xhtml,
}

/// The R4 regular expressions (HL7's R4 JSON Schema, from the
/// StructureDefinitions' `regex` extensions) of the text-valued primitives.
/// `string` and `markdown` follow the prose rule instead (no characters
/// below U+0020 but tab, CR and LF): the schema's `[ \r\n\t\S]+` would also
/// refuse a non-breaking space, which R4 allows.
pub struct Patterns {
    base64: Regex,
    code: Regex,
    date: Regex,
    date_time: Regex,
    id: Regex,
    instant: Regex,
    oid: Regex,
    time: Regex,
    uri: Regex,
    uuid: Regex,
}

impl Patterns {
    /// Compiles the pattern of each primitive from `pattern_of(name)`.
    pub fn compile(pattern_of: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let compile = |name: &str| {
            let pattern = pattern_of(name).ok_or_else(|| format!("no pattern for {name}"))?;
            Regex::new(&pattern).map_err(|e| format!("pattern of {name}: {e}"))
        };
        Ok(Self {
            base64: compile("base64Binary")?,
            code: compile("code")?,
            date: compile("date")?,
            date_time: compile("dateTime")?,
            id: compile("id")?,
            instant: compile("instant")?,
            oid: compile("oid")?,
            time: compile("time")?,
            uri: compile("uri")?,
            uuid: compile("uuid")?,
        })
    }
}

/// The largest R4 `integer` and `unsignedInt` (32-bit signed).
const MAX_INT: i64 = i32::MAX as i64;

impl Primitive {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "base64Binary" => Self::Base64Binary,
            "boolean" => Self::Boolean,
            "canonical" => Self::Canonical,
            "code" => Self::Code,
            "date" => Self::Date,
            "dateTime" => Self::DateTime,
            "decimal" => Self::Decimal,
            "id" => Self::Id,
            "instant" => Self::Instant,
            "integer" => Self::Integer,
            "markdown" => Self::Markdown,
            "oid" => Self::Oid,
            "positiveInt" => Self::PositiveInt,
            "string" => Self::String,
            "time" => Self::Time,
            "unsignedInt" => Self::UnsignedInt,
            "uri" => Self::Uri,
            "url" => Self::Url,
            "uuid" => Self::Uuid,
            "xhtml" => Self::Xhtml,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Base64Binary => "base64Binary",
            Self::Boolean => "boolean",
            Self::Canonical => "canonical",
            Self::Code => "code",
            Self::Date => "date",
            Self::DateTime => "dateTime",
            Self::Decimal => "decimal",
            Self::Id => "id",
            Self::Instant => "instant",
            Self::Integer => "integer",
            Self::Markdown => "markdown",
            Self::Oid => "oid",
            Self::PositiveInt => "positiveInt",
            Self::String => "string",
            Self::Time => "time",
            Self::UnsignedInt => "unsignedInt",
            Self::Uri => "uri",
            Self::Url => "url",
            Self::Uuid => "uuid",
            Self::Xhtml => "xhtml",
        }
    }

    /// Checks one value of this type; the problem, without a path.
    pub fn check(self, patterns: &Patterns, value: &Value) -> Result<(), String> {
        match self {
            Self::Boolean => match value {
                Value::Bool(_) => Ok(()),
                other => Err(format!("must be a boolean, got {}", kind(other))),
            },
            Self::Decimal => match value {
                Value::Number(_) => Ok(()),
                other => Err(format!("must be a number, got {}", kind(other))),
            },
            Self::Integer => whole_number(value, -MAX_INT - 1, MAX_INT),
            Self::UnsignedInt => whole_number(value, 0, MAX_INT),
            Self::PositiveInt => whole_number(value, 1, MAX_INT),
            _ => {
                let Value::String(text) = value else {
                    return Err(format!("must be a string, got {}", kind(value)));
                };
                self.check_text(patterns, text)
            }
        }
    }

    fn check_text(self, p: &Patterns, text: &str) -> Result<(), String> {
        if text.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if let Some(c) = control_character(text) {
            return Err(format!(
                "contains the control character U+{:04X}; FHIR text allows only tab, CR and LF",
                u32::from(c)
            ));
        }
        let (pattern, expected) = match self {
            Self::String | Self::Markdown => return Ok(()),
            Self::Xhtml => {
                return if text.trim_start().starts_with("<div") {
                    Ok(())
                } else {
                    Err("must be an XHTML <div> element".to_owned())
                };
            }
            Self::Base64Binary => (&p.base64, "base64 in groups of four"),
            Self::Code => (&p.code, "a code: no leading, trailing or double whitespace"),
            Self::Id => (&p.id, "1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'"),
            Self::Uri | Self::Url | Self::Canonical => (&p.uri, "no whitespace"),
            Self::Oid => (&p.oid, "urn:oid: and dotted numbers"),
            Self::Uuid => (&p.uuid, "urn:uuid: and a lower-case UUID"),
            Self::Date => (&p.date, "YYYY, YYYY-MM or YYYY-MM-DD"),
            Self::DateTime => (
                &p.date_time,
                "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone",
            ),
            Self::Instant => (&p.instant, "such as 2024-05-01T12:00:00Z, with a time zone"),
            Self::Time => (&p.time, "hh:mm:ss"),
            Self::Boolean
            | Self::Decimal
            | Self::Integer
            | Self::UnsignedInt
            | Self::PositiveInt => return Ok(()),
        };
        // The commonest patterns, checked by hand: the same verdict as the
        // expression (a unit test holds them equal), without its overhead.
        let matches = match self {
            Self::Uri | Self::Url | Self::Canonical => !has_whitespace(text),
            Self::Code => is_code(text),
            Self::Id => crate::domain::fhir_values::is_fhir_id(text),
            _ => pattern.is_match(text),
        };
        if !matches {
            return Err(format!(
                "{} is not a valid FHIR {} ({expected})",
                quote(text),
                self.name()
            ));
        }
        if matches!(self, Self::Date | Self::DateTime | Self::Instant) && !on_the_calendar(text) {
            return Err(format!("{} is not a date on the calendar", quote(text)));
        }
        Ok(())
    }
}

/// The first character FHIR text may not hold: below U+0020 but tab, CR
/// and LF, DEL, and the C1 controls. Bytes first, as nearly all text is
/// plain ASCII; characters only when a byte looks suspect.
fn control_character(text: &str) -> Option<char> {
    let suspect = |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || *b >= 0x7f;
    if !text.as_bytes().iter().any(suspect) {
        return None;
    }
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// Unicode whitespace anywhere (what `\s` matches), bytes first.
fn has_whitespace(text: &str) -> bool {
    let suspect = |b: &u8| b.is_ascii_whitespace() || *b == 0x0b || *b >= 0x80;
    text.as_bytes().iter().any(suspect) && text.chars().any(char::is_whitespace)
}

/// R4's code: `[^\s]+(\s[^\s]+)*`, non-empty words one whitespace apart.
fn is_code(text: &str) -> bool {
    let mut after_space = true;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space && after_space {
            return false;
        }
        after_space = space;
    }
    !after_space
}

fn whole_number(value: &Value, min: i64, max: i64) -> Result<(), String> {
    let Value::Number(n) = value else {
        return Err(format!("must be a whole JSON number, got {}", kind(value)));
    };
    match n.as_i64() {
        Some(i) if i < min => Err(format!("must be at least {min}, got {i}")),
        Some(i) if i > max => Err(format!("must be at most {max}, got {i}")),
        Some(_) => Ok(()),
        None if n.as_u64().is_some() => Err(format!("must be at most {max}, got {n}")),
        None => Err(format!("must be a whole number, got {n}")),
    }
}

/// The `YYYY-MM-DD` a date-like text starts with names a real day (a
/// regular expression lets 2023-02-30 through). Texts without a day pass.
fn on_the_calendar(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return true;
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        b[range]
            .iter()
            .fold(0, |acc, &c| acc * 10 + u32::from(c.wrapping_sub(b'0')))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn patterns() -> &'static Patterns {
        &crate::domain::r4::definitions().patterns
    }

    proptest! {
        #[test]
        fn hand_checks_agree_with_the_r4_expressions(
            text in "[ a-zA-Z0-9.\\-\t\n\r\u{0}\u{b}\u{c}\u{7f}\u{85}\u{9f}\u{a0}\u{2028}é:/]{1,70}"
        ) {
            let p = patterns();
            prop_assert_eq!(is_code(&text), p.code.is_match(&text));
            prop_assert_eq!(
                crate::domain::fhir_values::is_fhir_id(&text),
                p.id.is_match(&text)
            );
            prop_assert_eq!(!has_whitespace(&text), p.uri.is_match(&text));
            prop_assert_eq!(
                control_character(&text),
                text.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
            );
        }
    }
}
