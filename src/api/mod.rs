//! gRPC services: each converts the request, calls the domain, and converts
//! the result back. No business rules live here.

mod convert;
mod errors;
mod fhir_servers;
mod files;
mod import;
mod projects;
mod schemas;

pub use fhir_servers::FhirServerApi;
pub use files::FileApi;
pub use import::ImportApi;
pub use projects::ProjectApi;
pub use schemas::SchemaApi;
