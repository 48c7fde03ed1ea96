//! `linguapool simulate`: replays a synthetic year of interpreting requests against the real
//! matcher ([`lp_matcher::rank`], [`lp_matcher::first_violation`] and the cascade timing of
//! [`lp_matcher::cascade`]) — no HTTP, no SMTP, no database — and compares three strategies:
//!
//! - `broadcast`: mail everyone eligible at once, the first to accept wins (today's practice);
//! - `cascade`: Linguapool's waves of the best-ranked candidates;
//! - `optimum`: the offline maximum number of requests that could be assigned under the same
//!   hard rules (overlaps and monthly maxima included) to volunteers who would say yes in time:
//!   the upper bound for any strategy that asks the same people (see [`optimum`]); its Gini is
//!   that of the most even of its maximum assignments.
//!
//! Broadcast and cascade run on the same year: the same pool, the same requests, and the same
//! answer of each volunteer to each request (see [`generate`]), in one discrete-event
//! simulation each (see [`strategies`] for what it models and what it leaves out).
//!
//! Besides the three strategies the report carries an analysis: the looser bound of a world
//! where every eligible volunteer says yes at once, the number of eligible volunteers per
//! request, and how unequal eligibility itself is, so a missed target can be traced to the
//! pool, to the volunteers' answers, or to the strategy.

pub mod generate;
pub mod optimum;
pub mod progress;
pub mod report;
pub mod strategies;

use generate::{World, YEAR, languages_spoken};
use lp_matcher::MatchConfig;
use lp_matcher::cascade::CascadeConfig;
use optimum::Bound;
use progress::{Progress, ProgressBar};
use report::{
    Analysis, CandidateCounts, RuleCount, ScenarioSummary, Strategies, StrategyReport, Targets, gini, median,
};
use serde::Serialize;
use std::collections::BTreeSet;
use strategies::{Outcome, Strategy};

pub use report::Report;

/// The synthetic year to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub seed: u64,
    pub volunteers: usize,
    pub requests: usize,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            seed: 2026,
            volunteers: 70,
            requests: 1000,
        }
    }
}

/// The year and the pool's policy: the same settings the service runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    pub scenario: Scenario,
    pub matching: MatchConfig,
    pub cascade: CascadeConfig,
    /// How long a training counts (`training.validity_months`).
    pub training_validity_months: u32,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            scenario: Scenario::default(),
            matching: MatchConfig::default(),
            cascade: CascadeConfig::default(),
            training_validity_months: 24,
        }
    }
}

/// Generates the year and runs the three strategies on it.
pub fn run(config: &SimulationConfig) -> Report {
    run_with_progress(config, &mut |_| {})
}

/// [`run`], with a progress bar on stderr if it is a terminal.
pub fn run_in_terminal(config: &SimulationConfig) -> Report {
    let mut bar = ProgressBar::on_stderr();
    let report = run_with_progress(config, &mut |progress| bar.update(progress));
    bar.finish();
    report
}

