//! Token exchange (RFC 8693) with an identity provider the test runs
//! itself, and that provider's tokens used directly on gRPC where the
//! operator allows it: keys from its JWKS (fetched once more for a new
//! `kid`, not for every made-up one), subjects mapped to platform users.

use crate::common::browser::http;
use crate::common::idp::IdentityProvider;
use crate::common::logs::captured_logs;
use crate::common::{docs, spawn_app_with, Backend, TestApp};
use fhir_import::domain::account::Username;
use fhir_import::proto::v1::{
    self as pb, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};
use fhir_import::{auth::accounts::Accounts, store::Store};
use serde_json::{json, Value};
use tonic::Code;

const EXCHANGE_ONLY: &str = "http://idp.test";
const DIRECT: &str = "http://idp-direct.test";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

struct Portal {
    client_id: String,
    secret: String,
}

async fn setup(backend: Backend) -> (TestApp, IdentityProvider, Portal, Store) {
    let idp = IdentityProvider::start().await;
    let mut direct = idp.trusted_as(DIRECT);
    direct.accept_on_grpc = true;
    direct.grpc_scopes = vec!["projects".into(), "import:read".into()];
    direct.create_users = true;
    direct.jwks_refetch_cooldown_secs = 60;
    let issuers = vec![idp.trusted_as(EXCHANGE_ONLY), direct];
    let app = spawn_app_with(backend, |c| c.auth.external_issuers = issuers).await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let accounts = Accounts::new(store.clone());
    accounts.create_user("carol", None).await.expect("user");
    let scopes = ["projects", "import:write", "import:read"].map(str::to_owned);
    let (client, secret) = accounts
        .create_client("Kids First portal", "carol", &[], &scopes)
        .await
        .expect("client");
    store
        .link_identity(
            EXCHANGE_ONLY,
            "idp-user-1",
            &Username::parse("carol").expect("name"),
            false,
        )
        .await
        .expect("link");
    let portal = Portal {
        client_id: client.client_id,
        secret: secret.expose().to_owned(),
    };
    (app, idp, portal, store)
}

/// The claims of a provider token that allows everything a portal here
/// may do.
fn everything() -> Value {
    json!({"scope": "projects import:write import:read files:read"})
}

/// POSTs a token exchange; RFC 8693 is not in the oauth2 crate, so this is
/// the plain form a portal sends.
async fn exchange(
    app: &TestApp,
    portal: &Portal,
    subject_token: &str,
    scope: &str,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", EXCHANGE),
        ("subject_token", subject_token),
        ("subject_token_type", JWT_TYPE),
    ];
    if !scope.is_empty() {
        form.push(("scope", scope));
    }
    let response = http()
        .post(format!("{}/oauth/token", app.endpoint()))
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(&form)
        .send()
        .await
        .expect("token endpoint");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn portals_exchange_a_users_provider_token_for_ours(backend: Backend) {
    let logs = captured_logs();
    let (app, mut idp, portal, _store) = setup(backend).await;

    let provider_token = idp.token(EXCHANGE_ONLY, "idp-user-1", everything());
    let (status, body) = exchange(&app, &portal, &provider_token, "projects import:write").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "projects import:write");
    assert!(body.get("refresh_token").is_none());
    let ours = body["access_token"].as_str().expect("token").to_owned();

    // The token acts for carol: she creates a project and imports into it.
    let mut projects = ProjectServiceClient::new(app.channel_with(&ours));
    let project = projects
        .create_project(pb::CreateProjectRequest {
            name: "exchanged".into(),
            description: String::new(),
        })
        .await
        .expect("create project")
        .into_inner();
    assert_eq!(project.slug, "carol/exchanged");
    let messages = vec![
        docs::header_message(crate::common::header(&project.slug)),
        docs::document_message(docs::input(&docs::document(1))),
    ];
    let imported = ImportServiceClient::new(app.channel_with(&ours))
        .import_documents(tokio_stream::iter(messages))
        .await
        .expect("import")
        .into_inner();
    assert_eq!(imported.accepted, 1);

    // Exchanged tokens never exceed the portal's scopes.
    let (status, body) = exchange(&app, &portal, &provider_token, "files:read").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );

    // The provider rotates its key: the first token with the new kid makes
    // the server fetch the JWKS once more, and is accepted.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let fetches = idp.jwks_fetches();
    idp.rotate();
    let rotated = idp.token(EXCHANGE_ONLY, "idp-user-1", everything());
    let (status, body) = exchange(&app, &portal, &rotated, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(idp.jwks_fetches(), fetches + 1);

    // Neither token nor the portal's secret reaches the logs.
    let logged = logs.text();
    assert!(
        logged.contains("issued an access token"),
        "the logs were captured"
    );
    for secret in [&provider_token, &rotated, &ours, &portal.secret] {
        let tail = &secret[secret.len() - 16..];
        assert!(!logged.contains(tail), "a secret was logged");
    }

    app.stop().await;
}
on_both_stores!(portals_exchange_a_users_provider_token_for_ours);

