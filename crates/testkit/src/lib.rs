//! Test fixtures: a database of each test's own (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` names a server) and a real SMTP server on a loopback port.

pub mod db;
pub mod smtp;

pub use db::TestDb;
pub use smtp::{ReceivedMail, SmtpServer};
