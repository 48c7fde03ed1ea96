//! Loads the active pool as the matcher sees it: each volunteer with the assignments they
//! hold or held (for overlap, monthly maximum, fairness, continuity) and their offer history.

use crate::entities::{offer, request};
use crate::settings::RequestSettings;
use chrono::{DateTime, Duration, Utc};
use lp_core::vocab::{OfferState, RequestStatus, VolunteerStatus};
use lp_matcher::{Commitment, GenderPreference, OfferHistory, Profile, RequestSpec, SpokenLanguage};
use lp_registry::volunteers::{self, Volunteer};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// How far back assignments count for fairness and continuity.
const HISTORY: Duration = Duration::days(lp_matcher::FAIRNESS_WINDOW_DAYS);

/// The matcher's view of a stored request.
pub(crate) fn request_spec(row: &request::Model) -> Result<RequestSpec, DbErr> {
    let gender_preference = match (&row.gender_preference, &row.gender_strength) {
        (Some(gender), Some(strength)) => Some(GenderPreference {
            gender: parse(gender, "gender_preference")?,
            strength: parse(strength, "gender_strength")?,
        }),
        _ => None,
    };
    Ok(RequestSpec {
        language: lp_core::LanguageCode::parse(&row.language).map_err(|e| DbErr::Custom(e.to_string()))?,
        dialect: row.dialect.clone(),
        starts_at: row.starts_at,
        duration_minutes: row.duration_minutes as u32,
        mode: parse(&row.mode, "mode")?,
        town: row.town.clone(),
        setting: parse(&row.setting, "setting")?,
        gender_preference,
        client_ref: row.client_ref.clone(),
    })
}

pub(crate) fn parse<T: std::str::FromStr>(text: &str, column: &str) -> Result<T, DbErr>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| DbErr::Custom(format!("interpreting_requests.{column}: {e}")))
}

/// Who is looked at: offers go only to active volunteers, but staff also see why applicants and
/// paused volunteers are not candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Active,
    AllButRetired,
}

/// The pool as matcher profiles. `except_request` leaves one request's own assignment out, so
/// re-checking an assigned request does not collide with itself.
pub(crate) async fn profiles(
    db: &impl ConnectionTrait,
    reach: Reach,
    settings: &RequestSettings,
    now: DateTime<Utc>,
    except_request: Option<Uuid>,
) -> Result<Vec<Profile>, crate::RequestError> {
    let statuses: &[VolunteerStatus] = match reach {
        Reach::Active => &[VolunteerStatus::Active],
        Reach::AllButRetired => &[
            VolunteerStatus::Active,
            VolunteerStatus::Applicant,
            VolunteerStatus::Paused,
        ],
    };
    let pool = volunteers::with_status(db, statuses).await?;
    let commitments = commitments_since(db, now - HISTORY, None, except_request).await?;
    let histories = offer_histories(db).await?;
    let today = now.with_timezone(&lp_core::time::POOL_TZ).date_naive();
    Ok(pool
        .into_iter()
        .map(|volunteer| {
            let commitments = commitments.get(&volunteer.id).cloned().unwrap_or_default();
            let offers = histories.get(&volunteer.id).copied().unwrap_or_default();
            profile(volunteer, commitments, offers, today, settings.training_validity_months)
        })
        .collect())
}

fn profile(
    volunteer: Volunteer,
    commitments: Vec<Commitment>,
    offers: OfferHistory,
    today: chrono::NaiveDate,
    validity_months: u32,
) -> Profile {
    Profile {
        volunteer_id: volunteer.id,
        status: volunteer.status,
        training: volunteer.training(today, validity_months).status,
        pledge_signed: volunteer
            .confidentiality_signed_on
            .is_some_and(|signed| signed <= today),
        languages: volunteer
            .languages
            .into_iter()
            .map(|l| SpokenLanguage {
                code: l.code,
                proficiency: l.proficiency,
                dialect: l.dialect,
            })
            .collect(),
        german_level: volunteer.german_level,
        modes: volunteer.modes,
        service_area: volunteer.service_area,
        excluded_settings: volunteer.excluded_settings,
        gender: volunteer.gender,
        availability: volunteer.availability,
        absences: volunteer.absences,
        commitments,
        max_assignments_per_month: volunteer.max_assignments_per_month,
        offers,
    }
}

