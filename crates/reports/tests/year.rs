//! A small year, 2026, built through the service's own use cases with a hand-set clock
//! (filing, offers by mail, acceptances, declines, cancellations, completions, a training, an
//! erasure), then reported. Every figure below is computed by hand in the comments. Runs on
//! SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set.

use chrono::{DateTime, Duration, Utc};
use linguapool_reports::tables::{self, Cell, Locale, Table, TableId};
use linguapool_reports::{Allowance, Organisation, Period, ReportError, ReportSettings, Summary, export};
use lp_core::access::{Actor, Coordinator};
use lp_core::vocab::{Role, Setting};
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_registry::volunteers::{self, VolunteerInput};
use lp_requests::input::{CompletionInput, RequestInput};
use lp_requests::{RequestSettings, erasure, lifecycle, offers};
use lp_testkit::TestDb;
use lp_trainings::input::{AttendanceInput, Invitees, TrainingInput};
use lp_trainings::{TrainingSettings, invitations, record, trainings};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::io::Read;
use uuid::Uuid;

const BASE: &str = "http://pool.test";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// One server key for the instance of every test here, so [`token`] can write the mails' links in.
fn key() -> std::sync::Arc<lp_core::secret::ServerKey> {
    static KEY: std::sync::OnceLock<std::sync::Arc<lp_core::secret::ServerKey>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| std::sync::Arc::new(lp_core::secret::ServerKey::generate()))
        .clone()
}

fn settings() -> RequestSettings {
    RequestSettings {
        server_key: key(),
        ..RequestSettings::with_defaults(BASE)
    }
}

fn report_settings() -> ReportSettings {
    ReportSettings {
        organisation: Organisation {
            name: "Dolmetscherpool Teststadt".to_owned(),
            coordinator_name: "K. Koordinatorin".to_owned(),
            address: None,
        },
        // 12 € per started 90 minutes.
        allowance: Some(Allowance::new(1200, Some(90)).unwrap()),
    }
}

async fn volunteer(db: &DatabaseConnection, name: &str, now: DateTime<Utc>) -> Uuid {
    let week: Vec<serde_json::Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| serde_json::json!({"weekday": d, "start": "08:00", "end": "18:00"}))
        .collect();
    let input: VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": name, "email": format!("{}@pool.test", name.to_lowercase()),
        "languages": [{"code": "ara", "proficiency": "native"}],
        "german_level": "C1", "modes": ["on_site"], "service_area": ["Winnenden"], "availability": week,
        "confidentiality_signed_on": "2025-06-01", "training_completed_on": "2025-06-01", "status": "active"
    }))
    .unwrap();
    volunteers::create(db, &Coordinator::operator(), input.validate().unwrap(), now)
        .await
        .unwrap()
        .id
}

async fn caseworker(db: &DatabaseConnection, organisation: &str, email: &str, now: DateTime<Utc>) -> Actor {
    let org = organisations::create(
        db,
        &Coordinator::operator(),
        &OrganisationInput {
            name: organisation.into(),
        },
        now,
    )
    .await
    .unwrap();
    let input = StaffUserInput {
        email: email.into(),
        name: "Caseworker".into(),
        role: Role::Caseworker,
        organisation_id: Some(org.id),
        password: None,
    };
    let user = staff::insert(db, staff::prepare(&input, false).await.unwrap(), now)
        .await
        .unwrap()
        .user;
    Actor::new(user.id, Role::Caseworker, Some(org.id))
}

/// An appointment at 10:00 Berlin (winter time) on `day`, to be found by 18:00 the day before.
fn request(language: &str, day: &str, setting: Setting) -> RequestInput {
    let before = (at(&format!("{day}T12:00:00Z")) - Duration::days(1)).format("%Y-%m-%d");
    serde_json::from_value(serde_json::json!({
        "language": language, "starts_at": format!("{day}T10:00:00+01:00"), "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": setting.as_str(),
        "client_ref": "IM-2026-1", "notes": "Termin", "fill_by": format!("{before}T18:00:00+01:00")
    }))
    .unwrap()
}

/// The token in the newest offer mail to `name`.
async fn token(db: &DatabaseConnection, name: &str) -> String {
    let address = format!("{}@pool.test", name.to_lowercase());
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT body_text FROM outbox_emails WHERE to_address = '{address}' AND kind = 'offer' \
                 ORDER BY created_at DESC"
            ),
        ))
        .await
        .unwrap();
    // As the worker sends it: the outbox holds a placeholder where the link goes.
    let text = settings()
        .links()
        .resolve_text(&rows[0].try_get::<String>("", "body_text").unwrap())
        .unwrap();
    let start = text.find(&format!("{BASE}/o/")).unwrap() + BASE.len() + 3;
    text[start..].split_whitespace().next().unwrap().to_owned()
}

