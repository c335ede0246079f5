//! FhirServerService over gRPC, and the wire forms of a server's settings.

use tonic::{Request, Response, Status};

use super::convert::timestamp;
use crate::auth::Caller;
use crate::fhir::{FhirAuth, RegisteredServer, ServerConfig, ServerLimits, SigningAlgorithm};
use crate::proto::v1::{
    self as pb, fhir_server_auth::Method, fhir_server_service_server::FhirServerService,
    preview_scrape_request::Document,
};
use crate::services::fhir_servers::{
    parse_project_patterns, FhirServers, PreviewDocument, ServerSettings,
};

pub struct FhirServerApi {
    servers: FhirServers,
}

impl FhirServerApi {
    pub fn new(servers: FhirServers) -> Self {
        Self { servers }
    }
}

fn auth(wire: Option<pb::FhirServerAuth>) -> Result<FhirAuth, Status> {
    Ok(match wire.and_then(|a| a.method) {
        None => FhirAuth::None,
        Some(Method::Bearer(b)) => FhirAuth::Bearer { token: b.token },
        Some(Method::ClientCredentials(c)) => FhirAuth::ClientCredentials {
            token_url: c.token_url,
            client_id: c.client_id,
            client_secret: c.client_secret,
            scopes: c.scopes,
        },
        Some(Method::SmartBackend(s)) => FhirAuth::SmartBackend {
            token_url: s.token_url,
            client_id: s.client_id,
            private_key_pem: s.private_key_pem,
            algorithm: match s.algorithm.as_str() {
                "ES384" => SigningAlgorithm::ES384,
                "RS384" => SigningAlgorithm::RS384,
                other => {
                    return Err(Status::invalid_argument(format!(
                        "auth.smart_backend.algorithm: {other:?} is not ES384 or RS384"
                    )))
                }
            },
            key_id: Some(s.key_id).filter(|k| !k.is_empty()),
            scopes: s.scopes,
        },
    })
}

/// Wire limits over `base`: zero fields keep `base`'s value.
fn limits(wire: Option<pb::FhirServerLimits>, base: ServerLimits) -> ServerLimits {
    let Some(wire) = wire else { return base };
    ServerLimits {
        max_concurrency: match wire.max_concurrency {
            0 => base.max_concurrency,
            n => n as usize,
        },
        requests_per_second: if wire.requests_per_second > 0.0 {
            wire.requests_per_second
        } else {
            base.requests_per_second
        },
        timeout_ms: match wire.timeout_ms {
            0 => base.timeout_ms,
            n => u64::from(n),
        },
        max_response_bytes: match wire.max_response_bytes {
            0 => base.max_response_bytes,
            n => n,
        },
        max_retries: wire.max_retries.unwrap_or(base.max_retries),
        cooldown_ms: wire.cooldown_ms.map_or(base.cooldown_ms, u64::from),
        ..base
    }
}

fn auth_kind(auth: &FhirAuth) -> &'static str {
    match auth {
        FhirAuth::None => "none",
        FhirAuth::Bearer { .. } => "bearer",
        FhirAuth::ClientCredentials { .. } => "client_credentials",
        FhirAuth::SmartBackend { .. } => "smart_backend",
    }
}

impl FhirServerApi {
    /// A server as the API shows it, with its breaker as this replica sees
    /// it.
    fn view(&self, s: RegisteredServer) -> pb::FhirServer {
        let breaker = self.servers.breaker(&s.config.id);
        let (breaker_open_until, breaker_reason) = match breaker {
            Some((until, because)) => (Some(timestamp(until)), because),
            None => (None, String::new()),
        };
        pb::FhirServer {
            breaker_open_until,
            breaker_reason,
            ..server(s)
        }
    }
}

fn server(s: RegisteredServer) -> pb::FhirServer {
    pb::FhirServer {
        auth_kind: auth_kind(&s.config.auth).to_owned(),
        limits: Some(pb::FhirServerLimits {
            max_concurrency: u32::try_from(s.config.limits.max_concurrency).unwrap_or(u32::MAX),
            requests_per_second: s.config.limits.requests_per_second,
            timeout_ms: u32::try_from(s.config.limits.timeout_ms).unwrap_or(u32::MAX),
            max_response_bytes: s.config.limits.max_response_bytes,
            max_retries: Some(s.config.limits.max_retries),
            cooldown_ms: Some(u32::try_from(s.config.limits.cooldown_ms).unwrap_or(u32::MAX)),
        }),
        id: s.config.id,
        base_url: s.config.base_url,
        pinned_schema: s.pinned_schema.unwrap_or_default(),
        schema: s.schema.unwrap_or_default(),
        schema_reason: s.schema_reason,
        fhir_version: s.fhir_version.unwrap_or_default(),
        software_name: s.software_name.unwrap_or_default(),
        capability_time: s.capability_at.map(timestamp),
        capability_error: s.capability_error.unwrap_or_default(),
        create_time: Some(timestamp(s.created_at)),
        update_time: Some(timestamp(s.updated_at)),
        allowed_projects: s.allowed_projects.iter().map(ToString::to_string).collect(),
        allow_private_addresses: s.config.allow_private_addresses,
        breaker_open_until: None,
        breaker_reason: String::new(),
    }
}

