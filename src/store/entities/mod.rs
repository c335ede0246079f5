//! sea-orm table models. They are rows, not domain types: the store converts.

pub mod authorization_code;
pub mod browser_session;
pub mod external_identity;
pub mod fhir_server;
pub mod file;
pub mod file_metadata;
pub mod import;
pub mod import_event;
pub mod import_item;
pub mod initial_access_token;
pub mod oauth_client;
pub mod project;
pub mod project_member;
pub mod refresh_token;
pub mod revoked_access_token;
pub mod schema;
pub mod signing_key;
pub mod user;
