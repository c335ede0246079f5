//! Public clients (`token_endpoint_auth_method=none`): a browser app or a
//! native app that holds no secret signs users in with the code flow and
//! PKCE, driven here by the `oauth2` crate as such an app would. What it
//! gets is bound to the sign-in session that allowed it: signing out
//! there ends its login. The built-in dashboard is one, first-party (no
//! consent page), served at `/ui`.

use std::collections::HashMap;

use crate::common::browser::{form_fields, http, Browser};
use crate::common::oauth::{assert_oauth_error, grpc_with};
use crate::common::{spawn_app, Backend, TestApp};
use fhir_import::{auth::accounts::Accounts, store::Store};
use oauth2::{
    basic::{BasicClient, BasicTokenResponse},
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, RedirectUrl, TokenResponse, TokenUrl,
};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";
/// A single-page app's address: a web origin.
const APP_REDIRECT: &str = "https://notebook.example.org/app/";
/// A native app's loopback redirect (RFC 8252), as `fhir-import login`'s.
const NATIVE_REDIRECT: &str = "http://127.0.0.1/callback";

type App = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

async fn accounts(app: &TestApp) -> Accounts {
    Accounts::new(Store::connect(&app.database_url, 2).await.expect("store"))
}

async fn metadata(app: &TestApp) -> Value {
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
        .expect("json")
}

/// A public app's oauth2 client: a client id, no secret.
fn public_app(metadata: &Value, client_id: &str, redirect: &str) -> App {
    let url = |key: &str| metadata[key].as_str().expect(key).to_owned();
    BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(url("authorization_endpoint")).expect("url"))
        .set_token_uri(TokenUrl::new(url("token_endpoint")).expect("url"))
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).expect("redirect"))
}

/// Where the server sent the browser, and the query it sent along.
fn redirected(response: &reqwest::Response, to: &str) -> HashMap<String, String> {
    assert_eq!(response.status(), 303, "a redirect back to the app");
    let location = response.headers()["location"].to_str().expect("location");
    assert!(location.starts_with(to), "{location} is not under {to}");
    url::Url::parse(location)
        .expect("location URL")
        .query_pairs()
        .into_owned()
        .collect()
}

/// Signs in on the authorization page in `browser`; the answer to the
/// authorization request once signed in (the consent page, or for the
/// dashboard the redirect itself).
async fn sign_in(browser: &mut Browser, auth_url: &url::Url, username: &str) -> reqwest::Response {
    let html = browser.page(auth_url.as_str(), 200).await;
    let mut form = form_fields(&html);
    form.extend([
        ("username".to_owned(), username.to_owned()),
        ("password".to_owned(), PASSWORD.to_owned()),
        ("step".to_owned(), "sign_in".to_owned()),
    ]);
    let mut action = auth_url.clone();
    action.set_query(None);
    let signed_in = browser.post(action.as_str(), &form).await;
    assert_eq!(signed_in.status(), 303, "signed in");
    let location = signed_in.headers()["location"].to_str().expect("location");
    browser
        .get(action.join(location).expect("url").as_str())
        .await
}

/// Presses a button (`allow`, `sign_out`) of the consent page `html`.
async fn press(browser: &mut Browser, app: &TestApp, html: &str, step: &str) -> reqwest::Response {
    let mut form = form_fields(html);
    form.push(("step".to_owned(), step.to_owned()));
    browser
        .post(&format!("{}/oauth/authorize", app.endpoint()), &form)
        .await
}

async fn redeem(
    client: &App,
    code: &str,
    verifier: oauth2::PkceCodeVerifier,
) -> BasicTokenResponse {
    client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .expect("the code is redeemed without a secret")
}

