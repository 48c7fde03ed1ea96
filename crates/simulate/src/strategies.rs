//! Broadcast and cascade, replayed as one discrete-event simulation of the year.
//!
//! Every decision of the search (who is asked next, how many, when it looks again, when it
//! gives up) is the service's own policy, [`next_step`], fed as the service feeds it: the
//! ranked candidates and the offers made so far. Broadcast is that policy with a wave as large
//! as the pool. Events (a request comes in, a wave is due, an answer arrives, a deadline
//! passes) run in time order, so the searches of requests filed close together overlap as they do in the service:
//! a volunteer may accept one job while holding an offer for another at the same time, and is
//! then refused at the second acceptance by the same re-check of the hard rules the service
//! makes. Every ranking and every re-check is the matcher's own [`rank`] and
//! [`first_violation`], on profiles whose commitments and offer history grow as the year goes.
//!
//! The ranking's recent demand (the scarcity part) is summarised as the service does it, by
//! [`RecentDemand::new`] over the requests filed in the last 90 days, once a day. With an
//! acceptance window (`accept_window_minutes`) the first acceptance opens it, further ones
//! are collected, no wave goes out meanwhile, and at its close the matcher's
//! [`window_winner`] picks the job's volunteer from a fresh ranking; the time to fill then
//! counts to the close.
//!
//! What the simulation leaves out: withdrawals and no-shows of assigned volunteers,
//! cancellations, and changes of the weekly availability; a request's volunteer facts (status,
//! training, pledge) are those of the day it was filed, as offers for it are judged by then.

use crate::generate::{Reply, World, apply_facts, commitment, local_day};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use lp_core::vocab::{OfferState, VolunteerStatus};
use lp_matcher::cascade::{CascadeConfig, EarlierOffer, Occasion, Step, next_step, window_closes_at, window_winner};
use lp_matcher::{DEMAND_WINDOW_DAYS, MatchConfig, Profile, RecentDemand, first_violation, rank};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// How offers go out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    /// Today's practice: mail everyone eligible at once; the first to accept wins.
    Broadcast,
    /// Waves of the best-ranked candidates; a decline passes the offer on at once.
    Cascade(CascadeConfig),
}

impl Strategy {
    /// The service's policy, parameterised: broadcast is a single wave of everyone.
    fn policy(self) -> CascadeConfig {
        match self {
            Strategy::Broadcast => CascadeConfig {
                wave_size: u32::MAX,
                ..CascadeConfig::default()
            },
            Strategy::Cascade(config) => config,
        }
    }
}

/// What one strategy achieved over the year.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub filled: usize,
    /// Offer mails sent.
    pub mails: u64,
    /// Offers that broke a hard rule when sent, plus assignments that break one against the
    /// volunteer's final calendar.
    pub violations: u64,
    /// Acceptances refused because the volunteer no longer qualified (e.g. took another job at
    /// that time meanwhile).
    pub refused_acceptances: u64,
    /// From filing to the winning acceptance (or the close of its window), per filled
    /// request.
    pub minutes_to_fill: Vec<f64>,
    /// Acceptances collected in acceptance windows, winners included.
    pub in_window: u64,
    /// The assigned volunteer per request.
    pub assigned: Vec<Option<usize>>,
}

