//! `fhir-import serve`: loads the configuration, starts the server, prints
//! the address it listens on, and runs until SIGINT or SIGTERM.

use std::{io::Write, net::SocketAddr, path::PathBuf};

use clap::Args;

use super::error::CliError;
use crate::config::{Config, Overrides};
use crate::{startup::shutdown_signal, telemetry, Application};

/// Run the gRPC server (and the OAuth endpoints beside it).
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// TOML configuration file [default: ./fhir-import.toml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default:
    /// 127.0.0.1:50051].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// sqlite://PATH or postgres://… [default: sqlite://fhir-import.db].
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

impl ServeArgs {
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        run(self, out).await
    }
}

/// Prints exactly one line to `out`, `listening on ADDR`, once the listener
/// is bound; logs go to stderr.
async fn run(args: ServeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let config = Config::load(
        args.config.as_deref(),
        Overrides {
            listen: args.listen,
            database_url: args.database_url,
            auth: None,
        },
    )
    .map_err(CliError::Startup)?;
    let traces = telemetry::Traces {
        otlp_endpoint: config.telemetry.otlp_endpoint.clone(),
        service_name: config.telemetry.service_name.clone(),
    };
    let telemetry =
        telemetry::init_with("info", config.log.format, &traces).map_err(CliError::Startup)?;
    let app = Application::build(config)
        .await
        .map_err(|e| CliError::Startup(format!("cannot start the server: {e:#}")))?;
    let stop = shutdown_signal();
    writeln!(out, "listening on {}", app.local_addr())?;
    out.flush()?;
    let ran = app
        .run_until(stop)
        .await
        .map_err(|e| CliError::Startup(format!("the server stopped with an error: {e:#}")));
    // Exporting the last spans blocks, and needs the runtime's reactor
    // free to run the export.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    ran
}
