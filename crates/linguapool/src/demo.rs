//! A demo pool to try Linguapool with: Winnenden and its neighbouring towns, three
//! organisations with two caseworkers each, a coordinator, about seventy volunteers in some forty
//! languages and a dozen requests over the next three weeks.
//!
//! Everything but the database ids, tokens and password hashes follows from the seed, so a seed
//! always gives the same pool. The people are made up: first names with an initial, emails under
//! `demo.linguapool.test` (a reserved domain), client references that are file numbers.

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc, Weekday};
use lp_core::LanguageCode;
use lp_core::access::{Actor, Scope};
use lp_core::time::{DateRange, POOL_TZ, WeeklySlot, local_to_utc};
use lp_core::vocab::{Gender, GenderStrength, GermanLevel, Mode, Proficiency, Role, Setting, VolunteerStatus};
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_registry::volunteers::{self, VolunteerInput, VolunteerLanguage};
use lp_requests::input::{GenderPreferenceInput, RequestInput};
use lp_requests::{RequestError, RequestSettings, lifecycle};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use sea_orm::DatabaseConnection;
use std::collections::HashSet;
use std::fmt;
use uuid::Uuid;

/// Every demo user's password, so that the printed credentials work.
pub const DEMO_PASSWORD: &str = "demo-password-1";
const EMAIL_DOMAIN: &str = "demo.linguapool.test";
const COORDINATOR: (&str, &str) = ("Koordination Dolmetscherpool", "coordinator");
const REQUESTS: usize = 12;
/// How far ahead the demo requests lie.
const REQUEST_HORIZON_DAYS: u64 = 21;

/// The towns of the pool, weighted by how likely a volunteer lives (or an appointment takes
/// place) there.
const TOWNS: &[(u32, &str)] = &[
    (8, "Winnenden"),
    (5, "Waiblingen"),
    (5, "Backnang"),
    (2, "Schwaikheim"),
    (2, "Leutenbach"),
    (1, "Berglen"),
];

struct OrganisationSeed {
    name: &'static str,
    /// Name and email local part of its two caseworkers.
    caseworkers: [(&'static str, &'static str); 2],
    /// How its caseworkers write file numbers: `IM-2026-0147` with the year, `CA-118` without.
    file_prefix: &'static str,
    file_with_year: bool,
}

const ORGANISATIONS: &[OrganisationSeed] = &[
    OrganisationSeed {
        name: "Stadt Winnenden – Integrationsmanagement",
        caseworkers: [("Sabine Krämer", "sabine.kraemer"), ("Jonas Weber", "jonas.weber")],
        file_prefix: "IM",
        file_with_year: true,
    },
    OrganisationSeed {
        name: "Caritas Rems-Murr – Flüchtlingssozialarbeit",
        caseworkers: [("Ayla Demir", "ayla.demir"), ("Michael Hoffmann", "michael.hoffmann")],
        file_prefix: "CA",
        file_with_year: false,
    },
    OrganisationSeed {
        name: "Diakonie Winnenden – Migrationsberatung",
        caseworkers: [
            ("Katharina Schäfer", "katharina.schaefer"),
            ("Daniel Brandt", "daniel.brandt"),
        ],
        file_prefix: "MB",
        file_with_year: true,
    },
];

/// A language community the volunteers come from, sized roughly like the asylum statistics
/// and the arrivals from Ukraine.
struct Community {
    volunteers: usize,
    /// First languages with an optional variety note; each volunteer gets one.
    first: &'static [(&'static str, Option<&'static str>)],
    /// How well the first language is spoken: `Native`, or `Fluent` for German volunteers who
    /// learned it.
    first_proficiency: Proficiency,
    /// Further languages, each with the chance that a volunteer speaks it too.
    also: &'static [(&'static str, f64)],
    /// Share of volunteers who grew up in Germany and speak German natively.
    german_native: f64,
    female: &'static [&'static str],
    male: &'static [&'static str],
}

const fn community(
    volunteers: usize,
    first: &'static [(&'static str, Option<&'static str>)],
    also: &'static [(&'static str, f64)],
    german_native: f64,
    female: &'static [&'static str],
    male: &'static [&'static str],
) -> Community {
    Community {
        volunteers,
        first,
        first_proficiency: Proficiency::Native,
        also,
        german_native,
        female,
        male,
    }
}

