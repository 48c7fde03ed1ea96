//! The pool's version: a counter bumped in the same transaction as any change to what the
//! matcher reads of a volunteer (their record, schedule, assignments, offer answers), with the
//! volunteers each bump concerns. Every instance caches a compiled pool and reloads only the
//! volunteers changed since its version, so none ranks on a stale pool. Plus the indexes that
//! let the matcher's history be read by volunteer and window instead of by a pass over all.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PoolState {
    Table,
    Id,
    Version,
}

#[derive(DeriveIden)]
enum PoolChanges {
    Table,
    Version,
    VolunteerId,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    VolunteerId,
    SentAt,
}

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    AssigneeId,
    StartsAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row. Bumping it takes its row lock until commit, so versions become visible in
        // the order they were taken: a reader that sees version v has every change up to v.
        manager
            .create_table(
                Table::create()
                    .table(PoolState::Table)
                    .col(integer(PoolState::Id).primary_key())
                    .col(big_integer(PoolState::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(PoolState::Table)
                    .columns([PoolState::Id, PoolState::Version])
                    .values_panic([1.into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PoolChanges::Table)
                    .col(big_integer(PoolChanges::Version))
                    .col(uuid(PoolChanges::VolunteerId))
                    .col(timestamp_with_time_zone(PoolChanges::ChangedAt))
                    .primary_key(Index::create().col(PoolChanges::Version).col(PoolChanges::VolunteerId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("offers_by_volunteer_and_sent")
                    .table(Offers::Table)
                    .col(Offers::VolunteerId)
                    .col(Offers::SentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("offers_by_sent")
                    .table(Offers::Table)
                    .col(Offers::SentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("requests_by_assignee_and_start")
                    .table(InterpretingRequests::Table)
                    .col(InterpretingRequests::AssigneeId)
                    .col(InterpretingRequests::StartsAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
