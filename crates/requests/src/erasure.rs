//! Erasing a volunteer's personal data (DSGVO Art. 17), as one transaction: refused while
//! they hold an upcoming assignment, their open offers withdrawn, a training place they hold
//! passed to the waiting list, their secret links and calendar feeds revoked,
//! and the record deleted, or anonymised where statistics depend on it.

use crate::RequestError;
use crate::entities::{offer, request};
use chrono::{DateTime, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject};
use lp_core::vocab::{OfferState, RequestStatus};
use lp_registry::{availability_links, calendar_feeds, volunteers};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// A volunteer with a history of offers stays as an anonymised, retired record, so the pool's
/// figures keep their numbers; one without is deleted.
pub async fn erase_volunteer(
    db: &DatabaseConnection,
    by: &lp_core::access::Coordinator,
    id: Uuid,
    trainings: &lp_trainings::TrainingSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let txn = lp_db::begin_write(db).await?;
    let has_history = release_volunteer(&*txn, id, now).await?;
    availability_links::revoke_all(&*txn, id).await?;
    calendar_feeds::delete_all(&*txn, id).await?;
    lp_trainings::erasure::release(&*txn, id, trainings, now).await?;
    volunteers::erase(&*txn, id, has_history, now).await?;
    let entry = AuditEntry::new(by.who(), AuditAction::Erase, AuditObject::Volunteer, id).from(by.addr());
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Before a volunteer's personal data is erased: refuses while they hold an upcoming
/// assignment (the caseworker must know first), withdraws their open offers, and tells
/// whether they have a history, in which case they are anonymised rather than deleted.
async fn release_volunteer(
    txn: &impl ConnectionTrait,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let upcoming = request::Entity::find()
        .filter(request::Column::AssigneeId.eq(volunteer_id))
        .filter(request::Column::Status.eq(RequestStatus::Assigned.as_str()))
        .filter(request::Column::StartsAt.gt(now))
        .count(txn)
        .await?;
    if upcoming > 0 {
        return Err(RequestError::Conflict(format!(
            "the volunteer holds {upcoming} upcoming assignment(s); cancel them first so the caseworkers know"
        )));
    }
    offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Withdrawn.as_str()))
        .filter(offer::Column::VolunteerId.eq(volunteer_id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .exec(txn)
        .await?;
    Ok(offer::Entity::find()
        .filter(offer::Column::VolunteerId.eq(volunteer_id))
        .one(txn)
        .await?
        .is_some())
}
