//! The fast path of [`crate::rank`]: the pool compiled once, when it changes, into compact
//! tables, so that ranking one request reads little more than a few bits of each volunteer who
//! speaks its language, and those in sequence.
//!
//! [`crate::rank`] stays the readable reference of the behaviour; [`CompiledPool::rank`] returns
//! exactly the same [`Ranking`] (a property test checks this on random pools). What is
//! precomputed:
//!
//! - Volunteers are numbered in id order (equal ids in pool order), so exclusions come out
//!   grouped by rule and sorted by id without sorting, and the inactive ones are a ready-made
//!   list.
//! - For each language group (a macrolanguage with its members, or a code of its own), a table
//!   of the active volunteers who speak a language of the group at `working` or better. Every
//!   other active volunteer is excluded by `language`: for each group asked for, that list is
//!   built once and then copied.
//! - The stable facts (German level, training, pledge, modes, excluded settings, gender) as
//!   bits of one word per speaker.
//! - Weekly availability as a 7 × 96 quarter-hour mask of the quarters a volunteer is available
//!   for in full, stored word by word, so a request reads only the one or two words of its day.
//!   The request is turned into the quarters it touches once, from the same wall-clock spans
//!   as [`slots_cover`] reads ([`local_spans`]). This is exact to the minute: when every boundary of
//!   a volunteer's merged slots is on a quarter hour, each quarter is all or nothing; when the
//!   request's boundaries are on quarter hours, it needs whole quarters; only when both are
//!   ragged does the check fall back to [`slots_cover`] on the volunteer's own slots.
//! - Around the time of compiling (from a week before to four months after), one bit set over
//!   the speakers for each day: who is absent that local day, who has an assignment touching
//!   that UTC day; and for each of eight local months, who has reached the monthly maximum in
//!   it. Likewise one bit set per town (the first 64) of who serves it. A request ORs the sets
//!   of its days, so the calendar rules cost a bit per speaker. A request outside that stretch,
//!   or a speaker with an assignment on its day, is checked on the absences and assignments
//!   themselves (sorted by start with the running maximum of their ends), so the answer never
//!   depends on when the pool was compiled.
//! - Client references and dialect notes interned, reliability computed.
//!
//! Ranking then reads the facts word and the mask word of every speaker in one pass with no
//! branch that depends on the speaker (at about one mispredicted branch a speaker, the plain
//! rule-by-rule check cost three times as much on 100 000 volunteers); the few who pass those
//! rules go through the remaining ones one by one, and only the candidates are scored.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use lp_core::time::{POOL_TZ, WeeklySlot, last_local_day, local_spans, slots_cover};
use lp_core::vocab::{Gender, GenderStrength, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus};
use lp_core::{LanguageCode, LanguageFit};
use uuid::Uuid;

use crate::rules::{MIN_PROFICIENCY, local_month, town_key};
use crate::score::{self, FAIRNESS_WINDOW_DAYS};
use crate::{Exclusion, MatchConfig, Profile, RankedCandidate, Ranking, RequestSpec, Rule, ScoreParts};

const RULES: usize = Rule::ALL.len();
/// The outcome of a speaker who breaks no rule; the others are indices into [`Rule::ALL`].
const CANDIDATE: usize = RULES;
const OUTCOMES: usize = RULES + 1;
const MINUTES_PER_DAY: u32 = 24 * 60;
const QUARTER: u32 = 15;
const QUARTERS_PER_DAY: usize = (MINUTES_PER_DAY / QUARTER) as usize;
const MASK_WORDS: usize = (7 * QUARTERS_PER_DAY).div_ceil(64);
/// The day sets start this many days before the time of compiling.
const DAYS_BEFORE: i64 = 7;
/// The number of day sets.
const DAYS: i64 = 128;
/// The month sets start this many months before the time of compiling.
const MONTHS_BEFORE: i32 = 1;
/// The number of month sets.
const MONTHS: i32 = 8;
/// Towns numbered below this have a bit set.
const TOWN_SETS: u32 = 64;

/// Bit `weekday · 96 + quarter` (Monday = 0) is set when the volunteer is available for the
/// whole of that quarter hour.
type WeekMask = [u64; MASK_WORDS];

/// An instant as one number ordered like `DateTime<Utc>`: seconds, then nanoseconds, which
/// stay below 2·10⁹ (a leap second is written as nanoseconds beyond 10⁹).
type Stamp = i128;

fn stamp(at: DateTime<Utc>) -> Stamp {
    i128::from(at.timestamp()) * 2_000_000_000 + i128::from(at.timestamp_subsec_nanos())
}

/// The bits of a speaker's facts word.
mod fact {
    /// The German level's rank in `GermanLevel`'s order.
    pub const GERMAN: u32 = 0b111;
    pub const TRAINED: u32 = 1 << 3;
    pub const PLEDGE: u32 = 1 << 4;
    /// Some boundary of the merged weekly slots is not on a quarter hour.
    pub const RAGGED: u32 = 1 << 5;
    /// One bit per `Mode`, from here.
    pub const MODES: u32 = 6;
    /// One bit per `Setting` the volunteer excluded, from here.
    pub const SETTINGS: u32 = 9;
    /// The gender, 0 for none or 1 + its rank, in two bits from here.
    pub const GENDER: u32 = 17;
    /// Serves a town numbered 64 or above, which the town sets do not hold.
    pub const MANY_TOWNS: u32 = 1 << 19;
    /// The commitments' local months do not grow with their starts (never in Europe/Berlin
    /// today, but then counting is a scan).
    pub const MONTHS_UNSORTED: u32 = 1 << 20;
    /// An absence ends before it starts, which the day sets cannot express.
    pub const ODD_ABSENCES: u32 = 1 << 21;
    /// Speaks more than one language of the group well enough.
    pub const MORE_LANGUAGES: u32 = 1 << 22;
    /// Has a monthly maximum.
    pub const MONTHLY_MAX: u32 = 1 << 23;
    /// The email address bounces.
    pub const BOUNCING: u32 = 1 << 24;
}

fn mode_bit(mode: Mode) -> u32 {
    1 << (fact::MODES + mode as u32)
}

fn setting_bit(setting: Setting) -> u32 {
    1 << (fact::SETTINGS + setting as u32)
}

fn gender_code(gender: Option<Gender>) -> u32 {
    gender.map_or(0, |gender| 1 + gender as u32)
}

