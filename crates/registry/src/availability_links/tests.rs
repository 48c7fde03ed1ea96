use super::*;
use crate::volunteers::{VolunteerInput, create};
use lp_core::secret::hash_token;
use lp_testkit::TestDb;
use sea_orm::Statement;
use std::sync::OnceLock;

/// The server key of these tests' links.
fn key() -> &'static ServerKey {
    static KEY: OnceLock<ServerKey> = OnceLock::new();
    KEY.get_or_init(ServerKey::generate)
}

/// The token of a link just issued, as the mail will carry it.
fn token(link: &IssuedLink) -> String {
    link.link.token(key())
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn slot(day: &str, start: &str, end: &str) -> WeeklySlot {
    WeeklySlot::parse(day, start, end).unwrap()
}

async fn volunteer(db: &DatabaseConnection, email: &str, status: &str) -> Uuid {
    let input: VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": "Selam Tesfaye", "email": email,
        "languages": [{"code": "tir", "proficiency": "native"}],
        "german_level": "B2", "modes": ["phone"],
        "availability": [{"weekday": "mon", "start": "09:00", "end": "13:00"}],
        "absences": [{"from": "2026-12-21", "to": "2027-01-06"}],
        "status": status
    }))
    .unwrap();
    create(
        db,
        &lp_core::access::Coordinator::operator(),
        input.validate().unwrap(),
        at("2026-11-01T08:00:00Z"),
    )
    .await
    .unwrap()
    .id
}

fn schedule(availability: Vec<WeeklySlot>) -> ValidSchedule {
    ScheduleInput {
        availability,
        absences: Vec::new(),
    }
    .validate()
    .unwrap()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn link_shows_first_name_and_schedule_and_works_for_one_save() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org", "active").await;
    let now = at("2026-11-22T10:00:00Z");
    let link = issue(db, key(), id, Reason::Offer, now).await.unwrap();

    let page = page(db, &token(&link), now).await.unwrap();
    assert_eq!(page.first_name, "Selam");
    assert_eq!(page.availability, [slot("mon", "09:00", "13:00")]);
    assert_eq!(page.absences.len(), 1);
    assert_eq!(page.expires_at, now + Duration::days(LINK_VALIDITY_DAYS));
    // Reading twice spends nothing.
    super::page(db, &token(&link), now).await.unwrap();

    let saved = save(
        db,
        &token(&link),
        schedule(vec![slot("tue", "18:00", "24:00")]),
        None,
        now,
    )
    .await
    .unwrap();
    assert_eq!(saved.availability, [slot("tue", "18:00", "24:00")]);
    let stored = volunteers::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.availability, [slot("tue", "18:00", "24:00")]);
    assert!(stored.absences.is_empty());
    assert_eq!(stored.name, "Selam Tesfaye", "only the schedule changes");

    let again = save(
        db,
        &token(&link),
        schedule(vec![slot("wed", "08:00", "09:00")]),
        None,
        now,
    )
    .await;
    assert!(matches!(again, Err(LinkError::Used)), "{again:?}");
    assert!(matches!(
        super::page(db, &token(&link), now).await,
        Err(LinkError::Used)
    ));
    let stored = volunteers::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.availability, [slot("tue", "18:00", "24:00")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_saves_racing_on_one_link_have_one_winner() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org", "active").await;
    let now = at("2026-11-22T10:00:00Z");
    let link = issue(db, key(), id, Reason::Offer, now).await.unwrap();
    let token = token(&link);
    let (first, second) = tokio::join!(
        save(db, &token, schedule(vec![slot("wed", "08:00", "09:00")]), None, now),
        save(db, &token, schedule(vec![slot("thu", "08:00", "09:00")]), None, now),
    );
    let winners = [&first, &second].iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{first:?} / {second:?}");
    let loser = if first.is_ok() { second } else { first };
    assert!(matches!(loser, Err(LinkError::Used)), "{loser:?}");
    let stored = volunteers::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.availability.len(), 1);
}

#[tokio::test]
async fn expired_link_is_refused_and_saves_nothing() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org", "active").await;
    let issued_at = at("2026-11-22T10:00:00Z");
    let link = issue(db, key(), id, Reason::Offer, issued_at).await.unwrap();
    let last_moment = issued_at + Duration::days(LINK_VALIDITY_DAYS) - Duration::seconds(1);
    assert!(page(db, &token(&link), last_moment).await.is_ok());

    let later = issued_at + Duration::days(LINK_VALIDITY_DAYS);
    assert!(matches!(page(db, &token(&link), later).await, Err(LinkError::Expired)));
    let refused = save(db, &token(&link), schedule(Vec::new()), None, later).await;
    assert!(matches!(refused, Err(LinkError::Expired)), "{refused:?}");
    let stored = volunteers::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.availability, [slot("mon", "09:00", "13:00")]);
}

