//! With `auth.require_tokens` on, every API call is checked before any
//! handler runs: the token, the advance-access header, the scope of the
//! method, and the caller's role in the project. Each refusal has the code
//! a portal developer can act on.

use std::time::Duration;

use crate::common::{docs, spawn_app, Backend, TestApp};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use fhir_import::auth::accounts::Accounts;
use fhir_import::auth::{
    jwt::TokenIssuer,
    keys::{KeyRing, SigningKey},
    signing::load_key_ring,
};
use fhir_import::proto::v1::{
    self as pb, import_service_client::ImportServiceClient,
    project_service_client::ProjectServiceClient,
};
use fhir_import::store::Store;
use jsonwebtoken::{EncodingKey, Header};
use tonic::{Code, Request};

const ALL: [&str; 4] = ["import:write", "import:read", "files:read", "projects"];

struct Tokens {
    issuer: String,
    keys: KeyRing,
    store: Store,
    client_id: String,
}

impl Tokens {
    async fn new(app: &TestApp) -> Self {
        // Once the server answers, its signing key is stored.
        let mut health = tonic_health::pb::health_client::HealthClient::new(app.channel.clone());
        health
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await
            .expect("the server is up");
        let store = Store::connect(&app.database_url, 2).await.expect("store");
        let keys = load_key_ring(&store, Duration::from_secs(900))
            .await
            .expect("keys");
        let accounts = Accounts::new(store.clone());
        accounts
            .create_user("portal-owner", None)
            .await
            .expect("owner");
        let scopes: Vec<String> = ALL.iter().map(|s| (*s).to_owned()).collect();
        let (client, _secret) = accounts
            .create_client("Kids First portal", "portal-owner", &[], &scopes)
            .await
            .expect("client");
        Self {
            issuer: app.endpoint(),
            keys,
            store,
            client_id: client.client_id,
        }
    }

    /// A token as the server issues it (same keys, issuer and audience).
    fn issue(&self, subject: &str, client_id: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        TokenIssuer::new(self.issuer.clone(), "fhir-import", Duration::from_secs(900))
            .issue(&self.keys, subject, client_id, &scopes, None)
            .expect("issue")
            .0
    }

    fn for_user(&self, user: &str, scopes: &[&str]) -> String {
        self.issue(user, &self.client_id, scopes)
    }
}

fn call<T>(message: T, token: Option<&str>, advance: bool) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token {
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    if advance {
        request
            .metadata_mut()
            .insert("x-sbg-advance-access", "advance".parse().expect("header"));
    }
    request
}

async fn list_projects(
    app: &TestApp,
    token: Option<&str>,
    advance: bool,
) -> Result<Vec<String>, tonic::Status> {
    ProjectServiceClient::new(app.channel.clone())
        .list_projects(call(pb::ListProjectsRequest::default(), token, advance))
        .await
        .map(|r| {
            r.into_inner()
                .projects
                .into_iter()
                .map(|p| p.slug)
                .collect()
        })
}

fn refused(result: Result<Vec<String>, tonic::Status>, code: Code, hint: &str) {
    let status = result.expect_err("refused");
    assert_eq!(status.code(), code, "{}", status.message());
    assert!(
        status.message().contains(hint),
        "{:?} should mention {hint:?}",
        status.message()
    );
}

