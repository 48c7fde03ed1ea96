//! Past requests in bulk, with their offers: the history of a big demo pool or a load test,
//! written in multi-row inserts. Checks first what the service relies on of every request.
//!
//! The caller chooses the transactions (a few thousand rows each keep both databases fast);
//! nothing here sends mail or schedules a wave: the history is over. Offers get a random
//! token hash, never a token anyone holds.

use crate::RequestError;
use crate::entities::{offer, request};
use crate::retention::RetentionSettings;
use chrono::{DateTime, Utc};
use lp_core::secret::new_token;
use lp_core::validation::FieldError;
use lp_core::vocab::{OfferState, RequestStatus};
use lp_matcher::RequestSpec;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use std::collections::HashSet;
use uuid::Uuid;

/// A request whose appointment has passed.
#[derive(Debug, Clone, PartialEq)]
pub struct PastRequest {
    pub organisation_id: Uuid,
    pub caseworker_id: Uuid,
    pub spec: RequestSpec,
    pub created_at: DateTime<Utc>,
    pub fill_by: DateTime<Utc>,
    pub outcome: PastOutcome,
    /// Everyone asked, the accepted offer (if any) among them.
    pub offers: Vec<PastOffer>,
}

/// How a past request ended. The assignee of a taken request is its accepted offer's volunteer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PastOutcome {
    /// Taken and held; the caseworker confirmed it.
    Completed {
        actual_minutes: u32,
        completed_at: DateTime<Utc>,
    },
    /// Taken and held; the caseworker has yet to confirm.
    Assigned,
    /// Cancelled by the caseworker while the search was on.
    Cancelled { at: DateTime<Utc> },
    /// Nobody took it by the deadline.
    Unfilled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastOffer {
    pub volunteer_id: Uuid,
    /// Anything but `sent`: every offer of a past request has had its answer or its end.
    pub state: OfferState,
    pub wave: u32,
    pub sent_at: DateTime<Utc>,
    /// When the volunteer accepted or declined; `None` for expired and withdrawn offers.
    pub responded_at: Option<DateTime<Utc>>,
}

/// What [`insert`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub requests: usize,
    pub offers: usize,
}

/// Rows per INSERT statement: under SQLite's 32,766 bound parameters (and PostgreSQL's
/// 65,535) with the widest row, and large enough that a statement's overhead disappears.
const REQUESTS_PER_STATEMENT: usize = 500;
const OFFERS_PER_STATEMENT: usize = 1000;

