//! Requests as staff see them (the SPEC's `GET /requests/{id}` shape).

use crate::input::GenderPreferenceInput;
use crate::request::{Offer, Request};
use crate::rules::{CANCELLABLE, completion_refused, effective_state};
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use lp_registry::volunteers::Contact;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: Uuid,
    pub status: RequestStatus,
    pub organisation_id: Uuid,
    pub caseworker_id: Uuid,
    pub language: LanguageCode,
    pub language_name: LanguageName,
    pub dialect: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub duration_minutes: u32,
    pub mode: Mode,
    pub town: Option<String>,
    pub address: Option<String>,
    pub setting: Setting,
    pub gender_preference: Option<GenderPreferenceInput>,
    pub client_ref: Option<String>,
    pub notes: Option<String>,
    pub fill_by: DateTime<FixedOffset>,
    pub assignee: Option<Assignee>,
    pub offers: Vec<OfferView>,
    pub actual_minutes: Option<u32>,
    pub feedback: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub assigned_at: Option<DateTime<FixedOffset>>,
    pub completed_at: Option<DateTime<FixedOffset>>,
    pub cancelled_at: Option<DateTime<FixedOffset>>,
    /// When the day-before reminder went to the assigned volunteer.
    pub reminded_at: Option<DateTime<FixedOffset>>,
    /// When the retention period ended and the client reference, notes, address and
    /// feedback were removed.
    pub details_removed_at: Option<DateTime<FixedOffset>>,
    /// A video appointment's meeting link, once someone accepted it (when the town has a
    /// video service configured).
    pub video_url: Option<String>,
    /// For a date of a series: its place and every date of the series.
    pub series: Option<SeriesView>,
}

/// A series of appointments, as one of its dates shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesView {
    /// The first date's id.
    pub id: Uuid,
    /// This date's place in the series, from 1.
    pub position: u32,
    /// This date waits while the series' offer (the first date's) is out.
    pub held: bool,
    pub dates: Vec<SeriesDateView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesDateView {
    pub request_id: Uuid,
    pub position: u32,
    pub starts_at: DateTime<FixedOffset>,
    #[schema(inline)]
    pub status: RequestStatus,
    pub held: bool,
    pub assignee_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LanguageName {
    pub de: &'static str,
    pub en: &'static str,
}

impl RequestView {
    /// Whether [`crate::lifecycle::cancel`] would take it.
    pub fn is_cancellable(&self) -> bool {
        CANCELLABLE.contains(&self.status)
    }

    /// Whether [`crate::lifecycle::complete`] would take it: the caseworker is due to confirm.
    pub fn awaits_completion(&self, now: DateTime<Utc>) -> bool {
        completion_refused(self.status, self.starts_at.with_timezone(&Utc), now).is_none()
    }
}

impl From<LanguageCode> for LanguageName {
    fn from(code: LanguageCode) -> Self {
        Self {
            de: code.name_de(),
            en: code.name_en(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assignee {
    pub volunteer_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    pub volunteer_id: Uuid,
    pub volunteer_name: String,
    pub state: OfferState,
    pub wave: u32,
    pub sent_at: DateTime<FixedOffset>,
    pub responded_at: Option<DateTime<FixedOffset>>,
}

pub use lp_core::time::local;

/// `series`: every date of the request's series, when it has one.
pub(crate) fn build(
    request: Request,
    offers: Vec<Offer>,
    series: Option<&[Request]>,
    volunteers: &HashMap<Uuid, Contact>,
    now: DateTime<Utc>,
) -> RequestView {
    let name = |id: &Uuid| volunteers.get(id).map(|v| v.name.clone()).unwrap_or_default();
    let assignee = request.assignee_id.map(|id| Assignee {
        volunteer_id: id,
        name: name(&id),
        phone: volunteers.get(&id).and_then(|v| v.phone.clone()),
    });
    let offers = offers
        .into_iter()
        .map(|o| OfferView {
            volunteer_id: o.volunteer_id,
            volunteer_name: name(&o.volunteer_id),
            state: effective_state(&o, now),
            wave: o.wave,
            sent_at: local(o.sent_at),
            responded_at: o.responded_at.map(local),
        })
        .collect();
    RequestView {
        id: request.id,
        status: request.status,
        organisation_id: request.organisation_id,
        caseworker_id: request.caseworker_id,
        language: request.language,
        language_name: request.language.into(),
        ends_at: local(request.ends_at()),
        dialect: request.dialect,
        starts_at: local(request.starts_at),
        duration_minutes: request.duration_minutes,
        mode: request.mode,
        town: request.town,
        address: request.address,
        setting: request.setting,
        gender_preference: request.gender_preference.map(|g| GenderPreferenceInput {
            gender: g.gender,
            strength: g.strength,
        }),
        client_ref: request.client_ref,
        notes: request.notes,
        fill_by: local(request.fill_by),
        assignee,
        offers,
        actual_minutes: request.actual_minutes,
        feedback: request.feedback,
        created_at: local(request.created_at),
        assigned_at: request.assigned_at.map(local),
        completed_at: request.completed_at.map(local),
        cancelled_at: request.cancelled_at.map(local),
        reminded_at: request.reminded_at.map(local),
        details_removed_at: request.details_removed_at.map(local),
        video_url: request.video_url.clone(),
        series: request.series.zip(series).map(|(place, dates)| SeriesView {
            id: place.id,
            position: place.position,
            held: place.held,
            dates: dates
                .iter()
                .filter_map(|date| {
                    let at = date.series?;
                    Some(SeriesDateView {
                        request_id: date.id,
                        position: at.position,
                        starts_at: local(date.starts_at),
                        status: date.status,
                        held: at.held,
                        assignee_name: date.assignee_id.map(|id| name(&id)),
                    })
                })
                .collect(),
        }),
    }
}