// One community per entry: volunteers, first languages, further languages with their chance,
// share of native German speakers, female and male first names.
#[rustfmt::skip]
const COMMUNITIES: &[Community] = &[
    // Arabic: Syria, Iraq, Egypt and the Maghreb.
    community(5,
        &[("apc", Some("Syrisch, Damaskus")), ("apc", Some("Syrisch, Aleppo")), ("apc", None),
          ("ara", Some("Syrisch"))],
        &[("eng", 0.4), ("fra", 0.15), ("tur", 0.1)], 0.05,
        &["Rasha", "Lina", "Hiba", "Nour", "Amal", "Rana", "Dima"],
        &["Ahmad", "Mohammad", "Khaled", "Omar", "Yousef", "Bassel", "Samer"]),
    community(2, &[("acm", Some("Irakisch, Bagdad")), ("acm", None), ("ayp", Some("Mossul"))],
        &[("ckb", 0.2), ("kmr", 0.15), ("eng", 0.3)], 0.0,
        &["Zainab", "Noor", "Sura", "Hanan"], &["Ali", "Haider", "Mustafa", "Hussein"]),
    community(2, &[("arz", None), ("ary", None), ("aeb", None)], &[("fra", 0.5), ("eng", 0.4)], 0.1,
        &["Mona", "Yasmin", "Salma", "Nadia"], &["Karim", "Tarek", "Youssef", "Hamza"]),
    // Afghanistan and Iran.
    community(4, &[("prs", None), ("prs", Some("Kabul")), ("prs", Some("Hazaragi"))],
        &[("pes", 0.4), ("pus", 0.25), ("urd", 0.1), ("eng", 0.3)], 0.0,
        &["Farzana", "Mariam", "Zahra", "Shabnam", "Sahar", "Parwana"],
        &["Wahid", "Farid", "Jawad", "Hamid", "Naweed", "Sayed"]),
    community(2, &[("pus", None), ("pus", Some("Kandahar"))], &[("prs", 0.8), ("urd", 0.2), ("eng", 0.2)], 0.0,
        &["Gulalai", "Malalai", "Palwasha"], &["Zabihullah", "Noorullah", "Rahmatullah", "Asadullah"]),
    community(3, &[("pes", None), ("pes", Some("Teheran"))],
        &[("eng", 0.5), ("azb", 0.15), ("prs", 0.2), ("fra", 0.1)], 0.1,
        &["Niloufar", "Shirin", "Parisa", "Leila"], &["Reza", "Amir", "Babak", "Dariush"]),
    // Kurdish and Turkish.
    community(4, &[("kmr", None), ("kmr", Some("Badini")), ("kmr", Some("Afrin"))],
        &[("tur", 0.5), ("ara", 0.4), ("eng", 0.15)], 0.1,
        &["Berivan", "Rojda", "Zozan", "Delal", "Nesrin"], &["Azad", "Rojhat", "Serhat", "Welat", "Baran"]),
    community(2, &[("ckb", None), ("ckb", Some("Sulaimaniyya"))], &[("ara", 0.5), ("pes", 0.3), ("eng", 0.2)], 0.0,
        &["Shilan", "Kazhal", "Narin"], &["Karwan", "Hemin", "Dler", "Shwan"]),
    community(3, &[("tur", None)], &[("kmr", 0.2), ("eng", 0.4), ("azj", 0.05)], 0.5,
        &["Elif", "Zeynep", "Ayşe", "Derya"], &["Mehmet", "Emre", "Murat", "Kemal"]),
    // Eastern Europe and the Caucasus.
    community(5, &[("ukr", None)], &[("rus", 0.8), ("eng", 0.3), ("pol", 0.15)], 0.0,
        &["Olena", "Iryna", "Kateryna", "Oksana", "Tetiana", "Yuliia"],
        &["Andrii", "Oleksandr", "Dmytro", "Serhii", "Vitalii"]),
    community(3, &[("rus", None)], &[("ukr", 0.3), ("eng", 0.3)], 0.4,
        &["Svetlana", "Natalia", "Irina", "Olga"], &["Sergei", "Alexei", "Viktor", "Pavel"]),
    community(1, &[("kat", None)], &[("rus", 0.8), ("eng", 0.3)], 0.0, &["Nino", "Tamar"], &["Giorgi", "Levan"]),
    community(1, &[("hye", None)], &[("rus", 0.8)], 0.0, &["Anahit", "Gayane"], &["Armen", "Tigran"]),
    community(1, &[("azj", None)], &[("rus", 0.7), ("tur", 0.6)], 0.0, &["Aysel", "Gunel"], &["Elnur", "Rashad"]),
    community(1, &[("che", None)], &[("rus", 0.95)], 0.0, &["Madina", "Zarema"], &["Ruslan", "Aslan"]),
    community(2, &[("sqi", None), ("als", None), ("aln", Some("Kosovo"))],
        &[("ita", 0.3), ("srp", 0.2), ("eng", 0.3)], 0.3,
        &["Arta", "Blerta", "Drita"], &["Arben", "Besnik", "Driton"]),
    community(2, &[("bos", None), ("srp", None), ("hrv", None)], &[("eng", 0.3)], 0.5,
        &["Jelena", "Amra", "Mirela"], &["Dragan", "Emir", "Nermin"]),
    community(1, &[("ron", None)], &[("ita", 0.3), ("spa", 0.2), ("eng", 0.3)], 0.0,
        &["Ioana", "Andreea"], &["Mihai", "Florin"]),
    community(1, &[("bul", None)], &[("tur", 0.3), ("rus", 0.4)], 0.0,
        &["Desislava", "Milena"], &["Georgi", "Nikolai"]),
    community(1, &[("pol", None)], &[("rus", 0.3), ("ukr", 0.2), ("eng", 0.4)], 0.3,
        &["Agnieszka", "Joanna"], &["Tomasz", "Piotr"]),
    // The Horn of Africa.
    community(3, &[("tir", None), ("tir", Some("Eritrea")), ("tir", Some("Tigray"))],
        &[("amh", 0.5), ("ara", 0.3), ("eng", 0.4)], 0.0,
        &["Selam", "Helen", "Semhar", "Winta"], &["Yonas", "Dawit", "Tesfay", "Filmon"]),
    community(1, &[("amh", None)], &[("tir", 0.3), ("gaz", 0.3), ("eng", 0.5)], 0.0,
        &["Meron", "Tigist"], &["Henok", "Biniam"]),
    community(1, &[("gaz", None)], &[("amh", 0.8), ("eng", 0.4)], 0.0, &["Chaltu", "Ayantu"], &["Gemechu", "Tolera"]),
    community(2, &[("som", None)], &[("ara", 0.4), ("eng", 0.5), ("swh", 0.1)], 0.0,
        &["Hodan", "Amina", "Fadumo"], &["Abdirahman", "Abdullahi", "Hassan"]),
    // West and Central Africa.
    community(1, &[("lin", None)], &[("fra", 0.95), ("swh", 0.2)], 0.0,
        &["Grace", "Merveille"], &["Patrick", "Jean-Paul"]),
    community(1, &[("wol", None)], &[("fra", 0.95)], 0.0, &["Awa", "Fatou"], &["Moussa", "Cheikh"]),
    community(1, &[("fuf", None)], &[("fra", 0.9)], 0.0, &["Mariama", "Aissatou"], &["Mamadou", "Thierno"]),
    community(1, &[("hau", None)], &[("eng", 0.9), ("fra", 0.2)], 0.0, &["Aisha", "Hauwa"], &["Abubakar", "Sani"]),
    community(1, &[("yor", None)], &[("eng", 0.95)], 0.0, &["Folake", "Bukola"], &["Tunde", "Olumide"]),
    community(1, &[("ibo", None)], &[("eng", 0.95)], 0.0, &["Chioma", "Ngozi"], &["Chinedu", "Emeka"]),
    community(1, &[("swh", None)], &[("eng", 0.8), ("fra", 0.2)], 0.0, &["Neema", "Zawadi"], &["Baraka", "Juma"]),
    // South, South-East and Central Asia.
    community(1, &[("urd", None)], &[("pan", 0.3), ("eng", 0.8)], 0.0, &["Ayesha", "Sana"], &["Imran", "Bilal"]),
    community(1, &[("hin", None)], &[("eng", 0.9)], 0.0, &["Priya", "Anjali"], &["Rahul", "Vikram"]),
    community(1, &[("tam", None)], &[("eng", 0.7)], 0.3, &["Kavitha", "Tharani"], &["Suresh", "Kajan"]),
    community(1, &[("vie", None)], &[("eng", 0.3)], 0.4, &["Linh", "Thu"], &["Minh", "Tuan"]),
    community(1, &[("khk", None)], &[("rus", 0.6), ("eng", 0.3)], 0.0, &["Oyuna", "Sarnai"], &["Temuulen", "Ganbold"]),
    community(1, &[("uzn", None)], &[("rus", 0.8), ("tgk", 0.2)], 0.0, &["Dilnoza", "Nodira"], &["Jasur", "Bekzod"]),
    community(1, &[("tgk", None)], &[("rus", 0.8), ("pes", 0.3)], 0.0, &["Farangis", "Zarina"], &["Firdavs", "Rustam"]),
    // Southern Europe, and German volunteers with a language learned at school or abroad.
    community(1, &[("ell", None)], &[("eng", 0.5)], 0.6, &["Eleni", "Sofia"], &["Nikos", "Giannis"]),
    community(1, &[("ita", None)], &[("eng", 0.4), ("fra", 0.2)], 0.6, &["Giulia", "Francesca"], &["Marco", "Luca"]),
    community(1, &[("spa", None)], &[("eng", 0.5), ("fra", 0.2)], 0.5, &["Carmen", "Lucía"], &["Javier", "Diego"]),
    Community {
        volunteers: 2,
        first: &[("eng", None), ("fra", None), ("spa", None)],
        first_proficiency: Proficiency::Fluent,
        also: &[("eng", 0.5), ("fra", 0.3), ("ita", 0.1)],
        german_native: 1.0,
        female: &["Ulrike", "Claudia", "Anna"],
        male: &["Jürgen", "Martin", "Lukas"],
    },
];

