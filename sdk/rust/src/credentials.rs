//! Where each call's bearer token comes from: a fixed token, a portal's
//! client credentials (fetched again before expiry), a user's refresh token
//! (rotated, each new one handed to the caller's store), or a provider of
//! the caller's own; and the token requests behind them (OAuth 2.0 through
//! the `oauth2` crate, against the service's `/oauth/token`).

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex as SyncMutex},
    time::{Duration, Instant},
};

use oauth2::{
    basic::{BasicClient, BasicTokenResponse},
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use tokio::sync::Mutex;

/// A boxed future, as token providers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Renew a token this long before it expires (unless told otherwise), so it
/// does not expire in flight.
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(60);

/// A token request that failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// The token endpoint answered with an OAuth 2.0 error.
    #[error("the token endpoint refused: {error}{}", if .description.is_empty() { String::new() } else { format!(": {}", .description) })]
    Refused { error: String, description: String },
    /// The request did not get an answer the SDK could use.
    #[error("the token request failed: {0}")]
    Failed(String),
    /// A token provider of the caller's failed.
    #[error("no access token: {0}")]
    Provider(String),
}

/// What the token endpoint answered.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: String,
    /// None when the grant gives none (client credentials).
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Instant,
    /// The scopes granted, space-separated.
    pub scope: String,
}

impl std::fmt::Debug for Tokens {
    // Tokens are secrets: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"…")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A portal as the token endpoint knows it.
#[derive(Clone)]
pub struct Portal {
    /// The service's base URL, e.g. `https://fhir-import.example.org`.
    pub server: String,
    pub client_id: String,
    /// None for a public client (sent as `client_id` in the body).
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for Portal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal")
            .field("server", &self.server)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Portal {
    pub fn new(server: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            server: server.into(),
            client_id: client_id.into(),
            client_secret: None,
        }
    }

    pub fn with_secret(mut self, client_secret: impl Into<String>) -> Self {
        self.client_secret = Some(client_secret.into());
        self
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.server.trim_end_matches('/'))
    }
}

/// Anything that yields the current token (None: send none).
pub trait TokenProvider: Send + Sync + 'static {
    fn token(&self) -> BoxFuture<'_, Result<Option<String>, TokenError>>;
}

/// The token source a client sends tokens from; cheap to clone.
#[derive(Clone)]
pub struct TokenSource(Arc<dyn TokenProvider>);

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSource")
    }
}

struct Fixed(Option<String>);

impl TokenProvider for Fixed {
    fn token(&self) -> BoxFuture<'_, Result<Option<String>, TokenError>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

impl TokenSource {
    /// No token: only the advance-access header is sent.
    pub fn none() -> Self {
        Self(Arc::new(Fixed(None)))
    }

    /// This token, on every call.
    pub fn fixed(token: impl Into<String>) -> Self {
        Self(Arc::new(Fixed(Some(token.into().trim().to_owned()))))
    }

    /// A portal's own token (client-credentials grant), fetched again
    /// `refresh_before` before it expires; concurrent calls share a fetch.
    pub fn client_credentials(
        portal: Portal,
        scopes: Vec<String>,
        refresh_before: Duration,
    ) -> Self {
        let fetch = move || {
            let portal = portal.clone();
            let scopes = scopes.clone();
            Box::pin(async move { client_credentials_tokens(&portal, &scopes).await })
                as BoxFuture<'static, Result<Tokens, TokenError>>
        };
        Self::renewing(fetch, refresh_before)
    }

    /// A user's tokens through `portal`, kept fresh with the refresh-token
    /// grant. Each refresh rotates the refresh token: `store` gets every new
    /// set of tokens and must persist its refresh token (a replayed one
    /// revokes the whole family).
    pub fn refresh_token(
        portal: Portal,
        refresh_token: impl Into<String>,
        store: impl Fn(&Tokens) + Send + Sync + 'static,
        refresh_before: Duration,
    ) -> Self {
        let current = Arc::new(SyncMutex::new(refresh_token.into()));
        let store = Arc::new(store);
        let fetch = move || {
            let portal = portal.clone();
            let current = Arc::clone(&current);
            let store = Arc::clone(&store);
            Box::pin(async move {
                let refresh = current
                    .lock()
                    .map_err(|_| TokenError::Failed("the refresh token store is poisoned".into()))?
                    .clone();
                let tokens = refresh_tokens(&portal, &refresh).await?;
                if let Some(next) = &tokens.refresh_token {
                    if let Ok(mut slot) = current.lock() {
                        slot.clone_from(next);
                    }
                }
                store(&tokens);
                Ok(tokens)
            }) as BoxFuture<'static, Result<Tokens, TokenError>>
        };
        Self::renewing(fetch, refresh_before)
    }

    /// Tokens from `fetch`, kept until `refresh_before` before they expire.
    pub fn renewing(
        fetch: impl Fn() -> BoxFuture<'static, Result<Tokens, TokenError>> + Send + Sync + 'static,
        refresh_before: Duration,
    ) -> Self {
        Self(Arc::new(Renewing {
            fetch: Box::new(fetch),
            refresh_before,
            current: Mutex::new(None),
        }))
    }

