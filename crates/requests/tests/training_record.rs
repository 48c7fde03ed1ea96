//! The matcher follows the training record: attendance recorded through `lp_trainings` makes
//! a volunteer a candidate at the next ranking of every instance (two settings with their own
//! cached pools, one database), and the validity's end takes it away again (hand-set clock).

use chrono::{DateTime, Utc};
use linguapool_requests::{RequestSettings, lifecycle};
use lp_core::access::{Coordinator, Scope};
use lp_matcher::Rule;
use lp_testkit::TestDb;
use lp_trainings::input::{AttendanceInput, Invitees, TrainingInput};
use lp_trainings::{TrainingSettings, invitations, links, record, trainings};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

mod support;
use support::{BASE, as_sent, at, caseworker, instance, key, request_on, volunteer};

async fn invitation_token(db: &DatabaseConnection, address: &str) -> String {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT body_text FROM outbox_emails WHERE to_address = '{address}' AND kind = 'training_invitation'"
            ),
        ))
        .await
        .unwrap();
    let text = as_sent(&rows[0].try_get::<String>("", "body_text").unwrap());
    let start = text.find(&format!("{BASE}/t/")).unwrap() + BASE.len() + 3;
    text[start..].split_whitespace().next().unwrap().to_owned()
}

fn training_settings() -> TrainingSettings {
    TrainingSettings {
        validity_months: 24,
        public_base_url: BASE.to_owned(),
        server_key: key(),
    }
}

/// A basic training on Saturday 2027-01-16, registration until the 10th, scheduled at `now`.
async fn basic_training(db: &DatabaseConnection, capacity: i64, now: DateTime<Utc>) -> trainings::Training {
    let input: TrainingInput = serde_json::from_value(serde_json::json!({
        "title": "Grundschulung", "kind": "basic", "starts_at": "2027-01-16T10:00:00+01:00",
        "duration_minutes": 180, "location": "Rathaus", "capacity": capacity,
        "registration_deadline": "2027-01-10T23:59:00+01:00"
    }))
    .unwrap();
    trainings::create(db, &Coordinator::operator(), input.validate(now).unwrap(), now)
        .await
        .unwrap()
}

/// Whether `who` is ranked for the request (`true`) or excluded for being untrained (`false`).
async fn ranked(
    db: &DatabaseConnection,
    settings: &RequestSettings,
    request: Uuid,
    who: Uuid,
    now: DateTime<Utc>,
) -> bool {
    let view = lifecycle::candidates(db, Scope::All, request, settings, now)
        .await
        .unwrap();
    if view.candidates.iter().any(|c| c.ranked.volunteer_id == who) {
        return true;
    }
    let exclusion = view
        .excluded
        .iter()
        .find(|e| e.exclusion.volunteer_id == who)
        .expect("listed either way");
    assert_eq!(exclusion.exclusion.rule, Rule::Untrained);
    false
}

#[tokio::test]
async fn attendance_makes_a_candidate_on_every_instance_until_the_validity_ends() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let (first, second) = (instance(), instance());
    let start = at("2026-12-02T10:00:00Z");
    let actor = caseworker(db, start).await;
    let amina = volunteer(db, "Amina", None, start).await;
    // Someone trained, so the search stays open.
    volunteer(db, "Bahar", Some("2026-06-01"), start).await;

    let training = basic_training(db, 10, start).await;
    let training_settings = training_settings();
    invitations::invite(
        db,
        &Coordinator::operator(),
        training.id,
        Invitees::Chosen(vec![amina]),
        &training_settings,
        start,
    )
    .await
    .unwrap();
    let token = invitation_token(db, "amina@pool.test").await;
    links::register(db, &token, &training_settings, None, start)
        .await
        .unwrap();

    // Monday after the training: both instances rank (and cache) the pool first.
    let monday = at("2027-01-18T08:00:00Z");
    let request = lifecycle::create(db, actor, &request_on("2027-01-20"), &first, monday)
        .await
        .unwrap()
        .id;
    assert!(!ranked(db, &first, request, amina, monday).await);
    assert!(!ranked(db, &second, request, amina, monday).await);

    let came = AttendanceInput {
        volunteer_ids: vec![amina],
    };
    record::record_attendance(db, &Coordinator::operator(), training.id, &came, monday)
        .await
        .unwrap();
    assert!(
        ranked(db, &second, request, amina, monday).await,
        "the other instance sees it"
    );
    assert!(ranked(db, &first, request, amina, monday).await);

    // Valid until 2029-01-16: the last day still counts, the next does not.
    let last_day = at("2029-01-16T07:00:00Z");
    let on_last_day = lifecycle::create(db, actor, &request_on("2029-01-17"), &first, last_day)
        .await
        .unwrap()
        .id;
    assert!(ranked(db, &first, on_last_day, amina, last_day).await);
    let day_after = at("2029-01-17T07:00:00Z");
    let after = lifecycle::create(db, actor, &request_on("2029-01-18"), &second, day_after)
        .await
        .unwrap()
        .id;
    assert!(!ranked(db, &second, after, amina, day_after).await);
    assert!(!ranked(db, &first, after, amina, day_after).await);
}

#[tokio::test]
async fn erasing_a_volunteer_gives_their_place_to_the_waiting_list_and_kills_their_link() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let start = at("2026-12-02T10:00:00Z");
    let amina = volunteer(db, "Amina", None, start).await;
    let bahar = volunteer(db, "Bahar", None, start).await;
    let training = basic_training(db, 1, start).await;
    let training_settings = training_settings();
    invitations::invite(
        db,
        &Coordinator::operator(),
        training.id,
        Invitees::Chosen(vec![amina, bahar]),
        &training_settings,
        start,
    )
    .await
    .unwrap();
    let amina_link = invitation_token(db, "amina@pool.test").await;
    let bahar_link = invitation_token(db, "bahar@pool.test").await;
    links::register(db, &amina_link, &training_settings, None, start)
        .await
        .unwrap();
    links::register(db, &bahar_link, &training_settings, None, start)
        .await
        .unwrap();

    linguapool_requests::erasure::erase_volunteer(db, &Coordinator::operator(), amina, &training_settings, start)
        .await
        .unwrap();
    let detail = trainings::detail(db, &Coordinator::operator(), training.id)
        .await
        .unwrap();
    assert_eq!(detail.registered.len(), 1);
    assert_eq!(detail.registered[0].volunteer_id, bahar);
    assert!(detail.waiting.is_empty());
    assert!(matches!(
        links::page(db, &amina_link, start).await,
        Err(lp_trainings::TrainingError::NotFound)
    ));
}