/// Replays the year with `strategy`. `tick` is called once per request filed.
pub fn simulate(
    world: &World,
    strategy: Strategy,
    matching: &MatchConfig,
    validity_months: u32,
    tick: &mut dyn FnMut(),
) -> Outcome {
    let mut sim = Sim {
        world,
        matching: matching.clone(),
        demand_day: None,
        in_window: 0,
        validity_months,
        strategy,
        pool: world.volunteers.iter().map(|v| v.profile.clone()).collect(),
        index: world
            .volunteers
            .iter()
            .enumerate()
            .map(|(i, v)| (v.profile.volunteer_id, i))
            .collect(),
        searches: world.requests.iter().map(|_| Search::default()).collect(),
        events: BinaryHeap::new(),
        seq: 0,
        out: Outcome {
            assigned: vec![None; world.requests.len()],
            ..Outcome::default()
        },
    };
    for (r, request) in world.requests.iter().enumerate() {
        sim.schedule(request.created_at, Event::Create(r));
    }
    while let Some(Reverse((now, _, event))) = sim.events.pop() {
        if let Event::Create(_) = event {
            tick();
        }
        sim.handle(now, event);
    }
    sim.out.violations += audit(world, &sim.out.assigned, matching, validity_months);
    sim.out.in_window = sim.in_window;
    sim.out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Create(usize),
    Wave(usize),
    Answer {
        request: usize,
        volunteer: usize,
        accept: bool,
    },
    Deadline(usize),
    /// The acceptance window of a request closes.
    CloseWindow(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Status {
    #[default]
    NotYetFiled,
    Open,
    Closed,
}

#[derive(Debug, Default)]
struct Search {
    status: Status,
    /// The offers made, as the service's policy reads them from its offer rows.
    offers: Vec<EarlierOffer>,
    /// Which volunteer (by index) each offer went to.
    offered_to: Vec<usize>,
    /// When the policy asked to look again; a wave event for another time is stale, as the
    /// service's claim on `next_wave_at` finds nothing due.
    next_wave_at: Option<DateTime<Utc>>,
    /// The volunteers (by index) who accepted in the open acceptance window, if one is open.
    window: Option<Vec<usize>>,
}

struct Sim<'a> {
    world: &'a World,
    /// The pool's settings, with the recent demand of `demand_day`.
    matching: MatchConfig,
    demand_day: Option<NaiveDate>,
    /// Acceptances collected in windows, winners included.
    in_window: u64,
    validity_months: u32,
    strategy: Strategy,
    /// The live profiles: commitments and offer history grow as the year goes.
    pool: Vec<Profile>,
    index: HashMap<Uuid, usize>,
    searches: Vec<Search>,
    /// Earliest first; the sequence number keeps equal times in scheduling order.
    events: BinaryHeap<Reverse<(DateTime<Utc>, u64, Event)>>,
    seq: u64,
    out: Outcome,
}

/// The service loads the assignments of the last 90 days (fairness, continuity, experience)
/// and all later ones (overlap, monthly maximum).
const HISTORY: Duration = Duration::days(lp_matcher::FAIRNESS_WINDOW_DAYS);

impl Sim<'_> {
    fn schedule(&mut self, at: DateTime<Utc>, event: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, event)));
    }

    fn is_open(&self, r: usize) -> bool {
        self.searches[r].status == Status::Open
    }

    fn window_open(&self, r: usize) -> bool {
        self.searches[r].window.is_some()
    }

    fn handle(&mut self, now: DateTime<Utc>, event: Event) {
        match event {
            Event::Create(r) => self.create(r, now),
            Event::Wave(r) if self.is_open(r) && self.searches[r].next_wave_at == Some(now) => {
                self.searches[r].next_wave_at = None;
                // Someone has accepted: no more offers unless the window ends without a winner.
                if !self.window_open(r) {
                    self.step(r, Occasion::WaveDue, now);
                }
            }
            Event::Answer {
                request,
                volunteer,
                accept,
            } if self.is_open(request) => {
                if accept {
                    self.accept(request, volunteer, now);
                } else {
                    self.decline(request, volunteer, now);
                }
            }
            Event::CloseWindow(r) if self.is_open(r) && self.window_open(r) => self.close_window(r, now),
            Event::Deadline(r) if self.is_open(r) => {
                // A window closes at the deadline at the latest: decided before giving up.
                if self.window_open(r) {
                    self.close_window(r, now);
                }
                if self.is_open(r) {
                    self.unfilled(r);
                }
            }
            // Answers to a filled or unfilled request, and waves of one, change nothing.
            _ => {}
        }
    }

    fn create(&mut self, r: usize, now: DateTime<Utc>) {
        self.searches[r] = Search {
            status: Status::Open,
            ..Search::default()
        };
        self.schedule(self.world.requests[r].fill_by, Event::Deadline(r));
        self.step(r, Occasion::Filed, now);
    }

    /// One step of the search, decided by the service's policy on the matcher's ranking.
    fn step(&mut self, r: usize, occasion: Occasion, now: DateTime<Utc>) {
        self.prepare(r, now);
        let world = self.world;
        let request = &world.requests[r];
        let ranking = rank(&request.spec, &self.pool, now, &self.matching);
        let step = next_step(
            occasion,
            ranking.candidates.iter().map(|c| c.volunteer_id),
            &self.searches[r].offers,
            request.fill_by,
            now,
            &self.strategy.policy(),
        );
        match step {
            Step::Unfilled => self.unfilled(r),
            Step::Wait { next_wave_at } => self.look_again(r, next_wave_at),
            Step::Offer { to, next_wave_at } => {
                self.look_again(r, next_wave_at);
                for id in to {
                    self.offer(r, self.index[&id], now);
                }
            }
        }
    }

    fn look_again(&mut self, r: usize, at: DateTime<Utc>) {
        self.searches[r].next_wave_at = Some(at);
        self.schedule(at, Event::Wave(r));
    }

    /// The volunteer facts of the day the request was filed, and the calendar as the service
    /// loads it at `now`.
    fn prepare(&mut self, r: usize, now: DateTime<Utc>) {
        let day = local_day(self.world.requests[r].created_at);
        let since = now - HISTORY;
        for (profile, volunteer) in self.pool.iter_mut().zip(&self.world.volunteers) {
            apply_facts(profile, volunteer.facts_on(day, self.validity_months));
            profile.commitments.retain(|c| c.starts_at >= since);
        }
        self.refresh_demand(now);
    }

    /// The recent demand as the service summarises it, once a day: the requests filed in the
    /// last [`DEMAND_WINDOW_DAYS`] (up to `now`) over the pool's active volunteers of that day.
    fn refresh_demand(&mut self, now: DateTime<Utc>) {
        let today = local_day(now);
        if self.demand_day == Some(today) {
            return;
        }
        self.demand_day = Some(today);
        let requests = &self.world.requests;
        let from = requests.partition_point(|q| q.created_at < now - Duration::days(DEMAND_WINDOW_DAYS));
        let to = requests.partition_point(|q| q.created_at <= now);
        let active: Vec<Profile> = self
            .world
            .volunteers
            .iter()
            .filter(|v| v.timeline.status_on(today) == VolunteerStatus::Active)
            .map(|v| v.profile.clone())
            .collect();
        self.matching.demand = Arc::new(RecentDemand::new(
            requests[from..to].iter().map(|q| q.spec.language),
            &active,
        ));
    }

    fn offer(&mut self, r: usize, v: usize, now: DateTime<Utc>) {
        let world = self.world;
        let spec = &world.requests[r].spec;
        // The simulator's own check that the matcher never offers to someone a rule excludes.
        if first_violation(spec, &self.pool[v], now, &self.matching).is_some() {
            self.out.violations += 1;
        }
        self.out.mails += 1;
        let search = &mut self.searches[r];
        search.offers.push(EarlierOffer {
            volunteer_id: self.pool[v].volunteer_id,
            state: OfferState::Sent,
            gave_back: false,
            // Offer links stop working when the appointment starts.
            expires_at: spec.starts_at,
        });
        search.offered_to.push(v);
        let busy = same_week(&self.pool[v], spec.starts_at);
        match world.answer(r, v, now, busy) {
            Reply::Accept(at) => self.schedule(at, answer(r, v, true)),
            Reply::Decline(at) => self.schedule(at, answer(r, v, false)),
            Reply::Ignore => {}
        }
    }

    fn accept(&mut self, r: usize, v: usize, now: DateTime<Utc>) {
        self.prepare(r, now);
        let world = self.world;
        let request = &world.requests[r];
        // As in the service: since the offer went out the volunteer may have taken another job
        // at that time or reached the monthly maximum. The refused offer stays out, as the
        // service rolls the acceptance back.
        if first_violation(&request.spec, &self.pool[v], now, &self.matching).is_some() {
            self.out.refused_acceptances += 1;
            return;
        }
        let policy = self.strategy.policy();
        if self.window_open(r) || policy.accept_window_minutes > 0 {
            self.in_window += 1;
            let search = &mut self.searches[r];
            if let Some(i) = search.offered_to.iter().position(|&o| o == v) {
                search.offers[i].state = OfferState::Accepted;
            }
            match &mut search.window {
                Some(accepted) => accepted.push(v),
                None => {
                    search.window = Some(vec![v]);
                    let closes = window_closes_at(now, request.fill_by, &policy).expect("a window is configured");
                    self.schedule(closes, Event::CloseWindow(r));
                }
            }
            return;
        }
        self.assign(r, v, now);
    }

    /// The window closes: the best-ranked of those who accepted, who still qualifies, gets the
    /// job; if nobody does, the search goes on.
    fn close_window(&mut self, r: usize, now: DateTime<Utc>) {
        let accepted = self.searches[r].window.take().unwrap_or_default();
        self.prepare(r, now);
        let world = self.world;
        let spec = &world.requests[r].spec;
        let ranking = rank(spec, &self.pool, now, &self.matching);
        let ids: Vec<_> = accepted.iter().map(|&v| self.pool[v].volunteer_id).collect();
        let (pool, index, matching) = (&self.pool, &self.index, &self.matching);
        let winner = window_winner(ranking.candidates.iter().map(|c| c.volunteer_id), &ids, |id| {
            first_violation(spec, &pool[index[&id]], now, matching).is_none()
        });
        match winner {
            Some(id) => self.assign(r, self.index[&id], now),
            None => {
                self.out.refused_acceptances += accepted.len() as u64;
                self.step(r, Occasion::WaveDue, now);
            }
        }
    }

    fn assign(&mut self, r: usize, v: usize, now: DateTime<Utc>) {
        let request = &self.world.requests[r];
        let profile = &mut self.pool[v];
        profile.commitments.push(commitment(request));
        profile.offers.accepted += 1;
        self.out.filled += 1;
        self.out.assigned[r] = Some(v);
        self.out
            .minutes_to_fill
            .push((now - request.created_at).num_seconds() as f64 / 60.0);
        // The others' offers are withdrawn: no answer of theirs counts any more.
        self.close(r);
    }

    fn decline(&mut self, r: usize, v: usize, now: DateTime<Utc>) {
        let search = &mut self.searches[r];
        if let Some(i) = search.offered_to.iter().position(|&o| o == v) {
            search.offers[i].state = OfferState::Declined;
        }
        self.pool[v].offers.declined += 1;
        // With an acceptance collected, a "no" passes nothing on.
        if !self.window_open(r) {
            self.step(r, Occasion::Declined, now);
        }
    }

    /// Candidates ran out or the deadline passed. Offers still out expire unanswered, which
    /// the service counts as ignored.
    fn unfilled(&mut self, r: usize) {
        let search = std::mem::take(&mut self.searches[r]);
        for (offer, v) in search.offers.iter().zip(search.offered_to) {
            if offer.state == OfferState::Sent {
                self.pool[v].offers.ignored += 1;
            }
        }
        self.close(r);
    }

    fn close(&mut self, r: usize) {
        self.searches[r] = Search {
            status: Status::Closed,
            ..Search::default()
        };
    }
}

