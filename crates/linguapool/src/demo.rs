//! A demo pool to try Linguapool with: Winnenden and its neighbouring towns, three
//! organisations with two caseworkers each, a coordinator, the volunteers of the synthetic
//! town that `simulate` replays (seventy in some forty languages unless told otherwise) and a
//! dozen requests over the next three weeks; on demand years of past requests (`history`).
//!
//! Everything but the database ids, tokens and password hashes follows from the seed, so a seed
//! always gives the same pool. The people are made up: first names with an initial, emails under
//! `demo.linguapool.test` (a reserved domain), client references that are file numbers.

mod history;
mod trainings;

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use lp_core::LanguageCode;
use lp_core::access::{Actor, Coordinator, Scope};
use lp_core::secret::ServerKey;
use lp_core::time::{POOL_TZ, local_to_utc};
use lp_core::vocab::{Gender, GenderStrength, Mode, Proficiency, Role, Setting, VolunteerStatus};
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_registry::volunteers::{self, VolunteerInput, VolunteerLanguage};
use lp_requests::input::{GenderPreferenceInput, RequestInput};
use lp_requests::{RequestError, RequestSettings, lifecycle};
use lp_simulate::generate::{self, REQUESTED_LANGUAGES, TOWNS, is_office_day, weighted};
use lp_simulate::progress::{Progress, ProgressBar};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use sea_orm::DatabaseConnection;
use std::collections::HashSet;
use std::fmt;
use uuid::Uuid;

pub use history::HistorySummary;

/// Every demo user's password, so that the printed credentials work.
pub const DEMO_PASSWORD: &str = "demo-password-1";
/// The purpose under which a demo user's API token is derived from the server key
/// ([`demo_token`]).
const DEMO_TOKEN_PURPOSE: &str = "demo api token";
const EMAIL_DOMAIN: &str = "demo.linguapool.test";
const COORDINATOR: (&str, &str) = ("Koordination Dolmetscherpool", "coordinator");
const REQUESTS: usize = 12;
/// How far ahead the demo requests lie.
const REQUEST_HORIZON_DAYS: u64 = 21;

/// What to seed: `linguapool demo` without flags is the seventy volunteers of the default
/// simulated town and no past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    pub seed: u64,
    pub volunteers: usize,
    /// Days of past requests before today, with their offers ([`history`]).
    pub history_days: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 2026,
            volunteers: 70,
            history_days: 0,
        }
    }
}

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

