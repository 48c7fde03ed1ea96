//! The synthetic year: a pool shaped like a mid-size German town's, a year of requests from
//! caseworkers, and how each volunteer answers offers. Everything follows from the seed.
//!
//! The pool's shape follows the asylum statistics and the arrivals from Ukraine (many Arabic,
//! Dari/Farsi, Kurmanji, Turkish and Ukrainian speakers; few Tigrinya, Somali and Pashto ones),
//! the tables are pared down from `linguapool demo`. Over the year volunteers pause, retire,
//! and let their training expire; applicants and volunteers whose training runs out attend the
//! basic courses and refreshers the coordinator schedules.
//!
//! The behaviour model: each volunteer has an acceptance chance (mean 0.65, spread 0.15), a
//! chance to ignore an offer (10–50 % of the non-acceptances) and a typical reading delay
//! (log-normal, median 35 minutes). Each assignment already held in the appointment's week
//! multiplies the acceptance chance by 0.7; one offer's delay scatters log-normally around the
//! typical one, and an answer that would fall between 22:00 and 07:00 comes the next morning.
//!
//! Answers to offers are drawn per (request, volunteer) pair from a hash of the seed, not from
//! a shared random stream, so every strategy that offers request `r` to volunteer `v` sees the
//! same coin flip and the same reading delay: the strategies are compared on the same year.

use chrono::{DateTime, Datelike, Days, Duration, Months, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use lp_core::LanguageCode;
use lp_core::time::{DateRange, POOL_TZ, WeeklySlot, local_to_utc};
use lp_core::vocab::{
    Gender, GenderStrength, GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus,
};
use lp_matcher::{Commitment, GenderPreference, OfferHistory, Profile, RequestSpec, SpokenLanguage};
use lp_registry::training::training_info;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The simulated calendar year.
pub const YEAR: i32 = 2026;

/// A volunteer: the matcher's profile plus what changes over the year and how they answer.
#[derive(Debug, Clone)]
pub struct Volunteer {
    /// Status, training and pledge are placeholders: see [`Volunteer::facts_on`]. No
    /// commitments; the strategies add them as they assign.
    pub profile: Profile,
    pub timeline: Timeline,
    pub behaviour: Behaviour,
}

/// The facts about a volunteer that change on known days of the year.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub initial_status: VolunteerStatus,
    /// Status changes in date order, each in force from its day on.
    pub status_changes: Vec<(NaiveDate, VolunteerStatus)>,
    /// Completed trainings (basic courses and refreshers), in date order.
    pub trainings: Vec<NaiveDate>,
    pub pledge_signed_on: Option<NaiveDate>,
}

/// Status, training and pledge on one day, as the service derives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: VolunteerStatus,
    pub training: TrainingStatus,
    pub pledge_signed: bool,
}

/// How a volunteer answers an offer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Behaviour {
    /// Chance of accepting an offer that fits the declared availability, when not busy.
    pub accept: f64,
    /// Chance of letting an offer expire unanswered; the rest is an honest "no".
    pub ignore: f64,
    /// Typical time from the offer mail to the answer (daytime).
    pub median_delay_minutes: f64,
}

/// What a volunteer does with one offer, and when the answer arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Accept(DateTime<Utc>),
    Decline(DateTime<Utc>),
    /// Lets the offer expire.
    Ignore,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub spec: RequestSpec,
    /// When the caseworker files it, and the search starts.
    pub created_at: DateTime<Utc>,
    /// When the search gives up, as the service computes it without an explicit `fill_by`.
    pub fill_by: DateTime<Utc>,
    pub urgent: bool,
}

#[derive(Debug, Clone)]
pub struct World {
    pub volunteers: Vec<Volunteer>,
    /// Sorted by creation time.
    pub requests: Vec<Request>,
    answer_seed: u64,
}

impl Volunteer {
    /// Status, training and pledge on `day`; training status by the registry's own rule.
    pub fn facts_on(&self, day: NaiveDate, validity_months: u32) -> Facts {
        let timeline = &self.timeline;
        let training = training_info(timeline.last_training_on(day), day, validity_months).status;
        Facts {
            status: timeline.status_on(day),
            training,
            pledge_signed: timeline.pledge_signed_on.is_some_and(|on| on <= day),
        }
    }
}

impl Timeline {
    pub fn status_on(&self, day: NaiveDate) -> VolunteerStatus {
        self.status_changes
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map_or(self.initial_status, |&(_, status)| status)
    }

    /// The last basic course or refresher attended by `day`.
    pub fn last_training_on(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.trainings.iter().rev().find(|&&on| on <= day).copied()
    }
}

/// Writes the day's facts into a profile.
pub fn apply_facts(profile: &mut Profile, facts: Facts) {
    profile.status = facts.status;
    profile.training = facts.training;
    profile.pledge_signed = facts.pledge_signed;
}

/// The local calendar day of an instant.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&POOL_TZ).date_naive()
}

/// The shape of the simulated town.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Town {
    /// Ludwigsburg-like: 70 volunteers in some forty languages, about 1,000 requests a year.
    #[default]
    Default,
    /// The default town, well staffed: everyone at B1 or better, 70 % serving the whole
    /// district (a Deutschlandticket for all).
    Staffed,
    /// Freiburg-like: 360 volunteers in 90 languages, 20,000 requests a year.
    Large,
}

impl Town {
    pub const ALL: [Town; 3] = [Town::Default, Town::Staffed, Town::Large];

    pub fn as_str(self) -> &'static str {
        match self {
            Town::Default => "default",
            Town::Staffed => "staffed",
            Town::Large => "large",
        }
    }

    /// The town's pool size.
    pub fn volunteers(self) -> usize {
        match self {
            Town::Default | Town::Staffed => 70,
            Town::Large => 360,
        }
    }

    /// The town's requests a year.
    pub fn requests(self) -> usize {
        match self {
            Town::Default | Town::Staffed => 1000,
            Town::Large => 20_000,
        }
    }

    /// Share of volunteers serving every town on site; the rest serve their own and up to two
    /// nearby.
    fn whole_area_share(self) -> f64 {
        match self {
            Town::Staffed => 0.7,
            Town::Default | Town::Large => 0.4,
        }
    }
}

