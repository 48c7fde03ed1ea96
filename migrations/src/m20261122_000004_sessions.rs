//! Staff sign-in: server-side sessions (shared by every instance) and single-use set-password
//! links. Both keep only the SHA-256 of their secret.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StaffUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StaffSessions {
    Table,
    IdHash,
    StaffUserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum PasswordLinks {
    Table,
    TokenHash,
    StaffUserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StaffSessions::Table)
                    .col(string(StaffSessions::IdHash).primary_key())
                    .col(uuid(StaffSessions::StaffUserId))
                    .col(timestamp_with_time_zone(StaffSessions::CreatedAt))
                    .col(timestamp_with_time_zone(StaffSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(StaffSessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffSessions::Table, StaffSessions::StaffUserId)
                            .to(StaffUsers::Table, StaffUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("staff_sessions_by_user")
                    .table(StaffSessions::Table)
                    .col(StaffSessions::StaffUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordLinks::Table)
                    .col(string(PasswordLinks::TokenHash).primary_key())
                    .col(uuid(PasswordLinks::StaffUserId))
                    .col(timestamp_with_time_zone(PasswordLinks::CreatedAt))
                    .col(timestamp_with_time_zone(PasswordLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordLinks::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PasswordLinks::Table, PasswordLinks::StaffUserId)
                            .to(StaffUsers::Table, StaffUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PasswordLinks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(StaffSessions::Table).to_owned())
            .await
    }
}
