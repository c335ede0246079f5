//! Queries on the registry of FHIR servers.

use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};

use super::entities::fhir_server;
use super::{Store, StoreError, StoreResult};
use crate::domain::project::ProjectPattern;
use crate::fhir::{RegisteredServer, ServerConfig};

impl TryFrom<fhir_server::Model> for RegisteredServer {
    type Error = StoreError;

    fn try_from(m: fhir_server::Model) -> StoreResult<Self> {
        let config: ServerConfig = serde_json::from_str(&m.config)
            .map_err(|e| StoreError::Corrupt(format!("FHIR server {}: {e}", m.id)))?;
        let allowed: Vec<String> = serde_json::from_str(&m.allowed_projects)
            .map_err(|e| StoreError::Corrupt(format!("FHIR server {}: {e}", m.id)))?;
        let allowed_projects = allowed
            .iter()
            .map(|p| ProjectPattern::parse(p))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("FHIR server {}: {e}", m.id)))?;
        Ok(Self {
            config,
            pinned_schema: m.pinned_schema,
            schema: m.schema,
            schema_reason: m.schema_reason,
            fhir_version: m.fhir_version,
            software_name: m.software_name,
            capability_at: m.capability_at,
            capability_error: m.capability_error,
            created_at: m.created_at,
            updated_at: m.updated_at,
            allowed_projects,
        })
    }
}

fn row(server: &RegisteredServer) -> StoreResult<fhir_server::ActiveModel> {
    let config =
        serde_json::to_string(&server.config).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let allowed: Vec<String> = server
        .allowed_projects
        .iter()
        .map(ToString::to_string)
        .collect();
    let allowed_projects =
        serde_json::to_string(&allowed).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(fhir_server::ActiveModel {
        id: Set(server.config.id.clone()),
        config: Set(config),
        pinned_schema: Set(server.pinned_schema.clone()),
        schema: Set(server.schema.clone()),
        schema_reason: Set(server.schema_reason.clone()),
        fhir_version: Set(server.fhir_version.clone()),
        software_name: Set(server.software_name.clone()),
        capability_at: Set(server.capability_at),
        capability_error: Set(server.capability_error.clone()),
        created_at: Set(server.created_at),
        updated_at: Set(server.updated_at),
        allowed_projects: Set(allowed_projects),
    })
}

impl Store {
    /// Registers a server; a taken id is a conflict.
    pub async fn insert_fhir_server(&self, server: &RegisteredServer) -> StoreResult<()> {
        let tx = self.begin_write().await?;
        fhir_server::Entity::insert(row(server)?)
            .exec(&*tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "a FHIR server with id {} is already registered",
                    server.id()
                )),
                other => other,
            })?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a server's row; false when it is not registered.
    pub async fn update_fhir_server(&self, server: &RegisteredServer) -> StoreResult<bool> {
        let tx = self.begin_write().await?;
        let updated = fhir_server::Entity::update(row(server)?).exec(&*tx).await;
        match updated {
            Ok(_) => {
                tx.commit().await?;
                Ok(true)
            }
            Err(sea_orm::DbErr::RecordNotUpdated) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn fhir_server(&self, id: &str) -> StoreResult<Option<RegisteredServer>> {
        fhir_server::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await?
            .map(RegisteredServer::try_from)
            .transpose()
    }

    /// Every registered server, by id.
    pub async fn fhir_servers(&self) -> StoreResult<Vec<RegisteredServer>> {
        fhir_server::Entity::find()
            .order_by_asc(fhir_server::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(RegisteredServer::try_from)
            .collect()
    }

    /// False when no server had that id.
    pub async fn remove_fhir_server(&self, id: &str) -> StoreResult<bool> {
        let tx = self.begin_write().await?;
        let deleted = fhir_server::Entity::delete_by_id(id.to_owned())
            .exec(&*tx)
            .await?;
        tx.commit().await?;
        Ok(deleted.rows_affected > 0)
    }
}
