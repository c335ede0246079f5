//! The `fhir-import` command line: `Cli` is the whole tree, each command's
//! arguments are declared (and run) in its own module, and the client
//! commands share `client::ClientArgs`.

pub mod admin;
pub mod client;
pub mod credentials;
pub mod dataset;
pub mod error;
pub mod files;
pub mod import;
pub mod imports;
pub mod login;
pub mod projects;
pub mod serve;
pub mod watch;

mod output;
mod progress;
mod server;
mod show;
mod source;

use std::io::Write;

use clap::{Parser, Subcommand};

pub use client::DEFAULT_SERVER;
pub use error::CliError;
pub use server::Server;

/// Bulk import of FHIR R4 DocumentReferences into projects, over gRPC.
#[derive(Parser, Debug)]
#[command(name = "fhir-import", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the gRPC server.
    Serve(serve::ServeArgs),
    /// Create and look at projects.
    Projects(projects::ProjectsArgs),
    /// Import DocumentReferences from NDJSON, a FHIR Bundle, or one resource.
    Import(Box<import::ImportArgs>),
    /// Follow an import until it finishes.
    Watch(watch::WatchArgs),
    /// List a project's files.
    Files(files::FilesArgs),
    /// Look at, cancel and rescrape imports.
    Imports(imports::ImportsArgs),
    /// Sign in through a browser and store the tokens for --server.
    Login(login::LoginArgs),
    /// Forget the tokens stored for --server.
    Logout(login::LogoutArgs),
    /// Bootstrap accounts in the store `serve` uses, or roll its schema
    /// back (prints JSON).
    Admin(admin::AdminArgs),
    /// Write a deterministic synthetic FHIR data set to files.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
}

impl Command {
    /// Runs the command, writing its results to `out`.
    pub async fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        match self {
            Self::Serve(args) => args.run(out).await,
            Self::Projects(args) => args.run(out).await,
            Self::Import(args) => args.run(out).await,
            Self::Watch(args) => args.run(out).await,
            Self::Files(args) => args.run(out).await,
            Self::Imports(args) => args.run(out).await,
            Self::Login(args) => args.run(out).await,
            Self::Logout(args) => args.run(out),
            Self::Admin(args) => args.run(out).await,
            Self::Dataset(command) => command.run(out),
        }
    }
}

/// Parses `KEY=VALUE` (`--metadata`, `--where`): the key is what comes
/// before the first `=` and must not be empty; the value may be.
pub fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.to_owned(), value.to_owned())),
        Some(_) => Err(format!("{text:?}: the key before '=' is empty")),
        None => Err(format!("{text:?}: expected KEY=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// A client secret is URL-safe base64, so it may begin with '-': it
    /// is still the value of --client-secret, never taken for an option.
    #[test]
    fn a_client_secret_may_begin_with_a_hyphen() {
        let cli = Cli::try_parse_from([
            "fhir-import",
            "login",
            "--client-id",
            "cli",
            "--client-secret",
            "-iQ2x_secret",
        ])
        .expect("login parses");
        let Command::Login(login) = cli.command else {
            panic!("not login: {cli:?}");
        };
        assert_eq!(login.client_secret.as_deref(), Some("-iQ2x_secret"));
        let cli = Cli::try_parse_from([
            "fhir-import",
            "projects",
            "list",
            "--client-secret",
            "-iQ2x_secret",
        ])
        .expect("projects list parses");
        assert!(format!("{cli:?}").contains(r#"client_secret: Some("-iQ2x_secret")"#));
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command and argument says in a line what it is for.
    #[test]
    fn every_command_and_argument_is_described() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if !matches!(id, "help" | "version") && arg.get_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in command.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "fhir-import", &mut missing);
        assert!(missing.is_empty(), "undescribed: {missing:#?}");
    }

    /// `serve`, `admin` and `dataset` do not offer the client's options.
    #[test]
    fn client_options_belong_to_client_commands() {
        let cli = Cli::command();
        let has = |command: &str, option: &str| {
            cli.find_subcommand(command)
                .expect("a command")
                .get_arguments()
                .any(|a| a.get_long() == Some(option))
        };
        for client in ["projects", "import", "watch", "files", "imports"] {
            for option in ["server", "token", "output"] {
                assert!(has(client, option), "{client} --{option}");
            }
        }
        for other in ["serve", "admin", "dataset"] {
            for option in ["server", "token", "client-secret", "output"] {
                assert!(!has(other, option), "{other} --{option}");
            }
        }
        assert!(has("login", "server") && has("login", "client-id"));
    }

    #[test]
    fn key_value_splits_at_the_first_equals_sign() {
        assert_eq!(
            parse_key_value("query=a=b"),
            Ok(("query".to_owned(), "a=b".to_owned()))
        );
        assert_eq!(
            parse_key_value("empty="),
            Ok(("empty".to_owned(), String::new()))
        );
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("novalue").is_err());
    }
}
