//! The `fhir-import` command: the command line is `fhir_import::cli`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use fhir_import::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let mut stdout = std::io::stdout().lock();
        cli.command.run(&mut stdout).await
    });
    // Do not wait for a blocking read of stdin that nobody needs any more.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