/// A JWT with any header and claims, signed as `sign` says.
fn forged(header: serde_json::Value, claims: serde_json::Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

async fn bad_tokens_are_refused_before_any_handler(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = Tokens::new(&app).await;
    let good = tokens.for_user("alice", &ALL);
    assert!(list_projects(&app, Some(&good), true).await.is_ok());

    refused(
        list_projects(&app, None, true).await,
        Code::Unauthenticated,
        "Bearer",
    );
    refused(
        list_projects(&app, Some("not-a-jwt"), true).await,
        Code::Unauthenticated,
        "refused",
    );

    // Signed by a key this server does not have (same kid, other key).
    let signer_kid = tokens.keys.jwks()["keys"][0]["kid"]
        .as_str()
        .expect("kid")
        .to_owned();
    let mut stranger = SigningKey::generate().expect("key");
    stranger.kid = signer_kid.clone();
    let stranger_ring = KeyRing::new(vec![stranger], Duration::from_secs(900)).expect("ring");
    let foreign = TokenIssuer::new(
        tokens.issuer.clone(),
        "fhir-import",
        Duration::from_secs(900),
    )
    .issue(
        &stranger_ring,
        "alice",
        "fic_portal",
        &ALL.map(String::from),
        None,
    )
    .expect("issue")
    .0;
    refused(
        list_projects(&app, Some(&foreign), true).await,
        Code::Unauthenticated,
        "refused",
    );
    // A key id this server never had: said, with what to do.
    let mut unknown_ring = SigningKey::generate().expect("key");
    unknown_ring.kid = "kid-from-another-store".into();
    let other_store = TokenIssuer::new(
        tokens.issuer.clone(),
        "fhir-import",
        Duration::from_secs(900),
    )
    .issue(
        &KeyRing::new(vec![unknown_ring], Duration::from_secs(900)).expect("ring"),
        "alice",
        "fic_portal",
        &ALL.map(String::from),
        None,
    )
    .expect("issue")
    .0;
    for hint in ["key kid-from-another-store", "another server or store"] {
        refused(
            list_projects(&app, Some(&other_store), true).await,
            Code::Unauthenticated,
            hint,
        );
    }

    let now = chrono::Utc::now().timestamp();
    let claims = |iss: &str, aud: &str, exp: i64| {
        serde_json::json!({"iss": iss, "sub": "alice", "client_id": tokens.client_id, "aud": aud,
            "scope": ALL.join(" "), "iat": now - 10, "nbf": now - 10, "exp": exp, "jti": "j1"})
    };
    let header = |alg: &str| serde_json::json!({"alg": alg, "typ": "at+jwt", "kid": signer_kid});
    // alg: none, unsigned.
    let none = forged(
        header("none"),
        claims(&tokens.issuer, "fhir-import", now + 600),
        b"",
    );
    refused(
        list_projects(&app, Some(&none), true).await,
        Code::Unauthenticated,
        "refused",
    );
    // HS256 "signed" with the server's public key as the HMAC secret.
    let public_x = tokens.keys.jwks()["keys"][0]["x"]
        .as_str()
        .expect("x")
        .to_owned();
    let mut hs_header = Header::new(jsonwebtoken::Algorithm::HS256);
    hs_header.kid = Some(signer_kid.clone());
    hs_header.typ = Some("at+jwt".into());
    for secret in [
        public_x.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(&public_x).expect("x"),
    ] {
        let confused = jsonwebtoken::encode(
            &hs_header,
            &claims(&tokens.issuer, "fhir-import", now + 600),
            &EncodingKey::from_secret(&secret).expect("hmac key"),
        )
        .expect("hs256");
        refused(
            list_projects(&app, Some(&confused), true).await,
            Code::Unauthenticated,
            "refused",
        );
    }
    // Expired, wrong audience, wrong issuer: real signatures, wrong claims.
    let pem = tokens
        .store
        .signing_keys()
        .await
        .expect("keys")
        .remove(0)
        .private_pem;
    let sign = |claims: serde_json::Value| {
        let mut header = Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some(signer_kid.clone());
        header.typ = Some("at+jwt".into());
        jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_ed_pem(pem.as_bytes()).expect("pem"),
        )
        .expect("sign")
    };
    // Each refusal says what was expected, what came, and what to do.
    let expired = sign(claims(&tokens.issuer, "fhir-import", now - 3600));
    for hint in ["expired 36", "s ago", "fhir-import login"] {
        refused(
            list_projects(&app, Some(&expired), true).await,
            Code::Unauthenticated,
            hint,
        );
    }
    let wrong_aud = sign(claims(&tokens.issuer, "another-service", now + 600));
    for hint in ["for audience another-service", "accepts \"fhir-import\""] {
        refused(
            list_projects(&app, Some(&wrong_aud), true).await,
            Code::Unauthenticated,
            hint,
        );
    }
    let wrong_iss = sign(claims("https://evil.example.org", "fhir-import", now + 600));
    let this_server = format!("this server is {:?}", tokens.issuer);
    for hint in [
        "issued by \"https://evil.example.org\"",
        this_server.as_str(),
        "issue it against this server's own settings",
    ] {
        refused(
            list_projects(&app, Some(&wrong_iss), true).await,
            Code::Unauthenticated,
            hint,
        );
    }
    assert!(list_projects(
        &app,
        Some(&sign(claims(&tokens.issuer, "fhir-import", now + 600))),
        true
    )
    .await
    .is_ok());

    // The advance-access header is required, and named when missing.
    refused(
        list_projects(&app, Some(&good), false).await,
        Code::FailedPrecondition,
        "x-sbg-advance-access: advance",
    );

    // A revoked token, and any token of a revoked client, stop working.
    let revoked = tokens.for_user("alice", &ALL);
    let jti = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&revoked)
        .expect("claims")
        .claims["jti"]
        .as_str()
        .expect("jti")
        .to_owned();
    assert!(list_projects(&app, Some(&revoked), true).await.is_ok());
    tokens
        .store
        .revoke_access_token(&jti, chrono::Utc::now() + chrono::Duration::minutes(15))
        .await
        .expect("revoke");
    refused(
        list_projects(&app, Some(&revoked), true).await,
        Code::Unauthenticated,
        "revoked",
    );
    Accounts::new(tokens.store.clone())
        .revoke_client(&tokens.client_id)
        .await
        .expect("revoke client");
    refused(
        list_projects(&app, Some(&good), true).await,
        Code::Unauthenticated,
        "client",
    );

    // Health stays open.
    let mut health = tonic_health::pb::health_client::HealthClient::new(app.channel.clone());
    health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health needs no token");
    app.stop().await;
}
on_both_stores!(bad_tokens_are_refused_before_any_handler);

