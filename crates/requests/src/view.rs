//! Requests as staff see them (the SPEC's `GET /requests/{id}` shape).

use crate::entities::{offer, request};
use crate::input::GenderPreferenceInput;
use crate::pool::parse;
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::time::POOL_TZ;
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use lp_registry::volunteers::Volunteer;
use sea_orm::DbErr;
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
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LanguageName {
    pub de: &'static str,
    pub en: &'static str,
}

impl RequestView {
    /// Whether [`crate::lifecycle::cancel`] would take it.
    pub fn is_cancellable(&self) -> bool {
        crate::lifecycle::CANCELLABLE.contains(&self.status)
    }

    /// Whether [`crate::lifecycle::complete`] would take it: the caseworker is due to confirm.
    pub fn awaits_completion(&self, now: DateTime<Utc>) -> bool {
        crate::lifecycle::completion_refused(self.status, self.starts_at.with_timezone(&Utc), now).is_none()
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

/// An instant in the pool's local offset, as the SPEC's examples show them.
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&POOL_TZ).fixed_offset()
}

pub(crate) fn build(
    row: request::Model,
    offers: Vec<offer::Model>,
    volunteers: &HashMap<Uuid, Volunteer>,
    now: DateTime<Utc>,
) -> Result<RequestView, DbErr> {
    let spec = crate::pool::request_spec(&row)?;
    let assignee = row.assignee_id.map(|id| {
        let volunteer = volunteers.get(&id);
        Assignee {
            volunteer_id: id,
            name: volunteer.map(|v| v.name.clone()).unwrap_or_default(),
            phone: volunteer.and_then(|v| v.phone.clone()),
        }
    });
    let offers = offers
        .into_iter()
        .map(|o| {
            Ok(OfferView {
                volunteer_id: o.volunteer_id,
                volunteer_name: volunteers
                    .get(&o.volunteer_id)
                    .map(|v| v.name.clone())
                    .unwrap_or_default(),
                state: crate::offers::effective_state(&o, now)?,
                wave: o.wave as u32,
                sent_at: local(o.sent_at),
                responded_at: o.responded_at.map(local),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(RequestView {
        id: row.id,
        status: parse(&row.status, "status")?,
        organisation_id: row.organisation_id,
        caseworker_id: row.caseworker_id,
        language: spec.language,
        language_name: spec.language.into(),
        dialect: row.dialect,
        starts_at: local(row.starts_at),
        ends_at: local(spec.ends_at()),
        duration_minutes: spec.duration_minutes,
        mode: spec.mode,
        town: row.town,
        address: row.address,
        setting: spec.setting,
        gender_preference: spec.gender_preference.map(|g| GenderPreferenceInput {
            gender: g.gender,
            strength: g.strength,
        }),
        client_ref: row.client_ref,
        notes: row.notes,
        fill_by: local(row.fill_by),
        assignee,
        offers,
        actual_minutes: row.actual_minutes.map(|m| m as u32),
        feedback: row.feedback,
        created_at: local(row.created_at),
        assigned_at: row.assigned_at.map(local),
        completed_at: row.completed_at.map(local),
        cancelled_at: row.cancelled_at.map(local),
        reminded_at: row.reminded_at.map(local),
    })
}
