//! The offer cascade's policy: who is asked next, how many at once, when the search looks
//! again, and when it gives up. One pure function, [`next_step`], that the service's cascade
//! step executes against the database and `simulate` against its model of a town, so the
//! simulator's figures are about the service's own behaviour.

use chrono::{DateTime, Duration, Utc};
use lp_core::vocab::OfferState;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::HashSet;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CascadeConfig {
    /// Offers per wave.
    pub wave_size: u32,
    /// Wait for an answer before the next wave, when the deadline is far.
    pub wave_interval_minutes: u32,
    /// Acceptances arriving this long after the first are collected and the best-ranked of
    /// them gets the job (see [`window_closes_at`], [`window_winner`]); 0: the first wins.
    #[serde(default)]
    pub accept_window_minutes: u32,
}

impl Default for CascadeConfig {
    fn default() -> Self {
        Self {
            wave_size: 3,
            wave_interval_minutes: 60,
            accept_window_minutes: 0,
        }
    }
}

/// When no `fill_by` is given, the search ends this long before the appointment.
const DEFAULT_FILL_BY_LEAD: Duration = Duration::hours(2);

/// The search's deadline when the caseworker names none: two hours before the appointment,
/// but never before half-way from filing to the appointment, so a short-notice request still
/// gets a search.
pub fn default_fill_by(filed_at: DateTime<Utc>, starts_at: DateTime<Utc>) -> DateTime<Utc> {
    (starts_at - DEFAULT_FILL_BY_LEAD).max(filed_at + (starts_at - filed_at) / 2)
}

/// Never wait less than this for an answer: people need a moment to read a mail.
pub const MIN_WAVE_INTERVAL: Duration = Duration::minutes(5);

/// The waves left before the deadline should be at least this many, so a request that comes
/// in late still reaches several groups of candidates.
const WAVES_BEFORE_DEADLINE: i32 = 4;

/// How long to wait for an answer to the wave sent at `now`: the configured interval, shrunk
/// so that at least four waves fit before `fill_by`, but never under five minutes.
pub fn wave_interval(now: DateTime<Utc>, fill_by: DateTime<Utc>, config: &CascadeConfig) -> Duration {
    let configured = Duration::minutes(i64::from(config.wave_interval_minutes.max(1)));
    let left = fill_by - now;
    (left / WAVES_BEFORE_DEADLINE).clamp(MIN_WAVE_INTERVAL, configured.max(MIN_WAVE_INTERVAL))
}

/// Offers in a wave. Constant: a shorter interval, not a bigger wave, answers urgency, so
/// volunteers are not mailed for jobs others have long taken. A `wave_size` of `u32::MAX`
/// asks everyone at once (what `simulate` calls broadcast, today's practice).
pub fn wave_size(config: &CascadeConfig) -> usize {
    config.wave_size.max(1) as usize
}

/// What brought the search to this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// The request was just filed.
    Filed,
    /// The wave interval passed without an acceptance.
    WaveDue,
    /// A volunteer declined: the offer passes on to one more candidate at once.
    Declined,
    /// The assigned volunteer gave the job back: the search starts again with a full wave.
    GivenBack,
}

/// An offer already made for the request, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlierOffer {
    pub volunteer_id: Uuid,
    pub state: OfferState,
    /// This volunteer accepted and then gave the job back.
    pub gave_back: bool,
    pub expires_at: DateTime<Utc>,
}

impl EarlierOffer {
    /// Withdrawn only because someone else took the job, who has since given it back: such a
    /// volunteer may be asked again. Everyone else is asked at most once per request.
    fn askable_again(&self) -> bool {
        self.state == OfferState::Withdrawn && !self.gave_back
    }

    /// Sent, unanswered, and its link still works.
    fn outstanding(&self, now: DateTime<Utc>) -> bool {
        self.state == OfferState::Sent && self.expires_at > now
    }
}

/// What the search does now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send offers to these volunteers, best-ranked first, and look again at `next_wave_at`.
    Offer { to: Vec<Uuid>, next_wave_at: DateTime<Utc> },
    /// Nobody new to ask, but offers are still out (and volunteers may join or come back
    /// from an absence): look again at `next_wave_at`.
    Wait { next_wave_at: DateTime<Utc> },
    /// Nobody left to ask and nothing out: the request is unfilled.
    Unfilled,
}

thread_local! {
    static STEPS_ON_THIS_THREAD: Cell<u64> = const { Cell::new(0) };
}

/// How often this thread has called [`next_step`]. The service's and the simulator's tests
/// read it to prove they take their decisions here, not from a copy of their own.
pub fn steps_on_this_thread() -> u64 {
    STEPS_ON_THIS_THREAD.with(Cell::get)
}

