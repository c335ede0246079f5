//! The `fhir-import` command: parses the command line and hands each command
//! to `fhir_import::cli`.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand, ValueEnum};
use fhir_import::cli::{
    self, admin::StoreArgs, credentials::TokenSource, dataset::KidsFirstArgs, files::FilesQuery,
    import::ImportArgs, imports::RescrapeTarget, login::LoginArgs, parse_key_value,
    serve::ServeArgs, CliError, Server,
};
use fhir_import::dataset::Shape;
use fhir_import::proto::v1 as pb;

/// Bulk import of FHIR R4 DocumentReferences into projects, over gRPC.
#[derive(Parser)]
#[command(name = "fhir-import", version)]
struct Cli {
    /// The fhir-import server that client commands talk to.
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_SERVER",
        default_value = cli::DEFAULT_SERVER,
        value_name = "URL"
    )]
    server: String,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(subcommand)]
    command: Command,
}

/// How client commands authenticate. Without any of these, they use what
/// `fhir-import login` stored for the server.
#[derive(Args)]
struct AuthArgs {
    /// An access token to send as `authorization: Bearer …`.
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_TOKEN",
        hide_env_values = true,
        value_name = "JWT"
    )]
    token: Option<String>,
    /// A portal's client id: with --client-secret, commands use the
    /// portal's own client-credentials token (it acts for no user).
    #[arg(long, global = true, env = "FHIR_IMPORT_CLIENT_ID", value_name = "ID")]
    client_id: Option<String>,
    /// The portal's client secret.
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    client_secret: Option<String>,
    /// Where `login` stores tokens (default: the user's configuration
    /// directory, fhir-import/credentials.json).
    #[arg(
        long,
        global = true,
        env = "FHIR_IMPORT_CREDENTIALS",
        value_name = "FILE"
    )]
    credentials_file: Option<PathBuf>,
}

impl AuthArgs {
    fn credentials_file(&self) -> PathBuf {
        self.credentials_file
            .clone()
            .unwrap_or_else(cli::credentials::default_credentials_file)
    }

