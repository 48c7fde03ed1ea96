//! The transactional email outbox: rows written in the same transaction as the change that
//! causes them, drained by the delivery worker of `lp_notify`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Id,
    Kind,
    ToAddress,
    Subject,
    BodyText,
    BodyHtml,
    AttachmentName,
    AttachmentContentType,
    AttachmentBody,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEmails::Table)
                    // A UUID in its text form: the worker and the mailbox page use it as is.
                    .col(string(OutboxEmails::Id).primary_key())
                    .col(string(OutboxEmails::Kind))
                    .col(string(OutboxEmails::ToAddress))
                    .col(string(OutboxEmails::Subject))
                    // Bodies carry secret link tokens: blanked once the message is sent.
                    .col(text(OutboxEmails::BodyText))
                    .col(text(OutboxEmails::BodyHtml))
                    .col(text_null(OutboxEmails::AttachmentName))
                    .col(text_null(OutboxEmails::AttachmentContentType))
                    .col(text_null(OutboxEmails::AttachmentBody))
                    // pending | sent | dead
                    .col(string(OutboxEmails::Status))
                    .col(integer(OutboxEmails::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxEmails::NextAttemptAt))
                    .col(string_null(OutboxEmails::LeaseOwner))
                    .col(timestamp_with_time_zone_null(OutboxEmails::LeaseUntil))
                    .col(text_null(OutboxEmails::LastError))
                    .col(timestamp_with_time_zone(OutboxEmails::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxEmails::SentAt))
                    .to_owned(),
            )
            .await?;
        // The worker's one recurring query: pending rows that are due, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("outbox_emails_due")
                    .table(OutboxEmails::Table)
                    .col(OutboxEmails::Status)
                    .col(OutboxEmails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxEmails::Table).to_owned())
            .await
    }
}
