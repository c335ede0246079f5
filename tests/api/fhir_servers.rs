//! The FHIR server registry over gRPC: an admin registers servers; the
//! service reads each CapabilityStatement and chooses the schema (or keeps
//! the pinned one) and says why; credentials never come back; only admins
//! may touch it.

use crate::common::fhir_server::SekmetServer;
use crate::common::fhir_stub::{FhirStub, Reply};
use crate::common::{spawn_app, spawn_app_with, Authed, Backend, TestApp};
use fhir_import::config::ConfiguredFhirServer;
use fhir_import::fhir::ServerConfig;
use fhir_import::proto::v1::{
    self as pb, fhir_server_auth::Method, fhir_server_service_client::FhirServerServiceClient,
    import_service_client::ImportServiceClient, project_service_client::ProjectServiceClient,
};
use fhir_import::{auth::accounts::Accounts, store::Store};
use serde_json::json;
use tonic::Code;

fn servers(app: &TestApp, token: &str) -> FhirServerServiceClient<Authed> {
    FhirServerServiceClient::new(app.channel_with(token))
}

fn register(id: &str, base_url: &str) -> pb::RegisterFhirServerRequest {
    pb::RegisterFhirServerRequest {
        id: id.into(),
        base_url: base_url.into(),
        // The test servers listen on loopback.
        allow_private_addresses: true,
        ..Default::default()
    }
}

/// A stub whose CapabilityStatement declares the NCPI implementation guide.
async fn ncpi_stub() -> FhirStub {
    let stub = FhirStub::start().await;
    stub.on(
        "/fhir/metadata",
        vec![Reply::Json(json!({
            "resourceType": "CapabilityStatement",
            "fhirVersion": "4.0.1",
            "software": {"name": "Kids First FHIR service"},
            "implementationGuide": [
                "https://ncpi-fhir.github.io/ncpi-fhir-ig/ImplementationGuide/NCPI-FHIR-Implementation-Guide|1.0.0"
            ]
        }))],
    );
    stub
}

async fn admins_register_servers_and_the_service_chooses_schemas(backend: Backend) {
    let sekmet = SekmetServer::start(None).await;
    let stub = ncpi_stub().await;
    let app = spawn_app(backend).await;
    let mut admin = servers(&app, &app.token);

    // A plain R4 server: the generic schema, and why.
    let plain = admin
        .register_fhir_server(register("sekmet", sekmet.base_url()))
        .await
        .expect("register")
        .into_inner();
    assert_eq!(plain.fhir_version, "4.0.1");
    assert!(!plain.software_name.is_empty());
    assert_eq!(plain.schema, "generic-r4@2");
    assert!(
        plain.schema_reason.contains("4.0"),
        "{}",
        plain.schema_reason
    );
    assert!(plain.capability_time.is_some());
    assert_eq!(plain.capability_error, "");
    assert_eq!(plain.auth_kind, "none");

    // A server declaring the NCPI guide, with credentials that never come back.
    let mut request = register("kf", &stub.base_url());
    request.auth = Some(pb::FhirServerAuth {
        method: Some(Method::Bearer(pb::BearerTokenAuth {
            token: "s3cret-fhir-token".into(),
        })),
    });
    let kf = admin
        .register_fhir_server(request)
        .await
        .expect("register")
        .into_inner();
    assert_eq!(kf.schema, "ncpi-kids-first@2");
    assert!(
        kf.schema_reason.contains("implementationGuide"),
        "{}",
        kf.schema_reason
    );
    assert_eq!(kf.auth_kind, "bearer");
    assert_eq!(
        stub.authorizations("/fhir/metadata"),
        vec![Some("Bearer s3cret-fhir-token".to_owned())],
        "the credentials are used"
    );

    // A pinned schema wins over the match rules.
    let mut pinned = register("pinned", sekmet.base_url());
    pinned.schema = "ncpi-kids-first".into();
    let pinned = admin
        .register_fhir_server(pinned)
        .await
        .expect("register")
        .into_inner();
    assert_eq!(pinned.schema, "ncpi-kids-first@2");
    assert!(pinned.schema_reason.contains("pinned"));

    // A server that is down is registered, with the reason.
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let down_url = format!("http://{}/fhir", free.local_addr().expect("addr"));
    drop(free);
    let down = admin
        .register_fhir_server(register("down", &down_url))
        .await
        .expect("register")
        .into_inner();
    assert_eq!(down.schema, "");
    assert!(!down.capability_error.is_empty());

    // Refusals, each with its code.
    let refusals = [
        (register("sekmet", sekmet.base_url()), Code::AlreadyExists),
        (register("Bad Id", sekmet.base_url()), Code::InvalidArgument),
        (
            register("plain-http", "http://fhir.example.org/fhir"),
            Code::InvalidArgument,
        ),
        (
            register("ftp", "ftp://127.0.0.1/fhir"),
            Code::InvalidArgument,
        ),
        (
            register(
                "with-password",
                &sekmet.base_url().replace("http://", "http://kf:s3cret@"),
            ),
            Code::InvalidArgument,
        ),
        (
            pb::RegisterFhirServerRequest {
                schema: "no-such-schema".into(),
                ..register("unknown-schema", sekmet.base_url())
            },
            Code::InvalidArgument,
        ),
    ];
    for (request, code) in refusals {
        let id = request.id.clone();
        let status = admin
            .register_fhir_server(request)
            .await
            .expect_err("refused");
        assert_eq!(status.code(), code, "{id}: {}", status.message());
        assert!(!status.message().contains("s3cret"), "{}", status.message());
    }

    // Listing, by id; nothing secret in what comes back.
    let listed = admin
        .list_fhir_servers(pb::ListFhirServersRequest {})
        .await
        .expect("list")
        .into_inner()
        .fhir_servers;
    let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["down", "kf", "pinned", "sekmet"]);
    assert!(!format!("{listed:?}").contains("s3cret"));

    // Unpinning lets the service choose again; removing forgets the server.
    let unpinned = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "pinned".into(),
            unpin_schema: true,
            ..Default::default()
        })
        .await
        .expect("update")
        .into_inner();
    assert_eq!(unpinned.pinned_schema, "");
    assert_eq!(unpinned.schema, "generic-r4@2");
    admin
        .remove_fhir_server(pb::RemoveFhirServerRequest { id: "down".into() })
        .await
        .expect("remove");
    let status = admin
        .get_fhir_server(pb::GetFhirServerRequest { id: "down".into() })
        .await
        .expect_err("gone");
    assert_eq!(status.code(), Code::NotFound);

    // The registry survives a restart.
    let app = app.restart().await;
    let kf = servers(&app, &app.token)
        .get_fhir_server(pb::GetFhirServerRequest { id: "kf".into() })
        .await
        .expect("get after restart")
        .into_inner();
    assert_eq!(kf.schema, "ncpi-kids-first@2");
    app.stop().await;
}
on_both_stores!(admins_register_servers_and_the_service_chooses_schemas);