/// Weekly availability patterns: (weight, [(weekdays, from, to)]).
type Pattern = &'static [(&'static [&'static str], &'static str, &'static str)];
const WORKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri"];
#[rustfmt::skip]
const AVAILABILITY: &[(u32, Pattern)] = &[
    (6, &[(WORKDAYS, "08:00", "13:00")]),
    (4, &[(WORKDAYS, "12:00", "18:00")]),
    (3, &[(WORKDAYS, "17:00", "20:00"), (&["sat"], "09:00", "14:00")]),
    (4, &[(&["mon", "wed", "fri"], "08:00", "16:00")]),
    (3, &[(&["tue", "thu"], "08:00", "17:00")]),
    (4, &[(WORKDAYS, "08:00", "18:00")]),
    (2, &[(&["tue", "wed", "thu"], "09:00", "12:30")]),
    (2, &[(WORKDAYS, "08:00", "18:00"), (&["sat"], "09:00", "13:00")]),
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

const MOBILE_PREFIXES: &[&str] = &[
    "151", "152", "157", "160", "162", "170", "171", "176", "177", "178", "179",
];
const SURNAME_INITIALS: &[char] = &[
    'A', 'B', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'R', 'S', 'T', 'W', 'Y', 'Z',
];

const NOTES: &[&str] = &[
    "Bevorzugt Termine in Winnenden.",
    "Studiert in Stuttgart, in den Semesterferien flexibler.",
    "Kann auch Deutsche Gebärdensprache (Grundkenntnisse).",
    "Erfahrung bei Elterngesprächen in Schulen.",
    "Arbeitet im Schichtdienst, bitte früh anfragen.",
    "Ohne Auto, nur mit Bus und Bahn unterwegs.",
    "Übersetzt auch kurze Schreiben schriftlich.",
    "Bitte nicht vor 9 Uhr anrufen.",
];

/// The languages caseworkers ask for, weighted like the asylum statistics and the arrivals from
/// Ukraine. Caseworkers ask for "Arabic", not for a variety.
#[rustfmt::skip]
const REQUESTED_LANGUAGES: &[(u32, &str)] = &[
    (8, "ara"), (5, "prs"), (4, "ukr"), (3, "tur"), (3, "kmr"), (2, "pes"), (2, "tir"), (2, "rus"),
    (1, "ckb"), (1, "pus"), (1, "som"), (1, "fra"), (1, "eng"), (1, "sqi"), (1, "kat"),
];

/// Kinds of appointment a caseworker asks an interpreter for.
struct Occasion {
    setting: Setting,
    minutes: i64,
    address: &'static str,
    notes: &'static str,
    women_only: bool,
}

const fn occasion(setting: Setting, minutes: i64, address: &'static str, notes: &'static str) -> Occasion {
    Occasion {
        setting,
        minutes,
        address,
        notes,
        women_only: false,
    }
}

#[rustfmt::skip]
const OCCASIONS: &[Occasion] = &[
    occasion(Setting::Authority, 60, "Marktplatz 1", "Termin Ausländerbehörde, Verlängerung Aufenthaltstitel"),
    occasion(Setting::Authority, 45, "Marktplatz 1", "Bürgerbüro, Anmeldung nach Umzug"),
    occasion(Setting::Employment, 60, "Bahnhofstraße 22", "Jobcenter, Beratungsgespräch zur Arbeitsaufnahme"),
    occasion(Setting::Employment, 90, "Bahnhofstraße 22", "Agentur für Arbeit, Anerkennung Berufsabschluss"),
    occasion(Setting::Medical, 45, "Max-Eyth-Straße 12", "Kinderarzt, Vorsorgeuntersuchung"),
    Occasion {
        women_only: true,
        ..occasion(Setting::Medical, 60, "Schorndorfer Straße 40",
            "Frauenärztliche Untersuchung, nur mit Dolmetscherin")
    },
    occasion(Setting::Medical, 90, "Schorndorfer Straße 40", "Klinik, Aufklärungsgespräch vor Operation"),
    occasion(Setting::School, 45, "Schulstraße 8", "Elterngespräch Grundschule"),
    occasion(Setting::School, 60, "Lessingstraße 4", "Elternabend Vorbereitungsklasse"),
    occasion(Setting::Housing, 60, "Ringstraße 17", "Wohnungsübergabe, Mietvertrag und Hausordnung erklären"),
    occasion(Setting::Counselling, 90, "Paulinenstraße 5", "Migrationsberatung, Antrag Familiennachzug"),
    occasion(Setting::Counselling, 60, "Wiesenstraße 3", "Sozialberatung, Antrag Bildung und Teilhabe"),
    occasion(Setting::Counselling, 120, "Paulinenstraße 5", "Asylverfahrensberatung, Vorbereitung Anhörung"),
];

/// A demo user's login. `Debug` leaves out the password and the token.
#[derive(Clone)]
pub struct Credentials {
    pub name: String,
    pub email: String,
    pub organisation: Option<String>,
    pub password: String,
    pub api_token: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("organisation", &self.organisation)
            .finish_non_exhaustive()
    }
}

/// What [`seed`] created.
#[derive(Debug, Clone)]
pub struct DemoPool {
    pub coordinator: Credentials,
    pub caseworkers: Vec<Credentials>,
    pub organisations: usize,
    pub volunteers: usize,
    pub requests: usize,
}

/// Whether the database has no organisations yet, i.e. was never seeded nor used.
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(organisations::list(db).await?.is_empty())
}

