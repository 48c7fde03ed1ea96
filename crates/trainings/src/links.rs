//! The volunteer's invitation link `/t/{token}`: what it shows, and what registering and
//! declining do. A GET only reads (mail scanners open links); each action is one transaction
//! with its mail.

use crate::entities::invitation;
use crate::rules::{InvitationPageStatus, InvitationRefusal, Standing};
use crate::trainings::Training;
use crate::{TrainingError, TrainingSettings, mails, seats};
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::audit::AuditAction;
use lp_core::vocab::{InvitationState, TrainingKind};
use lp_db::secret_link;
use lp_registry::volunteers;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection};
use serde::Serialize;
use std::net::IpAddr;

/// What an invitation link shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationPage {
    pub status: InvitationPageStatus,
    /// Place on the waiting list, while waiting.
    pub position: Option<u32>,
    pub can_register: bool,
    pub can_decline: bool,
    pub volunteer_name: String,
    pub title: String,
    pub kind: TrainingKind,
    pub starts_at: DateTime<FixedOffset>,
    pub duration_minutes: u32,
    pub location: String,
    pub registration_deadline: DateTime<FixedOffset>,
    pub description: Option<String>,
    pub trainer: Option<String>,
}

/// What a link action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Registered,
    Waiting,
    Declined,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Registered => "registered",
            Outcome::Waiting => "waiting",
            Outcome::Declined => "declined",
        }
    }
}

async fn find(db: &impl ConnectionTrait, token: &str) -> Result<(invitation::Model, Training), TrainingError> {
    let row = secret_link::find::<invitation::Entity>(db, token)
        .await?
        .ok_or(TrainingError::NotFound)?;
    let training = crate::trainings::get(db, row.training_id).await?;
    Ok((row, training))
}

fn standing(row: &invitation::Model, training: &Training) -> Result<Standing, TrainingError> {
    Ok(Standing {
        state: crate::trainings::parse("training_invitations.state", &row.state)?,
        training: training.status,
        starts_at: training.starts_at_utc(),
        registration_deadline: training.registration_deadline.to_utc(),
    })
}

