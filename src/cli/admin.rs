//! `fhir-import admin …`: bootstrapping accounts straight in the store that
//! `serve` uses (same configuration), and rolling its schema back for an
//! older release, printing JSON.

use std::{io::Write, path::PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use super::error::CliError;
use crate::auth::accounts::Accounts;
use crate::auth::{
    jwt::TokenIssuer,
    operator,
    signing::{load_key_ring, rotate_signing_key},
};
use crate::config::{Config, Overrides};
use crate::domain::account::Username;
use crate::store::{Store, StoreError};

/// Bootstrap accounts in the store `serve` uses, or roll its schema back
/// (prints JSON).
#[derive(Args, Debug)]
pub struct AdminArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// Where the store is and who issues tokens: the same settings `serve`
/// reads, and the same flags.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreArgs {
    /// TOML configuration file, as for `serve`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// sqlite://PATH or postgres://…, as for `serve`.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// The server's listen address, as for `serve` (tokens name it as
    /// their issuer unless [auth] issuer is set).
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// The issuer of tokens, as `[auth] issuer` (the server's public URL).
    #[arg(long, global = true, value_name = "URL")]
    pub issuer: Option<String>,
    /// Create the store if there is none (by default a missing SQLite file
    /// is an error: it means other settings, or another folder, than the
    /// server's).
    #[arg(long, global = true)]
    pub create: bool,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a user.
    CreateUser {
        /// Lowercase letters, digits, '-', '_' and '.'.
        username: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
        /// Make the user a platform admin (may hold the `admin` scope).
        #[arg(long)]
        admin: bool,
    },
    /// Make a user a platform admin: their tokens may carry `admin`.
    GrantAdmin {
        /// The user's name.
        username: String,
    },
    /// Take the platform admin role back; works on the user's next call.
    RevokeAdmin {
        /// The user's name.
        username: String,
    },
    /// Register a portal (OAuth client); prints its client_id and, once,
    /// its client_secret.
    CreateClient {
        /// The portal's name, shown on the consent page.
        #[arg(long)]
        name: String,
        /// The user who owns the registration.
        #[arg(long)]
        owner: String,
        /// Where the authorization code flow may send the user back;
        /// repeatable.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// import:write, import:read, files:read, projects, clients or
        /// admin; repeatable.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// A public client: no secret (an app in a browser or on a
        /// person's computer, such as `fhir-import login`); it signs users
        /// in with PKCE and needs a --redirect-uri.
        #[arg(long)]
        public: bool,
    },
    /// Give a client a new secret (printed once); the old one stops working.
    RotateClientSecret {
        /// The client's id.
        client_id: String,
    },
    /// Revoke a client: no new tokens, and its tokens stop working.
    RevokeClient {
        /// The client's id.
        client_id: String,
    },
    /// Issue a single-use token a portal registers itself with (POST
    /// /oauth/register).
    IssueInitialAccessToken {
        /// The user who will own the registered client.
        #[arg(long)]
        owner: String,
        /// How long the token stays valid.
        #[arg(long, default_value_t = 24)]
        hours: u32,
    },
    /// Issue an access token for a user through a client, as the code flow
    /// would (prints JSON with access_token); for scripts and first steps.
    IssueToken {
        /// The user the token acts for.
        #[arg(long)]
        user: String,
        /// The client (portal) the token is issued to.
        #[arg(long = "client", value_name = "CLIENT_ID")]
        client_id: String,
        /// Scopes, within the client's; repeatable (default: all of them).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// Print only the access token (for `export FHIR_IMPORT_TOKEN=$(…)`).
        #[arg(long)]
        print_token: bool,
    },
    /// Link a trusted identity provider's subject to a user (token exchange
    /// and direct external tokens then act as that user).
    LinkIdentity {
        /// The provider's issuer, as in auth.external_issuers.
        #[arg(long)]
        issuer: String,
        /// The `sub` of the provider's tokens.
        #[arg(long)]
        subject: String,
        /// The user it acts as.
        #[arg(long)]
        user: String,
    },
    /// Create a new token signing key and retire the ones in use; tokens
    /// they signed verify until they expire.
    RotateSigningKey,
    /// Roll the store's schema back to where it stood right after the
    /// migration --to, so that an older release can run on it again. Stop
    /// every replica first; then start the older release.
    MigrateDown {
        /// The last migration to keep: the newest the older release knows,
        /// which it names when it refuses the store.
        #[arg(long, value_name = "MIGRATION")]
        to: String,
    },
    /// Give a user a role (admin, write or read) in a project.
    AddMember {
        /// The project's id or owner/name slug.
        project: String,
        /// The user's name.
        username: String,
        /// admin, write or read.
        role: String,
    },
}

