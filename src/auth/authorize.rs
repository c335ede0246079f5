//! The authorization endpoint (RFC 6749 §4.1 with PKCE S256 required): a
//! page naming the portal and the scopes it asks for, where the user logs in
//! and allows or denies. Allowing sends the browser back to the registered
//! redirect URI with a single-use code that lives one minute.

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use tracing::{info, warn};

use super::pkce::{code_hash, is_valid_challenge};
use super::secrets;
use super::throttle::retry_after_header;
use super::token_endpoint::{TokenService, DEFAULT_CSP};
use crate::store::{StoredClient, StoredCode};

pub const CODE_LIFETIME_SECS: i64 = 60;

/// The request parameters, as received on GET and carried through the form.
#[derive(Debug, Clone, Default)]
struct AuthorizeRequest {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

impl AuthorizeRequest {
    fn from_params(p: &HashMap<String, String>) -> Self {
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        Self {
            response_type: get("response_type"),
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            scope: get("scope"),
            state: get("state"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
        }
    }

    fn hidden_fields(&self) -> String {
        [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ]
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                attr(value)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// A request that cannot be trusted to redirect (unknown client, redirect
/// URI not registered): shown as a page, never redirected (RFC 6749 §4.1.2.1).
fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><title>Authorization error</title><h1>Authorization error</h1><p>{}</p>",
        text(message)
    );
    (status, Html(body)).into_response()
}

/// An error sent back to the portal on its redirect URI.
fn redirect_error(request: &AuthorizeRequest, error: &str, description: &str) -> Response {
    let mut url = match url::Url::parse(&request.redirect_uri) {
        Ok(url) => url,
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "the redirect_uri is not a URL"),
    };
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("error", error);
        query.append_pair("error_description", description);
        if !request.state.is_empty() {
            query.append_pair("state", &request.state);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

/// Checks the request; `Err` is the answer to give.
async fn validate(
    service: &TokenService,
    request: &AuthorizeRequest,
) -> Result<(StoredClient, Vec<String>), Response> {
    let client = match service.accounts.find_client(&request.client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return Err(error_page(StatusCode::BAD_REQUEST, "unknown client_id")),
        Err(err) => {
            warn!(error = %err, "client look-up failed");
            return Err(error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "try again later",
            ));
        }
    };
    if !is_registered_redirect(&client.redirect_uris, &request.redirect_uri) {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "the redirect_uri is not one registered for this client",
        ));
    }
    if request.response_type != "code" {
        return Err(redirect_error(
            request,
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    if request.code_challenge_method != "S256" || !is_valid_challenge(&request.code_challenge) {
        return Err(redirect_error(
            request,
            "invalid_request",
            "PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256",
        ));
    }
    let scopes: Vec<String> = match request.scope.split_whitespace().collect::<Vec<_>>() {
        requested if requested.is_empty() => client.scopes.clone(),
        requested => requested.into_iter().map(str::to_owned).collect(),
    };
    if let Some(extra) = scopes.iter().find(|s| !client.scopes.contains(s)) {
        return Err(redirect_error(
            request,
            "invalid_scope",
            &format!("scope {extra} was never granted to this client"),
        ));
    }
    if scopes.is_empty() {
        return Err(redirect_error(
            request,
            "invalid_scope",
            "no scope to grant",
        ));
    }
    Ok((client, scopes))
}

/// Whether `requested` is one of the `registered` redirect URIs. A native
/// app's loopback IP redirect (`http://127.0.0.1/…`, `http://[::1]/…`)
/// matches on any port, since the app binds whatever port is free
/// (RFC 8252 §7.3); everything else must match exactly.
fn is_registered_redirect(registered: &[String], requested: &str) -> bool {
    if registered.iter().any(|r| r == requested) {
        return true;
    }
    let Ok(mut requested) = url::Url::parse(requested) else {
        return false;
    };
    let loopback_ip = |url: &url::Url| {
        url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1" | "[::1]"))
    };
    if !loopback_ip(&requested) || requested.set_port(None).is_err() {
        return false;
    }
    registered
        .iter()
        .filter_map(|r| url::Url::parse(r).ok())
        .filter(loopback_ip)
        .any(|mut r| r.set_port(None).is_ok() && r == requested)
}

fn consent_page(
    client: &StoredClient,
    scopes: &[String],
    request: &AuthorizeRequest,
    problem: Option<&str>,
) -> String {
    let scope_items: String = scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", text(s)))
        .collect();
    let problem = problem
        .map(|p| format!(r#"<p class="error" role="alert">{}</p>"#, text(p)))
        .unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Allow {name}?</title></head>
<body>
<h1>{name} asks to act for you on fhir-import</h1>
<p>It asks for:</p>
<ul>{scope_items}</ul>
{problem}
<form method="post" action="/oauth/authorize">
{hidden}
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>
</body></html>"#,
        name = text(&client.name),
        hidden = request.hidden_fields(),
    )
}

/// The consent form as a response. Submitting it ends in a redirect to the
/// portal, which a browser holds to the page's `form-action` as well: the
/// (validated) redirect URI's origin is allowed beside the server's own.
fn form_response(status: StatusCode, page: String, request: &AuthorizeRequest) -> Response {
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    no_store(headers);
    let policy = match redirect_source(&request.redirect_uri) {
        Some(source) => format!("frame-ancestors 'none'; form-action 'self' {source}"),
        None => DEFAULT_CSP.to_owned(),
    };
    if let Ok(value) = header::HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The CSP source that matches a redirect URI: its origin
/// (`https://portal.example.org`, `http://127.0.0.1:53127`), or its scheme
/// for a private-use scheme (`com.example.app:`).
fn redirect_source(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    let source = match url.origin() {
        origin @ url::Origin::Tuple(..) => origin.ascii_serialization(),
        url::Origin::Opaque(_) => format!("{}:", url.scheme()),
    };
    // An origin is made of a scheme, a host and a port; nothing in it can
    // end the directive, but the policy is a header, so be sure.
    source
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b';' && b != b',' && b != b'\'')
        .then_some(source)
}

pub async fn show(
    State(service): State<TokenService>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let request = AuthorizeRequest::from_params(&params);
    match validate(&service, &request).await {
        Ok((client, scopes)) => form_response(
            StatusCode::OK,
            consent_page(&client, &scopes, &request, None),
            &request,
        ),
        Err(answer) => answer,
    }
}

pub async fn decide(State(service): State<TokenService>, body: Bytes) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let request = AuthorizeRequest::from_params(&params);
    let (client, scopes) = match validate(&service, &request).await {
        Ok(valid) => valid,
        Err(answer) => return answer,
    };
    if params.get("decision").map(String::as_str) != Some("allow") {
        return redirect_error(&request, "access_denied", "the user denied the request");
    }
    let username = params.get("username").cloned().unwrap_or_default();
    let password = params.get("password").cloned().unwrap_or_default();
    if let Err(wait) = service.throttles.login(&username) {
        info!(client_id = %client.client_id, "sign-in throttled");
        let problem = format!(
            "Too many sign-in attempts for this account. Try again in {} seconds.",
            wait.seconds()
        );
        let page = consent_page(&client, &scopes, &request, Some(&problem));
        let mut response = form_response(StatusCode::TOO_MANY_REQUESTS, page, &request);
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, retry_after_header(wait));
        return response;
    }
    let user = match service
        .accounts
        .authenticate_user(&username, &password)
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => {
            info!(client_id = %client.client_id, "login refused");
            let page = consent_page(
                &client,
                &scopes,
                &request,
                Some("Wrong username or password."),
            );
            return form_response(StatusCode::UNAUTHORIZED, page, &request);
        }
        Err(err) => {
            warn!(error = %err, "login failed to run");
            return error_page(StatusCode::INTERNAL_SERVER_ERROR, "try again later");
        }
    };
    let code = match secrets::new_secret() {
        Ok(code) => code,
        Err(_) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "try again later"),
    };
    let stored = StoredCode {
        client_id: client.client_id.clone(),
        username: user.username.clone(),
        redirect_uri: request.redirect_uri.clone(),
        scopes,
        code_challenge: request.code_challenge.clone(),
        expires_at: Utc::now() + Duration::seconds(CODE_LIFETIME_SECS),
    };
    if let Err(err) = service
        .store
        .insert_code(&code_hash(code.expose()), &stored)
        .await
    {
        warn!(error = %err, "storing an authorization code failed");
        return error_page(StatusCode::INTERNAL_SERVER_ERROR, "try again later");
    }
    info!(client_id = %client.client_id, user = %user.username, "authorization granted");
    let mut url = match url::Url::parse(&request.redirect_uri) {
        Ok(url) => url,
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "the redirect_uri is not a URL"),
    };
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("code", code.expose());
        if !request.state.is_empty() {
            query.append_pair("state", &request.state);
        }
    }
    let mut response = Redirect::to(url.as_str()).into_response();
    no_store(response.headers_mut());
    response
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
}

