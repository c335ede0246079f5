//! The authorization server's HTTP side, driven by the `oauth2` crate as a
//! portal's standard client would: discovery, client credentials with both
//! client authentication methods, refusals, and tokens that verify against
//! the published JWKS across a restart. Nothing secret reaches the logs.

use crate::common::{spawn_app, Backend, TestApp};
use fhir_import::{auth::accounts::Accounts, store::Store};
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use oauth2::{
    basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse},
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, IntrospectionUrl, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use serde_json::Value;

/// The name the test portal registers under; the consent page shows it.
const PORTAL: &str = "Kids First portal";

struct Portal {
    client_id: String,
    secret: String,
}

const REDIRECT: &str = "http://127.0.0.1:9/callback";

async fn register_portal(app: &TestApp, scopes: &[&str]) -> Portal {
    let store = Store::connect(&app.database_url, 2).await.expect("store");
    let accounts = Accounts::new(store);
    if accounts
        .create_user("alice", Some("correct horse battery"))
        .await
        .is_err()
    {
        // alice exists from an earlier registration in this test
    }
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    let (client, secret) = accounts
        .create_client(PORTAL, "alice", &[REDIRECT.to_owned()], &scopes)
        .await
        .expect("register portal");
    Portal {
        client_id: client.client_id,
        secret: secret.expose().to_owned(),
    }
}

use crate::common::browser::{consent, form_fields, http, Browser};
use crate::common::logs::captured_logs;
use crate::common::oauth::{assert_oauth_error, grpc_with};

async fn discover(app: &TestApp) -> Value {
    http()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            app.endpoint()
        ))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("metadata JSON")
}

/// Verifies `token` as a resource server would: with the published JWKS,
/// for the given issuer (by default the one the server announces).
async fn verify_with_jwks(app: &TestApp, token: &str, issuer: Option<&str>) -> Value {
    let metadata = discover(app).await;
    let issuer = issuer
        .unwrap_or(metadata["issuer"].as_str().expect("issuer"))
        .to_owned();
    let jwks: JwkSet = http()
        .get(metadata["jwks_uri"].as_str().expect("jwks_uri"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks JSON");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.alg, Algorithm::EdDSA);
    let jwk = jwks
        .find(header.kid.as_deref().expect("kid"))
        .expect("kid in JWKS");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&["fhir-import"]);
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("the token verifies against the JWKS")
    .claims
}

async fn portal_gets_tokens_with_client_credentials(backend: Backend) {
    let logs = captured_logs();
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["import:write", "import:read"]).await;
    let metadata = discover(&app).await;
    assert_eq!(metadata["issuer"], app.endpoint());
    assert_eq!(
        metadata["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
    );
    let token_url = TokenUrl::new(
        metadata["token_endpoint"]
            .as_str()
            .expect("token_endpoint")
            .to_owned(),
    )
    .expect("token url");
    let client = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_client_secret(ClientSecret::new(portal.secret.clone()))
        .set_token_uri(token_url.clone());

    // client_secret_basic, narrowing the scope.
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new("import:read".into()))
        .request_async(&http())
        .await
        .expect("token");
    let access_token = token.access_token().secret().clone();
    let claims = verify_with_jwks(&app, &access_token, None).await;
    assert_eq!(claims["sub"], portal.client_id.as_str());
    assert_eq!(claims["client_id"], portal.client_id.as_str());
    assert_eq!(claims["scope"], "import:read");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        900
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(token.expires_in().map(|d| d.as_secs()), Some(900));

    // client_secret_post, all registered scopes by default.
    let post = client
        .clone()
        .set_auth_type(AuthType::RequestBody)
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect("token by client_secret_post");
    let scopes: Vec<String> = post
        .scopes()
        .expect("scope")
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(scopes, ["import:write", "import:read"]);

    // Refusals, each with its RFC 6749 error.
    let wrong_secret = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_client_secret(ClientSecret::new("not-the-secret".into()))
        .set_token_uri(token_url.clone())
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect_err("wrong secret");
    assert_oauth_error(wrong_secret, BasicErrorResponseType::InvalidClient);
    let unknown = BasicClient::new(ClientId::new("fic_nobody".into()))
        .set_client_secret(ClientSecret::new(portal.secret.clone()))
        .set_token_uri(token_url.clone())
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect_err("unknown client");
    assert_oauth_error(unknown, BasicErrorResponseType::InvalidClient);
    let never_granted = client
        .exchange_client_credentials()
        .add_scope(Scope::new("admin".into()))
        .request_async(&http())
        .await
        .expect_err("scope never granted");
    assert_oauth_error(never_granted, BasicErrorResponseType::InvalidScope);
    let password_grant = http()
        .post(token_url.as_str())
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "x"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(password_grant.status(), 400);
    let body: Value = password_grant.json().await.expect("json");
    assert_eq!(body["error"], "unsupported_grant_type");
    let both_methods = http()
        .post(token_url.as_str())
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_secret", portal.secret.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(both_methods.status(), 400);
    let body: Value = both_methods.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");

    // Signing keys persist: a token from before a restart still verifies.
    // (The restarted test server listens on another port, and so announces
    // another default issuer; deployments set auth.issuer.)
    let issuer = claims["iss"].as_str().expect("iss").to_owned();
    let app = app.restart().await;
    let claims = verify_with_jwks(&app, &access_token, Some(&issuer)).await;
    assert_eq!(claims["client_id"], portal.client_id.as_str());

    let logged = logs.text();
    assert!(
        logged.contains("issued an access token"),
        "the logs were captured"
    );
    assert!(
        !logged.contains(&portal.secret),
        "a client secret was logged"
    );
    assert!(
        !logged.contains(&access_token),
        "an access token was logged"
    );
    assert!(
        !logged.contains("correct horse battery"),
        "a password was logged"
    );
    app.stop().await;
}
on_both_stores!(portal_gets_tokens_with_client_credentials);

type PortalClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The portal's oauth2 client, configured from the server's metadata.
fn portal_client(metadata: &Value, portal: &Portal) -> PortalClient {
    let url = |key: &str| metadata[key].as_str().expect(key).to_owned();
    BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_client_secret(ClientSecret::new(portal.secret.clone()))
        .set_auth_uri(AuthUrl::new(url("authorization_endpoint")).expect("url"))
        .set_token_uri(TokenUrl::new(url("token_endpoint")).expect("url"))
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).expect("redirect"))
}

/// The whole code flow with PKCE: the user allows, the portal redeems.
async fn code_flow(client: &PortalClient, username: &str, password: &str) -> BasicTokenResponse {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let code = redirect_params(&consent(&auth_url, PORTAL, username, password, "allow").await)
        ["code"]
        .clone();
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .expect("token")
}

fn redirect_params(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
    assert_eq!(response.status(), 303, "a redirect back to the portal");
    let location = response.headers()["location"].to_str().expect("location");
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(location)
        .expect("location URL")
        .query_pairs()
        .into_owned()
        .collect()
}

async fn users_grant_portals_access_with_code_and_pkce(backend: Backend) {
    let logs = captured_logs();
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["import:write", "import:read", "files:read"]).await;
    let metadata = discover(&app).await;
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let client = portal_client(&metadata, &portal);

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("import:write".into()))
        .add_scope(Scope::new("files:read".into()))
        .set_pkce_challenge(challenge)
        .url();

    // A wrong password shows the page again and issues nothing.
    let wrong = consent(&auth_url, PORTAL, "alice", "not her password", "allow").await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong
        .text()
        .await
        .expect("html")
        .contains("Wrong username or password"));

    let allowed = consent(&auth_url, PORTAL, "alice", "correct horse battery", "allow").await;
    let params = redirect_params(&allowed);
    assert_eq!(params.get("state"), Some(state.secret()));
    let code = params.get("code").expect("code").clone();
    let first_code = code.clone();

    let verifier_secret = verifier.secret().clone();
    let token = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .expect("token for the code");
    let claims = verify_with_jwks(&app, token.access_token().secret(), None).await;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["client_id"], portal.client_id.as_str());
    assert_eq!(claims["scope"], "import:write files:read");

    // The code is single use.
    let reused = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier_secret))
        .request_async(&http())
        .await
        .expect_err("a reused code");
    assert_oauth_error(reused, BasicErrorResponseType::InvalidGrant);
    // A code that comes back may have been stolen: what it gave is revoked,
    // the access token and the refresh token alike.
    let status = grpc_with(&app, token.access_token().secret()).await;
    assert_eq!(status.code(), tonic::Code::Unauthenticated, "{status:?}");
    let refreshed = client
        .exchange_refresh_token(token.refresh_token().expect("refresh token"))
        .request_async(&http())
        .await
        .expect_err("the code's refresh token is revoked");
    assert_oauth_error(refreshed, BasicErrorResponseType::InvalidGrant);

    // A wrong PKCE verifier gets nothing.
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let code = redirect_params(
        &consent(&auth_url, PORTAL, "alice", "correct horse battery", "allow").await,
    )["code"]
        .clone();
    let (_, other_verifier) = PkceCodeChallenge::new_random_sha256();
    let wrong_verifier = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(other_verifier)
        .request_async(&http())
        .await
        .expect_err("wrong verifier");
    assert_oauth_error(wrong_verifier, BasicErrorResponseType::InvalidGrant);

    // Denying sends access_denied back with the state.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let denied = redirect_params(
        &consent(&auth_url, PORTAL, "alice", "correct horse battery", "deny").await,
    );
    assert_eq!(
        denied.get("error").map(String::as_str),
        Some("access_denied")
    );
    assert_eq!(denied.get("state"), Some(state.secret()));

    // Without PKCE the portal is sent back with invalid_request.
    let (no_pkce, _) = client.authorize_url(CsrfToken::new_random).url();
    let answer = http()
        .get(no_pkce.as_str())
        .send()
        .await
        .expect("authorize");
    assert_eq!(
        redirect_params(&answer).get("error").map(String::as_str),
        Some("invalid_request")
    );

    // A redirect URI that was never registered is never redirected to.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (rogue, _) = client
        .clone()
        .set_redirect_uri(RedirectUrl::new("https://evil.example.org/steal".into()).expect("url"))
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let answer = http().get(rogue.as_str()).send().await.expect("authorize");
    assert_eq!(answer.status(), 400);
    assert!(answer.headers().get("location").is_none());
    assert!(answer
        .text()
        .await
        .expect("html")
        .contains("not one registered"));

    // A scope the client was never registered for is refused.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (greedy, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("admin".into()))
        .set_pkce_challenge(challenge)
        .url();
    let answer = http().get(greedy.as_str()).send().await.expect("authorize");
    assert_eq!(
        redirect_params(&answer).get("error").map(String::as_str),
        Some("invalid_scope")
    );

    let logged = logs.text();
    assert!(
        logged.contains("authorization granted"),
        "the logs were captured"
    );
    let access_token = token.access_token().secret();
    for secret in [
        "correct horse battery",
        "not her password",
        first_code.as_str(),
        portal.secret.as_str(),
        access_token.as_str(),
    ] {
        assert!(!logged.contains(secret), "a secret reached the logs");
    }
    app.stop().await;
}
on_both_stores!(users_grant_portals_access_with_code_and_pkce);

