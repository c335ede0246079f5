//! The domain services the API calls: each checks what a caller may do and
//! works through the store, the FHIR client and the scraper. (The import
//! pipeline is `crate::import`; accounts are `crate::auth::accounts`.)

pub mod fhir_servers;
pub mod files;
pub mod projects;
pub mod schemas;