/// First names by the first language of a volunteer (female, male); volunteers who learned
/// their first language as German natives get German names.
#[rustfmt::skip]
const FIRST_NAMES: &[(&[&str], &[&str], &[&str])] = &[
    (&["apc", "ara"], &["Rasha", "Lina", "Hiba", "Nour", "Amal", "Rana", "Dima"],
        &["Ahmad", "Mohammad", "Khaled", "Omar", "Yousef", "Bassel", "Samer"]),
    (&["acm", "ayp"], &["Zainab", "Noor", "Sura", "Hanan"], &["Ali", "Haider", "Mustafa", "Hussein"]),
    (&["arz", "ary", "aeb"], &["Mona", "Yasmin", "Salma", "Nadia"], &["Karim", "Tarek", "Youssef", "Hamza"]),
    (&["prs"], &["Farzana", "Mariam", "Zahra", "Shabnam", "Sahar", "Parwana"],
        &["Wahid", "Farid", "Jawad", "Hamid", "Naweed", "Sayed"]),
    (&["pus"], &["Gulalai", "Malalai", "Palwasha"], &["Zabihullah", "Noorullah", "Rahmatullah", "Asadullah"]),
    (&["pes"], &["Niloufar", "Shirin", "Parisa", "Leila"], &["Reza", "Amir", "Babak", "Dariush"]),
    (&["kmr"], &["Berivan", "Rojda", "Zozan", "Delal", "Nesrin"], &["Azad", "Rojhat", "Serhat", "Welat", "Baran"]),
    (&["ckb"], &["Shilan", "Kazhal", "Narin"], &["Karwan", "Hemin", "Dler", "Shwan"]),
    (&["tur"], &["Elif", "Zeynep", "Ayşe", "Derya"], &["Mehmet", "Emre", "Murat", "Kemal"]),
    (&["ukr"], &["Olena", "Iryna", "Kateryna", "Oksana", "Tetiana", "Yuliia"],
        &["Andrii", "Oleksandr", "Dmytro", "Serhii", "Vitalii"]),
    (&["rus"], &["Svetlana", "Natalia", "Irina", "Olga"], &["Sergei", "Alexei", "Viktor", "Pavel"]),
    (&["kat"], &["Nino", "Tamar"], &["Giorgi", "Levan"]),
    (&["hye"], &["Anahit", "Gayane"], &["Armen", "Tigran"]),
    (&["azj"], &["Aysel", "Gunel"], &["Elnur", "Rashad"]),
    (&["che"], &["Madina", "Zarema"], &["Ruslan", "Aslan"]),
    (&["sqi", "als", "aln"], &["Arta", "Blerta", "Drita"], &["Arben", "Besnik", "Driton"]),
    (&["bos", "srp", "hrv"], &["Jelena", "Amra", "Mirela"], &["Dragan", "Emir", "Nermin"]),
    (&["ron"], &["Ioana", "Andreea"], &["Mihai", "Florin"]),
    (&["tir"], &["Selam", "Helen", "Semhar", "Winta"], &["Yonas", "Dawit", "Tesfay", "Filmon"]),
    (&["amh"], &["Meron", "Tigist"], &["Henok", "Biniam"]),
    (&["gaz"], &["Chaltu", "Ayantu"], &["Gemechu", "Tolera"]),
    (&["som"], &["Hodan", "Amina", "Fadumo"], &["Abdirahman", "Abdullahi", "Hassan"]),
    (&["lin"], &["Grace", "Merveille"], &["Patrick", "Jean-Paul"]),
    (&["wol"], &["Awa", "Fatou"], &["Moussa", "Cheikh"]),
    (&["fuf"], &["Mariama", "Aissatou"], &["Mamadou", "Thierno"]),
    (&["hau"], &["Aisha", "Hauwa"], &["Abubakar", "Sani"]),
    (&["yor"], &["Folake", "Bukola"], &["Tunde", "Olumide"]),
    (&["ibo"], &["Chioma", "Ngozi"], &["Chinedu", "Emeka"]),
    (&["urd"], &["Ayesha", "Sana"], &["Imran", "Bilal"]),
    (&["vie"], &["Linh", "Thu"], &["Minh", "Tuan"]),
];
const GERMAN_NAMES: (&[&str], &[&str]) = (
    &["Ulrike", "Claudia", "Anna", "Sabine", "Katrin", "Julia"],
    &["Jürgen", "Martin", "Lukas", "Thomas", "Stefan", "Felix"],
);

/// The names to choose from for a volunteer of the synthetic town.
fn first_names(volunteer: &generate::Volunteer) -> (&'static [&'static str], &'static [&'static str]) {
    let first = &volunteer.profile.languages[0];
    if first.proficiency != Proficiency::Native {
        return GERMAN_NAMES;
    }
    FIRST_NAMES
        .iter()
        .find(|(codes, _, _)| codes.contains(&first.code.as_str()))
        .map_or(GERMAN_NAMES, |&(_, female, male)| (female, male))
}

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
    pub history: Option<HistorySummary>,
    pub trainings: trainings::TrainingsSummary,
}

/// Whether the database has no organisations yet, i.e. was never seeded nor used.
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(organisations::list(db).await?.is_empty())
}

