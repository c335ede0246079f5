//! Rotating the token signing key while the server runs: tokens the old
//! key signed keep working until they expire, the server picks up the new
//! key (at once for a token that names it), publishes both, signs with the
//! new one, and all of that survives a restart.

use crate::common::browser::http;
use crate::common::{spawn_app, Backend, TestApp};
use fhir_import::auth::signing::rotate_signing_key;
use fhir_import::proto::v1::{self as pb, project_service_client::ProjectServiceClient};
use fhir_import::{auth::accounts::Accounts, store::Store};
use serde_json::Value;

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .expect("header")
        .kid
        .expect("kid")
}

async fn lists_projects(app: &TestApp, token: &str) -> Result<(), tonic::Status> {
    ProjectServiceClient::new(app.channel_with(token))
        .list_projects(pb::ListProjectsRequest::default())
        .await
        .map(|_| ())
}

async fn published_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = http()
        .get(format!("{}/.well-known/jwks.json", app.endpoint()))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("JSON");
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

async fn client_credentials_token(app: &TestApp, client_id: &str, secret: &str) -> String {
    let body: Value = http()
        .post(format!("{}/oauth/token", app.endpoint()))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token endpoint")
        .json()
        .await
        .expect("JSON");
    body["access_token"].as_str().expect("token").to_owned()
}

async fn rotation_keeps_old_tokens_and_moves_signing_to_the_new_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let (portal, secret) = Accounts::new(store.clone())
        .create_client(
            "rotation",
            crate::common::HARNESS_USER,
            &[],
            &["projects".into()],
        )
        .await
        .expect("client");
    let old_token = app.token.clone();
    let old_kid = kid_of(&old_token);
    assert_eq!(published_kids(&app).await, vec![old_kid.clone()]);

    let rotation = rotate_signing_key(&store).await.expect("rotate");
    assert_eq!(rotation.retired_kids, vec![old_kid.clone()]);
    let new_kid = rotation.new_kid;

    // A token the new key signed (as `admin issue-token` would sign it now):
    // the server has not reloaded yet, and loads the new key for it.
    let new_token = app
        .issue_token(crate::common::HARNESS_USER, &app.client_id, &[])
        .await;
    assert_eq!(kid_of(&new_token), new_kid);
    lists_projects(&app, &new_token)
        .await
        .expect("a token of the new key is accepted");
    lists_projects(&app, &old_token)
        .await
        .expect("a token of the retired key still verifies");

    // Both keys are published; new tokens are signed with the new one.
    assert_eq!(
        published_kids(&app).await,
        vec![new_kid.clone(), old_kid.clone()]
    );
    let fresh = client_credentials_token(&app, &portal.client_id, secret.expose()).await;
    assert_eq!(kid_of(&fresh), new_kid);

    // After a restart, the same holds.
    let app = app.restart().await;
    assert_eq!(published_kids(&app).await, vec![new_kid.clone(), old_kid]);
    let fresh = client_credentials_token(&app, &portal.client_id, secret.expose()).await;
    assert_eq!(kid_of(&fresh), new_kid);
    app.stop().await;
}
on_both_stores!(rotation_keeps_old_tokens_and_moves_signing_to_the_new_key);