async fn a_public_app_signs_in_with_pkce_until_its_session_ends(backend: Backend) {
    let app = spawn_app(backend).await;
    let accounts = accounts(&app).await;
    accounts
        .create_user("alice", Some(PASSWORD))
        .await
        .expect("alice");
    let metadata = metadata(&app).await;
    assert!(metadata["token_endpoint_auth_methods_supported"]
        .as_array()
        .expect("methods")
        .contains(&json!("none")));

    // Registered as public (RFC 7591): no secret, and only the user grants.
    let (iat, _) = accounts
        .issue_initial_access_token("alice", 1)
        .await
        .expect("initial access token");
    let register = |body: Value| {
        let url = metadata["registration_endpoint"]
            .as_str()
            .expect("registration")
            .to_owned();
        let bearer = iat.expose().to_owned();
        async move {
            let answer = http()
                .post(url)
                .bearer_auth(bearer)
                .json(&body)
                .send()
                .await
                .expect("register");
            (
                answer.status().as_u16(),
                answer.json::<Value>().await.expect("json"),
            )
        }
    };
    let (status, refused) = register(json!({
        "client_name": "Notebook app",
        "token_endpoint_auth_method": "none",
        "scope": "import:read",
    }))
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_redirect_uri")),
        "{refused}"
    );
    // An initial access token is single-use, spent by a refused
    // registration too.
    let (iat, _) = accounts
        .issue_initial_access_token("alice", 1)
        .await
        .expect("initial access token");
    let answer = http()
        .post(metadata["registration_endpoint"].as_str().expect("url"))
        .bearer_auth(iat.expose())
        .json(&json!({
            "client_name": "Notebook app",
            "token_endpoint_auth_method": "none",
            "redirect_uris": [APP_REDIRECT],
            "scope": "import:read projects",
        }))
        .send()
        .await
        .expect("register");
    assert_eq!(answer.status(), 201);
    let registered: Value = answer.json().await.expect("json");
    assert_eq!(registered["token_endpoint_auth_method"], "none");
    assert!(registered.get("client_secret").is_none(), "{registered}");
    assert_eq!(
        registered["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    let client_id = registered["client_id"].as_str().expect("id").to_owned();
    let client = public_app(&metadata, &client_id, APP_REDIRECT);

    // The code flow with PKCE, through a browser session.
    let mut browser = Browser::default();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let consent = sign_in(&mut browser, &auth_url, "alice").await;
    assert_eq!(consent.status(), 200, "a third-party app asks for consent");
    let consent = consent.text().await.expect("html");
    assert!(
        consent.contains("Allow Notebook app to act for you?"),
        "{consent}"
    );
    let back = redirected(
        &press(&mut browser, &app, &consent, "allow").await,
        APP_REDIRECT,
    );
    assert_eq!(back["state"], *state.secret());
    let tokens = redeem(&client, &back["code"], verifier).await;
    assert_eq!(
        grpc_with(&app, tokens.access_token().secret()).await.code(),
        tonic::Code::NotFound
    );
    let refresh_1 = tokens.refresh_token().expect("a refresh token").clone();
    let renewed = client
        .exchange_refresh_token(&refresh_1)
        .request_async(&http())
        .await
        .expect("refreshed without a secret");
    let refresh_2 = renewed.refresh_token().expect("rotated").clone();
    assert_ne!(refresh_1.secret(), refresh_2.secret());

    // Without a secret there is nothing else to have: no client
    // credentials, no introspection; a guessed secret is refused.
    let own_token = client
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect_err("no client credentials for a public client");
    assert_oauth_error(own_token, "unauthorized_client");
    let introspection = http()
        .post(format!("{}/oauth/introspect", app.endpoint()))
        .form(&[
            ("client_id", client_id.as_str()),
            ("token", renewed.access_token().secret()),
        ])
        .send()
        .await
        .expect("introspect");
    assert_eq!(introspection.status(), 400);
    let answer: Value = introspection.json().await.expect("json");
    assert_eq!(answer["error"], "unauthorized_client");
    let guessed = public_app(&metadata, &client_id, APP_REDIRECT)
        .set_client_secret(ClientSecret::new("a guess".into()))
        .exchange_refresh_token(&refresh_2)
        .request_async(&http())
        .await
        .expect_err("a public client has no secret to send");
    assert_oauth_error(guessed, "invalid_client");

    // A confidential client cannot pass for a public one by leaving out
    // its secret.
    let (portal, _secret) = accounts
        .create_client(
            "Portal",
            "alice",
            &[APP_REDIRECT.to_owned()],
            &["import:read".to_owned()],
        )
        .await
        .expect("portal");
    let without_secret = public_app(&metadata, &portal.client_id, APP_REDIRECT)
        .exchange_refresh_token(&refresh_2)
        .request_async(&http())
        .await
        .expect_err("a confidential client must authenticate");
    assert_oauth_error(without_secret, "invalid_client");

    // Signing out of the browser session ends the app's login: its refresh
    // token and the access token it holds stop working at once.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let consent = browser.page(auth_url.as_str(), 200).await;
    assert_eq!(
        press(&mut browser, &app, &consent, "sign_out")
            .await
            .status(),
        303
    );
    let ended = client
        .exchange_refresh_token(&refresh_2)
        .request_async(&http())
        .await
        .expect_err("the session it was bound to has ended");
    assert_oauth_error(ended, "invalid_grant");
    assert_eq!(
        grpc_with(&app, renewed.access_token().secret())
            .await
            .code(),
        tonic::Code::Unauthenticated
    );
    app.stop().await;
}
on_both_stores!(a_public_app_signs_in_with_pkce_until_its_session_ends);

/// Logins that are not a page's are not bound to the browser: a
/// confidential portal's back end, and a native app on a loopback redirect
/// (the CLI), keep refreshing after the user signed out of the pages.
async fn a_portal_or_native_login_outlives_the_browser_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let accounts = accounts(&app).await;
    accounts
        .create_user("alice", Some(PASSWORD))
        .await
        .expect("alice");
    let scopes = ["import:read".to_owned()];
    let (portal, secret) = accounts
        .create_client("Portal", "alice", &[APP_REDIRECT.to_owned()], &scopes)
        .await
        .expect("portal");
    let native = accounts
        .create_public_client(
            "Desktop app",
            "alice",
            &[NATIVE_REDIRECT.to_owned()],
            &scopes,
        )
        .await
        .expect("native app");
    let metadata = metadata(&app).await;
    let clients = [
        (
            "portal",
            public_app(&metadata, &portal.client_id, APP_REDIRECT)
                .set_auth_type(AuthType::BasicAuth)
                .set_client_secret(ClientSecret::new(secret.expose().to_owned())),
            APP_REDIRECT,
        ),
        (
            "native app",
            public_app(
                &metadata,
                &native.client_id,
                "http://127.0.0.1:47123/callback",
            ),
            "http://127.0.0.1:47123/callback",
        ),
    ];
    for (which, client, redirect) in clients {
        let mut browser = Browser::default();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _) = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let consent = sign_in(&mut browser, &auth_url, "alice")
            .await
            .text()
            .await
            .expect("html");
        let back = redirected(
            &press(&mut browser, &app, &consent, "allow").await,
            redirect,
        );
        let tokens = redeem(&client, &back["code"], verifier).await;
        let consent = browser.page(auth_url.as_str(), 200).await;
        let signed_out = press(&mut browser, &app, &consent, "sign_out").await;
        assert_eq!(signed_out.status(), 303);
        let renewed = client
            .exchange_refresh_token(tokens.refresh_token().expect("refresh"))
            .request_async(&http())
            .await
            .unwrap_or_else(|e| panic!("the {which}'s login goes on: {e:?}"));
        assert_eq!(
            grpc_with(&app, renewed.access_token().secret())
                .await
                .code(),
            tonic::Code::NotFound,
            "{which}"
        );
    }
    app.stop().await;
}
on_both_stores!(a_portal_or_native_login_outlives_the_browser_session);

