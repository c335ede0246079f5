//! The integration tests, all against the real server on a real port, on
//! SQLite and PostgreSQL (`common::spawn_app`): one binary with a module
//! per area, so the crate is linked once rather than once per file.

#[macro_use]
mod common;

mod admin;
mod authorization;
mod browser;
mod by_reference;
mod cli;
mod cli_login;
mod conflicts;
mod dashboard;
mod fetching;
mod fhir_client;
mod fhir_servers;
mod grpc_web;
mod import_basics;
mod import_stream;
mod item_history;
mod key_rotation;
mod keyed_files;
mod listing;
mod oauth;
mod oauth_limits;
mod pipeline;
mod public_clients;
mod replicas;
mod rescrape;
mod schema_rollback;
mod schemas;
mod scrape;
mod scrape_faults;
mod stored_documents;
mod telemetry;
mod token_exchange;
mod watch;
