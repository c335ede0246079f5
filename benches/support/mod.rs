//! What the benchmarks share: their settings from the environment, the
//! documents they send, a fresh PostgreSQL database, a token and a client.
// Each benchmark is its own crate and uses part of this.
#![allow(dead_code)]

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use anyhow::{bail, Context};
use fhir_import::auth::accounts::Accounts;
use fhir_import::auth::bearer::BearerAuth;
use fhir_import::domain::account::SCOPES;
use fhir_import::proto::v1::{self as pb, document_input::Source, import_documents_request::Kind};
use fhir_import::store::Store;
use fhir_import::Application;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use tonic::{service::interceptor::InterceptedService, transport::Channel};

/// `name` from the environment as a positive number, or `default`.
pub fn positive(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => bail!("{name}: expected a positive number, got {v:?}"),
        },
        Err(_) => Ok(default),
    }
}

/// The PostgreSQL admin URL benchmarks create their databases through.
pub fn postgres_admin_url() -> String {
    std::env::var("FHIR_IMPORT_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.is_empty() {
        f64::NAN
    } else if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Documents shaped like tests/api/common/docs.rs `document(n)`, as request
/// messages, built once before anything is timed.
pub fn build_documents(count: usize) -> Vec<pb::ImportDocumentsRequest> {
    (0..count)
        .map(|n| pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(document(n).to_string())),
                metadata: HashMap::new(),
            })),
        })
        .collect()
}

/// `count` DocumentReferences of a generated Kids First study (about 2.2 KB
/// each: identifiers, categories, hashes and sequencing extensions), as
/// `fhir-import dataset kids-first` writes them.
pub fn build_kids_first_documents(count: usize) -> Vec<pb::ImportDocumentsRequest> {
    // About nine documents a family with the default shape.
    let shape = fhir_import::dataset::Shape {
        families: count / 8 + 1,
        ..Default::default()
    };
    fhir_import::dataset::generate(1, &shape)
        .document_references
        .into_iter()
        .take(count)
        .map(|document| pb::ImportDocumentsRequest {
            kind: Some(Kind::Document(pb::DocumentInput {
                source: Some(Source::ResourceJson(document.to_string())),
                metadata: HashMap::new(),
            })),
        })
        .collect()
}

pub fn document(n: usize) -> Value {
    json!({
        "resourceType": "DocumentReference",
        "id": format!("doc-{n}"),
        "status": "current",
        "docStatus": "final",
        "subject": {"reference": format!("Patient/pt-{}", n % 50)},
        "content": [{
            "attachment": {
                "url": format!("drs://data.example.org/file-{n}"),
                "title": format!("sample-{n}.cram"),
                "contentType": "application/octet-stream",
                "size": 5_000_000_000u64 + n as u64,
                "hash": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
            }
        }]
    })
}

pub fn header(project: &str) -> pb::ImportDocumentsRequest {
    pb::ImportDocumentsRequest {
        kind: Some(Kind::Header(pb::ImportHeader {
            project: project.to_owned(),
            ..Default::default()
        })),
    }
}

/// A channel whose calls carry a bearer token and the advance-access
/// header: the real service checks them; the bare baseline gets the same
/// bytes so that both sides pay for the same messages.
pub type Authed = InterceptedService<Channel, BearerAuth>;

pub async fn connect(addr: SocketAddr, token: &str) -> anyhow::Result<Authed> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    Ok(InterceptedService::new(
        channel,
        BearerAuth::new(Some(token))?,
    ))
}

/// A user and a portal with every scope in the store at `database_url`, and
/// a token for them, as `fhir-import admin issue-token` would make it.
pub async fn bench_token(app: &Application, database_url: &str) -> anyhow::Result<String> {
    let accounts = Accounts::new(Store::connect(database_url, 1).await?);
    accounts.create_user("bench", None).await?;
    let scopes: Vec<String> = SCOPES.iter().map(|s| (*s).to_owned()).collect();
    let (client, _) = accounts
        .create_client("bench", "bench", &[], &scopes)
        .await?;
    Ok(app.issue_token("bench", &client.client_id, &[]).await?)
}

/// A fresh PostgreSQL database, created like tests/api/common does.
pub struct FreshPostgres {
    admin_url: String,
    name: String,
    pub url: String,
}

impl FreshPostgres {
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let admin = tokio::time::timeout(Duration::from_secs(10), Database::connect(admin_url))
            .await
            .context("timed out connecting")??;
        let name = format!("fhir_import_bench_{}", uuid::Uuid::now_v7().simple());
        admin
            .execute_unprepared(&format!(
                "CREATE DATABASE {name} {}",
                std::env::var("BENCH_PG_DATABASE").unwrap_or_default()
            ))
            .await
            .context("creating the bench database")?;
        let _ = admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Ok(Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        })
    }

    pub async fn drop_database(self) -> anyhow::Result<()> {
        let admin = Database::connect(&self.admin_url).await?;
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .with_context(|| format!("dropping database {}", self.name))?;
        let _ = admin.close().await;
        Ok(())
    }
}

pub fn is_terminal(state: pb::ImportState) -> bool {
    matches!(
        state,
        pb::ImportState::Completed
            | pb::ImportState::CompletedWithErrors
            | pb::ImportState::Failed
            | pb::ImportState::Cancelled
    )
}