/// [`run`], telling `progress` how far it is.
pub fn run_with_progress(config: &SimulationConfig, progress: &mut dyn FnMut(Progress)) -> Report {
    let scenario = &config.scenario;
    let world = World::generate(scenario.seed, scenario.volunteers, scenario.requests);
    let requests = world.requests.len();
    let mut ticker = Ticker {
        progress,
        done: 0,
        total: 4 * requests,
    };
    let (matching, validity) = (&config.matching, config.training_validity_months);
    let optimum = optimum::solve(&world, matching, validity, Bound::SameAnswers, &mut || {
        ticker.tick("optimum")
    });
    let everyone = optimum::solve(&world, matching, validity, Bound::EveryoneSaysYes, &mut || {
        ticker.tick("optimum")
    });
    let broadcast = strategies::simulate(&world, Strategy::Broadcast, matching, validity, &mut || {
        ticker.tick("broadcast")
    });
    let cascade = strategies::simulate(
        &world,
        Strategy::Cascade(config.cascade),
        matching,
        validity,
        &mut || ticker.tick("cascade"),
    );

    let eligible: Vec<usize> = (0..world.volunteers.len()).filter(|&v| optimum.eligible[v]).collect();
    let spread = |assigned: &[Option<usize>]| {
        let mut counts = vec![0u32; world.volunteers.len()];
        for &v in assigned.iter().flatten() {
            counts[v] += 1;
        }
        gini(&eligible.iter().map(|&v| counts[v]).collect::<Vec<_>>())
    };
    let replayed = |outcome: &Outcome| StrategyReport {
        fill_rate: rate(outcome.filled, requests),
        mails_per_fill: (outcome.filled > 0).then(|| outcome.mails as f64 / outcome.filled as f64),
        median_minutes_to_fill: median(&outcome.minutes_to_fill),
        gini: spread(&outcome.assigned),
        filled: outcome.filled,
        requests,
        mails: Some(outcome.mails),
        violations: outcome.violations,
        refused_acceptances: Some(outcome.refused_acceptances),
    };
    let strategies = Strategies {
        broadcast: replayed(&broadcast),
        cascade: replayed(&cascade),
        optimum: StrategyReport {
            fill_rate: rate(optimum.filled, requests),
            mails_per_fill: None,
            median_minutes_to_fill: None,
            gini: spread(&optimum.assigned),
            filled: optimum.filled,
            requests,
            mails: None,
            // Every edge of the flow network passed `first_violation`.
            violations: 0,
            refused_acceptances: None,
        },
    };
    // The most even assignment that fills as many requests as the cascade did: how low the
    // cascade's Gini could be at all, with its fill count.
    let fairest = optimum::solve_up_to(
        &world,
        matching,
        validity,
        Bound::SameAnswers,
        cascade.filled as u64,
        &mut || {},
    );
    // The most even assignment of the very requests the cascade filled: how much of the
    // cascade's Gini is the ranking's doing, and how much the choice of requests.
    let cascade_requests: Vec<bool> = cascade.assigned.iter().map(Option::is_some).collect();
    let same_requests = optimum::solve_for(
        &world,
        matching,
        validity,
        Bound::SameAnswers,
        &cascade_requests,
        &mut || {},
    );
    let analysis = Analysis {
        fairest_gini_at_cascade_fill: spread(&fairest.assigned),
        fairest_gini_of_cascade_requests: spread(&same_requests.assigned),
        everyone_says_yes_filled: everyone.filled,
        cascade_fill_vs_everyone_says_yes: (everyone.filled > 0)
            .then(|| cascade.filled as f64 / everyone.filled as f64),
        everyone_says_yes_gini: spread(&everyone.assigned),
        mean_candidates_per_request: if requests == 0 {
            0.0
        } else {
            optimum.candidates.iter().sum::<usize>() as f64 / requests as f64
        },
        requests_by_candidates: CandidateCounts::of(&optimum.candidates),
        eligibility_gini: gini(&eligible.iter().map(|&v| optimum.eligible_for[v]).collect::<Vec<_>>()),
        speakers_excluded_by: optimum
            .speakers_excluded_by
            .iter()
            .map(|(rule, &count)| RuleCount {
                rule: rule.as_str(),
                count,
            })
            .collect(),
    };
    let scenario = ScenarioSummary {
        seed: scenario.seed,
        year: YEAR,
        volunteers: world.volunteers.len(),
        languages: languages_spoken(&world.volunteers),
        eligible_volunteers: eligible.len(),
        requests,
        requested_languages: world
            .requests
            .iter()
            .map(|r| r.spec.language.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        urgent_requests: world.requests.iter().filter(|r| r.urgent).count(),
        requests_with_candidates: optimum.candidates.iter().filter(|&&c| c > 0).count(),
        wave_size: config.cascade.wave_size,
        wave_interval_minutes: config.cascade.wave_interval_minutes,
    };
    Report {
        targets: Targets::of(&strategies),
        strategies,
        scenario,
        analysis,
    }
}

/// Counts steps over the whole run for the progress bar.
struct Ticker<'a> {
    progress: &'a mut dyn FnMut(Progress),
    done: usize,
    total: usize,
}

