//! The Ehrenamtsnachweis by mail against a real database: SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set. The history is 2025 (two completed assignments and a training)
//! and one assignment in 2024; the request comes in November 2026.

use super::*;
use crate::Allowance;
use crate::volunteer_year::volunteer_year;
use chrono::Duration;
use lp_audit::AuditFilter;
use lp_core::LanguageCode;
use lp_core::vocab::{Mode, OfferState, Role, Setting};
use lp_matcher::RequestSpec;
use lp_registry::availability_links::REQUEST_INTERVAL_MINUTES;
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_registry::volunteers::{self, VolunteerInput};
use lp_requests::seed::{self, PastOffer, PastOutcome, PastRequest};
use lp_testkit::TestDb;
use lp_trainings::TrainingSettings;
use lp_trainings::input::{AttendanceInput, Invitees, TrainingInput};
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn now() -> DateTime<Utc> {
    at("2026-11-23T09:00:00Z")
}

fn settings() -> ReportSettings {
    ReportSettings {
        organisation: crate::Organisation {
            name: "Dolmetscherpool Teststadt".to_owned(),
            coordinator_name: "K. Koordinatorin".to_owned(),
            address: None,
        },
        // 12 € per started 90 minutes.
        allowance: Some(Allowance::new(1200, Some(90)).unwrap()),
    }
}

fn addr() -> Option<IpAddr> {
    Some("192.0.2.7".parse().unwrap())
}

async fn volunteer(db: &DatabaseConnection, name: &str, email: &str, status: &str) -> Uuid {
    let input: VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": name, "email": email,
        "languages": [{"code": "ara", "proficiency": "native"}],
        "german_level": "C1", "modes": ["phone"], "status": status
    }))
    .unwrap();
    volunteers::create(
        db,
        &Coordinator::operator(),
        input.validate().unwrap(),
        at("2024-01-02T08:00:00Z"),
    )
    .await
    .unwrap()
    .id
}

/// A completed phone assignment of `minutes` on `day` at 10:00 UTC.
fn completed(org: Uuid, caseworker: Uuid, volunteer: Uuid, day: &str, setting: Setting, minutes: u32) -> PastRequest {
    let starts_at = at(&format!("{day}T10:00:00Z"));
    let created_at = starts_at - Duration::days(3);
    PastRequest {
        organisation_id: org,
        caseworker_id: caseworker,
        spec: RequestSpec {
            language: LanguageCode::parse("ara").unwrap(),
            dialect: None,
            starts_at,
            duration_minutes: 60,
            mode: Mode::Phone,
            town: None,
            setting,
            gender_preference: None,
            client_ref: None,
            client_served_by: Vec::new(),
        },
        created_at,
        fill_by: starts_at - Duration::days(1),
        outcome: PastOutcome::Completed {
            actual_minutes: minutes,
            completed_at: starts_at + Duration::hours(4),
        },
        offers: vec![PastOffer {
            volunteer_id: volunteer,
            state: OfferState::Accepted,
            wave: 1,
            sent_at: created_at,
            responded_at: Some(created_at + Duration::minutes(20)),
        }],
    }
}

struct Pool {
    db: TestDb,
    amal: Uuid,
    rita: Uuid,
}

