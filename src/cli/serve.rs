//! `fhir-import serve`: loads the configuration, starts the server, prints
//! the address it listens on, and runs until SIGINT or SIGTERM.

use std::{io::Write, net::SocketAddr, path::PathBuf};

use super::error::CliError;
use crate::config::{Config, Overrides};
use crate::{startup::shutdown_signal, telemetry, Application};

#[derive(Debug, Clone, Default)]
pub struct ServeArgs {
    /// A TOML file; without it `fhir-import.toml` is read when present.
    pub config: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub database_url: Option<String>,
}

/// Prints exactly one line to `out`, `listening on ADDR`, once the listener
/// is bound; logs go to stderr.
pub async fn run(args: ServeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let config = Config::load(
        args.config.as_deref(),
        Overrides {
            listen: args.listen,
            database_url: args.database_url,
            auth: None,
        },
    )
    .map_err(CliError::Startup)?;
    telemetry::init("info");
    let app = Application::build(config)
        .await
        .map_err(|e| CliError::Startup(format!("cannot start the server: {e:#}")))?;
    writeln!(out, "listening on {}", app.local_addr())?;
    out.flush()?;
    app.run_until(shutdown_signal())
        .await
        .map_err(|e| CliError::Startup(format!("the server stopped with an error: {e:#}")))
}