/// Fills an empty database with the demo pool; the same `seed` gives the same pool. Creating
/// the requests sends their first offers (into the outbox, like any request).
pub async fn seed(
    db: &DatabaseConnection,
    settings: &RequestSettings,
    now: DateTime<Utc>,
    seed: u64,
) -> anyhow::Result<DemoPool> {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = now.with_timezone(&POOL_TZ).date_naive();

    let coordinator = create_staff(db, COORDINATOR, Role::Coordinator, None, now).await?;
    let mut caseworkers = Vec::new();
    let mut actors = Vec::new();
    for seed_org in ORGANISATIONS {
        let input = OrganisationInput {
            name: seed_org.name.to_owned(),
        };
        let org = organisations::create(db, &lp_core::access::Coordinator::operator(), &input, now)
            .await
            .with_context(|| format!("organisation {}", seed_org.name))?;
        for person in seed_org.caseworkers {
            let (credentials, user_id) =
                create_staff(db, person, Role::Caseworker, Some((org.id, org.name.as_str())), now).await?;
            caseworkers.push(credentials);
            actors.push((
                Actor {
                    user_id,
                    scope: Scope::Organisation(org.id),
                },
                seed_org,
            ));
        }
    }

    let pool = volunteer_inputs(&mut rng, today)?;
    for input in &pool {
        let valid = input
            .clone()
            .validate()
            .with_context(|| format!("demo volunteer {}", input.name))?;
        volunteers::create(db, &lp_core::access::Coordinator::operator(), valid, now)
            .await
            .with_context(|| format!("demo volunteer {}", input.name))?;
    }

    let mut requests = 0;
    for (actor, input) in request_inputs(&mut rng, &pool, &actors, settings, today) {
        match lifecycle::create(db, actor, &input, settings, now).await {
            Ok(_) => requests += 1,
            Err(RequestError::Invalid(err)) => tracing::warn!(%err, "demo request skipped"),
            Err(err) => return Err(err).context("demo request"),
        }
    }

    Ok(DemoPool {
        coordinator: coordinator.0,
        caseworkers,
        organisations: ORGANISATIONS.len(),
        volunteers: pool.len(),
        requests,
    })
}