/// A pool prepared for ranking many requests; compile it anew when a profile changes.
///
/// ```
/// # use linguapool_matcher::{CompiledPool, MatchConfig, Profile, RequestSpec, rank};
/// # fn demo(pool: &[Profile], request: &RequestSpec, now: chrono::DateTime<chrono::Utc>) {
/// let compiled = CompiledPool::new(pool, now);
/// let config = MatchConfig::default();
/// assert_eq!(compiled.rank(request, now, &config, None), rank(request, pool, now, &config));
/// let best_ten = compiled.rank(request, now, &config, Some(10));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CompiledPool {
    /// What only speakers on an exceptional path need, by position (volunteers sorted by id,
    /// equal ids in pool order).
    rows: Vec<Row>,
    /// Only the languages spoken at [`MIN_PROFICIENCY`] or better.
    languages: Vec<Spoken>,
    /// The original slots, for the minute-exact fallback.
    slots: Vec<WeeklySlot>,
    /// `(from, to)` as days of the common era, as given.
    absences: Vec<(i32, i32)>,
    /// Each volunteer's sorted by start.
    commitments: Vec<Held>,
    towns: Vec<u32>,
    town_ids: HashMap<String, u32>,
    client_ids: HashMap<String, u32>,
    /// Dialect notes as [`score::dialect_key`]s, numbered.
    dialects: Vec<Box<str>>,
    /// The inactive volunteers' exclusions, by position.
    not_active: Vec<Exclusion>,
    /// A `language` exclusion for each active volunteer, by position.
    no_language: Vec<Exclusion>,
    /// By language group: the macrolanguage, or the code itself.
    groups: HashMap<LanguageCode, Group>,
    /// UTC day number (days since 1970) of the first of [`Group::busy`].
    first_utc_day: i64,
    /// [`day_number`] of the first of [`Group::absent`].
    first_local_day: i32,
    /// [`month_key`] of the first of [`Group::month_full`].
    first_month: i32,
}

/// Where a volunteer's entries lie in one of the shared vectors.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn of<T>(self, items: &[T]) -> &[T] {
        &items[self.start as usize..][..self.len as usize]
    }
}

#[derive(Debug, Clone, Default)]
struct Row {
    languages: Span,
    slots: Span,
    absences: Span,
    towns: Span,
}

/// The active speakers of one language group, in position order. What every request reads of
/// every speaker is one vector per column, read in sequence; the calendar and towns are bit
/// sets over the speakers; the rest is one record per speaker, read by few.
#[derive(Debug, Clone, Default)]
struct Group {
    /// Index into `no_language`, i.e. among the active volunteers.
    active: Vec<u32>,
    position: Vec<u32>,
    ids: Vec<Uuid>,
    facts: Vec<u32>,
    /// Word `w` of speaker `i`'s [`WeekMask`] at `w · len + i`.
    masks: Vec<u64>,
    /// Words per bit set: `len` bits.
    words: usize,
    /// Set `d`: absent on local day `first_local_day + d`.
    absent: Vec<u64>,
    /// Set `d`: an assignment touches UTC day `first_utc_day + d`.
    busy: Vec<u64>,
    /// Set `m`: has reached the monthly maximum in local month `first_month + m`.
    month_full: Vec<u64>,
    /// Set `m`: too many assignments in local month `first_month + m` to have been counted.
    month_uncounted: Vec<u64>,
    /// Set `t`: serves town number `t`.
    serves: Vec<u64>,
    later: Vec<Later>,
    /// Everyone active but the speakers, excluded by `language`; built when first needed.
    language_block: OnceLock<Vec<Exclusion>>,
}

/// What a speaker's exceptional paths and score need.
#[derive(Debug, Clone, Copy)]
struct Later {
    /// The smallest `from` and largest `to` of the absences; empty if none.
    absence_hull: (i32, i32),
    commitments: Span,
    monthly_max: u32,
    reliability: f64,
    /// The speaker's (first) language of the group.
    spoken: Spoken,
}

impl Group {
    fn len(&self) -> usize {
        self.position.len()
    }

    fn set<'a>(&self, sets: &'a [u64], index: usize) -> &'a [u64] {
        &sets[index * self.words..][..self.words]
    }

    /// The union of sets `range`.
    fn union(&self, sets: &[u64], range: std::ops::RangeInclusive<usize>) -> Vec<u64> {
        let mut union = vec![0; self.words];
        for index in range {
            for (into, &bits) in union.iter_mut().zip(self.set(sets, index)) {
                *into |= bits;
            }
        }
        union
    }
}

fn has(set: &[u64], speaker: usize) -> bool {
    set[speaker / 64] >> (speaker % 64) & 1 != 0
}

#[derive(Debug, Clone, Copy)]
struct Spoken {
    code: LanguageCode,
    group: LanguageCode,
    proficiency: Proficiency,
    /// Number of the note in [`CompiledPool::dialects`].
    dialect: Option<u32>,
}

#[derive(Debug, Clone)]
struct Held {
    start: Stamp,
    end: Stamp,
    /// The latest end among this and every earlier commitment in start order.
    latest_end: Stamp,
    /// Local month of the start, `year · 12 + month0`.
    month: i32,
    on_site: bool,
    setting: Setting,
    client: Option<u32>,
}

fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

fn utc_day(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(24 * 60 * 60)
}

/// The days `lo..=hi` (relative to the first day set) that have a set, one bit each.
fn day_mask(lo: i64, hi: i64) -> u128 {
    let (lo, hi) = (lo.max(0), hi.min(DAYS - 1));
    if lo > hi {
        0
    } else {
        (u128::MAX >> (127 - (hi - lo))) << lo
    }
}

/// The days `lo..=hi` if every one has a set.
fn all_in_sets(lo: i64, hi: i64) -> Option<std::ops::RangeInclusive<usize>> {
    (0 <= lo && lo <= hi && hi < DAYS).then_some(lo as usize..=hi as usize)
}

fn month_key(at: DateTime<Utc>) -> i32 {
    let (year, month) = local_month(at);
    year * 12 + month as i32 - 1
}

fn intern(ids: &mut HashMap<String, u32>, key: String) -> u32 {
    let next = u32::try_from(ids.len()).expect("fewer than 2³² names");
    *ids.entry(key).or_insert(next)
}

fn span(start: usize, end: usize) -> Span {
    let start = u32::try_from(start).expect("fewer than 2³² entries");
    let len = u32::try_from(end).expect("fewer than 2³² entries") - start;
    Span { start, len }
}

fn set_quarter(mask: &mut WeekMask, weekday: usize, quarter: usize) {
    let bit = weekday * QUARTERS_PER_DAY + quarter;
    mask[bit / 64] |= 1 << (bit % 64);
}