/// The cascade's decision. `ranked` are the request's candidates, best first, as the matcher
/// ranked them at `now`; `earlier` are the offers already made for the request.
pub fn next_step(
    occasion: Occasion,
    ranked: impl IntoIterator<Item = Uuid>,
    earlier: &[EarlierOffer],
    fill_by: DateTime<Utc>,
    now: DateTime<Utc>,
    config: &CascadeConfig,
) -> Step {
    STEPS_ON_THIS_THREAD.with(|steps| steps.set(steps.get() + 1));
    // Past the deadline nobody is asked any more (an offer then could not be accepted): a
    // job given back that late is unfilled at once, so the caseworker hears of it.
    if now >= fill_by {
        return Step::Unfilled;
    }
    let how_many = match occasion {
        Occasion::Declined => 1,
        Occasion::Filed | Occasion::WaveDue | Occasion::GivenBack => wave_size(config),
    };
    let asked: HashSet<Uuid> = earlier
        .iter()
        .filter(|offer| !offer.askable_again())
        .map(|offer| offer.volunteer_id)
        .collect();
    let to: Vec<Uuid> = ranked
        .into_iter()
        .filter(|id| !asked.contains(id))
        .take(how_many)
        .collect();
    if to.is_empty() && !earlier.iter().any(|offer| offer.outstanding(now)) {
        return Step::Unfilled;
    }
    // While the request is open the search looks again after the wave interval: answers may
    // not come, and volunteers joining or coming back from absence become candidates.
    let next_wave_at = now + wave_interval(now, fill_by, config);
    if to.is_empty() {
        Step::Wait { next_wave_at }
    } else {
        Step::Offer { to, next_wave_at }
    }
}

/// When the acceptance window opened by the first acceptance at `first_accepted_at` closes:
/// `accept_window_minutes` later, but never past `fill_by` (nor before the acceptance itself).
/// `None` when windows are off: the first acceptance wins at once, as before.
pub fn window_closes_at(
    first_accepted_at: DateTime<Utc>,
    fill_by: DateTime<Utc>,
    config: &CascadeConfig,
) -> Option<DateTime<Utc>> {
    (config.accept_window_minutes > 0).then(|| {
        let window = Duration::minutes(i64::from(config.accept_window_minutes));
        (first_accepted_at + window).min(fill_by).max(first_accepted_at)
    })
}

/// Who gets the job when the window closes: of the volunteers who accepted in it
/// (`accepted`), the first in `ranked` (the request's candidates, best first, as the matcher
/// ranks them at the close: fairness and scarcity included) who `still_qualifies` (the hard
/// rules re-checked at the close: `first_violation` on their calendar then). An acceptance of
/// someone the ranking no longer holds does not win. `None`: nobody qualifies any more, and
/// the search goes on.
pub fn window_winner(
    ranked: impl IntoIterator<Item = Uuid>,
    accepted: &[Uuid],
    mut still_qualifies: impl FnMut(Uuid) -> bool,
) -> Option<Uuid> {
    ranked
        .into_iter()
        .filter(|id| accepted.contains(id))
        .find(|&id| still_qualifies(id))
}

