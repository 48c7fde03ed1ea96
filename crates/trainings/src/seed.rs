//! For the demo and tests: volunteers enrolled in a training without mail, as if they had
//! registered through their links long ago. Places go through the same seat rule as a
//! registration (`seats::take`), so the capacity and the waiting list hold as they would.

use crate::entities::invitation;
use crate::links::Outcome;
use crate::{TrainingError, invitations, seats};
use chrono::{DateTime, Utc};
use lp_core::vocab::InvitationState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Invites and registers each volunteer in order (a place while one is free, then the waiting
/// list), at `now`; the first error rolls all back.
pub async fn enrol(
    db: &DatabaseConnection,
    training_id: Uuid,
    volunteer_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<Outcome>, TrainingError> {
    let txn = lp_db::begin_write(db).await?;
    let training = seats::lock(&*txn, training_id).await?;
    let mut outcomes = Vec::with_capacity(volunteer_ids.len());
    for volunteer_id in volunteer_ids {
        invitations::issue(&*txn, None, &training, *volunteer_id, now).await?;
        let seated = seats::take(&*txn, training_id, now).await?;
        let (state, since, outcome) = if seated {
            (InvitationState::Registered, None, Outcome::Registered)
        } else {
            let since = seats::next_in_line(&*txn, training_id, now).await?;
            (InvitationState::Waiting, Some(since), Outcome::Waiting)
        };
        invitation::Entity::update_many()
            .col_expr(invitation::Column::State, Expr::value(state.as_str()))
            .col_expr(invitation::Column::WaitingSince, Expr::value(since))
            .col_expr(invitation::Column::RespondedAt, Expr::value(now))
            .filter(invitation::Column::TrainingId.eq(training_id))
            .filter(invitation::Column::VolunteerId.eq(*volunteer_id))
            .exec(&*txn)
            .await?;
        outcomes.push(outcome);
    }
    txn.commit().await?;
    Ok(outcomes)
}
