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
use tracing::debug;

use super::jwt::{TokenError, TokenVerifier};
use super::keys::KeyRing;
use super::Caller;

pub const ADVANCE_ACCESS_HEADER: &str = "x-sbg-advance-access";
pub const ADVANCE_ACCESS_VALUE: &str = "advance";

/// The scope each method of the API needs; a method not listed is refused.
fn required_scope(path: &str) -> Option<&'static str> {
    let (service, method) = path.trim_start_matches('/').split_once('/')?;
    Some(match (service, method) {
        ("fhir_import.v1.ImportService", "ImportDocuments" | "CancelImport") => "import:write",
        (
            "fhir_import.v1.ImportService",
            "WatchImport" | "GetImport" | "ListImports" | "ListImportItems",
        ) => "import:read",
        ("fhir_import.v1.FileService", "GetFile" | "ListFiles") => "files:read",
        ("fhir_import.v1.ProjectService", "CreateProject" | "GetProject" | "ListProjects") => {
            "projects"
        }
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
    /// Every call needs a token this server issued.
    Tokens {
        keys: Arc<KeyRing>,
        verifier: TokenVerifier,
    },
}

impl Gate {
    /// The verified caller of an API call, or the status that refuses it.
    fn admit(&self, path: &str, headers: &HeaderMap) -> Result<Caller, Status> {
        let caller = match self {
            Self::Local(caller) => caller.clone(),
            Self::Tokens { keys, verifier } => {
                let token = bearer(headers)?;
                let claims = verifier.verify(keys, token).map_err(|err| {
                    debug!(error = %err, "token refused");
                    unauthenticated(&err)
                })?;
                let advance = headers
                    .get(ADVANCE_ACCESS_HEADER)
                    .and_then(|v| v.to_str().ok());
                if advance != Some(ADVANCE_ACCESS_VALUE) {
                    return Err(Status::failed_precondition(format!(
                        "this is an advance-access API: send the header `{ADVANCE_ACCESS_HEADER}: {ADVANCE_ACCESS_VALUE}`"
                    )));
                }
                let user = (claims.sub != claims.client_id).then(|| claims.sub.clone());
                Caller {
                    user,
                    scopes: claims.scopes().map(str::to_owned).collect(),
                    client_id: Some(claims.client_id),
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
        Ok(caller)
    }
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

fn unauthenticated(err: &TokenError) -> Status {
    Status::unauthenticated(format!("the access token was refused: {err}"))
}

#[derive(Clone)]
pub struct AuthLayer {
    gate: Arc<Gate>,
}

impl AuthLayer {
    pub fn new(gate: Gate) -> Self {
        Self {
            gate: Arc::new(gate),
        }
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
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
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
        match self.gate.admit(&path, request.headers()) {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
                Box::pin(self.inner.call(request))
            }
            Err(status) => Box::pin(async move { Ok(status.into_http()) }),
        }
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
