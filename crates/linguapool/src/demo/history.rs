//! Years of past requests for a big demo or load-test pool: the town's requests of the past
//! days, replayed through `simulate`'s cascade (the matcher's ranking, the volunteers' answers,
//! monthly maxima and overlaps), then stored with their offers by `lp_requests::seed`.
//!
//! The cascade's assignments are kept as they fell. It does not record who else it asked, so
//! the other offers are drawn afresh: candidates the hard rules allow that day, answering by
//! their own behaviour; on a filled request whoever had not declined before the winner
//! accepted sees the offer withdrawn, on an unfilled one it expires.

use super::Progress;
use anyhow::Context as _;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use lp_core::vocab::OfferState;
use lp_matcher::Profile;
use lp_matcher::cascade::wave_interval;
use lp_requests::RequestSettings;
use lp_requests::seed::{PastOffer, PastOutcome, PastRequest, Written};
use lp_simulate::generate::{self, Reply, World, apply_facts, local_day};
use lp_simulate::progress::ProgressBar;
use lp_simulate::strategies::{self, Strategy};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use sea_orm::DatabaseConnection;
use std::time::Instant;
use uuid::Uuid;

/// Requests filed per volunteer and year. With it the cascade assigns about 20 per volunteer
/// and year in the default town: the rate of Freiburg's pool (1,000 volunteers, about 20,000
/// assignments a year).
const REQUESTS_PER_VOLUNTEER_YEAR: f64 = 30.0;
/// Past requests per transaction: with their offers a few thousand rows.
const REQUESTS_PER_TRANSACTION: usize = 1000;
/// Offers a wave sends (the service's default `matching.wave_size`).
const WAVE: usize = 3;
/// Keeps the history's draws apart from the pool's, so the dozen open demo requests are the
/// same with and without a past.
const HISTORY_STREAM: u64 = 0x4849_5354_4f52_5921;

/// A caseworker who files past requests.
pub(super) struct Filer {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
}

/// The seeded town: its volunteers as generated, their database ids (same order), the
/// caseworkers.
pub(super) struct Town<'a> {
    pub volunteers: &'a [generate::Volunteer],
    pub ids: &'a [Uuid],
    pub filers: &'a [Filer],
}

/// What [`seed`] stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistorySummary {
    pub days: u32,
    pub requests: usize,
    /// Requests taken (completed, or awaiting the caseworker's confirmation).
    pub assignments: usize,
    pub offers: usize,
    /// Replaying the cascade over the past, in seconds.
    pub replay_seconds: f64,
    /// Writing it, in seconds.
    pub store_seconds: f64,
}

/// Replays and stores `days` days of past requests, in transactions of a few thousand rows.
pub(super) async fn seed(
    db: &DatabaseConnection,
    town: &Town<'_>,
    settings: &RequestSettings,
    now: DateTime<Utc>,
    days: u32,
    seed: u64,
    bar: &mut ProgressBar,
) -> anyhow::Result<HistorySummary> {
    let started = Instant::now();
    let past = replay(town, settings, now, days, seed, bar);
    let replay_seconds = started.elapsed().as_secs_f64();
    let mut written = Written::default();
    for chunk in past.chunks(REQUESTS_PER_TRANSACTION) {
        let txn = lp_db::begin_write(db).await?;
        let batch = lp_requests::seed::insert(&*txn, chunk, settings, now)
            .await
            .context("storing past requests")?;
        txn.commit().await?;
        written.requests += batch.requests;
        written.offers += batch.offers;
        bar.update(Progress {
            stage: "storing",
            done: written.requests,
            total: past.len(),
        });
    }
    lp_db::refresh_statistics(db).await.context("refreshing statistics")?;
    let assignments = past
        .iter()
        .filter(|p| matches!(p.outcome, PastOutcome::Completed { .. } | PastOutcome::Assigned))
        .count();
    Ok(HistorySummary {
        days,
        requests: written.requests,
        assignments,
        offers: written.offers,
        replay_seconds,
        store_seconds: started.elapsed().as_secs_f64() - replay_seconds,
    })
}

/// The past requests whose appointment began before `now`, as the cascade left them. Later
/// ones are today's business, not history, and are left out.
fn replay(
    town: &Town<'_>,
    settings: &RequestSettings,
    now: DateTime<Utc>,
    days: u32,
    seed: u64,
    bar: &mut ProgressBar,
) -> Vec<PastRequest> {
    let mut rng = StdRng::seed_from_u64(seed ^ HISTORY_STREAM);
    let today = local_day(now);
    let count = REQUESTS_PER_VOLUNTEER_YEAR * town.volunteers.len() as f64 * f64::from(days) / 365.0;
    let requests = generate::requests_between(
        &mut rng,
        today - Days::new(u64::from(days)),
        today - Days::new(1),
        count.round() as usize,
    );
    let world = World::new(town.volunteers.to_vec(), requests, rng.random());
    let (total, mut done) = (world.requests.len(), 0);
    let outcome = strategies::simulate(
        &world,
        Strategy::Cascade(settings.cascade()),
        &settings.matching,
        settings.training_validity_months,
        &mut || {
            done += 1;
            bar.update(Progress {
                stage: "past",
                done,
                total,
            });
        },
    );

    let mut asked = Asked {
        world: &world,
        settings,
        profiles: world.volunteers.iter().map(|v| v.profile.clone()).collect(),
        facts_of: None,
    };
    let mut past = Vec::new();
    for (r, request) in world.requests.iter().enumerate() {
        if request.spec.starts_at >= now {
            continue;
        }
        let winner = outcome.assigned[r];
        let offers = asked.offers(&mut rng, r, winner, town.ids);
        let filer = &town.filers[client_number(request.spec.client_ref.as_deref()) % town.filers.len()];
        past.push(PastRequest {
            organisation_id: filer.organisation_id,
            caseworker_id: filer.user_id,
            spec: request.spec.clone(),
            created_at: request.created_at,
            fill_by: request.fill_by,
            outcome: match winner {
                Some(_) => held(&mut rng, request.spec.ends_at(), request.spec.duration_minutes, now),
                None => PastOutcome::Unfilled,
            },
            offers,
        });
    }
    past
}