    fn token_source(&self, scopes: &[String]) -> TokenSource {
        if let Some(token) = &self.token {
            return TokenSource::Token(token.clone());
        }
        if let (Some(client_id), Some(client_secret)) = (&self.client_id, &self.client_secret) {
            return TokenSource::ClientCredentials {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                scopes: scopes.to_vec(),
            };
        }
        TokenSource::Stored(self.credentials_file())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the gRPC server.
    Serve(Serve),
    /// Create and look at projects.
    #[command(subcommand)]
    Projects(Projects),
    /// Import DocumentReferences from NDJSON, a FHIR Bundle, or one resource.
    Import(Import),
    /// Follow an import's events until it finishes.
    Watch(Watch),
    /// List a project's files.
    Files(Files),
    /// Look at and cancel imports.
    #[command(subcommand)]
    Imports(Imports),
    /// Sign in through a browser (authorization code with PKCE) and store
    /// the tokens for --server; later commands use and refresh them.
    Login(Login),
    /// Forget the tokens stored for --server.
    Logout,
    /// Bootstrap accounts in the store `serve` uses (prints JSON).
    Admin(Admin),
    /// Write a deterministic synthetic FHIR data set to files.
    #[command(subcommand)]
    Dataset(DatasetKind),
}

#[derive(Subcommand)]
enum DatasetKind {
    /// A Kids First-shaped study (NCPI FHIR model): `bundle.json`, a
    /// transaction Bundle PUTting every resource, and `documents.ndjson`,
    /// its DocumentReferences.
    KidsFirst(KidsFirst),
}

#[derive(Args)]
struct KidsFirst {
    /// The same seed always gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Families (a proband and 0-2 parents each).
    #[arg(long, default_value_t = 5)]
    families: usize,
    #[arg(long, value_name = "N", default_value_t = 2)]
    specimens_per_patient: usize,
    #[arg(long, value_name = "N", default_value_t = 1)]
    conditions_per_patient: usize,
    #[arg(long, value_name = "N", default_value_t = 2)]
    documents_per_specimen: usize,
    /// The study id every resource is tagged with.
    #[arg(long, default_value = "SD_TEST0001")]
    study_id: String,
    /// Where to write the files (created if missing).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

#[derive(Args)]
struct Login {
    /// Scopes to ask for; repeatable (default: all the client was granted).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// How long to wait for the browser, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
}

#[derive(Args)]
struct Admin {
    /// TOML configuration file, as for `serve`.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// sqlite://PATH or postgres://…, as for `serve`.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// The server's listen address, as for `serve` (tokens name it as
    /// their issuer unless [auth] issuer is set).
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// The issuer of tokens, as `[auth] issuer` (the server's public URL).
    #[arg(long, global = true, value_name = "URL")]
    issuer: Option<String>,
    /// Create the store if there is none (by default a missing SQLite file
    /// is an error: it means other settings, or another folder, than the
    /// server's).
    #[arg(long, global = true)]
    create: bool,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
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
    GrantAdmin { username: String },
    /// Take the platform admin role back; works on the user's next call.
    RevokeAdmin { username: String },
    /// Register a portal (OAuth client); prints its client_id and, once, its client_secret.
    CreateClient {
        #[arg(long)]
        name: String,
        /// The user who owns the registration.
        #[arg(long)]
        owner: String,
        /// Where the authorization code flow may send the user back; repeatable.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// import:write, import:read, files:read, projects or admin; repeatable.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
    /// Give a client a new secret (printed once); the old one stops working.
    RotateClientSecret { client_id: String },
    /// Revoke a client: no new tokens, and its tokens stop working.
    RevokeClient { client_id: String },
    /// Issue a single-use token a portal registers itself with (POST /oauth/register).
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
    /// Create a new token signing key and retire the ones in use; tokens they
    /// signed verify until they expire.
    RotateSigningKey,
    /// Give a user a role (admin, write or read) in a project.
    AddMember {
        /// The project's id or owner/name slug.
        project: String,
        username: String,
        role: String,
    },
}

#[derive(Args)]
struct Serve {
    /// TOML configuration file (default: ./fhir-import.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// sqlite://PATH or postgres://…
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Projects {
    /// Create a project owned by you.
    Create {
        /// Lowercase letters, digits, '-', '_' and '.'.
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// List the projects you can see.
    List,
    /// Show one project.
    Get {
        /// The project's id or owner/name slug.
        project: String,
    },
}

#[derive(Args)]
struct Import {
    /// The target project: id or owner/name slug.
    #[arg(long)]
    project: String,
    /// NDJSON (one DocumentReference per line), a FHIR Bundle, or one
    /// resource; `-` reads stdin.
    file: PathBuf,
    /// Id of the registered FHIR server the documents come from.
    #[arg(long, value_name = "ID")]
    fhir_server: Option<String>,
    /// What to do with documents imported before.
    #[arg(long, value_enum, default_value_t = OnConflict::Overwrite)]
    on_conflict: OnConflict,
    /// Sending again with the same key replays the earlier import.
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
    /// Tag put on every file; repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only validate and report rejections; store nothing.
    #[arg(long)]
    validate_only: bool,
    /// Metadata put on every file; repeatable.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    metadata: Vec<(String, String)>,
    /// Follow the import until it finishes.
    #[arg(long)]
    watch: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnConflict {
    Skip,
    Overwrite,
    Rename,
}

#[derive(Args)]
struct Watch {
    import_id: String,
    /// Only events after this sequence (0: from the start).
    #[arg(long, value_name = "N", default_value_t = 0)]
    after: u64,
}

#[derive(Args)]
struct Files {
    /// The project: id or owner/name slug.
    #[arg(long)]
    project: String,
    /// Only files whose metadata has KEY equal to VALUE; repeatable (AND).
    #[arg(long = "where", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    filters: Vec<(String, String)>,
    /// Only files created or last overwritten by this import.
    #[arg(long = "import", value_name = "ID")]
    import_id: Option<String>,
    /// Show at most N files.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    limit: Option<u32>,
}

#[derive(Subcommand)]
enum Imports {
    /// A project's imports, newest first.
    List {
        #[arg(long)]
        project: String,
    },
    /// Show one import.
    Get { import_id: String },
    /// An import's items in stream order.
    Items {
        import_id: String,
        /// Only items in this state; repeatable.
        #[arg(long = "state", value_enum)]
        states: Vec<ItemState>,
    },
    /// Cancel an import that is still running.
    Cancel { import_id: String },
    /// Scrape the metadata of files already imported again, from the FHIR
    /// servers they came from (e.g. after a schema change or an outage).
    Rescrape(Rescrape),
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["import_id", "file", "all"])))]
struct Rescrape {
    /// The project: id or owner/name slug.
    #[arg(long)]
    project: String,
    /// The files this import created or overwrote.
    #[arg(long = "import", value_name = "IMPORT_ID")]
    import_id: Option<String>,
    /// This file; repeatable.
    #[arg(long = "file", value_name = "FILE_ID")]
    file: Vec<String>,
    /// Every file of the project that came from a FHIR server.
    #[arg(long)]
    all: bool,
    /// Only files whose metadata is in this state; repeatable.
    #[arg(long = "metadata-state", value_enum)]
    metadata_states: Vec<MetadataState>,
    /// Follow the rescrape until it finishes.
    #[arg(long)]
    watch: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum MetadataState {
    Complete,
    Partial,
    Failed,
}

impl From<MetadataState> for pb::MetadataState {
    fn from(state: MetadataState) -> Self {
        match state {
            MetadataState::Complete => Self::Complete,
            MetadataState::Partial => Self::Partial,
            MetadataState::Failed => Self::Failed,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ItemState {
    Pending,
    Processing,
    Imported,
    Skipped,
    Rejected,
    Failed,
    Cancelled,
    Scraped,
    ScrapeFailed,
}

impl From<OnConflict> for pb::ConflictPolicy {
    fn from(policy: OnConflict) -> Self {
        match policy {
            OnConflict::Skip => Self::Skip,
            OnConflict::Overwrite => Self::Overwrite,
            OnConflict::Rename => Self::Rename,
        }
    }
}

impl From<ItemState> for pb::ItemState {
    fn from(state: ItemState) -> Self {
        match state {
            ItemState::Pending => Self::Pending,
            ItemState::Processing => Self::Processing,
            ItemState::Imported => Self::Imported,
            ItemState::Skipped => Self::Skipped,
            ItemState::Rejected => Self::Rejected,
            ItemState::Failed => Self::Failed,
            ItemState::Cancelled => Self::Cancelled,
            ItemState::Scraped => Self::Scraped,
            ItemState::ScrapeFailed => Self::ScrapeFailed,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(dispatch(cli));
    // Do not wait for a blocking read of stdin that nobody needs any more.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), CliError> {
    let server = Server::new(cli.server).with_credentials(cli.auth.token_source(&[]));
    let mut stdout = std::io::stdout().lock();
    let out = &mut stdout;
    match cli.command {
        Command::Serve(s) => {
            let args = ServeArgs {
                config: s.config,
                listen: s.listen,
                database_url: s.database_url,
            };
            cli::serve::run(args, out).await
        }
        Command::Projects(Projects::Create { name, description }) => {
            cli::projects::create(&server, &name, &description.unwrap_or_default(), out).await
        }
        Command::Projects(Projects::List) => cli::projects::list(&server, out).await,
        Command::Projects(Projects::Get { project }) => {
            cli::projects::get(&server, &project, out).await
        }
        Command::Import(i) => {
            let args = ImportArgs {
                project: i.project,
                file: i.file,
                fhir_server: i.fhir_server.unwrap_or_default(),
                on_conflict: i.on_conflict.into(),
                idempotency_key: i.idempotency_key.unwrap_or_default(),
                tags: i.tags,
                validate_only: i.validate_only,
                metadata: i.metadata,
                watch: i.watch,
            };
            cli::import::run(&server, args, out).await
        }
        Command::Watch(w) => cli::watch::run(&server, &w.import_id, w.after, out).await,
        Command::Files(f) => {
            let query = FilesQuery {
                project: f.project,
                filters: f.filters,
                import_id: f.import_id,
                limit: f.limit.map(|n| n as usize),
            };
            cli::files::list(&server, query, out).await
        }
        Command::Imports(Imports::List { project }) => {
            cli::imports::list(&server, &project, out).await
        }
        Command::Imports(Imports::Get { import_id }) => {
            cli::imports::get(&server, &import_id, out).await
        }
        Command::Imports(Imports::Items { import_id, states }) => {
            let states: Vec<pb::ItemState> = states.into_iter().map(Into::into).collect();
            cli::imports::items(&server, &import_id, &states, out).await
        }
        Command::Imports(Imports::Cancel { import_id }) => {
            cli::imports::cancel(&server, &import_id, out).await
        }
        Command::Imports(Imports::Rescrape(r)) => {
            let target = match (r.import_id, r.all) {
                (Some(id), _) => RescrapeTarget::Import(id),
                (None, true) => RescrapeTarget::All,
                (None, false) => RescrapeTarget::Files(r.file),
            };
            let states: Vec<pb::MetadataState> =
                r.metadata_states.into_iter().map(Into::into).collect();
            cli::imports::rescrape(&server, &r.project, target, &states, r.watch, out).await
        }
        Command::Login(login) => {
            let client_id = cli.auth.client_id.clone().ok_or_else(|| {
                CliError::Input(
                    "login needs --client-id (or FHIR_IMPORT_CLIENT_ID): the portal registered for this CLI".into(),
                )
            })?;
            let args = LoginArgs {
                client_id,
                client_secret: cli.auth.client_secret.clone(),
                scopes: login.scopes,
                credentials_file: cli.auth.credentials_file(),
                timeout: std::time::Duration::from_secs(login.timeout_secs),
            };
            cli::login::run(&server, args, &mut std::io::stderr(), out).await
        }
        Command::Logout => cli::login::logout(&server, &cli.auth.credentials_file(), out),
        Command::Dataset(DatasetKind::KidsFirst(k)) => {
            let args = KidsFirstArgs {
                seed: k.seed,
                shape: Shape {
                    families: k.families,
                    specimens_per_patient: k.specimens_per_patient,
                    conditions_per_patient: k.conditions_per_patient,
                    documents_per_specimen: k.documents_per_specimen,
                    study_id: k.study_id,
                },
                out_dir: k.out_dir,
            };
            cli::dataset::kids_first(&args, out)
        }
        Command::Admin(admin) => {
            let store = StoreArgs {
                config: admin.config,
                database_url: admin.database_url,
                listen: admin.listen,
                issuer: admin.issuer,
                create: admin.create,
            };
            match admin.command {
                AdminCommand::CreateUser {
                    username,
                    password_stdin,
                    admin,
                } => {
                    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
                    let new = cli::admin::NewUser {
                        username: &username,
                        password_stdin,
                        admin,
                    };
                    cli::admin::create_user(store, new, &mut stdin, out).await
                }
                AdminCommand::GrantAdmin { username } => {
                    cli::admin::set_admin(store, &username, true, out).await
                }
                AdminCommand::RevokeAdmin { username } => {
                    cli::admin::set_admin(store, &username, false, out).await
                }
                AdminCommand::CreateClient {
                    name,
                    owner,
                    redirect_uris,
                    scopes,
                } => {
                    cli::admin::create_client(store, &name, &owner, &redirect_uris, &scopes, out)
                        .await
                }
                AdminCommand::AddMember {
                    project,
                    username,
                    role,
                } => cli::admin::add_member(store, &project, &username, &role, out).await,
                AdminCommand::RotateClientSecret { client_id } => {
                    cli::admin::rotate_client_secret(store, &client_id, out).await
                }
                AdminCommand::RevokeClient { client_id } => {
                    cli::admin::revoke_client(store, &client_id, out).await
                }
                AdminCommand::RotateSigningKey => {
                    cli::admin::rotate_signing_key_command(store, out).await
                }
                AdminCommand::LinkIdentity {
                    issuer,
                    subject,
                    user,
                } => cli::admin::link_identity(store, &issuer, &subject, &user, out).await,
                AdminCommand::IssueToken {
                    user,
                    client_id,
                    scopes,
                    print_token,
                } => {
                    cli::admin::issue_token(store, &user, &client_id, &scopes, print_token, out)
                        .await
                }
                AdminCommand::IssueInitialAccessToken { owner, hours } => {
                    cli::admin::issue_initial_access_token(store, &owner, hours, out).await
                }
            }
        }
    }
}