struct Year {
    db: TestDb,
    amal: Uuid,
    bashir: Uuid,
    erik: Uuid,
}

/// The year: R0 in December 2025 (outside it), R1 to R10 in 2026.
async fn year() -> Year {
    let db = TestDb::from_env().await;
    let conn = &db.conn;
    let settings = settings();
    let s = &settings;
    let start = at("2025-11-03T08:00:00Z");
    let town = caseworker(conn, "Stadt Winnenden", "cw@pool.test", start).await;
    let school = caseworker(conn, "Schule am Berg", "school@pool.test", start).await;
    let amal = volunteer(conn, "Amal", start).await;
    let bashir = volunteer(conn, "Bashir", start).await;
    let erik = volunteer(conn, "Erik", start).await;
    let file = |actor: Actor, input: RequestInput, now: &'static str| async move {
        lifecycle::create(conn, actor, &input, s, at(now)).await.unwrap().id
    };
    let accept = |name: &'static str, now: &'static str| async move {
        let token = token(conn, name).await;
        offers::accept(conn, &token, s, None, at(now)).await.unwrap();
    };
    let complete = |actor: Actor, id: Uuid, minutes: i64, now: &'static str| async move {
        let input = CompletionInput {
            actual_minutes: minutes,
            feedback: Some("gut".into()),
        };
        lifecycle::complete(conn, actor, id, &input, at(now)).await.unwrap();
    };

    // R0, December 2025: Amal, 120 minutes. Not in 2026.
    let r0 = file(
        town,
        request("ara", "2025-12-15", Setting::Authority),
        "2025-12-10T08:00:00Z",
    )
    .await;
    accept("Amal", "2025-12-10T08:20:00Z").await;
    complete(town, r0, 120, "2025-12-15T12:00:00Z").await;

    // R1: Amal after 30 minutes, 90 minutes interpreted.
    let r1 = file(
        town,
        request("ara", "2026-02-02", Setting::Authority),
        "2026-01-26T08:00:00Z",
    )
    .await;
    accept("Amal", "2026-01-26T08:30:00Z").await;
    // R2 (medical): Bashir after 150 minutes, 45 minutes.
    let r2 = file(
        town,
        request("ara", "2026-02-04", Setting::Medical),
        "2026-02-01T08:00:00Z",
    )
    .await;
    accept("Bashir", "2026-02-01T10:30:00Z").await;
    complete(town, r1, 90, "2026-02-02T12:00:00Z").await;
    complete(town, r2, 45, "2026-02-04T12:00:00Z").await;

    // R3: Erik after 10 minutes, 60 minutes; Erik is erased in December.
    let r3 = file(
        town,
        request("ara", "2026-03-03", Setting::Authority),
        "2026-03-01T08:00:00Z",
    )
    .await;
    accept("Erik", "2026-03-01T08:10:00Z").await;
    // R4: Amal after 1500 minutes, then the caseworker cancels: filled, no hours.
    let r4 = file(
        town,
        request("ara", "2026-03-05", Setting::Authority),
        "2026-03-02T08:00:00Z",
    )
    .await;
    accept("Amal", "2026-03-03T09:00:00Z").await;
    complete(town, r3, 60, "2026-03-03T12:00:00Z").await;
    lifecycle::cancel(conn, town, r4, false, at("2026-03-04T08:00:00Z"))
        .await
        .unwrap();

    // Amal attends a basic training on 10 March.
    let t = TrainingSettings {
        validity_months: 24,
        public_base_url: BASE.to_owned(),
        server_key: key(),
    };
    let created = at("2026-03-04T09:00:00Z");
    let input: TrainingInput = serde_json::from_value(serde_json::json!({
        "title": "Grundschulung Dolmetschen", "kind": "basic", "starts_at": "2026-03-10T18:00:00+01:00",
        "duration_minutes": 120, "location": "Rathaus", "capacity": 10,
        "registration_deadline": "2026-03-09T23:59:00+01:00"
    }))
    .unwrap();
    let by = Coordinator::operator();
    let training = trainings::create(conn, &by, input.validate(created).unwrap(), created)
        .await
        .unwrap();
    invitations::invite(conn, &by, training.id, Invitees::Chosen(vec![amal]), &t, created)
        .await
        .unwrap();
    let came = AttendanceInput {
        volunteer_ids: vec![amal],
    };
    record::record_attendance(conn, &by, training.id, &came, at("2026-03-10T19:00:00Z"))
        .await
        .unwrap();

    // R5: cancelled after an hour, before anyone accepted: unmet.
    let r5 = file(
        town,
        request("ara", "2026-03-12", Setting::Authority),
        "2026-03-09T08:00:00Z",
    )
    .await;
    lifecycle::cancel(conn, town, r5, false, at("2026-03-09T09:00:00Z"))
        .await
        .unwrap();
    // R6: Tigrinya, which nobody speaks: unfilled at once, no offer sent.
    file(
        town,
        request("tir", "2026-04-07", Setting::Authority),
        "2026-04-01T08:00:00Z",
    )
    .await;
    // R7: all three decline: unfilled.
    file(
        town,
        request("ara", "2026-04-15", Setting::Authority),
        "2026-04-10T08:00:00Z",
    )
    .await;
    for name in ["Amal", "Bashir", "Erik"] {
        let token = token(conn, name).await;
        offers::decline(conn, &token, s, None, at("2026-04-10T09:00:00Z"))
            .await
            .unwrap();
    }
    // R8 (school, the second organisation): Amal after 240 minutes, 181 minutes.
    let r8 = file(
        school,
        request("ara", "2026-05-06", Setting::School),
        "2026-05-04T08:00:00Z",
    )
    .await;
    accept("Amal", "2026-05-04T12:00:00Z").await;
    complete(school, r8, 181, "2026-05-06T12:00:00Z").await;
    // R9: Bashir after 5 minutes; not confirmed yet, so no hours.
    file(
        town,
        request("ara", "2026-06-10", Setting::Authority),
        "2026-06-08T08:00:00Z",
    )
    .await;
    accept("Bashir", "2026-06-08T08:05:00Z").await;
    // R10: offers out, nobody answered: open.
    file(
        town,
        request("ara", "2026-12-03", Setting::Authority),
        "2026-11-30T08:00:00Z",
    )
    .await;

    erasure::erase_volunteer(conn, &by, erik, &t, at("2026-12-01T08:00:00Z"))
        .await
        .unwrap();
    Year { db, amal, bashir, erik }
}

