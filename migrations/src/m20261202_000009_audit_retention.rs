//! The audit log (append-only: a trigger refuses any change to an entry on both databases),
//! when a volunteer was erased (reports leave them out of their personal tables), and when a
//! request's details were removed after the retention period.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    Id,
    At,
    ActorKind,
    ActorId,
    Action,
    ObjectKind,
    ObjectId,
    Fields,
    ClientAddr,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    DetailsRemovedAt,
    StartsAt,
}

const SQLITE_GUARD: &str = "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE ON audit_entries \
     BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END";

// `OR REPLACE`: dropping every table (`Migrator::fresh`, as `linguapool demo --reset` does on
// PostgreSQL) leaves functions behind, and the schema must build again on top of them.
const POSTGRES_GUARD: [&str; 2] = [
    "CREATE OR REPLACE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION 'audit entries cannot be changed'; END $$",
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE ON audit_entries \
     FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEntries::Table)
                    .col(pk_uuid(AuditEntries::Id))
                    .col(timestamp_with_time_zone(AuditEntries::At))
                    .col(string(AuditEntries::ActorKind))
                    .col(uuid_null(AuditEntries::ActorId))
                    .col(string(AuditEntries::Action))
                    .col(string(AuditEntries::ObjectKind))
                    .col(uuid_null(AuditEntries::ObjectId))
                    .col(text_null(AuditEntries::Fields))
                    .col(string_null(AuditEntries::ClientAddr))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("audit_by_time", vec![AuditEntries::At]),
            ("audit_by_object", vec![AuditEntries::ObjectId, AuditEntries::At]),
            ("audit_by_actor", vec![AuditEntries::ActorId, AuditEntries::At]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEntries::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(SQLITE_GUARD).await?;
            }
            _ => {
                for statement in POSTGRES_GUARD {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Volunteers::Table)
                    .add_column(timestamp_with_time_zone_null(Volunteers::ErasedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InterpretingRequests::Table)
                    .add_column(timestamp_with_time_zone_null(InterpretingRequests::DetailsRemovedAt))
                    .to_owned(),
            )
            .await?;
        // The retention job's question every pass: which requests still hold details and
        // began before the cutoff.
        manager
            .create_index(
                Index::create()
                    .name("requests_by_details_and_start")
                    .table(InterpretingRequests::Table)
                    .col(InterpretingRequests::DetailsRemovedAt)
                    .col(InterpretingRequests::StartsAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
