//! Measures cascade variants over towns and seeds, for choosing the defaults:
//! `cargo run --release -p linguapool-simulate --example sweep -- --towns default,staffed
//! --seeds 1,2,3,4,5 w=0,s=0 w=15,s=2,f=4 ...`. A variant is a comma-separated list of
//! `s` (scarcity weight), `f` (fairness weight), `w` (acceptance window minutes), `k` (wave
//! size), `i` (wave interval minutes), `b` (broadcast); unnamed keys keep the built-in
//! defaults. Prints one line per variant, town and seed, then the medians per variant over
//! all of them, with the issue's figures.

use linguapool_simulate::generate::{Town, World};
use linguapool_simulate::optimum::{self, Bound};
use linguapool_simulate::report::{assignment_gini, median};
use linguapool_simulate::strategies::{self, Strategy};
use lp_matcher::MatchConfig;
use lp_matcher::cascade::CascadeConfig;

#[derive(Clone)]
struct Variant {
    name: String,
    matching: MatchConfig,
    strategy: Strategy,
}

fn parse(text: &str) -> Variant {
    let mut matching = MatchConfig::default();
    let mut cascade = CascadeConfig::default();
    let mut broadcast = false;
    for part in text.split(',').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, "1"));
        let number: f64 = value.parse().expect("a number");
        match key {
            "s" => matching.weights.scarcity = number,
            "f" => matching.weights.fairness = number,
            "r" => matching.weights.reliability = number,
            "w" => cascade.accept_window_minutes = number as u32,
            "k" => cascade.wave_size = number as u32,
            "i" => cascade.wave_interval_minutes = number as u32,
            "b" => broadcast = true,
            _ => panic!("unknown key {key}"),
        }
    }
    Variant {
        name: text.to_owned(),
        matching,
        strategy: if broadcast {
            Strategy::Broadcast
        } else {
            Strategy::Cascade(cascade)
        },
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut towns = vec![Town::Default];
    let mut seeds = vec![2026u64];
    let mut variants = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--towns" => {
                towns = args[i + 1].split(',').map(|t| t.parse().unwrap()).collect();
                i += 1;
            }
            "--seeds" => {
                seeds = args[i + 1].split(',').map(|t| t.parse().unwrap()).collect();
                i += 1;
            }
            other => variants.push(parse(other)),
        }
        i += 1;
    }
    if variants.is_empty() {
        variants.push(parse(""));
    }
    let matching = MatchConfig::default();
    // Per variant: (share, gap, mails per fill, median minutes, violations) per run.
    let mut figures: Vec<Vec<[f64; 5]>> = vec![Vec::new(); variants.len()];
    println!(
        "{:<28} {:<8} {:>5} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>4} {:>6}",
        "variant", "town", "seed", "filled", "share", "gini", "gap", "mails", "median", "viol", "secs"
    );
    for &town in &towns {
        for &seed in &seeds {
            let world = World::generate_town(town, seed, town.volunteers(), town.requests());
            let started = std::time::Instant::now();
            let best = optimum::solve(&world, &matching, 24, Bound::SameAnswers, &mut || {});
            eprintln!(
                "optimum {} seed {seed}: {:.1}s",
                town.as_str(),
                started.elapsed().as_secs_f64()
            );
            let spread = |assigned: &[Option<usize>]| assignment_gini(&best.eligible, assigned);
            for (k, variant) in variants.iter().enumerate() {
                let started = std::time::Instant::now();
                let outcome = strategies::simulate(&world, variant.strategy, &variant.matching, 24, &mut || {});
                let filled: Vec<bool> = outcome.assigned.iter().map(Option::is_some).collect();
                let same = optimum::solve_for(&world, &matching, 24, Bound::SameAnswers, &filled, &mut || {});
                let share = outcome.filled as f64 / best.filled.max(1) as f64;
                let gap = spread(&outcome.assigned) - spread(&same.assigned);
                let mails = outcome.mails as f64 / outcome.filled.max(1) as f64;
                let minutes = median(&outcome.minutes_to_fill).unwrap_or(0.0);
                println!(
                    "{:<28} {:<8} {:>5} {:>7} {:>6.1}% {:>7.3} {:>6.3} {:>6.2} {:>6.0} {:>4} {:>6.1}",
                    variant.name,
                    town.as_str(),
                    seed,
                    outcome.filled,
                    100.0 * share,
                    spread(&outcome.assigned),
                    gap,
                    mails,
                    minutes,
                    outcome.violations,
                    started.elapsed().as_secs_f64()
                );
                figures[k].push([share, gap, mails, minutes, outcome.violations as f64]);
            }
        }
    }
    println!();
    println!(
        "{:<28} {:>7} {:>6} {:>6} {:>6} {:>4}   (medians over {} runs)",
        "variant",
        "share",
        "gap",
        "mails",
        "median",
        "viol",
        towns.len() * seeds.len()
    );
    for (variant, runs) in variants.iter().zip(&figures) {
        let column = |i: usize| median(&runs.iter().map(|r| r[i]).collect::<Vec<_>>()).unwrap_or(0.0);
        println!(
            "{:<28} {:>6.1}% {:>6.3} {:>6.2} {:>6.0} {:>4}",
            variant.name,
            100.0 * column(0),
            column(1),
            column(2),
            column(3),
            runs.iter().map(|r| r[4]).sum::<f64>()
        );
    }
}
