//! The emails trainings cause, each written to the outbox in the caller's transaction.
//!
//! Links go in as placeholders (`lp_core::link`), which the delivery worker writes in at send
//! time; no token is ever stored. The mails a link action answers carry the invitation's link
//! again (from the nonce its row keeps); the others point to the invitation mail.

use crate::trainings::Training;
use crate::{TrainingError, TrainingSettings};
use chrono::{DateTime, NaiveDate, Utc};
use lp_notify::templates::{
    NextRefresher, TrainingCancelledMail, TrainingExpiringMail, TrainingFacts, TrainingInvitationMail,
    TrainingMovedUpMail, TrainingRegisteredMail, TrainingReminderMail, TrainingWaitingMail,
};
use lp_registry::calendar_feeds;
use lp_registry::volunteers::Volunteer;
use sea_orm::ConnectionTrait;

pub(crate) fn facts(training: &Training) -> TrainingFacts {
    TrainingFacts {
        training_id: training.id.to_string(),
        title: training.title.clone(),
        kind_de: training.kind.name_de().to_owned(),
        kind_en: training.kind.name_en().to_owned(),
        starts_at: training.starts_at_utc(),
        duration_minutes: training.duration_minutes,
        location: training.location.clone(),
        trainer: training.trainer.clone(),
    }
}

pub(crate) async fn invitation(
    db: &impl ConnectionTrait,
    training: &Training,
    volunteer: &Volunteer,
    link_url: &str,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let mail = TrainingInvitationMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        training: facts(training),
        registration_deadline: training.registration_deadline.to_utc(),
        description: training.description.clone(),
        link_url: link_url.to_owned(),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

/// With the address of the volunteer's calendar feed, made now if they have none.
pub(crate) async fn registered(
    db: &impl ConnectionTrait,
    training: &Training,
    volunteer: &Volunteer,
    link_url: Option<&str>,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let calendar_url = calendar_feeds::ensure(db, &settings.calendar_feeds(), volunteer.id, now).await?;
    let mail = TrainingRegisteredMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        training: facts(training),
        link_url: link_url.map(str::to_owned),
        calendar_url: Some(calendar_url),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

pub(crate) async fn waiting(
    db: &impl ConnectionTrait,
    training: &Training,
    volunteer: &Volunteer,
    position: u32,
    link_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let mail = TrainingWaitingMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        training: facts(training),
        position,
        link_url: link_url.map(str::to_owned),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

/// With the address of the volunteer's calendar feed, made now if they have none.
pub(crate) async fn moved_up(
    db: &impl ConnectionTrait,
    training: &Training,
    volunteer: &Volunteer,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let calendar_url = calendar_feeds::ensure(db, &settings.calendar_feeds(), volunteer.id, now).await?;
    let mail = TrainingMovedUpMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        training: facts(training),
        calendar_url: Some(calendar_url),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

pub(crate) async fn reminder(
    db: &impl ConnectionTrait,
    training: &Training,
    volunteer: &Volunteer,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let mail = TrainingReminderMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        training: facts(training),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

pub(crate) async fn cancelled(
    db: &impl ConnectionTrait,
    training: &Training,
    volunteer: &Volunteer,
    was_waiting: bool,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let mail = TrainingCancelledMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        training: facts(training),
        was_waiting,
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

/// `next`: the next refresher, with a fresh invitation link when this mail is the invitation.
pub(crate) async fn expiring(
    db: &impl ConnectionTrait,
    volunteer: &Volunteer,
    valid_until: NaiveDate,
    next: Option<(&Training, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let mail = TrainingExpiringMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        valid_until,
        next_refresher: next.map(|(training, link_url)| NextRefresher {
            training: facts(training),
            link_url,
        }),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}