impl Ticker<'_> {
    fn tick(&mut self, stage: &'static str) {
        self.done += 1;
        (self.progress)(Progress {
            stage,
            done: self.done,
            total: self.total,
        });
    }
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_matcher::Rule;
    use report::TARGET_GINI;

    fn small() -> SimulationConfig {
        SimulationConfig {
            scenario: Scenario {
                seed: 5,
                volunteers: 30,
                requests: 100,
            },
            ..SimulationConfig::default()
        }
    }

    #[test]
    fn small_year_runs_without_violations_and_cascade_stays_under_the_optimum() {
        let started = std::time::Instant::now();
        let report = run(&small());
        // Generous for debug builds on a shared machine; the point is "not minutes".
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let s = &report.strategies;
        assert_eq!(
            (s.broadcast.violations, s.cascade.violations, s.optimum.violations),
            (0, 0, 0)
        );
        assert!(
            s.cascade.filled <= s.optimum.filled,
            "{} > {}",
            s.cascade.filled,
            s.optimum.filled
        );
        assert!(s.broadcast.filled <= s.optimum.filled);
        assert!(s.cascade.filled > 0);
        assert_eq!(s.cascade.requests, 100);
        // The cascade mails a few, broadcast everyone eligible.
        assert!(s.cascade.mails <= s.broadcast.mails);
    }

    /// The targets on the default year, as far as they can be met; the two that cannot
    /// are held at today's figures, with the reason asserted beside them (see the README's
    /// `simulate` section). A few seconds in a debug build.
    #[test]
    fn default_year_meets_the_reachable_targets() {
        let report = run(&SimulationConfig::default());
        let (s, t, a) = (&report.strategies, &report.targets, &report.analysis);
        assert!(t.violations.met && t.cascade_mails_per_fill.met, "{}", report.table());
        assert!(s.cascade.filled <= s.optimum.filled && s.broadcast.filled <= s.optimum.filled);
        // Fill: 95.1 % of the optimum (target 97 %). The optimum may move work between
        // volunteers knowing the whole year; the misses are requests whose one willing
        // volunteer the cascade had given an earlier job that week or at that hour.
        let share = t.cascade_fill_vs_optimum.value.unwrap();
        assert!(
            share >= 0.95,
            "cascade fill fell to {share:.3} of the optimum\n{}",
            report.table()
        );
        // Gini: 0.504 (target 0.3). No assignment of as many requests to volunteers who would
        // say yes is more even than 0.354, nor of the very requests the cascade filled than
        // 0.367, so the target is out of reach in this town; the cascade must not drift
        // further from that.
        assert!(a.fairest_gini_at_cascade_fill > TARGET_GINI);
        assert!(a.fairest_gini_of_cascade_requests > TARGET_GINI);
        assert!(
            s.cascade.gini <= 0.51,
            "cascade gini rose to {:.3}\n{}",
            s.cascade.gini,
            report.table()
        );
    }

    #[test]
    fn the_same_config_gives_the_same_report() {
        let a = run(&small());
        let b = run(&small());
        assert_eq!(a.to_json(), b.to_json());
    }

    #[test]
    fn json_has_the_three_strategies_with_their_metrics() {
        let json: serde_json::Value = serde_json::from_str(&run(&small()).to_json()).unwrap();
        for strategy in ["broadcast", "cascade", "optimum"] {
            let row = &json["strategies"][strategy];
            for field in [
                "fill_rate",
                "mails_per_fill",
                "median_minutes_to_fill",
                "gini",
                "filled",
                "requests",
                "mails",
                "violations",
            ] {
                assert!(row.get(field).is_some(), "{strategy}.{field}");
            }
        }
        assert!(json["strategies"]["optimum"]["mails"].is_null());
        let fairest = json["analysis"]["fairest_gini_of_cascade_requests"].as_f64().unwrap();
        assert!((0.0..1.0).contains(&fairest), "{fairest}");
        // Speakers of the language excluded by another rule: never by language or status,
        // which make someone not a speaker, and in the order the rules are checked.
        let excluded = json["analysis"]["speakers_excluded_by"].as_array().unwrap();
        assert!(!excluded.is_empty());
        let rules: Vec<&str> = excluded.iter().map(|r| r["rule"].as_str().unwrap()).collect();
        assert!(
            !rules.contains(&"language") && !rules.contains(&"not_active"),
            "{rules:?}"
        );
        let order: Vec<&str> = Rule::ALL
            .iter()
            .map(|r| r.as_str())
            .filter(|r| rules.contains(r))
            .collect();
        assert_eq!(rules, order);
        assert_eq!(json["scenario"]["volunteers"], 30);
    }

    #[test]
    fn empty_year_reports_zeros_not_nan() {
        let config = SimulationConfig {
            scenario: Scenario {
                seed: 1,
                volunteers: 0,
                requests: 0,
            },
            ..SimulationConfig::default()
        };
        let report = run(&config);
        assert_eq!(report.strategies.cascade.fill_rate, 0.0);
        assert!(report.to_json().contains("\"fill_rate\": 0.0"));
        assert!(report.table().contains("cascade"));
    }
}
