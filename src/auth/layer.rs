//! The one gate in front of every RPC: it verifies the bearer token and the
//! advance-access header, checks the scope the method needs, and hands the
//! verified caller to the handlers through request extensions. Health,
//! reflection and the OAuth HTTP endpoints stay open.

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use futures::future::BoxFuture;
use http::{HeaderMap, Request, Response};
use tonic::Status;
use tower::{Layer, Service};
use tracing::{debug, info, warn};

use super::external::{unverified_issuer, ExternalError, ExternalIssuers};
use super::jwt::{AccessClaims, TokenError, TokenVerifier};
use super::rights;
use super::signing::LiveKeys;
use super::Caller;
use crate::store::Store;

pub const ADVANCE_ACCESS_HEADER: &str = "x-sbg-advance-access";
pub const ADVANCE_ACCESS_VALUE: &str = "advance";

/// The metrics route, when served on the API's port: platform admins only.
pub const METRICS_PATH: &str = "/metrics";

/// The scope each method of the API needs; a method not listed is refused.
fn required_scope(path: &str) -> Option<&'static str> {
    if path == METRICS_PATH {
        return Some(rights::ADMIN);
    }
    let (service, method) = path.trim_start_matches('/').split_once('/')?;
    Some(match (service, method) {
        ("fhir_import.v1.ImportService", "ImportDocuments" | "CancelImport" | "RescrapeFiles") => {
            "import:write"
        }
        (
            "fhir_import.v1.ImportService",
            "WatchImport" | "GetImport" | "ListImports" | "ListImportItems",
        ) => "import:read",
        ("fhir_import.v1.FileService", "GetFile" | "ListFiles") => "files:read",
        ("fhir_import.v1.ProjectService", "CreateProject" | "GetProject" | "ListProjects") => {
            "projects"
        }
        // Platform administration.
        ("fhir_import.v1.SchemaService", "PutSchema" | "GetSchema" | "ListSchemas") => "admin",
        (
            "fhir_import.v1.FhirServerService",
            "RegisterFhirServer" | "GetFhirServer" | "ListFhirServers" | "UpdateFhirServer"
            | "RemoveFhirServer" | "PreviewScrape",
        ) => "admin",
        _ => return None,
    })
}

/// Calls that need no token: everything outside the API's own services.
fn is_open(path: &str) -> bool {
    !path.starts_with("/fhir_import.")
}

/// How callers are identified.
pub enum Gate {
    /// Every call acts as the local operator.
    Local(Caller),
    /// Every call needs a token this server issued, not revoked, from a
    /// client that is not revoked; or a trusted identity provider's token
    /// where the operator accepts those on gRPC.
    Tokens {
        keys: Arc<LiveKeys>,
        verifier: Arc<TokenVerifier>,
        store: Store,
        external: Arc<ExternalIssuers>,
    },
}

impl Gate {
    /// The caller of an HTTP route the gate guards (`/metrics`), or the
    /// status that refuses it.
    pub async fn admit_route(&self, path: &str, headers: &HeaderMap) -> Result<Caller, Status> {
        self.admit(path, headers).await
    }

    /// The verified caller of an API call, or the status that refuses it.
    async fn admit(&self, path: &str, headers: &HeaderMap) -> Result<Caller, Status> {
        let caller = match self {
            Self::Local(caller) => caller.clone(),
            Self::Tokens {
                keys,
                verifier,
                store,
                external,
            } => {
                let token = bearer(headers)?;
                check_advance_access(headers)?;
                match unverified_issuer(token).filter(|iss| external.trusts(iss)) {
                    Some(issuer) => external_caller(external, store, &issuer, token).await?,
                    None => {
                        let claims = match verifier.verify(&keys.current(), token) {
                            // Signed by a key this instance has not loaded
                            // yet: rotated, or created by another instance.
                            Err(TokenError::UnknownKey) => {
                                keys.reload_for_unknown_key().await;
                                verifier.verify(&keys.current(), token)
                            }
                            verified => verified,
                        }
                        .map_err(|err| {
                            let why = verifier.explain(&err, token);
                            info!(method = path, reason = %why, "token refused");
                            Status::unauthenticated(format!("the access token was refused: {why}"))
                        })?;
                        still_valid(store, &claims).await?;
                        let user = (claims.sub != claims.client_id).then(|| claims.sub.clone());
                        Caller {
                            user,
                            scopes: claims.scopes().map(str::to_owned).collect(),
                            client_id: Some(claims.client_id),
                        }
                    }
                }
            }
        };
        let method = path.rsplit('/').next().unwrap_or(path);
        let scope = required_scope(path)
            .ok_or_else(|| Status::permission_denied(format!("{method} is not open to tokens")))?;
        if !caller.has_scope(scope) {
            return Err(Status::permission_denied(format!(
                "{method} needs the scope `{scope}`, which this token does not carry"
            )));
        }
        if let (rights::ADMIN, Self::Tokens { store, .. }) = (scope, self) {
            admin_still(store, &caller, method).await?;
        }
        Ok(caller)
    }
}