fn answer(request: usize, volunteer: usize, accept: bool) -> Event {
    Event::Answer {
        request,
        volunteer,
        accept,
    }
}

/// Assignments the volunteer holds in the (local, ISO) week of `at`.
fn same_week(profile: &Profile, at: DateTime<Utc>) -> usize {
    let week = local_day(at).iso_week();
    profile
        .commitments
        .iter()
        .filter(|c| local_day(c.starts_at).iso_week() == week)
        .count()
}

/// Re-checks every assignment against the volunteer's final calendar (all their other
/// assignments of the year), so a double booking or an exceeded monthly maximum that slipped
/// through the bookkeeping would show. Returns the number of assignments that break a rule.
fn audit(world: &World, assigned: &[Option<usize>], matching: &MatchConfig, validity_months: u32) -> u64 {
    let mut by_volunteer: HashMap<usize, Vec<usize>> = HashMap::new();
    for (r, v) in assigned.iter().enumerate() {
        if let Some(v) = v {
            by_volunteer.entry(*v).or_default().push(r);
        }
    }
    let mut violations = 0;
    for (v, requests) in by_volunteer {
        let mut profile = world.volunteers[v].profile.clone();
        for &r in &requests {
            let request = &world.requests[r];
            apply_facts(
                &mut profile,
                world.volunteers[v].facts_on(local_day(request.created_at), validity_months),
            );
            profile.commitments = requests
                .iter()
                .filter(|&&other| other != r)
                .map(|&other| commitment(&world.requests[other]))
                .collect();
            if first_violation(&request.spec, &profile, request.created_at, matching).is_some() {
                violations += 1;
            }
        }
    }
    violations
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::generate::{Behaviour, Timeline};
    use chrono::NaiveDate;
    use lp_core::time::WeeklySlot;
    use lp_core::vocab::{Gender, GermanLevel, Mode, Proficiency, VolunteerStatus};
    use lp_matcher::SpokenLanguage;

    /// One request and five volunteers who all pass every rule for it and answer alike.
    pub(crate) fn world(accept: f64, ignore: f64) -> World {
        let mut world = World::generate(9, 5, 1);
        let spec = world.requests[0].spec.clone();
        let long_ago = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        for volunteer in &mut world.volunteers {
            let profile = &mut volunteer.profile;
            profile.languages = vec![SpokenLanguage {
                code: spec.language,
                proficiency: Proficiency::Native,
                dialect: None,
            }];
            profile.german_level = GermanLevel::C1;
            profile.modes = Mode::ALL.to_vec();
            profile.service_area = spec.town.iter().cloned().collect();
            profile.excluded_settings = Vec::new();
            profile.gender = Some(Gender::Female);
            profile.availability = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .map(|day| WeeklySlot::parse(day, "00:00", "24:00").unwrap())
                .collect();
            profile.absences = Vec::new();
            profile.max_assignments_per_month = None;
            volunteer.timeline = Timeline {
                initial_status: VolunteerStatus::Active,
                status_changes: Vec::new(),
                trainings: vec![long_ago],
                pledge_signed_on: Some(long_ago),
            };
            volunteer.behaviour = Behaviour {
                accept,
                ignore,
                median_delay_minutes: 5.0,
            };
        }
        world
    }

    fn replay(world: &World, strategy: Strategy) -> Outcome {
        simulate(world, strategy, &MatchConfig::default(), 24, &mut || {})
    }

    const CASCADE: Strategy = Strategy::Cascade(CascadeConfig {
        wave_size: 3,
        wave_interval_minutes: 60,
        accept_window_minutes: 0,
    });

    #[test]
    fn willing_first_wave_fills_with_one_wave_of_mails() {
        let world = world(1.0, 0.0);
        let cascade = replay(&world, CASCADE);
        assert_eq!((cascade.filled, cascade.mails, cascade.violations), (1, 3, 0));
        assert!(cascade.minutes_to_fill[0] < 60.0, "{:?}", cascade.minutes_to_fill);
        let broadcast = replay(&world, Strategy::Broadcast);
        assert_eq!((broadcast.filled, broadcast.mails), (1, 5));
    }

    #[test]
    fn every_search_decision_is_the_services_policy() {
        let before = lp_matcher::cascade::steps_on_this_thread();
        let cascade = replay(&world(0.0, 0.0), CASCADE);
        // Filing, then each of the five declines, asks the policy (and unanswered waves would).
        let steps = lp_matcher::cascade::steps_on_this_thread() - before;
        assert!(steps >= 6, "{steps} policy steps for {} mails", cascade.mails);
    }

    #[test]
    fn a_window_gives_the_job_to_the_best_ranked_acceptance_at_its_close() {
        let world = world(1.0, 0.0);
        let config = CascadeConfig {
            accept_window_minutes: 120,
            ..CascadeConfig::default()
        };
        let windowed = replay(&world, Strategy::Cascade(config));
        let first_wins = replay(&world, CASCADE);
        // All three of the first wave accept inside the window; one gets the job.
        assert_eq!((windowed.filled, windowed.in_window, windowed.mails), (1, 3, 3));
        assert_eq!(first_wins.in_window, 0);
        let request = &world.requests[0];
        let day = local_day(request.created_at);
        let pool: Vec<Profile> = world
            .volunteers
            .iter()
            .map(|v| {
                let mut profile = v.profile.clone();
                apply_facts(&mut profile, v.facts_on(day, 24));
                profile
            })
            .collect();
        let best = rank(&request.spec, &pool, request.created_at, &MatchConfig::default()).candidates[0].volunteer_id;
        assert_eq!(pool[windowed.assigned[0].unwrap()].volunteer_id, best);
        // Filled when the window closes, two hours after the first "yes".
        assert!(windowed.minutes_to_fill[0] >= 120.0, "{:?}", windowed.minutes_to_fill);
        assert!(windowed.minutes_to_fill[0] > first_wins.minutes_to_fill[0]);
    }

    #[test]
    fn declines_pass_the_offer_on_until_nobody_is_left() {
        let cascade = replay(&world(0.0, 0.0), CASCADE);
        // Three in the first wave, then one per decline: everyone once, nobody twice.
        assert_eq!((cascade.filled, cascade.mails, cascade.violations), (0, 5, 0));
    }

    #[test]
    fn unanswered_waves_bring_the_next_wave() {
        let cascade = replay(&world(0.0, 1.0), CASCADE);
        assert_eq!((cascade.filled, cascade.mails), (0, 5));
    }

    #[test]
    fn accepting_an_overlapping_second_job_is_refused() {
        // The same appointment twice, filed a minute apart: one volunteer willing for both.
        let mut world = world(1.0, 0.0);
        world.volunteers.truncate(1);
        let mut twin = world.requests[0].clone();
        twin.created_at += Duration::minutes(1);
        world.requests.push(twin);
        let cascade = replay(&world, CASCADE);
        // Both offers go out before either answer comes back; the second acceptance is
        // refused by the re-check, as in the service.
        assert_eq!((cascade.filled, cascade.refused_acceptances, cascade.mails), (1, 1, 2));
        assert_eq!(cascade.violations, 0);
    }
}