/// Whom a series' offer goes to first: `ranked` (the first date's candidates, best first)
/// ordered by how many of the later dates each may take (`later`: each date's candidates),
/// the ranking deciding among equals. The offer is for the series, so the one who can take
/// every date is asked before one who could take only the first.
pub fn series_order(ranked: impl IntoIterator<Item = Uuid>, later: &[HashSet<Uuid>]) -> Vec<Uuid> {
    let mut order: Vec<(usize, Uuid)> = ranked
        .into_iter()
        .map(|id| (later.iter().filter(|date| date.contains(&id)).count(), id))
        .collect();
    // Stable: equals keep the ranking's order.
    order.sort_by_key(|&(dates, _)| std::cmp::Reverse(dates));
    order.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn offer(n: u128, state: OfferState) -> EarlierOffer {
        EarlierOffer {
            volunteer_id: id(n),
            state,
            gave_back: false,
            expires_at: at("2026-11-23T10:00:00Z"),
        }
    }

    fn step(occasion: Occasion, ranked: &[u128], earlier: &[EarlierOffer]) -> Step {
        next_step(
            occasion,
            ranked.iter().copied().map(id),
            earlier,
            at("2026-11-22T10:00:00Z"),
            at("2026-11-21T10:00:00Z"),
            &CascadeConfig::default(),
        )
    }

    fn offered(ids: &[u128]) -> Step {
        Step::Offer {
            to: ids.iter().copied().map(id).collect(),
            next_wave_at: at("2026-11-21T11:00:00Z"),
        }
    }

    #[test]
    fn a_new_request_asks_a_wave_of_the_best_ranked() {
        let before = steps_on_this_thread();
        assert_eq!(step(Occasion::Filed, &[5, 3, 9, 1], &[]), offered(&[5, 3, 9]));
        assert_eq!(steps_on_this_thread(), before + 1);
    }

    #[test]
    fn a_series_is_offered_first_to_who_can_take_most_of_its_dates() {
        let later = [
            HashSet::from([id(3), id(9)]),
            HashSet::from([id(3)]),
            HashSet::from([id(3), id(1)]),
        ];
        assert_eq!(
            series_order([id(5), id(9), id(1), id(3)], &later),
            [id(3), id(9), id(1), id(5)]
        );
        assert_eq!(
            series_order([id(5), id(7)], &later),
            [id(5), id(7)],
            "equals keep the ranking"
        );
    }

    #[test]
    fn past_the_deadline_nobody_is_asked_and_the_search_ends() {
        let late = next_step(
            Occasion::GivenBack,
            [id(5)],
            &[],
            at("2026-11-22T10:00:00Z"),
            at("2026-11-22T10:00:00Z"),
            &CascadeConfig::default(),
        );
        assert_eq!(late, Step::Unfilled);
    }

    #[test]
    fn a_decline_passes_the_offer_to_one_more_and_nobody_twice() {
        let earlier = [
            offer(5, OfferState::Declined),
            offer(3, OfferState::Sent),
            offer(9, OfferState::Expired),
        ];
        assert_eq!(step(Occasion::Declined, &[5, 3, 9, 1, 2], &earlier), offered(&[1]));
    }

    #[test]
    fn nobody_new_with_offers_out_waits_and_without_them_gives_up() {
        let out = [offer(5, OfferState::Sent)];
        assert_eq!(
            step(Occasion::WaveDue, &[5], &out),
            Step::Wait {
                next_wave_at: at("2026-11-21T11:00:00Z")
            }
        );
        let answered = [offer(5, OfferState::Declined)];
        assert_eq!(step(Occasion::Declined, &[5], &answered), Step::Unfilled);
        // An offer whose link lapsed is not out any more.
        let mut lapsed = offer(5, OfferState::Sent);
        lapsed.expires_at = at("2026-11-21T09:00:00Z");
        assert_eq!(step(Occasion::WaveDue, &[5], &[lapsed]), Step::Unfilled);
    }

    #[test]
    fn after_a_give_back_those_withdrawn_for_the_filler_are_asked_again_but_not_the_giver() {
        let mut giver = offer(5, OfferState::Withdrawn);
        giver.gave_back = true;
        let earlier = [giver, offer(3, OfferState::Withdrawn), offer(9, OfferState::Declined)];
        assert_eq!(step(Occasion::GivenBack, &[5, 3, 9, 1], &earlier), offered(&[3, 1]));
    }

    #[test]
    fn a_window_closes_after_its_minutes_but_never_past_the_deadline() {
        let config = CascadeConfig {
            accept_window_minutes: 20,
            ..CascadeConfig::default()
        };
        let fill_by = at("2026-11-21T12:00:00Z");
        assert_eq!(
            window_closes_at(at("2026-11-21T10:00:00Z"), fill_by, &config),
            Some(at("2026-11-21T10:20:00Z"))
        );
        assert_eq!(
            window_closes_at(at("2026-11-21T11:50:00Z"), fill_by, &config),
            Some(fill_by)
        );
        // Off: the first acceptance wins at once.
        assert_eq!(
            window_closes_at(at("2026-11-21T10:00:00Z"), fill_by, &CascadeConfig::default()),
            None
        );
    }

    #[test]
    fn the_best_ranked_acceptance_that_still_qualifies_wins_the_window() {
        let ranked = [id(5), id(3), id(9), id(1)];
        // Accepted in this order: the answer's speed does not count, the ranking does.
        let accepted = [id(1), id(9), id(3)];
        assert_eq!(window_winner(ranked, &accepted, |_| true), Some(id(3)));
        // The best-ranked took another job at that time meanwhile: the next one wins.
        assert_eq!(window_winner(ranked, &accepted, |v| v != id(3)), Some(id(9)));
        // Someone the ranking no longer holds (a rule excludes them now) never wins.
        assert_eq!(window_winner([id(5)], &[id(1)], |_| true), None);
        assert_eq!(window_winner(ranked, &accepted, |_| false), None);
    }

    #[test]
    fn far_deadline_waits_the_configured_interval() {
        let config = CascadeConfig::default();
        let interval = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-12-01T10:00:00Z"), &config);
        assert_eq!(interval, Duration::minutes(60));
    }

    #[test]
    fn interval_shrinks_as_the_deadline_nears() {
        let config = CascadeConfig::default();
        let interval = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-11-21T12:00:00Z"), &config);
        assert_eq!(interval, Duration::minutes(30));
    }

    #[test]
    fn interval_never_drops_under_five_minutes() {
        let config = CascadeConfig::default();
        let interval = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-11-21T10:08:00Z"), &config);
        assert_eq!(interval, MIN_WAVE_INTERVAL);
        let past = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-11-21T09:00:00Z"), &config);
        assert_eq!(past, MIN_WAVE_INTERVAL);
    }
}
