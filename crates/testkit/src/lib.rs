//! Test fixtures: a database of each test's own (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` names a server), a real SMTP server on a loopback port, and a headless
//! Chromium for browser tests.

#[cfg(feature = "browser")]
pub mod browser;
pub mod db;
pub mod pg_cluster;
pub mod smtp;

#[cfg(feature = "browser")]
pub use browser::{Browser, Viewport};
pub use db::TestDb;
pub use pg_cluster::PgCluster;
pub use smtp::{Behaviour as SmtpBehaviour, ReceivedMail, SmtpServer};