/// Reads only. A link whose training is over has expired and answers as an expired offer link.
pub async fn page(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> Result<InvitationPage, TrainingError> {
    let (row, training) = find(db, token).await?;
    if secret_link::standing(false, row.expires_at, now) == secret_link::Standing::Expired {
        return Err(TrainingError::Link(InvitationRefusal::Over));
    }
    let standing = standing(&row, &training)?;
    let status = standing.page_status(now);
    let position = match status {
        InvitationPageStatus::Waiting => Some(seats::position(db, &row).await?),
        _ => None,
    };
    let volunteer = volunteers::get(db, row.volunteer_id)
        .await?
        .ok_or(TrainingError::NotFound)?;
    Ok(InvitationPage {
        status,
        position,
        can_register: standing.may_register(now).is_ok(),
        can_decline: standing.may_decline(now).is_ok(),
        volunteer_name: volunteer.name,
        title: training.title,
        kind: training.kind,
        starts_at: training.starts_at,
        duration_minutes: training.duration_minutes,
        location: training.location,
        registration_deadline: training.registration_deadline,
        description: training.description,
        trainer: training.trainer,
    })
}

/// A place if one is free, else the waiting list; confirmed by mail either way.
pub async fn register(
    db: &DatabaseConnection,
    token: &str,
    settings: &TrainingSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Outcome, TrainingError> {
    let (row, training) = find(db, token).await?;
    standing(&row, &training)?
        .may_register(now)
        .map_err(TrainingError::Link)?;
    let txn = lp_db::begin_write(db).await?;
    // The training's row lock first: every seat change of this training queues on it, so a
    // place given back meanwhile is either seen here or gives this registration its turn on
    // the waiting list. Then the one conditional write that decides the last place.
    seats::lock(&*txn, training.id).await?;
    let seated = seats::take(&*txn, training.id, now).await?;
    let (state, waiting_since) = if seated {
        (InvitationState::Registered, None)
    } else {
        (
            InvitationState::Waiting,
            Some(seats::next_in_line(&*txn, training.id, now).await?),
        )
    };
    let unspent = Condition::all()
        .add(invitation::Column::State.is_in([InvitationState::Invited.as_str(), InvitationState::Declined.as_str()]));
    let changes = [
        (invitation::Column::State, Expr::value(state.as_str())),
        (invitation::Column::WaitingSince, Expr::value(waiting_since)),
        (invitation::Column::RespondedAt, Expr::value(now)),
    ];
    // Registration is judged again inside the transaction: the deadline or a cancellation may
    // have come since the link was read.
    let fresh = crate::trainings::get(&*txn, training.id).await?;
    if let Err(refusal) = standing(&row, &fresh)?.may_register(now) {
        txn.rollback().await?;
        return Err(TrainingError::Link(refusal));
    }
    if !secret_link::spend::<invitation::Entity>(&*txn, token, unspent, changes, now).await? {
        txn.rollback().await?;
        return Err(refusal(db, token, now, Action::Register).await);
    }
    let volunteer = volunteers::get(&*txn, row.volunteer_id)
        .await?
        .ok_or(TrainingError::NotFound)?;
    let url = crate::invitations::link_of(&row).map(|link| link.placeholder());
    let outcome = if seated {
        mails::registered(&*txn, &fresh, &volunteer, url.as_deref(), settings, now).await?;
        Outcome::Registered
    } else {
        let row = invitation::Model {
            state: state.as_str().to_owned(),
            waiting_since,
            ..row
        };
        let position = seats::position(&*txn, &row).await?;
        mails::waiting(&*txn, &fresh, &volunteer, position, url.as_deref(), now).await?;
        Outcome::Waiting
    };
    let entry = crate::by_volunteer(volunteer.id, AuditAction::Register, training.id, addr);
    crate::audit(&*txn, &[entry], now).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Declines an invitation, cancels a registration (the first waiting moves up at once) or
/// leaves the waiting list.
pub async fn decline(
    db: &DatabaseConnection,
    token: &str,
    settings: &TrainingSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Outcome, TrainingError> {
    let (row, training) = find(db, token).await?;
    standing(&row, &training)?
        .may_decline(now)
        .map_err(TrainingError::Link)?;
    let txn = lp_db::begin_write(db).await?;
    let training = seats::lock(&*txn, training.id).await?;
    // Read under the training's lock: every seat change of this training waits for it.
    let (row, _) = find(&*txn, token).await?;
    if let Err(refusal) = standing(&row, &training)?.may_decline(now) {
        txn.rollback().await?;
        return Err(TrainingError::Link(refusal));
    }
    let unspent = Condition::all().add(invitation::Column::State.eq(row.state.as_str()));
    let changes = [
        (
            invitation::Column::State,
            Expr::value(InvitationState::Declined.as_str()),
        ),
        (
            invitation::Column::WaitingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        ),
        (invitation::Column::RespondedAt, Expr::value(now)),
    ];
    if !secret_link::spend::<invitation::Entity>(&*txn, token, unspent, changes, now).await? {
        txn.rollback().await?;
        return Err(refusal(db, token, now, Action::Decline).await);
    }
    if row.state == InvitationState::Registered.as_str() {
        seats::give_back(&*txn, training.id, settings, now).await?;
    }
    let entry = crate::by_volunteer(row.volunteer_id, AuditAction::Decline, training.id, addr);
    crate::audit(&*txn, &[entry], now).await?;
    txn.commit().await?;
    Ok(Outcome::Declined)
}

#[derive(Clone, Copy)]
enum Action {
    Register,
    Decline,
}

/// Why the action did not happen, read afresh after its write lost.
async fn refusal(db: &DatabaseConnection, token: &str, now: DateTime<Utc>, action: Action) -> TrainingError {
    let standing = match find(db, token).await {
        Ok((row, training)) => match standing(&row, &training) {
            Ok(standing) => standing,
            Err(err) => return err,
        },
        Err(err) => return err,
    };
    let verdict = match action {
        Action::Register => standing.may_register(now),
        Action::Decline => standing.may_decline(now),
    };
    match verdict {
        Err(refusal) => TrainingError::Link(refusal),
        // The link expired in between.
        Ok(()) => TrainingError::Link(InvitationRefusal::Over),
    }
}
