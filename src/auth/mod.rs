//! Who is calling. Every RPC handler reads the verified caller from the
//! request extensions; the layer in front of the services puts it there.
//!
//! With `auth.require_tokens` off, the layer identifies every caller as the
//! one local operator configured in `auth.local_user`.

pub mod accounts;
pub mod bearer;
pub mod external;
pub mod jwt;
pub mod keys;
pub mod layer;
pub mod oauth;
pub mod operator;
pub mod pkce;
pub mod purge;
pub mod rights;
pub mod secrets;
pub mod signing;
pub mod throttle;

use tonic::{Request, Status};

use crate::domain::account::SCOPES;

/// A verified caller: the user the call acts for (none for a portal's own
/// client-credentials token), the OAuth client making it, and the scopes
/// its token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user: Option<String>,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
}

impl Caller {
    /// The operator of a server that does not require tokens: one user with
    /// every scope.
    pub fn local(user: impl Into<String>) -> Self {
        Self {
            user: Some(user.into()),
            client_id: None,
            scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The operator acting through the configuration file: every scope,
    /// for no user.
    pub fn operator() -> Self {
        Self {
            user: None,
            client_id: None,
            scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
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
