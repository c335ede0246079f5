//! The authorization endpoint (RFC 6749 §4.1 with PKCE S256 required), as
//! two pages: signing in (once per browser session, see [`session`]), then
//! a consent page naming the portal, its owner, where the browser goes
//! back to and each scope in words, where the user allows or denies.
//! Allowing sends the browser back to the registered redirect URI with a
//! single-use code that lives one minute. Every form carries a CSRF token.

use std::collections::HashMap;

use std::net::IpAddr;

use axum::{
    body::Bytes,
    extract::{Extension, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use tracing::{info, warn};

use super::kit::TokenService;
use super::pages::{self, PortalView, ScopeView};
use super::session::{self, Session};
use crate::auth::pkce::{code_hash, is_valid_challenge};
use crate::auth::throttle::{retry_after_header, RetryAfter};
use crate::auth::{rights, secrets};
use crate::domain::account::{scope_words, DASHBOARD_CLIENT_ID};
use crate::store::{StoredClient, StoredCode};
use tonic::transport::server::TcpConnectInfo;

pub const CODE_LIFETIME_SECS: i64 = 60;

/// The request parameters, as received on GET and carried through the forms.
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

    fn fields(&self) -> [(&'static str, &str); 7] {
        [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ]
    }

    /// This request's page, to send the browser to after signing in or out.
    fn page_url(&self) -> String {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.fields().iter().filter(|(_, v)| !v.is_empty()))
            .finish();
        format!("/oauth/authorize?{query}")
    }
}

/// A request that cannot be trusted to redirect (unknown or revoked client,
/// redirect URI not registered), or a form that cannot be honoured: shown
/// as a page, never redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.11).
fn error_page(status: StatusCode, message: &str) -> Response {
    let mut response = (status, Html(pages::message("Cannot continue", message))).into_response();
    no_store(response.headers_mut());
    response
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
    if !redirect_allowed(
        &service.issuer_url,
        &client.redirect_uris,
        &request.redirect_uri,
    ) {
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

/// Whether `requested` is a redirect URI of the client. One registered as a
/// path (the built-in dashboard's `/ui/`) is on this server, at its issuer
/// URL exactly: the loopback rule of apps on a person's computer does not
/// stretch it to other ports.
fn redirect_allowed(issuer_url: &str, registered: &[String], requested: &str) -> bool {
    let (here, absolute): (Vec<&String>, Vec<&String>) =
        registered.iter().partition(|uri| uri.starts_with('/'));
    let base = issuer_url.trim_end_matches('/');
    here.iter().any(|path| format!("{base}{path}") == requested)
        || is_registered_redirect(
            &absolute.into_iter().cloned().collect::<Vec<_>>(),
            requested,
        )
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

/// A page of the flow as a response. Its forms' answers end in a redirect
/// to the portal, which a browser holds to the page's `form-action` as
/// well: the (validated) redirect URI's origin is allowed beside the
/// server's own.
fn form_response(status: StatusCode, page: String, request: &AuthorizeRequest) -> Response {
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    no_store(headers);
    let policy = pages::content_security_policy(redirect_source(&request.redirect_uri).as_deref());
    if let Ok(value) = HeaderValue::from_str(&policy) {
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

/// Where answering sends the browser, in words for the pages.
fn destination(redirect_uri: &str) -> String {
    let Ok(url) = url::Url::parse(redirect_uri) else {
        return redirect_uri.to_owned();
    };
    let host = url.host_str().unwrap_or_default();
    let with_port = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    match (url.scheme(), host) {
        ("http", "127.0.0.1" | "[::1]") => {
            format!("an app on this computer (such as the fhir-import command) at {with_port}")
        }
        ("http" | "https", _) => with_port,
        (scheme, _) => format!("the app that opens {scheme}: links"),
    }
}

fn portal_view<'a>(client: &'a StoredClient, destination: &'a str) -> PortalView<'a> {
    PortalView {
        name: &client.name,
        owner: &client.owner,
        destination,
    }
}

/// The sign-in page for `request`, with the browser's pre-session CSRF
/// token (set as a cookie when it has none yet).
fn sign_in_page(
    service: &TokenService,
    status: StatusCode,
    client: &StoredClient,
    request: &AuthorizeRequest,
    headers: &HeaderMap,
    username: &str,
    problem: Option<&str>,
) -> Response {
    let (csrf, new_cookie) = match session::pre_session_token(headers) {
        Ok(token) => token,
        Err(err) => return server_error(&err),
    };
    let destination = destination(&request.redirect_uri);
    let page = pages::sign_in(
        &portal_view(client, &destination),
        &request.fields(),
        &csrf,
        username,
        problem,
        service.signup_open,
    );
    let mut response = form_response(status, page, request);
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The consent page for a signed-in user: the scopes they would give, and
/// those asked for that their account cannot give (`admin`).
async fn consent_page(
    service: &TokenService,
    client: &StoredClient,
    scopes: &[String],
    request: &AuthorizeRequest,
    session: &Session,
) -> Response {
    let granted =
        match rights::within_rights(&service.store, &session.username, scopes.to_vec()).await {
            Ok(granted) => granted,
            Err(err) => return server_error(&err),
        };
    fn view(scope: &str) -> ScopeView<'_> {
        ScopeView {
            scope,
            words: scope_words(scope),
        }
    }
    let given: Vec<ScopeView<'_>> = granted.iter().map(|s| view(s)).collect();
    let withheld: Vec<ScopeView<'_>> = scopes
        .iter()
        .filter(|s| !granted.contains(s))
        .map(|s| view(s))
        .collect();
    let destination = destination(&request.redirect_uri);
    let page = pages::consent(
        &portal_view(client, &destination),
        &session.username,
        &given,
        &withheld,
        &request.fields(),
        &session.csrf_token(),
    );
    form_response(StatusCode::OK, page, request)
}

fn server_error(err: &dyn std::fmt::Display) -> Response {
    warn!(error = %err, "the authorization page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; try again later.",
    )
}

/// The browser's session, when it has one and its user still exists.
async fn signed_in(
    service: &TokenService,
    headers: &HeaderMap,
) -> Result<Option<Session>, Response> {
    let session = match session::current(&service.store, headers).await {
        Ok(session) => session,
        Err(err) => return Err(server_error(&err)),
    };
    let Some(session) = session else {
        return Ok(None);
    };
    match service.store.find_user(&session.username).await {
        Ok(Some(_)) => Ok(Some(session)),
        Ok(None) => Ok(None),
        Err(err) => Err(server_error(&err)),
    }
}

pub async fn show(
    State(service): State<TokenService>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let request = AuthorizeRequest::from_params(&params);
    let (client, scopes) = match validate(&service, &request).await {
        Ok(valid) => valid,
        Err(answer) => return answer,
    };
    match signed_in(&service, &headers).await {
        // The service's own dashboard asks nothing a signed-in user has not
        // already got: its code goes only to /ui/ on this server.
        Ok(Some(session)) if client.client_id == DASHBOARD_CLIENT_ID => {
            grant(&service, &client, scopes, &request, &session).await
        }
        Ok(Some(session)) => consent_page(&service, &client, &scopes, &request, &session).await,
        Ok(None) => sign_in_page(
            &service,
            StatusCode::OK,
            &client,
            &request,
            &headers,
            "",
            None,
        ),
        Err(answer) => answer,
    }
}

/// A form of the flow was posted: `step` says which button.
pub async fn decide(
    State(service): State<TokenService>,
    connection: Option<Extension<TcpConnectInfo>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let from = super::kit::remote_address(connection);
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let request = AuthorizeRequest::from_params(&params);
    let (client, scopes) = match validate(&service, &request).await {
        Ok(valid) => valid,
        Err(answer) => return answer,
    };
    let field = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let csrf = field("csrf");
    let stale = || {
        error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this page. Go back to the portal and start again.",
        )
    };
    match field("step") {
        "sign_in" | "cancel" if !session::pre_session_accepts(&headers, csrf) => stale(),
        "cancel" => redirect_error(&request, "access_denied", "the user cancelled signing in"),
        "sign_in" => {
            let (username, password) = (field("username"), field("password"));
            sign_in(
                &service, &client, &request, &headers, from, username, password,
            )
            .await
        }
        step @ ("allow" | "deny" | "sign_out") => {
            let session = match signed_in(&service, &headers).await {
                Ok(Some(session)) => session,
                Ok(None) => {
                    let problem = "Your sign-in has ended. Sign in again to continue.";
                    return sign_in_page(
                        &service,
                        StatusCode::UNAUTHORIZED,
                        &client,
                        &request,
                        &headers,
                        "",
                        Some(problem),
                    );
                }
                Err(answer) => return answer,
            };
            if !session.accepts(csrf) {
                return stale();
            }
            match step {
                "deny" => {
                    info!(client_id = %client.client_id, user = %session.username, "authorization denied");
                    redirect_error(&request, "access_denied", "the user denied the request")
                }
                "sign_out" => sign_out(&service, &request, &session).await,
                _ => grant(&service, &client, scopes, &request, &session).await,
            }
        }
        _ => error_page(
            StatusCode::BAD_REQUEST,
            "This form was sent without a choice. Go back and press a button.",
        ),
    }
}

/// The sign-in page again, refused for now: 429 with `Retry-After`.
fn throttled(
    service: &TokenService,
    client: &StoredClient,
    request: &AuthorizeRequest,
    headers: &HeaderMap,
    username: &str,
    wait: RetryAfter,
    problem: &str,
) -> Response {
    let problem = format!("{problem} Try again in {} seconds.", wait.seconds());
    let mut response = sign_in_page(
        service,
        StatusCode::TOO_MANY_REQUESTS,
        client,
        request,
        headers,
        username,
        Some(&problem),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, retry_after_header(wait));
    response
}

#[allow(clippy::too_many_arguments)]
async fn sign_in(
    service: &TokenService,
    client: &StoredClient,
    request: &AuthorizeRequest,
    headers: &HeaderMap,
    from: Option<IpAddr>,
    username: &str,
    password: &str,
) -> Response {
    if let Err(wait) = service.throttles.login(username) {
        info!(client_id = %client.client_id, "sign-in throttled");
        let problem = "Too many sign-in attempts for this account.";
        return throttled(service, client, request, headers, username, wait, problem);
    }
    let _slot = match service.throttles.hashing(from) {
        Ok(slot) => slot,
        Err(wait) => {
            info!(client_id = %client.client_id, "sign-in throttled: too many from one address at once");
            let problem = "Too many sign-ins from your address at once.";
            return throttled(service, client, request, headers, username, wait, problem);
        }
    };
    let user = match service.accounts.authenticate_user(username, password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            info!(client_id = %client.client_id, "sign-in refused");
            return sign_in_page(
                service,
                StatusCode::UNAUTHORIZED,
                client,
                request,
                headers,
                username,
                Some("Wrong username or password."),
            );
        }
        Err(err) => return server_error(&err),
    };
    let cookie = match session::start(&service.store, &user.username).await {
        Ok(cookie) => cookie,
        Err(err) => return server_error(&err),
    };
    info!(user = %user.username, "signed in");
    see_other(&request.page_url(), Some(cookie))
}

async fn sign_out(
    service: &TokenService,
    request: &AuthorizeRequest,
    session: &Session,
) -> Response {
    match session::end(&service.store, session).await {
        Ok(cleared) => {
            info!(user = %session.username, "signed out");
            see_other(&request.page_url(), Some(cleared))
        }
        Err(err) => server_error(&err),
    }
}

fn see_other(location: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    no_store(response.headers_mut());
    response
}

async fn grant(
    service: &TokenService,
    client: &StoredClient,
    scopes: Vec<String>,
    request: &AuthorizeRequest,
    session: &Session,
) -> Response {
    let username = session.username.as_str();
    let code = match secrets::new_secret() {
        Ok(code) => code,
        Err(err) => return server_error(&err),
    };
    let stored = StoredCode {
        client_id: client.client_id.clone(),
        username: username.to_owned(),
        redirect_uri: request.redirect_uri.clone(),
        scopes,
        code_challenge: request.code_challenge.clone(),
        expires_at: Utc::now() + Duration::seconds(CODE_LIFETIME_SECS),
        browser_session: Some(session.id_hash()),
    };
    if let Err(err) = service
        .store
        .insert_code(&code_hash(code.expose()), &stored)
        .await
    {
        return server_error(&err);
    }
    info!(client_id = %client.client_id, user = %username, "authorization granted");
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
