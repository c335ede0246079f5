//! Who a browser on the authorization pages is: a sign-in session held in
//! a cookie (`Secure`, `HttpOnly`, `SameSite=Lax`, gone when the browser
//! closes), and the CSRF tokens every form carries.
//!
//! - Before signing in, a form's token is a random value also set as a
//!   `SameSite=Strict` cookie (double submit): a page on another site can
//!   neither read it nor make the browser send it.
//! - Signed in, a form's token is derived from the session's secret, so it
//!   is good for that session only.
//!
//! The session is kept server-side by the SHA-256 of its secret; signing
//! out, or its 12 hours passing, ends it.

use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{Duration, Utc};
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq as _;

use crate::auth::pkce::code_hash;
use crate::auth::secrets;
use crate::store::{Store, StoreResult};

const SESSION_COOKIE: &str = "fhir_import_session";
const CSRF_COOKIE: &str = "fhir_import_csrf";
/// A session lasts at most this long, even in a browser left open.
pub const SESSION_LIFETIME_HOURS: i64 = 12;

/// A browser's sign-in, found from its cookie.
pub struct Session {
    pub username: String,
    secret: String,
}

impl Session {
    /// The CSRF token of this session's forms.
    pub fn csrf_token(&self) -> String {
        code_hash(&format!("csrf:{}", self.secret))
    }

    /// The session's id as the store keeps it (the hash of its secret):
    /// what a public client's tokens are bound to.
    pub fn id_hash(&self) -> String {
        code_hash(&self.secret)
    }

    pub fn accepts(&self, token: &str) -> bool {
        same(&self.csrf_token(), token)
    }
}

fn same(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .and_then(|cookie| cookie.value_raw())
        .filter(|value| !value.is_empty())
}

/// The browser's session, if it has one that is still good.
pub async fn current(store: &Store, headers: &HeaderMap) -> StoreResult<Option<Session>> {
    let Some(secret) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(store
        .browser_session_user(&code_hash(secret))
        .await?
        .map(|username| Session {
            username,
            secret: secret.to_owned(),
        }))
}

/// Starts a session for `username`; the `Set-Cookie` value to send.
pub async fn start(store: &Store, username: &str) -> Result<HeaderValue, SessionError> {
    let secret = secrets::new_secret().map_err(|_| SessionError::Random)?;
    let expires = Utc::now() + Duration::hours(SESSION_LIFETIME_HOURS);
    store
        .insert_browser_session(&code_hash(secret.expose()), username, expires)
        .await?;
    set_cookie(SESSION_COOKIE, secret.expose(), SameSite::Lax)
}

/// Ends the browser's session; the `Set-Cookie` value that clears it.
pub async fn end(store: &Store, session: &Session) -> Result<HeaderValue, SessionError> {
    store
        .end_browser_session(&code_hash(&session.secret))
        .await?;
    let mut gone = cookie(SESSION_COOKIE, "", SameSite::Lax);
    gone.make_removal();
    HeaderValue::from_str(&gone.to_string()).map_err(|_| SessionError::Random)
}

/// The token of a form shown before signing in: the browser's own, or a
/// new one with the cookie that carries it.
pub fn pre_session_token(
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), SessionError> {
    if let Some(token) = cookie_value(headers, CSRF_COOKIE) {
        return Ok((token.to_owned(), None));
    }
    let token = secrets::new_secret().map_err(|_| SessionError::Random)?;
    let cookie = set_cookie(CSRF_COOKIE, token.expose(), SameSite::Strict)?;
    Ok((token.expose().to_owned(), Some(cookie)))
}

/// Whether a form posted before signing in carries the browser's token.
pub fn pre_session_accepts(headers: &HeaderMap, token: &str) -> bool {
    cookie_value(headers, CSRF_COOKIE).is_some_and(|expected| same(expected, token))
}

/// Every cookie of these pages: for the whole server, https (or loopback)
/// only, out of scripts' reach. No Max-Age: it goes when the browser
/// session does.
fn cookie<'c>(name: &'c str, value: &'c str, same_site: SameSite) -> Cookie<'c> {
    Cookie::build((name, value))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(same_site)
        .build()
}

fn set_cookie(name: &str, value: &str, same_site: SameSite) -> Result<HeaderValue, SessionError> {
    let cookie = cookie(name, value, same_site);
    HeaderValue::from_str(&cookie.to_string()).map_err(|_| SessionError::Random)
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("no randomness for a session secret")]
    Random,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookies(cookies: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(cookies).unwrap());
        headers
    }

    #[test]
    fn a_pre_session_token_is_good_only_beside_its_own_cookie() {
        let (token, cookie) = pre_session_token(&HeaderMap::new()).unwrap();
        let cookie = cookie.expect("a new browser gets the cookie");
        let set = cookie.to_str().unwrap();
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(attribute), "{set}");
        }
        assert!(
            !set.contains("Max-Age"),
            "gone with the browser session: {set}"
        );
        let browser = with_cookies(&format!("other=1; {CSRF_COOKIE}={token}"));
        assert!(pre_session_accepts(&browser, &token));
        assert!(!pre_session_accepts(&browser, "a guess"));
        assert!(!pre_session_accepts(&HeaderMap::new(), &token));
        let (again, none) = pre_session_token(&browser).unwrap();
        assert_eq!((again, none), (token, None), "the browser keeps its token");
    }

    #[test]
    fn a_session_token_belongs_to_its_session() {
        let mine = Session {
            username: "ada".into(),
            secret: "one secret".into(),
        };
        let theirs = Session {
            username: "ada".into(),
            secret: "another secret".into(),
        };
        assert!(mine.accepts(&mine.csrf_token()));
        assert!(!mine.accepts(&theirs.csrf_token()));
        assert!(!mine.accepts(""));
    }
}
