//! Scheduling: the coordinator creates, edits and cancels trainings, and sees each one with
//! its invitees in their states and the waiting list in order.

use crate::entities::{invitation, training};
use crate::input::ValidTraining;
use crate::rules::TrainingPhase;
use crate::{TrainingError, mails, seats};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditObject, changed_fields};
use lp_core::time::local;
use lp_core::validation::FieldError;
use lp_core::vocab::{InvitationState, TrainingKind, TrainingState};
use lp_registry::volunteers;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The reminder goes out this long before the training.
pub const REMINDER_LEAD: Duration = Duration::hours(24);

/// A training as the API shows it; times in the pool's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Training {
    pub id: Uuid,
    pub title: String,
    pub kind: TrainingKind,
    pub starts_at: DateTime<FixedOffset>,
    pub duration_minutes: u32,
    pub location: String,
    pub capacity: u32,
    /// Places taken by registered volunteers; never above `capacity`.
    pub seats_taken: u32,
    pub registration_deadline: DateTime<FixedOffset>,
    pub description: Option<String>,
    pub trainer: Option<String>,
    pub status: TrainingState,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl Training {
    pub(crate) fn from_row(row: training::Model) -> Result<Self, TrainingError> {
        Ok(Self {
            id: row.id,
            title: row.title,
            kind: parse("trainings.kind", &row.kind)?,
            starts_at: local(row.starts_at),
            duration_minutes: row.duration_minutes.max(0) as u32,
            location: row.location,
            capacity: row.capacity.max(0) as u32,
            seats_taken: row.seats_taken.max(0) as u32,
            registration_deadline: local(row.registration_deadline),
            description: row.description,
            trainer: row.trainer,
            status: parse("trainings.status", &row.status)?,
            created_at: local(row.created_at),
            updated_at: local(row.updated_at),
        })
    }

    /// The training as the mails and the volunteers' calendars show it.
    pub fn facts(&self) -> lp_notify::templates::TrainingFacts {
        crate::mails::facts(self)
    }

    pub fn starts_at_utc(&self) -> DateTime<Utc> {
        self.starts_at.to_utc()
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at_utc() + Duration::minutes(i64::from(self.duration_minutes))
    }
}

pub(crate) fn parse<T: std::str::FromStr>(column: &str, text: &str) -> Result<T, TrainingError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| sea_orm::DbErr::Custom(format!("{column}: {e}")).into())
}

/// One invitee, as the detail page and the API list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Participant {
    pub volunteer_id: Uuid,
    pub name: String,
    pub state: InvitationState,
    /// Place on the waiting list, from 1; only while waiting.
    pub position: Option<u32>,
    pub attended: bool,
    pub invited_at: DateTime<FixedOffset>,
}

/// A training with everyone invited: by state, the waiting list in order, and who came.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrainingDetail {
    #[serde(flatten)]
    pub training: Training,
    pub invited: Vec<Participant>,
    pub registered: Vec<Participant>,
    /// First to move up first.
    pub waiting: Vec<Participant>,
    pub declined: Vec<Participant>,
    pub attended: Vec<Participant>,
}

impl TrainingDetail {
    /// Everyone invited, for the attendance form.
    pub fn everyone(&self) -> impl Iterator<Item = &Participant> {
        self.registered
            .iter()
            .chain(&self.waiting)
            .chain(&self.invited)
            .chain(&self.declined)
    }
}

