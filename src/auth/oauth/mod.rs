//! The authorization server's HTTP side, served on the gRPC port: the
//! token endpoint (RFC 6749) and server metadata (RFC 8414) with the JWKS,
//! the sign-up, sign-in and consent pages, client registration (RFC 7591),
//! revocation and introspection, and sign-out for this server's own pages.
//! Each route is a module; `kit` is what they share (the service state,
//! RFC 6749 errors, forms, client authentication). Secrets never reach a
//! log.

mod authorize;
mod grants;
pub mod kit;
mod logout;
mod pages;
mod registration;
mod revocation;
pub mod session;
mod signup;
mod token;

use axum::{
    http::{header, HeaderValue},
    response::Response,
    routing::{get, post},
    Router,
};

pub use kit::TokenService;

pub fn router(service: TokenService) -> Router {
    Router::new()
        .route("/oauth/token", post(token::token))
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::decide),
        )
        .route("/oauth/logout", post(logout::logout))
        .route("/signup", get(signup::show).post(signup::create))
        .route("/oauth/register", post(registration::register))
        .route("/oauth/revoke", post(revocation::revoke))
        .route("/oauth/introspect", post(revocation::introspect))
        .route(
            "/.well-known/oauth-authorization-server",
            get(token::metadata),
        )
        .route("/.well-known/jwks.json", get(token::jwks))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(service)
}

/// Pages that take passwords must not be framed by other sites
/// (clickjacking), and nothing here is to be sniffed as another type. A
/// page that sets its own policy (the authorization form, whose answer
/// redirects to the portal) keeps it.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&pages::content_security_policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
