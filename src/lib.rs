//! fhir-import: bulk import of FHIR DocumentReferences into projects over
//! gRPC, persisted with sea-orm and followed live.

#![forbid(unsafe_code)]

/// The pipeline allocates and frees many short strings per document (JSON,
/// statements, rows); glibc's allocator spent a third of an import's CPU
/// time on them (`perf` over `cargo bench --bench import_throughput`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod dataset;
pub mod domain;
pub mod fhir;
pub mod import;
pub mod metrics;
pub mod ops;
pub mod proto;
pub mod scrape;
pub mod services;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;

pub use config::Config;
pub use startup::Application;
