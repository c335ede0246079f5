//! Accounts: users, the portals (OAuth clients) that act for them, and who
//! may use which project. Used by `fhir-import admin`, the sign-up and
//! sign-in pages and the OAuth endpoints.

use crate::auth::secrets::{self, Secret, SecretError};
use crate::domain::project::Project;
use crate::domain::{
    account::{parse_scopes, Role, Username},
    project::ProjectRef,
};
use crate::store::{NewClient, Store, StoreError, StoredClient, StoredUser};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(msg) => Self::AlreadyExists(msg),
            other => Self::Store(other),
        }
    }
}

#[derive(Clone)]
pub struct Accounts {
    store: Store,
}

impl Accounts {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub async fn create_user(
        &self,
        username: &str,
        password: Option<&str>,
    ) -> Result<StoredUser, AccountError> {
        let username = Username::parse(username).map_err(AccountError::InvalidArgument)?;
        let password_hash = match password {
            Some(password) => {
                check_password(password)?;
                Some(hash_password(password).await?)
            }
            None => None,
        };
        Ok(self.store.create_user(&username, password_hash).await?)
    }

    /// Grants or takes back the platform admin role (the right to the
    /// `admin` scope).
    pub async fn set_admin(&self, username: &str, is_admin: bool) -> Result<(), AccountError> {
        let username = Username::parse(username).map_err(AccountError::InvalidArgument)?;
        match self
            .store
            .set_user_admin(username.as_str(), is_admin)
            .await?
        {
            true => Ok(()),
            false => Err(AccountError::NotFound(format!("user {username}"))),
        }
    }

    /// Registers a portal; its secret is returned once and kept only hashed.
    pub async fn create_client(
        &self,
        name: &str,
        owner: &str,
        redirect_uris: &[String],
        scopes: &[String],
    ) -> Result<(StoredClient, Secret), AccountError> {
        let secret = secrets::new_secret()?;
        let mut client = self.new_client(name, owner, redirect_uris, scopes).await?;
        client.secret_hash = Some(secrets::digest(secret.expose()));
        Ok((self.store.create_client(client).await?, secret))
    }

    /// Registers a public client (a browser or native app that can keep no
    /// secret): it signs users in by authorization code with PKCE, and
    /// nothing else, so it needs a redirect URI.
    pub async fn create_public_client(
        &self,
        name: &str,
        owner: &str,
        redirect_uris: &[String],
        scopes: &[String],
    ) -> Result<StoredClient, AccountError> {
        if redirect_uris.is_empty() {
            return Err(AccountError::InvalidArgument(
                "redirect_uris: a public client signs users in, so it needs at least one".into(),
            ));
        }
        let client = self.new_client(name, owner, redirect_uris, scopes).await?;
        Ok(self.store.create_client(client).await?)
    }