async fn create_staff(
    db: &DatabaseConnection,
    (name, local_part): (&str, &str),
    role: Role,
    organisation: Option<(Uuid, &str)>,
    now: DateTime<Utc>,
) -> anyhow::Result<(Credentials, Uuid)> {
    let input = StaffUserInput {
        email: format!("{local_part}@{EMAIL_DOMAIN}"),
        name: name.to_owned(),
        role,
        organisation_id: organisation.map(|(id, _)| id),
        password: Some(DEMO_PASSWORD.to_owned()),
    };
    let prepared = staff::prepare(&input, false)
        .await
        .with_context(|| format!("staff user {name}"))?;
    let created = staff::insert(db, prepared, now)
        .await
        .with_context(|| format!("staff user {name}"))?;
    let credentials = Credentials {
        name: created.user.name,
        email: created.user.email,
        organisation: organisation.map(|(_, name)| name.to_owned()),
        password: DEMO_PASSWORD.to_owned(),
        api_token: created.api_token,
    };
    Ok((credentials, created.user.id))
}

fn volunteer_inputs(rng: &mut StdRng, today: NaiveDate) -> anyhow::Result<Vec<VolunteerInput>> {
    let mut emails = HashSet::new();
    let mut pool = Vec::new();
    for community in COMMUNITIES {
        let mut female = community.female.to_vec();
        let mut male = community.male.to_vec();
        female.shuffle(rng);
        male.shuffle(rng);
        for _ in 0..community.volunteers {
            let wants_female = rng.random_bool(0.55);
            let (first_name, gender) = if (wants_female && !female.is_empty()) || male.is_empty() {
                (female.pop(), Gender::Female)
            } else {
                (male.pop(), Gender::Male)
            };
            let first_name = first_name.context("a community has fewer names than volunteers")?;
            let initial = *SURNAME_INITIALS.choose(rng).expect("initials");
            let (name, email) = unique_name(rng, first_name, initial, &mut emails);
            pool.push(volunteer(rng, community, name, email, gender, today)?);
        }
    }
    Ok(pool)
}

/// "Selam T." and selam.t@…; another initial when the address is taken.
fn unique_name(rng: &mut StdRng, first_name: &str, mut initial: char, taken: &mut HashSet<String>) -> (String, String) {
    loop {
        let email = format!(
            "{}.{}@{EMAIL_DOMAIN}",
            email_part(first_name),
            initial.to_ascii_lowercase()
        );
        if taken.insert(email.clone()) {
            return (format!("{first_name} {initial}."), email);
        }
        initial = *SURNAME_INITIALS.choose(rng).expect("initials");
    }
}

/// `Ayşe` -> `ayse`, `Jürgen` -> `juergen`, `Jean-Paul` -> `jean-paul`.
fn email_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ş' => out.push('s'),
            'ç' => out.push('c'),
            'ğ' => out.push('g'),
            'ı' | 'í' | 'î' => out.push('i'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'á' | 'à' | 'â' => out.push('a'),
            'ó' | 'ô' => out.push('o'),
            'ú' | 'û' => out.push('u'),
            'ñ' => out.push('n'),
            'a'..='z' | '0'..='9' | '-' => out.push(c),
            _ => {}
        }
    }
    out
}

fn volunteer(
    rng: &mut StdRng,
    community: &Community,
    name: String,
    email: String,
    gender: Gender,
    today: NaiveDate,
) -> anyhow::Result<VolunteerInput> {
    let status = weighted(rng, STATUSES);
    let modes = weighted(rng, MODES).to_vec();
    let service_area = if modes.contains(&Mode::OnSite) {
        towns(rng)
    } else {
        Vec::new()
    };
    let german_level = if rng.random_bool(community.german_native) {
        GermanLevel::Native
    } else {
        weighted(rng, GERMAN_LEVELS)
    };
    let (confidentiality_signed_on, training_completed_on) = pledge_and_training(rng, status, today);
    Ok(VolunteerInput {
        name,
        email,
        phone: rng.random_bool(0.85).then(|| mobile_number(rng)),
        languages: languages(rng, community)?,
        german_level,
        modes,
        service_area,
        excluded_settings: excluded_settings(rng),
        // A few leave their gender unrecorded; it is only used for gender preferences.
        gender: rng.random_bool(0.92).then_some(gender),
        availability: availability(rng)?,
        absences: absences(rng, today)?,
        max_assignments_per_month: rng.random_bool(0.75).then(|| rng.random_range(2..=8)),
        confidentiality_signed_on,
        training_completed_on,
        status,
        notes: rng
            .random_bool(0.15)
            .then(|| NOTES.choose(rng).expect("notes").to_string()),
    })
}

fn languages(rng: &mut StdRng, community: &Community) -> anyhow::Result<Vec<VolunteerLanguage>> {
    let &(first, dialect) = community
        .first
        .choose(rng)
        .expect("every community has a first language");
    let mut languages = vec![language(first, community.first_proficiency, dialect)?];
    for &(code, chance) in community.also {
        if languages.len() < 3 && code != first && rng.random_bool(chance) {
            let proficiency = *[
                Proficiency::Fluent,
                Proficiency::Fluent,
                Proficiency::Working,
                Proficiency::Working,
                Proficiency::Basic,
            ]
            .choose(rng)
            .expect("proficiencies");
            languages.push(language(code, proficiency, None)?);
        }
    }
    Ok(languages)
}

fn language(code: &str, proficiency: Proficiency, dialect: Option<&str>) -> anyhow::Result<VolunteerLanguage> {
    Ok(VolunteerLanguage {
        code: LanguageCode::parse(code).with_context(|| format!("demo language {code}"))?,
        proficiency,
        dialect: dialect.map(str::to_owned),
    })
}

