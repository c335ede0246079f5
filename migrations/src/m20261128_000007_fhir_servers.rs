//! The registry of FHIR servers documents come from: their settings (with
//! the credentials the service uses to call them), the schema chosen for
//! them and why, and what their CapabilityStatement last said.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FhirServers::Table)
                    .col(string(FhirServers::Id).primary_key())
                    .col(text(FhirServers::Config))
                    .col(string_null(FhirServers::PinnedSchema))
                    .col(string_null(FhirServers::Schema))
                    .col(text(FhirServers::SchemaReason))
                    .col(string_null(FhirServers::FhirVersion))
                    .col(string_null(FhirServers::SoftwareName))
                    .col(timestamp_with_time_zone_null(FhirServers::CapabilityAt))
                    .col(text_null(FhirServers::CapabilityError))
                    .col(timestamp_with_time_zone(FhirServers::CreatedAt))
                    .col(timestamp_with_time_zone(FhirServers::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FhirServers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FhirServers {
    Table,
    Id,
    Config,
    PinnedSchema,
    Schema,
    SchemaReason,
    FhirVersion,
    SoftwareName,
    CapabilityAt,
    CapabilityError,
    CreatedAt,
    UpdatedAt,
}
