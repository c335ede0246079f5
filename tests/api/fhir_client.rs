//! The outbound FHIR client (`fhir_import::fhir::FhirClient`) against the
//! real sekmet-fhir server loaded with a synthetic data set, and against
//! a scripted stub for every fault it must survive or report.

mod auth;
mod batched_searches;
mod faults;
mod real_server;

use fhir_import::fhir::{ServerConfig, ServerLimits};

/// ServerLimits for tests: short timeouts and backoff so faults resolve fast.
pub fn quick_limits() -> ServerLimits {
    ServerLimits {
        max_concurrency: 4,
        requests_per_second: 0.0,
        timeout_ms: 400,
        max_response_bytes: 1024 * 1024,
        max_retries: 2,
        retry_base_ms: 10,
        retry_max_ms: 40,
        max_retry_after_ms: 5_000,
        ..ServerLimits::default()
    }
}

pub fn quick_config(base_url: &str) -> ServerConfig {
    ServerConfig {
        limits: quick_limits(),
        // The test servers listen on loopback.
        allow_private_addresses: true,
        ..ServerConfig::new("test", base_url)
    }
}
