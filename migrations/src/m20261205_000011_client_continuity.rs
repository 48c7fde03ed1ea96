//! Continuity over a longer past than the readable client reference is kept: a keyed hash of
//! the reference (under the server key, outside the database) with the time it is to be
//! removed, indexed for "who served this client before" and for its own retention.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    StartsAt,
    ClientKey,
    ClientKeyUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_null(InterpretingRequests::ClientKey),
            timestamp_with_time_zone_null(InterpretingRequests::ClientKeyUntil),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(InterpretingRequests::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, columns) in [
            (
                "requests_by_client_key",
                vec![InterpretingRequests::ClientKey, InterpretingRequests::StartsAt],
            ),
            (
                "requests_by_client_key_until",
                vec![InterpretingRequests::ClientKeyUntil],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(InterpretingRequests::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }
}