impl AdminArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let store = self.store;
        match self.command {
            AdminCommand::CreateUser {
                username,
                password_stdin,
                admin,
            } => {
                let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
                let new = NewUser {
                    username: &username,
                    password_stdin,
                    admin,
                };
                create_user(store, new, &mut stdin, out).await
            }
            AdminCommand::GrantAdmin { username } => set_admin(store, &username, true, out).await,
            AdminCommand::RevokeAdmin { username } => set_admin(store, &username, false, out).await,
            AdminCommand::CreateClient {
                name,
                owner,
                redirect_uris,
                scopes,
                public,
            } => {
                let client = NewClientArgs {
                    name: &name,
                    owner: &owner,
                    redirect_uris: &redirect_uris,
                    scopes: &scopes,
                    public,
                };
                create_client(store, client, out).await
            }
            AdminCommand::AddMember {
                project,
                username,
                role,
            } => add_member(store, &project, &username, &role, out).await,
            AdminCommand::RotateClientSecret { client_id } => {
                rotate_client_secret(store, &client_id, out).await
            }
            AdminCommand::RevokeClient { client_id } => revoke_client(store, &client_id, out).await,
            AdminCommand::RotateSigningKey => rotate_signing_key_command(store, out).await,
            AdminCommand::LinkIdentity {
                issuer,
                subject,
                user,
            } => link_identity(store, &issuer, &subject, &user, out).await,
            AdminCommand::IssueToken {
                user,
                client_id,
                scopes,
                print_token,
            } => issue_token(store, &user, &client_id, &scopes, print_token, out).await,
            AdminCommand::IssueInitialAccessToken { owner, hours } => {
                issue_initial_access_token(store, &owner, hours, out).await
            }
            AdminCommand::MigrateDown { to } => migrate_down(store, &to, out).await,
        }
    }
}

async fn accounts(args: StoreArgs) -> Result<Accounts, CliError> {
    let (_, store) = open(args).await?;
    Ok(Accounts::new(store))
}

/// Rolls the schema back without migrating it up first, as opening the
/// store would.
async fn migrate_down(args: StoreArgs, to: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let config = settings(&args)?;
    eprintln!(
        "admin: store {}",
        crate::telemetry::redact_url(&config.database_url)
    );
    // A server still running on a SQLite store would go on with tables
    // that no longer fit it: none may, while this runs.
    let _serving = crate::store::ProcessLock::acquire(&config.database_url)
        .map_err(|e| CliError::Startup(format!("cannot roll the schema back: {e}")))?;
    let undone = crate::store::migrate_down_to(&config.database_url, to)
        .await
        .map_err(|e| CliError::Startup(format!("cannot roll the schema back: {e}")))?;
    print(out, json!({ "undone": undone, "now_at": to }))
}

/// The configuration `serve` would read; an error when it names a SQLite
/// store that is not there, unless told to create one.
fn settings(args: &StoreArgs) -> Result<Config, CliError> {
    let config = Config::load(
        args.config.as_deref(),
        Overrides {
            listen: args.listen,
            database_url: args.database_url.clone(),
            auth: None,
        }
        .with_issuer(args.issuer.clone()),
    )
    .map_err(CliError::Startup)?;
    if let Some(path) = crate::store::sqlite_file(&config.database_url) {
        if !path.exists() && !args.create {
            return Err(CliError::Startup(format!(
                "there is no store at {}: run admin with the server's own settings (the same \
                 --config or --database-url, from the same folder), or pass --create to start \
                 a new one",
                path.display()
            )));
        }
    }
    Ok(config)
}