impl std::str::FromStr for Town {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Town::ALL
            .into_iter()
            .find(|town| town.as_str() == text)
            .ok_or_else(|| format!("unknown town `{text}`: default, staffed or large"))
    }
}

impl World {
    /// The default town's year with `volunteers` and `requests`.
    pub fn generate(seed: u64, volunteers: usize, requests: usize) -> World {
        World::generate_town(Town::Default, seed, volunteers, requests)
    }

    /// A year of `town`'s shape with `volunteers` and `requests` (see [`Town::volunteers`] and
    /// [`Town::requests`] for its own). The default town draws exactly as it always did.
    pub fn generate_town(town: Town, seed: u64, volunteers: usize, requests: usize) -> World {
        let mut rng = StdRng::seed_from_u64(seed);
        let (pool, languages): (Vec<Volunteer>, Vec<(u32, &str)>) = match town {
            Town::Large => {
                // Every rare language has one speaker; the others come from the communities.
                let rare = RARE_LANGUAGES.len().min(volunteers);
                let mut pool = pool_shaped(&mut rng, volunteers - rare, YEAR, town);
                let year_start = date(YEAR, 1, 1);
                let sessions = training_sessions(YEAR);
                for &code in &RARE_LANGUAGES[..rare] {
                    pool.push(volunteer(&mut rng, &RARE, (code, None), year_start, &sessions, town));
                }
                pool.shuffle(&mut rng);
                // A tenth of the requests in the rare languages.
                let mut languages: Vec<(u32, &str)> = REQUESTED_LANGUAGES.iter().map(|&(w, l)| (10 * w, l)).collect();
                languages.extend(RARE_LANGUAGES[..rare].iter().map(|&l| (RARE_REQUEST_WEIGHT, l)));
                (pool, languages)
            }
            Town::Default | Town::Staffed => (
                pool_shaped(&mut rng, volunteers, YEAR, town),
                REQUESTED_LANGUAGES.to_vec(),
            ),
        };
        let requests = requests_in(&mut rng, date(YEAR, 1, 1), date(YEAR, 12, 31), requests, &languages);
        World {
            volunteers: pool,
            requests,
            answer_seed: rng.random(),
        }
    }

    /// A world of a pool and requests made elsewhere, e.g. the past that `linguapool demo`
    /// replays for a big pool's history; `requests` sorted by creation time.
    pub fn new(volunteers: Vec<Volunteer>, requests: Vec<Request>, answer_seed: u64) -> World {
        debug_assert!(requests.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        World {
            volunteers,
            requests,
            answer_seed,
        }
    }

    /// How volunteer `v` answers the offer of request `r` sent at `sent_at`. `busy` is the
    /// number of assignments the volunteer already holds in the appointment's week: each makes
    /// a "yes" less likely.
    ///
    /// The draws depend only on the seed, `r` and `v`, so every strategy sees the same ones.
    pub fn answer(&self, r: usize, v: usize, sent_at: DateTime<Utc>, busy: usize) -> Reply {
        let behaviour = self.volunteers[v].behaviour;
        let mut draws = self.draws(r, v);
        let (coin, z, jitter) = (draws.uniform(), draws.normal(), draws.uniform());
        let accept = behaviour.accept * BUSY_FACTOR.powi(busy.min(BUSY_CAP) as i32);
        if coin >= 1.0 - behaviour.ignore {
            return Reply::Ignore;
        }
        let arrives = after_the_night(sent_at + reading_delay(behaviour, z), jitter);
        if coin < accept {
            Reply::Accept(arrives)
        } else {
            Reply::Decline(arrives)
        }
    }

    /// Whether volunteer `v` would say yes to request `r` when not busy that week: the
    /// clairvoyant's view, for the bound that knows every answer in advance.
    pub fn would_accept(&self, r: usize, v: usize) -> bool {
        self.draws(r, v).uniform() < self.volunteers[v].behaviour.accept
    }

    /// The most assignments volunteer `v` may already hold in the appointment's week and
    /// still say yes to request `r` ([`BUSY_CAP`] or more: any number), or `None` if `v` would
    /// not say yes even when not busy: the answer of [`World::answer`] read for every `busy`.
    pub fn most_held_for_yes(&self, r: usize, v: usize) -> Option<usize> {
        let coin = self.draws(r, v).uniform();
        let accept = self.volunteers[v].behaviour.accept;
        (0..=BUSY_CAP)
            .take_while(|&busy| coin < accept * BUSY_FACTOR.powi(busy as i32))
            .last()
    }

    /// The earliest a "yes" of volunteer `v` to request `r` can arrive when the offer goes out
    /// at `sent_at` or later, or `None` if `v` would not say yes even when not busy that week.
    /// The reading delay of the pair is fixed, and an answer never comes at night: sent later,
    /// an answer due at night could at best come at 07:00 sharp.
    pub fn earliest_acceptance(&self, r: usize, v: usize, sent_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let behaviour = self.volunteers[v].behaviour;
        let mut draws = self.draws(r, v);
        let (coin, z) = (draws.uniform(), draws.normal());
        (coin < behaviour.accept).then(|| after_the_night(sent_at + reading_delay(behaviour, z), 0.0))
    }

    /// The draws of one (request, volunteer) pair: the answer's coin first.
    fn draws(&self, r: usize, v: usize) -> SplitMix {
        SplitMix(
            self.answer_seed
                ^ (r as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)
                ^ (v as u64).wrapping_mul(0x8CB9_2BA7_2F3D_8DD7),
        )
    }
}

/// One offer's reading delay: the volunteer's typical delay, scattered by the pair's draw `z`.
fn reading_delay(behaviour: Behaviour, z: f64) -> Duration {
    let minutes = (behaviour.median_delay_minutes * (DELAY_SPREAD * z).exp()).clamp(1.0, 4.0 * 24.0 * 60.0);
    Duration::seconds((minutes * 60.0) as i64)
}

/// Each assignment already held in the appointment's week multiplies the chance of a "yes".
const BUSY_FACTOR: f64 = 0.7;
/// Assignments in the week beyond this many lower the chance no further.
pub const BUSY_CAP: usize = 10;
/// Spread (log-normal sigma) of one offer's delay around the volunteer's typical delay.
const DELAY_SPREAD: f64 = 0.7;
/// Nobody answers between 22:00 and 07:00: such answers come the next morning.
const NIGHT_STARTS: u32 = 22;
const MORNING: u32 = 7;

fn after_the_night(at: DateTime<Utc>, jitter: f64) -> DateTime<Utc> {
    let local = at.with_timezone(&POOL_TZ);
    let hour = local.hour();
    if (MORNING..NIGHT_STARTS).contains(&hour) {
        return at;
    }
    let day = if hour >= NIGHT_STARTS {
        local.date_naive() + Days::new(1)
    } else {
        local.date_naive()
    };
    let morning = local_to_utc(day, NaiveTime::from_hms_opt(MORNING, 0, 0).expect("07:00"));
    morning + Duration::minutes((jitter * 90.0) as i64)
}

/// A small, fast, well-mixed generator for the per-pair draws (Steele et al.'s SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

// ---------------------------------------------------------------------------------------------
// The pool

/// A language community the volunteers come from.
struct Community {
    /// Volunteers per 70.
    weight: u32,
    /// First languages with an optional variety note; each volunteer gets one.
    first: &'static [(&'static str, Option<&'static str>)],
    first_proficiency: Proficiency,
    /// Further languages, each with the chance that a volunteer speaks it too.
    also: &'static [(&'static str, f64)],
    /// Share of volunteers who grew up in Germany and speak German natively.
    german_native: f64,
}