async fn only_admins_manage_servers(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let scopes: Vec<String> = ["projects", "import:write", "import:read", "files:read"]
        .map(str::to_owned)
        .to_vec();
    let (portal, _) = Accounts::new(store)
        .create_client("no admin", crate::common::HARNESS_USER, &[], &scopes)
        .await
        .expect("client");
    let token = app
        .issue_token(crate::common::HARNESS_USER, &portal.client_id, &[])
        .await;
    let status = servers(&app, &token)
        .list_fhir_servers(pb::ListFhirServersRequest {})
        .await
        .expect_err("not an admin");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(status.message().contains("admin"), "{}", status.message());
    app.stop().await;
}
on_both_stores!(only_admins_manage_servers);

async fn servers_in_the_configuration_file_are_registered_at_start(backend: Backend) {
    let stub = ncpi_stub().await;
    let configured = vec![ConfiguredFhirServer {
        server: ServerConfig {
            allow_private_addresses: true,
            ..ServerConfig::new("from-config", stub.base_url())
        },
        schema: None,
        allowed_projects: vec!["harness/*".into(), "ada/study".into()],
    }];
    let app = spawn_app_with(backend, |c| c.fhir_servers = configured).await;
    let server = servers(&app, &app.token)
        .get_fhir_server(pb::GetFhirServerRequest {
            id: "from-config".into(),
        })
        .await
        .expect("registered from the configuration")
        .into_inner();
    assert_eq!(server.schema, "ncpi-kids-first@2");
    assert_eq!(server.allowed_projects, ["harness/*", "ada/study"]);
    app.stop().await;
}
on_both_stores!(servers_in_the_configuration_file_are_registered_at_start);