/// One volunteer as the matcher sees them, to re-check the hard rules at acceptance.
pub(crate) async fn profile_of(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
    except_request: Uuid,
) -> Result<Option<Profile>, crate::RequestError> {
    let Some(volunteer) = volunteers::get(db, volunteer_id).await? else {
        return Ok(None);
    };
    let mut commitments = commitments_since(db, now - HISTORY, Some(volunteer_id), Some(except_request)).await?;
    let today = now.with_timezone(&lp_core::time::POOL_TZ).date_naive();
    let commitments = commitments.remove(&volunteer_id).unwrap_or_default();
    // The offer history only weighs in the score, not in the hard rules.
    Ok(Some(profile(
        volunteer,
        commitments,
        OfferHistory::default(),
        today,
        settings.training_validity_months,
    )))
}

/// Assignments held (assigned or completed) that start after `since`, by volunteer.
async fn commitments_since(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    only_volunteer: Option<Uuid>,
    except_request: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<Commitment>>, crate::RequestError> {
    let mut query = request::Entity::find()
        .filter(request::Column::StartsAt.gte(since))
        .filter(request::Column::AssigneeId.is_not_null())
        .filter(request::Column::Status.is_in([RequestStatus::Assigned.as_str(), RequestStatus::Completed.as_str()]));
    if let Some(id) = except_request {
        query = query.filter(request::Column::Id.ne(id));
    }
    if let Some(volunteer_id) = only_volunteer {
        query = query.filter(request::Column::AssigneeId.eq(volunteer_id));
    }
    let mut by_volunteer: HashMap<Uuid, Vec<Commitment>> = HashMap::new();
    for row in query.all(db).await? {
        let Some(assignee) = row.assignee_id else { continue };
        let minutes = i64::from(row.actual_minutes.unwrap_or(row.duration_minutes));
        by_volunteer.entry(assignee).or_default().push(Commitment {
            starts_at: row.starts_at,
            ends_at: row.starts_at + Duration::minutes(minutes),
            on_site: row.mode == lp_core::vocab::Mode::OnSite.as_str(),
            client_ref: row.client_ref.clone(),
            setting: parse(&row.setting, "setting")?,
        });
    }
    Ok(by_volunteer)
}

/// How each volunteer answered offers so far: answered ones and ones left to expire.
async fn offer_histories(db: &impl ConnectionTrait) -> Result<HashMap<Uuid, OfferHistory>, DbErr> {
    let rows: Vec<(Uuid, String, i64)> = offer::Entity::find()
        .select_only()
        .column(offer::Column::VolunteerId)
        .column(offer::Column::State)
        .column_as(offer::Column::Id.count(), "n")
        .group_by(offer::Column::VolunteerId)
        .group_by(offer::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let mut histories: HashMap<Uuid, OfferHistory> = HashMap::new();
    for (volunteer_id, state, count) in rows {
        let history = histories.entry(volunteer_id).or_default();
        let count = count as u32;
        match state.parse::<OfferState>() {
            Ok(OfferState::Accepted) => history.accepted += count,
            Ok(OfferState::Declined) => history.declined += count,
            Ok(OfferState::Expired) => history.ignored += count,
            // Sent offers are still open; withdrawn ones were filled or cancelled by others.
            _ => {}
        }
    }
    // A volunteer who took back an acceptance left a caseworker searching again.
    let withdrawals: Vec<(Uuid, i64)> = offer::Entity::find()
        .select_only()
        .column(offer::Column::VolunteerId)
        .column_as(offer::Column::Id.count(), "n")
        .filter(offer::Column::WithdrewAt.is_not_null())
        .group_by(offer::Column::VolunteerId)
        .into_tuple()
        .all(db)
        .await?;
    for (volunteer_id, count) in withdrawals {
        histories.entry(volunteer_id).or_default().withdrawn += count as u32;
    }
    Ok(histories)
}