/// The dashboard's client is built in: the page learns it from
/// `/ui/config.json`, a signed-in user goes straight back to `/ui/` with a
/// code (no consent page for the service's own page), and `admin` is in the
/// token only for an admin.
async fn the_dashboard_signs_in_as_a_built_in_public_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let accounts = accounts(&app).await;
    accounts
        .create_user("alice", Some(PASSWORD))
        .await
        .expect("alice");
    accounts
        .create_user("root", Some(PASSWORD))
        .await
        .expect("root");
    accounts.set_admin("root", true).await.expect("admin");
    let config: Value = http()
        .get(format!("{}/ui/config.json", app.endpoint()))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    let redirect = format!("{}/ui/", app.endpoint());
    assert_eq!(config["client_id"], "fhir-import-dashboard");
    assert_eq!(config["redirect_uri"], redirect.as_str());
    assert_eq!(
        config["token_endpoint"],
        format!("{}/oauth/token", app.endpoint())
    );
    let metadata = metadata(&app).await;
    let client_id = config["client_id"].as_str().expect("id");
    let dashboard = public_app(&metadata, client_id, &redirect);

    for (user, admin) in [("alice", false), ("root", true)] {
        let mut browser = Browser::default();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes = config["scope"].as_str().expect("scope").split(' ');
        let (auth_url, state) = dashboard
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.map(|s| oauth2::Scope::new(s.to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        let html = browser.page(auth_url.as_str(), 200).await;
        assert!(
            html.contains("Sign in to continue to fhir-import dashboard"),
            "{html}"
        );
        let back = redirected(&sign_in(&mut browser, &auth_url, user).await, &redirect);
        assert_eq!(back["state"], *state.secret());
        let tokens = redeem(&dashboard, &back["code"], verifier).await;
        let scopes: Vec<String> = tokens
            .scopes()
            .expect("scopes")
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            scopes.contains(&"admin".to_owned()),
            admin,
            "{user}: {scopes:?}"
        );
        assert!(scopes.contains(&"import:read".to_owned()), "{scopes:?}");
        assert!(
            !scopes.contains(&"import:write".to_owned()),
            "the dashboard only reads"
        );
        assert_eq!(
            grpc_with(&app, tokens.access_token().secret()).await.code(),
            tonic::Code::NotFound
        );
    }

    // The code goes to /ui/ on this server only.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let elsewhere = public_app(&metadata, client_id, "http://127.0.0.1:9/ui/")
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url()
        .0;
    let refused = http().get(elsewhere.as_str()).send().await.expect("page");
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().get("location").is_none());
    app.stop().await;
}
on_both_stores!(the_dashboard_signs_in_as_a_built_in_public_client);