/// Fills an empty database with the demo pool; the same options give the same pool. Creating
/// the requests sends their first offers (into the outbox, like any request). A big pool shows
/// its progress on stderr.
pub async fn seed(
    db: &DatabaseConnection,
    settings: &RequestSettings,
    now: DateTime<Utc>,
    options: &DemoOptions,
) -> anyhow::Result<DemoPool> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let today = now.with_timezone(&POOL_TZ).date_naive();

    let key = &settings.server_key;
    let coordinator = create_staff(db, key, COORDINATOR, Role::Coordinator, None, now).await?;
    let mut caseworkers = Vec::new();
    let mut actors = Vec::new();
    let mut filers = Vec::new();
    for seed_org in ORGANISATIONS {
        let input = OrganisationInput {
            name: seed_org.name.to_owned(),
        };
        let org = organisations::create(db, &Coordinator::operator(), &input, now)
            .await
            .with_context(|| format!("organisation {}", seed_org.name))?;
        for person in seed_org.caseworkers {
            let (credentials, user_id) = create_staff(
                db,
                key,
                person,
                Role::Caseworker,
                Some((org.id, org.name.as_str())),
                now,
            )
            .await?;
            caseworkers.push(credentials);
            filers.push(history::Filer {
                user_id,
                organisation_id: org.id,
            });
            actors.push((
                Actor {
                    user_id,
                    scope: Scope::Organisation(org.id),
                    addr: None,
                },
                seed_org,
            ));
        }
    }

    // The town `simulate` replays, living through this year, as the coordinator knows it today.
    let town = generate::pool(&mut rng, options.volunteers, today.year());
    let pool = volunteer_inputs(&mut rng, &town, today);
    let mut bar = ProgressBar::on_stderr();
    let mut ids = Vec::with_capacity(pool.len());
    for (done, input) in pool.iter().enumerate() {
        let valid = input
            .clone()
            .validate()
            .with_context(|| format!("demo volunteer {}", input.name))?;
        let created = volunteers::create(db, &Coordinator::operator(), valid, now)
            .await
            .with_context(|| format!("demo volunteer {}", input.name))?;
        ids.push(created.id);
        bar.update(Progress {
            stage: "pool",
            done: done + 1,
            total: pool.len(),
        });
    }

    let history = match options.history_days {
        0 => None,
        days => {
            let town = history::Town {
                volunteers: &town,
                ids: &ids,
                filers: &filers,
            };
            Some(history::seed(db, &town, settings, now, days, options.seed, &mut bar).await?)
        }
    };
    bar.finish();

    let trainings = trainings::seed(db, &pool, &ids, &training_settings(settings), now).await?;

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
        history,
        trainings,
    })
}

/// The trainings' settings of the service the demo seeds for.
fn training_settings(settings: &RequestSettings) -> lp_trainings::TrainingSettings {
    lp_trainings::TrainingSettings {
        validity_months: settings.training_validity_months,
        public_base_url: settings.public_base_url.clone(),
        server_key: settings.server_key.clone(),
    }
}

async fn create_staff(
    db: &DatabaseConnection,
    key: &ServerKey,
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
    let api_token = demo_token(key, &created.user.email);
    staff::set_api_token(db, created.user.id, &api_token).await?;
    let credentials = Credentials {
        name: created.user.name,
        email: created.user.email,
        organisation: organisation.map(|(_, name)| name.to_owned()),
        password: DEMO_PASSWORD.to_owned(),
        api_token,
    };
    Ok((credentials, created.user.id))
}

/// A demo user's API token: derived from the server key (kept outside the database) and the
/// address, so a later `demo` on the same database can print it again although only its hash
/// is stored. Only demo users get such a token; everyone else's is random and shown once.
fn demo_token(key: &ServerKey, email: &str) -> String {
    key.derive(DEMO_TOKEN_PURPOSE, email.as_bytes())
}

/// The demo's staff, in the order the demo made them.
#[derive(Debug, Clone)]
pub struct DemoStaff {
    pub coordinator: Credentials,
    pub caseworkers: Vec<Credentials>,
}

/// The demo's staff in a database an earlier `demo` seeded, to print their credentials again:
/// the password is the demo's (unless someone changed it), the API token is derived afresh
/// and stored again, so it works even after the server key changed. `None` when the demo's
/// coordinator is not there (the database holds something else).
pub async fn staff_again(db: &DatabaseConnection, key: &ServerKey) -> anyhow::Result<Option<DemoStaff>> {
    let users = staff::list(db).await?;
    let organisations = organisations::list(db).await?;
    let again = |(name, local_part): (&str, &str)| {
        let email = format!("{local_part}@{EMAIL_DOMAIN}");
        users.iter().find(|u| u.email == email).map(|user| {
            let organisation = user
                .organisation_id
                .and_then(|id| organisations.iter().find(|o| o.id == id))
                .map(|o| o.name.clone());
            (
                user.id,
                Credentials {
                    name: name.to_owned(),
                    email,
                    organisation,
                    password: DEMO_PASSWORD.to_owned(),
                    api_token: demo_token(key, &user.email),
                },
            )
        })
    };
    let Some((id, coordinator)) = again(COORDINATOR) else {
        return Ok(None);
    };
    staff::set_api_token(db, id, &coordinator.api_token).await?;
    let mut caseworkers = Vec::new();
    for person in ORGANISATIONS.iter().flat_map(|o| o.caseworkers) {
        if let Some((id, credentials)) = again(person) {
            staff::set_api_token(db, id, &credentials.api_token).await?;
            caseworkers.push(credentials);
        }
    }
    Ok(Some(DemoStaff {
        coordinator,
        caseworkers,
    }))
}

