//! What `simulate` prints: one row per strategy, the scenario, and the targets.

use serde::Serialize;
use std::fmt::Write as _;

/// The targets (issue 14): against what is reachable, not absolute numbers.
pub const TARGET_SHARE_OF_OPTIMUM: f64 = 0.97;
pub const TARGET_MAILS_PER_FILL: f64 = 3.0;
/// The cascade's Gini over that of the most even assignment of the very requests it filled.
pub const TARGET_GINI_ABOVE_FAIREST: f64 = 0.04;
pub const TARGET_MEDIAN_MINUTES: f64 = 45.0;
/// The absolute Gini target of issue 3, which no strategy reaches in these towns.
pub const TARGET_GINI: f64 = 0.3;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub strategies: Strategies,
    pub scenario: ScenarioSummary,
    /// The cascade against the targets.
    pub targets: Targets,
    /// Where the gap between the optimum and the strategies comes from.
    pub analysis: Analysis,
}

/// Where the gap between the strategies and the optimum, and the work's inequality, come from:
/// the pool's eligibility, the volunteers' answers, or the strategy.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The maximum assignment if every eligible volunteer said yes at once and overlaps did
    /// not count (the optimum of the first measurement): a looser bound, which no strategy that
    /// must ask people can reach.
    pub everyone_says_yes_filled: usize,
    /// Cascade's filled requests over that looser bound.
    pub cascade_fill_vs_everyone_says_yes: Option<f64>,
    /// The Gini of the most even maximum assignment of that looser bound: how evenly the work
    /// could be spread if answers did not matter.
    pub everyone_says_yes_gini: f64,
    /// The least Gini of any assignment under the optimum's rules that fills as many requests
    /// as the cascade did: no strategy asking the same volunteers can spread that much work
    /// more evenly.
    pub fairest_gini_at_cascade_fill: f64,
    /// The least Gini of any assignment under the optimum's rules of exactly the requests the
    /// cascade filled. Between this and `fairest_gini_at_cascade_fill` lies the choice of
    /// requests: the fairest assignment of as many may leave a request that only a busy
    /// volunteer could take unfilled and fill another, which a strategy that tries to fill
    /// every request will not do.
    pub fairest_gini_of_cascade_requests: f64,
    /// Mean number of eligible volunteers per request (hard rules, no other assignments).
    pub mean_candidates_per_request: f64,
    /// Requests by their number of eligible volunteers: none, one, two, three or more.
    pub requests_by_candidates: CandidateCounts,
    /// Gini coefficient of the number of requests each volunteer (of the Gini's population)
    /// is eligible for: how unequal the work is before anyone is asked. A volunteer whose
    /// language is rarely requested, or who is free one morning a week, cannot get as many
    /// assignments as an Arabic speaker free all week, whatever the ranking does.
    pub eligibility_gini: f64,
    /// Active speakers of a request's language who break another hard rule, summed over the
    /// year's requests, by the first rule they break, in the order the rules are checked.
    pub speakers_excluded_by: Vec<RuleCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    /// As in the candidates answer's `excluded[].rule`.
    pub rule: &'static str,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateCounts {
    pub none: usize,
    pub one: usize,
    pub two: usize,
    pub three_or_more: usize,
}

impl CandidateCounts {
    pub fn of(candidates: &[usize]) -> Self {
        let count = |f: &dyn Fn(usize) -> bool| candidates.iter().filter(|&&c| f(c)).count();
        CandidateCounts {
            none: count(&|c| c == 0),
            one: count(&|c| c == 1),
            two: count(&|c| c == 2),
            three_or_more: count(&|c| c >= 3),
        }
    }
}

/// The rows in order: broadcast, the cascade before issue 14, the configured cascade, its
/// variants, the optimum. Written as one JSON object keyed by name, in that order.
#[derive(Debug, Clone)]
pub struct Strategies(pub Vec<StrategyReport>);

impl Strategies {
    /// The row of that name.
    pub fn get(&self, name: &str) -> Option<&StrategyReport> {
        self.0.iter().find(|row| row.name == name)
    }

    pub fn broadcast(&self) -> &StrategyReport {
        self.get("broadcast").expect("a broadcast row")
    }

