//! The places of a training. `seats_taken` counts the registered invitations and changes only
//! here, in the transactions that change them: a place is taken by one conditional UPDATE
//! (`seats_taken < capacity`), so of any number of registrations racing for the last place
//! exactly one gets it, on either database; a place given back goes to the first on the
//! waiting list in the same transaction.

use crate::entities::{invitation, training};
use crate::trainings::Training;
use crate::{TrainingError, TrainingSettings, mails};
use chrono::{DateTime, Utc};
use lp_core::vocab::{InvitationState, TrainingState};
use lp_registry::volunteers;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Takes the training's row lock (a no-op write), so the seat changes of one training are
/// judged one after another, and reads the row as it then stands.
pub(crate) async fn lock(txn: &impl ConnectionTrait, id: Uuid) -> Result<Training, TrainingError> {
    let locked = training::Entity::update_many()
        .col_expr(training::Column::SeatsTaken, Expr::col(training::Column::SeatsTaken))
        .filter(training::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if locked.rows_affected != 1 {
        return Err(TrainingError::NotFound);
    }
    crate::trainings::get(txn, id).await
}

/// Takes a place if one is free and the training is still ahead; `false` when full.
pub(crate) async fn take(txn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<bool, TrainingError> {
    let taken = training::Entity::update_many()
        .col_expr(
            training::Column::SeatsTaken,
            Expr::col(training::Column::SeatsTaken).add(1),
        )
        .filter(training::Column::Id.eq(id))
        .filter(training::Column::Status.eq(TrainingState::Scheduled.as_str()))
        .filter(training::Column::StartsAt.gt(now))
        .filter(Expr::col(training::Column::SeatsTaken).lt(Expr::col(training::Column::Capacity)))
        .exec(txn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// A registered volunteer's place is free again: it goes to the first on the waiting list.
pub(crate) async fn give_back(
    txn: &impl ConnectionTrait,
    id: Uuid,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    training::Entity::update_many()
        .col_expr(
            training::Column::SeatsTaken,
            Expr::col(training::Column::SeatsTaken).sub(1),
        )
        .filter(training::Column::Id.eq(id))
        .filter(training::Column::SeatsTaken.gt(0))
        .exec(txn)
        .await?;
    fill_free(txn, id, settings, now).await
}

/// Moves the waiting list up while places are free, mailing each who moves up.
pub(crate) async fn fill_free(
    txn: &impl ConnectionTrait,
    id: Uuid,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    loop {
        let Some(first) = waiting_list(txn, id).await?.into_iter().next() else {
            return Ok(());
        };
        if !take(txn, id, now).await? {
            return Ok(());
        }
        let moved = invitation::Entity::update_many()
            .col_expr(
                invitation::Column::State,
                Expr::value(InvitationState::Registered.as_str()),
            )
            .col_expr(
                invitation::Column::WaitingSince,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(invitation::Column::Id.eq(first.id))
            .filter(invitation::Column::State.eq(InvitationState::Waiting.as_str()))
            .exec(txn)
            .await?;
        if moved.rows_affected != 1 {
            return Err(TrainingError::Conflict("the waiting list changed meanwhile".to_owned()));
        }
        let training = crate::trainings::get(txn, id).await?;
        if let Some(volunteer) = volunteers::get(txn, first.volunteer_id).await? {
            mails::moved_up(txn, &training, &volunteer, settings, now).await?;
        }
    }
}

/// The waiting list in order: first come, first moved up.
pub(crate) async fn waiting_list(
    txn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<invitation::Model>, TrainingError> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TrainingId.eq(id))
        .filter(invitation::Column::State.eq(InvitationState::Waiting.as_str()))
        .order_by_asc(invitation::Column::WaitingSince)
        .order_by_asc(invitation::Column::Id)
        .all(txn)
        .await?)
}

/// When a newcomer joins the waiting list: now, or just after the last one waiting if that is
/// not earlier (two in the same microsecond), so the list keeps the order of arrival. Call
/// under the training's lock.
pub(crate) async fn next_in_line(
    txn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, TrainingError> {
    let last = waiting_list(txn, id).await?.last().and_then(|row| row.waiting_since);
    Ok(match last {
        Some(last) if last >= now => last + chrono::Duration::microseconds(1),
        _ => now,
    })
}

/// Place on the waiting list, from 1.
pub(crate) async fn position(txn: &impl ConnectionTrait, row: &invitation::Model) -> Result<u32, TrainingError> {
    let Some(since) = row.waiting_since else {
        return Ok(0);
    };
    let ahead = invitation::Entity::find()
        .filter(invitation::Column::TrainingId.eq(row.training_id))
        .filter(invitation::Column::State.eq(InvitationState::Waiting.as_str()))
        .filter(
            Condition::any().add(invitation::Column::WaitingSince.lt(since)).add(
                Condition::all()
                    .add(invitation::Column::WaitingSince.eq(since))
                    .add(invitation::Column::Id.lt(row.id)),
            ),
        )
        .count(txn)
        .await?;
    Ok(ahead as u32 + 1)
}
