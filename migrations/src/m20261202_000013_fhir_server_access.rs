//! Which projects may use each FHIR server (through the service's
//! credentials for it): a JSON list of project patterns, none by default.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(FhirServers::Table)
                    .add_column(text(FhirServers::AllowedProjects).default("[]"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(FhirServers::Table)
                    .drop_column(FhirServers::AllowedProjects)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum FhirServers {
    Table,
    AllowedProjects,
}
