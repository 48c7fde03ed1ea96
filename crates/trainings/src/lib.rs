//! Trainings: the coordinator schedules them and invites volunteers (chosen ones or by a
//! filter); each invitee registers or declines through a secret link, up to the capacity and
//! then onto a waiting list that moves up when a place frees; the coordinator records who
//! came, and attending a basic or refresher training is what makes a volunteer trained.
//!
//! Every change here and the mails it causes commit in one transaction (the outbox).

mod entities;
pub mod erasure;
mod error;
pub mod input;
pub mod invitations;
pub mod links;
mod mails;
pub mod needs;
pub mod record;
pub mod rules;
mod seats;
pub mod seed;
pub mod settings;
pub mod trainings;
pub mod worker;

pub use error::TrainingError;
pub use settings::TrainingSettings;

use chrono::{DateTime, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};

/// A coordinator's action on a training or on a volunteer's training record, for the audit log.
pub(crate) fn by_coordinator(
    by: &lp_core::access::Coordinator,
    action: AuditAction,
    object: AuditObject,
    id: uuid::Uuid,
) -> AuditEntry {
    AuditEntry::new(by.who(), action, object, id).from(by.addr())
}

/// A volunteer's answer through their invitation link.
pub(crate) fn by_volunteer(
    volunteer_id: uuid::Uuid,
    action: AuditAction,
    training_id: uuid::Uuid,
    addr: Option<std::net::IpAddr>,
) -> AuditEntry {
    AuditEntry::new(Who::Volunteer(volunteer_id), action, AuditObject::Training, training_id).from(addr)
}

pub(crate) async fn audit(
    txn: &impl sea_orm::ConnectionTrait,
    entries: &[AuditEntry],
    now: DateTime<Utc>,
) -> Result<(), TrainingError> {
    Ok(lp_audit::record_all(txn, entries, now).await?)
}