    /// A client checked and ready to store, with no secret yet.
    async fn new_client(
        &self,
        name: &str,
        owner: &str,
        redirect_uris: &[String],
        scopes: &[String],
    ) -> Result<NewClient, AccountError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AccountError::InvalidArgument(
                "name: 1 to 200 characters".into(),
            ));
        }
        let owner = Username::parse(owner).map_err(AccountError::InvalidArgument)?;
        if self.store.find_user(owner.as_str()).await?.is_none() {
            return Err(AccountError::NotFound(format!("user {owner}")));
        }
        for (i, uri) in redirect_uris.iter().enumerate() {
            check_redirect_uri(uri).map_err(|why| {
                AccountError::InvalidArgument(format!("redirect_uris[{i}]: {why}"))
            })?;
        }
        let scopes = parse_scopes(scopes.iter().map(String::as_str))
            .map_err(AccountError::InvalidArgument)?;
        Ok(NewClient {
            client_id: secrets::random_id("fic_")?,
            name: name.to_owned(),
            owner,
            secret_hash: None,
            redirect_uris: redirect_uris.to_vec(),
            scopes,
        })
    }

    /// A single-use token that lets a portal register itself for `owner`
    /// (RFC 7591), valid for `hours`.
    pub async fn issue_initial_access_token(
        &self,
        owner: &str,
        hours: u32,
    ) -> Result<(Secret, chrono::DateTime<chrono::Utc>), AccountError> {
        let owner = Username::parse(owner).map_err(AccountError::InvalidArgument)?;
        if !(1..=24 * 30).contains(&hours) {
            return Err(AccountError::InvalidArgument(
                "hours: between 1 and 720".into(),
            ));
        }
        if self.store.find_user(owner.as_str()).await?.is_none() {
            return Err(AccountError::NotFound(format!("user {owner}")));
        }
        let token = secrets::new_secret()?;
        let expires_at = chrono::Utc::now() + chrono::Duration::hours(i64::from(hours));
        self.store
            .insert_initial_access_token(
                &crate::auth::pkce::code_hash(token.expose()),
                owner.as_str(),
                expires_at,
            )
            .await?;
        Ok((token, expires_at))
    }

    /// A new secret for a client; the old one stops working at once.
    pub async fn rotate_secret(&self, client_id: &str) -> Result<Secret, AccountError> {
        if self
            .store
            .find_client(client_id)
            .await?
            .is_some_and(|c| c.is_public())
        {
            return Err(AccountError::InvalidArgument(format!(
                "client {client_id} is public: it has no secret to rotate"
            )));
        }
        let secret = secrets::new_secret()?;
        match self
            .store
            .set_client_secret(client_id, &secrets::digest(secret.expose()))
            .await?
        {
            true => Ok(secret),
            false => Err(AccountError::NotFound(format!("client {client_id}"))),
        }
    }

    /// Revokes a client: it gets no more tokens, and its tokens stop working.
    pub async fn revoke_client(&self, client_id: &str) -> Result<(), AccountError> {
        match self.store.revoke_client(client_id).await? {
            true => Ok(()),
            false => Err(AccountError::NotFound(format!("client {client_id}"))),
        }
    }

    /// Gives a user a role in a project (replacing an earlier one).
    pub async fn add_member(
        &self,
        project: &str,
        username: &str,
        role: &str,
    ) -> Result<(Project, Role), AccountError> {
        let reference = ProjectRef::parse(project).map_err(AccountError::InvalidArgument)?;
        let role = Role::parse(role).map_err(AccountError::InvalidArgument)?;
        let username = Username::parse(username).map_err(AccountError::InvalidArgument)?;
        let project = self
            .store
            .find_project(&reference)
            .await?
            .ok_or_else(|| AccountError::NotFound(format!("project {}", project.trim())))?;
        if self.store.find_user(username.as_str()).await?.is_none() {
            return Err(AccountError::NotFound(format!("user {username}")));
        }
        self.store.set_member(&project.id, &username, role).await?;
        Ok((project, role))
    }
}

impl Accounts {
    /// The client whose id and secret these are, if it is not revoked.
    /// Client ids are public; an unknown one costs a look-up and nothing
    /// more, a known one a SHA-256 (an argon2 hash for a client registered
    /// before digests, within the hashing cap).
    pub async fn authenticate_client(
        &self,
        client_id: &str,
        secret: &str,
    ) -> Result<Option<StoredClient>, AccountError> {
        let Some(client) = self.store.find_client(client_id).await? else {
            return Ok(None);
        };
        // A public client has no secret; whatever is sent as one fails.
        let Some(hash) = client.secret_hash.clone() else {
            return Ok(None);
        };
        let matches = match secrets::is_digest(&hash) {
            true => secrets::verify_digest(secret, &hash),
            false => verify_or_decoy(secret, Some(hash)).await?,
        };
        Ok(Some(client).filter(|c| matches && c.revoked_at.is_none()))
    }
}

impl Accounts {
    /// The user with this name and password, if both are right. Unknown
    /// names cost the same hashing as known ones.
    pub async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<StoredUser>, AccountError> {
        let user = self.store.find_user(username).await?;
        let matches = verify_or_decoy(
            password,
            user.as_ref().and_then(|u| u.password_hash.clone()),
        )
        .await?;
        Ok(user.filter(|u| matches && u.password_hash.is_some()))
    }