async fn refresh_tokens_rotate_and_replays_revoke_the_family(backend: Backend) {
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["import:write", "import:read"]).await;
    let metadata = discover(&app).await;
    let url = |key: &str| metadata[key].as_str().expect(key).to_owned();
    let client = portal_client(&metadata, &portal);
    let inspector = client
        .clone()
        .set_introspection_url(IntrospectionUrl::new(url("introspection_endpoint")).expect("url"));

    let first = code_flow(&client, "alice", "correct horse battery").await;
    let refresh_1 = first
        .refresh_token()
        .expect("a refresh token for a user grant")
        .clone();

    // Introspection: the access token and the refresh token are active.
    let introspected = inspector
        .introspect(first.access_token())
        .request_async(&http())
        .await
        .expect("introspect");
    assert!(introspected.active());
    assert_eq!(introspected.sub(), Some("alice"));

    // Rotation: each use returns a new refresh token, narrowing on request.
    let second = client
        .exchange_refresh_token(&refresh_1)
        .add_scope(Scope::new("import:read".into()))
        .request_async(&http())
        .await
        .expect("refresh");
    let refresh_2 = second.refresh_token().expect("rotated").clone();
    assert_ne!(refresh_2.secret(), refresh_1.secret());
    let claims = verify_with_jwks(&app, second.access_token().secret(), None).await;
    assert_eq!(
        (claims["sub"].as_str(), claims["scope"].as_str()),
        (Some("alice"), Some("import:read"))
    );

    // Replaying the used token fails and revokes the family: the newest
    // refresh token stops working too.
    let replay = client
        .exchange_refresh_token(&refresh_1)
        .request_async(&http())
        .await
        .expect_err("a replayed refresh token");
    assert_oauth_error(replay, BasicErrorResponseType::InvalidGrant);
    let after_replay = client
        .exchange_refresh_token(&refresh_2)
        .request_async(&http())
        .await
        .expect_err("its family is revoked");
    assert_oauth_error(after_replay, BasicErrorResponseType::InvalidGrant);
    // …and so do the access tokens issued from that family, at once.
    for (which, token) in [("first", &first), ("second", &second)] {
        let introspected = inspector
            .introspect(token.access_token())
            .request_async(&http())
            .await
            .expect("introspect");
        assert!(!introspected.active(), "the {which} access token");
        let status = grpc_with(&app, token.access_token().secret()).await;
        assert_eq!(
            status.code(),
            tonic::Code::Unauthenticated,
            "{which}: {status:?}"
        );
        assert!(status.message().contains("revoked"), "{}", status.message());
    }

    // Revocation (RFC 7009): a revoked refresh token and access token are
    // no longer active.
    let fresh = code_flow(&client, "alice", "correct horse battery").await;
    let refresh_3 = fresh.refresh_token().expect("refresh").clone();
    // (The oauth2 crate only revokes over https, as RFC 7009 asks of
    // deployments; the test server is plain http, so post the form.)
    let revoke = |token: String| {
        let url = url("revocation_endpoint");
        let (id, secret) = (portal.client_id.clone(), portal.secret.clone());
        async move {
            let answer = http()
                .post(url)
                .basic_auth(id, Some(secret))
                .form(&[("token", token)])
                .send()
                .await
                .expect("revoke");
            assert_eq!(answer.status(), 200);
        }
    };
    revoke(refresh_3.secret().clone()).await;
    let revoked = client
        .exchange_refresh_token(&refresh_3)
        .request_async(&http())
        .await
        .expect_err("a revoked refresh token");
    assert_oauth_error(revoked, BasicErrorResponseType::InvalidGrant);
    revoke(fresh.access_token().secret().clone()).await;
    let introspected = inspector
        .introspect(fresh.access_token())
        .request_async(&http())
        .await
        .expect("introspect");
    assert!(!introspected.active());

    // Another client cannot use or even see these tokens.
    let other = register_portal(&app, &["import:read"]).await;
    let stranger = BasicClient::new(ClientId::new(other.client_id.clone()))
        .set_client_secret(ClientSecret::new(other.secret.clone()))
        .set_token_uri(TokenUrl::new(url("token_endpoint")).expect("url"))
        .set_introspection_url(IntrospectionUrl::new(url("introspection_endpoint")).expect("url"));
    let theirs = stranger
        .introspect(second.access_token())
        .request_async(&http())
        .await
        .expect("introspect");
    assert!(!theirs.active());
    app.stop().await;
}
on_both_stores!(refresh_tokens_rotate_and_replays_revoke_the_family);