/// The town's volunteers as a coordinator would have entered them, with what only the demo
/// needs: a name, an email address, a phone number, now and then a note.
fn volunteer_inputs(rng: &mut StdRng, town: &[generate::Volunteer], today: NaiveDate) -> Vec<VolunteerInput> {
    let mut emails = HashSet::new();
    town.iter()
        .map(|volunteer| {
            let (female, male) = first_names(volunteer);
            let names = match volunteer.profile.gender {
                Some(Gender::Female) => female,
                Some(Gender::Male) => male,
                // Unrecorded or diverse: the name says nothing either way.
                _ if rng.random_bool(0.55) => female,
                _ => male,
            };
            let first_name = names.choose(rng).expect("every language has names");
            let (name, email) = unique_name(rng, first_name, &mut emails);
            registry_input(rng, volunteer, name, email, today)
        })
        .collect()
}

/// "Selam T." and selam.t@…; another initial when the address is taken, and a number once
/// a big pool has used them all.
fn unique_name(rng: &mut StdRng, first_name: &str, taken: &mut HashSet<String>) -> (String, String) {
    let local = email_part(first_name);
    for attempt in 1.. {
        let initial = *SURNAME_INITIALS.choose(rng).expect("initials");
        let number = match attempt {
            ..=20 => String::new(),
            n => (n - 19).to_string(),
        };
        let email = format!("{local}.{}{number}@{EMAIL_DOMAIN}", initial.to_ascii_lowercase());
        if taken.insert(email.clone()) {
            return (format!("{first_name} {initial}."), email);
        }
    }
    unreachable!("some number is free")
}