/// The quarters available in full, and whether any merged slot boundary is off the quarter.
fn week_mask(slots: &[WeeklySlot]) -> (WeekMask, bool) {
    let mut windows: Vec<(u32, u32, u32)> = slots
        .iter()
        .map(|slot| {
            (
                slot.weekday.num_days_from_monday(),
                u32::from(slot.start_minute).min(MINUTES_PER_DAY),
                u32::from(slot.end_minute).min(MINUTES_PER_DAY),
            )
        })
        .filter(|(_, start, end)| start < end)
        .collect();
    windows.sort_unstable();
    let mut mask = [0; MASK_WORDS];
    let mut ragged = false;
    let mut flush = |(weekday, start, end): (u32, u32, u32)| {
        ragged |= start % QUARTER != 0 || end % QUARTER != 0;
        for quarter in start.div_ceil(QUARTER)..end / QUARTER {
            set_quarter(&mut mask, weekday as usize, quarter as usize);
        }
    };
    let mut merged: Option<(u32, u32, u32)> = None;
    for (weekday, start, end) in windows {
        merged = match merged {
            Some((day, from, to)) if day == weekday && start <= to => Some((day, from, to.max(end))),
            previous => {
                if let Some(previous) = previous {
                    flush(previous);
                }
                Some((weekday, start, end))
            }
        };
    }
    if let Some(last) = merged {
        flush(last);
    }
    (mask, ragged)
}

/// The quarters of the week an appointment touches: the wall-clock minutes it spans
/// ([`local_spans`]), exactly as [`slots_cover`] reads them.
#[derive(Debug)]
struct Need {
    /// `(word, bits)` of the mask, only the words with bits.
    words: Vec<(usize, u64)>,
    /// Every boundary is on a quarter hour, so the touched quarters are needed in full.
    aligned: bool,
}

impl Need {
    /// `None` when the appointment is empty, which no availability covers.
    fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Need> {
        if end <= start {
            return None;
        }
        let first = start.with_timezone(&POOL_TZ).date_naive();
        let last = last_local_day(start, end);
        let mut mask = [0; MASK_WORDS];
        let mut aligned = true;
        if (last - first).num_days() >= 16 {
            // Two whole weeks in between: every minute of the week. One week is not enough:
            // if its Sunday is the spring-forward day, 02:00–03:00 on Sunday is not needed.
            for weekday in 0..7 {
                for quarter in 0..QUARTERS_PER_DAY {
                    set_quarter(&mut mask, weekday, quarter);
                }
            }
        } else {
            for span in local_spans(start, end) {
                let (from, to) = (span.from_minute, span.to_minute);
                aligned &= from % QUARTER == 0 && to % QUARTER == 0;
                let weekday = span.day.weekday().num_days_from_monday() as usize;
                for quarter in from / QUARTER..to.div_ceil(QUARTER) {
                    set_quarter(&mut mask, weekday, quarter as usize);
                }
            }
        }
        let words = mask
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, bits)| bits != 0)
            .collect();
        Some(Need { words, aligned })
    }
}

/// One request, prepared once for checking every speaker.
struct Query<'a> {
    request: &'a RequestSpec,
    ends_at: DateTime<Utc>,
    code: LanguageCode,
    group: LanguageCode,
    min_german: u32,
    untrained_allowed: bool,
    need: Option<Need>,
    first_day: i32,
    last_day: i32,
    on_site: bool,
    plain: (Stamp, Stamp),
    buffered: (Stamp, Stamp),
    month: i32,
    mode: u32,
    /// `None`: the town is not checked; `Some(None)`: nobody serves it.
    town: Option<Option<u32>>,
    setting: u32,
    /// [`gender_code`] of a required gender.
    gender_required: Option<u32>,
    /// Which of [`CompiledPool::dialects`] match the request's note.
    dialects: Vec<bool>,
    client: Option<u32>,
    now: Stamp,
    since: Stamp,
    /// The appointment's local days among the absence sets, if all have one.
    absent_days: Option<std::ops::RangeInclusive<usize>>,
    /// The buffered window's UTC days among the busy sets, if all have one.
    busy_days: Option<std::ops::RangeInclusive<usize>>,
    /// The request's month among the month sets, if it has one.
    month_set: Option<usize>,
}

/// The bit sets of one group for one request.
struct Sets<'g> {
    absent: Option<Vec<u64>>,
    busy: Option<Vec<u64>>,
    /// Full, and uncounted.
    month: Option<(&'g [u64], &'g [u64])>,
    /// Those who serve the request's town, if it has a set.
    town: Option<&'g [u64]>,
}

impl<'g> Sets<'g> {
    fn new(group: &'g Group, query: &Query) -> Self {
        Sets {
            absent: query.absent_days.clone().map(|days| group.union(&group.absent, days)),
            busy: query.busy_days.clone().map(|days| group.union(&group.busy, days)),
            month: query.month_set.map(|month| {
                (
                    group.set(&group.month_full, month),
                    group.set(&group.month_uncounted, month),
                )
            }),
            town: match query.town {
                Some(Some(town)) if town < TOWN_SETS => Some(group.set(&group.serves, town as usize)),
                _ => None,
            },
        }
    }
}

struct Scored {
    speaker: u32,
    position: u32,
    score: f64,
    recent: usize,
    parts: ScoreParts,
    fit: LanguageFit,
}

/// The order of [`Ranking::candidates`]; the position stands for the id, ties in pool order.
fn best_first(a: &Scored, b: &Scored) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(a.recent.cmp(&b.recent))
        .then(a.position.cmp(&b.position))
}

/// What becomes a speaker's bits in the group's sets.
struct Pending {
    mask: WeekMask,
    absent: u128,
    busy: u128,
    full_months: u8,
    uncounted_months: u8,
    towns: u64,
}

