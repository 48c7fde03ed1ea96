//! Secret links to a volunteer's own availability page (`/v/{token}`): only the token's hash is
//! stored; each link is bound to one volunteer, expires, and is spent by its first save.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AvailabilityLinks {
    Table,
    Id,
    TokenHash,
    VolunteerId,
    Reason,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AvailabilityLinks::Table)
                    .col(pk_uuid(AvailabilityLinks::Id))
                    .col(string_uniq(AvailabilityLinks::TokenHash))
                    .col(uuid(AvailabilityLinks::VolunteerId))
                    // `offer` (sent with an offer mail) or `request` (asked for on `/v`): only
                    // the asked-for ones count towards the one-per-ten-minutes limit.
                    .col(string(AvailabilityLinks::Reason))
                    .col(timestamp_with_time_zone(AvailabilityLinks::CreatedAt))
                    .col(timestamp_with_time_zone(AvailabilityLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AvailabilityLinks::UsedAt))
                    // A volunteer deleted outright takes their links along.
                    .foreign_key(
                        ForeignKey::create()
                            .from(AvailabilityLinks::Table, AvailabilityLinks::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("availability_links_by_volunteer")
                    .table(AvailabilityLinks::Table)
                    .col(AvailabilityLinks::VolunteerId)
                    .col(AvailabilityLinks::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
