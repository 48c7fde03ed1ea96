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
