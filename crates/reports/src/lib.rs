//! Read-only figures for the council and the funders: requests per language and state, fill
//! rate, time to fill, unmet demand next to the pool's speakers, volunteers' hours and the
//! optional allowance; their tables, charts and exports; and a volunteer's year.
//!
//! The rules are pure functions over plain facts ([`rules`], [`summary::build`],
//! [`volunteer_year::build`]); the async functions only read what those need.

mod allowance;
pub mod charts;
mod error;
pub mod export;
pub mod nachweis_by_mail;
pub mod period;
pub mod rules;
mod settings;
pub mod summary;
pub mod tables;
pub mod volunteer_year;

pub use allowance::{Allowance, ZeroMinutes};
pub use error::ReportError;
pub use nachweis_by_mail::nachweis_by_mail;
pub use period::Period;
pub use settings::{Organisation, ReportSettings};
pub use summary::{Summary, summary};
pub use volunteer_year::{VolunteerYear, volunteer_year};
