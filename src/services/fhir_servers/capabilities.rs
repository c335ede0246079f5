//! What each server says it is: its CapabilityStatement, read on
//! registration, on update and periodically, and the schema chosen from it
//! (or the pinned one), with the reason.

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use crate::fhir::RegisteredServer;
use crate::fhir::{FhirClient, FhirError};
use crate::scrape::pick;

use super::{FhirServerError, FhirServers, CAPABILITY_TIMEOUT};

impl FhirServers {
    /// Reads every server's CapabilityStatement again now and then every
    /// `period`, so that schema choices follow what servers declare.
    pub fn spawn_refresh(&self, period: Duration, stopping: CancellationToken) {
        let registry = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopping.cancelled() => return,
                    _ = tokio::time::sleep(period) => {}
                }
                if let Err(err) = registry.refresh_all().await {
                    warn!(error = %err, "refreshing the FHIR servers failed");
                }
            }
        });
    }

    async fn refresh_all(&self) -> Result<(), FhirServerError> {
        for mut server in self.store.fhir_servers().await? {
            let client = self.read_capabilities(&mut server).await?;
            self.store.update_fhir_server(&server).await?;
            self.cache(&server.config, client);
        }
        Ok(())
    }

    /// Reads the CapabilityStatement and chooses the schema. An unreachable
    /// server keeps its earlier findings, with the failure recorded.
    pub(super) async fn read_capabilities(
        &self,
        server: &mut RegisteredServer,
    ) -> Result<FhirClient, FhirServerError> {
        let client = FhirClient::new(server.config.clone())
            .map_err(|e| FhirServerError::InvalidArgument(e.to_string()))?;
        let read = tokio::time::timeout(CAPABILITY_TIMEOUT, client.capability_statement()).await;
        match read {
            Ok(Ok(capability)) => {
                server.fhir_version = text(&capability, &["fhirVersion"]);
                server.software_name = text(&capability, &["software", "name"]);
                server.capability_at = Some(Utc::now());
                server.capability_error = None;
                self.choose_schema(server, Some(&capability)).await;
            }
            Ok(Err(err)) => self.capability_failed(server, &err.to_string()).await,
            Err(_) => {
                let why = FhirError::Timeout(CAPABILITY_TIMEOUT).to_string();
                self.capability_failed(server, &why).await
            }
        }
        Ok(client)
    }

    async fn capability_failed(&self, server: &mut RegisteredServer, why: &str) {
        warn!(server = %server.id(), error = %why, "reading the CapabilityStatement failed");
        server.capability_error = Some(why.to_owned());
        self.choose_schema(server, None).await;
    }

    async fn choose_schema(&self, server: &mut RegisteredServer, capability: Option<&Value>) {
        if let Some(pinned) = &server.pinned_schema {
            if let Some(schema) = self.schemas.resolve(pinned).await {
                server.schema = Some(schema.id());
                server.schema_reason = format!("pinned by an admin ({pinned})");
                return;
            }
        }
        let Some(capability) = capability else {
            if server.schema.is_none() {
                server.schema_reason =
                    "the CapabilityStatement could not be read; no schema chosen yet".into();
            }
            return;
        };
        let schemas = self.schemas.latest().await;
        match pick(&schemas, capability) {
            Some((schema, reason)) => {
                server.schema = Some(schema.id());
                server.schema_reason = format!("its match rules fit: {reason}");
            }
            None => {
                server.schema = None;
                server.schema_reason = format!(
                    "no schema's match rules fit (fhirVersion {}, software {})",
                    server.fhir_version.as_deref().unwrap_or("unknown"),
                    server.software_name.as_deref().unwrap_or("unknown")
                );
            }
        }
    }
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
