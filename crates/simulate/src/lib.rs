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

use generate::{Town, World, YEAR, languages_spoken};
use lp_matcher::cascade::CascadeConfig;
use lp_matcher::{MatchConfig, ScoreWeights};
use optimum::Bound;
use progress::{Progress, ProgressBar};
use report::{
    Analysis, CandidateCounts, RuleCount, ScenarioSummary, Strategies, StrategyReport, Targets, gini, median,
};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use strategies::{Outcome, Strategy};

pub use report::Report;

/// The synthetic year to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub town: Town,
    pub seed: u64,
    pub volunteers: usize,
    pub requests: usize,
}

impl Scenario {
    /// The town's own year: its pool size and requests.
    pub fn of(town: Town, seed: u64) -> Self {
        Self {
            town,
            seed,
            volunteers: town.volunteers(),
            requests: town.requests(),
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::of(Town::Default, 2026)
    }
}

/// The acceptance window the measurements found best (README, `simulate`): shown beside the
/// configured cascade while the shipped default keeps windows off.
pub const MEASURED_BEST_WINDOW_MINUTES: u32 = 10;

/// The cascade as it was before scarcity and windows (issue 3): the weights then, waves of
/// three every hour, the first "yes" wins.
pub fn cascade_before() -> (ScoreWeights, CascadeConfig) {
    let weights = ScoreWeights {
        language: 3.0,
        continuity: 2.0,
        fairness: 2.0,
        reliability: 1.0,
        gender: 1.0,
        experience: 1.0,
        scarcity: 0.0,
    };
    let cascade = CascadeConfig {
        wave_size: 3,
        wave_interval_minutes: 60,
        accept_window_minutes: 0,
    };
    (weights, cascade)
}

/// The year and the pool's policy: the same settings the service runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    pub scenario: Scenario,
    pub matching: MatchConfig,
    pub cascade: CascadeConfig,
    /// How long a training counts (`training.validity_months`).
    pub training_validity_months: u32,
    /// Further cascades to replay beside the standard rows, each with its name.
    pub variants: Vec<Variant>,
}

/// A strategy to replay: its row's name, the ranking's settings and the cascade's.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub matching: MatchConfig,
    pub strategy: Strategy,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            scenario: Scenario::default(),
            matching: MatchConfig::default(),
            cascade: CascadeConfig::default(),
            training_validity_months: 24,
            variants: Vec::new(),
        }
    }
}

impl SimulationConfig {
    /// The rows replayed: broadcast, the cascade before this issue, the configured cascade,
    /// the configured cascade with the measured best window while windows are off, then the
    /// extra variants.
    pub fn rows(&self) -> Vec<Variant> {
        let (weights, before) = cascade_before();
        let mut rows = vec![
            Variant {
                name: "broadcast".to_owned(),
                matching: self.matching.clone(),
                strategy: Strategy::Broadcast,
            },
            Variant {
                name: "cascade_before".to_owned(),
                matching: MatchConfig {
                    weights,
                    ..self.matching.clone()
                },
                strategy: Strategy::Cascade(before),
            },
            Variant {
                name: "cascade".to_owned(),
                matching: self.matching.clone(),
                strategy: Strategy::Cascade(self.cascade),
            },
        ];
        if self.cascade.accept_window_minutes == 0 {
            rows.push(Variant {
                name: format!("cascade_window_{MEASURED_BEST_WINDOW_MINUTES}"),
                matching: self.matching.clone(),
                strategy: Strategy::Cascade(CascadeConfig {
                    accept_window_minutes: MEASURED_BEST_WINDOW_MINUTES,
                    ..self.cascade
                }),
            });
        }
        rows.extend(self.variants.iter().cloned());
        rows
    }
}