/// The home town and up to three others nearby.
fn towns(rng: &mut StdRng) -> Vec<String> {
    let home = weighted(rng, TOWNS);
    let others: Vec<&str> = TOWNS
        .iter()
        .map(|&(_, town)| town)
        .filter(|&town| town != home)
        .collect();
    let extra = rng.random_range(0..=3);
    let mut towns = vec![home.to_owned()];
    towns.extend(others.sample(rng, extra).map(|&town| town.to_owned()));
    towns
}

fn mobile_number(rng: &mut StdRng) -> String {
    let prefix = MOBILE_PREFIXES.choose(rng).expect("prefixes");
    format!("+49 {prefix} {}", rng.random_range(1_000_000..=9_999_999))
}

fn excluded_settings(rng: &mut StdRng) -> Vec<Setting> {
    match rng.random_range(0..100) {
        0..15 => vec![Setting::Psychotherapy],
        15..22 => vec![Setting::Medical],
        22..26 => vec![Setting::Medical, Setting::Psychotherapy],
        _ => Vec::new(),
    }
}

fn availability(rng: &mut StdRng) -> anyhow::Result<Vec<WeeklySlot>> {
    let mut slots = Vec::new();
    for &(days, from, to) in weighted(rng, AVAILABILITY) {
        for day in days {
            slots.push(WeeklySlot::parse(day, from, to)?);
        }
    }
    Ok(slots)
}

/// Some are away over Christmas, a few on holiday within the next weeks.
fn absences(rng: &mut StdRng, today: NaiveDate) -> anyhow::Result<Vec<DateRange>> {
    let mut absences = Vec::new();
    if rng.random_bool(0.15) {
        let year = if today.month() == 1 && today.day() <= 6 {
            today.year() - 1
        } else {
            today.year()
        };
        absences.push(DateRange::new(date(year, 12, 22)?, date(year + 1, 1, 2)?)?);
    }
    if rng.random_bool(0.08) {
        let from = today + Days::new(rng.random_range(0..18));
        let to = from + Days::new(rng.random_range(4..14));
        absences.push(DateRange::new(from, to)?);
    }
    Ok(absences)
}

/// Most signed the pledge and took the basic training within two years; some trainings have
/// expired, some never took place, and applicants are mostly still waiting for theirs.
fn pledge_and_training(
    rng: &mut StdRng,
    status: VolunteerStatus,
    today: NaiveDate,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let days_ago = |rng: &mut StdRng, range: std::ops::Range<u64>| today - Days::new(rng.random_range(range));
    if status == VolunteerStatus::Applicant {
        let pledge = rng.random_bool(0.5).then(|| days_ago(rng, 7..60));
        let training = rng.random_bool(0.2).then(|| days_ago(rng, 7..60));
        return (pledge, training);
    }
    let pledge = rng.random_bool(0.9).then(|| days_ago(rng, 30..1100));
    let training = match rng.random_range(0..100) {
        0..75 => Some(days_ago(rng, 14..700)),
        75..87 => Some(days_ago(rng, 745..1300)),
        _ => None,
    };
    (pledge, training)
}

/// Share of the demo requests planned around a volunteer who can take them, so that most find
/// someone; the others are planned blindly, and some of those go unfilled.
const PLANNED_SHARE: f64 = 0.8;
const OFFICE_OPENS: i64 = 8 * 60;
const OFFICE_CLOSES: i64 = 16 * 60;

/// When, where and how an appointment takes place.
struct Appointment {
    occasion: &'static Occasion,
    day: NaiveDate,
    start_minute: i64,
    mode: Mode,
    town: Option<String>,
}

/// The demo requests, by caseworkers of every organisation, on office days within the next
/// three weeks.
fn request_inputs(
    rng: &mut StdRng,
    pool: &[VolunteerInput],
    caseworkers: &[(Actor, &OrganisationSeed)],
    settings: &RequestSettings,
    today: NaiveDate,
) -> Vec<(Actor, RequestInput)> {
    let days: Vec<NaiveDate> = (1..=REQUEST_HORIZON_DAYS)
        .map(|n| today + Days::new(n))
        .filter(|&d| is_office_day(d))
        .collect();
    let mut requests = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let &(actor, organisation) = caseworkers.choose(rng).expect("caseworkers");
        let language = LanguageCode::parse(weighted(rng, REQUESTED_LANGUAGES)).expect("a known code");
        let able: Vec<&VolunteerInput> = pool
            .iter()
            .filter(|v| could_serve(v, language, settings, today))
            .collect();
        let planned = match rng.random_bool(PLANNED_SHARE) {
            true => able.choose(rng).and_then(|v| appointment_for(rng, v, &days)),
            false => None,
        };
        let appointment = planned.unwrap_or_else(|| any_appointment(rng, &days));
        let input = request(rng, language, appointment, organisation, today.year());
        requests.push((actor, input));
    }
    requests
}

/// Whether a volunteer passes the matcher's standing rules for a language: active, German good
/// enough, pledge signed, training valid throughout the demo's three weeks.
fn could_serve(
    volunteer: &VolunteerInput,
    language: LanguageCode,
    settings: &RequestSettings,
    today: NaiveDate,
) -> bool {
    let trained_until = volunteer
        .training_completed_on
        .and_then(|on| on.checked_add_months(Months::new(settings.training_validity_months)));
    volunteer.status == VolunteerStatus::Active
        && volunteer.german_level >= settings.matching.min_german
        && volunteer.confidentiality_signed_on.is_some()
        && trained_until.is_some_and(|until| until >= today + Days::new(REQUEST_HORIZON_DAYS))
        && volunteer
            .languages
            .iter()
            .any(|spoken| spoken.proficiency >= Proficiency::Working && spoken.code.fit_for(language).is_some())
}

