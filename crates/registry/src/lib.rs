//! The pool's registry: organisations, staff users and volunteers with their languages,
//! availability, absences and training status, the volunteers' own availability links and
//! their calendar subscriptions.

pub mod availability_links;
pub mod bounces;
pub mod calendar_feeds;
mod entities;
mod error;
pub mod invitations;
pub mod organisations;
pub mod password_links;
pub mod pool_changes;
pub mod retention;
pub mod sessions;
pub mod sign_in;
pub mod staff;
pub mod training;
pub mod volunteers;

pub use error::RegistryError;