    /// The cascade as configured.
    pub fn cascade(&self) -> &StrategyReport {
        self.get("cascade").expect("a cascade row")
    }

    pub fn optimum(&self) -> &StrategyReport {
        self.get("optimum").expect("an optimum row")
    }
}

impl Serialize for Strategies {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for row in &self.0 {
            map.serialize_entry(&row.name, row)?;
        }
        map.end()
    }
}

/// One strategy's year. Fields that make no sense for the offline optimum (it sends no mail
/// and has no clock) are `null` there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyReport {
    /// `broadcast`, `cascade_before` (issue 3's cascade), `cascade` (as configured),
    /// `cascade_window_N`, further variants, `optimum`.
    pub name: String,
    /// `filled / requests`.
    pub fill_rate: f64,
    /// `filled` over the optimum's.
    pub fill_vs_optimum: Option<f64>,
    /// Offer mails sent over the year per filled request.
    pub mails_per_fill: Option<f64>,
    /// From filing the request to the winning acceptance, over filled requests.
    pub median_minutes_to_fill: Option<f64>,
    /// Gini coefficient of the assignment counts over the volunteers who were eligible for at
    /// least one request of the year (the same set for every strategy): 0 when all of them got
    /// equally many, (n−1)/n when one got all.
    pub gini: f64,
    /// The Gini of the most even assignment of exactly the requests this strategy filled, to
    /// volunteers who would say yes (`fairest_gini_of_cascade_requests` for each strategy).
    pub fairest_gini_of_own_requests: f64,
    /// `gini − fairest_gini_of_own_requests`: how much less even than reachable.
    pub gini_above_fairest: f64,
    pub filled: usize,
    pub requests: usize,
    pub mails: Option<u64>,
    /// Offers that broke a hard rule when sent, plus assignments that break one against the
    /// volunteer's final calendar. Must be zero.
    pub violations: u64,
    /// Acceptances the re-check refused (the volunteer took another job at that time, or
    /// reached the monthly maximum, after the offer went out).
    pub refused_acceptances: Option<u64>,
    /// Acceptances collected in acceptance windows (winners included).
    pub accepted_in_window: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSummary {
    pub town: crate::generate::Town,
    pub seed: u64,
    pub year: i32,
    pub volunteers: usize,
    /// Distinct languages the pool speaks at working level or better.
    pub languages: usize,
    /// Volunteers the hard rules allow for at least one request (the Gini's population).
    pub eligible_volunteers: usize,
    pub requests: usize,
    pub requested_languages: usize,
    pub urgent_requests: usize,
    /// Requests with at least one volunteer the hard rules allow (ignoring other assignments).
    pub requests_with_candidates: usize,
    pub wave_size: u32,
    pub wave_interval_minutes: u32,
    pub accept_window_minutes: u32,
    pub scarcity_weight: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    /// The configured cascade's filled requests over the optimum's.
    pub cascade_fill_vs_optimum: Target,
    /// The configured cascade's Gini over the fairest of its own requests.
    pub cascade_gini_above_fairest: Target,
    pub cascade_mails_per_fill: Target,
    pub cascade_median_minutes_to_fill: Target,
    /// Of the configured cascade.
    pub violations: Target,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub value: Option<f64>,
    pub target: &'static str,
    pub met: bool,
}

impl Targets {
    pub fn of(cascade: &StrategyReport) -> Self {
        let share = cascade.fill_vs_optimum;
        Targets {
            cascade_fill_vs_optimum: Target {
                value: share,
                target: ">= 0.97",
                // Nothing to fill at all is not a miss.
                met: share.is_none_or(|s| s >= TARGET_SHARE_OF_OPTIMUM),
            },
            cascade_gini_above_fairest: Target {
                value: Some(cascade.gini_above_fairest),
                target: "<= 0.04",
                met: cascade.gini_above_fairest <= TARGET_GINI_ABOVE_FAIREST,
            },
            cascade_mails_per_fill: Target {
                value: cascade.mails_per_fill,
                target: "<= 3",
                met: cascade.mails_per_fill.is_none_or(|m| m <= TARGET_MAILS_PER_FILL),
            },
            cascade_median_minutes_to_fill: Target {
                value: cascade.median_minutes_to_fill,
                target: "<= 45",
                met: cascade
                    .median_minutes_to_fill
                    .is_none_or(|m| m <= TARGET_MEDIAN_MINUTES),
            },
            violations: Target {
                value: Some(cascade.violations as f64),
                target: "0",
                met: cascade.violations == 0,
            },
        }
    }
}