/// Generates the year and runs the strategies on it.
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
    let world = World::generate_town(scenario.town, scenario.seed, scenario.volunteers, scenario.requests);
    let requests = world.requests.len();
    let rows = config.rows();
    // The bounds and the strategies are independent: each on a thread of its own, while this
    // one draws the progress (a tick per request, summed over them).
    let done = AtomicUsize::new(0);
    let total = (2 + rows.len()) * requests;
    let (matching, validity) = (&config.matching, config.training_validity_months);
    let (optimum, everyone, outcomes) = std::thread::scope(|scope| {
        let (world, done) = (&world, &done);
        let tick = move || {
            done.fetch_add(1, Ordering::Relaxed);
        };
        let mut tick_optimum = tick;
        let optimum =
            scope.spawn(move || optimum::solve(world, matching, validity, Bound::SameAnswers, &mut tick_optimum));
        let mut tick_everyone = tick;
        let everyone =
            scope.spawn(move || optimum::solve(world, matching, validity, Bound::EveryoneSaysYes, &mut tick_everyone));
        let strategies: Vec<_> = rows
            .into_iter()
            .map(|row| {
                let mut tick = tick;
                scope.spawn(move || {
                    let outcome = strategies::simulate(world, row.strategy, &row.matching, validity, &mut tick);
                    (row, outcome)
                })
            })
            .collect();
        while !(optimum.is_finished() && everyone.is_finished() && strategies.iter().all(|h| h.is_finished())) {
            progress(Progress {
                stage: "replaying the year",
                done: done.load(Ordering::Relaxed).min(total),
                total,
            });
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let outcomes: Vec<(Variant, Outcome)> = strategies
            .into_iter()
            .map(|h| h.join().expect("a strategy's replay"))
            .collect();
        (
            optimum.join().expect("the optimum"),
            everyone.join().expect("the looser bound"),
            outcomes,
        )
    });
    progress(Progress {
        stage: "most even assignments",
        done: total,
        total,
    });

    let eligible: Vec<usize> = (0..world.volunteers.len()).filter(|&v| optimum.eligible[v]).collect();
    let spread = |assigned: &[Option<usize>]| report::assignment_gini(&optimum.eligible, assigned);
    // The most even assignment of the very requests a strategy filled: how much of its Gini is
    // the ranking's doing, and how much the choice of requests.
    let fairest_of = |outcome: &Outcome| {
        let filled: Vec<bool> = outcome.assigned.iter().map(Option::is_some).collect();
        let same = optimum::solve_for(&world, matching, validity, Bound::SameAnswers, &filled, &mut || {});
        spread(&same.assigned)
    };
    let share = |filled: usize| (optimum.filled > 0).then(|| filled as f64 / optimum.filled as f64);
    let cascade_filled = outcomes
        .iter()
        .find(|(row, _)| row.name == "cascade")
        .expect("the configured cascade is a row")
        .1
        .filled;
    let (fairest, fairest_at_cascade_fill) = std::thread::scope(|scope| {
        // The most even assignment that fills as many requests as the cascade did: how low
        // the cascade's Gini could be at all, with its fill count.
        let at_fill = scope.spawn(|| {
            let limit = cascade_filled as u64;
            spread(&optimum::solve_up_to(&world, matching, validity, Bound::SameAnswers, limit, &mut || {}).assigned)
        });
        let handles: Vec<_> = outcomes
            .iter()
            .map(|(_, outcome)| scope.spawn(|| fairest_of(outcome)))
            .collect();
        let fairest: Vec<f64> = handles
            .into_iter()
            .map(|h| h.join().expect("a most even assignment"))
            .collect();
        (
            fairest,
            at_fill.join().expect("the most even assignment at the cascade's fill"),
        )
    });
    let mut rows: Vec<StrategyReport> = outcomes
        .iter()
        .zip(fairest)
        .map(|((row, outcome), fairest)| {
            let gini = spread(&outcome.assigned);
            StrategyReport {
                name: row.name.clone(),
                fill_rate: rate(outcome.filled, requests),
                fill_vs_optimum: share(outcome.filled),
                mails_per_fill: (outcome.filled > 0).then(|| outcome.mails as f64 / outcome.filled as f64),
                median_minutes_to_fill: median(&outcome.minutes_to_fill),
                gini,
                fairest_gini_of_own_requests: fairest,
                gini_above_fairest: gini - fairest,
                filled: outcome.filled,
                requests,
                mails: Some(outcome.mails),
                violations: outcome.violations,
                refused_acceptances: Some(outcome.refused_acceptances),
                accepted_in_window: Some(outcome.in_window),
            }
        })
        .collect();
    let optimum_gini = spread(&optimum.assigned);
    rows.push(StrategyReport {
        name: "optimum".to_owned(),
        fill_rate: rate(optimum.filled, requests),
        fill_vs_optimum: share(optimum.filled),
        mails_per_fill: None,
        median_minutes_to_fill: None,
        gini: optimum_gini,
        // Already the most even assignment of its requests.
        fairest_gini_of_own_requests: optimum_gini,
        gini_above_fairest: 0.0,
        filled: optimum.filled,
        requests,
        mails: None,
        // Every edge of the flow network passed `first_violation`.
        violations: 0,
        refused_acceptances: None,
        accepted_in_window: None,
    });
    let strategies = Strategies(rows);
    let cascade = &outcomes
        .iter()
        .find(|(row, _)| row.name == "cascade")
        .expect("the configured cascade is a row")
        .1;
    let analysis = Analysis {
        fairest_gini_at_cascade_fill: fairest_at_cascade_fill,
        fairest_gini_of_cascade_requests: strategies.cascade().fairest_gini_of_own_requests,
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
    let summary = ScenarioSummary {
        town: scenario.town,
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
        accept_window_minutes: config.cascade.accept_window_minutes,
        scarcity_weight: config.matching.weights.scarcity,
    };
    Report {
        targets: Targets::of(strategies.cascade()),
        strategies,
        scenario: summary,
        analysis,
    }
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_matcher::Rule;

    fn small() -> SimulationConfig {
        SimulationConfig {
            scenario: Scenario {
                town: Town::Default,
                seed: 5,
                volunteers: 30,
                requests: 100,
            },
            ..SimulationConfig::default()
        }
    }

    #[test]
    fn small_year_runs_without_violations_and_every_strategy_stays_under_the_optimum() {
        let started = std::time::Instant::now();
        let report = run(&small());
        // Generous for debug builds on a shared machine; the point is "not minutes".
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        let s = &report.strategies;
        let optimum = s.optimum().filled;
        for row in &s.0 {
            assert_eq!(row.violations, 0, "{}", row.name);
            assert!(row.filled <= optimum, "{}: {} > {optimum}", row.name, row.filled);
            // Nobody spreads the same requests more evenly than the most even assignment.
            assert!(row.gini_above_fairest >= -1e-12, "{}", row.name);
        }
        assert!(s.cascade().filled > 0);
        assert_eq!(s.cascade().requests, 100);
        // The cascade mails a few, broadcast everyone eligible.
        assert!(s.cascade().mails <= s.broadcast().mails);
        let window = s
            .get(&format!("cascade_window_{MEASURED_BEST_WINDOW_MINUTES}"))
            .unwrap();
        assert!(window.accepted_in_window.unwrap() >= window.filled as u64);
        assert_eq!(s.cascade().accepted_in_window, Some(0));
    }

    /// The default year against issue 14's targets, with the shipped defaults (fairness
    /// weight 8, no acceptance window). Held: mails per fill, median minutes and violations
    /// (met), and the fill and spread the defaults reach, which stay short of 97 % and 0.04
    /// (see the README's `simulate` section for why). About ten seconds in a debug build.
    #[test]
    fn default_year_holds_the_targets_it_meets() {
        let report = run(&SimulationConfig::default());
        let (s, t) = (&report.strategies, &report.targets);
        let table = report.table();
        assert!(t.violations.met, "{table}");
        assert!(t.cascade_mails_per_fill.met, "{table}");
        assert!(t.cascade_median_minutes_to_fill.met, "{table}");
        for row in &s.0 {
            assert_eq!(row.violations, 0, "{table}");
        }
        let cascade = s.cascade();
        assert!(cascade.fill_vs_optimum.unwrap() >= 0.945, "{table}");
        // Issue 3's cascade was 0.136 above the fairest; the fairness weight brings it down.
        let before = s.get("cascade_before").unwrap();
        assert!(cascade.gini_above_fairest <= 0.13, "{table}");
        assert!(cascade.gini_above_fairest < before.gini_above_fairest, "{table}");
        // The measured best window narrows it further at the cost of its minutes.
        let window = s
            .get(&format!("cascade_window_{MEASURED_BEST_WINDOW_MINUTES}"))
            .unwrap();
        assert!(window.gini_above_fairest < cascade.gini_above_fairest, "{table}");
        assert!(window.median_minutes_to_fill.unwrap() <= 45.0, "{table}");
    }

    #[test]
    fn the_same_config_gives_the_same_report() {
        let a = run(&small());
        let b = run(&small());
        assert_eq!(a.to_json(), b.to_json());
    }

    #[test]
    fn json_has_every_strategy_with_its_figures() {
        let json: serde_json::Value = serde_json::from_str(&run(&small()).to_json()).unwrap();
        let names: Vec<&String> = json["strategies"].as_object().unwrap().keys().collect();
        for name in ["broadcast", "cascade_before", "cascade", "optimum"] {
            assert!(names.iter().any(|n| *n == name), "{name} in {names:?}");
            let row = &json["strategies"][name];
            for field in [
                "fill_rate",
                "fill_vs_optimum",
                "mails_per_fill",
                "median_minutes_to_fill",
                "gini",
                "fairest_gini_of_own_requests",
                "gini_above_fairest",
                "filled",
                "requests",
                "mails",
                "violations",
            ] {
                assert!(row.get(field).is_some(), "{name}.{field}");
            }
        }
        assert!(json["strategies"]["optimum"]["mails"].is_null());
        assert_eq!(json["strategies"]["optimum"]["fill_vs_optimum"], 1.0);
        let fairest = json["analysis"]["fairest_gini_of_cascade_requests"].as_f64().unwrap();
        assert!((0.0..1.0).contains(&fairest), "{fairest}");
        for target in [
            "cascade_fill_vs_optimum",
            "cascade_gini_above_fairest",
            "cascade_mails_per_fill",
            "cascade_median_minutes_to_fill",
            "violations",
        ] {
            assert!(json["targets"][target]["met"].is_boolean(), "{target}");
        }
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
        assert_eq!(json["scenario"]["town"], "default");
    }

    #[test]
    fn empty_year_reports_zeros_not_nan() {
        let config = SimulationConfig {
            scenario: Scenario {
                town: Town::Default,
                seed: 1,
                volunteers: 0,
                requests: 0,
            },
            ..SimulationConfig::default()
        };
        let report = run(&config);
        assert_eq!(report.strategies.cascade().fill_rate, 0.0);
        assert!(report.to_json().contains("\"fill_rate\": 0.0"));
        assert!(report.table().contains("cascade"));
    }
}
