//! Checked domain types, parsed once at the edge of the service.

pub mod account;
pub mod conflict;
pub mod document;
mod fhir_values;
pub mod file;
mod file_name;
pub mod ids;
pub mod import;
pub mod metadata;
pub mod page;
pub mod project;
pub mod r4;
pub mod rejection;
