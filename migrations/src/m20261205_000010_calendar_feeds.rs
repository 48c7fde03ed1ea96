//! A volunteer's private calendar subscription (`/calendar/{token}.ics`). The token is derived
//! from the server's key and the feed's id, so it can be shown again without being stored; only
//! its hash is kept, to find the feed. Revoking sets `revoked_at`; a new feed is a new row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    VolunteerId,
    TokenHash,
    CreatedAt,
    RevokedAt,
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
                    .table(CalendarFeeds::Table)
                    .col(pk_uuid(CalendarFeeds::Id))
                    .col(uuid(CalendarFeeds::VolunteerId))
                    .col(string_uniq(CalendarFeeds::TokenHash))
                    .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                    .col(timestamp_with_time_zone_null(CalendarFeeds::RevokedAt))
                    // A volunteer deleted outright takes their feeds along.
                    .foreign_key(
                        ForeignKey::create()
                            .from(CalendarFeeds::Table, CalendarFeeds::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // At most one working feed per volunteer: two mails racing to make the first one
        // cannot leave two addresses. Partial indexes take this syntax on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX calendar_feeds_one_current_per_volunteer \
                 ON calendar_feeds (volunteer_id) WHERE revoked_at IS NULL",
            )
            .await?;
        // The retention pass removes revoked feeds by age.
        manager
            .create_index(
                Index::create()
                    .name("calendar_feeds_by_revoked_at")
                    .table(CalendarFeeds::Table)
                    .col(CalendarFeeds::RevokedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CalendarFeeds::Table).to_owned())
            .await
    }
}
