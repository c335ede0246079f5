//! The outbound FHIR client: fetches the resources a document refers to
//! (Patient, Specimen, Condition …) from the registered server it came
//! from, and from nowhere else.
//!
//! `server_config` is what a registered server looks like; `client` speaks FHIR
//! (read, search, resolve); `transport` makes each GET robust (limits,
//! retries, auth, bounded bodies); the rest are the pure pieces they use.

mod auth;
mod breaker;
mod client;
mod diagnostics;
pub mod egress;
mod error;
mod pace;
pub mod reference;
mod registered;
mod retry;
mod search;
mod server_config;
mod transport;

pub use client::FhirClient;
pub use error::FhirError;
pub use reference::{parse_reference, ResourceRef};
pub use registered::RegisteredServer;
pub use server_config::{FhirAuth, ServerConfig, ServerLimits, SigningAlgorithm};