const fn community(
    weight: u32,
    first: &'static [(&'static str, Option<&'static str>)],
    also: &'static [(&'static str, f64)],
    german_native: f64,
) -> Community {
    Community {
        weight,
        first,
        first_proficiency: Proficiency::Native,
        also,
        german_native,
    }
}

// Weights add up to 70, the default pool. Coordinators recruit where demand is, so the big
// asylum languages have more volunteers than in the general population of the town.
#[rustfmt::skip]
const COMMUNITIES: &[Community] = &[
    community(7, &[("apc", Some("Syrisch, Damaskus")), ("apc", Some("Syrisch, Aleppo")), ("apc", None),
        ("ara", Some("Syrisch"))], &[("eng", 0.4), ("fra", 0.15), ("tur", 0.1)], 0.05),
    community(3, &[("acm", Some("Irakisch, Bagdad")), ("acm", None), ("ayp", Some("Mossul"))],
        &[("ckb", 0.2), ("kmr", 0.15), ("eng", 0.3), ("aii", 0.15)], 0.0),
    community(2, &[("arz", None), ("ary", None), ("aeb", None)], &[("fra", 0.5), ("eng", 0.4)], 0.1),
    community(6, &[("prs", None), ("prs", Some("Kabul")), ("prs", Some("Hazaragi"))],
        &[("pes", 0.4), ("pus", 0.25), ("urd", 0.15), ("eng", 0.3), ("hin", 0.1)], 0.0),
    community(2, &[("pus", None), ("pus", Some("Kandahar"))], &[("prs", 0.8), ("urd", 0.2), ("eng", 0.2)], 0.0),
    community(4, &[("pes", None), ("pes", Some("Teheran"))],
        &[("eng", 0.5), ("azb", 0.15), ("prs", 0.2), ("fra", 0.1)], 0.1),
    community(6, &[("kmr", None), ("kmr", Some("Badini")), ("kmr", Some("Afrin"))],
        &[("tur", 0.5), ("ara", 0.4), ("eng", 0.15), ("zza", 0.1)], 0.1),
    community(2, &[("ckb", None), ("ckb", Some("Sulaimaniyya"))], &[("ara", 0.5), ("pes", 0.3), ("eng", 0.2)], 0.0),
    community(4, &[("tur", None)], &[("kmr", 0.2), ("eng", 0.4), ("azj", 0.05)], 0.5),
    community(7, &[("ukr", None)], &[("rus", 0.8), ("eng", 0.3), ("pol", 0.15), ("hun", 0.05), ("bel", 0.1)], 0.0),
    community(4, &[("rus", None)], &[("ukr", 0.3), ("eng", 0.3)], 0.4),
    community(1, &[("kat", None)], &[("rus", 0.8), ("eng", 0.3)], 0.0),
    community(1, &[("hye", None)], &[("rus", 0.8)], 0.0),
    community(1, &[("azj", None)], &[("rus", 0.7), ("tur", 0.6)], 0.0),
    community(1, &[("che", None)], &[("rus", 0.95)], 0.0),
    community(2, &[("sqi", None), ("als", None), ("aln", Some("Kosovo"))],
        &[("ita", 0.3), ("srp", 0.2), ("eng", 0.3), ("mkd", 0.1)], 0.3),
    community(1, &[("bos", None), ("srp", None), ("hrv", None)], &[("eng", 0.3), ("mkd", 0.1)], 0.5),
    community(1, &[("ron", None)], &[("ita", 0.3), ("spa", 0.2), ("eng", 0.3), ("hun", 0.1)], 0.0),
    community(2, &[("tir", None), ("tir", Some("Eritrea")), ("tir", Some("Tigray"))],
        &[("amh", 0.5), ("ara", 0.3), ("eng", 0.4), ("ita", 0.15)], 0.0),
    community(1, &[("amh", None)], &[("tir", 0.3), ("gaz", 0.3), ("eng", 0.5)], 0.0),
    community(2, &[("som", None)], &[("ara", 0.4), ("eng", 0.5), ("swh", 0.1), ("ita", 0.05)], 0.0),
    community(1, &[("gaz", None)], &[("amh", 0.8), ("eng", 0.4)], 0.0),
    community(2, &[("lin", None), ("wol", None), ("fuf", None)], &[("fra", 0.95), ("swh", 0.1)], 0.0),
    community(2, &[("hau", None), ("yor", None), ("ibo", None)], &[("eng", 0.95), ("fra", 0.2)], 0.0),
    community(1, &[("urd", None)], &[("pan", 0.3), ("eng", 0.8)], 0.0),
    community(1, &[("vie", None)], &[("eng", 0.3)], 0.4),
    Community {
        weight: 3,
        first: &[("eng", None), ("fra", None), ("spa", None)],
        first_proficiency: Proficiency::Fluent,
        also: &[("eng", 0.5), ("fra", 0.3), ("ita", 0.2), ("por", 0.15), ("rus", 0.1)],
        german_native: 1.0,
    },
];