/// The configuration `serve` would read, and its store.
async fn open(args: StoreArgs) -> Result<(Config, Store), CliError> {
    let config = settings(&args)?;
    let issuer = config.auth.issuer_url(config.listen);
    eprintln!(
        "admin: store {}; tokens issued as {issuer}",
        crate::telemetry::redact_url(&config.database_url),
    );
    if let Some(hint) = issuer_hint(
        &config.auth.issuer,
        &issuer,
        std::env::var("FHIR_IMPORT_SERVER").ok().as_deref(),
    ) {
        eprintln!("{hint}");
    }
    let store = Store::connect(&config.database_url, 2)
        .await
        .map_err(|e| CliError::Startup(format!("cannot open the store: {e}")))?;
    Ok((config, store))
}

/// When the issuer comes from the listen address and the client commands
/// are pointed at another server, the tokens will be refused there: say
/// so before anyone finds out.
fn issuer_hint(configured: &str, issuer: &str, client_server: Option<&str>) -> Option<String> {
    let given = client_server?.trim();
    if !configured.is_empty() || given.is_empty() {
        return None;
    }
    // Normalized as the client commands normalize --server.
    let server = super::Server::new(given);
    let server = server.url();
    (server != issuer).then(|| {
        format!(
            "admin: note: FHIR_IMPORT_SERVER is {server}, but tokens name {issuer} (the \
             default listen address); a server at {server} refuses them unless admin gets its \
             settings: --listen (FHIR_IMPORT__LISTEN), or --issuer"
        )
    })
}

fn print(out: &mut dyn Write, value: serde_json::Value) -> Result<(), CliError> {
    writeln!(out, "{value:#}")?;
    Ok(())
}

/// Reads the password from the first line of `input` (without its line end).
async fn read_password(input: &mut (dyn AsyncBufRead + Unpin + Send)) -> Result<String, CliError> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .await
        .map_err(|e| CliError::Input(format!("cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(CliError::Input(
            "--password-stdin: no password on stdin".into(),
        ));
    }
    Ok(password)
}

/// What `admin create-user` was asked for.
struct NewUser<'a> {
    pub username: &'a str,
    pub password_stdin: bool,
    pub admin: bool,
}

async fn create_user(
    args: StoreArgs,
    new: NewUser<'_>,
    input: &mut (dyn AsyncBufRead + Unpin + Send),
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let password = match new.password_stdin {
        true => Some(read_password(input).await?),
        false => None,
    };
    let accounts = accounts(args).await?;
    let user = accounts
        .create_user(new.username, password.as_deref())
        .await?;
    if new.admin {
        accounts.set_admin(&user.username, true).await?;
    }
    print(
        out,
        json!({
            "username": user.username,
            "has_password": user.password_hash.is_some(),
            "admin": new.admin,
            "created_at": user.created_at.to_rfc3339(),
        }),
    )
}

async fn set_admin(
    args: StoreArgs,
    username: &str,
    admin: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    accounts(args).await?.set_admin(username, admin).await?;
    print(out, json!({"username": username, "admin": admin}))
}

struct NewClientArgs<'a> {
    name: &'a str,
    owner: &'a str,
    redirect_uris: &'a [String],
    scopes: &'a [String],
    public: bool,
}

async fn create_client(
    args: StoreArgs,
    new: NewClientArgs<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let accounts = accounts(args).await?;
    let (client, secret) = match new.public {
        true => (
            accounts
                .create_public_client(new.name, new.owner, new.redirect_uris, new.scopes)
                .await?,
            None,
        ),
        false => {
            let (client, secret) = accounts
                .create_client(new.name, new.owner, new.redirect_uris, new.scopes)
                .await?;
            (client, Some(secret))
        }
    };
    let mut shown = json!({
        "client_id": client.client_id,
        "name": client.name,
        "owner": client.owner,
        "redirect_uris": client.redirect_uris,
        "scopes": client.scopes,
        "public": client.is_public(),
    });
    match secret {
        Some(secret) => {
            shown["client_secret"] = json!(secret.expose());
            shown["note"] = json!("the client_secret is shown only now; it is stored hashed");
        }
        None => shown["note"] = json!("a public client has no secret: it signs users in with PKCE"),
    }
    print(out, shown)
}

async fn add_member(
    args: StoreArgs,
    project: &str,
    username: &str,
    role: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (project, role) = accounts(args)
        .await?
        .add_member(project, username, role)
        .await?;
    print(
        out,
        json!({
            "project": project.id.as_str(),
            "slug": project.slug,
            "username": username,
            "role": role.as_str(),
        }),
    )
}

