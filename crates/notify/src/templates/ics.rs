//! The calendar entries attached to a confirmed assignment and to a training registration, and
//! the volunteer's calendar feed that holds the same entries (RFC 5545, via `icalendar`, which
//! escapes text values and folds long lines). One event per request and per training, built
//! here once, so an entry has the same UID and shape wherever it comes from.
//!
//! Calendar entries get synced to phones and cloud calendars, so an entry holds only what is
//! needed to turn up: when, where, who asked or who teaches. No client reference, no notes and
//! no secret link.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use super::{AssignmentConfirmedMail, TrainingFacts};

/// One of the volunteer's assignments in their calendar feed: it is their job, so the street is
/// there; the caseworker's contact stays in the confirmation mail.
#[derive(Clone, Debug)]
pub struct FeedAssignment {
    /// Makes the entry's UID, the same as the confirmation's attachment.
    pub request_id: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode_de: String,
    pub mode_en: String,
    pub town: Option<String>,
    pub address: Option<String>,
    pub organisation_name: String,
    /// A video appointment's meeting link.
    pub video_url: Option<String>,
}

/// A volunteer's private calendar subscription: their assignments and the trainings they are
/// registered for.
#[derive(Clone, Debug)]
pub struct CalendarFeed {
    pub assignments: Vec<FeedAssignment>,
    pub trainings: Vec<TrainingFacts>,
}

impl CalendarFeed {
    /// The MIME type the feed is served as.
    pub const CONTENT_TYPE: &'static str = "text/calendar; charset=utf-8";

    /// The feed as an iCalendar body, stamped `now`.
    pub fn ics(&self, now: DateTime<Utc>) -> String {
        let mut calendar = publication();
        calendar
            .name("Dolmetscherpool – Meine Einsätze / My jobs")
            // Apps that honour it look again every hour; the rest keep their own interval.
            .ttl(&Duration::hours(1));
        for a in &self.assignments {
            let description = format!("{}\n{} / {}", a.organisation_name, a.mode_de, a.mode_en);
            let place = place(a.address.as_deref(), a.town.as_deref());
            calendar.push(assignment_event(
                &a.request_id,
                (&a.language_de, &a.language_en),
                (a.starts_at, a.duration_minutes),
                (place.as_deref(), a.video_url.as_deref()),
                &description,
                now,
            ));
        }
        for t in &self.trainings {
            calendar.push(training_event(t, now));
        }
        calendar.to_string()
    }
}

/// Street and town as one line, or whichever is known.
pub(super) fn place(address: Option<&str>, town: Option<&str>) -> Option<String> {
    match (address, town) {
        (Some(address), Some(town)) => Some(format!("{address}, {town}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

fn assignment_event(
    request_id: &str,
    (language_de, language_en): (&str, &str),
    (starts_at, duration_minutes): (DateTime<Utc>, u32),
    (place, video_url): (Option<&str>, Option<&str>),
    description: &str,
    stamp: DateTime<Utc>,
) -> Event {
    let mut event = Event::new();
    event
        // Stable per request, so a second confirmation (after a withdrawal and a new
        // acceptance by the same volunteer) updates the entry instead of adding one.
        .uid(&format!("request-{request_id}@linguapool"))
        // When this version of the entry was made; calendars keep the newest per UID.
        .timestamp(stamp)
        .summary(&format!("Dolmetschen {language_de} / Interpreting {language_en}"))
        .starts(starts_at)
        .ends(starts_at + Duration::minutes(i64::from(duration_minutes)))
        .description(description);
    // A video appointment takes place at its meeting link.
    if let Some(location) = video_url.or(place) {
        event.location(location);
    }
    if let Some(url) = video_url {
        event.append_property(Property::new("URL", url));
    }
    event.done()
}

fn training_event(t: &TrainingFacts, stamp: DateTime<Utc>) -> Event {
    let mut description = format!("{} / {}", t.kind_de, t.kind_en);
    if let Some(trainer) = &t.trainer {
        description.push_str(&format!("\nLeitung / Trainer: {trainer}"));
    }
    let mut event = Event::new();
    event
        // Stable per training, so registering again after a cancellation, or moving up from
        // the waiting list, updates the entry instead of adding one.
        .uid(&format!("training-{}@linguapool", t.training_id))
        .timestamp(stamp)
        .summary(&t.title)
        .starts(t.starts_at)
        .ends(t.starts_at + Duration::minutes(i64::from(t.duration_minutes)))
        .description(&description);
    if !t.location.trim().is_empty() {
        event.location(&t.location);
    }
    event.done()
}

pub(super) fn assignment(m: &AssignmentConfirmedMail) -> String {
    let description = format!(
        "{} – {} <{}>\n{} / {}",
        m.organisation_name, m.caseworker_name, m.caseworker_email, m.mode_de, m.mode_en
    );
    let place = m.place();
    let stamp = Utc::now();
    let mut calendar = publication();
    calendar.push(assignment_event(
        &m.request_id,
        (&m.language_de, &m.language_en),
        (m.starts_at, m.duration_minutes),
        (place.as_deref(), m.video_url.as_deref()),
        &description,
        stamp,
    ));
    // A series' later dates taken along: one entry each, as their own confirmations would.
    for date in &m.more_dates {
        calendar.push(assignment_event(
            &date.request_id,
            (&m.language_de, &m.language_en),
            (date.starts_at, m.duration_minutes),
            (place.as_deref(), date.video_url.as_deref()),
            &description,
            stamp,
        ));
    }
    calendar.to_string()
}

pub(super) fn training(t: &TrainingFacts) -> String {
    publication().push(training_event(t, Utc::now())).to_string()
}

/// A calendar published rather than sent as an invitation.
fn publication() -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Linguapool//Dolmetscherpool//DE"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"));
    calendar
}