/// A pool of `count` volunteers whose year (status changes, trainings, absences) is `year`.
/// [`World::generate`] draws it first from its seed; `linguapool demo` seeds its registry
/// with it, so the demo and the simulated year are the same town.
pub fn pool(rng: &mut StdRng, count: usize, year: i32) -> Vec<Volunteer> {
    pool_shaped(rng, count, year, Town::Default)
}

fn pool_shaped(rng: &mut StdRng, count: usize, year: i32, town: Town) -> Vec<Volunteer> {
    let year_start = date(year, 1, 1);
    let sessions = training_sessions(year);
    let mut pool = Vec::with_capacity(count);
    for (community, count) in COMMUNITIES.iter().zip(apportion(count)) {
        // A community's first languages go round, so two Balkan volunteers speak two
        // languages rather than maybe the same one twice.
        let offset = rng.random_range(0..community.first.len());
        for i in 0..count {
            let first = community.first[(offset + i) % community.first.len()];
            pool.push(volunteer(rng, community, first, year_start, &sessions, town));
        }
    }
    // Community order must not decide who ranks first on equal scores.
    pool.shuffle(rng);
    pool
}

/// Volunteers per community for a pool of `total`: the weights scaled by largest remainder,
/// so the default pool of 70 is exactly the table.
fn apportion(total: usize) -> Vec<usize> {
    let weight_sum: usize = COMMUNITIES.iter().map(|c| c.weight as usize).sum();
    let exact: Vec<(usize, usize)> = COMMUNITIES
        .iter()
        .map(|c| {
            (
                total * c.weight as usize / weight_sum,
                total * c.weight as usize % weight_sum,
            )
        })
        .collect();
    let mut counts: Vec<usize> = exact.iter().map(|&(whole, _)| whole).collect();
    let mut left = total - counts.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..exact.len()).collect();
    // Stable: on equal remainders the earlier (bigger) community gets the extra volunteer.
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(exact[i].1));
    for i in by_remainder {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

/// The large town's languages with one speaker each: the communities of a big city that a
/// smaller pool does not reach. (Not a member of any group the communities speak.)
#[rustfmt::skip]
const RARE_LANGUAGES: &[&str] = &[
    "tam", "sin", "ben", "nep", "mya", "tha", "khm", "cmn", "kor", "jpn", "ind", "tgl", "mal",
    "tel", "mar", "guj", "uzn", "kaz", "kir", "tgk", "tuk", "khk", "uig", "bul", "ell", "heb",
    "lit", "ces", "slk", "slv", "nld", "kin", "run", "lug", "mlg", "twi", "ewe", "bam", "sna",
];
/// Each rare language's weight among the requested languages scaled by ten.
const RARE_REQUEST_WEIGHT: u32 = 2;
/// Speakers of a rare language: their own language natively, English or French often.
const RARE: Community = community(0, &[], &[("eng", 0.6), ("fra", 0.2)], 0.0);

/// The towns of the pool, weighted by how likely a volunteer lives (or an appointment takes
/// place) there.
pub const TOWNS: &[(u32, &str)] = &[
    (8, "Winnenden"),
    (5, "Waiblingen"),
    (5, "Backnang"),
    (2, "Schwaikheim"),
    (2, "Leutenbach"),
    (1, "Berglen"),
];

type Pattern = &'static [(&'static [&'static str], &'static str, &'static str)];
const WORKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri"];
/// Weekly availability patterns. Pools like this one draw on people with free daytime:
/// students, retirees, parents, part-time and shift workers, job seekers; a few in full-time
/// work can only offer evenings and Saturdays.
#[rustfmt::skip]
const AVAILABILITY: &[(u32, Pattern)] = &[
    (6, &[(WORKDAYS, "08:00", "13:00")]),
    (4, &[(WORKDAYS, "12:00", "18:00")]),
    (2, &[(WORKDAYS, "17:00", "20:00"), (&["sat"], "09:00", "14:00")]),
    (4, &[(&["mon", "wed", "fri"], "08:00", "16:00")]),
    (3, &[(&["tue", "thu"], "08:00", "17:00")]),
    (7, &[(WORKDAYS, "08:00", "18:00")]),
    (1, &[(&["tue", "wed", "thu"], "09:00", "12:30")]),
    (3, &[(WORKDAYS, "08:00", "18:00"), (&["sat"], "09:00", "13:00")]),
];

const MODES: &[(u32, &[Mode])] = &[
    (11, &[Mode::OnSite, Mode::Phone]),
    (4, &[Mode::OnSite, Mode::Phone, Mode::Video]),
    (3, &[Mode::OnSite]),
    (2, &[Mode::Phone, Mode::Video]),
];

const STATUSES: &[(u32, VolunteerStatus)] = &[
    (85, VolunteerStatus::Active),
    (6, VolunteerStatus::Applicant),
    (5, VolunteerStatus::Paused),
    (4, VolunteerStatus::Retired),
];

/// CEFR levels of volunteers who learned German; a few A2 (below the matcher's minimum).
const GERMAN_LEVELS: &[(u32, GermanLevel)] = &[
    (1, GermanLevel::A2),
    (5, GermanLevel::B1),
    (7, GermanLevel::B2),
    (5, GermanLevel::C1),
    (1, GermanLevel::C2),
];

const SECOND_LANGUAGE_LEVELS: &[Proficiency] = &[
    Proficiency::Fluent,
    Proficiency::Fluent,
    Proficiency::Working,
    Proficiency::Working,
    Proficiency::Basic,
];

fn volunteer(
    rng: &mut StdRng,
    community: &Community,
    first: (&str, Option<&str>),
    year_start: NaiveDate,
    sessions: &[Session],
    town: Town,
) -> Volunteer {
    let modes = weighted(rng, MODES).to_vec();
    let service_area = if modes.contains(&Mode::OnSite) {
        towns(rng, town.whole_area_share())
    } else {
        Vec::new()
    };
    let german_level = if rng.random_bool(community.german_native) {
        GermanLevel::Native
    } else {
        match weighted(rng, GERMAN_LEVELS) {
            // The same draw, so the staffed town is the default one with better German.
            GermanLevel::A2 if town == Town::Staffed => GermanLevel::B1,
            level => level,
        }
    };
    let gender = if rng.random_bool(0.55) {
        Gender::Female
    } else {
        Gender::Male
    };
    let profile = Profile {
        volunteer_id: Uuid::from_u128(rng.random()),
        status: VolunteerStatus::Active,
        languages: languages(rng, community, first),
        german_level,
        training: TrainingStatus::Untrained,
        pledge_signed: false,
        // The synthetic town's addresses all work: no simulated bounces.
        email_bouncing: false,
        modes,
        service_area,
        excluded_settings: excluded_settings(rng),
        // A few leave their gender unrecorded; it is only used for gender preferences.
        gender: rng.random_bool(0.92).then_some(gender),
        availability: availability(rng),
        absences: absences(rng, year_start.year()),
        commitments: Vec::new(),
        max_assignments_per_month: rng.random_bool(0.75).then(|| rng.random_range(2..=8)),
        offers: OfferHistory::default(),
    };
    let timeline = timeline(rng, year_start, sessions);
    let behaviour = behaviour(rng);
    let mut volunteer = Volunteer {
        profile,
        timeline,
        behaviour,
    };
    // Last year's answers, so reliability means something from January on.
    if volunteer.timeline.initial_status != VolunteerStatus::Applicant {
        volunteer.profile.offers = past_offers(rng, &behaviour);
    }
    volunteer
}

fn languages(rng: &mut StdRng, community: &Community, (first, dialect): (&str, Option<&str>)) -> Vec<SpokenLanguage> {
    let mut languages = vec![SpokenLanguage {
        code: code(first),
        proficiency: community.first_proficiency,
        dialect: dialect.map(str::to_owned),
    }];
    for &(other, chance) in community.also {
        if languages.len() < 3 && other != first && rng.random_bool(chance) {
            languages.push(SpokenLanguage {
                code: code(other),
                proficiency: *SECOND_LANGUAGE_LEVELS.choose(rng).expect("levels"),
                dialect: None,
            });
        }
    }
    languages
}

fn code(text: &str) -> LanguageCode {
    LanguageCode::parse(text).unwrap_or_else(|_| panic!("`{text}` is an ISO 639-3 code"))
}

/// With a car or a transit pass many serve the whole area; the others their home town and up
/// to two nearby.
fn towns(rng: &mut StdRng, whole_area_share: f64) -> Vec<String> {
    let home = weighted(rng, TOWNS);
    let others: Vec<&str> = TOWNS.iter().map(|&(_, t)| t).filter(|&t| t != home).collect();
    let extra = if rng.random_bool(whole_area_share) {
        others.len()
    } else {
        rng.random_range(0..=2)
    };
    let mut towns = vec![home.to_owned()];
    towns.extend(others.sample(rng, extra).map(|&t| t.to_owned()));
    towns
}

fn excluded_settings(rng: &mut StdRng) -> Vec<Setting> {
    match rng.random_range(0..100) {
        0..15 => vec![Setting::Psychotherapy],
        15..22 => vec![Setting::Medical],
        22..26 => vec![Setting::Medical, Setting::Psychotherapy],
        _ => Vec::new(),
    }
}

fn availability(rng: &mut StdRng) -> Vec<WeeklySlot> {
    let mut slots = Vec::new();
    for &(days, from, to) in weighted(rng, AVAILABILITY) {
        for day in days {
            slots.push(WeeklySlot::parse(day, from, to).expect("valid slot table"));
        }
    }
    slots
}

/// Summer holidays (Baden-Württemberg's school holidays run from late July to mid
/// September), Christmas, now and then a long visit home, and a few short absences.
fn absences(rng: &mut StdRng, year: i32) -> Vec<DateRange> {
    let mut absences = Vec::new();
    let mut away = |from: NaiveDate, days: u64| {
        absences.push(DateRange::new(from, from + Days::new(days - 1)).expect("forward range"));
    };
    if rng.random_bool(0.45) {
        let from = date(year, 7, 27) + Days::new(rng.random_range(0..30));
        away(from, rng.random_range(14..=24));
    }
    if rng.random_bool(0.2) {
        away(date(year, 12, 21), 15);
    }
    if rng.random_bool(0.1) {
        away(
            date(year, 1, 1) + Days::new(rng.random_range(0..330)),
            rng.random_range(21..=42),
        );
    }
    for _ in 0..3 {
        if rng.random_bool(0.4) {
            away(
                date(year, 1, 1) + Days::new(rng.random_range(0..360)),
                rng.random_range(2..=7),
            );
        }
    }
    absences
}

/// A training the coordinator holds: the basic course once a year (and once more in autumn
/// for the applicants of the summer), refresher evenings for those whose training runs out.
#[derive(Debug, Clone, Copy)]
struct Session {
    on: NaiveDate,
    basic: bool,
}

fn training_sessions(year: i32) -> Vec<Session> {
    let saturday = |month, n| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sat, n).expect("a Saturday");
    let wednesday = |month, n| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Wed, n).expect("a Wednesday");
    vec![
        Session {
            on: saturday(3, 2),
            basic: true,
        },
        Session {
            on: wednesday(6, 3),
            basic: false,
        },
        Session {
            on: saturday(10, 2),
            basic: true,
        },
        Session {
            on: wednesday(11, 4),
            basic: false,
        },
    ]
}

