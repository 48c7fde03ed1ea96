//! Loads volunteers as the matcher sees them: each with the assignments they hold or held (for
//! overlap, monthly maximum, fairness, continuity) and how they answered recent offers. Every
//! read is bounded by an index and a window (the last 90 days of assignments and all later
//! ones, a year of offers), for the whole pool or for a few volunteers, never a pass over all
//! history.

use crate::entities::{offer, request};
use crate::request::parse;
use chrono::{DateTime, Duration, Utc};
use lp_core::vocab::{Mode, OfferState, RequestStatus, VolunteerStatus};
use lp_matcher::{Commitment, OfferHistory, Profile, SpokenLanguage};
use lp_registry::volunteers::{self, Volunteer};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Select};
use std::collections::HashMap;
use uuid::Uuid;

/// How far back assignments count for fairness and continuity.
const ASSIGNMENT_HISTORY: Duration = Duration::days(lp_matcher::FAIRNESS_WINDOW_DAYS);
/// How far back filed requests count as demand for the scarcity part.
const DEMAND_HISTORY: Duration = Duration::days(lp_matcher::DEMAND_WINDOW_DAYS);
/// How far back offers count for reliability.
const OFFER_HISTORY: Duration = Duration::days(lp_matcher::RELIABILITY_WINDOW_DAYS);
/// Ids per `IN (...)`, under both databases' bound-parameter limits.
const CHUNK: usize = 500;

/// Everyone the matcher looks at: offers go only to active volunteers, but staff also see why
/// applicants and paused volunteers are not candidates.
const IN_POOL: [VolunteerStatus; 3] = [
    VolunteerStatus::Active,
    VolunteerStatus::Applicant,
    VolunteerStatus::Paused,
];

/// Which volunteers to load.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which<'a> {
    /// Everyone not retired.
    Pool,
    /// These, if not retired.
    Only(&'a [Uuid]),
}

