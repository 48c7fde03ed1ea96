//! Series of appointments (weekly therapy, a course of school meetings): each date is a request
//! of its own, tied to the series (the first date's id) with its position; the later dates wait
//! while the first date's offer, which is for the whole series, is out.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    SeriesId,
    SeriesPosition,
    HeldForSeries,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            uuid_null(InterpretingRequests::SeriesId),
            integer_null(InterpretingRequests::SeriesPosition),
            boolean(InterpretingRequests::HeldForSeries).default(false).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(InterpretingRequests::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("requests_by_series")
                    .table(InterpretingRequests::Table)
                    .col(InterpretingRequests::SeriesId)
                    .col(InterpretingRequests::SeriesPosition)
                    .to_owned(),
            )
            .await
    }
}