async fn people_sign_up_then_grant_portals_access(backend: Backend) {
    let app = spawn_app(backend).await;
    let signup = format!("{}/signup", app.endpoint());
    let page = http().get(&signup).send().await.expect("signup page");
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()["x-frame-options"],
        "DENY",
        "no framing of password pages"
    );
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("name=\"password\""));

    // The HTML form, as a browser posts it: with the CSRF token the page
    // carries and the cookie beside it.
    let mut browser = Browser::default();
    let form = form_fields(&browser.page(&signup, 200).await);
    let fill = |username: &str, password: &str| {
        let mut filled = form.clone();
        filled.push(("username".into(), username.into()));
        filled.push(("password".into(), password.into()));
        filled
    };
    let created = browser
        .post(&signup, &fill("carol", "a long enough secret"))
        .await;
    assert_eq!(created.status(), 201);
    assert!(created.text().await.expect("html").contains("carol"));
    let taken = browser
        .post(&signup, &fill("carol", "another long secret"))
        .await;
    assert_eq!(taken.status(), 409);
    // The same form posted from another site has no token to send.
    let forged = Browser::default()
        .post(&signup, &fill("mallory", "a long enough secret"))
        .await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.expect("html").contains("expired"));

    // The JSON endpoint.
    let json = http()
        .post(&signup)
        .json(&serde_json::json!({"username": "dave", "password": "short"}))
        .send()
        .await
        .expect("json sign up");
    assert_eq!(json.status(), 400);
    let body: Value = json.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"]
        .as_str()
        .expect("description")
        .contains("at least 8"));
    let json = http()
        .post(&signup)
        .json(&serde_json::json!({"username": "dave", "password": "long enough password"}))
        .send()
        .await
        .expect("json sign up");
    assert_eq!(json.status(), 201);

    // The new user logs in on the consent page.
    let portal = register_portal(&app, &["import:read"]).await;
    let metadata = discover(&app).await;
    let client = portal_client(&metadata, &portal);
    let token = code_flow(&client, "dave", "long enough password").await;
    let claims = verify_with_jwks(&app, token.access_token().secret(), None).await;
    assert_eq!(claims["sub"], "dave");
    app.stop().await;
}
on_both_stores!(people_sign_up_then_grant_portals_access);