async fn scopes_and_project_roles_bound_what_a_token_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = Tokens::new(&app).await;
    let accounts = Accounts::new(tokens.store.clone());
    for user in ["alice", "bob"] {
        accounts.create_user(user, None).await.expect("user");
    }
    let alice = tokens.for_user("alice", &ALL);
    let bob = tokens.for_user("bob", &ALL);

    let mut projects = ProjectServiceClient::new(app.channel.clone());
    let bobs = projects
        .create_project(call(
            pb::CreateProjectRequest {
                name: "bobs".into(),
                description: String::new(),
            },
            Some(&bob),
            true,
        ))
        .await
        .expect("bob creates a project")
        .into_inner();
    assert_eq!(bobs.slug, "bob/bobs");

    let import = |token: &str, project: &str| {
        let mut client = ImportServiceClient::new(app.channel.clone());
        let token = token.to_owned();
        let project = project.to_owned();
        async move {
            let messages = vec![
                docs::header_message(crate::common::header(&project)),
                docs::document_message(docs::input(&docs::document(1))),
            ];
            client
                .import_documents(call(tokio_stream::iter(messages), Some(&token), true))
                .await
                .map(|r| r.into_inner())
        }
    };

    // Alice cannot see Bob's project at all.
    let status = import(&alice, &bobs.slug).await.expect_err("not hers");
    assert_eq!(status.code(), Code::NotFound);

    // As a reader she may look but not import, and is told which role is needed.
    accounts
        .add_member(&bobs.slug, "alice", "read")
        .await
        .expect("member");
    let status = import(&alice, &bobs.slug)
        .await
        .expect_err("readers do not import");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().contains("read") && status.message().contains("write"),
        "{}",
        status.message()
    );
    let seen = projects
        .get_project(call(
            pb::GetProjectRequest {
                project: bobs.slug.clone(),
            },
            Some(&alice),
            true,
        ))
        .await
        .expect("readers see the project");
    assert_eq!(seen.into_inner().id, bobs.id);
    let listed = projects
        .list_projects(call(pb::ListProjectsRequest::default(), Some(&alice), true))
        .await
        .expect("alice lists her projects")
        .into_inner();
    assert_eq!(
        listed
            .projects
            .iter()
            .map(|p| p.slug.as_str())
            .collect::<Vec<_>>(),
        vec!["bob/bobs"],
        "the projects she is a member of are listed"
    );

    // As a writer she imports; the import records who started it.
    accounts
        .add_member(&bobs.slug, "alice", "write")
        .await
        .expect("member");
    let response = import(&alice, &bobs.slug).await.expect("writers import");
    assert_eq!(response.accepted, 1);
    assert_eq!(response.import.expect("import").created_by, "alice");

    // A token without import:write cannot import, whatever the role.
    let reader_token = tokens.for_user("bob", &["import:read", "projects"]);
    let status = import(&reader_token, &bobs.slug).await.expect_err("scope");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().contains("import:write"),
        "{}",
        status.message()
    );

    // A portal's own token (client credentials) acts for no user.
    let portal_only = tokens.issue(&tokens.client_id, &tokens.client_id, &ALL);
    refused(
        list_projects(&app, Some(&portal_only), true).await,
        Code::PermissionDenied,
        "no user",
    );
    app.stop().await;
}
on_both_stores!(scopes_and_project_roles_bound_what_a_token_does);