/// Training validity the generator assumes when deciding who needs a refresher; the
/// simulation itself uses the configured validity.
const ASSUMED_VALIDITY_MONTHS: u32 = 24;

fn timeline(rng: &mut StdRng, year_start: NaiveDate, sessions: &[Session]) -> Timeline {
    let initial_status = weighted(rng, STATUSES);
    let before_the_year = |rng: &mut StdRng, days: std::ops::Range<u64>| year_start - Days::new(rng.random_range(days));
    let applicant = initial_status == VolunteerStatus::Applicant;
    let mut pledge_signed_on = if applicant {
        rng.random_bool(0.5).then(|| before_the_year(rng, 7..60))
    } else {
        // The pledge is collected before anyone is activated; a few older members never signed.
        rng.random_bool(0.96).then(|| before_the_year(rng, 30..1100))
    };
    let mut trainings = Vec::new();
    if applicant {
        if rng.random_bool(0.2) {
            trainings.push(before_the_year(rng, 7..60));
        }
    } else {
        match rng.random_range(0..100) {
            // Most took the basic course within two years, some let it expire, and a few
            // joined before the pool asked for one.
            0..84 => trainings.push(before_the_year(rng, 14..700)),
            84..93 => trainings.push(before_the_year(rng, 745..1300)),
            _ => {}
        }
    }

    let mut status_changes = Vec::new();
    let day_of_year = |rng: &mut StdRng, days: std::ops::Range<u64>| year_start + Days::new(rng.random_range(days));
    match initial_status {
        VolunteerStatus::Active => {
            if rng.random_bool(0.08) {
                let from = day_of_year(rng, 0..300);
                status_changes.push((from, VolunteerStatus::Paused));
                status_changes.push((from + Days::new(rng.random_range(30..120)), VolunteerStatus::Active));
            } else if rng.random_bool(0.04) {
                status_changes.push((day_of_year(rng, 60..360), VolunteerStatus::Retired));
            }
        }
        VolunteerStatus::Paused if rng.random_bool(0.5) => {
            status_changes.push((day_of_year(rng, 0..270), VolunteerStatus::Active));
        }
        _ => {}
    }

    // Who attends which session: applicants the basic course, everyone else whose training
    // is missing or runs out within half a year, with some chance each time.
    let mut joined = !applicant;
    for session in sessions {
        let status_then = status_changes
            .iter()
            .rev()
            .find(|(from, _)| *from <= session.on)
            .map_or(initial_status, |&(_, s)| s);
        let attends = if !joined {
            session.basic && rng.random_bool(0.7)
        } else {
            let valid_until = trainings
                .last()
                .and_then(|on: &NaiveDate| on.checked_add_months(Months::new(ASSUMED_VALIDITY_MONTHS)));
            let needs = valid_until.is_none_or(|until| until < session.on + Months::new(6));
            needs && matches!(status_then, VolunteerStatus::Active | VolunteerStatus::Paused) && rng.random_bool(0.6)
        };
        if !attends {
            continue;
        }
        trainings.push(session.on);
        if pledge_signed_on.is_none() && rng.random_bool(0.9) {
            pledge_signed_on = Some(session.on);
        }
        if !joined {
            joined = true;
            status_changes.push((session.on, VolunteerStatus::Active));
        }
    }
    status_changes.sort_by_key(|&(on, _)| on);
    trainings.sort();
    Timeline {
        initial_status,
        status_changes,
        trainings,
        pledge_signed_on,
    }
}