    pub async fn find_client(&self, client_id: &str) -> Result<Option<StoredClient>, AccountError> {
        Ok(self
            .store
            .find_client(client_id)
            .await?
            .filter(|c| c.revoked_at.is_none()))
    }
}

/// Checks `secret` against `stored_hash` off the async threads (argon2 is
/// slow on purpose). Without a stored hash it checks against a decoy, so
/// response times do not tell which names exist; that never matches.
async fn verify_or_decoy(secret: &str, stored_hash: Option<String>) -> Result<bool, AccountError> {
    let known = stored_hash.is_some();
    let hash = match stored_hash {
        Some(hash) => hash,
        None => decoy_hash()?,
    };
    let secret = secret.to_owned();
    let _permit = hashing_permit().await;
    let matches = tokio::task::spawn_blocking(move || secrets::verify(&secret, &hash))
        .await
        .unwrap_or(false);
    Ok(known && matches)
}

/// An argon2 hash of a new password, off the async threads.
async fn hash_password(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    let _permit = hashing_permit().await;
    tokio::task::spawn_blocking(move || secrets::hash(&password))
        .await
        .map_err(|_| AccountError::Secret(secrets::SecretError::Hash))?
        .map_err(AccountError::from)
}

/// Password hashing is slow on purpose and runs on unauthenticated
/// requests (sign-in, sign-up): at most one per core at a time, however
/// many strangers ask; the rest wait their turn instead of taking the CPU.
async fn hashing_permit() -> Option<tokio::sync::SemaphorePermit<'static>> {
    static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores.max(1))
    });
    HASHING.acquire().await.ok()
}

/// A hash to verify against when no account has the given name.
fn decoy_hash() -> Result<String, AccountError> {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(hash) = DECOY.get() {
        return Ok(hash.clone());
    }
    let hash = secrets::hash(secrets::new_secret()?.expose())?;
    Ok(DECOY.get_or_init(|| hash).clone())
}

fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::InvalidArgument(format!(
            "password: at least {MIN_PASSWORD_CHARS} characters and at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Redirect URIs are absolute, without fragments, and use https except on
/// the loopback interface (RFC 8252 native apps).
fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URL ({e})"))?;
    if parsed.fragment().is_some() {
        return Err(format!("{uri:?} must not have a fragment"));
    }
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "{uri:?} must use https (http only on 127.0.0.1, [::1] or localhost)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn client_secrets_verify_as_digests_and_as_older_argon2_hashes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        let store = Store::connect(&url, 1).await.expect("store");
        let accounts = Accounts::new(store.clone());
        accounts.create_user("ada", None).await.expect("user");
        let (client, secret) = accounts
            .create_client("p", "ada", &[], &["projects".to_owned()])
            .await
            .expect("client");
        let id = client.client_id.as_str();
        let found = accounts.authenticate_client(id, secret.expose()).await;
        assert!(found.expect("ran").is_some());
        assert!(accounts
            .authenticate_client(id, "wrong")
            .await
            .expect("ran")
            .is_none());
        assert!(accounts
            .authenticate_client("fic_nobody", secret.expose())
            .await
            .expect("ran")
            .is_none());
        // A client registered when secrets were argon2-hashed still signs in.
        let legacy = secrets::hash(secret.expose()).expect("hash");
        store.set_client_secret(id, &legacy).await.expect("store");
        let found = accounts.authenticate_client(id, secret.expose()).await;
        assert!(found.expect("ran").is_some());
        assert!(accounts
            .authenticate_client(id, "wrong")
            .await
            .expect("ran")
            .is_none());
    }

    #[test]
    fn redirect_uris_follow_oauth_rules() {
        assert!(check_redirect_uri("https://portal.example.org/callback").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1:8912/callback").is_ok());
        assert!(check_redirect_uri("http://portal.example.org/callback").is_err());
        assert!(check_redirect_uri("https://portal.example.org/cb#frag").is_err());
        assert!(check_redirect_uri("/relative").is_err());
    }

    #[test]
    fn passwords_have_a_floor() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
    }
}
