//! The only source of the schema, for SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_schema;
mod m20261121_000002_outbox;
mod m20261121_000003_cascade;
mod m20261122_000004_sessions;
mod m20261122_000005_availability_links;
mod m20261201_000006_pool_changes;
mod m20261201_000007_request_sections;
mod m20261202_000008_trainings;
mod m20261202_000009_audit_retention;
mod m20261205_000010_calendar_feeds;
mod m20261205_000011_client_continuity;
mod m20261205_000012_video_links;
mod m20261205_000013_series;
mod m20261205_000014_mail_hardening;
mod m20261205_000015_accept_window;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_schema::Migration),
            Box::new(m20261121_000002_outbox::Migration),
            Box::new(m20261121_000003_cascade::Migration),
            Box::new(m20261122_000004_sessions::Migration),
            Box::new(m20261122_000005_availability_links::Migration),
            Box::new(m20261201_000006_pool_changes::Migration),
            Box::new(m20261201_000007_request_sections::Migration),
            Box::new(m20261202_000008_trainings::Migration),
            Box::new(m20261202_000009_audit_retention::Migration),
            Box::new(m20261205_000010_calendar_feeds::Migration),
            Box::new(m20261205_000011_client_continuity::Migration),
            Box::new(m20261205_000012_video_links::Migration),
            Box::new(m20261205_000013_series::Migration),
            Box::new(m20261205_000014_mail_hardening::Migration),
            Box::new(m20261205_000015_accept_window::Migration),
        ]
    }
}
