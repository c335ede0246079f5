//! What operators measure: Prometheus metrics recorded with the `metrics`
//! facade, rendered by `metrics-exporter-prometheus` at `GET /metrics`.
//! Counters and histograms are this replica's; the per-state import counts
//! and the store pool are read when scraped.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const DOCUMENTS_RECEIVED: &str = "fhir_import_documents_received_total";
pub const DOCUMENTS_ACCEPTED: &str = "fhir_import_documents_accepted_total";
pub const DOCUMENTS_REJECTED: &str = "fhir_import_documents_rejected_total";
pub const OPEN_STREAMS: &str = "fhir_import_open_import_streams";
pub const OPEN_WATCHERS: &str = "fhir_import_open_watchers";
pub const STAGE_BATCH_SECONDS: &str = "fhir_import_stage_batch_seconds";
pub const FHIR_REQUESTS: &str = "fhir_import_fhir_requests_total";
pub const FHIR_BREAKER_OPEN: &str = "fhir_import_fhir_breaker_open";
pub const RECENT_READS: &str = "fhir_import_recent_reads_total";
pub const IMPORTS: &str = "fhir_import_imports";
pub const STORE_CONNECTIONS: &str = "fhir_import_store_connections";

/// Batch latencies from 1 ms to a minute.
const BATCH_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The process's recorder, installed on first use (one per process: the
/// tests' servers share it, and read their figures as differences).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(STAGE_BATCH_SECONDS.into()), BATCH_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder installed first (a library user's own) keeps
        // its place; this handle then renders only the names described.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        DOCUMENTS_RECEIVED,
        "Documents received on ImportDocuments streams"
    );
    describe_counter!(DOCUMENTS_ACCEPTED, "Documents accepted (stored for import)");
    describe_counter!(DOCUMENTS_REJECTED, "Documents rejected, by rejection code");
    describe_gauge!(OPEN_STREAMS, "ImportDocuments streams open on this replica");
    describe_gauge!(OPEN_WATCHERS, "WatchImport streams open on this replica");
    describe_histogram!(
        STAGE_BATCH_SECONDS,
        Unit::Seconds,
        "How long one batch of a stage took (intake, processing, scraping)"
    );
    describe_counter!(
        FHIR_REQUESTS,
        "Reads from FHIR servers, by server and outcome"
    );
    describe_gauge!(
        FHIR_BREAKER_OPEN,
        "1 while a FHIR server is being left alone after failures"
    );
    describe_counter!(
        RECENT_READS,
        "Scrape reads served from the recent-reads cache (hit) or not (miss)"
    );
    describe_gauge!(IMPORTS, "Imports in the store, by state");
    describe_gauge!(
        STORE_CONNECTIONS,
        "Store pool connections, by state (idle, busy)"
    );
}
