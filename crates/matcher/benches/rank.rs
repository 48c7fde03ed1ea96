//! Ranking one request against 1 000, 10 000 and 100 000 volunteers with the full rule set:
//! the reference `rank`, and `CompiledPool::rank` for the best ten and for every candidate.
//! Also the one-off cost of compiling the pool.
//!
//! `cargo bench -p linguapool-matcher` (add `-- compiled` to run only the fast path).
//!
//! The pool is synthetic and seeded, shaped like a real one: about 40 languages, skewed like
//! the asylum statistics (many Arabic, Dari, Kurmanji, Turkish and Ukrainian speakers), most
//! volunteers active, two to ten weekly slots, a few absences and assignments each. The request
//! is for Arabic, the most common language, so it is the slowest case: about a fifth of the
//! pool speaks a language of the Arabic group and goes through every rule.

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use linguapool_matcher::{
    Commitment, CompiledPool, GenderPreference, MatchConfig, OfferHistory, Profile, RequestSpec, SpokenLanguage, rank,
};
use lp_core::LanguageCode;
use lp_core::time::{DateRange, WEEKDAYS, WeeklySlot, local_to_utc};
use lp_core::vocab::{
    Gender, GenderStrength, GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus,
};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use uuid::Uuid;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Languages with relative weights (how often a volunteer speaks it first).
const LANGUAGES: &[(&str, u32)] = &[
    ("ara", 20),
    ("prs", 12),
    ("kmr", 10),
    ("tur", 10),
    ("ukr", 10),
    ("rus", 6),
    ("fas", 5),
    ("pes", 4),
    ("apc", 4),
    ("eng", 4),
    ("ckb", 3),
    ("fra", 3),
    ("arz", 2),
    ("tir", 2),
    ("som", 2),
    ("pus", 2),
    ("sqi", 2),
    ("srp", 2),
    ("pol", 2),
    ("ron", 2),
    ("amh", 1),
    ("spa", 1),
    ("ita", 1),
    ("por", 1),
    ("bul", 1),
    ("hrv", 1),
    ("bos", 1),
    ("ell", 1),
    ("hye", 1),
    ("kat", 1),
    ("aze", 1),
    ("uzb", 1),
    ("tgk", 1),
    ("urd", 1),
    ("hin", 1),
    ("pan", 1),
    ("ben", 1),
    ("tam", 1),
    ("vie", 1),
    ("cmn", 1),
];

const TOWNS: &[&str] = &[
    "Winnenden",
    "Schwaikheim",
    "Leutenbach",
    "Waiblingen",
    "Backnang",
    "Weinstadt",
    "Fellbach",
    "Schorndorf",
    "Remshalden",
    "Korb",
    "Berglen",
    "Kernen",
];

fn local(date: &str, hour: u32, minute: u32) -> DateTime<Utc> {
    let date: NaiveDate = date.parse().expect("date");
    local_to_utc(date, NaiveTime::from_hms_opt(hour, minute, 0).expect("time"))
}

fn now() -> DateTime<Utc> {
    local("2026-12-01", 9, 0)
}

/// Arabic (Syrian if possible), on site in Winnenden at the foreigners' office, Thursday
/// 2026-12-03 10:00–11:00, a woman preferred, for a client served before.
fn request() -> RequestSpec {
    RequestSpec {
        language: LanguageCode::parse("ara").expect("code"),
        dialect: Some("syrisch".to_owned()),
        starts_at: local("2026-12-03", 10, 0),
        duration_minutes: 60,
        mode: Mode::OnSite,
        town: Some("Winnenden".to_owned()),
        setting: Setting::Authority,
        gender_preference: Some(GenderPreference {
            gender: Gender::Female,
            strength: GenderStrength::Preferred,
        }),
        client_ref: Some("K-17".to_owned()),
        client_served_by: Vec::new(),
    }
}

fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    unreachable!("roll below the total")
}

