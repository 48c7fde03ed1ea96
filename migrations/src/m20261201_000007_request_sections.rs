//! Indexes for the dashboard's and the board's sections, which read requests by status in
//! start or last-change order: without them a pool with years of history sorted every
//! completed request to show the newest twenty.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    Status,
    StartsAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in [
            ("requests_by_status_and_start", InterpretingRequests::StartsAt),
            ("requests_by_status_and_change", InterpretingRequests::UpdatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(InterpretingRequests::Table)
                        .col(InterpretingRequests::Status)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
