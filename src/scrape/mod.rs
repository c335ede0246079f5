//! Metadata scraping: a declarative [`Schema`] of FHIRPath expressions turns
//! an imported DocumentReference, and the resources it points at on its FHIR
//! server, into key-value metadata for the file.
//!
//! - [`schema`]: the schema document (YAML) and its checks on load.
//! - [`matching`]: which schema fits a server, from its CapabilityStatement.
//! - [`evaluate()`]: one document in, [`Scraped`] pairs and problems out.
//! - [`ResourceSource`]: the server, as evaluation reads it; [`MemorySource`]
//!   serves resources held in memory.
//!
//! The format is described for schema authors in `schemas/README.md`.

mod builtin;
mod error;
pub mod evaluate;
mod expression;
mod fhir_source;
pub mod matching;
mod memory;
mod recent;
mod resolver;
pub mod schema;
mod search_params;
mod search_prefetch;
mod source;
mod values;

#[cfg(test)]
mod tests;

pub use builtin::{builtin_schema_sources, builtin_schemas};
pub use evaluate::{evaluate, KeyProblem, ProblemKind, Scraped};
pub use expression::BUILTIN_VARIABLES;
pub use fhir_source::FhirSource;
pub use matching::{pick, MatchReason};
pub use memory::MemorySource;
pub use recent::{RecentLimits, RecentReads, ScopedReads};
pub use schema::{KeyRule, MatchRules, Schema, SchemaError, Search, MAX_KEYS, MAX_KEY_BYTES};
pub use source::{ResourceSource, SourceError};
pub use values::{MAX_VALUE_BYTES, TRUNCATION_MARKER};