/// `/ui` serves the embedded build under a strict policy: the page for any
/// route of its own, its assets with ETags, 404 for what is not there.
async fn the_dashboard_is_served_from_the_binary(backend: Backend) {
    let app = spawn_app(backend).await;
    let get = |path: &str, etag: Option<&str>| {
        let mut request = http().get(format!("{}{path}", app.endpoint()));
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        async move { request.send().await.expect("GET") }
    };
    let moved = get("/ui", None).await;
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], "/ui/");
    let page = get("/ui/", None).await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/html"));
    let policy = headers["content-security-policy"].to_str().expect("policy");
    for directive in [
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    let html = page.text().await.expect("html");
    let etag = headers["etag"].to_str().expect("etag");
    assert_eq!(get("/ui/", Some(etag)).await.status(), 304, "unchanged");
    // A deep link, reloaded, gets the page; the page's own assets load.
    assert_eq!(
        get("/ui/projects/ada/kf", None)
            .await
            .text()
            .await
            .expect("html"),
        html
    );
    for asset in html
        .split(['"', '\''])
        .filter(|s| s.starts_with("/ui/assets/") || s.starts_with("assets/"))
    {
        let path = match asset.starts_with('/') {
            true => asset.to_owned(),
            false => format!("/ui/{asset}"),
        };
        let answer = get(&path, None).await;
        assert_eq!(answer.status(), 200, "{path}");
        let kind = answer.headers()["content-type"]
            .to_str()
            .expect("type")
            .to_owned();
        assert!(
            kind.starts_with("text/javascript") || kind.starts_with("text/css"),
            "{path}: {kind}"
        );
    }
    assert_eq!(get("/ui/assets/nothing.js", None).await.status(), 404);
    app.stop().await;
}
on_both_stores!(the_dashboard_is_served_from_the_binary);

