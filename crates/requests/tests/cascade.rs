//! The cascade over hours of simulated time, driven by a hand-set clock against a real
//! database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set).

use chrono::{DateTime, Duration, Utc};
use linguapool_requests::cascade::run_due;
use linguapool_requests::input::RequestInput;
use linguapool_requests::rules::LinkRefusal;
use linguapool_requests::view::RequestView;
use linguapool_requests::{RequestError, RequestSettings, lifecycle, offers};
use lp_core::access::{Actor, Scope};
use lp_core::vocab::{RequestStatus, Role};
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_registry::volunteers::{self, VolunteerInput};
use lp_testkit::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

const BASE: &str = "http://pool.test";

/// The server key of every test here, so [`outbox`] can write the links into the mails.
fn key() -> std::sync::Arc<lp_core::secret::ServerKey> {
    static KEY: std::sync::OnceLock<std::sync::Arc<lp_core::secret::ServerKey>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| std::sync::Arc::new(lp_core::secret::ServerKey::generate()))
        .clone()
}

fn settings() -> RequestSettings {
    RequestSettings {
        wave_size: 2,
        server_key: key(),
        ..RequestSettings::with_defaults(BASE)
    }
}

/// Monday 2026-11-23, 09:00 in Berlin.
fn start_of_test() -> DateTime<Utc> {
    "2026-11-23T08:00:00Z".parse().unwrap()
}

struct Pool {
    db: TestDb,
    caseworker: Actor,
}

async fn pool(volunteers: usize) -> Pool {
    let db = TestDb::from_env().await;
    let now = start_of_test();
    let org = organisations::create(
        &db.conn,
        &lp_core::access::Coordinator::operator(),
        &OrganisationInput {
            name: "Stadt Winnenden".into(),
        },
        now,
    )
    .await
    .unwrap();
    let staff_user = |email: &str, role, organisation_id| StaffUserInput {
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        role,
        organisation_id,
        password: None,
    };
    let coordinator = staff::prepare(&staff_user("coordinator@pool.test", Role::Coordinator, None), false)
        .await
        .unwrap();
    staff::insert(&db.conn, coordinator, now).await.unwrap();
    let caseworker = staff::prepare(&staff_user("cw@pool.test", Role::Caseworker, Some(org.id)), false)
        .await
        .unwrap();
    let caseworker = staff::insert(&db.conn, caseworker, now).await.unwrap().user;
    let week: Vec<serde_json::Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| serde_json::json!({"weekday": d, "start": "08:00", "end": "18:00"}))
        .collect();
    for i in 0..volunteers {
        let input: VolunteerInput = serde_json::from_value(serde_json::json!({
            "name": format!("Volunteer {i}"), "email": format!("v{i}@pool.test"),
            "languages": [{"code": "ara", "proficiency": "native"}],
            "german_level": "B2", "modes": ["on_site"], "service_area": ["Winnenden"],
            "availability": week,
            "confidentiality_signed_on": "2026-01-01", "training_completed_on": "2026-01-01", "status": "active"
        }))
        .unwrap();
        volunteers::create(
            &db.conn,
            &lp_core::access::Coordinator::operator(),
            input.validate().unwrap(),
            now,
        )
        .await
        .unwrap();
    }
    Pool {
        db,
        caseworker: Actor {
            user_id: caseworker.id,
            scope: Scope::Organisation(org.id),
            addr: None,
        },
    }
}

/// Thursday 2026-12-03, 10:00 Berlin; the search must end by the evening before.
fn request_input() -> RequestInput {
    serde_json::from_value(serde_json::json!({
        "language": "ara", "starts_at": "2026-12-03T10:00:00+01:00", "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "client_ref": "IM-1", "fill_by": "2026-12-02T18:00:00+01:00"
    }))
    .unwrap()
}

/// (recipient, kind, body text) of every email in the outbox, oldest first, the text as the
/// worker sends it: with the links written in (the outbox holds placeholders, never a token).
async fn outbox(db: &DatabaseConnection) -> Vec<(String, String, String)> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT to_address, kind, body_text FROM outbox_emails ORDER BY created_at, id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get::<String>("", "to_address").unwrap(),
                row.try_get::<String>("", "kind").unwrap(),
                settings()
                    .links()
                    .resolve_text(&row.try_get::<String>("", "body_text").unwrap())
                    .unwrap(),
            )
        })
        .collect()
}