impl CompiledPool {
    /// Compiles the pool; linear in its size apart from sorting by id. `now` only anchors the
    /// calendar sets (see the module documentation): the rankings are exact for any request
    /// and any `now` given to [`CompiledPool::rank`], only faster for requests near `now`.
    pub fn new(profiles: &[Profile], now: DateTime<Utc>) -> Self {
        let mut order: Vec<usize> = (0..profiles.len()).collect();
        // Stable: equal ids keep their pool order, as in `rank`'s stable sorts.
        order.sort_by_key(|&i| profiles[i].volunteer_id);

        let mut pool = CompiledPool {
            rows: Vec::with_capacity(profiles.len()),
            languages: Vec::new(),
            slots: Vec::new(),
            absences: Vec::new(),
            commitments: Vec::new(),
            towns: Vec::new(),
            town_ids: HashMap::new(),
            client_ids: HashMap::new(),
            dialects: Vec::new(),
            not_active: Vec::new(),
            no_language: Vec::new(),
            groups: HashMap::new(),
            first_utc_day: utc_day(now) - DAYS_BEFORE,
            first_local_day: day_number(now.with_timezone(&POOL_TZ).date_naive()) - DAYS_BEFORE as i32,
            first_month: month_key(now) - MONTHS_BEFORE,
        };
        let mut dialect_ids: HashMap<String, u32> = HashMap::new();
        let mut pending: HashMap<LanguageCode, Vec<Pending>> = HashMap::new();
        let mut groups = Vec::new();
        for (position, &index) in order.iter().enumerate() {
            let profile = &profiles[index];
            let volunteer_id = profile.volunteer_id;
            if profile.status != VolunteerStatus::Active {
                // Excluded whatever the request: nothing else is needed.
                pool.rows.push(Row::default());
                pool.not_active.push(Exclusion {
                    volunteer_id,
                    rule: Rule::NotActive,
                });
                continue;
            }

            let start = pool.languages.len();
            for spoken in &profile.languages {
                if spoken.proficiency < MIN_PROFICIENCY {
                    continue;
                }
                let dialect = spoken.dialect.as_deref().and_then(score::dialect_key).map(|key| {
                    let next = u32::try_from(dialect_ids.len()).expect("fewer than 2³² dialects");
                    *dialect_ids.entry(key).or_insert_with_key(|key| {
                        pool.dialects.push(key.as_str().into());
                        next
                    })
                });
                pool.languages.push(Spoken {
                    code: spoken.code,
                    group: spoken.code.group(),
                    proficiency: spoken.proficiency,
                    dialect,
                });
            }
            let languages = span(start, pool.languages.len());

            let start = pool.slots.len();
            pool.slots.extend_from_slice(&profile.availability);
            let slots = span(start, pool.slots.len());
            let (mask, ragged) = week_mask(&profile.availability);

            let start = pool.absences.len();
            pool.absences.extend(
                profile
                    .absences
                    .iter()
                    .map(|absence| (day_number(absence.from), day_number(absence.to))),
            );
            let absences = span(start, pool.absences.len());
            let first_local_day = pool.first_local_day;
            let absence_hull = absences
                .of(&pool.absences)
                .iter()
                .fold((i32::MAX, i32::MIN), |(lo, hi), &(from, to)| (lo.min(from), hi.max(to)));
            let absent = absences.of(&pool.absences).iter().fold(0, |bits, &(from, to)| {
                bits | day_mask(i64::from(from - first_local_day), i64::from(to - first_local_day))
            });
            let odd_absences = absences.of(&pool.absences).iter().any(|&(from, to)| to < from);

            let start = pool.commitments.len();
            let client_ids = &mut pool.client_ids;
            pool.commitments.extend(profile.commitments.iter().map(|c| {
                Held {
                    start: stamp(c.starts_at),
                    end: stamp(c.ends_at),
                    latest_end: Stamp::MIN,
                    month: month_key(c.starts_at),
                    on_site: c.on_site,
                    setting: c.setting,
                    client: c
                        .client_ref
                        .as_deref()
                        .map(score::client_key)
                        .filter(|key| !key.is_empty())
                        .map(|key| intern(client_ids, key)),
                }
            }));
            let commitments = span(start, pool.commitments.len());
            let held = &mut pool.commitments[start..];
            held.sort_by_key(|c| c.start);
            let mut latest = Stamp::MIN;
            for c in held.iter_mut() {
                latest = latest.max(c.end);
                c.latest_end = latest;
            }
            let months_sorted = held.windows(2).all(|pair| pair[0].month <= pair[1].month);
            let busy = profile.commitments.iter().fold(0, |bits, c| {
                // Whichever way round, an assignment can only overlap a window holding one of
                // its ends or what lies between.
                let (from, to) = (c.starts_at.min(c.ends_at), c.starts_at.max(c.ends_at));
                bits | day_mask(utc_day(from) - pool.first_utc_day, utc_day(to) - pool.first_utc_day)
            });
            let mut month_counts = [0u8; MONTHS as usize];
            for c in held.iter() {
                if let Ok(month) = usize::try_from(c.month - pool.first_month)
                    && let Some(count) = month_counts.get_mut(month)
                {
                    *count = count.saturating_add(1);
                }
            }
            let (mut full_months, mut uncounted_months) = (0u8, 0u8);
            if let Some(max) = profile.max_assignments_per_month {
                for (month, &count) in month_counts.iter().enumerate() {
                    if count == u8::MAX {
                        uncounted_months |= 1 << month;
                    } else if u32::from(count) >= max {
                        full_months |= 1 << month;
                    }
                }
            }

            let start = pool.towns.len();
            for town in &profile.service_area {
                let key = town_key(town);
                if !key.is_empty() {
                    let id = intern(&mut pool.town_ids, key);
                    pool.towns.push(id);
                }
            }
            let towns = span(start, pool.towns.len());
            let town_bits = towns
                .of(&pool.towns)
                .iter()
                .filter(|&&id| id < TOWN_SETS)
                .fold(0u64, |bits, &id| bits | 1 << id);

            let mut facts = profile.german_level as u32;
            for (flag, set) in [
                (fact::TRAINED, profile.training == TrainingStatus::Trained),
                (fact::PLEDGE, profile.pledge_signed),
                (fact::BOUNCING, profile.email_bouncing),
                (fact::RAGGED, ragged),
                (
                    fact::MANY_TOWNS,
                    towns.of(&pool.towns).iter().any(|&id| id >= TOWN_SETS),
                ),
                (fact::MONTHS_UNSORTED, !months_sorted),
                (fact::ODD_ABSENCES, odd_absences),
                (fact::MONTHLY_MAX, profile.max_assignments_per_month.is_some()),
            ] {
                if set {
                    facts |= flag;
                }
            }
            for &mode in &profile.modes {
                facts |= mode_bit(mode);
            }
            for &setting in &profile.excluded_settings {
                facts |= setting_bit(setting);
            }
            facts |= gender_code(profile.gender) << fact::GENDER;

            pool.rows.push(Row {
                languages,
                slots,
                absences,
                towns,
            });
            let active = u32::try_from(pool.no_language.len()).expect("fewer than 2³² volunteers");
            pool.no_language.push(Exclusion {
                volunteer_id,
                rule: Rule::Language,
            });

            groups.clear();
            groups.extend(languages.of(&pool.languages).iter().map(|spoken| spoken.group));
            groups.sort_unstable();
            groups.dedup();
            for &code in &groups {
                let mut in_group = languages.of(&pool.languages).iter().filter(|s| s.group == code);
                let spoken = *in_group.next().expect("a language of the group");
                let more = in_group.next().is_some();
                let group = pool.groups.entry(code).or_default();
                group.active.push(active);
                group
                    .position
                    .push(u32::try_from(position).expect("fewer than 2³² volunteers"));
                group.ids.push(volunteer_id);
                group
                    .facts
                    .push(if more { facts | fact::MORE_LANGUAGES } else { facts });
                group.later.push(Later {
                    absence_hull,
                    commitments,
                    monthly_max: profile.max_assignments_per_month.unwrap_or(0),
                    reliability: score::reliability(profile.offers),
                    spoken,
                });
                pending.entry(code).or_default().push(Pending {
                    mask,
                    absent,
                    busy,
                    full_months,
                    uncounted_months,
                    towns: town_bits,
                });
            }
        }

        let town_sets = pool.town_ids.len().min(TOWN_SETS as usize);
        for (code, speakers) in pending {
            let group = pool.groups.get_mut(&code).expect("a group for every speaker");
            let words = speakers.len().div_ceil(64);
            group.words = words;
            group.masks = (0..MASK_WORDS)
                .flat_map(|word| speakers.iter().map(move |speaker| speaker.mask[word]))
                .collect();
            // `count` sets; `members` gives the sets a speaker is in, one bit each.
            let sets = |count: usize, members: &dyn Fn(&Pending) -> u128| {
                let mut sets = vec![0u64; count * words];
                for (speaker, pending) in speakers.iter().enumerate() {
                    let mut bits = members(pending);
                    while bits != 0 {
                        let set = bits.trailing_zeros() as usize;
                        sets[set * words + speaker / 64] |= 1 << (speaker % 64);
                        bits &= bits - 1;
                    }
                }
                sets
            };
            group.absent = sets(DAYS as usize, &|p| p.absent);
            group.busy = sets(DAYS as usize, &|p| p.busy);
            group.month_full = sets(MONTHS as usize, &|p| p.full_months.into());
            group.month_uncounted = sets(MONTHS as usize, &|p| p.uncounted_months.into());
            group.serves = sets(town_sets, &|p| p.towns.into());
        }
        pool
    }