    /// Tokens from a provider of the caller's.
    pub fn from_provider(provider: impl TokenProvider) -> Self {
        Self(Arc::new(provider))
    }

    /// The token to send now.
    pub async fn token(&self) -> Result<Option<String>, TokenError> {
        self.0.token().await
    }
}

impl From<String> for TokenSource {
    fn from(token: String) -> Self {
        Self::fixed(token)
    }
}

impl From<&str> for TokenSource {
    fn from(token: &str) -> Self {
        Self::fixed(token)
    }
}

type Fetch = Box<dyn Fn() -> BoxFuture<'static, Result<Tokens, TokenError>> + Send + Sync>;

struct Renewing {
    fetch: Fetch,
    refresh_before: Duration,
    /// Held across a fetch, so that callers arriving meanwhile wait for it
    /// instead of fetching again.
    current: Mutex<Option<Tokens>>,
}

impl TokenProvider for Renewing {
    fn token(&self) -> BoxFuture<'_, Result<Option<String>, TokenError>> {
        Box::pin(async move {
            let mut current = self.current.lock().await;
            if let Some(tokens) = current.as_ref() {
                if Instant::now() + self.refresh_before < tokens.expires_at {
                    return Ok(Some(tokens.access_token.clone()));
                }
            }
            let tokens = (self.fetch)().await?;
            let token = tokens.access_token.clone();
            *current = Some(tokens);
            Ok(Some(token))
        })
    }
}

/// The start of an authorization-code flow: where to send the user's
/// browser, and what to keep (server side) for the exchange.
#[derive(Clone)]
pub struct AuthorizationRequest {
    pub url: String,
    /// The PKCE verifier: keep it for `exchange_code`, never in the browser.
    pub verifier: String,
    /// Compare with the `state` the user comes back with.
    pub state: String,
}

/// The authorization URL for a user to sign in and allow the portal, with
/// a fresh PKCE verifier (S256) and state.
pub fn authorization_request(
    portal: &Portal,
    redirect_uri: &str,
    scopes: &[&str],
) -> Result<AuthorizationRequest, TokenError> {
    let client = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_auth_uri(AuthUrl::new(portal.endpoint("/oauth/authorize")).map_err(unusable)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(unusable)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
        .set_pkce_challenge(challenge)
        .url();
    Ok(AuthorizationRequest {
        url: url.to_string(),
        verifier: verifier.secret().clone(),
        state: state.secret().clone(),
    })
}

/// Redeems the code the user came back with, with the request's verifier.
pub async fn exchange_code(
    portal: &Portal,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<Tokens, TokenError> {
    let client = oauth_client(portal)?
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(unusable)?);
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&http_client()?)
        .await
        .map_err(refused)?;
    Ok(tokens(&response, None))
}

/// A new set of tokens for a refresh token (which the answer rotates).
pub async fn refresh_tokens(portal: &Portal, refresh_token: &str) -> Result<Tokens, TokenError> {
    let response = oauth_client(portal)?
        .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
        .request_async(&http_client()?)
        .await
        .map_err(refused)?;
    Ok(tokens(&response, Some(refresh_token)))
}

/// The portal's own token (client-credentials grant).
pub async fn client_credentials_tokens(
    portal: &Portal,
    scopes: &[String],
) -> Result<Tokens, TokenError> {
    let response = oauth_client(portal)?
        .exchange_client_credentials()
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .request_async(&http_client()?)
        .await
        .map_err(refused)?;
    Ok(tokens(&response, None))
}

type TokenClient = BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn oauth_client(portal: &Portal) -> Result<TokenClient, TokenError> {
    let client = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_token_uri(TokenUrl::new(portal.endpoint("/oauth/token")).map_err(unusable)?);
    Ok(match &portal.client_secret {
        Some(secret) => client.set_client_secret(ClientSecret::new(secret.clone())),
        None => client.set_auth_type(AuthType::RequestBody),
    })
}

/// No redirects: a token response never redirects, and a redirect must not
/// carry credentials elsewhere.
fn http_client() -> Result<reqwest::Client, TokenError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| TokenError::Failed(format!("cannot build an HTTP client: {e}")))
}

fn tokens(response: &BasicTokenResponse, previous_refresh: Option<&str>) -> Tokens {
    let lifetime = response.expires_in().unwrap_or(Duration::from_secs(300));
    Tokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response
            .refresh_token()
            .map(|t| t.secret().clone())
            .or_else(|| previous_refresh.map(str::to_owned)),
        expires_at: Instant::now() + lifetime,
        scope: response
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
    }
}

fn unusable(err: impl std::fmt::Display) -> TokenError {
    TokenError::Failed(format!("the server URL cannot be used: {err}"))
}

fn refused<RE: std::error::Error + 'static>(
    err: RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> TokenError {
    match err {
        RequestTokenError::ServerResponse(answer) => TokenError::Refused {
            error: answer.error().to_string(),
            description: answer.error_description().cloned().unwrap_or_default(),
        },
        other => TokenError::Failed(crate::error::root_cause(&other)),
    }
}
