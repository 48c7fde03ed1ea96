//! Mail that cannot leak and addresses that bounce: offers and training invitations keep the
//! nonce their link token is derived from (with the server key, which is not in the database),
//! so a later mail can carry the same link without the token ever being stored; a volunteer
//! whose address was refused for good is flagged until the address is changed or the flag
//! cleared.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Offers {
    Table,
    LinkNonce,
}

#[derive(DeriveIden)]
enum TrainingInvitations {
    Table,
    LinkNonce,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    EmailBouncedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE. Rows from before have no nonce: their tokens
        // were random and went out already; a later mail cannot repeat their link.
        let alterations = [
            Table::alter()
                .table(Offers::Table)
                .add_column(string_null(Offers::LinkNonce))
                .to_owned(),
            Table::alter()
                .table(TrainingInvitations::Table)
                .add_column(string_null(TrainingInvitations::LinkNonce))
                .to_owned(),
            Table::alter()
                .table(Volunteers::Table)
                .add_column(timestamp_with_time_zone_null(Volunteers::EmailBouncedAt))
                .to_owned(),
        ];
        for alteration in alterations {
            manager.alter_table(alteration).await?;
        }
        Ok(())
    }
}