    /// Number of volunteers.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Ranks the pool for one request: the same [`Ranking`] as [`crate::rank`] on the profiles
    /// the pool was compiled from when `limit` is `None`. With `Some(k)` the candidates are only
    /// the best `k` (in the same order); `excluded` is always complete.
    pub fn rank(
        &self,
        request: &RequestSpec,
        now: DateTime<Utc>,
        config: &MatchConfig,
        limit: Option<usize>,
    ) -> Ranking {
        let query = self.query(request, now, config);
        let empty = Group::default();
        let (group, language_block) = match self.groups.get(&query.group) {
            Some(group) => (group, group.language_block.get_or_init(|| self.language_block(group))),
            None => (&empty, &self.no_language),
        };
        let sets = Sets::new(group, &query);

        // Each speaker's first broken rule, or `CANDIDATE`.
        let outcomes = self.outcomes(group, &sets, &query);
        let mut counts = [0usize; OUTCOMES];
        for &outcome in &outcomes {
            counts[usize::from(outcome)] += 1;
        }
        let mut candidates: Vec<Scored> = Vec::with_capacity(counts[CANDIDATE]);
        for (speaker, &outcome) in outcomes.iter().enumerate() {
            if usize::from(outcome) == CANDIDATE {
                candidates.push(self.evaluate(group, speaker, &query, config));
            }
        }

        // Everyone is excluded but the candidates: first the inactive, then the active who do
        // not speak the language, then the speakers by rule (a counting sort), each block in
        // position order.
        let mut excluded = Vec::with_capacity(self.rows.len());
        excluded.extend_from_slice(&self.not_active);
        excluded.extend_from_slice(language_block);
        let mut next = [0usize; OUTCOMES];
        let mut start = 0;
        for (outcome, count) in counts.iter().enumerate() {
            next[outcome] = start;
            start += count;
        }
        let mut by_rule = vec![0u32; outcomes.len()];
        for (speaker, &outcome) in outcomes.iter().enumerate() {
            let slot = &mut next[usize::from(outcome)];
            by_rule[*slot] = speaker as u32;
            *slot += 1;
        }
        let mut from = 0;
        for (&rule, &count) in Rule::ALL.iter().zip(&counts) {
            excluded.extend(by_rule[from..from + count].iter().map(|&speaker| Exclusion {
                volunteer_id: group.ids[speaker as usize],
                rule,
            }));
            from += count;
        }

        if let Some(limit) = limit
            && limit < candidates.len()
        {
            if limit > 0 {
                candidates.select_nth_unstable_by(limit - 1, best_first);
            }
            candidates.truncate(limit);
        }
        candidates.sort_unstable_by(best_first);
        Ranking {
            candidates: candidates
                .into_iter()
                .map(|scored| RankedCandidate {
                    volunteer_id: group.ids[scored.speaker as usize],
                    score: scored.score,
                    parts: scored.parts,
                    language_fit: scored.fit,
                })
                .collect(),
            excluded,
        }
    }

    /// The active volunteers who do not speak a language of the group, excluded by `language`.
    fn language_block(&self, group: &Group) -> Vec<Exclusion> {
        let mut block = Vec::with_capacity(self.no_language.len() - group.len());
        let mut from = 0;
        for &speaker in &group.active {
            block.extend_from_slice(&self.no_language[from..speaker as usize]);
            from = speaker as usize + 1;
        }
        block.extend_from_slice(&self.no_language[from..]);
        block
    }

