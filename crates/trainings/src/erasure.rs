//! A volunteer's trainings when their personal data is erased (run inside the erasure's
//! transaction, `lp_requests::erasure`): a place they hold goes to the waiting list, their
//! open invitations go, and the links of the ones kept (attended, for the statistics) stop
//! working.

use crate::entities::invitation;
use crate::{TrainingError, TrainingSettings, seats};
use chrono::{DateTime, Utc};
use lp_core::vocab::InvitationState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// A place given back moves the waiting list up; whoever moves up is mailed, with their
/// calendar feed's address from `settings`.
pub async fn release(
    txn: &impl ConnectionTrait,
    volunteer_id: Uuid,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let rows = invitation::Entity::find()
        .filter(invitation::Column::VolunteerId.eq(volunteer_id))
        .all(txn)
        .await?;
    for row in &rows {
        if row.state == InvitationState::Registered.as_str() {
            seats::lock(txn, row.training_id).await?;
            invitation::Entity::delete_by_id(row.id).exec(txn).await?;
            seats::give_back(txn, row.training_id, settings, now).await?;
        }
    }
    invitation::Entity::delete_many()
        .filter(invitation::Column::VolunteerId.eq(volunteer_id))
        .filter(invitation::Column::Attended.eq(false))
        .exec(txn)
        .await?;
    // No hash of any token starts with "revoked:", so these rows are found by no link.
    for row in rows.iter().filter(|r| r.attended) {
        invitation::Entity::update_many()
            .col_expr(
                invitation::Column::TokenHash,
                Expr::value(format!("revoked:{}", row.id)),
            )
            .col_expr(invitation::Column::LinkNonce, Expr::value(Option::<String>::None))
            .filter(invitation::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}