#[tokio::test]
async fn only_the_hash_of_a_derived_link_is_stored() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org", "active").await;
    let link = issue(db, key(), id, Reason::Offer, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    assert!(token(&link).len() >= 43, "at least 256 bits, base64");
    assert_eq!(
        token(&link),
        key().derive(
            "availability-link",
            &[link.link.id().as_bytes().as_slice(), link.link.nonce().as_bytes()].concat()
        )
    );
    let hash = hash_token(&token(&link));
    let rows = availability_link::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_hash, hash);
    assert_eq!(rows[0].volunteer_id, id);
    assert!(!format!("{rows:?}").contains(&token(&link)));
    assert!(
        !format!("{rows:?}").contains(link.link.nonce()),
        "the nonce goes only into the mail"
    );
    assert!(!format!("{link:?}").contains(&token(&link)));
}

#[tokio::test]
async fn unknown_token_is_unknown() {
    let test = TestDb::from_env().await;
    let now = at("2026-11-22T10:00:00Z");
    assert!(matches!(
        page(&test.conn, "no-such-token", now).await,
        Err(LinkError::Unknown)
    ));
    let refused = save(&test.conn, "no-such-token", schedule(Vec::new()), None, now).await;
    assert!(matches!(refused, Err(LinkError::Unknown)));
}

#[tokio::test]
async fn revoked_links_stop_working() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org", "active").await;
    let now = at("2026-11-22T10:00:00Z");
    let link = issue(db, key(), id, Reason::Offer, now).await.unwrap();
    revoke_all(db, id).await.unwrap();
    assert!(matches!(page(db, &token(&link), now).await, Err(LinkError::Unknown)));
}

#[test]
fn schedule_beyond_the_registry_limits_names_the_field() {
    let input = ScheduleInput {
        availability: vec![slot("mon", "09:00", "10:00"); volunteers::MAX_SLOTS + 1],
        absences: Vec::new(),
    };
    assert_eq!(input.validate().unwrap_err().field, "availability");
}

#[tokio::test]
async fn asked_for_link_goes_to_active_volunteers_at_most_once_in_ten_minutes() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org", "active").await;
    volunteer(db, "paused@example.org", "paused").await;
    let now = at("2026-11-22T10:00:00Z");
    let base = "http://pool.test";
    // A link that came with an offer does not hold back one asked for.
    issue(db, key(), id, Reason::Offer, now).await.unwrap();

    assert!(send_on_request(db, key(), " Selam@Example.org ", now).await.unwrap());
    let soon = now + Duration::minutes(REQUEST_INTERVAL_MINUTES - 1);
    assert!(!send_on_request(db, key(), "selam@example.org", soon).await.unwrap());
    assert!(!send_on_request(db, key(), "nobody@example.org", now).await.unwrap());
    assert!(!send_on_request(db, key(), "paused@example.org", now).await.unwrap());
    let later = now + Duration::minutes(REQUEST_INTERVAL_MINUTES + 1);
    assert!(send_on_request(db, key(), "selam@example.org", later).await.unwrap());

    let mails = count(
        db,
        "SELECT COUNT(*) FROM outbox_emails WHERE kind = 'availability_link'",
    )
    .await;
    assert_eq!(mails, 2);
    let to_selam = count(
        db,
        "SELECT COUNT(*) FROM outbox_emails WHERE to_address = 'selam@example.org'",
    )
    .await;
    assert_eq!(to_selam, 2);
    let links = count(db, "SELECT COUNT(*) FROM availability_links WHERE reason = 'request'").await;
    assert_eq!(links, 2);
    let malformed = send_on_request(db, key(), "not an address", now).await;
    assert!(matches!(malformed, Err(RegistryError::Invalid(ref f)) if f.field == "email"));

    // The mail's link opens the volunteer's page.
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT body_text FROM outbox_emails WHERE kind = 'availability_link'".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let text: String = row.try_get_by_index(0).unwrap();
    assert!(!text.contains("/v/"), "the outbox holds a placeholder, not the link");
    let links = lp_core::link::LinkResolver::new(std::sync::Arc::new(key().clone()), base);
    let text = links.resolve_text(&text).unwrap();
    let start = text.find("http://pool.test/v/").expect("a link in the mail") + "http://pool.test/v/".len();
    let token: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert_eq!(page(db, &token, later).await.unwrap().first_name, "Selam");
}
