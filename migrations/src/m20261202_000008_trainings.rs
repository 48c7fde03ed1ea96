//! Trainings: what the coordinator schedules, who is invited (each invitation one secret link,
//! stored as a hash), who registered, waits or came. The date of a volunteer's last attended
//! basic or refresher training is kept on the volunteer, next to `training_completed_on` (a
//! training taken elsewhere), so the matcher reads training status from the row it already
//! reads.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trainings {
    Table,
    Id,
    Title,
    Kind,
    StartsAt,
    DurationMinutes,
    Location,
    Capacity,
    SeatsTaken,
    RegistrationDeadline,
    Description,
    Trainer,
    Status,
    ReminderDueAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingInvitations {
    Table,
    Id,
    TrainingId,
    VolunteerId,
    TokenHash,
    State,
    WaitingSince,
    Attended,
    InvitedAt,
    RespondedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum TrainingExpiryNotices {
    Table,
    VolunteerId,
    ValidUntil,
    SentAt,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
    TrainingCompletedOn,
    TrainingAttendedOn,
}

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Trainings::Table)
                    .col(pk_uuid(Trainings::Id))
                    .col(string(Trainings::Title))
                    .col(string(Trainings::Kind))
                    .col(timestamp_with_time_zone(Trainings::StartsAt))
                    .col(integer(Trainings::DurationMinutes))
                    .col(string(Trainings::Location))
                    .col(integer(Trainings::Capacity))
                    // The number of registered invitations, kept in the transactions that
                    // change them: the last place is taken by one conditional UPDATE of it.
                    .col(integer(Trainings::SeatsTaken).default(0))
                    .col(timestamp_with_time_zone(Trainings::RegistrationDeadline))
                    .col(text_null(Trainings::Description))
                    .col(string_null(Trainings::Trainer))
                    // `scheduled` or `cancelled`
                    .col(string(Trainings::Status))
                    // The day-before reminder, claimed once by the worker (then null).
                    .col(timestamp_with_time_zone_null(Trainings::ReminderDueAt))
                    .col(timestamp_with_time_zone(Trainings::CreatedAt))
                    .col(timestamp_with_time_zone(Trainings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("trainings_by_start")
                    .table(Trainings::Table)
                    .col(Trainings::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("trainings_by_reminder")
                    .table(Trainings::Table)
                    .col(Trainings::ReminderDueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingInvitations::Table)
                    .col(pk_uuid(TrainingInvitations::Id))
                    .col(uuid(TrainingInvitations::TrainingId))
                    .col(uuid(TrainingInvitations::VolunteerId))
                    .col(string_uniq(TrainingInvitations::TokenHash))
                    // `invited`, `registered`, `waiting`, `declined`
                    .col(string(TrainingInvitations::State))
                    // Orders the waiting list.
                    .col(timestamp_with_time_zone_null(TrainingInvitations::WaitingSince))
                    .col(boolean(TrainingInvitations::Attended).default(false))
                    .col(timestamp_with_time_zone(TrainingInvitations::InvitedAt))
                    .col(timestamp_with_time_zone_null(TrainingInvitations::RespondedAt))
                    .col(timestamp_with_time_zone(TrainingInvitations::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingInvitations::Table, TrainingInvitations::TrainingId)
                            .to(Trainings::Table, Trainings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A volunteer deleted outright takes their invitations along.
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingInvitations::Table, TrainingInvitations::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One invitation per volunteer and training: inviting again mails nobody twice.
        manager
            .create_index(
                Index::create()
                    .name("training_invitations_once")
                    .table(TrainingInvitations::Table)
                    .col(TrainingInvitations::TrainingId)
                    .col(TrainingInvitations::VolunteerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("training_invitations_by_volunteer")
                    .table(TrainingInvitations::Table)
                    .col(TrainingInvitations::VolunteerId)
                    .to_owned(),
            )
            .await?;
        // The "your training expires" mail, once per volunteer and validity end.
        manager
            .create_table(
                Table::create()
                    .table(TrainingExpiryNotices::Table)
                    .col(uuid(TrainingExpiryNotices::VolunteerId))
                    .col(date(TrainingExpiryNotices::ValidUntil))
                    .col(timestamp_with_time_zone(TrainingExpiryNotices::SentAt))
                    .primary_key(
                        Index::create()
                            .col(TrainingExpiryNotices::VolunteerId)
                            .col(TrainingExpiryNotices::ValidUntil),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingExpiryNotices::Table, TrainingExpiryNotices::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Volunteers::Table)
                    .add_column(date_null(Volunteers::TrainingAttendedOn))
                    .to_owned(),
            )
            .await?;
        // Recent demand per language, for planning the next course.
        manager
            .create_index(
                Index::create()
                    .name("requests_by_creation")
                    .table(InterpretingRequests::Table)
                    .col(InterpretingRequests::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // The worker finds whose training ends soon by these dates, not by a pass over all.
        for (name, column) in [
            ("volunteers_by_training_completed_on", Volunteers::TrainingCompletedOn),
            ("volunteers_by_training_attended_on", Volunteers::TrainingAttendedOn),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Volunteers::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
