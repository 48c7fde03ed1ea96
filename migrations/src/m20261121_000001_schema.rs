//! Registry, requests and offers. List-valued volunteer fields (modes, towns, availability,
//! absences) are JSON text: they are read whole with their volunteer and never queried alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StaffUsers {
    Table,
    Id,
    Email,
    Name,
    Role,
    OrganisationId,
    PasswordHash,
    ApiTokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
    Name,
    Email,
    Phone,
    GermanLevel,
    Modes,
    ServiceArea,
    ExcludedSettings,
    Gender,
    Availability,
    Absences,
    MaxAssignmentsPerMonth,
    ConfidentialitySignedOn,
    TrainingCompletedOn,
    Status,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VolunteerLanguages {
    Table,
    VolunteerId,
    Code,
    Proficiency,
    Dialect,
}

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    Id,
    OrganisationId,
    CaseworkerId,
    Language,
    Dialect,
    StartsAt,
    DurationMinutes,
    Mode,
    Town,
    Address,
    Setting,
    GenderPreference,
    GenderStrength,
    ClientRef,
    Notes,
    FillBy,
    Status,
    AssigneeId,
    AssignedAt,
    CompletedAt,
    ActualMinutes,
    Feedback,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    RequestId,
    VolunteerId,
    State,
    TokenHash,
    Wave,
    SentAt,
    ExpiresAt,
    RespondedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(string_uniq(Organisations::Name))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffUsers::Table)
                    .col(pk_uuid(StaffUsers::Id))
                    .col(string_uniq(StaffUsers::Email))
                    .col(string(StaffUsers::Name))
                    .col(string(StaffUsers::Role))
                    .col(uuid_null(StaffUsers::OrganisationId))
                    .col(string_null(StaffUsers::PasswordHash))
                    .col(string_null(StaffUsers::ApiTokenHash).unique_key())
                    .col(timestamp_with_time_zone(StaffUsers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffUsers::Table, StaffUsers::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Volunteers::Table)
                    .col(pk_uuid(Volunteers::Id))
                    .col(string(Volunteers::Name))
                    .col(string_uniq(Volunteers::Email))
                    .col(string_null(Volunteers::Phone))
                    .col(string(Volunteers::GermanLevel))
                    .col(text(Volunteers::Modes))
                    .col(text(Volunteers::ServiceArea))
                    .col(text(Volunteers::ExcludedSettings))
                    .col(string_null(Volunteers::Gender))
                    .col(text(Volunteers::Availability))
                    .col(text(Volunteers::Absences))
                    .col(integer_null(Volunteers::MaxAssignmentsPerMonth))
                    .col(date_null(Volunteers::ConfidentialitySignedOn))
                    .col(date_null(Volunteers::TrainingCompletedOn))
                    .col(string(Volunteers::Status))
                    .col(text_null(Volunteers::Notes))
                    .col(timestamp_with_time_zone(Volunteers::CreatedAt))
                    .col(timestamp_with_time_zone(Volunteers::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VolunteerLanguages::Table)
                    .col(uuid(VolunteerLanguages::VolunteerId))
                    .col(string(VolunteerLanguages::Code))
                    .col(string(VolunteerLanguages::Proficiency))
                    .col(string_null(VolunteerLanguages::Dialect))
                    .primary_key(
                        Index::create()
                            .col(VolunteerLanguages::VolunteerId)
                            .col(VolunteerLanguages::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(VolunteerLanguages::Table, VolunteerLanguages::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("volunteer_languages_by_code")
                    .table(VolunteerLanguages::Table)
                    .col(VolunteerLanguages::Code)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InterpretingRequests::Table)
                    .col(pk_uuid(InterpretingRequests::Id))
                    .col(uuid(InterpretingRequests::OrganisationId))
                    .col(uuid(InterpretingRequests::CaseworkerId))
                    .col(string(InterpretingRequests::Language))
                    .col(string_null(InterpretingRequests::Dialect))
                    .col(timestamp_with_time_zone(InterpretingRequests::StartsAt))
                    .col(integer(InterpretingRequests::DurationMinutes))
                    .col(string(InterpretingRequests::Mode))
                    .col(string_null(InterpretingRequests::Town))
                    .col(string_null(InterpretingRequests::Address))
                    .col(string(InterpretingRequests::Setting))
                    .col(string_null(InterpretingRequests::GenderPreference))
                    .col(string_null(InterpretingRequests::GenderStrength))
                    .col(string_null(InterpretingRequests::ClientRef))
                    .col(text_null(InterpretingRequests::Notes))
                    .col(timestamp_with_time_zone(InterpretingRequests::FillBy))
                    .col(string(InterpretingRequests::Status))
                    .col(uuid_null(InterpretingRequests::AssigneeId))
                    .col(timestamp_with_time_zone_null(InterpretingRequests::AssignedAt))
                    .col(timestamp_with_time_zone_null(InterpretingRequests::CompletedAt))
                    .col(integer_null(InterpretingRequests::ActualMinutes))
                    .col(text_null(InterpretingRequests::Feedback))
                    .col(timestamp_with_time_zone_null(InterpretingRequests::CancelledAt))
                    .col(timestamp_with_time_zone(InterpretingRequests::CreatedAt))
                    .col(timestamp_with_time_zone(InterpretingRequests::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InterpretingRequests::Table, InterpretingRequests::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InterpretingRequests::Table, InterpretingRequests::CaseworkerId)
                            .to(StaffUsers::Table, StaffUsers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InterpretingRequests::Table, InterpretingRequests::AssigneeId)
                            .to(Volunteers::Table, Volunteers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("requests_by_organisation", InterpretingRequests::OrganisationId),
            ("requests_by_assignee", InterpretingRequests::AssigneeId),
            ("requests_by_start", InterpretingRequests::StartsAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(InterpretingRequests::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(pk_uuid(Offers::Id))
                    .col(uuid(Offers::RequestId))
                    .col(uuid(Offers::VolunteerId))
                    .col(string(Offers::State))
                    .col(string_uniq(Offers::TokenHash))
                    .col(integer(Offers::Wave))
                    .col(timestamp_with_time_zone(Offers::SentAt))
                    .col(timestamp_with_time_zone(Offers::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Offers::RespondedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Offers::Table, Offers::RequestId)
                            .to(InterpretingRequests::Table, InterpretingRequests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Offers::Table, Offers::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Nobody gets a second offer for the same request.
        manager
            .create_index(
                Index::create()
                    .name("offers_one_per_volunteer_and_request")
                    .table(Offers::Table)
                    .col(Offers::RequestId)
                    .col(Offers::VolunteerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Exactly one winner: the database itself refuses a second accepted offer of a request.
        // Partial indexes exist on both SQLite and PostgreSQL with this syntax.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX offers_one_accepted_per_request \
                 ON offers (request_id) WHERE state = 'accepted'",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("offers_by_volunteer")
                    .table(Offers::Table)
                    .col(Offers::VolunteerId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