/// The profiles of `which`. `except_request` leaves one request's own assignment out, so
/// re-checking an assigned request does not collide with itself.
pub(crate) async fn profiles(
    db: &impl ConnectionTrait,
    which: Which<'_>,
    validity_months: u32,
    now: DateTime<Utc>,
    except_request: Option<Uuid>,
) -> Result<Vec<Profile>, crate::RequestError> {
    let (people, only) = match which {
        Which::Pool => (volunteers::with_status(db, &IN_POOL).await?, None),
        Which::Only(ids) => {
            let found = volunteers::get_many(db, ids).await?;
            let in_pool = found.into_iter().filter(|v| IN_POOL.contains(&v.status)).collect();
            (in_pool, Some(ids))
        }
    };
    let mut commitments = commitments_since(db, now - ASSIGNMENT_HISTORY, only, except_request).await?;
    let mut histories = offer_histories(db, now - OFFER_HISTORY, only).await?;
    let today = now.with_timezone(&lp_core::time::POOL_TZ).date_naive();
    Ok(people
        .into_iter()
        .map(|volunteer| {
            let commitments = commitments.remove(&volunteer.id).unwrap_or_default();
            let offers = histories.remove(&volunteer.id).unwrap_or_default();
            profile(volunteer, commitments, offers, today, validity_months)
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
        email_bouncing: volunteer.email_bounced_at.is_some(),
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

/// Where a volunteer stands by the hard rules for one date, judged on their calendar now.
pub(crate) enum Standing {
    May,
    Breaks(lp_matcher::Rule),
    /// No longer in the registry.
    Gone,
}

/// The hard rules for `spec` on the volunteer's calendar now, `except_request` (the date being
/// judged) left out of it: what accepting, collecting in a window, closing one, taking a series'
/// dates and the offer page each check.
pub(crate) async fn standing(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    spec: &lp_matcher::RequestSpec,
    except_request: Uuid,
    settings: &crate::RequestSettings,
    now: DateTime<Utc>,
) -> Result<Standing, crate::RequestError> {
    let profile = profile_for_rules(db, volunteer_id, settings.training_validity_months, now, except_request).await?;
    Ok(match profile {
        None => Standing::Gone,
        Some(profile) => match lp_matcher::first_violation(spec, &profile, now, &settings.matching) {
            Some(rule) => Standing::Breaks(rule),
            None => Standing::May,
        },
    })
}

/// One volunteer as the matcher sees them, to re-check the hard rules at acceptance (the offer
/// history only weighs in the score, so it is left out).
async fn profile_for_rules(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    validity_months: u32,
    now: DateTime<Utc>,
    except_request: Uuid,
) -> Result<Option<Profile>, crate::RequestError> {
    let Some(volunteer) = volunteers::get(db, volunteer_id).await? else {
        return Ok(None);
    };
    let only = [volunteer_id];
    let mut commitments = commitments_since(db, now - ASSIGNMENT_HISTORY, Some(&only), Some(except_request)).await?;
    let today = now.with_timezone(&lp_core::time::POOL_TZ).date_naive();
    let commitments = commitments.remove(&volunteer_id).unwrap_or_default();
    Ok(Some(profile(
        volunteer,
        commitments,
        OfferHistory::default(),
        today,
        validity_months,
    )))
}

/// The languages of the requests filed in the last [`lp_matcher::DEMAND_WINDOW_DAYS`] up to
/// `now`, one per request whatever became of it (filled, unfilled, cancelled: each was
/// demand), read by the index on the filing time. With the profiles,
/// [`lp_matcher::RecentDemand::new`] makes the scarcity part's input, as `simulate` does.
pub(crate) async fn recently_requested(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<lp_core::LanguageCode>, crate::RequestError> {
    let languages: Vec<String> = request::Entity::find()
        .select_only()
        .column(request::Column::Language)
        .filter(request::Column::CreatedAt.gte(now - DEMAND_HISTORY))
        .filter(request::Column::CreatedAt.lte(now))
        .into_tuple()
        .all(db)
        .await?;
    Ok(languages
        .iter()
        .map(|code| parse(code, "interpreting_requests.language"))
        .collect::<Result<Vec<_>, DbErr>>()?)
}

/// Runs `query` once for the whole table, or once per chunk of `only`, narrowed by `by`.
async fn chunked<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    by: impl ColumnTrait,
    only: Option<&[Uuid]>,
) -> Result<Vec<E::Model>, DbErr> {
    let Some(ids) = only else {
        return query.all(db).await;
    };
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(query.clone().filter(by.is_in(chunk.iter().copied())).all(db).await?);
    }
    Ok(rows)
}

/// Assignments held (assigned or completed) that start after `since`, by volunteer.
async fn commitments_since(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    only: Option<&[Uuid]>,
    except_request: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<Commitment>>, crate::RequestError> {
    let mut query = request::Entity::find()
        .filter(request::Column::StartsAt.gte(since))
        .filter(request::Column::AssigneeId.is_not_null())
        .filter(request::Column::Status.is_in([RequestStatus::Assigned.as_str(), RequestStatus::Completed.as_str()]));
    if let Some(id) = except_request {
        query = query.filter(request::Column::Id.ne(id));
    }
    let mut by_volunteer: HashMap<Uuid, Vec<Commitment>> = HashMap::new();
    for row in chunked(db, query, request::Column::AssigneeId, only).await? {
        let Some(assignee) = row.assignee_id else { continue };
        let minutes = i64::from(row.actual_minutes.unwrap_or(row.duration_minutes));
        by_volunteer.entry(assignee).or_default().push(Commitment {
            starts_at: row.starts_at,
            ends_at: row.starts_at + Duration::minutes(minutes),
            on_site: row.mode == Mode::OnSite.as_str(),
            client_ref: row.client_ref.clone(),
            setting: parse(&row.setting, "interpreting_requests.setting")?,
        });
    }
    Ok(by_volunteer)
}

/// How each volunteer answered the offers sent since `since`: accepted, declined, left to
/// expire, and acceptances taken back.
async fn offer_histories(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<HashMap<Uuid, OfferHistory>, DbErr> {
    let query = offer::Entity::find()
        .select_only()
        .column(offer::Column::VolunteerId)
        .column(offer::Column::State)
        .column(offer::Column::WithdrewAt)
        .filter(offer::Column::SentAt.gte(since))
        .filter(offer::Column::State.ne(OfferState::Sent.as_str()));
    type Answer = (Uuid, String, Option<DateTime<Utc>>);
    let mut rows: Vec<Answer> = Vec::new();
    match only {
        None => rows = query.into_tuple().all(db).await?,
        Some(ids) => {
            for chunk in ids.chunks(CHUNK) {
                let narrowed = query
                    .clone()
                    .filter(offer::Column::VolunteerId.is_in(chunk.iter().copied()));
                rows.extend(narrowed.into_tuple::<Answer>().all(db).await?);
            }
        }
    }
    let mut histories: HashMap<Uuid, OfferHistory> = HashMap::new();
    for (volunteer_id, state, withdrew_at) in rows {
        let history = histories.entry(volunteer_id).or_default();
        match state.parse::<OfferState>() {
            Ok(OfferState::Accepted) => history.accepted += 1,
            Ok(OfferState::Declined) => history.declined += 1,
            Ok(OfferState::Expired) => history.ignored += 1,
            // Withdrawn by the system (filled or cancelled by others) says nothing of the
            // volunteer; withdrawn by the volunteer after accepting left a caseworker searching.
            Ok(OfferState::Withdrawn) if withdrew_at.is_some() => history.withdrawn += 1,
            _ => {}
        }
    }
    Ok(histories)
}
