//! Interpreting requests and their offers: creation with the first wave of offers, the
//! acceptance race with exactly one winner, decline, cancel and completion.

mod accept_turns;
mod accept_window;
pub mod access_export;
pub mod assignments;
pub mod cascade;
mod continuity;
mod entities;
pub mod erasure;
mod error;
pub mod facts;
pub mod input;
mod isolate;
pub mod lifecycle;
mod mails;
pub mod offers;
mod pool;
pub mod ranker;
mod request;
pub mod retention;
pub mod rules;
mod search;
pub mod seed;
mod series;
pub mod settings;
pub mod view;
pub mod way_forward;

pub use error::RequestError;
pub use settings::RequestSettings;
