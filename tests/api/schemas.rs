//! The schema catalog as an administrator sees it over gRPC: the shipped
//! schemas are listed and read-only, new versions are added and only ever
//! go up, a bad document is refused at the path of what is wrong, and all
//! of it needs the `admin` scope.

use std::time::Duration;

use crate::common::{spawn_app, Authed, Backend, TestApp, HARNESS_USER};
use fhir_import::auth::{jwt::TokenIssuer, signing::load_key_ring};
use fhir_import::proto::v1::{self as pb, schema_service_client::SchemaServiceClient};
use fhir_import::store::Store;
use tonic::Code;

/// A SchemaService client sending `token`.
fn schemas_client(app: &TestApp, token: &str) -> SchemaServiceClient<Authed> {
    SchemaServiceClient::new(app.channel_with(token))
}

/// A token for the harness user carrying only `scopes`.
async fn token_with(app: &TestApp, scopes: &[&str]) -> String {
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let keys = load_key_ring(&store, Duration::from_secs(900))
        .await
        .expect("keys");
    store.close().await;
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    TokenIssuer::new(app.endpoint(), "fhir-import", Duration::from_secs(900))
        .issue(&keys, HARNESS_USER, &app.client_id, &scopes, None)
        .expect("issue")
        .0
}

fn document(name: &str, version: u32, key_expression: &str) -> String {
    format!(
        "name: {name}\nversion: {version}\ndescription: Lab notes\n\
         match:\n  fhir_versions: [\"4.0\"]\n  software: [HAPI]\n\
         keys:\n  case_id:\n    expression: {key_expression:?}\n  status:\n    expression: status\n"
    )
}

async fn put(
    client: &mut SchemaServiceClient<Authed>,
    source: &str,
) -> Result<pb::SchemaInfo, tonic::Status> {
    client
        .put_schema(pb::PutSchemaRequest {
            source: source.to_owned(),
        })
        .await
        .map(|r| r.into_inner())
}

async fn get(
    client: &mut SchemaServiceClient<Authed>,
    name: &str,
    version: u32,
) -> Result<pb::SchemaInfo, tonic::Status> {
    client
        .get_schema(pb::GetSchemaRequest {
            name: name.to_owned(),
            version,
        })
        .await
        .map(|r| r.into_inner())
}

async fn list(client: &mut SchemaServiceClient<Authed>, name: &str) -> Vec<String> {
    client
        .list_schemas(pb::ListSchemasRequest {
            name: name.to_owned(),
        })
        .await
        .expect("list schemas")
        .into_inner()
        .schemas
        .into_iter()
        .map(|s| s.id)
        .collect()
}

async fn the_shipped_schemas_are_listed_and_read_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(app.channel.clone());
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "fhir_import.v1.SchemaService".into(),
        })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(
        status.status(),
        tonic_health::pb::health_check_response::ServingStatus::Serving
    );
    let mut schemas = schemas_client(&app, &app.token);

    let listed = schemas
        .list_schemas(pb::ListSchemasRequest::default())
        .await
        .expect("list")
        .into_inner()
        .schemas;
    let ids: Vec<(&str, bool)> = listed.iter().map(|s| (s.id.as_str(), s.builtin)).collect();
    assert_eq!(ids, [("generic-r4@2", true), ("ncpi-kids-first@2", true)]);
    let kids_first = &listed[1];
    assert!(kids_first.source.is_empty(), "lists leave the text out");
    assert!(kids_first.keys.iter().any(|k| k == "case_id"));
    assert_eq!(kids_first.searches.len(), 4);
    let rules = kids_first.match_rules.as_ref().expect("match rules");
    assert!(
        rules
            .summary
            .starts_with("fhir_versions: 4.0; implementation_guides: https://"),
        "{}",
        rules.summary
    );
    assert!(kids_first.create_time.is_none() && kids_first.created_by.is_empty());

    let shipped = get(&mut schemas, "generic-r4", 0).await.expect("get");
    assert!(shipped.builtin);
    assert!(
        shipped.source.contains("name: generic-r4"),
        "{}",
        shipped.source
    );

    let status = put(&mut schemas, &document("generic-r4", 2, "id"))
        .await
        .expect_err("a shipped version cannot be replaced");
    assert_eq!(status.code(), Code::AlreadyExists, "{status:?}");
    assert!(
        status.message().contains("generic-r4@2"),
        "{}",
        status.message()
    );

    let status = get(&mut schemas, "no-such-schema", 0)
        .await
        .expect_err("missing");
    assert_eq!(status.code(), Code::NotFound);
    let status = get(&mut schemas, "generic-r4", 9)
        .await
        .expect_err("missing");
    assert_eq!(status.code(), Code::NotFound);
    assert!(
        status.message().contains("generic-r4@9"),
        "{}",
        status.message()
    );
    app.stop().await;
}
on_both_stores!(the_shipped_schemas_are_listed_and_read_only);

