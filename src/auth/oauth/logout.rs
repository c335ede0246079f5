//! `POST /oauth/logout`: a page of this server (the dashboard) ends the
//! browser's sign-in session, so that its *Sign out* also signs the person
//! out of the sign-in pages (on a shared computer, the next person must
//! type a password). Ending the session revokes the logins bound to it.
//!
//! The request carries no form token: the page cannot read the session's.
//! It must come from this server's own pages instead, which browsers tell
//! with `Sec-Fetch-Site: same-origin`, or, for a browser that sends no
//! fetch metadata, an `Origin` that is the issuer's. Anything else is
//! refused, so that another site cannot sign people out.

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use tracing::{info, warn};

use super::kit::TokenService;
use super::session;

fn from_this_server(service: &TokenService, headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin";
    }
    let issuer_origin = url::Url::parse(&service.issuer_url)
        .map(|url| url.origin().ascii_serialization())
        .ok();
    matches!((text("origin"), issuer_origin), (Some(origin), Some(issuer)) if origin == issuer)
}

pub async fn logout(State(service): State<TokenService>, headers: HeaderMap) -> Response {
    if !from_this_server(&service, &headers) {
        return (
            StatusCode::FORBIDDEN,
            "signing out is for this server's own pages\n",
        )
            .into_response();
    }
    let current = match session::current(&service.store, &headers).await {
        Ok(current) => current,
        Err(err) => {
            warn!(error = %err, "sign-out failed to run");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(current) = current else {
        return StatusCode::NO_CONTENT.into_response();
    };
    match session::end(&service.store, &current).await {
        Ok(cleared) => {
            info!(user = %current.username, "signed out from a page of this server");
            let mut response = StatusCode::NO_CONTENT.into_response();
            response.headers_mut().insert(header::SET_COOKIE, cleared);
            response
        }
        Err(err) => {
            warn!(error = %err, "sign-out failed to run");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
