//! The meeting link of a video appointment, made on acceptance on the town's own video service
//! and sent to both the caseworker and the interpreter.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InterpretingRequests {
    Table,
    VideoUrl,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InterpretingRequests::Table)
                    .add_column(string_null(InterpretingRequests::VideoUrl))
                    .to_owned(),
            )
            .await
    }
}