async fn provider_tokens_that_do_not_hold_are_refused(backend: Backend) {
    let (app, idp, portal, _store) = setup(backend).await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (
            "expired",
            idp.sign(&json!({"iss": EXCHANGE_ONLY, "sub": "idp-user-1", "aud": "fhir-import", "exp": now - 600})),
            "expired",
        ),
        (
            "another audience",
            idp.token(EXCHANGE_ONLY, "idp-user-1", json!({"aud": "someone-else"})),
            "aud",
        ),
        (
            "an untrusted issuer",
            idp.token("http://evil.test", "idp-user-1", everything()),
            "not trusted",
        ),
        (
            "a subject linked to nobody",
            idp.token(EXCHANGE_ONLY, "stranger", everything()),
            "link-identity",
        ),
        ("not a JWT", "garbage".to_owned(), "well-formed"),
    ];
    for (what, token, says) in cases {
        let (status, body) = exchange(&app, &portal, &token, "").await;
        assert_eq!(status, 400, "{what}: {body}");
        assert_eq!(body["error"], "invalid_grant", "{what}: {body}");
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(description.contains(says), "{what}: {description}");
    }

    // A wrong client secret is refused before the token is looked at.
    let wrong = Portal {
        client_id: portal.client_id.clone(),
        secret: "nope".into(),
    };
    let good = idp.token(EXCHANGE_ONLY, "idp-user-1", everything());
    let (status, body) = exchange(&app, &wrong, &good, "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    app.stop().await;
}
on_both_stores!(provider_tokens_that_do_not_hold_are_refused);

async fn provider_tokens_work_on_grpc_only_where_allowed(backend: Backend) {
    let (app, idp, _portal, store) = setup(backend).await;
    let list = |token: String| {
        let mut projects = ProjectServiceClient::new(app.channel_with(&token));
        async move {
            projects
                .list_projects(pb::ListProjectsRequest::default())
                .await
        }
    };

    // Exchange-only provider: refused on gRPC, and told where to go.
    let status = list(idp.token(EXCHANGE_ONLY, "idp-user-1", json!({"scope": "projects"})))
        .await
        .expect_err("exchange only");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(
        status.message().contains("token exchange"),
        "{}",
        status.message()
    );

    // Direct provider: a first-time subject becomes a user named by its
    // preferred_username, with the token's scopes narrowed to those allowed.
    let token = idp.token(
        DIRECT,
        "direct-1",
        json!({"scope": "projects import:write", "preferred_username": "Dana"}),
    );
    list(token.clone()).await.expect("projects is allowed");
    assert!(store.find_user("dana").await.expect("store").is_some());
    let messages = vec![docs::header_message(crate::common::header("dana/x"))];
    let status = ImportServiceClient::new(app.channel_with(&token))
        .import_documents(tokio_stream::iter(messages))
        .await
        .expect_err("import:write is not allowed directly");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().contains("import:write"),
        "{}",
        status.message()
    );

    // A preferred_username that names an existing, unlinked user does not
    // take that account over.
    let status = list(idp.token(
        DIRECT,
        "direct-2",
        json!({"scope": "projects", "preferred_username": "carol"}),
    ))
    .await
    .expect_err("no takeover");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(
        status.message().contains("already exists"),
        "{}",
        status.message()
    );

    // Signed by keys the provider never published: refused, and made-up
    // key ids do not make the server fetch the JWKS again and again.
    let fetches = idp.jwks_fetches();
    for _ in 0..3 {
        let forged = idp.sign_with_unpublished_key(&json!({
            "iss": DIRECT, "sub": "direct-1", "aud": "fhir-import", "scope": "projects",
            "exp": chrono::Utc::now().timestamp() + 300,
        }));
        let status = list(forged).await.expect_err("forged");
        assert_eq!(status.code(), Code::Unauthenticated);
        assert!(status.message().contains("key"), "{}", status.message());
    }
    assert_eq!(idp.jwks_fetches(), fetches, "within the cooldown");
    app.stop().await;
}
on_both_stores!(provider_tokens_work_on_grpc_only_where_allowed);