fn volunteer(rng: &mut StdRng, codes: &[(LanguageCode, u32)]) -> Profile {
    let status = *pick_weighted(
        rng,
        &[
            (VolunteerStatus::Active, 85),
            (VolunteerStatus::Applicant, 5),
            (VolunteerStatus::Paused, 7),
            (VolunteerStatus::Retired, 3),
        ],
    );
    let mut languages: Vec<SpokenLanguage> = Vec::new();
    for i in 0..rng.random_range(1..=3) {
        let code = *pick_weighted(rng, codes);
        if languages.iter().any(|l| l.code == code) {
            continue;
        }
        let proficiency = if i == 0 {
            Proficiency::Native
        } else {
            *pick_weighted(
                rng,
                &[
                    (Proficiency::Fluent, 3),
                    (Proficiency::Working, 3),
                    (Proficiency::Basic, 2),
                ],
            )
        };
        let dialect = (code.as_str() == "ara" && rng.random_bool(0.4))
            .then(|| ["syrisch", "irakisch", "libanesisch"][rng.random_range(0..3)].to_owned());
        languages.push(SpokenLanguage {
            code,
            proficiency,
            dialect,
        });
    }
    let german_level = *pick_weighted(
        rng,
        &[
            (GermanLevel::A2, 5),
            (GermanLevel::B1, 25),
            (GermanLevel::B2, 35),
            (GermanLevel::C1, 20),
            (GermanLevel::C2, 5),
            (GermanLevel::Native, 10),
        ],
    );
    let training = *pick_weighted(
        rng,
        &[
            (TrainingStatus::Trained, 80),
            (TrainingStatus::Expired, 5),
            (TrainingStatus::Untrained, 15),
        ],
    );
    let mut modes = Vec::new();
    for (mode, p) in [(Mode::OnSite, 0.9), (Mode::Phone, 0.7), (Mode::Video, 0.4)] {
        if rng.random_bool(p) {
            modes.push(mode);
        }
    }
    if modes.is_empty() {
        modes.push(Mode::Phone);
    }
    let home = rng.random_range(0..TOWNS.len());
    let service_area = (0..rng.random_range(1..=4))
        .map(|i| TOWNS[(home + i * 3) % TOWNS.len()].to_owned())
        .collect();
    let excluded_settings = if rng.random_bool(0.3) {
        vec![Setting::ALL[rng.random_range(0..Setting::ALL.len())]]
    } else {
        Vec::new()
    };
    let gender = *pick_weighted(
        rng,
        &[
            (Some(Gender::Female), 55),
            (Some(Gender::Male), 42),
            (Some(Gender::Diverse), 2),
            (None, 1),
        ],
    );
    let availability = (0..rng.random_range(2..=10))
        .map(|_| {
            let weekday = if rng.random_bool(0.9) {
                WEEKDAYS[rng.random_range(0..5)]
            } else {
                WEEKDAYS[rng.random_range(5..7)]
            };
            let start = 7 * 60 + 30 * rng.random_range(0..20u16);
            let end = (start + 30 * rng.random_range(2..=8u16)).min(24 * 60);
            WeeklySlot {
                weekday,
                start_minute: start,
                end_minute: end,
            }
        })
        .collect();
    let today = now().date_naive();
    let absences = (0..rng.random_range(0..=2))
        .map(|_| {
            let from = today + Duration::days(rng.random_range(-60..60));
            DateRange::new(from, from + Duration::days(rng.random_range(0..14))).expect("range")
        })
        .collect();
    let past: Vec<i64> = (0..rng.random_range(0..=6))
        .map(|_| rng.random_range(-120..0))
        .collect();
    let future: Vec<i64> = (0..rng.random_range(0..=2)).map(|_| rng.random_range(0..30)).collect();
    let commitments = past
        .into_iter()
        .chain(future)
        .map(|days| {
            let date = (today + Duration::days(days)).to_string();
            let starts_at = local(&date, rng.random_range(8..17), 30 * rng.random_range(0..2));
            Commitment {
                starts_at,
                ends_at: starts_at + Duration::minutes(30 * rng.random_range(2..=4)),
                on_site: rng.random_bool(0.7),
                client_ref: rng.random_bool(0.3).then(|| format!("K-{}", rng.random_range(0..500))),
                setting: Setting::ALL[rng.random_range(0..Setting::ALL.len())],
            }
        })
        .collect();
    Profile {
        volunteer_id: Uuid::from_u128(rng.random()),
        status,
        languages,
        german_level,
        training,
        pledge_signed: rng.random_bool(0.92),
        // Drawn after the others, so the pools of earlier measurements stay the same.
        email_bouncing: false,
        modes,
        service_area,
        excluded_settings,
        gender,
        availability,
        absences,
        commitments,
        max_assignments_per_month: rng.random_bool(0.5).then(|| rng.random_range(2..=8)),
        offers: OfferHistory {
            accepted: rng.random_range(0..20),
            declined: rng.random_range(0..8),
            ignored: rng.random_range(0..5),
            withdrawn: rng.random_range(0..2),
        },
    }
}

fn pool(size: usize) -> Vec<Profile> {
    let mut rng = StdRng::seed_from_u64(20_261_203);
    let codes: Vec<(LanguageCode, u32)> = LANGUAGES
        .iter()
        .map(|&(code, weight)| (LanguageCode::parse(code).expect("known code"), weight))
        .collect();
    (0..size).map(|_| volunteer(&mut rng, &codes)).collect()
}

fn benches(c: &mut Criterion) {
    let request = request();
    let config = MatchConfig::default();
    let now = now();
    let pools: Vec<(usize, Vec<Profile>, CompiledPool)> = SIZES
        .iter()
        .map(|&size| {
            let profiles = pool(size);
            let compiled = CompiledPool::new(&profiles, now);
            let reference = rank(&request, &profiles, now, &config);
            assert_eq!(compiled.rank(&request, now, &config, None), reference);
            let mut by_rule = std::collections::BTreeMap::new();
            for exclusion in &reference.excluded {
                *by_rule.entry(exclusion.rule.as_str()).or_insert(0) += 1;
            }
            eprintln!(
                "{size} volunteers: {} candidates, excluded by rule: {by_rule:?}",
                reference.candidates.len(),
            );
            (size, profiles, compiled)
        })
        .collect();

    let mut group = c.benchmark_group("compiled_top10");
    for (size, _, compiled) in &pools {
        group.throughput(Throughput::Elements(*size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), compiled, |b, compiled| {
            b.iter(|| compiled.rank(black_box(&request), now, &config, Some(10)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("compiled_all");
    for (size, _, compiled) in &pools {
        group.throughput(Throughput::Elements(*size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), compiled, |b, compiled| {
            b.iter(|| compiled.rank(black_box(&request), now, &config, None))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("reference_rank");
    group.sample_size(10);
    for (size, profiles, _) in &pools {
        group.throughput(Throughput::Elements(*size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), profiles, |b, profiles| {
            b.iter(|| rank(black_box(&request), profiles, now, &config))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("compile_pool");
    group.sample_size(10);
    for (size, profiles, _) in &pools {
        group.throughput(Throughput::Elements(*size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), profiles, |b, profiles| {
            b.iter(|| CompiledPool::new(black_box(profiles), now))
        });
    }
    group.finish();
}

criterion_group!(rank_benches, benches);
criterion_main!(rank_benches);