    fn query<'a>(&self, request: &'a RequestSpec, now: DateTime<Utc>, config: &MatchConfig) -> Query<'a> {
        let starts_at = request.starts_at;
        let ends_at = request.ends_at();
        let buffer = Duration::minutes(i64::from(config.travel_buffer_minutes));
        let on_site = request.mode == Mode::OnSite;
        let buffered_start = starts_at.checked_sub_signed(buffer).unwrap_or(DateTime::<Utc>::MIN_UTC);
        let buffered_end = ends_at.checked_add_signed(buffer).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let first_day = day_number(starts_at.with_timezone(&POOL_TZ).date_naive());
        let last_day = day_number(last_local_day(starts_at, ends_at));
        let month = month_key(starts_at);
        let town = on_site
            .then(|| request.town.as_deref().map(town_key).filter(|key| !key.is_empty()))
            .flatten()
            .map(|key| self.town_ids.get(&key).copied());
        Query {
            request,
            ends_at,
            code: request.language,
            group: request.language.group(),
            min_german: config.min_german as u32,
            untrained_allowed: config.settings_open_to_untrained.contains(&request.setting),
            need: Need::new(starts_at, ends_at),
            first_day,
            last_day,
            on_site,
            plain: (stamp(starts_at), stamp(ends_at)),
            buffered: (stamp(buffered_start), stamp(buffered_end)),
            month,
            mode: mode_bit(request.mode),
            town,
            setting: setting_bit(request.setting),
            gender_required: request
                .gender_preference
                .filter(|preference| preference.strength == GenderStrength::Required)
                .map(|preference| gender_code(Some(preference.gender))),
            dialects: match request.dialect.as_deref().and_then(score::dialect_key) {
                Some(requested) => self
                    .dialects
                    .iter()
                    .map(|spoken| score::dialect_keys_match(&requested, spoken))
                    .collect(),
                None => Vec::new(),
            },
            client: request
                .client_ref
                .as_deref()
                .map(score::client_key)
                .filter(|key| !key.is_empty())
                .and_then(|key| self.client_ids.get(&key).copied()),
            now: stamp(now),
            since: stamp(now - Duration::days(FAIRNESS_WINDOW_DAYS)),
            absent_days: all_in_sets(
                i64::from(first_day - self.first_local_day),
                i64::from(last_day - self.first_local_day),
            ),
            busy_days: all_in_sets(
                utc_day(buffered_start) - self.first_utc_day,
                utc_day(buffered_end) - self.first_utc_day,
            ),
            month_set: usize::try_from(month - self.first_month)
                .ok()
                .filter(|&month| month < MONTHS as usize),
        }
    }

    /// Every speaker's first broken rule (as its index in [`Rule::ALL`]), or [`CANDIDATE`].
    ///
    /// Two passes. The first reads the facts and the weekly mask of every speaker and has no
    /// branch that depends on the speaker (which would be mispredicted about once a speaker):
    /// each of those rules sets a bit when broken, the lowest bit is the outcome. Most speakers
    /// are decided there; the few left go through [`CompiledPool::first_violation`].
    fn outcomes(&self, group: &Group, sets: &Sets, query: &Query) -> Vec<u8> {
        const fn bit(rule: Rule) -> u32 {
            1 << rule as u32
        }
        let len = group.len();
        let need: Vec<(&[u64], u64)> = query.need.as_ref().map_or_else(Vec::new, |need| {
            need.words
                .iter()
                .map(|&(word, bits)| (&group.masks[word * len..][..len], bits))
                .collect()
        });
        // An empty appointment is covered by nothing.
        let coverable = u32::from(query.need.is_some());
        let ragged_request = u32::from(query.need.as_ref().is_some_and(|need| !need.aligned));
        let untrained_barred = u32::from(!query.untrained_allowed);

        let mut outcomes = vec![0u8; len];
        let mut undecided = vec![0u32; len];
        let mut left = 0;
        for (speaker, (&facts, outcome)) in group.facts.iter().zip(&mut outcomes).enumerate() {
            let flag = |flag: u32| u32::from(facts & flag != 0);
            let mut covered = coverable;
            for &(column, bits) in &need {
                covered &= u32::from(column[speaker] & bits == bits);
            }
            // A ragged boundary may still be covered: the second pass looks.
            let unsure = (1 - covered) & ragged_request & flag(fact::RAGGED);
            let broken = (u32::from(facts & fact::GERMAN < query.min_german) * bit(Rule::GermanLevel))
                | (((1 - flag(fact::TRAINED)) & untrained_barred) * bit(Rule::Untrained))
                | ((1 - flag(fact::PLEDGE)) * bit(Rule::NoPledge))
                | (flag(fact::BOUNCING) * bit(Rule::EmailBouncing))
                | (((1 - covered) & (1 - unsure)) * bit(Rule::Unavailable))
                | (1 << CANDIDATE);
            let first = broken.trailing_zeros();
            *outcome = first as u8;
            undecided[left] = speaker as u32;
            left += usize::from(first as usize == CANDIDATE);
        }
        for &speaker in &undecided[..left] {
            let speaker = speaker as usize;
            outcomes[speaker] = self
                .first_violation(group, sets, speaker, query)
                .map_or(CANDIDATE as u8, |rule| rule as u8);
        }
        outcomes
    }

    /// The rules after `language`, for an active speaker of the language, in [`Rule::ALL`] order.
    fn first_violation(&self, group: &Group, sets: &Sets, speaker: usize, query: &Query) -> Option<Rule> {
        let facts = group.facts[speaker];
        if facts & fact::GERMAN < query.min_german {
            return Some(Rule::GermanLevel);
        }
        if facts & fact::TRAINED == 0 && !query.untrained_allowed {
            return Some(Rule::Untrained);
        }
        if facts & fact::PLEDGE == 0 {
            return Some(Rule::NoPledge);
        }
        if facts & fact::BOUNCING != 0 {
            return Some(Rule::EmailBouncing);
        }
        if !self.available(group, speaker, facts, query) {
            return Some(Rule::Unavailable);
        }
        let absent = match &sets.absent {
            Some(set) if facts & fact::ODD_ABSENCES == 0 => has(set, speaker),
            _ => self.absent(group, speaker, query),
        };
        if absent {
            return Some(Rule::Absent);
        }
        let maybe_busy = sets.busy.as_ref().is_none_or(|set| has(set, speaker));
        if maybe_busy && overlaps(group.later[speaker].commitments.of(&self.commitments), query) {
            return Some(Rule::OverlappingAssignment);
        }
        if facts & fact::MONTHLY_MAX != 0 {
            let full = match sets.month {
                Some((full, uncounted)) if !has(uncounted, speaker) => has(full, speaker),
                _ => self.month_full(group, speaker, facts, query),
            };
            if full {
                return Some(Rule::MonthlyMaximum);
            }
        }
        if facts & query.mode == 0 {
            return Some(Rule::Mode);
        }
        if let Some(town) = query.town {
            let served = match (town, sets.town) {
                (Some(_), Some(set)) => has(set, speaker),
                (Some(town), None) => {
                    facts & fact::MANY_TOWNS != 0
                        && self.rows[group.position[speaker] as usize]
                            .towns
                            .of(&self.towns)
                            .contains(&town)
                }
                (None, _) => false,
            };
            if !served {
                return Some(Rule::Town);
            }
        }
        if facts & query.setting != 0 {
            return Some(Rule::SettingExcluded);
        }
        if let Some(gender) = query.gender_required
            && (facts >> fact::GENDER) & 0b11 != gender
        {
            return Some(Rule::GenderRequired);
        }
        None
    }

    fn available(&self, group: &Group, speaker: usize, facts: u32, query: &Query) -> bool {
        let Some(need) = &query.need else {
            return false;
        };
        let len = group.len();
        if need
            .words
            .iter()
            .all(|&(word, bits)| group.masks[word * len + speaker] & bits == bits)
        {
            return true;
        }
        // Whole quarters missing decide it, unless a partly available quarter may still hold a
        // ragged appointment boundary.
        if need.aligned || facts & fact::RAGGED == 0 {
            return false;
        }
        let row = &self.rows[group.position[speaker] as usize];
        slots_cover(row.slots.of(&self.slots), query.request.starts_at, query.ends_at)
    }

    /// The absence rule on the absences themselves.
    fn absent(&self, group: &Group, speaker: usize, query: &Query) -> bool {
        let (lo, hi) = group.later[speaker].absence_hull;
        query.first_day <= hi
            && lo <= query.last_day
            && self.rows[group.position[speaker] as usize]
                .absences
                .of(&self.absences)
                .iter()
                .any(|&(from, to)| query.first_day <= to && from <= query.last_day)
    }

    /// The monthly rule on the assignments themselves.
    fn month_full(&self, group: &Group, speaker: usize, facts: u32, query: &Query) -> bool {
        let later = &group.later[speaker];
        let held = later.commitments.of(&self.commitments);
        let in_month = if facts & fact::MONTHS_UNSORTED == 0 {
            held.partition_point(|c| c.month <= query.month) - held.partition_point(|c| c.month < query.month)
        } else {
            held.iter().filter(|c| c.month == query.month).count()
        };
        in_month >= later.monthly_max as usize
    }

    fn evaluate(&self, group: &Group, speaker: usize, query: &Query, config: &MatchConfig) -> Scored {
        let later = &group.later[speaker];
        let position = group.position[speaker];
        let value = |spoken: &Spoken| {
            let fit = if spoken.code == query.code {
                LanguageFit::Exact
            } else {
                LanguageFit::Macrolanguage
            };
            let dialect = spoken
                .dialect
                .is_some_and(|id| query.dialects.get(id as usize) == Some(&true));
            (score::language_value(spoken.proficiency, fit, dialect), fit)
        };
        let (language, fit) = if group.facts[speaker] & fact::MORE_LANGUAGES == 0 {
            value(&later.spoken)
        } else {
            self.rows[position as usize]
                .languages
                .of(&self.languages)
                .iter()
                .filter(|spoken| spoken.group == query.group)
                .map(value)
                .max_by(score::better_language)
                .expect("a speaker of the group has a qualifying language")
        };

        // Sorted by start, and few: a scan reads them in order, where a binary search would
        // wait for each probe.
        let held = later.commitments.of(&self.commitments);
        let past = held.iter().take_while(|c| c.start < query.now).count();
        // Fairness counts the window's assignments and all those still to come.
        let recent = held.len() - held.iter().take_while(|c| c.start < query.since).count();
        let past = &held[..past];
        let served = query
            .client
            .is_some_and(|client| past.iter().any(|c| c.client == Some(client)))
            || query.request.client_served_by.contains(&group.ids[speaker]);
        let gender = match (group.facts[speaker] >> fact::GENDER) & 0b11 {
            0 => None,
            code => Some(Gender::ALL[code as usize - 1]),
        };
        let parts = ScoreParts {
            language,
            continuity: score::continuity_of(served),
            fairness: score::fairness(recent),
            reliability: later.reliability,
            gender: score::gender(query.request, gender),
            experience: score::experience_of(past.iter().filter(|c| c.setting == query.request.setting).count()),
            scarcity: config.demand.scarcity(
                query.code,
                self.rows[position as usize]
                    .languages
                    .of(&self.languages)
                    .iter()
                    .map(|spoken| spoken.code),
            ),
        };
        Scored {
            speaker: speaker as u32,
            position,
            score: parts.weighted_total(&config.weights),
            recent,
            parts,
            fit,
        }
    }
}