/// The admin scope is held by right of the user (or, for a client's own
/// token, of its owner), checked again on every admin call: a role taken
/// back works at once, and a token from any source claims it in vain.
async fn admin_still(store: &Store, caller: &Caller, method: &str) -> Result<(), Status> {
    let unavailable = |err: crate::store::StoreError| {
        warn!(error = %err, "rights check failed");
        Status::unavailable("cannot check the caller's rights right now; retry")
    };
    let holder = match (&caller.user, &caller.client_id) {
        (Some(user), _) => Some(user.clone()),
        (None, Some(client_id)) => store
            .find_client(client_id)
            .await
            .map_err(unavailable)?
            .map(|client| client.owner),
        (None, None) => None,
    };
    let allowed = match &holder {
        Some(holder) => rights::is_admin(store, holder).await.map_err(unavailable)?,
        None => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Status::permission_denied(format!(
            "{method} is for platform admins, and {} is not one",
            holder.as_deref().unwrap_or("this caller")
        )))
    }
}

fn check_advance_access(headers: &HeaderMap) -> Result<(), Status> {
    let advance = headers
        .get(ADVANCE_ACCESS_HEADER)
        .and_then(|v| v.to_str().ok());
    if advance != Some(ADVANCE_ACCESS_VALUE) {
        return Err(Status::failed_precondition(format!(
            "this is an advance-access API: send the header `{ADVANCE_ACCESS_HEADER}: {ADVANCE_ACCESS_VALUE}`"
        )));
    }
    Ok(())
}

/// A trusted identity provider's token used directly: allowed only where
/// the operator said so, acting for the linked user, with the token's
/// scopes narrowed to those the operator allows.
async fn external_caller(
    external: &ExternalIssuers,
    store: &Store,
    issuer: &str,
    token: &str,
) -> Result<Caller, Status> {
    let allowed = external.grpc_scopes(issuer).ok_or_else(|| {
        Status::unauthenticated(format!(
            "tokens from {issuer} are accepted only through token exchange at /oauth/token"
        ))
    })?;
    let refused = |err: ExternalError| match err {
        ExternalError::Unavailable => {
            Status::unavailable("cannot check the token right now; retry")
        }
        other => {
            debug!(error = %other, "external token refused");
            Status::unauthenticated(format!("the access token was refused: {other}"))
        }
    };
    let claims = external.verify(token).await.map_err(refused)?;
    external.check_issued_to(&claims).map_err(refused)?;
    let user = external.user_for(store, &claims).await.map_err(refused)?;
    Ok(Caller {
        user: Some(user),
        client_id: claims.client_id.clone(),
        scopes: claims
            .scopes
            .iter()
            .filter(|s| allowed.contains(s))
            .cloned()
            .collect(),
    })
}

/// Refuses one of our tokens revoked before it expired, or one whose client
/// has been revoked since.
pub(super) async fn still_valid(store: &Store, claims: &AccessClaims) -> Result<(), Status> {
    let unavailable = |err: crate::store::StoreError| {
        warn!(error = %err, "revocation check failed");
        Status::unavailable("cannot check the token right now; retry")
    };
    if store
        .is_access_token_revoked(&claims.jti, claims.fam.as_deref())
        .await
        .map_err(unavailable)?
    {
        return Err(Status::unauthenticated("the access token was revoked"));
    }
    let client = store
        .find_client(&claims.client_id)
        .await
        .map_err(unavailable)?;
    if client.is_none_or(|c| c.revoked_at.is_some()) {
        return Err(Status::unauthenticated(
            "the client this token was issued to is revoked",
        ));
    }
    Ok(())
}

fn bearer(headers: &HeaderMap) -> Result<&str, Status> {
    let value = headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| Status::unauthenticated("send `authorization: Bearer <access token>`"))?
        .to_str()
        .map_err(|_| Status::unauthenticated("the authorization header is not readable"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(Status::unauthenticated(
            "the authorization header must be `Bearer <access token>`",
        )),
    }
}

#[derive(Clone)]
pub struct AuthLayer {
    gate: Arc<Gate>,
}

impl AuthLayer {
    pub fn new(gate: Arc<Gate>) -> Self {
        Self { gate }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            gate: self.gate.clone(),
        }
    }
}

#[derive(Clone)]
pub struct AuthService<S> {
    inner: S,
    gate: Arc<Gate>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let path = request.uri().path().to_owned();
        if is_open(&path) {
            return Box::pin(self.inner.call(request));
        }
        // The service that was polled ready goes into the future; a fresh
        // clone stays for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = self.gate.clone();
        Box::pin(async move {
            match gate.admit(&path, request.headers()).await {
                Ok(caller) => {
                    request.extensions_mut().insert(caller);
                    inner.call(request).await
                }
                Err(status) => Ok(status.into_http()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_method_needs_a_known_scope() {
        assert_eq!(
            required_scope("/fhir_import.v1.ImportService/ImportDocuments"),
            Some("import:write")
        );
        assert_eq!(
            required_scope("/fhir_import.v1.ImportService/WatchImport"),
            Some("import:read")
        );
        assert_eq!(
            required_scope("/fhir_import.v1.FileService/ListFiles"),
            Some("files:read")
        );
        assert_eq!(
            required_scope("/fhir_import.v1.ProjectService/CreateProject"),
            Some("projects")
        );
        for method in ["PutSchema", "GetSchema", "ListSchemas"] {
            assert_eq!(
                required_scope(&format!("/fhir_import.v1.SchemaService/{method}")),
                Some("admin")
            );
        }
        assert_eq!(
            required_scope("/fhir_import.v1.FhirServerService/RegisterFhirServer"),
            Some("admin")
        );
        assert_eq!(
            required_scope("/fhir_import.v1.ImportService/DropEverything"),
            None
        );
        assert!(is_open("/grpc.health.v1.Health/Check"));
        assert!(is_open(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
        ));
        assert!(is_open("/oauth/token"));
        assert!(!is_open("/fhir_import.v1.FileService/GetFile"));
    }
}