async fn schemas_added_at_run_time_take_part_in_the_choice(backend: Backend) {
    let stub = ncpi_stub().await;
    let app = spawn_app(backend).await;
    let channel = app.channel_with(&app.token);
    // More specific than ncpi-kids-first: it also names the software.
    fhir_import::proto::v1::schema_service_client::SchemaServiceClient::new(channel)
        .put_schema(pb::PutSchemaRequest {
            source: "name: kf-service\nversion: 1\nmatch:\n  fhir_versions: [\"4.0\"]\n  software: [\"Kids First\"]\n  implementation_guides:\n    - https://ncpi-fhir.github.io/ncpi-fhir-ig/ImplementationGuide/NCPI-FHIR-Implementation-Guide\nkeys:\n  case_id:\n    expression: subject.resolve().identifier.where(use = 'official').value\n".into(),
        })
        .await
        .expect("put a schema");
    let mut admin = servers(&app, &app.token);
    let kf = admin
        .register_fhir_server(register("kf", &stub.base_url()))
        .await
        .expect("register")
        .into_inner();
    assert_eq!(kf.schema, "kf-service@1", "{}", kf.schema_reason);
    assert!(
        kf.schema_reason.contains("software"),
        "{}",
        kf.schema_reason
    );
    let mut pinned = register("pinned", &stub.base_url());
    pinned.schema = "kf-service@1".into();
    let pinned = admin
        .register_fhir_server(pinned)
        .await
        .expect("pin an added schema")
        .into_inner();
    assert_eq!(pinned.schema, "kf-service@1");
    app.stop().await;
}
on_both_stores!(schemas_added_at_run_time_take_part_in_the_choice);

async fn limits_are_set_read_back_and_checked(backend: Backend) {
    let stub = ncpi_stub().await;
    let app = spawn_app(backend).await;
    let mut admin = servers(&app, &app.token);
    let limits = |max_retries: Option<u32>, cooldown_ms: Option<u32>| pb::FhirServerLimits {
        max_concurrency: 2,
        timeout_ms: 1500,
        max_retries,
        cooldown_ms,
        ..Default::default()
    };
    let registered = admin
        .register_fhir_server(pb::RegisterFhirServerRequest {
            limits: Some(limits(Some(0), Some(0))),
            ..register("tuned", &stub.base_url())
        })
        .await
        .expect("register")
        .into_inner();
    let got = registered.limits.expect("limits");
    assert_eq!((got.max_concurrency, got.timeout_ms), (2, 1500));
    assert_eq!(
        (got.max_retries, got.cooldown_ms),
        (Some(0), Some(0)),
        "zero is a value here"
    );
    assert_eq!(got.requests_per_second, 20.0, "unset keeps the default");

    // Unset keeps what the server has; out of range is refused by name.
    let updated = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "tuned".into(),
            limits: Some(limits(None, Some(5_000))),
            ..Default::default()
        })
        .await
        .expect("update")
        .into_inner();
    let got = updated.limits.expect("limits");
    assert_eq!((got.max_retries, got.cooldown_ms), (Some(0), Some(5_000)));
    let refused = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "tuned".into(),
            limits: Some(limits(Some(11), None)),
            ..Default::default()
        })
        .await
        .expect_err("too many retries");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(
        refused.message().contains("limits.max_retries"),
        "{}",
        refused.message()
    );
    app.stop().await;
}
on_both_stores!(limits_are_set_read_back_and_checked);

/// Moving a server to another origin does not take its stored credentials
/// along (the next CapabilityStatement read would hand them to the new
/// host): the move states new ones, or none.
async fn credentials_do_not_follow_the_base_url_to_another_origin(backend: Backend) {
    let (first, elsewhere) = (ncpi_stub().await, ncpi_stub().await);
    let app = spawn_app(backend).await;
    let mut admin = servers(&app, &app.token);
    let mut request = register("kf", &first.base_url());
    request.auth = Some(pb::FhirServerAuth {
        method: Some(Method::Bearer(pb::BearerTokenAuth {
            token: "s3cret-fhir-token".into(),
        })),
    });
    admin.register_fhir_server(request).await.expect("register");

    // A change within the same origin keeps them.
    let same_origin = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "kf".into(),
            base_url: format!("{}/", first.base_url()),
            ..Default::default()
        })
        .await
        .expect("same origin")
        .into_inner();
    assert_eq!(same_origin.auth_kind, "bearer");

    let moved = |auth: Option<pb::FhirServerAuth>| pb::UpdateFhirServerRequest {
        id: "kf".into(),
        base_url: elsewhere.base_url(),
        auth,
        ..Default::default()
    };
    let refused = admin
        .update_fhir_server(moved(None))
        .await
        .expect_err("credentials would follow");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(
        refused.message().contains("give auth"),
        "{}",
        refused.message()
    );
    let authorizations = elsewhere.authorizations("/fhir/metadata");
    assert!(
        authorizations.iter().all(|a| a.is_none()),
        "the new host got {authorizations:?}"
    );
    let kept = admin
        .get_fhir_server(pb::GetFhirServerRequest { id: "kf".into() })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(kept.base_url, same_origin.base_url);

    // With its own credentials, or none, the move is made.
    let none = pb::FhirServerAuth { method: None };
    let updated = admin
        .update_fhir_server(moved(Some(none)))
        .await
        .expect("moved without credentials")
        .into_inner();
    assert_eq!(
        (updated.base_url.as_str(), updated.auth_kind.as_str()),
        (elsewhere.base_url().as_str(), "none")
    );
    app.stop().await;
}
on_both_stores!(credentials_do_not_follow_the_base_url_to_another_origin);

