//! Interpreting requests and their offers: creation with the first wave of offers, the
//! acceptance race with exactly one winner, decline, cancel and completion.

pub mod cascade;
mod entities;
mod error;
pub mod input;
pub mod lifecycle;
mod mails;
pub mod offers;
pub mod pool;
pub mod seed;
pub mod settings;
pub mod view;

pub use error::RequestError;
pub use settings::RequestSettings;

use uuid::Uuid;

/// Whose requests a staff user may see: caseworkers their organisation's, coordinators all.
/// Every query of requests takes one, so no handler can forget the organisation boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Organisation(Uuid),
}

/// The staff user acting, as far as requests care.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Uuid,
    pub scope: Scope,
}
