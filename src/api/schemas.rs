//! SchemaService over gRPC: the metadata schema catalog.

use tonic::{Request, Response, Status};

use super::convert::timestamp;
use crate::auth::Caller;
use crate::proto::v1::{self as pb, schema_service_server::SchemaService};
use crate::scrape::MatchRules;
use crate::services::schemas::{SchemaInfo, Schemas};

pub struct SchemaApi {
    catalog: Schemas,
}

impl SchemaApi {
    pub fn new(catalog: Schemas) -> Self {
        Self { catalog }
    }
}

#[tonic::async_trait]
impl SchemaService for SchemaApi {
    async fn put_schema(
        &self,
        request: Request<pb::PutSchemaRequest>,
    ) -> Result<Response<pb::SchemaInfo>, Status> {
        let caller = Caller::of(&request)?;
        let info = self
            .catalog
            .put(&caller, &request.into_inner().source)
            .await?;
        Ok(Response::new(schema_info(info, true)))
    }

    async fn get_schema(
        &self,
        request: Request<pb::GetSchemaRequest>,
    ) -> Result<Response<pb::SchemaInfo>, Status> {
        let request = request.into_inner();
        let name = request.name.trim();
        if name.is_empty() {
            return Err(Status::invalid_argument("name: a schema name is required"));
        }
        let version = (request.version > 0).then_some(request.version);
        let info = self.catalog.get(name, version).await?;
        Ok(Response::new(schema_info(info, true)))
    }

    async fn list_schemas(
        &self,
        request: Request<pb::ListSchemasRequest>,
    ) -> Result<Response<pb::ListSchemasResponse>, Status> {
        let name = request.into_inner().name;
        let infos = match name.trim() {
            "" => self.catalog.list().await?,
            name => self.catalog.versions(name).await?,
        };
        Ok(Response::new(pb::ListSchemasResponse {
            schemas: infos.into_iter().map(|i| schema_info(i, false)).collect(),
        }))
    }
}

fn schema_info(info: SchemaInfo, with_source: bool) -> pb::SchemaInfo {
    let schema = &info.schema;
    pb::SchemaInfo {
        name: schema.name.clone(),
        version: schema.version,
        id: schema.id(),
        description: schema.description.clone(),
        source: match with_source {
            true => info.source.to_string(),
            false => String::new(),
        },
        builtin: info.builtin,
        keys: schema.keys.keys().cloned().collect(),
        match_rules: Some(match_rules(&schema.match_rules)),
        searches: schema.searches.keys().cloned().collect(),
        created_by: info.created_by,
        create_time: info.created_at.map(timestamp),
    }
}

fn match_rules(rules: &MatchRules) -> pb::SchemaMatchRules {
    let lists = [
        ("fhir_versions", &rules.fhir_versions),
        ("software", &rules.software),
        ("implementation_guides", &rules.implementation_guides),
        ("profiles", &rules.profiles),
    ];
    let parts: Vec<String> = lists
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(field, values)| format!("{field}: {}", values.join(", ")))
        .collect();
    pb::SchemaMatchRules {
        fhir_versions: rules.fhir_versions.clone(),
        software: rules.software.clone(),
        implementation_guides: rules.implementation_guides.clone(),
        profiles: rules.profiles.clone(),
        summary: match parts.is_empty() {
            true => "any server".to_owned(),
            false => parts.join("; "),
        },
    }
}
