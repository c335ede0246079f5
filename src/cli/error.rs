//! What can go wrong in a CLI command, worded for the person at the terminal.

use std::io;

use tonic::Code;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server could not be reached at all.
    #[error(
        "could not reach the fhir-import server at {server}: {detail}\n\
         hint: start one with `fhir-import serve`, or point to another with \
         --server URL or the FHIR_IMPORT_SERVER environment variable"
    )]
    Unreachable { server: String, detail: String },
    /// `--server` is not something a connection can be made to.
    #[error("--server {server:?} is not a valid server URL: {detail}")]
    InvalidServer { server: String, detail: String },
    /// The server answered the call with an error status.
    #[error("{}: {}{}", code_name(.0.code()), .0.message(), hint(.0.code()))]
    Rpc(tonic::Status),
    /// The input file or the command's arguments are unusable.
    #[error("{0}")]
    Input(String),
    /// `serve` could not start or stopped with an error.
    #[error("{0}")]
    Startup(String),
    /// Getting or storing an access token failed.
    #[error("{0}")]
    Login(String),
    /// An `admin` command was refused.
    #[error("{0}")]
    Admin(#[from] crate::auth::accounts::AccountError),
    /// Writing to stdout failed (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    /// The command did its work, and part of it did not go well: documents
    /// were rejected, or an import ended with errors. Exit status 2.
    #[error("{0}")]
    Unsuccessful(String),
}

/// What to do about a refusal, where the code alone says it.
fn hint(code: Code) -> &'static str {
    match code {
        Code::Unauthenticated => {
            "\nhint: sign in with `fhir-import login --client-id ID`, or pass --token \
             (FHIR_IMPORT_TOKEN), or a portal's --client-id and --client-secret"
        }
        _ => "",
    }
}

impl From<tonic::Status> for CliError {
    fn from(status: tonic::Status) -> Self {
        Self::Rpc(status)
    }
}

impl From<fhir_import_client::Error> for CliError {
    fn from(error: fhir_import_client::Error) -> Self {
        use fhir_import_client::Error as Sdk;
        match error {
            Sdk::Unreachable { url, reason } => Self::Unreachable {
                server: url,
                detail: reason,
            },
            Sdk::InvalidUrl { url, reason } => Self::InvalidServer {
                server: url,
                detail: reason,
            },
            Sdk::Token(refused) => Self::Login(refused.to_string()),
            Sdk::Input(what) => Self::Input(what),
            answered => match answered.status() {
                Some(status) => Self::Rpc(status.clone()),
                None => Self::Input(answered.to_string()),
            },
        }
    }
}

impl CliError {
    /// True when stdout was closed by the reader (`fhir-import … | head`);
    /// nothing is worth reporting then.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }

    /// Says what happened on stderr and gives the exit status: 2 when the
    /// command ran but part of its work failed, 1 when it failed.
    pub fn report(&self) -> std::process::ExitCode {
        match self {
            _ if self.is_broken_pipe() => std::process::ExitCode::SUCCESS,
            Self::Unsuccessful(what) => {
                eprintln!("{what}");
                std::process::ExitCode::from(2)
            }
            _ => {
                eprintln!("error: {self}");
                std::process::ExitCode::FAILURE
            }
        }
    }
}

/// The canonical gRPC name of a status code, e.g. `NOT_FOUND`.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