/// Whether a commitment (sorted by start) overlaps the request: half-open intervals, widened by
/// the travel buffer when either side is on site.
fn overlaps(held: &[Held], query: &Query) -> bool {
    let (buffered_start, buffered_end) = query.buffered;
    let before_end = held.partition_point(|c| c.start < buffered_end);
    for c in held[..before_end].iter().rev() {
        if c.latest_end <= buffered_start {
            // Neither this nor any earlier one ends after the (widest) window starts.
            break;
        }
        let (start, end) = if query.on_site || c.on_site {
            query.buffered
        } else {
            query.plain
        };
        if c.start < end && start < c.end {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{Commitment, rank};
    use lp_core::time::DateRange;

    /// The compiled pool agrees with `rank`, however far from the request it was compiled.
    fn assert_agrees(pool: &[Profile], request: &RequestSpec, config: &MatchConfig) -> Ranking {
        let expected = rank(request, pool, now(), config);
        for compiled_at in [now(), now() - Duration::days(400), now() + Duration::days(400)] {
            let compiled = CompiledPool::new(pool, compiled_at);
            assert_eq!(compiled.len(), pool.len());
            assert_eq!(
                compiled.rank(request, now(), config, None),
                expected,
                "compiled at {compiled_at}"
            );
        }
        expected
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn all_day_every_day() -> Vec<WeeklySlot> {
        lp_core::time::WEEKDAYS
            .into_iter()
            .map(|weekday| WeeklySlot {
                weekday,
                start_minute: 0,
                end_minute: 24 * 60,
            })
            .collect()
    }

    #[test]
    fn a_compiled_pool_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<CompiledPool>();
    }

    #[test]
    fn empty_pool_and_unspoken_language() {
        let config = MatchConfig::default();
        let ranking = assert_agrees(&[], &request(), &config);
        assert!(ranking.candidates.is_empty() && ranking.excluded.is_empty());
        let tigrinya = RequestSpec {
            language: lang("tir"),
            ..request()
        };
        let ranking = assert_agrees(&[profile(2), profile(1)], &tigrinya, &config);
        let excluded: Vec<_> = ranking.excluded.iter().map(|e| (e.rule, e.volunteer_id)).collect();
        assert_eq!(excluded, vec![(Rule::Language, id(1)), (Rule::Language, id(2))]);
    }

    #[test]
    fn inputs_the_api_never_builds_still_agree() {
        // The fields are public, so a caller could build what parsing rejects.
        let config = MatchConfig::default();
        let three_days = RequestSpec {
            duration_minutes: 3 * 24 * 60,
            ..request()
        };
        let mut reversed_absence = profile(1);
        reversed_absence.absences = vec![DateRange {
            from: day("2026-12-05"),
            to: day("2026-12-04"),
        }];
        let mut reversed_commitment = profile(2);
        reversed_commitment.commitments = vec![Commitment {
            ends_at: at("2026-12-03 10:00"),
            ..commitment("2026-12-03 11:00", 0, true)
        }];
        let mut odd_slots = profile(3);
        odd_slots.availability = vec![
            WeeklySlot {
                weekday: chrono::Weekday::Thu,
                start_minute: 600,
                end_minute: 2000,
            },
            WeeklySlot {
                weekday: chrono::Weekday::Thu,
                start_minute: 700,
                end_minute: 500,
            },
        ];
        let mut always = profile(4);
        always.availability = all_day_every_day();
        reversed_absence.availability = always.availability.clone();
        let pool = [reversed_absence, reversed_commitment, odd_slots, always];
        let ranking = assert_agrees(&pool, &request(), &config);
        let rules: Vec<_> = ranking.excluded.iter().map(|e| (e.volunteer_id, e.rule)).collect();
        assert_eq!(rules, vec![(id(2), Rule::OverlappingAssignment)]);
        // Read as `rank` reads it, a reversed absence still touches a span holding both ends.
        let ranking = assert_agrees(&pool, &three_days, &config);
        let rules: Vec<_> = ranking.excluded.iter().map(|e| (e.volunteer_id, e.rule)).collect();
        assert_eq!(
            rules,
            vec![
                (id(2), Rule::Unavailable),
                (id(3), Rule::Unavailable),
                (id(1), Rule::Absent)
            ]
        );
        let empty = RequestSpec {
            duration_minutes: 0,
            ..request()
        };
        let ranking = assert_agrees(&pool, &empty, &config);
        assert!(ranking.excluded.iter().all(|e| e.rule == Rule::Unavailable));
    }

    /// Found by `compiled_pool_agrees_when_ids_repeat`: a week-long job over the spring-forward
    /// Sunday never needs 02:00–03:00 on Sunday, which that day does not have; two weeks do.
    #[test]
    fn a_week_over_the_spring_forward_sunday_does_not_need_its_missing_hour() {
        let config = MatchConfig::default();
        let mut free_but_sunday_night = profile(1);
        free_but_sunday_night.availability = all_day_every_day()
            .into_iter()
            .filter(|slot| slot.weekday != chrono::Weekday::Sun)
            .chain([(0, 120), (180, 24 * 60)].map(|(start_minute, end_minute)| WeeklySlot {
                weekday: chrono::Weekday::Sun,
                start_minute,
                end_minute,
            }))
            .collect();
        // Saturday 27 March 2027, 04:46, until Sunday 4 April, 00:01.
        let week = RequestSpec {
            starts_at: at("2027-03-27 04:46"),
            duration_minutes: 11_175,
            ..request()
        };
        let ranking = assert_agrees(std::slice::from_ref(&free_but_sunday_night), &week, &config);
        assert_eq!(ranking.candidates.len(), 1, "{:?}", ranking.excluded);
        let fortnight = RequestSpec {
            duration_minutes: 15 * 24 * 60,
            ..week
        };
        let ranking = assert_agrees(&[free_but_sunday_night], &fortnight, &config);
        assert_eq!(
            ranking.excluded.iter().map(|e| e.rule).collect::<Vec<_>>(),
            vec![Rule::Unavailable]
        );
    }

    #[test]
    fn a_month_too_full_for_the_summary_is_counted() {
        let config = MatchConfig::default();
        let mut busy = profile(1);
        // 300 hour-long assignments from 10 December on, none near the request.
        busy.commitments = (0..300)
            .map(|hour| {
                let starts_at = at("2026-12-10 00:00") + Duration::hours(hour / 20 * 24 + hour % 20);
                Commitment {
                    starts_at,
                    ends_at: starts_at + Duration::minutes(30),
                    ..commitment("2026-12-10 00:00", 30, false)
                }
            })
            .collect();
        busy.max_assignments_per_month = Some(280);
        let ranking = assert_agrees(&[busy.clone()], &request(), &config);
        assert_eq!(ranking.excluded[0].rule, Rule::MonthlyMaximum);
        busy.max_assignments_per_month = Some(301);
        assert_eq!(assert_agrees(&[busy], &request(), &config).candidates.len(), 1);
    }

    #[test]
    fn towns_beyond_the_first_sixty_four_are_served() {
        let config = MatchConfig::default();
        let pool: Vec<Profile> = (0..70u128)
            .map(|n| {
                let mut p = profile(n + 1);
                p.service_area = vec![format!("Town {n}"), format!("Town {}", n + 1)];
                p
            })
            .collect();
        for n in [0, 63, 64, 69, 70] {
            let request = RequestSpec {
                town: Some(format!("town {n} ")),
                ..request()
            };
            let ranking = assert_agrees(&pool, &request, &config);
            assert_eq!(
                ranking.candidates.len(),
                if n == 0 || n == 70 { 1 } else { 2 },
                "town {n}"
            );
        }
    }

    #[test]
    fn limit_gives_the_best_in_the_same_order() {
        let config = MatchConfig::default();
        let pool: Vec<Profile> = (1..=40u128)
            .map(|n| {
                let mut p = profile(n);
                p.offers.accepted = (n % 7) as u32;
                p.offers.ignored = (n % 3) as u32;
                p
            })
            .collect();
        let full = assert_agrees(&pool, &request(), &config);
        let compiled = CompiledPool::new(&pool, now());
        for limit in [0, 1, 5, 39, 40, 41] {
            let top = compiled.rank(&request(), now(), &config, Some(limit));
            assert_eq!(top.candidates, full.candidates[..limit.min(40)]);
            assert_eq!(top.excluded, full.excluded);
        }
    }
}
