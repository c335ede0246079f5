//! The core schema: projects, imports with their items and events, files and
//! their key-value metadata.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(string(Projects::Id).primary_key())
                    .col(string(Projects::Owner))
                    .col(string(Projects::Name))
                    .col(string_uniq(Projects::Slug))
                    .col(text(Projects::Description))
                    .col(timestamp_with_time_zone(Projects::CreatedAt))
                    .col(timestamp_with_time_zone(Projects::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(string(Imports::Id).primary_key())
                    .col(string(Imports::ProjectId))
                    .col(string(Imports::State))
                    .col(string(Imports::FhirServer))
                    .col(string(Imports::OnConflict))
                    .col(string_null(Imports::IdempotencyKey))
                    .col(text(Imports::Tags))
                    .col(text(Imports::Error))
                    .col(string(Imports::CreatedBy))
                    .col(big_integer(Imports::LastSequence))
                    .col(big_integer(Imports::Received))
                    .col(big_integer(Imports::Pending))
                    .col(big_integer(Imports::Processing))
                    .col(big_integer(Imports::Imported))
                    .col(big_integer(Imports::Skipped))
                    .col(big_integer(Imports::Rejected))
                    .col(big_integer(Imports::Failed))
                    .col(big_integer(Imports::Cancelled))
                    .col(timestamp_with_time_zone(Imports::CreatedAt))
                    .col(timestamp_with_time_zone(Imports::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Imports::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Imports::Table, Imports::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("imports_project_idempotency_key")
                    .table(Imports::Table)
                    .col(Imports::ProjectId)
                    .col(Imports::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("imports_project_id")
                    .table(Imports::Table)
                    .col(Imports::ProjectId)
                    .col(Imports::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("imports_state")
                    .table(Imports::Table)
                    .col(Imports::State)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportItems::Table)
                    .col(string(ImportItems::ImportId))
                    .col(big_integer(ImportItems::Idx))
                    .col(string_null(ImportItems::DocumentId))
                    .col(string(ImportItems::State))
                    .col(string(ImportItems::Stage))
                    .col(string_null(ImportItems::RejectionCode))
                    .col(text_null(ImportItems::Message))
                    .col(string_null(ImportItems::FileId))
                    .col(big_integer(ImportItems::Sequence))
                    .col(text_null(ImportItems::DocumentJson))
                    .col(text_null(ImportItems::MetadataJson))
                    .col(timestamp_with_time_zone(ImportItems::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ImportItems::ImportId)
                            .col(ImportItems::Idx),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportItems::Table, ImportItems::ImportId)
                            .to(Imports::Table, Imports::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("import_items_state")
                    .table(ImportItems::Table)
                    .col(ImportItems::ImportId)
                    .col(ImportItems::State)
                    .col(ImportItems::Idx)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportEvents::Table)
                    .col(string(ImportEvents::ImportId))
                    .col(big_integer(ImportEvents::Sequence))
                    .col(text(ImportEvents::Payload))
                    .col(timestamp_with_time_zone(ImportEvents::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ImportEvents::ImportId)
                            .col(ImportEvents::Sequence),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportEvents::Table, ImportEvents::ImportId)
                            .to(Imports::Table, Imports::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .col(string(Files::Id).primary_key())
                    .col(string(Files::ProjectId))
                    .col(string(Files::Name))
                    .col(text(Files::Url))
                    .col(big_integer_null(Files::Size))
                    .col(string(Files::ContentType))
                    .col(text(Files::Hashes))
                    .col(string(Files::DocumentReferenceId))
                    .col(string(Files::FhirServer))
                    .col(text(Files::DocumentJson))
                    .col(string(Files::MetadataState))
                    .col(text(Files::MetadataError))
                    .col(text(Files::Tags))
                    .col(string(Files::ImportId))
                    .col(timestamp_with_time_zone(Files::CreatedAt))
                    .col(timestamp_with_time_zone(Files::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Files::Table, Files::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("files_project_name")
                    .table(Files::Table)
                    .col(Files::ProjectId)
                    .col(Files::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("files_document")
                    .table(Files::Table)
                    .col(Files::ProjectId)
                    .col(Files::FhirServer)
                    .col(Files::DocumentReferenceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("files_project_id")
                    .table(Files::Table)
                    .col(Files::ProjectId)
                    .col(Files::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FileMetadata::Table)
                    .col(string(FileMetadata::FileId))
                    .col(string(FileMetadata::Key))
                    .col(text(FileMetadata::Value))
                    .primary_key(
                        Index::create()
                            .col(FileMetadata::FileId)
                            .col(FileMetadata::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FileMetadata::Table, FileMetadata::FileId)
                            .to(Files::Table, Files::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("file_metadata_key_value")
                    .table(FileMetadata::Table)
                    .col(FileMetadata::Key)
                    .col(FileMetadata::Value)
                    .col(FileMetadata::FileId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FileMetadata::Table.into_iden(),
            Files::Table.into_iden(),
            ImportEvents::Table.into_iden(),
            ImportItems::Table.into_iden(),
            Imports::Table.into_iden(),
            Projects::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Owner,
    Name,
    Slug,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    ProjectId,
    State,
    FhirServer,
    OnConflict,
    IdempotencyKey,
    Tags,
    Error,
    CreatedBy,
    LastSequence,
    Received,
    Pending,
    Processing,
    Imported,
    Skipped,
    Rejected,
    Failed,
    Cancelled,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ImportItems {
    Table,
    ImportId,
    Idx,
    DocumentId,
    State,
    Stage,
    RejectionCode,
    Message,
    FileId,
    Sequence,
    DocumentJson,
    MetadataJson,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImportEvents {
    Table,
    ImportId,
    Sequence,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    ProjectId,
    Name,
    Url,
    Size,
    ContentType,
    Hashes,
    DocumentReferenceId,
    FhirServer,
    DocumentJson,
    MetadataState,
    MetadataError,
    Tags,
    ImportId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FileMetadata {
    Table,
    FileId,
    Key,
    Value,
}
