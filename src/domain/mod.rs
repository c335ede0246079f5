//! Checked domain types, parsed once at the edge of the service.

pub mod conflict;
pub mod document;
pub mod ids;
pub mod import;
pub mod metadata;
pub mod page;
pub mod project;
pub mod rejection;