fn behaviour(rng: &mut StdRng) -> Behaviour {
    let accept = (0.65 + 0.15 * normal(rng)).clamp(0.2, 0.95);
    let ignore_share = rng.random_range(0.1..0.5);
    Behaviour {
        accept,
        ignore: (1.0 - accept) * ignore_share,
        median_delay_minutes: (35f64.ln() + 0.9 * normal(rng)).exp().clamp(3.0, 600.0),
    }
}

fn past_offers(rng: &mut StdRng, behaviour: &Behaviour) -> OfferHistory {
    let mut history = OfferHistory::default();
    for _ in 0..rng.random_range(0..12) {
        let coin: f64 = rng.random();
        if coin < behaviour.accept {
            history.accepted += 1;
        } else if coin < 1.0 - behaviour.ignore {
            history.declined += 1;
        } else {
            history.ignored += 1;
        }
    }
    history
}

// ---------------------------------------------------------------------------------------------
// The requests

/// The languages caseworkers ask for, weighted like the asylum statistics and the arrivals from
/// Ukraine. Caseworkers ask for "Arabic", not for a variety.
#[rustfmt::skip]
pub const REQUESTED_LANGUAGES: &[(u32, &str)] = &[
    (16, "ara"), (10, "prs"), (8, "ukr"), (6, "tur"), (6, "kmr"), (4, "pes"), (4, "tir"), (4, "rus"),
    (2, "ckb"), (2, "pus"), (2, "som"), (2, "fra"), (1, "eng"), (2, "sqi"), (2, "kat"), (1, "amh"),
    (1, "hye"), (1, "aze"), (1, "che"), (1, "ron"), (1, "urd"), (1, "vie"), (1, "hbs"),
];

/// A kind of appointment: weight, setting, minutes, whether only a woman may interpret.
#[rustfmt::skip]
const OCCASIONS: &[(u32, Setting, u32, bool)] = &[
    (3, Setting::Authority, 60, false),
    (2, Setting::Authority, 45, false),
    (3, Setting::Employment, 60, false),
    (1, Setting::Employment, 90, false),
    (3, Setting::Medical, 45, false),
    (1, Setting::Medical, 60, true),
    (1, Setting::Medical, 90, false),
    (2, Setting::School, 45, false),
    (1, Setting::School, 60, false),
    (1, Setting::Housing, 60, false),
    (2, Setting::Counselling, 90, false),
    (2, Setting::Counselling, 60, false),
    (1, Setting::Counselling, 120, false),
    (1, Setting::Psychotherapy, 50, false),
];

/// Fewer requests in the summer and Christmas holidays.
const MONTH_WEIGHTS: [f64; 12] = [0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.9, 1.0, 1.0, 0.8];
/// Share of urgent requests: same day or next office day.
const URGENT_SHARE: f64 = 0.06;
/// Share of office appointments that start before noon.
const MORNING_SHARE: f64 = 0.6;
/// Share of requests for a family served before (continuity).
const RETURNING_CLIENT_SHARE: f64 = 0.4;

/// `count` requests filed on office days from `first_day` to `last_day` (local days, both
/// included), fewer in the holiday months, sorted by filing time. Their appointments follow
/// the filing by hours (urgent ones) to weeks, so the last ones may lie after `last_day`.
pub fn requests_between(rng: &mut StdRng, first_day: NaiveDate, last_day: NaiveDate, count: usize) -> Vec<Request> {
    requests_in(rng, first_day, last_day, count, REQUESTED_LANGUAGES)
}

/// [`requests_between`] in `languages` (weight, code).
fn requests_in(
    rng: &mut StdRng,
    first_day: NaiveDate,
    last_day: NaiveDate,
    count: usize,
    languages: &[(u32, &str)],
) -> Vec<Request> {
    let office_days: Vec<NaiveDate> = first_day
        .iter_days()
        .take_while(|d| *d <= last_day)
        .filter(|d| is_office_day(*d))
        .collect();
    let day_weights: Vec<(f64, NaiveDate)> = office_days
        .iter()
        .map(|&d| (MONTH_WEIGHTS[d.month0() as usize], d))
        .collect();
    let mut created: Vec<DateTime<Utc>> = (0..count)
        .map(|_| {
            let day = day_weights.choose_weighted(rng, |&(w, _)| w).expect("office days").1;
            let minute = rng.random_range(8 * 60..16 * 60);
            local_to_utc(day, minute_time(minute))
        })
        .collect();
    created.sort();

    let mut clients: Vec<(LanguageCode, String)> = Vec::new();
    created
        .into_iter()
        .map(|at| request(rng, at, &mut clients, languages))
        .collect()
}