fn lang(code: &str) -> lp_core::LanguageCode {
    lp_core::LanguageCode::parse(code).unwrap()
}

async fn summary_2026(db: &DatabaseConnection) -> Summary {
    let period = Period::year(2026).unwrap();
    linguapool_reports::summary(db, &Coordinator::operator(), &period, &report_settings())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_hand_computed_year_gives_its_figures() {
    let year = year().await;
    let db = &year.db.conn;
    let summary = summary_2026(db).await;

    // R1..R10; R0 starts in 2025.
    assert_eq!(summary.requests, 10);
    let s = summary.by_status;
    assert_eq!(
        (s.completed, s.assigned, s.cancelled, s.unfilled, s.open),
        (4, 1, 2, 2, 1)
    );
    // Filled: R1 R2 R3 R4 R8 R9; decided: those and R5 R6 R7; R10 waits.
    assert_eq!((summary.fill_rate.filled, summary.fill_rate.decided), (6, 9));
    assert!((summary.fill_rate.rate.unwrap() - 6.0 / 9.0).abs() < 1e-9);

    // Minutes to fill, sorted: 5 10 30 150 240 1500. Median between 30 and 150 = 90;
    // p90 at rank 4.5: 240 + 0.5 · (1500 − 240) = 870.
    let t = &summary.time_to_fill;
    assert_eq!(t.count, 6);
    assert_eq!(t.median_minutes, Some(90.0));
    assert_eq!(t.p90_minutes, Some(870.0));
    assert_eq!(t.bands, [3, 1, 1, 1, 0]);

    assert_eq!(summary.by_language[0].language, lang("ara"));
    assert_eq!(summary.by_language[0].requests, 9);
    assert_eq!(summary.by_language[1].language, lang("tir"));
    // Unmet: Arabic R7 unfilled + R5 cancelled; Tigrinya R6, for which nobody was eligible.
    let unmet: Vec<(lp_core::LanguageCode, u32, u32, u32, u32, u32)> = summary
        .unmet_by_language
        .iter()
        .map(|u| {
            (
                u.language,
                u.unfilled,
                u.cancelled_without_interpreter,
                u.no_one_eligible,
                u.unmet,
                u.active_speakers,
            )
        })
        .collect();
    // Erik is erased, so Arabic has two active speakers.
    assert_eq!(unmet, vec![(lang("ara"), 1, 1, 0, 2, 2), (lang("tir"), 1, 0, 1, 1, 0)]);

    let months: Vec<(&str, u32, u32, u32)> = summary
        .by_month
        .iter()
        .map(|m| (m.month.as_str(), m.requests, m.fill_rate.filled, m.fill_rate.decided))
        .filter(|m| m.1 > 0)
        .collect();
    assert_eq!(
        months,
        vec![
            ("2026-02", 2, 2, 2),
            ("2026-03", 3, 2, 3),
            ("2026-04", 2, 0, 2),
            ("2026-05", 1, 1, 1),
            ("2026-06", 1, 1, 1),
            ("2026-12", 1, 0, 0),
        ]
    );
    assert_eq!(summary.by_month.len(), 12);

    // Hours: R1 90 + R8 181 (Amal), R2 45 (Bashir), R3 60 (Erik, erased) = 376 minutes.
    let h = &summary.hours;
    assert_eq!((h.assignments, h.minutes), (4, 376));
    let people: Vec<(Uuid, u32, u64)> = h
        .volunteers
        .iter()
        .map(|v| (v.volunteer_id, v.assignments, v.minutes))
        .collect();
    assert_eq!(people, vec![(year.amal, 2, 271), (year.bashir, 1, 45)]);
    assert!(h.volunteers.iter().all(|v| v.volunteer_id != year.erik));
    assert_eq!(
        (h.erased.volunteers, h.erased.assignments, h.erased.minutes),
        (1, 1, 60)
    );
    let organisations: Vec<(&str, u64)> = h.by_organisation.iter().map(|o| (o.name.as_str(), o.minutes)).collect();
    assert_eq!(organisations, vec![("Stadt Winnenden", 195), ("Schule am Berg", 181)]);
    let settings: Vec<(Setting, u32, u64)> = h
        .by_setting
        .iter()
        .map(|s| (s.setting, s.assignments, s.minutes))
        .collect();
    assert_eq!(
        settings,
        vec![
            (Setting::School, 1, 181),
            (Setting::Authority, 2, 150),
            (Setting::Medical, 1, 45)
        ]
    );

    // 12 € per started 90 minutes: 90 → 1, 181 → 3 (Amal 48 €), 45 → 1 (Bashir 12 €), 60 → 1 (erased 12 €).
    let payout = summary.payout.as_ref().unwrap();
    let paid: Vec<(Uuid, u64)> = payout.volunteers.iter().map(|p| (p.volunteer_id, p.cents)).collect();
    assert_eq!(paid, vec![(year.amal, 4800), (year.bashir, 1200)]);
    assert_eq!((payout.erased.cents, payout.total_cents), (1200, 7200));

    // 2025 holds R0 alone.
    let last_year = Period::year(2025).unwrap();
    let earlier = linguapool_reports::summary(db, &Coordinator::operator(), &last_year, &report_settings())
        .await
        .unwrap();
    assert_eq!((earlier.requests, earlier.hours.minutes), (1, 120));
}

#[tokio::test]
async fn a_volunteers_year_counts_assignments_settings_and_trainings() {
    let year = year().await;
    let db = &year.db.conn;
    let by = Coordinator::operator();
    let amal = linguapool_reports::volunteer_year(db, &by, year.amal, 2026, &report_settings())
        .await
        .unwrap();
    assert_eq!((amal.assignments, amal.minutes), (2, 271));
    let settings: Vec<(Setting, u32, u64)> = amal
        .by_setting
        .iter()
        .map(|s| (s.setting, s.assignments, s.minutes))
        .collect();
    assert_eq!(settings, vec![(Setting::School, 1, 181), (Setting::Authority, 1, 90)]);
    assert_eq!(amal.trainings.len(), 1);
    assert_eq!(amal.trainings[0].title, "Grundschulung Dolmetschen");
    assert_eq!(amal.trainings[0].day.to_string(), "2026-03-10");
    assert_eq!(amal.allowance_cents, Some(4800));

    let before = linguapool_reports::volunteer_year(db, &by, year.bashir, 2024, &report_settings())
        .await
        .unwrap();
    assert!(before.is_empty());
    let erased = linguapool_reports::volunteer_year(db, &by, year.erik, 2026, &report_settings()).await;
    assert!(matches!(erased, Err(ReportError::NotFound)), "{erased:?}");
}

/// The retention job blanks a request's client reference, notes, address and feedback 90
/// days after the appointment; the figures must not move.
#[tokio::test]
async fn figures_do_not_depend_on_details_that_retention_removes() {
    let year = year().await;
    let db = &year.db.conn;
    let before = summary_2026(db).await;
    // The retention job as the workers run it, on a clock past every appointment's period.
    let later = at("2027-12-31T12:00:00Z");
    let policy = lp_requests::retention::RetentionSettings::default();
    let report = lp_requests::retention::run(db, &policy, later).await.unwrap();
    assert!(report.requests_cleared >= 10, "{report:?}");
    let details: i64 = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM interpreting_requests WHERE client_ref IS NOT NULL OR notes IS NOT NULL \
             OR address IS NOT NULL OR feedback IS NOT NULL",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    assert_eq!(details, 0, "every request's details are gone");
    assert_eq!(summary_2026(db).await, before);
}

/// A cell as the CSV writes it, read back as a number where it is one.
fn same_number(cell: &Cell, text: &str, at: &str) {
    match cell.number() {
        Some(number) => {
            let read: f64 = text
                .replace(',', ".")
                .parse()
                .unwrap_or_else(|_| panic!("{at}: `{text}`"));
            assert!((read - number).abs() < 1e-9, "{at}: {read} != {number}");
        }
        None => assert_eq!(text, cell.display(Locale::De), "{at}"),
    }
}

fn csv_rows(table: &Table) -> Vec<Vec<String>> {
    let bytes = export::csv(table).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a byte order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(body);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The contents of every tag `<name ...>...</name>` in `xml`, in order.
fn contents<'a>(xml: &'a str, name: &str) -> Vec<(&'a str, &'a str)> {
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let Some(tag_end) = after.find('>') else { break };
        let attributes = &after[..tag_end];
        if attributes.ends_with('/') {
            found.push((attributes, ""));
            rest = &after[tag_end..];
            continue;
        }
        let body = &after[tag_end + 1..];
        let end = body.find(&close).unwrap();
        found.push((attributes, &body[..end]));
        rest = &body[end..];
    }
    found
}

