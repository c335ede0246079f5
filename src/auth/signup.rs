//! User sign-up on the HTTP side: a small HTML page and a JSON endpoint at
//! the same address. Passwords are stored only as argon2 hashes.

use axum::{
    body::Bytes,
    extract::{Extension, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    Json,
};
use html_escape::encode_text as text;
use serde_json::json;
use tracing::{info, warn};

use super::throttle::retry_after_header;
use super::token_endpoint::TokenService;
use crate::accounts::{AccountError, MIN_PASSWORD_CHARS};
use tonic::transport::server::TcpConnectInfo;

fn page(problem: Option<&str>, done: Option<&str>) -> String {
    let body = match done {
        Some(username) => format!(
            "<p role=\"status\">Account <strong>{}</strong> created. You can now allow portals to act for you.</p>",
            text(username)
        ),
        None => format!(
            r#"{problem}<form method="post" action="/signup">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password (at least {MIN_PASSWORD_CHARS} characters) <input name="password" type="password" autocomplete="new-password" required></label>
<button type="submit">Sign up</button>
</form>"#,
            problem = problem
                .map(|p| format!(r#"<p class="error" role="alert">{}</p>"#, text(p)))
                .unwrap_or_default(),
        ),
    };
    format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign up to fhir-import</title></head><body><h1>Sign up to fhir-import</h1>{body}</body></html>")
}

const CLOSED: &str = "sign-up is closed on this server; ask its operator for an account";

pub async fn show(State(service): State<TokenService>) -> Response {
    if !service.signup_open {
        return (StatusCode::NOT_FOUND, Html(closed_page())).into_response();
    }
    Html(page(None, None)).into_response()
}

fn closed_page() -> String {
    format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign up to fhir-import</title></head><body><h1>Sign up to fhir-import</h1><p>{}</p></body></html>", text(CLOSED))
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
        return answer(is_json, StatusCode::FORBIDDEN, "signup_closed", CLOSED);
    }
    let from = connection
        .and_then(|Extension(c)| c.remote_addr())
        .map(|a| a.ip());
    if let Err(wait) = service.throttles.signup(from) {
        let message = format!(
            "too many sign-ups from this address; try again in {} s",
            wait.seconds()
        );
        let mut response = answer(
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
        for (key, value) in url::form_urlencoded::parse(&body) {
            match key.as_ref() {
                "username" => username = Some(value.into_owned()),
                "password" => password = Some(value.into_owned()),
                _ => {}
            }
        }
        username.zip(password)
    };
    let Some((username, password)) = fields else {
        let message = "username and password are required";
        return answer(is_json, StatusCode::BAD_REQUEST, "invalid_request", message);
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
                (StatusCode::CREATED, Html(page(None, Some(&user.username)))).into_response()
            }
        }
        Err(AccountError::InvalidArgument(message)) => answer(
            is_json,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &message,
        ),
        Err(AccountError::AlreadyExists(_)) => answer(
            is_json,
            StatusCode::CONFLICT,
            "already_exists",
            "that username is taken",
        ),
        Err(err) => {
            warn!(error = %err, "sign-up failed to run");
            answer(
                is_json,
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again later",
            )
        }
    }
}

fn answer(is_json: bool, status: StatusCode, code: &str, message: &str) -> Response {
    if is_json {
        (
            status,
            Json(json!({"error": code, "error_description": message})),
        )
            .into_response()
    } else {
        (status, Html(page(Some(message), None))).into_response()
    }
}
