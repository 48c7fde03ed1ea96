//! The calendar entry attached to a confirmed assignment (RFC 5545, via `icalendar`, which
//! escapes text values and folds long lines).
//!
//! Calendar entries get synced to phones and cloud calendars, so the entry holds only what is
//! needed to turn up: when, where, who asked. No client reference, no notes and no secret link.

use chrono::{Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use super::AssignmentConfirmedMail;

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
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Linguapool//Dolmetscherpool//DE"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .push(event.done());
    calendar.to_string()
}