/// Amal (active): in 2025 a medical assignment of 90 minutes, a school one of 45 and a basic
/// training; in 2024 one of 120 minutes. Rita (retired): nothing at all.
async fn pool() -> Pool {
    let db = TestDb::from_env().await;
    let conn = &db.conn;
    let by = Coordinator::operator();
    let start = at("2024-01-02T08:00:00Z");
    let org = organisations::create(conn, &by, &OrganisationInput { name: "Stadt".into() }, start)
        .await
        .unwrap();
    let input = StaffUserInput {
        email: "cw@pool.test".into(),
        name: "CW".into(),
        role: Role::Caseworker,
        organisation_id: Some(org.id),
        password: None,
    };
    let caseworker = staff::insert(conn, staff::prepare(&input, false).await.unwrap(), start)
        .await
        .unwrap()
        .user
        .id;
    let amal = volunteer(conn, "Amal Haddad", "amal@pool.test", "active").await;
    let rita = volunteer(conn, "Rita Nassar", "rita@pool.test", "retired").await;
    let history = [
        completed(org.id, caseworker, amal, "2024-09-02", Setting::Authority, 120),
        completed(org.id, caseworker, amal, "2025-03-03", Setting::Medical, 90),
        completed(org.id, caseworker, amal, "2025-06-02", Setting::School, 45),
    ];
    let requests = lp_requests::RequestSettings::with_defaults("http://pool.test");
    seed::insert(conn, &history, &requests, now()).await.unwrap();

    let created = at("2025-04-01T09:00:00Z");
    let input: TrainingInput = serde_json::from_value(serde_json::json!({
        "title": "Grundschulung Dolmetschen", "kind": "basic", "starts_at": "2025-04-10T18:00:00+02:00",
        "duration_minutes": 120, "location": "Rathaus", "capacity": 10,
        "registration_deadline": "2025-04-09T23:59:00+02:00"
    }))
    .unwrap();
    let training = lp_trainings::trainings::create(conn, &by, input.validate(created).unwrap(), created)
        .await
        .unwrap();
    let training_settings = TrainingSettings {
        validity_months: 24,
        public_base_url: "http://pool.test".to_owned(),
        server_key: std::sync::Arc::new(lp_core::secret::ServerKey::generate()),
    };
    lp_trainings::invitations::invite(
        conn,
        &by,
        training.id,
        Invitees::Chosen(vec![amal]),
        &training_settings,
        created,
    )
    .await
    .unwrap();
    let came = AttendanceInput {
        volunteer_ids: vec![amal],
    };
    lp_trainings::record::record_attendance(conn, &by, training.id, &came, at("2025-04-10T19:00:00Z"))
        .await
        .unwrap();
    Pool { db, amal, rita }
}

/// `(to_address, body_text, body_html)` of every Nachweis mail in the outbox.
async fn nachweis_mails(db: &DatabaseConnection) -> Vec<(String, String, String)> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT to_address, body_text, body_html FROM outbox_emails WHERE kind = 'nachweis' ORDER BY created_at",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.try_get("", "to_address").unwrap(),
            row.try_get("", "body_text").unwrap(),
            row.try_get("", "body_html").unwrap(),
        )
    })
    .collect()
}

async fn exports_by(db: &DatabaseConnection, volunteer_id: Uuid) -> Vec<lp_audit::AuditRecord> {
    let filter = AuditFilter {
        actor: Some(volunteer_id),
        action: Some(AuditAction::Export),
        ..AuditFilter::default()
    };
    lp_audit::list(db, &Coordinator::operator(), &filter).await.unwrap()
}