/// A one-document study on a real FHIR server, and its document to import.
async fn one_document_study() -> (SekmetServer, pb::DocumentInput) {
    let data = fhir_import::dataset::generate(
        7,
        &fhir_import::dataset::Shape {
            families: 1,
            ..Default::default()
        },
    );
    let sekmet = SekmetServer::start(Some(&data)).await;
    let document = crate::common::docs::input(&data.document_references[0]);
    (sekmet, document)
}

async fn import_naming(
    app: &TestApp,
    token: &str,
    project: &str,
    server: &str,
    document: &pb::DocumentInput,
) -> Result<pb::ImportDocumentsResponse, tonic::Status> {
    let messages = [
        crate::common::docs::header_message(crate::common::header_from(project, server)),
        crate::common::docs::document_message(document.clone()),
    ];
    ImportServiceClient::new(app.channel_with(token))
        .import_documents(tokio_stream::iter(messages))
        .await
        .map(|r| r.into_inner())
}

/// The service reads a FHIR server with its own credentials for it, so a
/// project may name a server only when an admin allowed it: otherwise
/// anyone who can sign up could read the server through the service (a
/// confused deputy).
async fn servers_are_open_only_to_the_projects_an_admin_allows(backend: Backend) {
    let (sekmet, document) = one_document_study().await;
    let app = spawn_app(backend).await;
    let mut admin = servers(&app, &app.token);
    let registered = admin
        .register_fhir_server(register("kf", sekmet.base_url()))
        .await
        .expect("register")
        .into_inner();
    assert!(registered.allowed_projects.is_empty(), "none by default");
    let study = app.create_project("study").await;

    let refused = import_naming(&app, &app.token, &study.slug, "kf", &document)
        .await
        .expect_err("no project may use a new server");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    for named in ["kf", "harness/study"] {
        assert!(refused.message().contains(named), "{}", refused.message());
    }
    assert!(
        app.newest_import(&study.slug).await.is_none(),
        "nothing was started"
    );

    // A stranger who signed up, with a project of their own.
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let accounts = Accounts::new(store);
    accounts.create_user("mallory", None).await.expect("user");
    let scopes: Vec<String> = ["projects", "import:write", "import:read", "files:read"]
        .map(str::to_owned)
        .to_vec();
    let (portal, _) = accounts
        .create_client("a portal", "mallory", &[], &scopes)
        .await
        .expect("client");
    let stranger = app.issue_token("mallory", &portal.client_id, &[]).await;
    let theirs = ProjectServiceClient::new(app.channel_with(&stranger))
        .create_project(pb::CreateProjectRequest {
            name: "probe".into(),
            description: String::new(),
        })
        .await
        .expect("their project")
        .into_inner();

    let bad = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "kf".into(),
            add_allowed_projects: vec!["harness/study".into(), "Not A Slug".into()],
            ..Default::default()
        })
        .await
        .expect_err("a pattern that names no project");
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(
        bad.message().contains("add_allowed_projects[1]"),
        "{}",
        bad.message()
    );
    let allowed = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "kf".into(),
            add_allowed_projects: vec!["harness/study".into()],
            ..Default::default()
        })
        .await
        .expect("allow one project")
        .into_inner();
    assert_eq!(allowed.allowed_projects, ["harness/study"]);

    let started = import_naming(&app, &app.token, &study.slug, "kf", &document)
        .await
        .expect("the allowed project imports");
    let finished = app.wait_until_finished(&started.import_id).await;
    assert_eq!(finished.state(), pb::ImportState::Completed);
    let files = app.all_files(&study.slug, &[]).await;
    assert_eq!(files[0].metadata_state(), pb::MetadataState::Complete);

    let refused = import_naming(&app, &stranger, &theirs.slug, "kf", &document)
        .await
        .expect_err("the stranger's project is not allowed");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert!(
        refused.message().contains("mallory/probe"),
        "{}",
        refused.message()
    );
    let other = app.create_project("other").await;
    assert_eq!(
        import_naming(&app, &app.token, &other.slug, "kf", &document)
            .await
            .expect_err("one project, not its owner's others")
            .code(),
        Code::PermissionDenied
    );

    // Taken back: new imports and rescrapes of the project are refused, and
    // a rescrape of every file fails each with the reason.
    admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "kf".into(),
            add_allowed_projects: vec!["harness/*".into()],
            remove_allowed_projects: vec!["harness/study".into()],
            ..Default::default()
        })
        .await
        .expect("allow every project of harness instead");
    import_naming(&app, &app.token, &other.slug, "kf", &document)
        .await
        .expect("every project of harness");
    let listed = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "kf".into(),
            remove_allowed_projects: vec!["harness/*".into()],
            ..Default::default()
        })
        .await
        .expect("take it back")
        .into_inner();
    assert!(listed.allowed_projects.is_empty());
    let rescrape = |selection| pb::RescrapeFilesRequest {
        project: study.slug.clone(),
        selection: Some(selection),
        metadata_states: vec![],
    };
    let refused = app
        .imports
        .clone()
        .rescrape_files(rescrape(pb::rescrape_files_request::Selection::ImportId(
            finished.id.clone(),
        )))
        .await
        .expect_err("rescrape of an import from kf");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    let all = app
        .imports
        .clone()
        .rescrape_files(rescrape(pb::rescrape_files_request::Selection::AllFiles(
            true,
        )))
        .await
        .expect("a rescrape of every file starts")
        .into_inner();
    let ended = app.wait_until_finished(&all.imports[0].id).await;
    assert_eq!(ended.state(), pb::ImportState::CompletedWithErrors);
    let items = app
        .imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: ended.id.clone(),
            ..Default::default()
        })
        .await
        .expect("items")
        .into_inner()
        .items;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].failure(), pb::ItemFailure::FhirServerNotAllowed);
    assert!(items[0].error.contains("harness/study"), "{:?}", items[0]);
    app.stop().await;
}
on_both_stores!(servers_are_open_only_to_the_projects_an_admin_allows);