#[tonic::async_trait]
impl FhirServerService for FhirServerApi {
    async fn register_fhir_server(
        &self,
        request: Request<pb::RegisterFhirServerRequest>,
    ) -> Result<Response<pb::FhirServer>, Status> {
        let caller = Caller::of(&request)?;
        let r = request.into_inner();
        let settings = ServerSettings {
            config: ServerConfig {
                auth: auth(r.auth)?,
                limits: limits(r.limits, ServerLimits::default()),
                allow_private_addresses: r.allow_private_addresses,
                ..ServerConfig::new(r.id, r.base_url)
            },
            pinned_schema: Some(r.schema).filter(|s| !s.is_empty()),
            allowed_projects: parse_project_patterns("allowed_projects", &r.allowed_projects)?,
        };
        let registered = self.servers.register(&caller, settings).await?;
        Ok(Response::new(self.view(registered)))
    }

    async fn get_fhir_server(
        &self,
        request: Request<pb::GetFhirServerRequest>,
    ) -> Result<Response<pb::FhirServer>, Status> {
        let caller = Caller::of(&request)?;
        let found = self.servers.get(&caller, &request.into_inner().id).await?;
        Ok(Response::new(self.view(found)))
    }

    async fn list_fhir_servers(
        &self,
        request: Request<pb::ListFhirServersRequest>,
    ) -> Result<Response<pb::ListFhirServersResponse>, Status> {
        let caller = Caller::of(&request)?;
        let servers = self.servers.list(&caller).await?;
        Ok(Response::new(pb::ListFhirServersResponse {
            fhir_servers: servers.into_iter().map(|s| self.view(s)).collect(),
        }))
    }

    async fn update_fhir_server(
        &self,
        request: Request<pb::UpdateFhirServerRequest>,
    ) -> Result<Response<pb::FhirServer>, Status> {
        let caller = Caller::of(&request)?;
        let r = request.into_inner();
        let new_auth = r.auth.map(|a| auth(Some(a))).transpose()?;
        let allow = parse_project_patterns("add_allowed_projects", &r.add_allowed_projects)?;
        let disallow =
            parse_project_patterns("remove_allowed_projects", &r.remove_allowed_projects)?;
        let updated = self
            .servers
            .update(&caller, &r.id, new_auth.is_some(), |settings| {
                if !r.base_url.is_empty() {
                    settings.config.base_url = r.base_url;
                }
                if r.unpin_schema {
                    settings.pinned_schema = None;
                } else if !r.schema.is_empty() {
                    settings.pinned_schema = Some(r.schema);
                }
                if let Some(auth) = new_auth {
                    settings.config.auth = auth;
                }
                settings.config.limits = limits(r.limits, settings.config.limits.clone());
                if let Some(allow) = r.allow_private_addresses {
                    settings.config.allow_private_addresses = allow;
                }
                settings.allowed_projects.retain(|p| !disallow.contains(p));
                for pattern in allow {
                    if !settings.allowed_projects.contains(&pattern) {
                        settings.allowed_projects.push(pattern);
                    }
                }
            })
            .await?;
        Ok(Response::new(self.view(updated)))
    }

    async fn preview_scrape(
        &self,
        request: Request<pb::PreviewScrapeRequest>,
    ) -> Result<Response<pb::PreviewScrapeResponse>, Status> {
        let caller = Caller::of(&request)?;
        let r = request.into_inner();
        let document = match r.document {
            Some(Document::DocumentReferenceId(id)) => PreviewDocument::Id(id),
            Some(Document::ResourceJson(json)) => PreviewDocument::Json(json),
            None => {
                return Err(Status::invalid_argument(
                    "document: give document_reference_id or resource_json",
                ))
            }
        };
        let (schema, scraped) = self
            .servers
            .preview(&caller, &r.fhir_server, document, Some(&r.schema))
            .await?;
        Ok(Response::new(pb::PreviewScrapeResponse {
            schema: schema.id(),
            metadata: scraped.pairs.into_iter().collect(),
            problems: scraped
                .problems
                .into_iter()
                .map(|p| pb::ScrapeProblem {
                    key: p.key,
                    problem: p.kind.to_string(),
                })
                .collect(),
            fetched: scraped.fetched,
            source_versions: scraped.versions.into_iter().collect(),
        }))
    }

    async fn remove_fhir_server(
        &self,
        request: Request<pb::RemoveFhirServerRequest>,
    ) -> Result<Response<pb::RemoveFhirServerResponse>, Status> {
        let caller = Caller::of(&request)?;
        self.servers
            .remove(&caller, &request.into_inner().id)
            .await?;
        Ok(Response::new(pb::RemoveFhirServerResponse {}))
    }
}
