//! The calendar entries attached to a confirmed assignment and to a training registration
//! (RFC 5545, via `icalendar`, which escapes text values and folds long lines).
//!
//! Calendar entries get synced to phones and cloud calendars, so an entry holds only what is
//! needed to turn up: when, where, who asked or who teaches. No client reference, no notes and
//! no secret link.

use chrono::{Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use super::{AssignmentConfirmedMail, TrainingFacts};

pub(super) fn assignment(m: &AssignmentConfirmedMail) -> String {
    let mut event = Event::new();
    event
        // Stable per request, so a second confirmation (after a withdrawal and a new
        // acceptance by the same volunteer) updates the entry instead of adding one.
        .uid(&format!("request-{}@linguapool", m.request_id))
        // When this version of the entry was made; calendars keep the newest per UID.
        .timestamp(Utc::now())
        .summary(&format!(
            "Dolmetschen {} / Interpreting {}",
            m.language_de, m.language_en
        ))
        .starts(m.starts_at)
        .ends(m.starts_at + Duration::minutes(i64::from(m.duration_minutes)))
        .description(&format!(
            "{} – {} <{}>\n{} / {}",
            m.organisation_name, m.caseworker_name, m.caseworker_email, m.mode_de, m.mode_en
        ));
    if let Some(place) = m.place() {
        event.location(&place);
    }
    if let Some(url) = &m.video_url {
        event.append_property(Property::new("URL", url.as_str()));
    }
    publish(&mut event)
}

pub(super) fn training(t: &TrainingFacts) -> String {
    let mut description = format!("{} / {}", t.kind_de, t.kind_en);
    if let Some(trainer) = &t.trainer {
        description.push_str(&format!("\nLeitung / Trainer: {trainer}"));
    }
    let mut event = Event::new();
    event
        // Stable per training, so registering again after a cancellation, or moving up from
        // the waiting list, updates the entry instead of adding one.
        .uid(&format!("training-{}@linguapool", t.training_id))
        .timestamp(Utc::now())
        .summary(&t.title)
        .starts(t.starts_at)
        .ends(t.starts_at + Duration::minutes(i64::from(t.duration_minutes)))
        .description(&description);
    if !t.location.trim().is_empty() {
        event.location(&t.location);
    }
    publish(&mut event)
}

/// One event in a calendar of its own, published rather than sent as an invitation.
fn publish(event: &mut Event) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Linguapool//Dolmetscherpool//DE"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .push(event.done());
    calendar.to_string()
}