/// The secret token in the newest offer mail to `address`.
async fn offer_token(db: &DatabaseConnection, address: &str) -> String {
    let mails = outbox(db).await;
    let (_, _, text) = mails
        .iter()
        .rev()
        .find(|(to, kind, _)| to == address && kind == "offer")
        .expect("an offer mail");
    let start = text.find(&format!("{BASE}/o/")).unwrap() + BASE.len() + 3;
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}

fn offered(view: &RequestView) -> Vec<String> {
    view.offers.iter().map(|o| o.volunteer_name.clone()).collect()
}

async fn get(pool: &Pool, id: Uuid, now: DateTime<Utc>) -> RequestView {
    lifecycle::get(&pool.db.conn, Scope::All, id, now).await.unwrap()
}

#[tokio::test]
async fn unanswered_waves_are_followed_by_the_next_after_the_interval() {
    let pool = pool(5).await;
    let settings = settings();
    let mut now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    assert_eq!(created.offers.len(), 2, "first wave");

    now += Duration::minutes(30);
    assert_eq!(
        run_due(&pool.db.conn, &settings, now).await.unwrap().waves,
        0,
        "not due yet"
    );
    now += Duration::minutes(31);
    assert_eq!(run_due(&pool.db.conn, &settings, now).await.unwrap().waves, 1);
    assert_eq!(get(&pool, created.id, now).await.offers.len(), 4, "second wave");
    now += Duration::minutes(61);
    run_due(&pool.db.conn, &settings, now).await.unwrap();
    let view = get(&pool, created.id, now).await;
    assert_eq!(view.offers.len(), 5, "the last candidate");
    let mut names = offered(&view);
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 5, "nobody gets a second offer");
    assert_eq!(view.status, RequestStatus::Open, "offers are still out");
}

#[tokio::test]
async fn decline_offers_the_next_candidate_at_once() {
    let pool = pool(3).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let first = created.offers[0].volunteer_name.replace("Volunteer ", "v");
    let token = offer_token(&pool.db.conn, &format!("{first}@pool.test")).await;
    offers::decline(&pool.db.conn, &token, &settings, None, now + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        get(&pool, created.id, now).await.offers.len(),
        3,
        "the third volunteer is asked at once"
    );
}