/// An appointment the volunteer can take: in the volunteer's hours and towns, by a mode and in
/// a setting the volunteer accepts.
fn appointment_for(rng: &mut StdRng, volunteer: &VolunteerInput, days: &[NaiveDate]) -> Option<Appointment> {
    let on_site_possible = volunteer.modes.contains(&Mode::OnSite);
    let occasions: Vec<&'static Occasion> = OCCASIONS
        .iter()
        .filter(|o| !volunteer.excluded_settings.contains(&o.setting))
        .filter(|o| !o.women_only || (volunteer.gender == Some(Gender::Female) && on_site_possible))
        .collect();
    let occasion = *occasions.choose(rng)?;
    // (day, earliest start, latest start) within a slot and office hours.
    let windows: Vec<(NaiveDate, i64, i64)> = days
        .iter()
        .filter(|&&day| !volunteer.absences.iter().any(|absence| absence.contains(day)))
        .flat_map(|&day| {
            volunteer
                .availability
                .iter()
                .filter(move |slot| slot.weekday == day.weekday())
                .map(move |slot| {
                    let earliest = i64::from(slot.start_minute).max(OFFICE_OPENS);
                    let latest = i64::from(slot.end_minute).min(OFFICE_CLOSES) - occasion.minutes;
                    (day, earliest, latest)
                })
        })
        .filter(|&(_, earliest, latest)| earliest <= latest)
        .collect();
    let &(day, earliest, latest) = windows.choose(rng)?;
    let remote: Vec<Mode> = volunteer.modes.iter().copied().filter(|&m| m != Mode::OnSite).collect();
    let mode = if on_site_possible && (remote.is_empty() || occasion.women_only || rng.random_bool(0.8)) {
        Mode::OnSite
    } else {
        *remote.choose(rng)?
    };
    let town = match mode {
        Mode::OnSite => Some(volunteer.service_area.choose(rng)?.clone()),
        _ => None,
    };
    Some(Appointment {
        occasion,
        day,
        start_minute: earliest + 15 * rng.random_range(0..=(latest - earliest) / 15),
        mode,
        town,
    })
}

/// An appointment as it comes, mostly on site.
fn any_appointment(rng: &mut StdRng, days: &[NaiveDate]) -> Appointment {
    let occasion = OCCASIONS.choose(rng).expect("occasions");
    let day = *days.choose(rng).expect("office days within three weeks");
    let quarters = (OFFICE_CLOSES - OFFICE_OPENS - occasion.minutes) / 15;
    let start_minute = OFFICE_OPENS + 15 * rng.random_range(0..=quarters);
    let mode = match rng.random_range(0..20) {
        _ if occasion.women_only => Mode::OnSite,
        0..16 => Mode::OnSite,
        16..19 => Mode::Phone,
        _ => Mode::Video,
    };
    let town = (mode == Mode::OnSite).then(|| weighted(rng, TOWNS).to_owned());
    Appointment {
        occasion,
        day,
        start_minute,
        mode,
        town,
    }
}

fn request(
    rng: &mut StdRng,
    language: LanguageCode,
    appointment: Appointment,
    organisation: &OrganisationSeed,
    year: i32,
) -> RequestInput {
    let Appointment {
        occasion,
        day,
        start_minute,
        mode,
        town,
    } = appointment;
    let time =
        NaiveTime::from_hms_opt((start_minute / 60) as u32, (start_minute % 60) as u32, 0).expect("office hours");
    RequestInput {
        language,
        dialect: None,
        starts_at: local_to_utc(day, time).with_timezone(&POOL_TZ).fixed_offset(),
        duration_minutes: occasion.minutes,
        mode,
        town,
        address: (mode == Mode::OnSite).then(|| occasion.address.to_owned()),
        setting: occasion.setting,
        gender_preference: occasion.women_only.then_some(GenderPreferenceInput {
            gender: Gender::Female,
            strength: GenderStrength::Required,
        }),
        client_ref: Some(file_number(rng, organisation, year)),
        notes: Some(occasion.notes.to_owned()),
        fill_by: None,
        organisation_id: None,
    }
}

/// Weekdays that are not fixed public holidays in Baden-Württemberg (Easter and the holidays
/// that move with it are ignored: the demo only needs plausible days).
fn is_office_day(day: NaiveDate) -> bool {
    let fixed_holiday = matches!(
        (day.month(), day.day()),
        (1, 1) | (1, 6) | (5, 1) | (10, 3) | (11, 1) | (12, 24..=26) | (12, 31)
    );
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !fixed_holiday
}

fn file_number(rng: &mut StdRng, organisation: &OrganisationSeed, year: i32) -> String {
    if organisation.file_with_year {
        format!("{}-{year}-{:04}", organisation.file_prefix, rng.random_range(1..=450))
    } else {
        format!("{}-{}", organisation.file_prefix, rng.random_range(100..=399))
    }
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(u32, T)]) -> T {
    items
        .choose_weighted(rng, |&(weight, _)| weight)
        .expect("positive weights")
        .1
}

