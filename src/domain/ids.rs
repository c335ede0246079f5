//! Server-assigned identifiers. They are UUIDv7, so sorting by id sorts by
//! creation time, which keyset pagination relies on.

use std::fmt;

use uuid::Uuid;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self(Uuid::now_v7().to_string())
            }

            /// Parses an id given by a client; `None` when it is not an id.
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s.trim())
                    .ok()
                    .map(|u| Self(u.hyphenated().to_string()))
            }

            /// Wraps an id read back from the store.
            pub fn from_stored(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }

            pub const WHAT: &'static str = $what;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(ProjectId, "project id");
id_type!(ImportId, "import id");
id_type!(FileId, "file id");

/// A registered FHIR server's id, as import headers name it (`kf-prod`).
/// An import or file without a server has none: `Option<FhirServerId>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FhirServerId(String);

impl FhirServerId {
    /// The id a client named, or none for an empty one.
    pub fn named(id: &str) -> Option<Self> {
        let id = id.trim();
        (!id.is_empty()).then(|| Self(id.to_owned()))
    }

    /// An id read back from the store, where none is stored as "".
    pub fn from_stored(id: String) -> Option<Self> {
        (!id.is_empty()).then_some(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FhirServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the store keeps an optional server id: "" for none.
pub fn stored_server(id: Option<&FhirServerId>) -> String {
    id.map(|id| id.as_str().to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_sort_by_creation() {
        let a = ImportId::generate();
        let b = ImportId::generate();
        assert!(a < b);
    }

    #[test]
    fn parse_normalises_and_rejects_garbage() {
        let id = FileId::generate();
        let upper = id.as_str().to_uppercase();
        assert_eq!(FileId::parse(&upper), Some(id));
        assert_eq!(FileId::parse("not-an-id"), None);
    }
}