fn request(
    rng: &mut StdRng,
    created_at: DateTime<Utc>,
    clients: &mut Vec<(LanguageCode, String)>,
    languages: &[(u32, &str)],
) -> Request {
    let language = code(weighted(rng, languages));
    let &(_, setting, minutes, women_only) = OCCASIONS.choose_weighted(rng, |o| o.0).expect("occasions");
    let urgent = rng.random_bool(URGENT_SHARE);
    let created_local = created_at.with_timezone(&POOL_TZ);
    let created_minute = created_local.hour() * 60 + created_local.minute();
    // School meetings are often in the afternoon, everything else in office hours.
    let (opens, closes) = if setting == Setting::School {
        (13 * 60, 18 * 60 + 30)
    } else {
        (8 * 60, 16 * 60 + 30)
    };
    let latest_start = closes - minutes;
    let (day, earliest) = if urgent {
        let earliest_today = (created_minute + 180).div_ceil(15) * 15;
        if earliest_today.max(opens) <= latest_start {
            (created_local.date_naive(), earliest_today.max(opens))
        } else {
            (next_office_day(created_local.date_naive() + Days::new(1)), opens)
        }
    } else {
        let lead = (7f64.ln() + 0.6 * normal(rng)).exp().round().clamp(2.0, 35.0) as u64;
        (next_office_day(created_local.date_naive() + Days::new(lead)), opens)
    };
    // Offices see most clients in the morning.
    let before_noon = latest_start.min(12 * 60);
    let last = if setting != Setting::School && earliest <= before_noon && rng.random_bool(MORNING_SHARE) {
        before_noon
    } else {
        latest_start
    };
    let start = earliest + 15 * rng.random_range(0..=(last - earliest) / 15);
    let starts_at = local_to_utc(day, minute_time(start));

    let mode = match rng.random_range(0..100) {
        _ if women_only => Mode::OnSite,
        0..78 => Mode::OnSite,
        78..94 => Mode::Phone,
        _ => Mode::Video,
    };
    let gender_preference = if women_only {
        Some(GenderPreference {
            gender: Gender::Female,
            strength: GenderStrength::Required,
        })
    } else if rng.random_bool(0.06) {
        Some(GenderPreference {
            gender: if rng.random_bool(0.7) {
                Gender::Female
            } else {
                Gender::Male
            },
            strength: GenderStrength::Preferred,
        })
    } else {
        None
    };
    let dialect = match (language.as_str(), rng.random_range(0..10)) {
        ("ara", 0..2) => Some("syrisch".to_owned()),
        ("ara", 2) => Some("irakisch".to_owned()),
        _ => None,
    };
    let known: Vec<&String> = clients.iter().filter(|(l, _)| *l == language).map(|(_, c)| c).collect();
    let client_ref = match known.choose(rng) {
        Some(&client) if rng.random_bool(RETURNING_CLIENT_SHARE) => client.clone(),
        _ => {
            let client = format!("F-{:04}", clients.len() + 1);
            clients.push((language, client.clone()));
            client
        }
    };
    let spec = RequestSpec {
        language,
        dialect,
        starts_at,
        duration_minutes: minutes,
        mode,
        town: (mode == Mode::OnSite).then(|| weighted(rng, TOWNS).to_owned()),
        setting,
        gender_preference,
        client_ref: Some(client_ref),
        // The simulated volunteers' commitments hold the whole year: continuity reads them.
        client_served_by: Vec::new(),
    };
    Request {
        fill_by: lp_matcher::cascade::default_fill_by(created_at, starts_at),
        spec,
        created_at,
        urgent,
    }
}

/// Weekdays that are not public holidays in Baden-Württemberg.
pub fn is_office_day(day: NaiveDate) -> bool {
    let fixed = matches!(
        (day.month(), day.day()),
        (1, 1) | (1, 6) | (5, 1) | (10, 3) | (11, 1) | (12, 24..=26) | (12, 31)
    );
    let easter = easter_sunday(day.year());
    let movable = [-2, 1, 39, 50, 60]
        .iter()
        .any(|&offset| easter + Duration::days(offset) == day);
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !fixed && !movable
}

fn next_office_day(mut day: NaiveDate) -> NaiveDate {
    while !is_office_day(day) {
        day = day + Days::new(1);
    }
    day
}

/// Easter Sunday of the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher).
fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as u32, day as u32)
}

fn minute_time(minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).expect("a time of day")
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

/// One of `items`, drawn by its weight.
pub fn weighted<T: Copy>(rng: &mut StdRng, items: &[(u32, T)]) -> T {
    items
        .choose_weighted(rng, |&(weight, _)| weight)
        .expect("positive weights")
        .1
}