/// A token exchange never gives a portal more than the user's token at the
/// provider allowed: the portal's scopes narrowed to the subject token's
/// `scope` claim and to the issuer's `exchange_scopes`; and when the issuer
/// lists `allowed_azp`, only tokens issued to those portals are exchanged.
async fn exchanged_tokens_carry_no_more_than_the_subject_token(backend: Backend) {
    let idp = IdentityProvider::start().await;
    let mut capped = idp.trusted_as(EXCHANGE_ONLY);
    capped.exchange_scopes = vec!["projects".into(), "import:read".into()];
    let mut pinned = idp.trusted_as(DIRECT);
    pinned.allowed_azp = vec!["kf-portal".into()];
    pinned.accept_on_grpc = true;
    pinned.grpc_scopes = vec!["projects".into()];
    let issuers = vec![capped, pinned];
    let app = spawn_app_with(backend, |c| c.auth.external_issuers = issuers).await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let accounts = Accounts::new(store.clone());
    accounts.create_user("carol", None).await.expect("user");
    let scopes = ["projects", "import:write", "import:read"].map(str::to_owned);
    let (client, secret) = accounts
        .create_client("Kids First portal", "carol", &[], &scopes)
        .await
        .expect("client");
    let carol = Username::parse("carol").expect("name");
    for issuer in [EXCHANGE_ONLY, DIRECT] {
        store
            .link_identity(issuer, "idp-user-1", &carol, false)
            .await
            .expect("link");
    }
    let portal = Portal {
        client_id: client.client_id,
        secret: secret.expose().to_owned(),
    };
    let token = |issuer: &str, claims: Value| idp.token(issuer, "idp-user-1", claims);

    // A read-only subject token gives a read-only token, whatever the
    // portal may do, and asking for more is refused by name.
    let (status, body) = exchange(
        &app,
        &portal,
        &token(EXCHANGE_ONLY, json!({"scope": "import:read openid"})),
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "import:read");
    let (status, body) = exchange(
        &app,
        &portal,
        &token(EXCHANGE_ONLY, json!({"scope": "import:read"})),
        "import:write",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope")),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .expect("why")
            .contains("import:write"),
        "{body}"
    );

    // The issuer's cap holds even when its token says more.
    let (status, body) = exchange(
        &app,
        &portal,
        &token(
            EXCHANGE_ONLY,
            json!({"scope": "projects import:write import:read"}),
        ),
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "projects import:read");

    // A token with none of our scopes (only OpenID ones, or none) gets none.
    for claims in [json!({"scope": "openid profile"}), json!({})] {
        let (status, body) = exchange(&app, &portal, &token(EXCHANGE_ONLY, claims), "").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{body}"
        );
    }

    // allowed_azp: tokens issued to another portal, or to none said, are
    // not exchanged.
    for claims in [
        json!({"scope": "projects", "azp": "someone-else"}),
        json!({"scope": "projects"}),
    ] {
        let (status, body) = exchange(&app, &portal, &token(DIRECT, claims), "").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
    let (status, body) = exchange(
        &app,
        &portal,
        &token(DIRECT, json!({"scope": "projects", "azp": "kf-portal"})),
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "projects");
    app.stop().await;
}
on_both_stores!(exchanged_tokens_carry_no_more_than_the_subject_token);