/// How unevenly a year's assignments spread: the [`gini`] of the jobs each volunteer got,
/// over the volunteers the hard rules allow for at least one request (`eligible`, by index).
pub fn assignment_gini(eligible: &[bool], assigned: &[Option<usize>]) -> f64 {
    let mut counts = vec![0u32; eligible.len()];
    for &v in assigned.iter().flatten() {
        counts[v] += 1;
    }
    let eligible_counts: Vec<u32> = (0..eligible.len())
        .filter(|&v| eligible[v])
        .map(|v| counts[v])
        .collect();
    gini(&eligible_counts)
}

/// Gini coefficient of non-negative counts: the mean absolute difference between all pairs
/// over twice the mean. 0 for no counts or all zero.
pub fn gini(counts: &[u32]) -> f64 {
    let n = counts.len();
    let total: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    if n == 0 || total == 0.0 {
        return 0.0;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    // With x sorted ascending and i from 1: G = 2·Σ i·xᵢ / (n·Σ x) − (n+1)/n.
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, &c)| (i + 1) as f64 * f64::from(c))
        .sum();
    let n = n as f64;
    (2.0 * weighted / (n * total) - (n + 1.0) / n).max(0.0)
}

/// The median, `None` for no values.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

impl Report {
    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serializes")
    }

    /// The report as a table for a terminal.
    pub fn table(&self) -> String {
        let s = &self.scenario;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Simulated year {} of the {} town (seed {}): {} volunteers in {} languages, {} of them eligible for at least one request",
            s.year,
            s.town.as_str(),
            s.seed,
            s.volunteers,
            s.languages,
            s.eligible_volunteers
        );
        let _ = writeln!(
            out,
            "{} requests in {} languages ({} urgent), {} with at least one eligible volunteer; cascade waves of {} every {} min, acceptance window {} min, scarcity weight {}",
            s.requests,
            s.requested_languages,
            s.urgent_requests,
            s.requests_with_candidates,
            s.wave_size,
            s.wave_interval_minutes,
            s.accept_window_minutes,
            s.scarcity_weight
        );
        let _ = writeln!(out);
        out.push_str(&self.strategy_table());
        let _ = writeln!(out);
        let t = &self.targets;
        let _ = writeln!(out, "targets for the configured cascade:");
        let lines = [
            (
                "fill vs optimum",
                &t.cascade_fill_vs_optimum,
                t.cascade_fill_vs_optimum.value.map(|v| format!("{:.1}%", 100.0 * v)),
                ">= 97%",
            ),
            (
                "gini - fairest",
                &t.cascade_gini_above_fairest,
                t.cascade_gini_above_fairest.value.map(|v| format!("{v:.3}")),
                "<= 0.04",
            ),
            (
                "mails per fill",
                &t.cascade_mails_per_fill,
                t.cascade_mails_per_fill.value.map(|v| format!("{v:.2}")),
                "<= 3",
            ),
            (
                "median minutes",
                &t.cascade_median_minutes_to_fill,
                t.cascade_median_minutes_to_fill.value.map(|v| format!("{v:.0}")),
                "<= 45",
            ),
            (
                "violations",
                &t.violations,
                t.violations.value.map(|v| format!("{v:.0}")),
                "0",
            ),
        ];
        for (name, target, value, wanted) in lines {
            let verdict = if target.met { "met" } else { "MISSED" };
            let _ = writeln!(out, "  {name:<16} {:>8}  (target {wanted:<7}) {verdict}", dash(value));
        }
        let a = &self.analysis;
        let c = &a.requests_by_candidates;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "eligible volunteers per request: mean {:.1}; none {}, one {}, two {}, three or more {}",
            a.mean_candidates_per_request, c.none, c.one, c.two, c.three_or_more
        );
        let _ = writeln!(
            out,
            "if every eligible volunteer said yes at once (overlaps ignored): {} filled (gini {:.3}); cascade reaches {} of it",
            a.everyone_says_yes_filled,
            a.everyone_says_yes_gini,
            dash(
                a.cascade_fill_vs_everyone_says_yes
                    .map(|v| format!("{:.1}%", 100.0 * v))
            )
        );
        let _ = writeln!(
            out,
            "most even assignment of as many requests as the cascade filled ({}): gini {:.3}",
            self.strategies.cascade().filled,
            a.fairest_gini_at_cascade_fill
        );
        let _ = writeln!(
            out,
            "gini of the requests each volunteer is eligible for (before anyone is asked): {:.3}",
            a.eligibility_gini
        );
        let excluded: Vec<String> = a
            .speakers_excluded_by
            .iter()
            .map(|r| format!("{} {}", r.rule, r.count))
            .collect();
        let speakers_excluded: u32 = a.speakers_excluded_by.iter().map(|r| r.count).sum();
        let _ = writeln!(
            out,
            "active speakers of the language per request: mean {:.1}; excluded by another rule, by the first one broken (over the year): {}",
            a.mean_candidates_per_request + f64::from(speakers_excluded) / (s.requests.max(1) as f64),
            if excluded.is_empty() {
                "none".to_owned()
            } else {
                excluded.join(", ")
            }
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "optimum: offline upper bound for any strategy asking the same volunteers: max-flow under the hard rules, overlaps and monthly maxima, over volunteers who would say yes (given that week's load) in time for the deadline."
        );
        let _ = writeln!(
            out,
            "gini: of assignment counts over the {} volunteers eligible for at least one request; fairest: the most even assignment of the very requests the row filled.",
            s.eligible_volunteers
        );
        out
    }

    /// One line per strategy with the figures.
    pub fn strategy_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<20} {:>7} {:>8} {:>7} {:>7} {:>6} {:>10} {:>6} {:>10} {:>7}",
            "strategy", "filled", "of opt.", "gini", "fairest", "gap", "mails/fill", "median", "violations", "refused"
        );
        for row in &self.strategies.0 {
            let _ = writeln!(
                out,
                "{:<20} {:>7} {:>8} {:>7.3} {:>7.3} {:>6.3} {:>10} {:>6} {:>10} {:>7}",
                row.name,
                row.filled,
                dash(row.fill_vs_optimum.map(|v| format!("{:.1}%", 100.0 * v))),
                row.gini,
                row.fairest_gini_of_own_requests,
                row.gini_above_fairest,
                dash(row.mails_per_fill.map(|m| format!("{m:.2}"))),
                dash(row.median_minutes_to_fill.map(|m| format!("{m:.0}"))),
                row.violations,
                dash(row.refused_acceptances.map(|r| r.to_string())),
            );
        }
        out
    }
}

fn dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "-".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_equal_counts_is_zero() {
        assert_eq!(gini(&[4, 4, 4, 4, 4]), 0.0);
        assert_eq!(gini(&[0, 0, 0]), 0.0);
        assert_eq!(gini(&[]), 0.0);
    }

    #[test]
    fn gini_of_one_taking_all_is_n_minus_one_over_n() {
        for n in 1..=10u32 {
            let mut counts = vec![0; n as usize];
            counts[(n / 2) as usize] = 17;
            let expected = f64::from(n - 1) / f64::from(n);
            assert!((gini(&counts) - expected).abs() < 1e-12, "n={n}: {}", gini(&counts));
        }
    }

    #[test]
    fn gini_matches_the_mean_absolute_difference_definition() {
        let counts = [0, 1, 3, 3, 7, 12];
        let n = counts.len() as f64;
        let mean = counts.iter().sum::<u32>() as f64 / n;
        let pairs: f64 = counts
            .iter()
            .flat_map(|&a| counts.iter().map(move |&b| (f64::from(a) - f64::from(b)).abs()))
            .sum();
        let expected = pairs / (2.0 * n * n * mean);
        assert!((gini(&counts) - expected).abs() < 1e-12);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 10.0]), Some(3.5));
    }
}