#[tokio::test]
async fn deadline_ends_the_search_and_tells_caseworker_and_coordinator() {
    let pool = pool(1).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let deadline: DateTime<Utc> = "2026-12-02T17:00:00Z".parse().unwrap();
    let report = run_due(&pool.db.conn, &settings, deadline - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(report.unfilled, 0);
    let report = run_due(&pool.db.conn, &settings, deadline).await.unwrap();
    assert_eq!(report.unfilled, 1);
    let view = get(&pool, created.id, deadline).await;
    assert_eq!(view.status, RequestStatus::Unfilled);
    assert!(
        view.offers
            .iter()
            .all(|o| o.state == lp_core::vocab::OfferState::Expired),
        "offers still out when the search ends lapse unanswered (and count as ignored)"
    );
    let mut unfilled: Vec<String> = outbox(&pool.db.conn)
        .await
        .into_iter()
        .filter(|(_, kind, _)| kind == "request_unfilled")
        .map(|(to, _, _)| to)
        .collect();
    unfilled.sort();
    assert_eq!(unfilled, ["coordinator@pool.test", "cw@pool.test"]);
    assert_eq!(
        run_due(&pool.db.conn, &settings, deadline + Duration::hours(1))
            .await
            .unwrap()
            .unfilled,
        0,
        "only once"
    );
}

#[tokio::test]
async fn withdrawal_reopens_the_search_and_tells_the_caseworker() {
    let pool = pool(3).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let first = created.offers[0].volunteer_name.replace("Volunteer ", "v");
    let token = offer_token(&pool.db.conn, &format!("{first}@pool.test")).await;
    offers::accept(&pool.db.conn, &token, &settings, None, now + Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!(get(&pool, created.id, now).await.status, RequestStatus::Assigned);
    // The confirmation carries the same link again, written from the offer's row (its nonce
    // and the server key), not from the token the volunteer clicked.
    let mails = outbox(&pool.db.conn).await;
    let (_, _, confirmation) = mails
        .iter()
        .find(|(_, kind, _)| kind == "assignment_confirmed")
        .expect("a confirmation");
    assert!(confirmation.contains(&format!("{BASE}/o/{token}")), "{confirmation}");

    offers::withdraw(&pool.db.conn, &token, &settings, None, now + Duration::hours(2))
        .await
        .unwrap();
    let view = get(&pool, created.id, now + Duration::hours(2)).await;
    assert_eq!(view.status, RequestStatus::Open);
    assert!(view.assignee.is_none());
    assert_eq!(
        view.offers.len(),
        3,
        "the one volunteer not yet asked gets an offer at once"
    );
    let mails = outbox(&pool.db.conn).await;
    assert!(
        mails
            .iter()
            .any(|(to, kind, _)| to == "cw@pool.test" && kind == "interpreter_withdrew")
    );
    let again = offers::withdraw(&pool.db.conn, &token, &settings, None, now + Duration::hours(3)).await;
    assert!(
        matches!(again, Err(RequestError::Link(LinkRefusal::Withdrew))),
        "{again:?}"
    );
    let accept_again = offers::accept(&pool.db.conn, &token, &settings, None, now + Duration::hours(3)).await;
    assert!(
        matches!(accept_again, Err(RequestError::Link(LinkRefusal::Withdrew))),
        "{accept_again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_or_second_instance_neither_loses_nor_doubles_a_wave() {
    let pool = pool(6).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    // "Restart": everything the cascade needs is in the database; fresh connections carry on.
    let (first, second) = (pool.db.second_connection().await, pool.db.second_connection().await);
    let later = now + Duration::minutes(61);
    let (a, b) = tokio::join!(run_due(&first, &settings, later), run_due(&second, &settings, later));
    assert_eq!(a.unwrap().waves + b.unwrap().waves, 1, "the wave is claimed once");
    assert_eq!(get(&pool, created.id, later).await.offers.len(), 4);
}

#[tokio::test]
async fn assigned_volunteer_is_reminded_once_the_day_before() {
    let pool = pool(1).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let token = offer_token(&pool.db.conn, "v0@pool.test").await;
    offers::accept(&pool.db.conn, &token, &settings, None, now)
        .await
        .unwrap();
    let starts_at: DateTime<Utc> = created.starts_at.into();
    assert_eq!(
        run_due(&pool.db.conn, &settings, starts_at - Duration::hours(25))
            .await
            .unwrap()
            .reminders,
        0
    );
    assert_eq!(
        run_due(&pool.db.conn, &settings, starts_at - Duration::hours(23))
            .await
            .unwrap()
            .reminders,
        1
    );
    assert_eq!(
        run_due(&pool.db.conn, &settings, starts_at - Duration::hours(22))
            .await
            .unwrap()
            .reminders,
        0
    );
    let reminders = outbox(&pool.db.conn)
        .await
        .into_iter()
        .filter(|(_, kind, _)| kind == "reminder")
        .count();
    assert_eq!(reminders, 1);
}

#[tokio::test]
async fn no_reminder_for_a_job_accepted_within_the_last_day() {
    let pool = pool(1).await;
    let settings = settings();
    let mut input = request_input();
    input.fill_by = None;
    let starts_at: DateTime<Utc> = input.starts_at.into();
    let now = starts_at - Duration::hours(20);
    lifecycle::create(&pool.db.conn, pool.caseworker, &input, &settings, now)
        .await
        .unwrap();
    let token = offer_token(&pool.db.conn, "v0@pool.test").await;
    offers::accept(&pool.db.conn, &token, &settings, None, now)
        .await
        .unwrap();
    run_due(&pool.db.conn, &settings, now + Duration::minutes(1))
        .await
        .unwrap();
    let reminders = outbox(&pool.db.conn)
        .await
        .into_iter()
        .filter(|(_, kind, _)| kind == "reminder")
        .count();
    assert_eq!(reminders, 0);
}

#[tokio::test]
async fn the_service_takes_every_search_decision_from_the_matchers_policy() {
    let pool = pool(4).await;
    let settings = settings();
    let now = start_of_test();
    let before = lp_matcher::cascade::steps_on_this_thread();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    assert_eq!(
        lp_matcher::cascade::steps_on_this_thread(),
        before + 1,
        "filing asks the policy"
    );
    let first = created.offers[0].volunteer_name.replace("Volunteer ", "v");
    let token = offer_token(&pool.db.conn, &format!("{first}@pool.test")).await;
    offers::decline(&pool.db.conn, &token, &settings, None, now + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        lp_matcher::cascade::steps_on_this_thread(),
        before + 2,
        "a decline asks it"
    );
    let report = run_due(&pool.db.conn, &settings, now + Duration::minutes(70))
        .await
        .unwrap();
    assert_eq!(report.waves, 1);
    assert_eq!(
        lp_matcher::cascade::steps_on_this_thread(),
        before + 3,
        "a due wave asks it"
    );
}

/// The id of the volunteer with this address.
#[tokio::test]
async fn the_pools_recent_demand_counts_filed_requests_and_active_speakers() {
    let pool = pool(3).await;
    let now = start_of_test();
    let filing = settings();
    for _ in 0..2 {
        lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &filing, now)
            .await
            .unwrap();
    }
    // A process starting now loads the pool with the demand of the last 90 days.
    let later = now + Duration::minutes(1);
    let snapshot = settings().ranker.pool(&pool.db.conn, 24, later).await.unwrap();
    let arabic = lp_core::LanguageCode::parse("ara").unwrap();
    assert_eq!(
        snapshot.demand.of(arabic),
        lp_matcher::LanguageDemand {
            requests: 2,
            speakers: 3
        }
    );
    assert_eq!(
        *snapshot.demand,
        lp_matcher::RecentDemand::new([arabic, arabic], &snapshot.profiles),
        "the matcher's own summary of the same data"
    );
    // Requests older than the window are not demand any more.
    let next_year = now + Duration::days(lp_matcher::DEMAND_WINDOW_DAYS + 1);
    let snapshot = settings().ranker.pool(&pool.db.conn, 24, next_year).await.unwrap();
    assert_eq!(snapshot.demand.of(arabic).requests, 0);
}

async fn volunteer_id(db: &DatabaseConnection, email: &str) -> Uuid {
    volunteers::with_status(db, lp_core::vocab::VolunteerStatus::ALL)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.email == email)
        .expect("a volunteer with this address")
        .id
}

fn excluded_for(view: &lifecycle::CandidatesView, id: Uuid) -> Option<lp_matcher::Rule> {
    view.excluded
        .iter()
        .find(|e| e.exclusion.volunteer_id == id)
        .map(|e| e.exclusion.rule)
}

#[tokio::test]
async fn a_change_through_one_instance_is_ranked_by_the_other() {
    let pool = pool(3).await;
    let db = &pool.db.conn;
    // Two processes on one database: each has its own compiled pool.
    let (one, other) = (settings(), settings());
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &one, now)
        .await
        .unwrap();
    let ranked = |settings: &RequestSettings| {
        let settings = settings.clone();
        async move {
            lifecycle::candidates(db, Scope::All, created.id, &settings, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        ranked(&other).await.candidates.len(),
        3,
        "the other instance compiles its pool"
    );

    // An assignment, accepted through one instance, keeps its volunteer out of a twin request
    // at the same time, ranked by the other.
    let winner = created.offers[0].volunteer_name.replace("Volunteer ", "v") + "@pool.test";
    let token = offer_token(db, &winner).await;
    offers::accept(db, &token, &one, None, now + Duration::minutes(1))
        .await
        .unwrap();
    let twin = lifecycle::create(db, pool.caseworker, &request_input(), &one, now + Duration::minutes(2))
        .await
        .unwrap();
    let view = lifecycle::candidates(db, Scope::All, twin.id, &other, now + Duration::minutes(2))
        .await
        .unwrap();
    let winner = volunteer_id(db, &winner).await;
    assert_eq!(
        excluded_for(&view, winner),
        Some(lp_matcher::Rule::OverlappingAssignment)
    );

    let mut others = Vec::new();
    for email in ["v0@pool.test", "v1@pool.test", "v2@pool.test"] {
        let id = volunteer_id(db, email).await;
        if id != winner {
            others.push(id);
        }
    }
    // A volunteer edit (paused) through one instance.
    let mut edited = VolunteerInput::from(&volunteers::get(db, others[0]).await.unwrap().unwrap());
    edited.status = lp_core::vocab::VolunteerStatus::Paused;
    volunteers::update(
        db,
        &lp_core::access::Coordinator::operator(),
        others[0],
        edited.validate().unwrap(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        excluded_for(&ranked(&other).await, others[0]),
        Some(lp_matcher::Rule::NotActive)
    );

    // An absence on the day, through one instance.
    let mut away = VolunteerInput::from(&volunteers::get(db, others[1]).await.unwrap().unwrap());
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    away.absences = vec![lp_core::time::DateRange::new(day(1), day(5)).unwrap()];
    volunteers::update(
        db,
        &lp_core::access::Coordinator::operator(),
        others[1],
        away.validate().unwrap(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        excluded_for(&ranked(&other).await, others[1]),
        Some(lp_matcher::Rule::Absent)
    );
}

#[tokio::test]
async fn erasing_a_volunteer_withdraws_their_offers_and_kills_their_links() {
    let pool = pool(2).await;
    let db = &pool.db.conn;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let id = volunteer_id(db, "v0@pool.test").await;
    let link =
        lp_registry::availability_links::issue(db, &key(), id, lp_registry::availability_links::Reason::Request, now)
            .await
            .unwrap();
    let token = link.link.token(&key());
    let trainings = lp_trainings::TrainingSettings {
        validity_months: settings.training_validity_months,
        public_base_url: settings.public_base_url.clone(),
        server_key: settings.server_key.clone(),
    };
    linguapool_requests::erasure::erase_volunteer(db, &lp_core::access::Coordinator::operator(), id, &trainings, now)
        .await
        .unwrap();
    let gone = lp_registry::availability_links::page(db, &token, now).await;
    assert!(
        matches!(gone, Err(lp_registry::availability_links::LinkError::Unknown)),
        "{gone:?}"
    );
    let erased = volunteers::get(db, id).await.unwrap().unwrap();
    assert_eq!(erased.status, lp_core::vocab::VolunteerStatus::Retired);
    assert!(erased.phone.is_none() && !erased.email.contains("v0"));
    let view = get(&pool, created.id, now).await;
    let theirs = view.offers.iter().find(|o| o.volunteer_id == id).unwrap();
    assert_eq!(theirs.state, lp_core::vocab::OfferState::Withdrawn);
}

#[tokio::test]
async fn an_offer_is_open_until_the_deadline_and_an_accepted_link_until_the_appointment() {
    let pool = pool(2).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let deadline: DateTime<Utc> = "2026-12-02T17:00:00Z".parse().unwrap();
    assert_eq!(created.fill_by, deadline);
    // The mail and the link page state the request's deadline, not the appointment.
    let (_, _, mail) = outbox(&pool.db.conn)
        .await
        .into_iter()
        .find(|(to, kind, _)| to == "v0@pool.test" && kind == "offer")
        .expect("an offer to v0");
    assert!(
        mail.contains(&format!("Das Angebot gilt bis {}.", lp_core::when::de(&deadline))),
        "{mail}"
    );
    let first = offer_token(&pool.db.conn, "v0@pool.test").await;
    let second = offer_token(&pool.db.conn, "v1@pool.test").await;
    let page = offers::page(&pool.db.conn, &first, &settings, now).await.unwrap();
    assert_eq!(page.open_until, deadline);

    // After the deadline (before the worker ran) nobody can accept any more.
    let refused = offers::accept(&pool.db.conn, &second, &settings, None, deadline + Duration::minutes(1)).await;
    assert!(
        matches!(refused, Err(RequestError::Link(LinkRefusal::Expired))),
        "{refused:?}"
    );
    // Accepted before it, the link still gives the job back after the deadline.
    offers::accept(&pool.db.conn, &first, &settings, None, deadline - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(get(&pool, created.id, now).await.status, RequestStatus::Assigned);
    offers::withdraw(&pool.db.conn, &first, &settings, None, deadline + Duration::hours(2))
        .await
        .unwrap();
    let after = get(&pool, created.id, deadline + Duration::hours(2)).await;
    assert_eq!(after.status, RequestStatus::Unfilled, "no time left to search again");
}

/// The tokens of every link in `text` (offer, availability, calendar feed).
fn tokens_in(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for prefix in ["/o/", "/v/", "/calendar/"] {
        for (at, _) in text.match_indices(&format!("{BASE}{prefix}")) {
            let rest = &text[at + BASE.len() + prefix.len()..];
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            tokens.push(token);
        }
    }
    tokens
}

#[tokio::test]
async fn the_outbox_holds_placeholders_and_never_a_link_token() {
    let pool = pool(3).await;
    let settings = settings();
    let now = start_of_test();
    let created = lifecycle::create(&pool.db.conn, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let first = created.offers[0].volunteer_name.replace("Volunteer ", "v");
    let token = offer_token(&pool.db.conn, &format!("{first}@pool.test")).await;
    offers::accept(&pool.db.conn, &token, &settings, None, now + Duration::minutes(10))
        .await
        .unwrap();

    let sent: Vec<String> = outbox(&pool.db.conn)
        .await
        .into_iter()
        .map(|(_, _, text)| text)
        .collect();
    let tokens: Vec<String> = sent.iter().flat_map(|text| tokens_in(text)).collect();
    // Two offers with their availability links, the confirmation's offer and calendar links.
    assert!(tokens.len() >= 6, "{tokens:?}");
    assert!(tokens.iter().all(|t| t.len() == 43), "{tokens:?}");
    let stored = pool
        .db
        .conn
        .query_all_raw(Statement::from_string(
            pool.db.conn.get_database_backend(),
            "SELECT body_text, body_html FROM outbox_emails",
        ))
        .await
        .unwrap();
    for row in &stored {
        for column in ["body_text", "body_html"] {
            let body: String = row.try_get("", column).unwrap();
            for token in &tokens {
                assert!(!body.contains(token.as_str()), "a token in the outbox's {column}");
            }
            assert!(!body.contains(&format!("{BASE}/o/")), "{body}");
        }
    }
}

/// The pool's settings with a 15-minute acceptance window and waves of `wave_size`.
fn windowed(wave_size: u32) -> RequestSettings {
    RequestSettings {
        wave_size,
        accept_window_minutes: 15,
        ..settings()
    }
}

fn address(name: &str) -> String {
    format!("{}@pool.test", name.replace("Volunteer ", "v"))
}

fn mails_of_kind(mails: &[(String, String, String)], kind: &str) -> Vec<String> {
    let mut to: Vec<String> = mails
        .iter()
        .filter(|(_, k, _)| k == kind)
        .map(|(to, _, _)| to.clone())
        .collect();
    to.sort();
    to
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_acceptances_in_the_window_give_the_job_to_the_best_ranked_not_the_first() {
    let pool = pool(20).await;
    let settings = windowed(20);
    let db = &pool.db.conn;
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    assert_eq!(created.offers.len(), 20, "everyone is asked at once");
    let ranking = lifecycle::candidates(db, Scope::All, created.id, &settings, now)
        .await
        .unwrap();
    let best = ranking.candidates[0].name.clone();
    // The best-ranked accepts last, the worst first.
    let mut tokens = Vec::new();
    for candidate in ranking.candidates.iter().rev() {
        tokens.push(offer_token(db, &address(&candidate.name)).await);
    }
    let first_yes = now + Duration::minutes(5);
    let mut answers = tokio::task::JoinSet::new();
    for (i, token) in tokens.iter().cloned().enumerate() {
        let (db, settings) = (db.clone(), settings.clone());
        // Within the window, one second apart, all twenty racing for the write lock.
        let at = first_yes + Duration::seconds(i as i64);
        answers.spawn(async move { offers::accept(&db, &token, &settings, None, at).await });
    }
    let closes_at = first_yes + Duration::minutes(15);
    while let Some(answer) = answers.join_next().await {
        match answer.unwrap() {
            Ok(offers::Accepted::Pending { confirm_by, .. }) => {
                // Whoever got the write lock first opened it, at their own time.
                assert!(confirm_by >= closes_at && confirm_by <= closes_at + Duration::seconds(19));
            }
            other => panic!("every acceptance in the window is collected: {other:?}"),
        }
    }
    let view = get(&pool, created.id, first_yes).await;
    assert_eq!(view.status, RequestStatus::Open, "nobody has the job until the close");
    assert_eq!(
        mails_of_kind(&outbox(db).await, "assignment_confirmed"),
        Vec::<String>::new()
    );
    let page = offers::page(db, &tokens[0], &settings, first_yes).await.unwrap();
    assert_eq!(page.status, linguapool_requests::rules::OfferPageStatus::Pending);
    assert!(page.confirm_by.is_some());

    let report = run_due(db, &settings, first_yes + Duration::minutes(10)).await.unwrap();
    assert_eq!(report.windows, 0, "the window is still open");
    assert_eq!(report.waves, 0, "no wave while acceptances are collected");
    let report = run_due(db, &settings, first_yes + Duration::minutes(16)).await.unwrap();
    assert_eq!(report.windows, 1);
    let view = get(&pool, created.id, first_yes + Duration::minutes(16)).await;
    assert_eq!(view.status, RequestStatus::Assigned);
    assert_eq!(view.assignee.as_ref().map(|a| a.name.clone()), Some(best.clone()));
    let mails = outbox(db).await;
    assert_eq!(mails_of_kind(&mails, "assignment_confirmed"), [address(&best)]);
    let mut others: Vec<String> = ranking.candidates[1..].iter().map(|c| address(&c.name)).collect();
    others.sort();
    assert_eq!(mails_of_kind(&mails, "offer_filled"), others, "the others hear once");

    // After the close an acceptance is a conflict, as without a window.
    let late = offers::accept(db, &tokens[0], &settings, None, first_yes + Duration::minutes(17)).await;
    assert!(matches!(late, Err(RequestError::Link(LinkRefusal::Filled))), "{late:?}");
    let fresh = tokens[1].clone();
    let late = offers::accept(db, &fresh, &settings, None, first_yes + Duration::minutes(17)).await;
    assert!(matches!(late, Err(RequestError::Link(LinkRefusal::Filled))), "{late:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_window_closes_once_after_a_restart_or_on_two_instances() {
    let pool = pool(3).await;
    let settings = windowed(3);
    let db = &pool.db.conn;
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    for volunteer in ["v0", "v2"] {
        let token = offer_token(db, &format!("{volunteer}@pool.test")).await;
        offers::accept(db, &token, &settings, None, now + Duration::minutes(1))
            .await
            .unwrap();
    }
    // "Restart": fresh connections and settings with an empty pool cache carry on from the
    // rows alone; two of them at once are two instances.
    let (first, second) = (pool.db.second_connection().await, pool.db.second_connection().await);
    let (one, other) = (windowed(3), windowed(3));
    let close = now + Duration::minutes(16);
    let (a, b) = tokio::join!(run_due(&first, &one, close), run_due(&second, &other, close));
    assert_eq!(a.unwrap().windows + b.unwrap().windows, 1, "the close is claimed once");
    assert_eq!(get(&pool, created.id, close).await.status, RequestStatus::Assigned);
    assert_eq!(mails_of_kind(&outbox(db).await, "assignment_confirmed").len(), 1);
    assert_eq!(
        run_due(db, &settings, close + Duration::hours(1))
            .await
            .unwrap()
            .windows,
        0
    );
}

#[tokio::test]
async fn a_window_whose_acceptors_no_longer_qualify_sends_the_next_wave() {
    let pool = pool(4).await;
    let settings = windowed(2);
    let db = &pool.db.conn;
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let first = address(&created.offers[0].volunteer_name);
    let token = offer_token(db, &first).await;
    offers::accept(db, &token, &settings, None, now + Duration::minutes(1))
        .await
        .unwrap();
    // Paused before the close (a hard rule keeps them from the job now), as the coordinator's
    // change would record it for every instance's pool.
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!("UPDATE volunteers SET status = 'paused' WHERE email = '{first}'"),
    ))
    .await
    .unwrap();
    let paused = created.offers[0].volunteer_id;
    lp_registry::pool_changes::record(db, &[paused], now + Duration::minutes(2))
        .await
        .unwrap();
    let close = now + Duration::minutes(16);
    assert_eq!(run_due(db, &settings, close).await.unwrap().windows, 1);
    let view = get(&pool, created.id, close).await;
    assert_eq!(view.status, RequestStatus::Open, "nobody qualified: the search goes on");
    assert_eq!(view.offers.len(), 4, "the next wave went out at the close");
    let page = offers::page(db, &token, &settings, close).await.unwrap();
    assert_ne!(page.status, linguapool_requests::rules::OfferPageStatus::Pending);
}

#[tokio::test]
async fn a_decline_while_a_window_is_open_asks_nobody_new_until_the_close() {
    let pool = pool(4).await;
    let settings = windowed(2);
    let db = &pool.db.conn;
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    let yes = offer_token(db, &address(&created.offers[0].volunteer_name)).await;
    let no = offer_token(db, &address(&created.offers[1].volunteer_name)).await;
    offers::accept(db, &yes, &settings, None, now + Duration::minutes(1))
        .await
        .unwrap();
    offers::decline(db, &no, &settings, None, now + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(
        get(&pool, created.id, now).await.offers.len(),
        2,
        "the close decides first"
    );
    let close = now + Duration::minutes(16);
    run_due(db, &settings, close).await.unwrap();
    let view = get(&pool, created.id, close).await;
    assert_eq!(view.status, RequestStatus::Assigned);
    assert_eq!(view.offers.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_volunteers_tapping_accept_twice_at_once_give_one_assignment_and_refusals_that_say_why() {
    let pool = pool(20).await;
    let settings = RequestSettings {
        wave_size: 20,
        ..settings()
    };
    let db = &pool.db.conn;
    let now = start_of_test();
    let created = lifecycle::create(db, pool.caseworker, &request_input(), &settings, now)
        .await
        .unwrap();
    assert_eq!(created.offers.len(), 20);
    let mut tokens = Vec::new();
    for i in 0..20 {
        tokens.push(offer_token(db, &format!("v{i}@pool.test")).await);
    }
    // Every volunteer taps twice, all at once: the rivals of the accept in flight wait for it
    // and hear its outcome.
    let at = now + Duration::minutes(5);
    let taps: Vec<String> = tokens.iter().chain(&tokens).cloned().collect();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(taps.len()));
    let mut answers = tokio::task::JoinSet::new();
    for token in taps {
        let (db, settings, barrier) = (db.clone(), settings.clone(), barrier.clone());
        answers.spawn(async move {
            barrier.wait().await;
            offers::accept(&db, &token, &settings, None, at).await
        });
    }
    let (mut assigned, mut theirs_already, mut filled) = (0, 0, 0);
    while let Some(answer) = answers.join_next().await {
        match answer.unwrap() {
            Ok(offers::Accepted::Assigned { request_id }) => {
                assert_eq!(request_id, created.id);
                assigned += 1;
            }
            Err(RequestError::Link(LinkRefusal::AlreadyAccepted)) => theirs_already += 1,
            Err(RequestError::Link(LinkRefusal::Filled)) => filled += 1,
            other => panic!("a winner or a refusal saying why: {other:?}"),
        }
    }
    assert_eq!(
        (assigned, theirs_already, filled),
        (1, 1, 38),
        "the winner's second tap hears the job is theirs, everyone else's that it is filled"
    );
    let view = get(&pool, created.id, at).await;
    assert_eq!(view.status, RequestStatus::Assigned);
    let mails = outbox(db).await;
    assert_eq!(mails_of_kind(&mails, "assignment_confirmed").len(), 1);
    assert_eq!(mails_of_kind(&mails, "offer_filled").len(), 19, "the others hear once");
}
