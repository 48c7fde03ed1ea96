//! The training record: who came, and what that makes them. Attending a basic or refresher
//! training makes a volunteer trained from that day for the validity period; the day is kept
//! on the volunteer (`lp_registry`), whose pool version the same transaction bumps, so the
//! next ranking on every instance follows.

use crate::entities::{invitation, training};
use crate::input::AttendanceInput;
use crate::rules::TrainingPhase;
use crate::trainings::{Training, parse};
use crate::{TrainingError, seats};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditObject};
use lp_core::time::{POOL_TZ, local};
use lp_core::validation::FieldError;
use lp_core::vocab::{TrainingKind, TrainingState};
use lp_registry::volunteers;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Sets who attended: exactly `input.volunteer_ids`, each of whom was invited. Allowed once the
/// training has begun.
pub async fn record_attendance(
    db: &DatabaseConnection,
    by: &Coordinator,
    training_id: Uuid,
    input: &AttendanceInput,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, TrainingError> {
    let txn = lp_db::begin_write(db).await?;
    let training = seats::lock(&*txn, training_id).await?;
    match TrainingPhase::of(&training, now) {
        phase if phase.may_record_attendance() => {}
        TrainingPhase::Cancelled => return Err(TrainingError::Conflict("the training was cancelled".to_owned())),
        _ => return Err(TrainingError::Conflict("the training has not begun yet".to_owned())),
    }
    let rows = invitation::Entity::find()
        .filter(invitation::Column::TrainingId.eq(training_id))
        .all(&*txn)
        .await?;
    let invited: HashMap<Uuid, &invitation::Model> = rows.iter().map(|r| (r.volunteer_id, r)).collect();
    for (i, id) in input.volunteer_ids.iter().enumerate() {
        if !invited.contains_key(id) {
            return Err(FieldError::new(
                format!("volunteer_ids[{i}]"),
                format!("`{id}` was not invited to this training"),
            )
            .into());
        }
    }
    let came: HashSet<Uuid> = input.volunteer_ids.iter().copied().collect();
    let mut changed = Vec::new();
    for row in &rows {
        let attended = came.contains(&row.volunteer_id);
        if attended != row.attended {
            invitation::Entity::update_many()
                .col_expr(invitation::Column::Attended, Expr::value(attended))
                .filter(invitation::Column::Id.eq(row.id))
                .exec(&*txn)
                .await?;
            changed.push(row.volunteer_id);
        }
    }
    if training.kind.counts_for_training_status() {
        for volunteer_id in &changed {
            let last = last_attended(&*txn, *volunteer_id).await?;
            volunteers::set_training_attended_on(&*txn, *volunteer_id, last, now).await?;
        }
    }
    // Each volunteer whose record changed, so their access export (Art. 15) shows it.
    let entries: Vec<_> = changed
        .iter()
        .map(|id| {
            crate::by_coordinator(by, AuditAction::Attendance, AuditObject::Volunteer, *id)
                .fields([format!("training:{training_id}")])
        })
        .collect();
    crate::audit(&*txn, &entries, now).await?;
    txn.commit().await?;
    let mut attended: Vec<Uuid> = came.into_iter().collect();
    attended.sort();
    Ok(attended)
}

/// The day of the volunteer's last attended basic or refresher training, in the pool's zone.
async fn last_attended(txn: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<Option<NaiveDate>, TrainingError> {
    let attended: Vec<Uuid> = invitation::Entity::find()
        .filter(invitation::Column::VolunteerId.eq(volunteer_id))
        .filter(invitation::Column::Attended.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.training_id)
        .collect();
    if attended.is_empty() {
        return Ok(None);
    }
    let counting = [TrainingKind::Basic.as_str(), TrainingKind::Refresher.as_str()];
    let last = training::Entity::find()
        .filter(training::Column::Id.is_in(attended))
        .filter(training::Column::Kind.is_in(counting))
        .filter(training::Column::Status.eq(TrainingState::Scheduled.as_str()))
        .order_by_desc(training::Column::StartsAt)
        .one(txn)
        .await?;
    Ok(last.map(|t| t.starts_at.with_timezone(&POOL_TZ).date_naive()))
}

/// One line of a volunteer's training history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub training_id: Uuid,
    pub title: String,
    pub kind: TrainingKind,
    pub starts_at: DateTime<FixedOffset>,
    pub state: lp_core::vocab::InvitationState,
    pub attended: bool,
}

/// Every training the volunteer was invited to, latest first.
pub async fn history(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<Vec<HistoryEntry>, TrainingError> {
    let rows = invitation::Entity::find()
        .filter(invitation::Column::VolunteerId.eq(volunteer_id))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.training_id).collect();
    let trainings: HashMap<Uuid, training::Model> = training::Entity::find()
        .filter(training::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut entries = Vec::new();
    for row in rows {
        let Some(t) = trainings.get(&row.training_id) else {
            continue;
        };
        entries.push(HistoryEntry {
            training_id: t.id,
            title: t.title.clone(),
            kind: parse("trainings.kind", &t.kind)?,
            starts_at: local(t.starts_at),
            state: parse("training_invitations.state", &row.state)?,
            attended: row.attended,
        });
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.starts_at));
    Ok(entries)
}

/// The trainings the volunteer holds a place in (registered, not waiting), not cancelled, that
/// start at or after `from`, in time order: what their calendar feed shows.
pub async fn registered_from(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    from: DateTime<Utc>,
) -> Result<Vec<Training>, TrainingError> {
    let ids: Vec<Uuid> = invitation::Entity::find()
        .filter(invitation::Column::VolunteerId.eq(volunteer_id))
        .filter(invitation::Column::State.eq(lp_core::vocab::InvitationState::Registered.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.training_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    training::Entity::find()
        .filter(training::Column::Id.is_in(ids))
        .filter(training::Column::Status.eq(TrainingState::Scheduled.as_str()))
        .filter(training::Column::StartsAt.gte(from))
        .order_by_asc(training::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(Training::from_row)
        .collect()
}

/// What a printed attendance confirmation (Teilnahmebescheinigung) says.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub volunteer_name: String,
    pub training: Training,
}

/// Only for someone recorded as having attended.
pub async fn certificate(
    db: &DatabaseConnection,
    _by: &Coordinator,
    training_id: Uuid,
    volunteer_id: Uuid,
) -> Result<Certificate, TrainingError> {
    let training = crate::trainings::get(db, training_id).await?;
    let attended = invitation::Entity::find()
        .filter(invitation::Column::TrainingId.eq(training_id))
        .filter(invitation::Column::VolunteerId.eq(volunteer_id))
        .filter(invitation::Column::Attended.eq(true))
        .one(db)
        .await?
        .is_some();
    if !attended {
        return Err(TrainingError::NotFound);
    }
    let volunteer = volunteers::get(db, volunteer_id)
        .await?
        .ok_or(TrainingError::NotFound)?;
    Ok(Certificate {
        volunteer_name: volunteer.name,
        training,
    })
}
