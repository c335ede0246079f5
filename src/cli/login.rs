//! `fhir-import login`: the authorization-code flow with PKCE, as a native
//! app runs it (RFC 8252): a one-shot listener on a loopback port receives
//! the redirect, the code is redeemed (both through the Rust SDK's
//! authorization-code helpers), and the tokens are stored for the server so
//! later commands use (and refresh) them.

use std::{future::IntoFuture, io::Write, time::Duration};

use clap::Args;

use axum::{extract::Query, response::Html, routing::get, Router};
use fhir_import_client::{authorization_request, exchange_code, Portal};
use serde::Deserialize;
use tokio::{net::TcpListener, sync::mpsc};

use super::client::{CredentialsFileArg, ServerArg};
use super::credentials::{stored_login, CredentialsFile};
use super::error::CliError;
use super::Server;

/// Sign in through a browser (authorization code with PKCE) and store the
/// tokens for --server; later commands use and refresh them.
#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The portal (OAuth client) registered for this CLI.
    #[arg(long, env = "FHIR_IMPORT_CLIENT_ID", value_name = "ID")]
    pub client_id: String,
    /// The portal's client secret, when it has one (public clients do not).
    #[arg(
        long,
        env = "FHIR_IMPORT_CLIENT_SECRET",
        hide_env_values = true,
        // Secrets are URL-safe base64: one in 64 begins with '-'.
        allow_hyphen_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Scopes to ask for; repeatable [default: all the client was granted].
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// How long to wait for the browser, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub timeout_secs: u64,
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub credentials: CredentialsFileArg,
}

/// Forget the tokens stored for --server.
#[derive(Args, Debug)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub credentials: CredentialsFileArg,
}

impl LoginArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let server = Server::new(self.server.server.clone());
        run(&server, self, &mut std::io::stderr(), out).await
    }
}

impl LogoutArgs {
    pub fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        let server = Server::new(self.server.server.clone());
        logout(&server, &self.credentials.path(), out)
    }
}

/// What the authorization server sends back to the loopback redirect.
#[derive(Debug, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn run(
    server: &Server,
    args: LoginArgs,
    prompt: &mut (dyn Write + Send),
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| CliError::Login(format!("cannot listen on a loopback port: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| CliError::Login(format!("cannot read the loopback port: {e}")))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let base = server.url();

    let mut portal = Portal::new(base, &args.client_id);
    portal.client_secret.clone_from(&args.client_secret);
    let scopes: Vec<&str> = args.scopes.iter().map(String::as_str).collect();
    let request = authorization_request(&portal, &redirect, &scopes)
        .map_err(|e| CliError::Login(e.to_string()))?;
    let auth_url = &request.url;
    writeln!(
        prompt,
        "Open this address in a browser to sign in and allow access:\n\n  {auth_url}\n\nWaiting for the browser to come back to 127.0.0.1:{port} …"
    )?;
    prompt.flush()?;

    let callback = tokio::time::timeout(
        Duration::from_secs(args.timeout_secs),
        receive_callback(listener),
    )
    .await
    .map_err(|_| {
        CliError::Login(format!(
            "no answer from the browser within {} s; run `fhir-import login` again",
            args.timeout_secs
        ))
    })??;
    if let Some(error) = callback.error {
        let detail = callback.error_description.unwrap_or_default();
        return Err(CliError::Login(format!(
            "sign-in refused: {error} {detail}"
        )));
    }
    if callback.state.as_deref() != Some(request.state.as_str()) {
        return Err(CliError::Login(
            "the answer's state does not match this login; run `fhir-import login` again".into(),
        ));
    }
    let code = callback
        .code
        .ok_or_else(|| CliError::Login("the answer carries no authorization code".into()))?;
    let tokens = exchange_code(&portal, &code, &request.verifier, &redirect)
        .await
        .map_err(|e| CliError::Login(format!("redeeming the authorization code failed: {e}")))?;
    let login = stored_login(&args.client_id, args.client_secret.as_deref(), &tokens);
    let mut file = CredentialsFile::read(&args.credentials.path())?;
    let summary = serde_json::json!({
        "server": base,
        "client_id": login.client_id,
        "scope": login.scope,
        "expires_at": login.expires_at.to_rfc3339(),
        "refreshable": login.refresh_token.is_some(),
        "credentials_file": args.credentials.path().display().to_string(),
    });
    file.servers.insert(base.to_owned(), login);
    file.write(&args.credentials.path())?;
    writeln!(out, "{summary:#}")?;
    Ok(())
}

/// Serves the loopback redirect until the first answer arrives, and lets
/// the browser have its page before the listener closes.
async fn receive_callback(listener: TcpListener) -> Result<Callback, CliError> {
    let (tx, mut rx) = mpsc::channel::<Callback>(1);
    let app = Router::new().route(
        "/callback",
        get(move |Query(callback): Query<Callback>| {
            let tx = tx.clone();
            async move {
                let page = match (&callback.code, &callback.error) {
                    (Some(_), None) => {
                        "Signed in. You can close this tab and return to the terminal."
                    }
                    _ => "Sign-in did not complete. Return to the terminal for details.",
                };
                // Only the first answer counts.
                let _ = tx.try_send(callback);
                Html(format!(
                    "<!doctype html><title>fhir-import</title><p>{page}</p>"
                ))
            }
        }),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let callback = rx.recv().await;
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    callback.ok_or_else(|| CliError::Login("the loopback listener stopped".into()))
}

/// `fhir-import logout`: forgets the tokens stored for the server.
fn logout(
    server: &Server,
    credentials_file: &std::path::Path,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut file = CredentialsFile::read(credentials_file)?;
    let removed = file.servers.remove(server.url()).is_some();
    if removed {
        file.write(credentials_file)?;
    }
    writeln!(
        out,
        "{:#}",
        serde_json::json!({ "server": server.url(), "logged_out": removed })
    )?;
    Ok(())
}