async fn portals_register_themselves(backend: Backend) {
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["import:read", "projects", "clients"]).await;
    let metadata = discover(&app).await;
    let register_url = metadata["registration_endpoint"]
        .as_str()
        .expect("registration")
        .to_owned();
    let token_url =
        TokenUrl::new(metadata["token_endpoint"].as_str().expect("token").into()).expect("url");
    let register = |bearer: Option<String>, body: Value| {
        let url = register_url.clone();
        async move {
            let mut request = http().post(url).json(&body);
            if let Some(bearer) = bearer {
                request = request.bearer_auth(bearer);
            }
            let answer = request.send().await.expect("register");
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.expect("json"))
        }
    };
    let wanted = serde_json::json!({
        "client_name": "Research portal",
        "redirect_uris": [REDIRECT],
        "scope": "import:read",
    });

    // With a user's access token (from the code flow): the user owns it.
    let client = portal_client(&metadata, &portal);
    let user_token = code_flow(&client, "alice", "correct horse battery")
        .await
        .access_token()
        .secret()
        .clone();
    let (status, registered) = register(Some(user_token.clone()), wanted.clone()).await;
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["scope"], "import:read");
    assert_eq!(
        registered["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    // The new portal authenticates with what it was given.
    let new_client = BasicClient::new(ClientId::new(
        registered["client_id"].as_str().expect("id").into(),
    ))
    .set_client_secret(ClientSecret::new(
        registered["client_secret"].as_str().expect("secret").into(),
    ))
    .set_token_uri(token_url.clone());
    let token = new_client
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect("token");
    let claims = verify_with_jwks(&app, token.access_token().secret(), None).await;
    assert_eq!(claims["scope"], "import:read");

    // With an initial access token an operator issued: single use.
    let store = Store::connect(&app.database_url, 2).await.expect("store");
    let (initial, _) = Accounts::new(store)
        .issue_initial_access_token("alice", 1)
        .await
        .expect("initial token");
    let (status, _) = register(Some(initial.expose().to_owned()), wanted.clone()).await;
    assert_eq!(status, 201);
    let (status, body) = register(Some(initial.expose().to_owned()), wanted.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );

    // Refusals.
    let (status, body) = register(None, wanted.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let portal_token = BasicClient::new(ClientId::new(portal.client_id.clone()))
        .set_client_secret(ClientSecret::new(portal.secret.clone()))
        .set_token_uri(token_url)
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect("portal token");
    let (status, _) = register(
        Some(portal_token.access_token().secret().clone()),
        wanted.clone(),
    )
    .await;
    assert_eq!(status, 401, "a client's own token registers nothing");
    let (status, body) = register(
        Some(user_token.clone()),
        serde_json::json!({"client_name": "x", "scope": "admin"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client_metadata"))
    );
    // A user's token without the scope `clients` (one a portal holds to
    // import for the user) registers nothing in the user's name.
    let importing = app
        .issue_token("alice", &portal.client_id, &["import:read".to_owned()])
        .await;
    let (status, body) = register(Some(importing), wanted.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope")),
        "{body}"
    );
    let (status, body) = register(
        Some(user_token.clone()),
        serde_json::json!({"client_name": "x", "redirect_uris": ["http://portal.example.org/cb"]}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_redirect_uri"))
    );

    // A revoked token, and any token of a revoked portal, count for nothing.
    let revoked = http()
        .post(format!("{}/oauth/revoke", app.endpoint()))
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(&[("token", user_token.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 200);
    let (status, body) = register(Some(user_token), wanted.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token")),
        "{body}"
    );
    let fresh = app
        .issue_token("alice", &portal.client_id, &["clients".to_owned()])
        .await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    Accounts::new(store)
        .revoke_client(&portal.client_id)
        .await
        .expect("revoke the portal");
    let (status, body) = register(Some(fresh), wanted).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token")),
        "{body}"
    );
    // A revoked portal, or one never registered, is answered with a page,
    // never sent back to its redirect URI (an open redirector otherwise).
    for client_id in [portal.client_id.as_str(), "fic_never_registered"] {
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let gone = Portal {
            client_id: client_id.to_owned(),
            secret: String::new(),
        };
        let (url, _) = portal_client(&metadata, &gone)
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let answer = http().get(url.as_str()).send().await.expect("authorize");
        assert_eq!(answer.status(), 400, "{client_id}");
        assert!(answer.headers().get("location").is_none(), "{client_id}");
        assert!(answer
            .text()
            .await
            .expect("html")
            .contains("unknown client_id"));
    }
    app.stop().await;
}
on_both_stores!(portals_register_themselves);

/// A schema listing with `token`: what an admin call answers.
async fn list_schemas(app: &TestApp, token: &str) -> Result<(), tonic::Status> {
    fhir_import::proto::v1::schema_service_client::SchemaServiceClient::new(app.channel_with(token))
        .list_schemas(fhir_import::proto::v1::ListSchemasRequest::default())
        .await
        .map(drop)
}

/// Before, any portal registered with `admin` handed it to whoever signed
/// in; now it is the user's role, checked at every grant and every call.
async fn admin_is_a_right_of_the_user_not_of_the_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["projects", "admin"]).await;
    let client = portal_client(&discover(&app).await, &portal);
    let accounts = Accounts::new(Store::connect(&app.database_url, 1).await.expect("store"));

    // alice signs in through a portal that may ask for admin: her token
    // does not carry it, and admin calls refuse her.
    let tokens = client.clone();
    let granted = code_flow(&tokens, "alice", "correct horse battery").await;
    let scopes: Vec<String> = granted
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    assert_eq!(scopes, ["projects"]);
    let status = list_schemas(&app, granted.access_token().secret())
        .await
        .expect_err("not an admin");
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");

    // Asking for admin alone, even as the client itself, gets nothing: the
    // client's owner (alice) is no admin.
    let refused = client
        .exchange_client_credentials()
        .add_scope(Scope::new("admin".into()))
        .request_async(&http())
        .await
        .expect_err("admin alone");
    assert_oauth_error(refused, BasicErrorResponseType::InvalidScope);

    // Made an admin, she gets it with her next sign-in…
    accounts.set_admin("alice", true).await.expect("grant");
    let admin = code_flow(&client, "alice", "correct horse battery").await;
    let token = admin.access_token().secret().clone();
    list_schemas(&app, &token).await.expect("an admin call");

    // …and loses it at once when the role is taken back, token or not.
    accounts.set_admin("alice", false).await.expect("revoke");
    let status = list_schemas(&app, &token)
        .await
        .expect_err("no longer an admin");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert!(status.message().contains("not one"), "{}", status.message());
    app.stop().await;
}
on_both_stores!(admin_is_a_right_of_the_user_not_of_the_client);

/// Every form of the flow needs its token: before signing in, the one the
/// page carries beside its cookie; signed in, the one of that session. A
/// session ends when the user signs out, and its cookie is then worthless.
async fn each_form_needs_its_token_and_signing_out_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let portal = register_portal(&app, &["import:read"]).await;
    let client = portal_client(&discover(&app).await, &portal);
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let action = format!("{}/oauth/authorize", app.endpoint());
    let fill = |form: &[(String, String)], more: &[(&str, &str)]| {
        let mut filled: Vec<(String, String)> = form.to_vec();
        filled.extend(more.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        filled
    };
    let without_token = |form: &[(String, String)]| -> Vec<(String, String)> {
        form.iter().filter(|(k, _)| k != "csrf").cloned().collect()
    };
    let credentials = [("username", "alice"), ("password", "correct horse battery")];

    let mut browser = Browser::default();
    let sign_in_form = form_fields(&browser.page(auth_url.as_str(), 200).await);
    let forged = browser
        .post(
            &action,
            &fill(
                &without_token(&sign_in_form),
                &[credentials[0], credentials[1], ("step", "sign_in")],
            ),
        )
        .await;
    assert_eq!(forged.status(), 403, "signing in needs the page's token");
    let signed_in = browser
        .post(
            &action,
            &fill(
                &sign_in_form,
                &[credentials[0], credentials[1], ("step", "sign_in")],
            ),
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    let consent_page = browser.page(auth_url.as_str(), 200).await;
    assert!(consent_page.contains("Signed in as <strong>alice</strong>"));
    let consent_form = form_fields(&consent_page);

    // Another session's token, or none, allows nothing.
    let mut other = Browser::default();
    let other_form = form_fields(&other.page(auth_url.as_str(), 200).await);
    other
        .post(
            &action,
            &fill(
                &other_form,
                &[credentials[0], credentials[1], ("step", "sign_in")],
            ),
        )
        .await;
    let theirs = form_fields(&other.page(auth_url.as_str(), 200).await);
    let mixed: Vec<(String, String)> = consent_form
        .iter()
        .map(|(k, v)| match k.as_str() {
            "csrf" => (
                k.clone(),
                theirs
                    .iter()
                    .find(|(n, _)| n == "csrf")
                    .expect("csrf")
                    .1
                    .clone(),
            ),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    for form in [
        fill(&mixed, &[("step", "allow")]),
        fill(&without_token(&consent_form), &[("step", "allow")]),
    ] {
        let refused = browser.post(&action, &form).await;
        assert_eq!(refused.status(), 403);
        assert!(refused.headers().get("location").is_none());
    }

    // Signing out ends the session: the page asks to sign in again, and the
    // old cookie, replayed, allows nothing.
    let session_cookie = browser
        .cookie("fhir_import_session")
        .expect("session cookie");
    let signed_out = browser
        .post(&action, &fill(&consent_form, &[("step", "sign_out")]))
        .await;
    assert_eq!(signed_out.status(), 303);
    assert!(
        browser.cookie("fhir_import_session").is_none(),
        "the cookie is cleared"
    );
    assert!(browser
        .page(auth_url.as_str(), 200)
        .await
        .contains("Sign in to continue"));
    let mut replay = Browser::default();
    replay.set_cookie("fhir_import_session", &session_cookie);
    let answer = replay
        .post(&action, &fill(&consent_form, &[("step", "allow")]))
        .await;
    assert_eq!(answer.status(), 401, "back to signing in");
    assert!(answer.headers().get("location").is_none());
    app.stop().await;
}
on_both_stores!(each_form_needs_its_token_and_signing_out_ends_the_session);

/// What has expired is removed on a schedule: codes (a day after, so a
/// replay still finds them), refresh tokens, revoked access tokens and
/// families, initial access tokens and browser sessions; nothing live is.
async fn expired_secrets_are_purged_on_a_schedule(backend: Backend) {
    // Each kind, counted, on a store no server purges meanwhile.
    let app = spawn_app(backend).await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let mut stopped = app;
    stopped.stop_server().await;
    insert_expiring(&store, &stopped.client_id, "b").await;
    let purged = store
        .purge_expired(chrono::Utc::now())
        .await
        .expect("purge");
    assert_eq!(
        (
            purged.codes,
            purged.refresh_tokens,
            purged.revoked_access_tokens,
            purged.initial_access_tokens,
            purged.browser_sessions
        ),
        (1, 1, 1, 1, 1),
        "{purged:?}"
    );
    assert!(!store
        .is_access_token_revoked("old-jti-b", None)
        .await
        .expect("find"));
    assert!(
        store.code_exists("recent-code-b").await.expect("find"),
        "a day's grace"
    );
    assert!(store
        .find_refresh("live-refresh-b")
        .await
        .expect("find")
        .is_some());
    assert!(store
        .is_access_token_revoked("live-jti-b", None)
        .await
        .expect("find"));
    assert!(store
        .browser_session_user("live-session-b")
        .await
        .expect("find")
        .is_some());
    stopped.stop().await;

    // A running server does it on its own, every purge_interval_secs.
    let app = crate::common::spawn_app_with(backend, |c| c.auth.purge_interval_secs = 1).await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    insert_expiring(&store, &app.client_id, "a").await;
    let gone = async {
        loop {
            let old_refresh = store.find_refresh("old-refresh-a").await.expect("find");
            let old_code = store.code_exists("old-code-a").await.expect("find");
            let old_jti = store
                .is_access_token_revoked("old-jti-a", None)
                .await
                .expect("find");
            if old_refresh.is_none() && !old_code && !old_jti {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), gone)
        .await
        .expect("the scheduled purge removes what expired");
    assert!(store
        .find_refresh("live-refresh-a")
        .await
        .expect("find")
        .is_some());
    assert!(store
        .is_access_token_revoked("live-jti-a", None)
        .await
        .expect("find"));
    app.stop().await;
}

/// One row of each kind that expired (codes: two days ago, and just now),
/// and live ones beside them, named with `suffix`.
async fn insert_expiring(store: &Store, client_id: &str, suffix: &str) {
    use chrono::{Duration, Utc};
    use fhir_import::store::{StoredCode, StoredRefresh};
    let now = Utc::now();
    let (long_ago, just_now, later) = (
        now - Duration::days(2),
        now - Duration::seconds(5),
        now + Duration::hours(1),
    );
    let code = |expires_at| StoredCode {
        client_id: client_id.to_owned(),
        username: "harness".into(),
        redirect_uri: REDIRECT.into(),
        scopes: vec!["projects".into()],
        code_challenge: "c".repeat(43),
        expires_at,
        browser_session: None,
    };
    let refresh = |expires_at| StoredRefresh {
        family_id: format!("family-{suffix}"),
        client_id: client_id.to_owned(),
        username: "harness".into(),
        scopes: vec!["projects".into()],
        expires_at,
        used_at: None,
        revoked_at: None,
        browser_session: None,
    };
    let name = |what: &str| format!("{what}-{suffix}");
    store
        .insert_code(&name("old-code"), &code(long_ago))
        .await
        .expect("code");
    store
        .insert_code(&name("recent-code"), &code(just_now))
        .await
        .expect("code");
    store
        .insert_refresh(&name("old-refresh"), &refresh(just_now))
        .await
        .expect("refresh");
    store
        .insert_refresh(&name("live-refresh"), &refresh(later))
        .await
        .expect("refresh");
    store
        .revoke_access_token(&name("old-jti"), just_now)
        .await
        .expect("jti");
    store
        .revoke_access_token(&name("live-jti"), later)
        .await
        .expect("jti");
    store
        .insert_initial_access_token(&name("old-iat"), "harness", just_now)
        .await
        .expect("iat");
    store
        .insert_browser_session(&name("old-session"), "harness", just_now)
        .await
        .expect("session");
    store
        .insert_browser_session(&name("live-session"), "harness", later)
        .await
        .expect("session");
}
on_both_stores!(expired_secrets_are_purged_on_a_schedule);