/// Alice, signed in to the dashboard in her browser.
struct SignedIn {
    browser: Browser,
    dashboard: App,
    tokens: BasicTokenResponse,
    /// The dashboard's authorization request, to open again.
    auth_url: url::Url,
}

async fn dashboard_sign_in(app: &TestApp, user: &str) -> SignedIn {
    accounts(app)
        .await
        .create_user(user, Some(PASSWORD))
        .await
        .expect("user");
    let metadata = metadata(app).await;
    let redirect = format!("{}/ui/", app.endpoint());
    let dashboard = public_app(&metadata, "fhir-import-dashboard", &redirect);
    let mut browser = Browser::default();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = dashboard
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let back = redirected(&sign_in(&mut browser, &auth_url, user).await, &redirect);
    let tokens = redeem(&dashboard, &back["code"], verifier).await;
    SignedIn {
        browser,
        dashboard,
        tokens,
        auth_url,
    }
}

/// The dashboard's *Sign out* ends the sign-in session too
/// (`POST /oauth/logout`), so the next person at the browser must type a
/// password; another site cannot make the browser do it.
async fn a_page_of_this_server_signs_the_person_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let SignedIn {
        mut browser,
        dashboard,
        tokens,
        auth_url,
    } = dashboard_sign_in(&app, "alice").await;
    let session = browser.cookie("fhir_import_session").expect("signed in");

    let logout = |headers: Vec<(&'static str, String)>| {
        let mut request = http()
            .post(format!("{}/oauth/logout", app.endpoint()))
            .header("cookie", format!("fhir_import_session={session}"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.expect("logout") }
    };
    for refused in [
        vec![],
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
        vec![("origin", "https://elsewhere.example.org".to_owned())],
    ] {
        let answer = logout(refused.clone()).await;
        assert_eq!(answer.status(), 403, "{refused:?}");
    }
    // Still signed in: the authorization page goes straight back.
    assert_eq!(browser.get(auth_url.as_str()).await.status(), 303);

    let answer = logout(vec![("sec-fetch-site", "same-origin".to_owned())]).await;
    assert_eq!(answer.status(), 204);
    let cleared = answer.headers()["set-cookie"].to_str().expect("cookie");
    assert!(cleared.starts_with("fhir_import_session=;"), "{cleared}");
    assert_eq!(
        browser.get(auth_url.as_str()).await.status(),
        200,
        "the sign-in page again"
    );
    let ended = dashboard
        .exchange_refresh_token(tokens.refresh_token().expect("refresh"))
        .request_async(&http())
        .await
        .expect_err("the dashboard's login ended with the session");
    assert_oauth_error(ended, "invalid_grant");
    // A browser without fetch metadata names its origin instead.
    let answer = logout(vec![("origin", app.endpoint())]).await;
    assert_eq!(answer.status(), 204);
    app.stop().await;
}
on_both_stores!(a_page_of_this_server_signs_the_person_out);

/// Everyone who signs in to the dashboard shares its client id, and it has
/// no secret to guess: a stranger flooding the token endpoint with it
/// spends the budget of their own address, not everyone's.
async fn a_flood_with_a_public_client_id_slows_only_its_sender(backend: Backend) {
    let app = spawn_app(backend).await;
    let SignedIn {
        dashboard, tokens, ..
    } = dashboard_sign_in(&app, "alice").await;

    // The stranger, from another address (loopback has many).
    let stranger = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let mut slowed = 0;
    for n in 0..80 {
        let answer = stranger
            .post(format!("{}/oauth/token", app.endpoint()))
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", "fhir-import-dashboard"),
                ("refresh_token", &format!("guess-{n}")),
            ])
            .send()
            .await
            .expect("token request");
        if answer.status() == 429 {
            slowed += 1;
        }
    }
    assert!(slowed > 0, "the flood is slowed down");
    let renewed = dashboard
        .exchange_refresh_token(tokens.refresh_token().expect("refresh"))
        .request_async(&http())
        .await
        .expect("alice refreshes as usual");
    assert!(renewed.refresh_token().is_some());
    app.stop().await;
}
on_both_stores!(a_flood_with_a_public_client_id_slows_only_its_sender);