async fn rotate_client_secret(
    args: StoreArgs,
    client_id: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let secret = accounts(args).await?.rotate_secret(client_id).await?;
    print(
        out,
        json!({
            "client_id": client_id,
            "client_secret": secret.expose(),
            "note": "the old secret no longer works; this one is shown only now",
        }),
    )
}

async fn revoke_client(
    args: StoreArgs,
    client_id: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    accounts(args).await?.revoke_client(client_id).await?;
    print(out, json!({ "client_id": client_id, "revoked": true }))
}

async fn issue_initial_access_token(
    args: StoreArgs,
    owner: &str,
    hours: u32,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (token, expires_at) = accounts(args)
        .await?
        .issue_initial_access_token(owner, hours)
        .await?;
    print(
        out,
        json!({
            "initial_access_token": token.expose(),
            "owner": owner,
            "expires_at": expires_at.to_rfc3339(),
            "note": "single use: POST /oauth/register with it as a Bearer token",
        }),
    )
}

/// Signs a token with the server's own keys, for the server the same
/// configuration describes (its `iss` is `auth.issuer`, or the listen
/// address when that is empty).
async fn issue_token(
    args: StoreArgs,
    username: &str,
    client_id: &str,
    scopes: &[String],
    print_token: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (config, store) = open(args).await?;
    let lifetime = std::time::Duration::from_secs(config.auth.token_lifetime_secs);
    let keys = load_key_ring(&store, lifetime)
        .await
        .map_err(|e| CliError::Startup(format!("cannot load the signing keys: {e}")))?;
    let issuer = TokenIssuer::new(
        config.auth.issuer_url(config.listen),
        config.auth.audience.clone(),
        lifetime,
    );
    let (token, claims) =
        operator::issue_for_user(&store, &keys, &issuer, username, client_id, scopes).await?;
    if print_token {
        writeln!(out, "{token}")?;
        return Ok(());
    }
    print(
        out,
        json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": claims.exp - claims.iat,
            "scope": claims.scope,
            "sub": claims.sub,
            "client_id": claims.client_id,
            "iss": claims.iss,
        }),
    )
}

/// Links a trusted identity provider's subject to an existing user, so that
/// token exchange and direct external tokens act as that user.
async fn link_identity(
    args: StoreArgs,
    issuer: &str,
    subject: &str,
    username: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (config, store) = open(args).await?;
    if !config
        .auth
        .external_issuers
        .iter()
        .any(|e| e.issuer == issuer)
    {
        return Err(CliError::Input(format!(
            "{issuer} is not among auth.external_issuers in the configuration"
        )));
    }
    let username = Username::parse(username).map_err(CliError::Input)?;
    store
        .link_identity(issuer, subject, &username, false)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => CliError::Input(format!("user {username} not found")),
            StoreError::Conflict(msg) => CliError::Input(msg),
            other => CliError::Startup(other.to_string()),
        })?;
    print(
        out,
        json!({ "issuer": issuer, "subject": subject, "username": username.as_str() }),
    )
}

/// Retires the signing keys in use and creates a new one.
async fn rotate_signing_key_command(args: StoreArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (config, store) = open(args).await?;
    let rotation = rotate_signing_key(&store)
        .await
        .map_err(|e| CliError::Startup(format!("cannot rotate the signing key: {e}")))?;
    print(
        out,
        json!({
            "kid": rotation.new_kid,
            "retired": rotation.retired_kids,
            "note": format!(
                "running servers sign with the new key within {} s; tokens signed by the retired keys verify until they expire ({} s)",
                crate::auth::signing::KEY_RELOAD_INTERVAL.as_secs(),
                config.auth.token_lifetime_secs
            ),
        }),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn admin_notes_a_client_server_other_than_the_issuer() {
        let issuer = "http://127.0.0.1:50051";
        assert!(super::issuer_hint("", issuer, Some("http://127.0.0.1:50052")).is_some());
        assert!(super::issuer_hint("", issuer, Some("127.0.0.1:50051")).is_none());
        assert!(super::issuer_hint("", issuer, Some("http://127.0.0.1:50051/")).is_none());
        assert!(super::issuer_hint("", issuer, None).is_none());
        // A configured issuer is the server's public name; clients may use
        // another address for it.
        assert!(super::issuer_hint(issuer, issuer, Some("http://10.0.0.1:50051")).is_none());
    }
}