/// Checks every request, then inserts them and their offers. Nothing is written when one
/// breaks a rule; the error names it (`history[i]...`).
pub async fn insert(
    db: &impl ConnectionTrait,
    history: &[PastRequest],
    settings: &crate::RequestSettings,
    now: DateTime<Utc>,
) -> Result<Written, RequestError> {
    for (i, past) in history.iter().enumerate() {
        check(past, now).map_err(|(field, message)| FieldError::new(format!("history[{i}].{field}"), message))?;
    }
    let ids: Vec<Uuid> = history.iter().map(|_| Uuid::new_v4()).collect();
    let mut written = Written::default();
    for (rows, ids) in history
        .chunks(REQUESTS_PER_STATEMENT)
        .zip(ids.chunks(REQUESTS_PER_STATEMENT))
    {
        let models = rows
            .iter()
            .zip(ids)
            .map(|(past, &id)| request_row(id, past, settings, now));
        request::Entity::insert_many(models).exec_without_returning(db).await?;
        written.requests += rows.len();
    }
    let offers: Vec<offer::ActiveModel> = history
        .iter()
        .zip(&ids)
        .flat_map(|(past, &request_id)| past.offers.iter().map(move |o| offer_row(request_id, past, o)))
        .collect();
    written.offers = offers.len();
    let mut offers = offers.into_iter().peekable();
    while offers.peek().is_some() {
        let chunk: Vec<_> = offers.by_ref().take(OFFERS_PER_STATEMENT).collect();
        offer::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(written)
}

/// The rules of a stored request: one offer per volunteer, at most one accepted and only on a
/// taken request, no offer still out, answers after the offer, an appointment in the past.
fn check(past: &PastRequest, now: DateTime<Utc>) -> Result<(), (&'static str, String)> {
    let err = |field, message: &str| Err((field, message.to_owned()));
    if past.spec.starts_at >= now {
        return err("spec.starts_at", "a past request's appointment lies before now");
    }
    if !(past.created_at <= past.fill_by && past.fill_by <= past.spec.starts_at) {
        return err("fill_by", "lies between filing and the appointment");
    }
    let mut asked = HashSet::new();
    for offer in &past.offers {
        if !asked.insert(offer.volunteer_id) {
            return err("offers", "a volunteer is asked at most once per request");
        }
        if offer.sent_at < past.created_at || offer.sent_at > past.spec.starts_at {
            return err("offers", "an offer goes out between filing and the appointment");
        }
        let answered = matches!(offer.state, OfferState::Accepted | OfferState::Declined);
        match offer.responded_at {
            _ if offer.state == OfferState::Sent => return err("offers", "no offer of a past request is still out"),
            Some(at) if answered && at >= offer.sent_at && at <= past.spec.starts_at => {}
            None if !answered => {}
            _ => {
                return err(
                    "offers",
                    "accepted and declined offers have an answer after the offer, others none",
                );
            }
        }
    }
    let accepted = past.offers.iter().filter(|o| o.state == OfferState::Accepted).count();
    let taken = matches!(past.outcome, PastOutcome::Completed { .. } | PastOutcome::Assigned);
    if accepted != usize::from(taken) {
        return err(
            "offers",
            "a taken request has exactly one accepted offer, any other none",
        );
    }
    match past.outcome {
        PastOutcome::Completed { completed_at, .. } if completed_at < past.spec.starts_at || completed_at > now => {
            err("outcome", "completed after the appointment began and before now")
        }
        PastOutcome::Cancelled { at } if at < past.created_at || at > past.spec.starts_at => {
            err("outcome", "cancelled between filing and the appointment")
        }
        _ => Ok(()),
    }
}

fn request_row(
    id: Uuid,
    past: &PastRequest,
    settings: &crate::RequestSettings,
    now: DateTime<Utc>,
) -> request::ActiveModel {
    let spec = &past.spec;
    // Likewise the client's keyed hash, kept for continuity until its own period ends.
    let client_key_until = crate::continuity::key_until(settings, spec.starts_at);
    let client_key =
        crate::continuity::client_key(settings, spec.client_ref.as_deref()).filter(|_| client_key_until > now);
    // History older than the default retention period is stored as the job would leave it.
    let cleared = crate::retention::details_due(spec.starts_at, &RetentionSettings::default(), now);
    let accepted = past.offers.iter().find(|o| o.state == OfferState::Accepted);
    let (status, completed_at, actual_minutes, cancelled_at) = match past.outcome {
        PastOutcome::Completed {
            actual_minutes,
            completed_at,
        } => (
            RequestStatus::Completed,
            Some(completed_at),
            Some(actual_minutes as i32),
            None,
        ),
        PastOutcome::Assigned => (RequestStatus::Assigned, None, None, None),
        PastOutcome::Cancelled { at } => (RequestStatus::Cancelled, None, None, Some(at)),
        PastOutcome::Unfilled => (RequestStatus::Unfilled, None, None, None),
    };
    let assigned_at = accepted.and_then(|o| o.responded_at);
    // The reminder goes out the day before; an assignment made later than that got none.
    let day_before = spec.starts_at - chrono::Duration::days(1);
    let reminded_at = assigned_at.filter(|&at| at <= day_before).map(|_| day_before);
    let updated_at = [Some(past.created_at), assigned_at, completed_at, cancelled_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(past.created_at);
    request::ActiveModel {
        id: Set(id),
        organisation_id: Set(past.organisation_id),
        caseworker_id: Set(past.caseworker_id),
        language: Set(spec.language.as_str().to_owned()),
        dialect: Set(spec.dialect.clone()),
        starts_at: Set(spec.starts_at),
        duration_minutes: Set(spec.duration_minutes as i32),
        mode: Set(spec.mode.as_str().to_owned()),
        town: Set(spec.town.clone()),
        // Past requests keep no address or notes: retention removes request details.
        address: Set(None),
        setting: Set(spec.setting.as_str().to_owned()),
        gender_preference: Set(spec.gender_preference.map(|g| g.gender.as_str().to_owned())),
        gender_strength: Set(spec.gender_preference.map(|g| g.strength.as_str().to_owned())),
        client_ref: Set(spec.client_ref.clone().filter(|_| !cleared)),
        notes: Set(None),
        fill_by: Set(past.fill_by),
        status: Set(status.as_str().to_owned()),
        assignee_id: Set(accepted.map(|o| o.volunteer_id)),
        assigned_at: Set(assigned_at),
        completed_at: Set(completed_at),
        actual_minutes: Set(actual_minutes),
        feedback: Set(None),
        cancelled_at: Set(cancelled_at),
        next_wave_at: Set(None),
        reminded_at: Set(reminded_at),
        created_at: Set(past.created_at),
        updated_at: Set(updated_at),
        details_removed_at: Set(cleared.then_some(now)),
        client_key_until: Set(client_key.is_some().then_some(client_key_until)),
        client_key: Set(client_key),
        video_url: Set(None),
        series_id: Set(None),
        series_position: Set(None),
        held_for_series: Set(false),
        window_closes_at: Set(None),
    }
}

fn offer_row(request_id: Uuid, past: &PastRequest, o: &PastOffer) -> offer::ActiveModel {
    offer::ActiveModel {
        id: Set(Uuid::new_v4()),
        request_id: Set(request_id),
        volunteer_id: Set(o.volunteer_id),
        state: Set(o.state.as_str().to_owned()),
        // The hash of a token thrown away at once: the link never existed.
        token_hash: Set(new_token().hash),
        link_nonce: Set(None),
        wave: Set(o.wave as i32),
        sent_at: Set(o.sent_at),
        // Offer links stop working when the appointment starts.
        expires_at: Set(past.spec.starts_at),
        responded_at: Set(o.responded_at),
        withdrew_at: Set(None),
        window_accepted_at: Set(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle;
    use chrono::Duration;
    use lp_core::LanguageCode;
    use lp_core::access::{Actor, Coordinator, Scope};
    use lp_core::vocab::{Mode, Setting};
    use lp_registry::organisations::{self, OrganisationInput};
    use lp_registry::volunteers::{self, VolunteerInput};
    use lp_testkit::TestDb;

    fn now() -> DateTime<Utc> {
        "2026-11-23T08:30:00Z".parse().unwrap()
    }

    fn spec(starts_at: DateTime<Utc>) -> RequestSpec {
        RequestSpec {
            language: LanguageCode::parse("tir").unwrap(),
            dialect: None,
            starts_at,
            duration_minutes: 60,
            mode: Mode::Phone,
            town: None,
            setting: Setting::Authority,
            gender_preference: None,
            client_ref: Some("F-0001".into()),
            client_served_by: Vec::new(),
        }
    }

    fn offer(volunteer_id: Uuid, state: OfferState, sent_at: DateTime<Utc>) -> PastOffer {
        let answered = matches!(state, OfferState::Accepted | OfferState::Declined);
        PastOffer {
            volunteer_id,
            state,
            wave: 1,
            sent_at,
            responded_at: answered.then(|| sent_at + Duration::minutes(30)),
        }
    }

    /// An organisation, a caseworker and two volunteers to hang a history on.
    async fn setting_up(db: &sea_orm::DatabaseConnection) -> (Uuid, Uuid, [Uuid; 2]) {
        let org = organisations::create(
            db,
            &Coordinator::operator(),
            &OrganisationInput { name: "Stadt".into() },
            now(),
        )
        .await
        .unwrap();
        let input = lp_registry::staff::StaffUserInput {
            email: "cw@example.org".into(),
            name: "CW".into(),
            role: lp_core::vocab::Role::Caseworker,
            organisation_id: Some(org.id),
            password: None,
        };
        let prepared = lp_registry::staff::prepare(&input, false).await.unwrap();
        let caseworker = lp_registry::staff::insert(db, prepared, now()).await.unwrap().user.id;
        let mut ids = [Uuid::nil(); 2];
        for (i, id) in ids.iter_mut().enumerate() {
            let input: VolunteerInput = serde_json::from_value(serde_json::json!({
                "name": format!("V {i}"), "email": format!("v{i}@example.org"),
                "languages": [{"code": "tir", "proficiency": "native"}],
                "german_level": "B2", "modes": ["phone"], "status": "active"
            }))
            .unwrap();
            *id = volunteers::create(db, &Coordinator::operator(), input.validate().unwrap(), now())
                .await
                .unwrap()
                .id;
        }
        (org.id, caseworker, ids)
    }

    fn completed(org: Uuid, caseworker: Uuid, [a, b]: [Uuid; 2]) -> PastRequest {
        let starts_at = now() - Duration::days(200);
        let created_at = starts_at - Duration::days(7);
        PastRequest {
            organisation_id: org,
            caseworker_id: caseworker,
            spec: spec(starts_at),
            created_at,
            fill_by: starts_at - Duration::hours(2),
            outcome: PastOutcome::Completed {
                actual_minutes: 75,
                completed_at: starts_at + Duration::days(1),
            },
            offers: vec![
                offer(a, OfferState::Declined, created_at),
                offer(b, OfferState::Accepted, created_at),
            ],
        }
    }

    #[tokio::test]
    async fn seeded_history_reads_back_as_the_service_shows_it() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        let (org, caseworker, volunteers) = setting_up(db).await;
        let mut unfilled = completed(org, caseworker, volunteers);
        unfilled.outcome = PastOutcome::Unfilled;
        unfilled.offers[1].state = OfferState::Expired;
        unfilled.offers[1].responded_at = None;
        let history = vec![completed(org, caseworker, volunteers), unfilled];

        let written = insert(
            db,
            &history,
            &crate::RequestSettings::with_defaults("http://pool.test"),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(written, Written { requests: 2, offers: 4 });

        let actor = Actor {
            user_id: caseworker,
            scope: Scope::Organisation(org),
            addr: None,
        };
        let all = lifecycle::list(db, actor.scope, &Default::default(), now())
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        let done = all.iter().find(|r| r.status == RequestStatus::Completed).unwrap();
        assert_eq!(done.assignee.as_ref().unwrap().volunteer_id, volunteers[1]);
        assert_eq!(done.actual_minutes, Some(75));
        assert_eq!(done.offers.len(), 2);
        let open_search = all.iter().find(|r| r.status == RequestStatus::Unfilled).unwrap();
        assert!(open_search.assignee.is_none());
    }

    #[tokio::test]
    async fn a_broken_request_writes_nothing_and_is_named() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        let (org, caseworker, volunteers) = setting_up(db).await;
        let good = completed(org, caseworker, volunteers);

        let mut two_winners = completed(org, caseworker, volunteers);
        two_winners.offers[0].state = OfferState::Accepted;
        let mut asked_twice = completed(org, caseworker, volunteers);
        asked_twice.offers[0].volunteer_id = volunteers[1];
        let mut unfilled_with_winner = completed(org, caseworker, volunteers);
        unfilled_with_winner.outcome = PastOutcome::Unfilled;
        let mut still_out = completed(org, caseworker, volunteers);
        still_out.offers[0].state = OfferState::Sent;
        still_out.offers[0].responded_at = None;
        let mut in_the_future = completed(org, caseworker, volunteers);
        in_the_future.spec.starts_at = now() + Duration::days(1);

        for broken in [two_winners, asked_twice, unfilled_with_winner, still_out, in_the_future] {
            let err = insert(
                db,
                &[good.clone(), broken],
                &crate::RequestSettings::with_defaults("http://pool.test"),
                now(),
            )
            .await
            .unwrap_err();
            match err {
                RequestError::Invalid(e) => assert!(e.field.starts_with("history[1]."), "{}", e.field),
                other => panic!("{other:?}"),
            }
        }
        let all = lifecycle::list(db, Scope::All, &Default::default(), now())
            .await
            .unwrap();
        assert!(all.is_empty());
    }
}
