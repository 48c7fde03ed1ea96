//! The cascade's schedule lives on the request row (when the next wave is due, whether the
//! reminder went out), so a restart or a second instance neither loses nor doubles a wave.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    Status,
    NextWaveAt,
    FillBy,
    RemindedAt,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    WithdrewAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            timestamp_with_time_zone_null(InterpretingRequests::NextWaveAt),
            timestamp_with_time_zone_null(InterpretingRequests::RemindedAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(InterpretingRequests::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Offers::Table)
                    .add_column(timestamp_with_time_zone_null(Offers::WithdrewAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("requests_by_next_wave", InterpretingRequests::NextWaveAt),
            ("requests_by_deadline", InterpretingRequests::FillBy),
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
