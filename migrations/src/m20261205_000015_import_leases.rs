//! Imports are worked by one replica at a time: the replica that holds an
//! import's lease receives its stream and runs its stages, renewing the
//! lease while it lives. Another replica takes an import over once its
//! lease has expired (a dead owner) or was handed back (a drained one).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .add_column(string_null(Imports::LeaseOwner))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .add_column(timestamp_with_time_zone_null(Imports::LeaseExpiresAt))
                    .to_owned(),
            )
            .await?;
        // Each replica renews its leases by owner, several times a lease.
        manager
            .create_index(
                Index::create()
                    .name("imports_lease_owner")
                    .table(Imports::Table)
                    .col(Imports::LeaseOwner)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("imports_lease_owner")
                    .table(Imports::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Imports::LeaseExpiresAt, Imports::LeaseOwner] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Imports::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    LeaseOwner,
    LeaseExpiresAt,
}