#[cfg(test)]
mod tests {
    use super::{is_registered_redirect, redirect_source};

    #[test]
    fn the_form_may_send_the_browser_to_the_redirect_origin_only() {
        assert_eq!(
            redirect_source("https://portal.example.org/cb?x=1").as_deref(),
            Some("https://portal.example.org")
        );
        assert_eq!(
            redirect_source("http://127.0.0.1:53127/callback").as_deref(),
            Some("http://127.0.0.1:53127")
        );
        assert_eq!(
            redirect_source("com.example.app:/oauth").as_deref(),
            Some("com.example.app:")
        );
        assert_eq!(redirect_source("not a url"), None);
    }

    #[test]
    fn loopback_ip_redirects_match_on_any_port_and_nothing_else_does() {
        let registered = vec![
            "http://127.0.0.1/callback".to_owned(),
            "https://portal.example.org/cb".to_owned(),
        ];
        assert!(is_registered_redirect(
            &registered,
            "http://127.0.0.1/callback"
        ));
        assert!(is_registered_redirect(
            &registered,
            "http://127.0.0.1:53127/callback"
        ));
        assert!(is_registered_redirect(
            &registered,
            "https://portal.example.org/cb"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://127.0.0.1:53127/other"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://[::1]:53127/callback"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "https://portal.example.org:8443/cb"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "https://portal.example.org/cb?x=1"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://localhost:53127/callback"
        ));
        assert!(!is_registered_redirect(&registered, "not a url"));
    }
}