async fn versions_are_added_and_only_go_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut schemas = schemas_client(&app, &app.token);

    let put_v2 = put(&mut schemas, &document("lab-notes", 2, "subject.reference"))
        .await
        .expect("a new schema");
    assert_eq!(put_v2.id, "lab-notes@2");
    assert!(!put_v2.builtin);
    assert_eq!(put_v2.created_by, HARNESS_USER);
    assert!(put_v2.create_time.is_some());
    assert_eq!(put_v2.keys, ["case_id", "status"]);
    assert_eq!(put_v2.description, "Lab notes");
    assert_eq!(
        put_v2.match_rules.expect("rules").summary,
        "fhir_versions: 4.0; software: HAPI"
    );

    let status = put(&mut schemas, &document("lab-notes", 2, "id"))
        .await
        .expect_err("the same version again");
    assert_eq!(status.code(), Code::AlreadyExists, "{status:?}");
    assert!(
        status.message().contains("lab-notes@2"),
        "{}",
        status.message()
    );

    let status = put(&mut schemas, &document("lab-notes", 1, "id"))
        .await
        .expect_err("a lower version");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(
        status.message().contains("lab-notes@2"),
        "{}",
        status.message()
    );

    let status = put(
        &mut schemas,
        &document("lab-notes", 3, "identifier.where(use = )"),
    )
    .await
    .expect_err("a bad expression");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().starts_with("keys.case_id.expression: "),
        "{}",
        status.message()
    );
    let status = put(&mut schemas, "name: [").await.expect_err("not YAML");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");

    // JSON is YAML too.
    let json =
        r#"{"name": "lab-notes", "version": 3, "keys": {"status": {"expression": "status"}}}"#;
    put(&mut schemas, json).await.expect("a JSON document");

    let latest = get(&mut schemas, "lab-notes", 0).await.expect("latest");
    assert_eq!(
        (latest.id.as_str(), latest.source.as_str()),
        ("lab-notes@3", json)
    );
    let older = get(&mut schemas, "lab-notes", 2).await.expect("v2");
    assert_eq!(older.source, document("lab-notes", 2, "subject.reference"));

    assert_eq!(
        list(&mut schemas, "").await,
        ["generic-r4@2", "lab-notes@3", "ncpi-kids-first@2"]
    );
    assert_eq!(
        list(&mut schemas, "lab-notes").await,
        ["lab-notes@3", "lab-notes@2"]
    );
    put(&mut schemas, &document("generic-r4", 3, "id"))
        .await
        .expect("a newer version of a shipped schema");
    assert_eq!(
        list(&mut schemas, "generic-r4").await,
        ["generic-r4@3", "generic-r4@2", "generic-r4@1"]
    );
    let status = schemas
        .list_schemas(pb::ListSchemasRequest {
            name: "no-such-schema".into(),
        })
        .await
        .expect_err("unknown name");
    assert_eq!(status.code(), Code::NotFound);

    // Stored versions survive a restart.
    let app = app.restart().await;
    let mut schemas = schemas_client(&app, &app.token);
    let latest = get(&mut schemas, "lab-notes", 0)
        .await
        .expect("after restart");
    assert_eq!(latest.source, json);
    assert_eq!(
        list(&mut schemas, "").await,
        ["generic-r4@3", "lab-notes@3", "ncpi-kids-first@2"]
    );
    let status = put(&mut schemas, &document("lab-notes", 3, "id"))
        .await
        .expect_err("still taken after a restart");
    assert_eq!(status.code(), Code::AlreadyExists);
    app.stop().await;
}
on_both_stores!(versions_are_added_and_only_go_up);

async fn every_schema_call_needs_the_admin_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = token_with(
        &app,
        &["projects", "import:read", "import:write", "files:read"],
    )
    .await;
    let mut schemas = schemas_client(&app, &token);

    let refused = [
        put(&mut schemas, &document("lab-notes", 1, "id"))
            .await
            .err(),
        get(&mut schemas, "generic-r4", 0).await.err(),
        schemas
            .list_schemas(pb::ListSchemasRequest::default())
            .await
            .err(),
    ];
    for status in refused {
        let status = status.expect("refused");
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
        assert!(status.message().contains("`admin`"), "{}", status.message());
    }

    // Nothing was stored by the refused put.
    let mut admin = schemas_client(&app, &app.token);
    let status = get(&mut admin, "lab-notes", 0)
        .await
        .expect_err("not stored");
    assert_eq!(status.code(), Code::NotFound);
    let token = token_with(&app, &["admin"]).await;
    get(&mut schemas_client(&app, &token), "generic-r4", 1)
        .await
        .expect("admin alone is enough");
    app.stop().await;
}
on_both_stores!(every_schema_call_needs_the_admin_scope);
