//! Shared vocabulary of Linguapool: languages, the closed value sets of the SPEC, time slots in
//! the pool's time zone, the clock, secret tokens and links, and who may see and do what; and the
//! workers' panic isolation and heartbeat; what the audit log records.

pub mod access;
pub mod audit;
pub mod clock;
pub mod heartbeat;
pub mod isolate;
pub mod languages;
pub mod link;
pub mod secret;
pub mod time;
pub mod vocab;
pub mod when;

pub use clock::{Clock, SystemClock};
pub use languages::{LanguageCode, LanguageFit, UnknownLanguage};
pub mod validation;