/// A volunteer of the synthetic town with status, training and pledge as of `today` and the
/// absences not over yet.
fn registry_input(
    rng: &mut StdRng,
    volunteer: &generate::Volunteer,
    name: String,
    email: String,
    today: NaiveDate,
) -> VolunteerInput {
    let (profile, timeline) = (&volunteer.profile, &volunteer.timeline);
    VolunteerInput {
        name,
        email,
        phone: rng.random_bool(0.85).then(|| mobile_number(rng)),
        languages: profile
            .languages
            .iter()
            .map(|l| VolunteerLanguage {
                code: l.code,
                proficiency: l.proficiency,
                dialect: l.dialect.clone(),
            })
            .collect(),
        german_level: profile.german_level,
        modes: profile.modes.clone(),
        service_area: profile.service_area.clone(),
        excluded_settings: profile.excluded_settings.clone(),
        gender: profile.gender,
        availability: profile.availability.clone(),
        absences: profile.absences.iter().filter(|a| a.to >= today).copied().collect(),
        max_assignments_per_month: profile.max_assignments_per_month.map(i64::from),
        confidentiality_signed_on: timeline.pledge_signed_on.filter(|&on| on <= today),
        training_completed_on: timeline.last_training_on(today),
        status: timeline.status_on(today),
        notes: rng
            .random_bool(0.15)
            .then(|| NOTES.choose(rng).expect("notes").to_string()),
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

fn mobile_number(rng: &mut StdRng) -> String {
    let prefix = MOBILE_PREFIXES.choose(rng).expect("prefixes");
    format!("+49 {prefix} {}", rng.random_range(1_000_000..=9_999_999))
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
        repeat: None,
    }
}

fn file_number(rng: &mut StdRng, organisation: &OrganisationSeed, year: i32) -> String {
    if organisation.file_with_year {
        format!("{}-{year}-{:04}", organisation.file_prefix, rng.random_range(1..=450))
    } else {
        format!("{}-{}", organisation.file_prefix, rng.random_range(100..=399))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_core::vocab::{GermanLevel, RequestStatus, TrainingStatus};
    use lp_registry::volunteers::VolunteerFilter;
    use lp_requests::lifecycle::RequestFilter;
    use lp_testkit::TestDb;

    fn now() -> DateTime<Utc> {
        "2026-11-23T08:30:00Z".parse().unwrap()
    }

    fn settings() -> RequestSettings {
        RequestSettings::with_defaults("http://127.0.0.1:8080")
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

    /// A second `demo` on the same database prints working credentials again.
    #[tokio::test]
    async fn a_second_run_finds_the_demo_staff_with_the_same_working_tokens() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        let settings = settings();
        assert!(
            staff_again(db, &settings.server_key).await.unwrap().is_none(),
            "no demo yet"
        );
        let options = DemoOptions {
            volunteers: 5,
            ..DemoOptions::default()
        };
        let pool = seed(db, &settings, now(), &options).await.unwrap();
        let again = staff_again(db, &settings.server_key).await.unwrap().unwrap();
        let tokens = |c: &Credentials| (c.email.clone(), c.organisation.clone(), c.api_token.clone());
        let first: Vec<_> = std::iter::once(&pool.coordinator)
            .chain(&pool.caseworkers)
            .map(tokens)
            .collect();
        let second: Vec<_> = std::iter::once(&again.coordinator)
            .chain(&again.caseworkers)
            .map(tokens)
            .collect();
        assert_eq!(first, second);
        assert_eq!(again.caseworkers.len(), 6);
        for (email, _, token) in &second {
            let user = staff::by_api_token(db, token).await.unwrap().unwrap();
            assert_eq!(&user.email, email);
        }
        // With another server key the tokens are derived and stored afresh; the old ones end.
        let other = ServerKey::generate();
        let renewed = staff_again(db, &other).await.unwrap().unwrap();
        assert_ne!(renewed.coordinator.api_token, pool.coordinator.api_token);
        assert!(
            staff::by_api_token(db, &pool.coordinator.api_token)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            staff::by_api_token(db, &renewed.coordinator.api_token)
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn demo_pool_is_plausible() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        assert!(is_empty(db).await.unwrap());

        let pool = seed(db, &settings(), now(), &DemoOptions::default()).await.unwrap();
        assert!(pool.history.is_none());
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
        // (By late November the simulated town has trained nearly everyone it ever will in
        // the year: the basic courses were in March and October. Expired trainings remain.)
        let training = |status| stored.iter().any(|v| v.training(today, 24).status == status);
        assert!(training(TrainingStatus::Trained) && training(TrainingStatus::Expired));
        assert!(stored.iter().any(|v| v.german_level == GermanLevel::A2));
        assert!(stored.iter().any(|v| v.german_level == GermanLevel::Native));
        assert!(stored.iter().any(|v| v.status != VolunteerStatus::Active));

        // A past basic training with attendance, which made its attendees trained, and a
        // full refresher ahead with a waiting list.
        let held = lp_trainings::trainings::list(db, &Coordinator::operator(), now())
            .await
            .unwrap();
        assert_eq!(held.len(), 2);
        let t = pool.trainings;
        assert!(t.attended >= 7, "{t:?}");
        assert_eq!((t.registered, t.waiting), (6, 2));
        let past = held.iter().find(|t| t.starts_at.to_utc() < now()).unwrap();
        let detail = lp_trainings::trainings::detail(db, &Coordinator::operator(), past.id)
            .await
            .unwrap();
        assert_eq!(detail.attended.len(), t.attended);
        for attendee in &detail.attended {
            let attendee = volunteers::get(db, attendee.volunteer_id).await.unwrap().unwrap();
            assert_eq!(attendee.training(today, 24).status, TrainingStatus::Trained);
            assert_eq!(attendee.training_attended_on, Some(past.starts_at.date_naive()));
        }

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

    fn with_seed(seed: u64) -> DemoOptions {
        DemoOptions {
            seed,
            ..DemoOptions::default()
        }
    }

    #[tokio::test]
    async fn seeding_is_deterministic() {
        let (a, b, c) = (
            TestDb::from_env().await,
            TestDb::from_env().await,
            TestDb::from_env().await,
        );
        seed(&a.conn, &settings(), now(), &with_seed(7)).await.unwrap();
        seed(&b.conn, &settings(), now(), &with_seed(7)).await.unwrap();
        seed(&c.conn, &settings(), now(), &with_seed(8)).await.unwrap();
        let (first, second, other) = (
            volunteers_as_entered(&a.conn).await,
            volunteers_as_entered(&b.conn).await,
            volunteers_as_entered(&c.conn).await,
        );
        assert_eq!(first, second);
        assert_ne!(first, other);

        assert_eq!(request_keys(&a.conn).await, request_keys(&b.conn).await);
    }

    #[test]
    fn the_demo_pool_is_the_simulated_towns() {
        let today = now().with_timezone(&POOL_TZ).date_naive();
        let mut rng = StdRng::seed_from_u64(2026);
        let town = generate::pool(&mut rng, 70, generate::YEAR);
        let inputs = volunteer_inputs(&mut rng, &town, today);
        let world = generate::World::generate(2026, 70, 0);
        for ((input, volunteer), simulated) in inputs.iter().zip(&town).zip(&world.volunteers) {
            assert_eq!(volunteer.profile, simulated.profile);
            assert_eq!(input.availability, simulated.profile.availability);
            assert_eq!(input.status, simulated.timeline.status_on(today));
        }
    }

    #[test]
    fn a_big_pool_gets_a_name_for_everyone() {
        let today = now().with_timezone(&POOL_TZ).date_naive();
        let mut rng = StdRng::seed_from_u64(1);
        let town = generate::pool(&mut rng, 3000, today.year());
        let inputs = volunteer_inputs(&mut rng, &town, today);
        let emails: HashSet<&str> = inputs.iter().map(|v| v.email.as_str()).collect();
        assert_eq!(emails.len(), 3000);
        for (input, volunteer) in inputs.iter().zip(&town) {
            let first = &volunteer.profile.languages[0];
            if first.proficiency == Proficiency::Native {
                assert!(
                    FIRST_NAMES
                        .iter()
                        .any(|(codes, ..)| codes.contains(&first.code.as_str())),
                    "no names for {}",
                    first.code.as_str()
                );
            }
            assert!(input.clone().validate().is_ok(), "{}", input.name);
        }
    }

    #[tokio::test]
    async fn a_pool_with_a_past_keeps_what_the_service_relies_on() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        let options = DemoOptions {
            seed: 3,
            volunteers: 120,
            history_days: 90,
        };
        let pool = seed(db, &settings(), now(), &options).await.unwrap();
        let history = pool.history.expect("a past");
        assert_eq!(history.days, 90);
        // About 30 requests per volunteer and year, most of them taken.
        let expected = 30.0 * 120.0 * 90.0 / 365.0;
        assert!((history.requests as f64) > 0.8 * expected, "{history:?}");
        assert!(history.assignments * 2 > history.requests, "{history:?}");
        assert!(history.offers >= history.assignments, "{history:?}");

        let filter = RequestFilter {
            status: None,
            limit: Some(1000),
        };
        let all = lifecycle::list(db, Scope::All, &filter, now()).await.unwrap();
        assert_eq!(all.len(), history.requests + pool.requests);
        for request in all.iter().filter(|r| r.starts_at.with_timezone(&Utc) < now()) {
            let taken = matches!(request.status, RequestStatus::Assigned | RequestStatus::Completed);
            assert_eq!(request.assignee.is_some(), taken, "{}", request.id);
            let accepted: Vec<_> = request
                .offers
                .iter()
                .filter(|o| o.state == lp_core::vocab::OfferState::Accepted)
                .collect();
            assert_eq!(accepted.len(), usize::from(taken), "{}", request.id);
            if let Some(assignee) = &request.assignee {
                assert_eq!(accepted[0].volunteer_id, assignee.volunteer_id);
            }
            assert_eq!(
                request.status == RequestStatus::Completed,
                request.actual_minutes.is_some()
            );
            assert!(request.status != RequestStatus::Open, "{}", request.id);
        }
        // The dozen requests to click are there as without a past.
        assert_eq!(pool.requests, REQUESTS);
    }

    #[test]
    fn email_part_is_ascii() {
        assert_eq!(email_part("Ayşe"), "ayse");
        assert_eq!(email_part("Jürgen"), "juergen");
        assert_eq!(email_part("Jean-Paul"), "jean-paul");
        assert_eq!(email_part("Lucía"), "lucia");
    }
}