/// The distinct languages the pool speaks at working level or better.
pub fn languages_spoken(volunteers: &[Volunteer]) -> usize {
    volunteers
        .iter()
        .flat_map(|v| &v.profile.languages)
        .filter(|l| l.proficiency >= Proficiency::Working)
        .map(|l| l.code.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// An assignment as the matcher sees it.
pub fn commitment(request: &Request) -> Commitment {
    Commitment {
        starts_at: request.spec.starts_at,
        ends_at: request.spec.ends_at(),
        on_site: request.spec.mode == Mode::OnSite,
        client_ref: request.spec.client_ref.clone(),
        setting: request.spec.setting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_year() {
        let a = World::generate(7, 40, 120);
        let b = World::generate(7, 40, 120);
        assert_eq!(a.requests, b.requests);
        let profiles = |w: &World| w.volunteers.iter().map(|v| v.profile.clone()).collect::<Vec<_>>();
        assert_eq!(profiles(&a), profiles(&b));
        let timelines = |w: &World| w.volunteers.iter().map(|v| v.timeline.clone()).collect::<Vec<_>>();
        assert_eq!(timelines(&a), timelines(&b));
        let at = a.requests[3].created_at;
        for (r, v) in [(0, 0), (5, 17), (119, 39)] {
            assert_eq!(a.answer(r, v, at, 0), b.answer(r, v, at, 0));
        }
        let c = World::generate(8, 40, 120);
        assert_ne!(a.requests, c.requests);
    }

    #[test]
    fn default_pool_has_seventy_volunteers_in_about_forty_languages() {
        assert_eq!(
            apportion(70),
            COMMUNITIES.iter().map(|c| c.weight as usize).collect::<Vec<_>>()
        );
        assert_eq!(apportion(7).iter().sum::<usize>(), 7);
        assert_eq!(apportion(1000).iter().sum::<usize>(), 1000);
        let world = World::generate(2026, 70, 10);
        assert_eq!(world.volunteers.len(), 70);
        let languages = languages_spoken(&world.volunteers);
        assert!((36..=48).contains(&languages), "{languages}");
    }

    #[test]
    fn the_three_towns_have_their_shapes() {
        let staffed = World::generate_town(Town::Staffed, 2026, 70, 10);
        let default = World::generate(2026, 70, 10);
        assert!(
            staffed
                .volunteers
                .iter()
                .all(|v| v.profile.german_level >= GermanLevel::B1)
        );
        let whole_area = |w: &World| {
            w.volunteers
                .iter()
                .filter(|v| v.profile.service_area.len() == TOWNS.len())
                .count()
        };
        assert!(
            whole_area(&staffed) > whole_area(&default) + 10,
            "{}",
            whole_area(&staffed)
        );
        let large = World::generate_town(Town::Large, 2026, Town::Large.volunteers(), 2000);
        assert_eq!(large.volunteers.len(), 360);
        let languages = languages_spoken(&large.volunteers);
        assert!((85..=95).contains(&languages), "{languages}");
        let requested: BTreeSet<_> = large.requests.iter().map(|r| r.spec.language).collect();
        assert!(requested.len() > 60, "{}", requested.len());
        assert_eq!("large".parse::<Town>(), Ok(Town::Large));
        assert!("huge".parse::<Town>().is_err());
    }

    #[test]
    fn requests_fall_on_office_days_in_office_hours_and_in_order() {
        let world = World::generate(3, 10, 300);
        assert!(world.requests.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        for request in &world.requests {
            let created = request.created_at.with_timezone(&POOL_TZ);
            assert!(is_office_day(created.date_naive()));
            assert!((8..16).contains(&created.hour()));
            let start = request.spec.starts_at.with_timezone(&POOL_TZ);
            assert!(is_office_day(start.date_naive()), "{start}");
            assert!(request.created_at < request.fill_by && request.fill_by < request.spec.starts_at);
        }
        let urgent = world.requests.iter().filter(|r| r.urgent).count();
        assert!((3..=40).contains(&urgent), "{urgent}");
    }

    #[test]
    fn easter_and_its_holidays_are_not_office_days() {
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert!(!is_office_day(date(2026, 4, 3)), "Good Friday");
        assert!(!is_office_day(date(2026, 4, 6)), "Easter Monday");
        assert!(!is_office_day(date(2026, 5, 14)), "Ascension");
        assert!(is_office_day(date(2026, 4, 7)));
    }

    #[test]
    fn training_expires_after_the_validity_and_counts_from_its_day() {
        let mut world = World::generate(1, 1, 0);
        let volunteer = &mut world.volunteers[0];
        volunteer.timeline = Timeline {
            initial_status: VolunteerStatus::Applicant,
            status_changes: vec![(date(2026, 3, 14), VolunteerStatus::Active)],
            trainings: vec![date(2024, 2, 1), date(2026, 3, 14)],
            pledge_signed_on: Some(date(2026, 3, 14)),
        };
        let facts = |day| volunteer.facts_on(day, 24);
        assert_eq!(
            facts(date(2026, 2, 1)),
            Facts {
                status: VolunteerStatus::Applicant,
                training: TrainingStatus::Trained,
                pledge_signed: false
            }
        );
        assert_eq!(facts(date(2026, 2, 2)).training, TrainingStatus::Expired);
        assert_eq!(
            facts(date(2026, 3, 14)),
            Facts {
                status: VolunteerStatus::Active,
                training: TrainingStatus::Trained,
                pledge_signed: true
            }
        );
    }

    #[test]
    fn the_clairvoyant_reading_of_an_answer_agrees_with_the_answer() {
        let world = World::generate(3, 20, 60);
        let mut accepted = 0;
        for r in 0..world.requests.len() {
            let sent_at = world.requests[r].created_at;
            for v in 0..world.volunteers.len() {
                let most_held = world.most_held_for_yes(r, v);
                assert_eq!(most_held.is_some(), world.would_accept(r, v));
                for busy in 0..=BUSY_CAP + 2 {
                    let yes = matches!(world.answer(r, v, sent_at, busy), Reply::Accept(_));
                    assert_eq!(
                        yes,
                        most_held.is_some_and(|m| busy.min(BUSY_CAP) <= m),
                        "r{r} v{v} busy {busy}"
                    );
                }
                let earliest = world.earliest_acceptance(r, v, sent_at);
                match world.answer(r, v, sent_at, 0) {
                    Reply::Accept(at) => {
                        accepted += 1;
                        let earliest = earliest.expect("a yes has an earliest arrival");
                        // Equal by day; at night the real answer comes at 07:00 or a little later.
                        assert!(earliest <= at && at - earliest <= Duration::minutes(90), "r{r} v{v}");
                    }
                    _ => assert_eq!(earliest, None),
                }
            }
        }
        assert!(accepted > 100, "{accepted}");
    }

    #[test]
    fn nobody_answers_at_night() {
        let late = local_to_utc(date(2026, 3, 3), minute_time(23 * 60));
        let next_morning = after_the_night(late, 0.0).with_timezone(&POOL_TZ);
        assert_eq!((next_morning.day(), next_morning.hour()), (4, 7));
        let early = local_to_utc(date(2026, 3, 3), minute_time(5 * 60));
        assert_eq!(after_the_night(early, 0.5).with_timezone(&POOL_TZ).hour(), 7);
        let day = local_to_utc(date(2026, 3, 3), minute_time(13 * 60));
        assert_eq!(after_the_night(day, 0.5), day);
    }
}
