//! The acceptance window (`matching.accept_window_minutes`): acceptances arriving shortly after
//! the first are collected on their offers, and the request carries the moment the window
//! closes, a due time the worker claims like a wave, so a restart or a second instance closes
//! it exactly once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    Status,
    WindowClosesAt,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    WindowAcceptedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InterpretingRequests::Table)
                    .add_column(timestamp_with_time_zone_null(InterpretingRequests::WindowClosesAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Offers::Table)
                    .add_column(timestamp_with_time_zone_null(Offers::WindowAcceptedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("requests_by_window_close")
                    .table(InterpretingRequests::Table)
                    .col(InterpretingRequests::Status)
                    .col(InterpretingRequests::WindowClosesAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