pub async fn create(
    db: &DatabaseConnection,
    by: &Coordinator,
    input: ValidTraining,
    now: DateTime<Utc>,
) -> Result<Training, TrainingError> {
    let id = Uuid::new_v4();
    let row = training::ActiveModel {
        id: Set(id),
        title: Set(input.title),
        kind: Set(input.kind.as_str().to_owned()),
        starts_at: Set(input.starts_at),
        duration_minutes: Set(input.duration_minutes as i32),
        location: Set(input.location),
        capacity: Set(input.capacity as i32),
        seats_taken: Set(0),
        registration_deadline: Set(input.registration_deadline),
        description: Set(input.description),
        trainer: Set(input.trainer),
        status: Set(TrainingState::Scheduled.as_str().to_owned()),
        reminder_due_at: Set(Some(input.starts_at - REMINDER_LEAD)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = lp_db::begin_write(db).await?;
    training::Entity::insert(row).exec_without_returning(&*txn).await?;
    crate::audit(
        &*txn,
        &[crate::by_coordinator(
            by,
            AuditAction::Create,
            AuditObject::Training,
            id,
        )],
        now,
    )
    .await?;
    txn.commit().await?;
    get(db, id).await
}

/// Changes a training that has not begun. Capacity may not drop below the places taken; a
/// higher one moves the waiting list up at once. A new start re-arms the reminder and moves
/// the links' expiry with it.
pub async fn update(
    db: &DatabaseConnection,
    by: &Coordinator,
    id: Uuid,
    input: ValidTraining,
    settings: &crate::TrainingSettings,
    now: DateTime<Utc>,
) -> Result<Training, TrainingError> {
    let txn = lp_db::begin_write(db).await?;
    let current = seats::lock(&*txn, id).await?;
    refuse_change(&current, now)?;
    if input.capacity < current.seats_taken {
        return Err(FieldError::new(
            "capacity",
            format!("{} volunteers are registered already", current.seats_taken),
        )
        .into());
    }
    let moved = input.starts_at != current.starts_at_utc();
    let ends_at = input.starts_at + Duration::minutes(i64::from(input.duration_minutes));
    let mut row = training::ActiveModel {
        id: Set(id),
        title: Set(input.title),
        kind: Set(input.kind.as_str().to_owned()),
        starts_at: Set(input.starts_at),
        duration_minutes: Set(input.duration_minutes as i32),
        location: Set(input.location),
        capacity: Set(input.capacity as i32),
        registration_deadline: Set(input.registration_deadline),
        description: Set(input.description),
        trainer: Set(input.trainer),
        updated_at: Set(now),
        ..Default::default()
    };
    if moved {
        row.reminder_due_at = Set(Some(input.starts_at - REMINDER_LEAD));
    }
    training::Entity::update(row).exec(&*txn).await?;
    invitation::Entity::update_many()
        .col_expr(invitation::Column::ExpiresAt, Expr::value(ends_at))
        .filter(invitation::Column::TrainingId.eq(id))
        .exec(&*txn)
        .await?;
    seats::fill_free(&*txn, id, settings, now).await?;
    let after = get(&*txn, id).await?;
    let changed = changed_fields(&current, &after, &["updated_at", "seats_taken", "waiting"]);
    let entry = crate::by_coordinator(by, AuditAction::Change, AuditObject::Training, id).fields(changed);
    crate::audit(&*txn, &[entry], now).await?;
    txn.commit().await?;
    Ok(after)
}

/// Calls a training off before it begins; everyone registered or waiting is told.
pub async fn cancel(
    db: &DatabaseConnection,
    by: &Coordinator,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Training, TrainingError> {
    let txn = lp_db::begin_write(db).await?;
    let current = seats::lock(&*txn, id).await?;
    refuse_change(&current, now)?;
    training::Entity::update_many()
        .col_expr(training::Column::Status, Expr::value(TrainingState::Cancelled.as_str()))
        .col_expr(
            training::Column::ReminderDueAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(training::Column::UpdatedAt, Expr::value(now))
        .filter(training::Column::Id.eq(id))
        .exec(&*txn)
        .await?;
    let told = invitation::Entity::find()
        .filter(invitation::Column::TrainingId.eq(id))
        .filter(
            invitation::Column::State.is_in([InvitationState::Registered.as_str(), InvitationState::Waiting.as_str()]),
        )
        .all(&*txn)
        .await?;
    let ids: Vec<Uuid> = told.iter().map(|i| i.volunteer_id).collect();
    let people: HashMap<Uuid, volunteers::Volunteer> = volunteers::get_many(&*txn, &ids)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    for invitation in &told {
        if let Some(volunteer) = people.get(&invitation.volunteer_id) {
            let was_waiting = invitation.state == InvitationState::Waiting.as_str();
            mails::cancelled(&*txn, &current, volunteer, was_waiting, now).await?;
        }
    }
    crate::audit(
        &*txn,
        &[crate::by_coordinator(
            by,
            AuditAction::Cancel,
            AuditObject::Training,
            id,
        )],
        now,
    )
    .await?;
    txn.commit().await?;
    get(db, id).await
}

/// Why a training can no longer be edited or cancelled, if it cannot.
pub fn change_refused(training: &Training, now: DateTime<Utc>) -> Option<&'static str> {
    match TrainingPhase::of(training, now) {
        phase if phase.may_change() => None,
        TrainingPhase::Cancelled => Some("the training was cancelled"),
        _ => Some("the training has begun; it can no longer be changed"),
    }
}

fn refuse_change(training: &Training, now: DateTime<Utc>) -> Result<(), TrainingError> {
    match change_refused(training, now) {
        Some(why) => Err(TrainingError::Conflict(why.to_owned())),
        None => Ok(()),
    }
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Training, TrainingError> {
    let row = training::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(TrainingError::NotFound)?;
    Training::from_row(row)
}

/// Every training, the next first, then the past ones latest first.
pub async fn list(
    db: &DatabaseConnection,
    _by: &Coordinator,
    now: DateTime<Utc>,
) -> Result<Vec<Training>, TrainingError> {
    let rows = training::Entity::find()
        .order_by_desc(training::Column::StartsAt)
        .all(db)
        .await?;
    let mut all = rows
        .into_iter()
        .map(Training::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let split = all.partition_point(|t| t.starts_at_utc() > now);
    all[..split].reverse();
    Ok(all)
}

/// The soonest training that makes volunteers trained (a basic course or a refresher) and
/// still takes registrations: where the coordinator sends speakers who lack a valid training.
pub async fn next_course(
    db: &impl ConnectionTrait,
    _by: &Coordinator,
    now: DateTime<Utc>,
) -> Result<Option<Training>, TrainingError> {
    let kinds: Vec<&str> = TrainingKind::ALL
        .iter()
        .filter(|k| k.counts_for_training_status())
        .map(|k| k.as_str())
        .collect();
    let row = training::Entity::find()
        .filter(training::Column::Kind.is_in(kinds))
        .filter(training::Column::Status.eq(TrainingState::Scheduled.as_str()))
        .filter(training::Column::StartsAt.gt(now))
        .filter(training::Column::RegistrationDeadline.gt(now))
        .order_by_asc(training::Column::StartsAt)
        .order_by_asc(training::Column::Id)
        .one(db)
        .await?;
    row.map(Training::from_row).transpose()
}

/// The training with its invitees.
pub async fn detail(db: &DatabaseConnection, _by: &Coordinator, id: Uuid) -> Result<TrainingDetail, TrainingError> {
    let training = get(db, id).await?;
    let rows = invitation::Entity::find()
        .filter(invitation::Column::TrainingId.eq(id))
        .order_by_asc(invitation::Column::WaitingSince)
        .order_by_asc(invitation::Column::InvitedAt)
        .order_by_asc(invitation::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.volunteer_id).collect();
    let names: HashMap<Uuid, String> = volunteers::contacts(db, &ids)
        .await?
        .into_iter()
        .map(|(id, contact)| (id, contact.name))
        .collect();
    let mut detail = TrainingDetail {
        training,
        invited: Vec::new(),
        registered: Vec::new(),
        waiting: Vec::new(),
        declined: Vec::new(),
        attended: Vec::new(),
    };
    let mut waiting: Vec<(DateTime<Utc>, Uuid, Participant)> = Vec::new();
    for row in rows {
        let state: InvitationState = parse("training_invitations.state", &row.state)?;
        let participant = Participant {
            volunteer_id: row.volunteer_id,
            name: names.get(&row.volunteer_id).cloned().unwrap_or_default(),
            state,
            position: None,
            attended: row.attended,
            invited_at: local(row.invited_at),
        };
        if row.attended {
            detail.attended.push(participant.clone());
        }
        match state {
            InvitationState::Invited => detail.invited.push(participant),
            InvitationState::Registered => detail.registered.push(participant),
            InvitationState::Declined => detail.declined.push(participant),
            InvitationState::Waiting => {
                waiting.push((row.waiting_since.unwrap_or(row.invited_at), row.id, participant))
            }
        }
    }
    waiting.sort_by_key(|(since, id, _)| (*since, *id));
    detail.waiting = waiting
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, mut p))| {
            p.position = Some(i as u32 + 1);
            p
        })
        .collect();
    for list in [
        &mut detail.invited,
        &mut detail.registered,
        &mut detail.declined,
        &mut detail.attended,
    ] {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.volunteer_id.cmp(&b.volunteer_id)));
    }
    Ok(detail)
}