/// The service calls public addresses only, unless a server's registration
/// says otherwise: a base_url or token_url on a loopback, private or
/// link-local address (named, or resolving to one) is refused with the
/// flag to set.
async fn private_addresses_need_the_registration_to_allow_them(backend: Backend) {
    let stub = ncpi_stub().await;
    let app = spawn_app(backend).await;
    let mut admin = servers(&app, &app.token);
    let private = |id: &str, base_url: String| pb::RegisterFhirServerRequest {
        allow_private_addresses: false,
        ..register(id, &base_url)
    };
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("host name");
    for (base_url, expected) in [
        (stub.base_url(), "base_url: 127.0.0.1 is a loopback"),
        (
            stub.base_url().replace("127.0.0.1", "localhost"),
            "base_url: localhost",
        ),
        (
            format!("https://{}:8443/fhir", host_name.trim()),
            "resolves to a loopback, private or link-local address",
        ),
    ] {
        let refused = admin
            .register_fhir_server(private("inside", base_url.clone()))
            .await
            .expect_err("a private address");
        assert_eq!(refused.code(), Code::InvalidArgument, "{base_url}");
        assert!(
            refused.message().contains(expected),
            "{base_url}: {}",
            refused.message()
        );
        assert!(
            refused.message().contains("allow_private_addresses"),
            "{}",
            refused.message()
        );
    }
    let mut metadata_thief = private("thief", "https://fhir.example.org/r4".into());
    metadata_thief.auth = Some(pb::FhirServerAuth {
        method: Some(Method::ClientCredentials(pb::ClientCredentialsAuth {
            token_url: "http://169.254.169.254/latest/meta-data/iam".into(),
            client_id: "x".into(),
            client_secret: "y".into(),
            scopes: vec![],
        })),
    });
    let refused = admin
        .register_fhir_server(metadata_thief)
        .await
        .expect_err("a token_url on a link-local address");
    assert!(
        refused
            .message()
            .contains("auth.token_url: 169.254.169.254"),
        "{}",
        refused.message()
    );

    // Allowed explicitly, shown, and taken back only where it still holds.
    let registered = admin
        .register_fhir_server(register("inside", &stub.base_url()))
        .await
        .expect("allowed explicitly")
        .into_inner();
    assert!(registered.allow_private_addresses);
    let refused = admin
        .update_fhir_server(pb::UpdateFhirServerRequest {
            id: "inside".into(),
            allow_private_addresses: Some(false),
            ..Default::default()
        })
        .await
        .expect_err("its base_url is on loopback");
    assert_eq!(refused.code(), Code::InvalidArgument);
    app.stop().await;
}
on_both_stores!(private_addresses_need_the_registration_to_allow_them);