/// The sheet's cells as text (strings) or numbers, row by row, from the XLSX's XML.
fn xlsx_rows(table: &Table) -> Vec<Vec<String>> {
    let bytes = export::xlsx(table).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |path: &str| {
        let mut text = String::new();
        archive.by_name(path).unwrap().read_to_string(&mut text).unwrap();
        text
    };
    let strings: Vec<String> = contents(&read("xl/sharedStrings.xml"), "si")
        .into_iter()
        .map(|(_, si)| contents(si, "t").into_iter().map(|(_, t)| unescape(t)).collect())
        .collect();
    let sheet = read("xl/worksheets/sheet1.xml");
    contents(&sheet, "row")
        .into_iter()
        .map(|(_, row)| {
            contents(row, "c")
                .into_iter()
                .map(|(attributes, cell)| {
                    let value = contents(cell, "v")
                        .first()
                        .map(|(_, v)| *v)
                        .unwrap_or_default()
                        .to_owned();
                    if attributes.contains("t=\"s\"") {
                        strings[value.parse::<usize>().unwrap()].clone()
                    } else {
                        value
                    }
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn csv_and_xlsx_read_back_to_the_tables_numbers() {
    let year = year().await;
    let summary = summary_2026(&year.db.conn).await;
    let all = tables::tables(&summary, Locale::De);
    assert_eq!(all.len(), TableId::ALL.len(), "the payout table too");
    for table in &all {
        let expected: Vec<&Vec<Cell>> = table.all_rows().collect();
        for (kind, rows) in [("csv", csv_rows(table)), ("xlsx", xlsx_rows(table))] {
            assert_eq!(rows[0], table.headers, "{kind} {:?} headers", table.id);
            assert_eq!(rows.len(), expected.len() + 1, "{kind} {:?} rows", table.id);
            for (r, (cells, read)) in expected.iter().zip(&rows[1..]).enumerate() {
                assert_eq!(cells.len(), read.len(), "{kind} {:?} row {r}", table.id);
                for (c, (cell, text)) in cells.iter().zip(read).enumerate() {
                    same_number(cell, text, &format!("{kind} {:?} row {r} column {c}", table.id));
                }
            }
        }
    }
    // Spot checks against the hand-computed figures.
    let volunteers = tables::table(&summary, TableId::Volunteers, Locale::De).unwrap();
    let read = csv_rows(&volunteers);
    assert_eq!(read[1], ["Amal", "2", "271", "4,5"]);
    assert_eq!(read[3], ["gelöscht / erased (1)", "1", "60", "1,0"]);
    assert_eq!(read[4], ["Summe", "4", "376", "6,3"]);
    let payout = xlsx_rows(&tables::table(&summary, TableId::Payout, Locale::De).unwrap());
    assert_eq!(payout.last().unwrap(), &["Summe", "4", "376", "72"]);
}