#[tokio::test]
async fn a_known_address_gets_one_mail_with_the_printed_figures_and_an_audit_entry() {
    let pool = pool().await;
    let db = &pool.db.conn;
    let settings = settings();

    assert!(
        nachweis_by_mail(db, " Amal@Pool.test ", 2025, &settings, addr(), now())
            .await
            .unwrap()
    );
    let mails = nachweis_mails(db).await;
    assert_eq!(mails.len(), 1);
    let (to, text, html) = &mails[0];
    assert_eq!(to, "amal@pool.test");
    // The figures are volunteer_year's: 2 assignments, 135 minutes, 2 × 12 € allowance.
    let record = volunteer_year(db, &Coordinator::operator(), pool.amal, 2025, &settings)
        .await
        .unwrap();
    assert_eq!((record.assignments, record.minutes), (2, 135));
    assert_eq!(record.allowance_cents, Some(2400));
    for expected in [
        "Ehrenamtsnachweis 2025",
        "Dolmetscherpool Teststadt",
        "K. Koordinatorin",
        "Amal Haddad",
        "Einsätze:    2",
        "Einsatzzeit: 2,3 Stunden",
        "Grundschulung Dolmetschen",
        "10.04.2025",
        "24,00 €",
        "Ausgestellt am 23.11.2026",
        "Time:        2.3 hours",
        "€24.00",
    ] {
        assert!(text.contains(expected), "{expected} missing in {text}");
    }
    let medical = format!("{}: 1 Einsätze, 1,5 Stunden", Setting::Medical.name_de());
    let school = format!("{}: 1 assignments, 0.8 hours", Setting::School.name_en());
    assert!(text.contains(&medical) && text.contains(&school), "{text}");
    // 2024's assignment is not in 2025's confirmation.
    assert!(!text.contains(Setting::Authority.name_de()), "{text}");
    assert!(html.contains("Ehrenamtsnachweis 2025") && html.contains(r#"<div lang="en">"#));

    let exports = exports_by(db, pool.amal).await;
    assert_eq!(exports.len(), 1);
    let entry = &exports[0];
    assert_eq!(entry.who(), Some(Who::Volunteer(pool.amal)));
    assert_eq!(entry.object_kind, AuditObject::Volunteer);
    assert_eq!(entry.object_id, Some(pool.amal));
    assert_eq!(entry.client_addr.as_deref(), Some("192.0.2.7"));
}

#[tokio::test]
async fn an_unknown_address_gets_nothing_and_the_same_answer() {
    let pool = pool().await;
    let db = &pool.db.conn;
    let sent = nachweis_by_mail(db, "nobody@pool.test", 2025, &settings(), addr(), now())
        .await
        .unwrap();
    assert!(!sent);
    assert!(nachweis_mails(db).await.is_empty());
    let audit = lp_audit::list(
        db,
        &Coordinator::operator(),
        &AuditFilter {
            action: Some(AuditAction::Export),
            ..AuditFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(audit.is_empty());
}

#[tokio::test]
async fn a_second_request_within_the_interval_sends_nothing_but_a_link_request_still_goes() {
    let pool = pool().await;
    let db = &pool.db.conn;
    let settings = settings();
    let key = lp_core::secret::ServerKey::generate();
    // A link asked for just before does not hold back the Nachweis.
    assert!(
        availability_links::send_on_request(db, &key, "amal@pool.test", now())
            .await
            .unwrap()
    );
    assert!(
        nachweis_by_mail(db, "amal@pool.test", 2025, &settings, addr(), now())
            .await
            .unwrap()
    );
    let soon = now() + Duration::minutes(REQUEST_INTERVAL_MINUTES - 1);
    // Another year within the interval: still one Nachweis mail per interval.
    assert!(
        !nachweis_by_mail(db, "amal@pool.test", 2024, &settings, addr(), soon)
            .await
            .unwrap()
    );
    assert_eq!(nachweis_mails(db).await.len(), 1);
    assert_eq!(exports_by(db, pool.amal).await.len(), 1);
    // Nor does the Nachweis hold back the next link.
    let later = now() + Duration::minutes(REQUEST_INTERVAL_MINUTES + 1);
    assert!(
        availability_links::send_on_request(db, &key, "amal@pool.test", later)
            .await
            .unwrap()
    );
    assert!(
        nachweis_by_mail(db, "amal@pool.test", 2024, &settings, addr(), later)
            .await
            .unwrap()
    );
    let mails = nachweis_mails(db).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1].1.contains("Ehrenamtsnachweis 2024") && mails[1].1.contains(Setting::Authority.name_de()));
}

#[tokio::test]
async fn a_retired_volunteer_without_activity_is_told_there_is_nothing_to_confirm() {
    let pool = pool().await;
    let db = &pool.db.conn;
    assert!(
        nachweis_by_mail(db, "rita@pool.test", 2025, &settings(), None, now())
            .await
            .unwrap()
    );
    let mails = nachweis_mails(db).await;
    assert_eq!(mails.len(), 1);
    let (to, text, _) = &mails[0];
    assert_eq!(to, "rita@pool.test");
    assert!(
        text.contains("nichts zu bestätigen") && text.contains("nothing to confirm"),
        "{text}"
    );
    assert!(!text.contains("Hiermit wird bestätigt"), "{text}");
    assert_eq!(exports_by(db, pool.rita).await.len(), 1);
}

#[tokio::test]
async fn a_bad_year_or_address_is_refused_naming_the_field() {
    let pool = pool().await;
    let db = &pool.db.conn;
    for (email, year, field) in [
        ("amal@pool.test", 2020, "year"),
        ("amal@pool.test", 2027, "year"),
        ("not an address", 2025, "email"),
    ] {
        let refused = nachweis_by_mail(db, email, year, &settings(), None, now()).await;
        assert!(
            matches!(refused, Err(ReportError::Invalid(ref f)) if f.field == field),
            "{email} {year}: {refused:?}"
        );
    }
    assert_eq!(years(now()), 2021..=2026);
    assert_eq!(default_year(now()), 2025);
    assert!(nachweis_mails(db).await.is_empty());
}
