//! User sign-up on the HTTP side: a small HTML page and a JSON endpoint at
//! the same address. Passwords are stored only as argon2 hashes. The form
//! carries a CSRF token (double submit); the JSON endpoint takes none, as a
//! page on another site cannot send a JSON body without the server's CORS
//! consent, which it never gives.

use axum::{
    body::Bytes,
    extract::{Extension, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    Json,
};
use serde_json::json;
use tracing::{info, warn};

use super::kit::TokenService;
use super::pages;
use super::session;
use crate::auth::accounts::{AccountError, MIN_PASSWORD_CHARS};
use crate::auth::throttle::retry_after_header;
use tonic::transport::server::TcpConnectInfo;

const CLOSED: &str = "sign-up is closed on this server; ask its operator for an account";

pub async fn show(State(service): State<TokenService>, headers: HeaderMap) -> Response {
    if !service.signup_open {
        return (
            StatusCode::NOT_FOUND,
            Html(pages::message("Sign up", CLOSED)),
        )
            .into_response();
    }
    form_page(&headers, StatusCode::OK, None, None)
}

/// The sign-up page with the browser's CSRF token (and the cookie that
/// carries it, for a browser that has none yet).
fn form_page(
    headers: &HeaderMap,
    status: StatusCode,
    problem: Option<&str>,
    done: Option<&str>,
) -> Response {
    let (csrf, new_cookie) = match session::pre_session_token(headers) {
        Ok(token) => token,
        Err(err) => {
            warn!(error = %err, "sign-up page failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(pages::message("Sign up", "try again later")),
            )
                .into_response();
        }
    };
    let mut response = (
        status,
        Html(pages::sign_up(&csrf, MIN_PASSWORD_CHARS, problem, done)),
    )
        .into_response();
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Creates a user from a form post (answering with a page) or a JSON body
/// (answering with JSON).
pub async fn create(
    State(service): State<TokenService>,
    connection: Option<Extension<TcpConnectInfo>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !service.signup_open {
        return answer(
            &headers,
            is_json,
            StatusCode::FORBIDDEN,
            "signup_closed",
            CLOSED,
        );
    }
    let from = super::kit::remote_address(connection);
    if let Err(wait) = service.throttles.signup(from) {
        let message = format!(
            "too many sign-ups from this address; try again in {} s",
            wait.seconds()
        );
        let mut response = answer(
            &headers,
            is_json,
            StatusCode::TOO_MANY_REQUESTS,
            "slow_down",
            &message,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after_header(wait));
        return response;
    }
    let fields: Option<(String, String)> = if is_json {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                Some((
                    v.get("username")?.as_str()?.to_owned(),
                    v.get("password")?.as_str()?.to_owned(),
                ))
            })
    } else {
        let mut username = None;
        let mut password = None;
        let mut csrf = String::new();
        for (key, value) in url::form_urlencoded::parse(&body) {
            match key.as_ref() {
                "username" => username = Some(value.into_owned()),
                "password" => password = Some(value.into_owned()),
                "csrf" => csrf = value.into_owned(),
                _ => {}
            }
        }
        // A form posted from another site: it cannot have the cookie's token.
        if !session::pre_session_accepts(&headers, &csrf) {
            let message = "This form has expired or did not come from this page. Load it again.";
            return form_page(&headers, StatusCode::FORBIDDEN, Some(message), None);
        }
        username.zip(password)
    };
    let Some((username, password)) = fields else {
        let message = "username and password are required";
        return answer(
            &headers,
            is_json,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            message,
        );
    };
    let _slot = match service.throttles.hashing(from) {
        Ok(slot) => slot,
        Err(wait) => {
            let message = format!(
                "too many sign-ups from this address at once; try again in {} s",
                wait.seconds()
            );
            let mut response = answer(
                &headers,
                is_json,
                StatusCode::TOO_MANY_REQUESTS,
                "slow_down",
                &message,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_header(wait));
            return response;
        }
    };
    match service
        .accounts
        .create_user(&username, Some(&password))
        .await
    {
        Ok(user) => {
            info!(user = %user.username, "user signed up");
            if is_json {
                (
                    StatusCode::CREATED,
                    Json(json!({"username": user.username, "created_at": user.created_at.to_rfc3339()})),
                )
                    .into_response()
            } else {
                form_page(&headers, StatusCode::CREATED, None, Some(&user.username))
            }
        }
        Err(AccountError::InvalidArgument(message)) => answer(
            &headers,
            is_json,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &message,
        ),
        Err(AccountError::AlreadyExists(_)) => answer(
            &headers,
            is_json,
            StatusCode::CONFLICT,
            "already_exists",
            "that username is taken",
        ),
        Err(err) => {
            warn!(error = %err, "sign-up failed to run");
            answer(
                &headers,
                is_json,
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again later",
            )
        }
    }
}

fn answer(
    headers: &HeaderMap,
    is_json: bool,
    status: StatusCode,
    code: &str,
    message: &str,
) -> Response {
    if is_json {
        (
            status,
            Json(json!({"error": code, "error_description": message})),
        )
            .into_response()
    } else {
        form_page(headers, status, Some(message), None)
    }
}
