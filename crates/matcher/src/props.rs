//! Property tests on random pools and requests, drawn from small domains so that what matters
//! happens often: languages of one macrolanguage, shared towns and clients, clashing calendars,
//! appointments on both DST change days and around a month's end, ragged minutes.
//!
//! The hard rules are checked against a second, deliberately naive implementation written here
//! from the SPEC (a hand-written macrolanguage table, minute-by-minute availability, dates
//! formatted to compare months), not against `rules.rs`.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use lp_core::time::{DateRange, POOL_TZ, WeeklySlot, local_to_utc};
use lp_core::vocab::{
    Gender, GenderStrength, GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use uuid::Uuid;

use crate::test_support::lang;
use crate::{
    Commitment, CompiledPool, GenderPreference, MatchConfig, OfferHistory, Profile, Ranking, RequestSpec, Rule,
    ScoreWeights, SpokenLanguage, rank,
};

const CODES: &[&str] = &[
    "ara", "apc", "arz", "fas", "prs", "pes", "kur", "kmr", "ckb", "tur", "ukr", "tir",
];
/// The macrolanguages among [`CODES`] with their members, written out by hand.
const MACROLANGUAGES: &[&[&str]] = &[&["ara", "apc", "arz"], &["fas", "prs", "pes"], &["kur", "kmr", "ckb"]];
const DIALECTS: &[&str] = &["syrisch", "Syrisch (Damaskus)", "irakisch", "  "];
const TOWNS: &[&str] = &["Rottenburg", " rottenburg", "Tübingen", "TÜBINGEN ", "Mössingen", "  "];
const CLIENTS: &[&str] = &["K-17", " k-17", "K-99", " "];
/// Request days: both DST change Sundays and their neighbours, a month's end and a Thursday.
const REQUEST_DAYS: &[&str] = &[
    "2026-10-24",
    "2026-10-25",
    "2026-10-26",
    "2026-11-30",
    "2026-12-01",
    "2026-12-03",
    "2027-03-27",
    "2027-03-28",
    "2027-03-29",
];
/// Commitment days: the request days and some in the fairness window and before it.
const COMMITMENT_DAYS: &[&str] = &[
    "2026-07-01",
    "2026-09-15",
    "2026-10-25",
    "2026-11-02",
    "2026-11-30",
    "2026-12-01",
    "2026-12-03",
    "2027-03-28",
];

fn day(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

/// Local midnight of `date` plus `minutes` of real time (so through DST gaps and repeats).
fn instant(date: &str, minutes: i64) -> DateTime<Utc> {
    local_to_utc(day(date), NaiveTime::MIN) + Duration::minutes(minutes)
}

fn weekday(index: u8) -> Weekday {
    Weekday::try_from(index).expect("0..7")
}

/// Mostly on the quarter hour, sometimes any minute.
fn minute_of_day() -> impl Strategy<Value = u16> {
    prop_oneof![3 => (0u16..=96).prop_map(|q| q * 15), 1 => 0u16..=1440]
}

fn slot() -> impl Strategy<Value = WeeklySlot> {
    let wide = (0u8..7).prop_map(|d| WeeklySlot {
        weekday: weekday(d),
        start_minute: 8 * 60,
        end_minute: 18 * 60,
    });
    let any = (0u8..7, minute_of_day(), minute_of_day())
        .prop_filter("a slot is not empty", |(_, a, b)| a != b)
        .prop_map(|(d, a, b)| WeeklySlot {
            weekday: weekday(d),
            start_minute: a.min(b),
            end_minute: a.max(b),
        });
    prop_oneof![1 => wide, 3 => any]
}

fn spoken() -> impl Strategy<Value = SpokenLanguage> {
    (
        select(CODES),
        select(Proficiency::ALL),
        option::weighted(0.3, select(DIALECTS)),
    )
        .prop_map(|(code, proficiency, dialect)| SpokenLanguage {
            code: lang(code),
            proficiency,
            dialect: dialect.map(str::to_owned),
        })
}

fn absence() -> impl Strategy<Value = DateRange> {
    (select(REQUEST_DAYS), -2i64..=0, 0i64..=3).prop_map(|(date, before, length)| {
        let from = day(date) + Duration::days(before);
        DateRange::new(from, from + Duration::days(length)).expect("from <= to")
    })
}

fn commitment() -> impl Strategy<Value = Commitment> {
    (
        select(COMMITMENT_DAYS),
        prop_oneof![(0i64..=96).prop_map(|q| q * 15), 0i64..1440],
        1i64..=240,
        any::<bool>(),
        option::weighted(0.5, select(CLIENTS)),
        select(Setting::ALL),
    )
        .prop_map(|(date, start, minutes, on_site, client, setting)| {
            let starts_at = instant(date, start);
            Commitment {
                starts_at,
                ends_at: starts_at + Duration::minutes(minutes),
                on_site,
                client_ref: client.map(str::to_owned),
                setting,
            }
        })
}

fn status() -> impl Strategy<Value = VolunteerStatus> {
    prop_oneof![6 => Just(VolunteerStatus::Active), 1 => select(VolunteerStatus::ALL)]
}

fn training() -> impl Strategy<Value = TrainingStatus> {
    prop_oneof![4 => Just(TrainingStatus::Trained), 1 => select(TrainingStatus::ALL)]
}

fn offers() -> impl Strategy<Value = OfferHistory> {
    (0u32..5, 0u32..3, 0u32..3, 0u32..2).prop_map(|(accepted, declined, ignored, withdrawn)| OfferHistory {
        accepted,
        declined,
        ignored,
        withdrawn,
    })
}

/// A profile with a placeholder id; [`pool`] numbers them.
fn profile() -> impl Strategy<Value = Profile> {
    (
        (
            status(),
            vec(spoken(), 0..=3),
            prop_oneof![3 => select(&GermanLevel::ALL[2..]), 1 => select(GermanLevel::ALL)],
            training(),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.1),
        ),
        (
            subsequence(Mode::ALL, 1..=3),
            subsequence(TOWNS, 0..=3),
            subsequence(Setting::ALL, 0..=2),
            option::of(select(Gender::ALL)),
        ),
        (
            vec(slot(), 0..=5),
            vec(absence(), 0..=2),
            vec(commitment(), 0..=4),
            option::weighted(0.4, 0u32..=3),
            offers(),
        ),
    )
        .prop_map(
            |(
                (status, languages, german_level, training, pledge_signed, email_bouncing),
                (modes, towns, excluded_settings, gender),
                (availability, absences, commitments, max_assignments_per_month, offers),
            )| Profile {
                volunteer_id: Uuid::nil(),
                status,
                languages,
                german_level,
                training,
                pledge_signed,
                email_bouncing,
                modes,
                service_area: towns.into_iter().map(str::to_owned).collect(),
                excluded_settings,
                gender,
                availability,
                absences,
                commitments,
                max_assignments_per_month,
                offers,
            },
        )
}

/// Distinct ids whose order is not the order of generation.
fn pool() -> impl Strategy<Value = Vec<Profile>> {
    vec(profile(), 0..=12).prop_map(|mut pool| {
        for (i, profile) in pool.iter_mut().enumerate() {
            profile.volunteer_id = Uuid::from_u128((i as u128 * 37) % 101 + 1);
        }
        pool
    })
}

fn request() -> impl Strategy<Value = RequestSpec> {
    (
        (
            select(CODES),
            option::weighted(0.3, select(DIALECTS)),
            select(REQUEST_DAYS),
            prop_oneof![3 => (0i64..=100).prop_map(|q| q * 15), 1 => 0i64..1500],
            prop_oneof![
                1 => Just(0u32),
                6 => (1u32..=16).prop_map(|q| q * 15),
                3 => 1u32..=240,
                1 => Just(25 * 60),
                1 => (6 * 24 * 60u32..=8 * 24 * 60).prop_map(|m| m / 15 * 15),
                1 => Just(9 * 24 * 60),
            ],
        ),
        (
            select(Mode::ALL),
            option::weighted(0.9, select(TOWNS)),
            select(Setting::ALL),
            option::weighted(
                0.3,
                (select(Gender::ALL), select(GenderStrength::ALL))
                    .prop_map(|(gender, strength)| GenderPreference { gender, strength }),
            ),
            option::weighted(0.7, select(CLIENTS)),
        ),
    )
        .prop_map(
            |((code, dialect, date, start, duration_minutes), (mode, town, setting, gender_preference, client))| {
                RequestSpec {
                    language: lang(code),
                    dialect: dialect.map(str::to_owned),
                    starts_at: instant(date, start),
                    duration_minutes,
                    mode,
                    town: town.map(str::to_owned),
                    setting,
                    gender_preference,
                    client_ref: client.map(str::to_owned),
                    client_served_by: Vec::new(),
                }
            },
        )
}

/// How a profile is nudged towards the request, so that candidates are common and every rule
/// gets its turn: a language of the request's group, and slots covering the request (widened
/// by some minutes, so boundaries are often ragged).
#[derive(Debug, Clone)]
struct Help {
    speaks: Option<(usize, Proficiency, Option<&'static str>)>,
    covers: Option<(u16, u16)>,
    /// A commitment starting this many minutes from the request's start, lasting so long.
    near: Option<(i64, i64, bool)>,
    /// Commitments starting exactly at the edges of the fairness window: 90 days before `now`,
    /// and `now`.
    edges: bool,
    /// Also a copy of the profile under another id, to tie with it.
    twin: bool,
}

fn help() -> impl Strategy<Value = Help> {
    (
        option::weighted(
            0.85,
            (
                0usize..3,
                select(&[Proficiency::Working, Proficiency::Fluent, Proficiency::Native][..]),
                option::weighted(0.3, select(DIALECTS)),
            ),
        ),
        option::weighted(0.85, (0u16..=20, 0u16..=20)),
        option::weighted(0.3, (-240i64..=240, 1i64..=180, any::<bool>())),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(speaks, covers, near, edges, twin)| Help {
            speaks,
            covers,
            near,
            edges,
            twin,
        })
}

fn apply(pool: &mut Vec<Profile>, helps: &[Help], request: &RequestSpec, now: DateTime<Utc>) {
    let naive = NaiveRequest::new(request);
    let code = request.language.as_str();
    let group: &[&str] = MACROLANGUAGES
        .iter()
        .find(|group| group.contains(&code))
        .copied()
        .unwrap_or(&[]);
    // The runs of needed minutes on each weekday.
    let mut needed: Vec<(Weekday, u32)> = naive.minutes.iter().copied().collect();
    needed.sort_unstable_by_key(|&(d, m)| (d.num_days_from_monday(), m));
    let mut runs: Vec<(Weekday, u32, u32)> = Vec::new();
    for (d, m) in needed {
        match runs.last_mut() {
            Some((day, _, end)) if *day == d && *end == m => *end = m + 1,
            _ => runs.push((d, m, m + 1)),
        }
    }
    for (profile, help) in pool.iter_mut().zip(helps) {
        if let Some((sibling, proficiency, dialect)) = help.speaks {
            let code = if group.is_empty() {
                code
            } else {
                group[sibling % group.len()]
            };
            profile.languages.push(SpokenLanguage {
                code: lang(code),
                proficiency,
                dialect: dialect.map(str::to_owned),
            });
        }
        if let Some((before, after)) = help.covers {
            // One slot per run, widened.
            for &(weekday, start, end) in &runs {
                profile.availability.push(WeeklySlot {
                    weekday,
                    start_minute: (start as u16).saturating_sub(before),
                    end_minute: (end as u16 + after).min(24 * 60),
                });
            }
        }
        if let Some((offset, minutes, on_site)) = help.near {
            let starts_at = request.starts_at + Duration::minutes(offset);
            profile.commitments.push(Commitment {
                starts_at,
                ends_at: starts_at + Duration::minutes(minutes),
                on_site,
                client_ref: None,
                setting: Setting::Other,
            });
        }
        if help.edges {
            // Half an hour either side of local midnight starting the request's local month,
            // when the UTC month differs.
            let local_start = request.starts_at.with_timezone(&POOL_TZ).date_naive();
            let month_start = local_to_utc(local_start.with_day(1).expect("day 1"), NaiveTime::MIN);
            for starts_at in [
                now - Duration::days(90),
                now,
                month_start - Duration::minutes(30),
                month_start + Duration::minutes(30),
            ] {
                profile.commitments.push(Commitment {
                    starts_at,
                    ends_at: starts_at + Duration::minutes(30),
                    on_site: false,
                    client_ref: request.client_ref.clone(),
                    setting: request.setting,
                });
            }
        }
    }
    let twins: Vec<Profile> = pool
        .iter()
        .zip(helps)
        .filter(|(_, help)| help.twin)
        .map(|(profile, _)| Profile {
            volunteer_id: Uuid::from_u128(profile.volunteer_id.as_u128() + 1000),
            ..profile.clone()
        })
        .collect();
    pool.extend(twins);
}

/// A pool, nudged towards a request, with a config and a `now`.
#[derive(Debug, Clone)]
struct Scenario {
    pool: Vec<Profile>,
    request: RequestSpec,
    config: MatchConfig,
    now: DateTime<Utc>,
    /// When the pool is compiled: the anchor of its calendar summaries, which must not change
    /// any answer, whether the request falls inside them or not.
    compiled_at: DateTime<Utc>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let compiled_days = prop_oneof![2 => Just(0i64), 2 => -10i64..=10, 1 => -200i64..=200];
    (
        pool(),
        vec(help(), 12),
        request(),
        config(),
        now_offset(),
        compiled_days,
        vec(any::<prop::sample::Index>(), 0..=3),
    )
        .prop_map(
            |(mut pool, helps, mut request, mut config, offset, compiled_days, served)| {
                let now = request.starts_at + Duration::minutes(offset);
                apply(&mut pool, &helps, &request, now);
                // Recent demand: the request's language, and a request in each language the
                // pool speaks, so the scarcity part varies between candidates.
                let requested: Vec<_> = std::iter::once(request.language)
                    .chain(pool.iter().flat_map(|p| p.languages.iter().map(|l| l.code)))
                    .collect();
                config.demand = std::sync::Arc::new(crate::RecentDemand::new(requested, &pool));
                // Who served the client before, as the service looks them up over a longer past.
                if !pool.is_empty() {
                    request.client_served_by = served.iter().map(|i| pool[i.index(pool.len())].volunteer_id).collect();
                }
                Scenario {
                    pool,
                    request,
                    config,
                    now,
                    compiled_at: now + Duration::days(compiled_days),
                }
            },
        )
}

fn weight() -> impl Strategy<Value = f64> {
    select(&[0.0, 1.0, 2.0, 3.5][..])
}

fn config() -> impl Strategy<Value = MatchConfig> {
    (
        prop_oneof![3 => Just(GermanLevel::B1), 1 => select(GermanLevel::ALL)],
        subsequence(Setting::ALL, 0..=2),
        select(&[0u32, 7, 15, 30, 45][..]),
        (weight(), weight(), weight(), weight(), weight(), weight(), weight()),
    )
        .prop_map(
            |(min_german, settings_open_to_untrained, travel_buffer_minutes, (l, c, f, r, g, e, s))| MatchConfig {
                min_german,
                settings_open_to_untrained,
                travel_buffer_minutes,
                no_remote_suggestions_for: vec![Setting::Psychotherapy],
                weights: ScoreWeights {
                    language: l,
                    continuity: c,
                    fairness: f,
                    reliability: r,
                    gender: g,
                    experience: e,
                    scarcity: s,
                },
                // Filled in by `scenario` from its pool.
                demand: Default::default(),
            },
        )
}

/// Request start plus or minus some days: mostly before it, sometimes after.
fn now_offset() -> impl Strategy<Value = i64> {
    -30 * 24 * 60i64..=2 * 24 * 60
}

/// The request read naively: every local wall-clock minute it lives through, and the local
/// days it touches.
struct NaiveRequest {
    minutes: HashSet<(Weekday, u32)>,
    days: BTreeSet<NaiveDate>,
    empty: bool,
}

impl NaiveRequest {
    fn new(request: &RequestSpec) -> Self {
        let (start, end) = (request.starts_at, request.ends_at());
        // Availability needs every local wall-clock minute the appointment lives through,
        // read minute by minute in real time (seconds cut off both ends): across the autumn
        // change the repeated hour once, across the spring change never the skipped hour.
        let truncate = |at: DateTime<Utc>| at.with_second(0).and_then(|t| t.with_nanosecond(0)).expect("valid");
        let mut minutes = HashSet::new();
        let (mut t, stop) = (truncate(start), truncate(end));
        while t < stop {
            let local = t.with_timezone(&POOL_TZ);
            minutes.insert((local.weekday(), local.hour() * 60 + local.minute()));
            t += Duration::minutes(1);
        }
        // The days of every real minute of the appointment, or of its start if it has none.
        let mut days = BTreeSet::from([start.with_timezone(&POOL_TZ).date_naive()]);
        let mut t = start;
        while t < end {
            days.insert(t.with_timezone(&POOL_TZ).date_naive());
            t += Duration::minutes(1);
        }
        NaiveRequest {
            minutes,
            days,
            empty: end <= start,
        }
    }
}

fn same_language_group(a: &str, b: &str) -> bool {
    a == b
        || MACROLANGUAGES
            .iter()
            .any(|group| group.contains(&a) && group.contains(&b))
}

fn month_of(at: DateTime<Utc>) -> String {
    at.with_timezone(&POOL_TZ).format("%Y-%m").to_string()
}

fn same_text(a: &str, b: &str) -> bool {
    let key = |s: &str| s.trim().chars().flat_map(char::to_lowercase).collect::<String>();
    key(a) == key(b)
}

/// Whether `profile` breaks `rule` for `request`, written from the SPEC without `rules.rs`.
fn naive_breaks(
    rule: Rule,
    request: &RequestSpec,
    naive: &NaiveRequest,
    profile: &Profile,
    config: &MatchConfig,
) -> bool {
    match rule {
        Rule::NotActive => profile.status != VolunteerStatus::Active,
        Rule::Language => !profile.languages.iter().any(|spoken| {
            spoken.proficiency >= Proficiency::Working
                && same_language_group(spoken.code.as_str(), request.language.as_str())
        }),
        Rule::GermanLevel => profile.german_level < config.min_german,
        Rule::Untrained => {
            profile.training != TrainingStatus::Trained && !config.settings_open_to_untrained.contains(&request.setting)
        }
        Rule::NoPledge => !profile.pledge_signed,
        Rule::EmailBouncing => profile.email_bouncing,
        Rule::Unavailable => {
            naive.empty
                || !naive.minutes.iter().all(|&(weekday, minute)| {
                    profile.availability.iter().any(|slot| {
                        slot.weekday == weekday
                            && u32::from(slot.start_minute) <= minute
                            && minute < u32::from(slot.end_minute)
                    })
                })
        }
        Rule::Absent => profile
            .absences
            .iter()
            .any(|absence| naive.days.iter().any(|&d| absence.from <= d && d <= absence.to)),
        Rule::OverlappingAssignment => profile.commitments.iter().any(|c| {
            let gap = if request.mode == Mode::OnSite || c.on_site {
                Duration::minutes(i64::from(config.travel_buffer_minutes))
            } else {
                Duration::zero()
            };
            let apart = c.ends_at + gap <= request.starts_at || request.ends_at() + gap <= c.starts_at;
            !apart
        }),
        Rule::MonthlyMaximum => profile.max_assignments_per_month.is_some_and(|max| {
            let month = month_of(request.starts_at);
            let held = profile
                .commitments
                .iter()
                .filter(|c| month_of(c.starts_at) == month)
                .count();
            held >= max as usize
        }),
        Rule::Mode => !profile.modes.contains(&request.mode),
        Rule::Town => match request.town.as_deref() {
            Some(town) if request.mode == Mode::OnSite && !town.trim().is_empty() => {
                !profile.service_area.iter().any(|served| same_text(served, town))
            }
            _ => false,
        },
        Rule::SettingExcluded => profile.excluded_settings.contains(&request.setting),
        Rule::GenderRequired => request.gender_preference.is_some_and(|preference| {
            preference.strength == GenderStrength::Required && profile.gender != Some(preference.gender)
        }),
    }
}

/// A fixed permutation for a seed.
fn shuffled(pool: &[Profile], seed: u64) -> Vec<Profile> {
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.sort_by_key(|&i| (i as u64 ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17));
    order.into_iter().map(|i| pool[i].clone()).collect()
}

fn assert_compiled_agrees(scenario: &Scenario, expected: &Ranking) -> Result<(), TestCaseError> {
    let Scenario {
        pool,
        request,
        config,
        now,
        compiled_at,
    } = scenario;
    let (now, compiled) = (*now, CompiledPool::new(pool, *compiled_at));
    prop_assert_eq!(compiled.len(), pool.len());
    prop_assert_eq!(&compiled.rank(request, now, config, None), expected);
    for limit in [0, 1, 2, 5, 100] {
        let top = compiled.rank(request, now, config, Some(limit));
        let best = &expected.candidates[..limit.min(expected.candidates.len())];
        prop_assert_eq!(top.candidates.as_slice(), best, "limit {}", limit);
        prop_assert_eq!(&top.excluded, &expected.excluded, "limit {}", limit);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// (a) No candidate breaks a hard rule; (b) every excluded volunteer breaks the rule named
    /// and no earlier one; and everyone is in exactly one of the two lists.
    #[test]
    fn candidates_pass_every_rule_and_exclusions_name_the_first_broken(
        scenario in scenario(),
    ) {
        let Scenario { pool, request, config, now, .. } = scenario;
        let ranking = rank(&request, &pool, now, &config);
        let naive = NaiveRequest::new(&request);
        let find = |id: Uuid| pool.iter().find(|p| p.volunteer_id == id).expect("from the pool");
        for candidate in &ranking.candidates {
            let profile = find(candidate.volunteer_id);
            for &rule in Rule::ALL {
                prop_assert!(
                    !naive_breaks(rule, &request, &naive, profile, &config),
                    "candidate {} breaks {}", candidate.volunteer_id, rule
                );
            }
        }
        for exclusion in &ranking.excluded {
            let profile = find(exclusion.volunteer_id);
            prop_assert!(
                naive_breaks(exclusion.rule, &request, &naive, profile, &config),
                "{} does not break {}", exclusion.volunteer_id, exclusion.rule
            );
            for &earlier in Rule::ALL.iter().take_while(|&&rule| rule < exclusion.rule) {
                prop_assert!(
                    !naive_breaks(earlier, &request, &naive, profile, &config),
                    "{} excluded by {} but already breaks {}", exclusion.volunteer_id, exclusion.rule, earlier
                );
            }
        }
        let mut listed: Vec<Uuid> = ranking
            .candidates
            .iter()
            .map(|c| c.volunteer_id)
            .chain(ranking.excluded.iter().map(|e| e.volunteer_id))
            .collect();
        listed.sort_unstable();
        let mut ids: Vec<Uuid> = pool.iter().map(|p| p.volunteer_id).collect();
        ids.sort_unstable();
        prop_assert_eq!(listed, ids);
    }

    /// (c) The compiled pool ranks exactly like `rank`, with and without a limit.
    #[test]
    fn compiled_pool_ranks_like_rank(
        scenario in scenario(),
    ) {
        let expected = rank(&scenario.request, &scenario.pool, scenario.now, &scenario.config);
        assert_compiled_agrees(&scenario, &expected)?;
    }

    /// (c) also when ids repeat (a caller's mistake, but the two must still agree): equal ids
    /// keep their pool order in both.
    #[test]
    fn compiled_pool_agrees_when_ids_repeat(
        scenario in scenario(),
        twins in vec((any::<prop::sample::Index>(), profile()), 1..=4),
    ) {
        let mut scenario = scenario;
        let pool = &mut scenario.pool;
        for (index, mut twin) in twins {
            if pool.is_empty() {
                break;
            }
            twin.volunteer_id = pool[index.index(pool.len())].volunteer_id;
            pool.insert(index.index(pool.len() + 1), twin);
        }
        let expected = rank(&scenario.request, &scenario.pool, scenario.now, &scenario.config);
        assert_compiled_agrees(&scenario, &expected)?;
    }

    /// (d) The ranking is deterministic and does not depend on the order of the pool.
    #[test]
    fn ranking_is_deterministic_and_independent_of_pool_order(
        scenario in scenario(),
        seed in any::<u64>(),
    ) {
        let Scenario { pool, request, config, now, compiled_at } = scenario;
        let first = rank(&request, &pool, now, &config);
        prop_assert_eq!(&rank(&request, &pool, now, &config), &first);
        let mixed = shuffled(&pool, seed);
        prop_assert_eq!(&rank(&request, &mixed, now, &config), &first);
        let reversed: Vec<Profile> = pool.iter().rev().cloned().collect();
        prop_assert_eq!(&rank(&request, &reversed, now, &config), &first);
        let compiled = CompiledPool::new(&mixed, compiled_at);
        prop_assert_eq!(&compiled.rank(&request, now, &config, None), &first);
        prop_assert_eq!(&compiled.rank(&request, now, &config, None), &first);
    }

    /// (e) Every suggested alternative has at least two volunteers who break no rule, checked
    /// with the independent reading of the rules; another time leaves the notice.
    #[test]
    fn alternatives_have_two_candidates_by_every_rule(
        scenario in scenario(),
    ) {
        let Scenario { pool, request, config, now, .. } = scenario;
        for alternative in crate::alternatives::alternatives(&request, &pool, now, &config) {
            let moved = RequestSpec { mode: alternative.mode, starts_at: alternative.starts_at, ..request.clone() };
            let naive = NaiveRequest::new(&moved);
            let qualifying = pool
                .iter()
                .filter(|p| Rule::ALL.iter().all(|&rule| !naive_breaks(rule, &moved, &naive, p, &config)))
                .count();
            prop_assert_eq!(qualifying, alternative.qualifying, "{:?}", alternative);
            prop_assert!(qualifying >= crate::alternatives::ENOUGH);
            prop_assert!(
                alternative.starts_at == request.starts_at
                    || alternative.starts_at >= now + crate::alternatives::MIN_NOTICE
            );
        }
    }
}