/// Who else was asked for a request: the volunteers the hard rules allowed on the day it was
/// filed (facts of that day, the calendar left out), answering by their behaviour.
struct Asked<'a> {
    world: &'a World,
    settings: &'a RequestSettings,
    profiles: Vec<Profile>,
    /// The day whose facts `profiles` carry.
    facts_of: Option<NaiveDate>,
}

impl Asked<'_> {
    fn offers(&mut self, rng: &mut StdRng, r: usize, winner: Option<usize>, ids: &[Uuid]) -> Vec<PastOffer> {
        let request = &self.world.requests[r];
        let day = local_day(request.created_at);
        if self.facts_of != Some(day) {
            for (profile, volunteer) in self.profiles.iter_mut().zip(&self.world.volunteers) {
                apply_facts(profile, volunteer.facts_on(day, self.settings.training_validity_months));
            }
            self.facts_of = Some(day);
        }
        let candidates: Vec<usize> = (0..self.profiles.len())
            .filter(|&v| Some(v) != winner)
            .filter(|&v| {
                lp_matcher::first_violation(
                    &request.spec,
                    &self.profiles[v],
                    request.created_at,
                    &self.settings.matching,
                )
                .is_none()
            })
            .collect();
        let others = match winner {
            // The winner's wave: up to two more, some of whom had declined already.
            Some(_) => rng.random_range(0..WAVE),
            // The waves until candidates or time ran out.
            None => 2 * WAVE,
        };
        let (created, fill_by, starts) = (request.created_at, request.fill_by, request.spec.starts_at);
        let winner_at = winner.map(|v| match self.world.answer(r, v, created, 0) {
            // The cascade's winner said yes; sent with the first wave, this is when.
            Reply::Accept(at) => at.clamp(created, fill_by),
            _ => created + (fill_by - created) / 2,
        });
        let interval = wave_interval(created, fill_by, &self.settings.cascade());
        let mut offers: Vec<PastOffer> = candidates
            .sample(rng, others.min(candidates.len()))
            .enumerate()
            .map(|(i, &v)| {
                // With a winner everyone was in the first wave; without, waves followed.
                let wave = if winner.is_some() { 0 } else { i / WAVE };
                let sent_at = (created + interval * wave as i32).min(starts);
                let (state, responded_at) = match (self.world.answer(r, v, sent_at, 0), winner_at) {
                    (Reply::Decline(at), Some(won)) if at < won => (OfferState::Declined, Some(at)),
                    (Reply::Decline(at), None) if at <= starts => (OfferState::Declined, Some(at)),
                    (_, Some(_)) => (OfferState::Withdrawn, None),
                    (_, None) => (OfferState::Expired, None),
                };
                PastOffer {
                    volunteer_id: ids[v],
                    state,
                    wave: wave as u32 + 1,
                    sent_at,
                    responded_at,
                }
            })
            .collect();
        if let (Some(v), Some(at)) = (winner, winner_at) {
            offers.push(PastOffer {
                volunteer_id: ids[v],
                state: OfferState::Accepted,
                wave: 1,
                sent_at: created,
                responded_at: Some(at),
            });
        }
        offers
    }
}

/// A taken request after its appointment: confirmed within three days with the minutes it
/// really took, or still awaiting the caseworker's confirmation.
fn held(rng: &mut StdRng, ended: DateTime<Utc>, minutes: u32, now: DateTime<Utc>) -> PastOutcome {
    let completed_at = ended + Duration::minutes(rng.random_range(30..=3 * 24 * 60));
    if completed_at > now {
        return PastOutcome::Assigned;
    }
    let overrun: i64 = *[-15, 0, 0, 0, 15, 30].choose(rng).expect("overruns");
    PastOutcome::Completed {
        actual_minutes: (i64::from(minutes) + overrun).max(15) as u32,
        completed_at,
    }
}

/// The client's number in a file reference such as `F-0042`, so one client stays with one
/// caseworker.
fn client_number(client_ref: Option<&str>) -> usize {
    client_ref
        .unwrap_or_default()
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0, |n: usize, d| n.wrapping_mul(10).wrapping_add(usize::from(d - b'0')))
}
