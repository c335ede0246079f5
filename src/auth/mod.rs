//! Who is calling. Every RPC handler reads the verified caller from the
//! request extensions; the layer in front of the services puts it there.
//!
//! Until OAuth 2.0 lands, the layer identifies every caller as the one local
//! operator configured in `auth.local_user`.

pub mod authorize;
pub mod jwt;
pub mod keys;
pub mod pkce;
pub mod secrets;
pub mod signing;
pub mod token_endpoint;

use tonic::{Request, Status};

/// A verified caller: the user the call acts for, and the OAuth client
/// (portal) making it, when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user: String,
    pub client_id: Option<String>,
}

impl Caller {
    pub fn user(user: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            client_id: None,
        }
    }

    /// The caller of a request that passed the auth layer.
    pub fn of<T>(request: &Request<T>) -> Result<Self, Status> {
        request
            .extensions()
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Status::unauthenticated("this call carries no verified identity"))
    }
}

/// The interceptor that attaches the caller to every request.
#[derive(Clone)]
pub struct LocalIdentity {
    caller: Caller,
}

impl LocalIdentity {
    pub fn new(user: impl Into<String>) -> Self {
        Self {
            caller: Caller::user(user),
        }
    }
}

impl tonic::service::Interceptor for LocalIdentity {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request.extensions_mut().insert(self.caller.clone());
        Ok(request)
    }
}