fn date(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).with_context(|| format!("no date {year}-{month}-{day}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_core::vocab::TrainingStatus;
    use lp_migrations::MigratorTrait;
    use lp_registry::volunteers::VolunteerFilter;
    use lp_requests::lifecycle::RequestFilter;
    use std::path::PathBuf;

    fn now() -> DateTime<Utc> {
        "2026-11-23T08:30:00Z".parse().unwrap()
    }

    fn settings() -> RequestSettings {
        RequestSettings {
            wave_size: 3,
            wave_interval_minutes: 60,
            matching: lp_matcher::MatchConfig::default(),
            training_validity_months: 24,
            public_base_url: "http://127.0.0.1:8080".into(),
            ranker: Default::default(),
        }
    }

    /// A migrated SQLite database in a temporary file, removed on drop.
    struct TempDb {
        db: DatabaseConnection,
        path: PathBuf,
    }

    impl TempDb {
        async fn new() -> Self {
            let path = std::env::temp_dir().join(format!("linguapool-demo-{}.sqlite", Uuid::new_v4()));
            let db = lp_db::connect(&format!("sqlite://{}?mode=rwc", path.display()), 4)
                .await
                .unwrap();
            lp_migrations::Migrator::up(&db, None).await.unwrap();
            Self { db, path }
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = self.path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
    }

    /// The volunteers as entered, without ids and timestamps, in a stable order.
    async fn volunteers_as_entered(db: &DatabaseConnection) -> Vec<serde_json::Value> {
        let today = now().with_timezone(&POOL_TZ).date_naive();
        let mut all = volunteers::list(db, &VolunteerFilter::default(), today, 24)
            .await
            .unwrap();
        all.sort_by(|a, b| a.email.cmp(&b.email));
        all.iter()
            .map(|v| serde_json::to_value(VolunteerInput::from(v)).unwrap())
            .collect()
    }

    /// What the caseworkers entered, in a stable order.
    async fn request_keys(db: &DatabaseConnection) -> Vec<(String, &'static str, Option<String>, Option<String>)> {
        let all = lifecycle::list(db, Scope::All, &RequestFilter::default(), now())
            .await
            .unwrap();
        let mut keys: Vec<_> = all
            .into_iter()
            .map(|r| (r.starts_at.to_rfc3339(), r.language.as_str(), r.client_ref, r.town))
            .collect();
        keys.sort();
        keys
    }

    #[tokio::test]
    async fn demo_pool_is_plausible() {
        let temp = TempDb::new().await;
        let db = &temp.db;
        assert!(is_empty(db).await.unwrap());

        let pool = seed(db, &settings(), now(), 2026).await.unwrap();
        assert!(!is_empty(db).await.unwrap());
        assert_eq!(pool.organisations, 3);
        assert_eq!(organisations::list(db).await.unwrap().len(), 3);
        assert_eq!(pool.caseworkers.len(), 6);
        assert_eq!(pool.coordinator.email, "coordinator@demo.linguapool.test");
        assert!(
            !format!("{pool:?}").contains(DEMO_PASSWORD),
            "Debug must not show passwords"
        );
        assert!(!format!("{pool:?}").contains(&pool.coordinator.api_token));
        assert_eq!(
            staff::by_api_token(db, &pool.caseworkers[0].api_token)
                .await
                .unwrap()
                .unwrap()
                .email,
            pool.caseworkers[0].email
        );

        let stored = volunteers::list(db, &VolunteerFilter::default(), now().date_naive(), 24)
            .await
            .unwrap();
        assert_eq!(stored.len(), pool.volunteers);
        assert!(pool.volunteers >= 60, "{} volunteers", pool.volunteers);
        let languages: HashSet<LanguageCode> = stored.iter().flat_map(|v| v.languages.iter().map(|l| l.code)).collect();
        assert!(languages.len() >= 35, "{} languages", languages.len());
        assert!(stored.iter().filter(|v| v.status == VolunteerStatus::Active).count() >= 50);
        // The mix the coordinator meets in real life: not everyone can be asked.
        let today = now().with_timezone(&POOL_TZ).date_naive();
        let training = |status| stored.iter().any(|v| v.training(today, 24).status == status);
        assert!(
            training(TrainingStatus::Trained)
                && training(TrainingStatus::Expired)
                && training(TrainingStatus::Untrained)
        );
        assert!(stored.iter().any(|v| v.german_level == GermanLevel::A2));
        assert!(stored.iter().any(|v| v.german_level == GermanLevel::Native));
        assert!(stored.iter().any(|v| v.status != VolunteerStatus::Active));

        let requests = lifecycle::list(db, Scope::All, &RequestFilter::default(), now())
            .await
            .unwrap();
        assert_eq!(requests.len(), pool.requests);
        assert_eq!(pool.requests, REQUESTS);
        let with_offers = requests.iter().filter(|r| !r.offers.is_empty()).count();
        assert!(
            with_offers * 2 >= requests.len(),
            "only {with_offers} requests got offers"
        );
        for request in &requests {
            assert!(request.starts_at.with_timezone(&Utc) > now());
            assert!(request.starts_at.with_timezone(&Utc) < now() + chrono::Duration::days(22));
        }
    }

    #[tokio::test]
    async fn seeding_is_deterministic() {
        let (a, b, c) = (TempDb::new().await, TempDb::new().await, TempDb::new().await);
        seed(&a.db, &settings(), now(), 7).await.unwrap();
        seed(&b.db, &settings(), now(), 7).await.unwrap();
        seed(&c.db, &settings(), now(), 8).await.unwrap();
        let (first, second, other) = (
            volunteers_as_entered(&a.db).await,
            volunteers_as_entered(&b.db).await,
            volunteers_as_entered(&c.db).await,
        );
        assert_eq!(first, second);
        assert_ne!(first, other);

        assert_eq!(request_keys(&a.db).await, request_keys(&b.db).await);
    }

    #[test]
    fn email_part_is_ascii() {
        assert_eq!(email_part("Ayşe"), "ayse");
        assert_eq!(email_part("Jürgen"), "juergen");
        assert_eq!(email_part("Jean-Paul"), "jean-paul");
        assert_eq!(email_part("Lucía"), "lucia");
    }
}
