//! The pool's version, bumped in the same transaction as any change to what the matcher reads
//! of a volunteer: the record and schedule (here in the registry), assignments and offer
//! answers (in requests). Each bump names the volunteers it concerns, so a process holding a
//! compiled pool reloads only those; several instances on one database never rank on a stale
//! pool.

use crate::RegistryError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

mod state {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pool_state")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub version: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod change {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pool_changes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub volunteer_id: Uuid,
        pub changed_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The one row of `pool_state`.
const STATE_ROW: i32 = 1;

/// Records that these volunteers changed. Call inside the transaction of the change, as late
/// as possible: on PostgreSQL the bump holds the counter's row lock until commit, which keeps
/// versions in commit order (a reader that sees version v has every change up to v).
pub async fn record(txn: &impl ConnectionTrait, volunteers: &[Uuid], now: DateTime<Utc>) -> Result<(), RegistryError> {
    if volunteers.is_empty() {
        return Ok(());
    }
    state::Entity::update_many()
        .col_expr(state::Column::Version, Expr::col(state::Column::Version).add(1))
        .filter(state::Column::Id.eq(STATE_ROW))
        .exec(txn)
        .await?;
    let version = current(txn).await?;
    let mut ids = volunteers.to_vec();
    ids.sort_unstable();
    ids.dedup();
    change::Entity::insert_many(ids.into_iter().map(|volunteer_id| change::ActiveModel {
        version: sea_orm::ActiveValue::Set(version),
        volunteer_id: sea_orm::ActiveValue::Set(volunteer_id),
        changed_at: sea_orm::ActiveValue::Set(now),
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The version as committed (or as this transaction sees it).
pub async fn current(db: &impl ConnectionTrait) -> Result<i64, RegistryError> {
    let version: Option<i64> = state::Entity::find_by_id(STATE_ROW)
        .select_only()
        .column(state::Column::Version)
        .into_tuple()
        .one(db)
        .await?;
    version.ok_or_else(|| sea_orm::DbErr::RecordNotFound("pool_state has no row".to_owned()).into())
}

/// The volunteers changed after version `after` up to and including `up_to`, or `None` when
/// the log no longer reaches back that far (pruned), so the caller must reload everyone.
pub async fn changed_between(
    db: &impl ConnectionTrait,
    after: i64,
    up_to: i64,
) -> Result<Option<Vec<Uuid>>, RegistryError> {
    if up_to <= after {
        return Ok(Some(Vec::new()));
    }
    let oldest: Option<Option<i64>> = change::Entity::find()
        .select_only()
        .column_as(change::Column::Version.min(), "oldest")
        .into_tuple()
        .one(db)
        .await?;
    if oldest.flatten().is_none_or(|oldest| oldest > after + 1) {
        return Ok(None);
    }
    let mut ids: Vec<Uuid> = change::Entity::find()
        .select_only()
        .column(change::Column::VolunteerId)
        .filter(change::Column::Version.gt(after))
        .filter(change::Column::Version.lte(up_to))
        .into_tuple()
        .all(db)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
}

/// Forgets changes recorded before `before`; a process whose pool is older reloads it whole.
pub async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, RegistryError> {
    // The newest change always stays, so the log never looks pruned to a current reader.
    let newest = current(db).await?;
    let deleted = change::Entity::delete_many()
        .filter(change::Column::ChangedAt.lt(before))
        .filter(change::Column::Version.lt(newest))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
