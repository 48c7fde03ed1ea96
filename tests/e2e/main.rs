//! End-to-end tests: the real `linguapool` binary over HTTP, email through a real SMTP server,
//! on SQLite by default and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod accept_window;
mod availability_links;
mod bad_input;
mod calendar_feed;
mod demo;
mod faults;
mod lifecycle;
mod link_refusals;
mod mail_faults;
mod nachweis_by_mail;
mod observability;
mod offer_race;
mod rate_limits;
mod schemathesis;
mod series;
mod simulate;
mod staff_web;
mod support;
mod tokens_at_rest;
mod trainings;
mod two_instances;
mod video;
mod walking_system;
