//! Trainings against a real database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set),
//! with a hand-set clock: invitations by filter, registration with a waiting list, the race
//! for the last place, attendance and the training record, reminders and expiry notices.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use linguapool_trainings::input::{AttendanceInput, InvitationFilter, Invitees, TrainingInput, TrainingNeed};
use linguapool_trainings::links::{self, Outcome};
use linguapool_trainings::rules::{InvitationPageStatus, InvitationRefusal};
use linguapool_trainings::trainings::{self, Training};
use linguapool_trainings::{TrainingError, TrainingSettings, invitations, record, worker};
use lp_core::access::Coordinator;
use lp_core::vocab::{TrainingState, TrainingStatus};
use lp_registry::volunteers::{self, VolunteerInput};
use lp_testkit::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

const BASE: &str = "http://pool.test";

fn settings() -> TrainingSettings {
    TrainingSettings {
        validity_months: 24,
        public_base_url: BASE.to_owned(),
        server_key: SERVER_KEY.clone(),
    }
}

/// One key for every settings value of a test run, as one instance has.
static SERVER_KEY: std::sync::LazyLock<std::sync::Arc<lp_core::secret::ServerKey>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(lp_core::secret::ServerKey::generate()));

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Wednesday 2026-12-02, 11:00 in Berlin.
fn now() -> DateTime<Utc> {
    at("2026-12-02T10:00:00Z")
}

fn by() -> Coordinator {
    Coordinator::operator()
}

async fn volunteer(
    db: &DatabaseConnection,
    name: &str,
    language: &str,
    status: &str,
    trained_on: Option<&str>,
) -> Uuid {
    let input: VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": name, "email": format!("{}@pool.test", name.to_lowercase().replace(' ', ".")),
        "languages": [{"code": language, "proficiency": "native"}],
        "german_level": "B2", "modes": ["phone"],
        "confidentiality_signed_on": "2026-01-01", "training_completed_on": trained_on, "status": status
    }))
    .unwrap();
    volunteers::create(db, &by(), input.validate().unwrap(), now())
        .await
        .unwrap()
        .id
}

fn email_of(name: &str) -> String {
    format!("{}@pool.test", name.to_lowercase().replace(' ', "."))
}

/// Saturday 2027-01-16, 10:00 Berlin, three hours; registration until 10 January.
fn training_input(kind: &str, capacity: i64) -> TrainingInput {
    serde_json::from_value(serde_json::json!({
        "title": "Grundschulung Dolmetschen im Ehrenamt", "kind": kind,
        "starts_at": "2027-01-16T10:00:00+01:00", "duration_minutes": 180,
        "location": "Rathaus Winnenden", "capacity": capacity,
        "registration_deadline": "2027-01-10T23:59:00+01:00", "trainer": "A. Trainer"
    }))
    .unwrap()
}

async fn schedule(db: &DatabaseConnection, kind: &str, capacity: i64) -> Training {
    let valid = training_input(kind, capacity).validate(now()).unwrap();
    trainings::create(db, &by(), valid, now()).await.unwrap()
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

async fn mails_of_kind(db: &DatabaseConnection, kind: &str) -> Vec<String> {
    outbox(db)
        .await
        .into_iter()
        .filter(|(_, k, _)| k == kind)
        .map(|(to, _, _)| to)
        .collect()
}

/// The token in the newest mail to `address` that carries an invitation link.
async fn token(db: &DatabaseConnection, address: &str) -> String {
    let mails = outbox(db).await;
    let (_, _, text) = mails
        .iter()
        .rev()
        .find(|(to, _, text)| to == address && text.contains(&format!("{BASE}/t/")))
        .expect("a mail with an invitation link");
    let start = text.find(&format!("{BASE}/t/")).unwrap() + BASE.len() + 3;
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}

/// Every invitation row, for "nothing changed" checks.
async fn invitation_rows(db: &DatabaseConnection) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT volunteer_id, state, waiting_since, responded_at, attended FROM training_invitations ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter().map(|row| format!("{row:?}")).collect()
}

fn untrained() -> Invitees {
    Invitees::Filter(InvitationFilter {
        training: Some(TrainingNeed::Untrained),
        ..Default::default()
    })
}

#[tokio::test]
async fn a_filter_invites_once_and_the_waiting_list_moves_up() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let names = ["Amina", "Bahar", "Chiara", "Dawit", "Emre"];
    for name in names {
        volunteer(db, name, "pus", "active", None).await;
    }
    volunteer(db, "Trained Tom", "ara", "active", Some("2026-01-01")).await;
    volunteer(db, "Applicant Ali", "pus", "applicant", None).await;
    volunteer(db, "Retired Rita", "pus", "retired", None).await;
    volunteer(db, "Expired Eva", "pus", "active", Some("2023-01-01")).await;
    let training = schedule(db, "basic", 2).await;

    let preview = invitations::preview(db, &by(), training.id, untrained(), &settings(), now())
        .await
        .unwrap();
    assert_eq!((preview.invited, preview.already_invited), (7, 0));
    assert!(outbox(db).await.is_empty(), "a preview sends nothing");

    let report = invitations::invite(db, &by(), training.id, untrained(), &settings(), now())
        .await
        .unwrap();
    assert_eq!((report.invited, report.already_invited), (7, 0));
    let invited = mails_of_kind(db, "training_invitation").await;
    assert_eq!(invited.len(), 7);
    assert!(!invited.contains(&email_of("Trained Tom")) && !invited.contains(&email_of("Retired Rita")));
    assert!(invited.contains(&email_of("Expired Eva")) && invited.contains(&email_of("Applicant Ali")));

    let again = invitations::invite(db, &by(), training.id, untrained(), &settings(), now())
        .await
        .unwrap();
    assert_eq!((again.invited, again.already_invited), (0, 7));
    assert_eq!(
        mails_of_kind(db, "training_invitation").await.len(),
        7,
        "nobody is mailed twice"
    );

    let mut tokens = Vec::new();
    for name in names {
        tokens.push(token(db, &email_of(name)).await);
    }
    // Opening a link changes nothing.
    let before = invitation_rows(db).await;
    let page = links::page(db, &tokens[0], now()).await.unwrap();
    assert_eq!(page.status, InvitationPageStatus::Open);
    assert!(page.can_register && page.can_decline);
    assert_eq!(invitation_rows(db).await, before);

    let later = now() + Duration::hours(1);
    let mut outcomes = Vec::new();
    for token in &tokens[..4] {
        outcomes.push(links::register(db, token, &settings(), None, later).await.unwrap());
    }
    assert_eq!(
        outcomes,
        [
            Outcome::Registered,
            Outcome::Registered,
            Outcome::Waiting,
            Outcome::Waiting
        ]
    );
    assert_eq!(trainings::get(db, training.id).await.unwrap().seats_taken, 2);
    let third = links::page(db, &tokens[2], later).await.unwrap();
    assert_eq!((third.status, third.position), (InvitationPageStatus::Waiting, Some(1)));
    assert_eq!(links::page(db, &tokens[3], later).await.unwrap().position, Some(2));
    assert_eq!(mails_of_kind(db, "training_registered").await.len(), 2);
    let waiting_mails = outbox(db).await;
    let (_, _, dawit) = waiting_mails
        .iter()
        .find(|(to, kind, _)| to == &email_of("Dawit") && kind == "training_waiting")
        .unwrap();
    assert!(dawit.contains('2'), "the waiting mail names the position: {dawit}");
    // A place confirmed brings the volunteer's calendar subscription; a place on the waiting
    // list does not.
    let feed = format!("{BASE}/calendar/");
    for (_, kind, text) in &waiting_mails {
        assert_eq!(kind == "training_registered", text.contains(&feed), "{kind}: {text}");
    }

    // A registered volunteer cancels: the first waiting moves up at once and is mailed.
    assert_eq!(
        links::decline(db, &tokens[0], &settings(), None, later).await.unwrap(),
        Outcome::Declined
    );
    assert_eq!(mails_of_kind(db, "training_moved_up").await, [email_of("Chiara")]);
    let mails = outbox(db).await;
    let (_, _, moved_up) = mails.iter().find(|(_, kind, _)| kind == "training_moved_up").unwrap();
    assert!(
        moved_up.contains(&feed),
        "the moved-up mail carries the calendar: {moved_up}"
    );
    assert_eq!(
        links::page(db, &tokens[2], later).await.unwrap().status,
        InvitationPageStatus::Registered
    );
    assert_eq!(links::page(db, &tokens[3], later).await.unwrap().position, Some(1));
    let detail = trainings::detail(db, &by(), training.id).await.unwrap();
    assert_eq!(detail.training.seats_taken, 2);
    assert_eq!(detail.registered.len(), 2);
    assert_eq!(detail.waiting.len(), 1);
    assert_eq!(detail.waiting[0].name, "Dawit");
    assert_eq!(detail.declined.len(), 1);

    // Changing one's mind after declining: back in, behind those already waiting.
    assert_eq!(
        links::register(db, &tokens[0], &settings(), None, later).await.unwrap(),
        Outcome::Waiting
    );
    assert_eq!(links::page(db, &tokens[0], later).await.unwrap().position, Some(2));
    // Each action works once.
    assert!(matches!(
        links::register(db, &tokens[1], &settings(), None, later).await,
        Err(TrainingError::Link(InvitationRefusal::AlreadyRegistered))
    ));

    // A higher capacity moves the waiting list up; a lower one than taken is refused.
    let wider = training_input("basic", 3).validate(later).unwrap();
    trainings::update(db, &by(), training.id, wider, &settings(), later)
        .await
        .unwrap();
    assert_eq!(mails_of_kind(db, "training_moved_up").await.len(), 2);
    let narrower = training_input("basic", 1).validate(later).unwrap();
    match trainings::update(db, &by(), training.id, narrower, &settings(), later).await {
        Err(TrainingError::Invalid(err)) => assert_eq!(err.field, "capacity"),
        other => panic!("expected a capacity error, got {other:?}"),
    }
    assert_eq!(trainings::get(db, training.id).await.unwrap().capacity, 3);
}

#[tokio::test]
async fn registration_closes_at_the_deadline_and_links_expire_after_the_training() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "Amina", "pus", "active", None).await;
    let late = volunteer(db, "Bahar", "pus", "active", None).await;
    let training = schedule(db, "basic", 5).await;
    let chosen = Invitees::Chosen(vec![id, late]);
    invitations::invite(db, &by(), training.id, chosen, &settings(), now())
        .await
        .unwrap();
    let (amina, bahar) = (token(db, &email_of("Amina")).await, token(db, &email_of("Bahar")).await);
    links::register(db, &amina, &settings(), None, now()).await.unwrap();

    let deadline = training.registration_deadline.to_utc();
    let page = links::page(db, &bahar, deadline).await.unwrap();
    assert_eq!(page.status, InvitationPageStatus::Closed);
    assert!(!page.can_register);
    let before = invitation_rows(db).await;
    assert!(matches!(
        links::register(db, &bahar, &settings(), None, deadline).await,
        Err(TrainingError::Link(InvitationRefusal::RegistrationClosed))
    ));
    assert_eq!(
        invitation_rows(db).await,
        before,
        "a refused registration writes nothing"
    );
    // A place can still be given back after the deadline.
    assert_eq!(
        links::page(db, &amina, deadline).await.unwrap().status,
        InvitationPageStatus::Registered
    );

    let started = training.starts_at_utc();
    assert_eq!(
        links::page(db, &amina, started).await.unwrap().status,
        InvitationPageStatus::Over
    );
    assert!(matches!(
        links::decline(db, &amina, &settings(), None, started).await,
        Err(TrainingError::Link(InvitationRefusal::Over))
    ));
    assert!(matches!(
        links::page(db, &amina, training.ends_at()).await,
        Err(TrainingError::Link(InvitationRefusal::Over))
    ));
    assert!(matches!(
        links::page(db, "not-a-token", now()).await,
        Err(TrainingError::NotFound)
    ));
    // Inviting after the deadline is refused.
    assert!(matches!(
        invitations::invite(db, &by(), training.id, untrained(), &settings(), deadline).await,
        Err(TrainingError::Conflict(_))
    ));
    // Unknown chosen volunteers are named by their place in the list, and nothing is saved.
    let unknown = Invitees::Chosen(vec![id, Uuid::new_v4()]);
    match invitations::invite(db, &by(), training.id, unknown, &settings(), now()).await {
        Err(TrainingError::Invalid(err)) => assert!(err.field.starts_with("volunteer_ids["), "{err}"),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[tokio::test]
async fn the_last_place_goes_to_exactly_one_of_twenty() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let mut people = Vec::new();
    for i in 0..20 {
        people.push(volunteer(db, &format!("Volunteer {i}"), "pus", "active", None).await);
    }
    let training = schedule(db, "basic", 1).await;
    invitations::invite(db, &by(), training.id, Invitees::Chosen(people), &settings(), now())
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for i in 0..20 {
        tokens.push(token(db, &email_of(&format!("Volunteer {i}"))).await);
    }
    let racers: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let db = db.clone();
            tokio::spawn(async move { links::register(&db, &token, &settings(), None, now()).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for racer in racers {
        outcomes.push(racer.await.unwrap().unwrap());
    }
    let registered = outcomes.iter().filter(|o| **o == Outcome::Registered).count();
    let waiting = outcomes.iter().filter(|o| **o == Outcome::Waiting).count();
    assert_eq!((registered, waiting), (1, 19));
    let detail = trainings::detail(db, &by(), training.id).await.unwrap();
    assert_eq!(detail.training.seats_taken, 1);
    assert_eq!(detail.registered.len(), 1);
    let positions: Vec<u32> = detail.waiting.iter().map(|p| p.position.unwrap()).collect();
    assert_eq!(positions, (1..=19).collect::<Vec<u32>>());
}

#[tokio::test]
async fn attending_a_basic_training_makes_a_volunteer_trained_until_the_validity_ends() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let amina = volunteer(db, "Amina", "pus", "active", None).await;
    let bahar = volunteer(db, "Bahar", "pus", "active", Some("2025-03-01")).await;
    let stranger = volunteer(db, "Stranger", "pus", "active", None).await;
    let basic = schedule(db, "basic", 5).await;
    invitations::invite(
        db,
        &by(),
        basic.id,
        Invitees::Chosen(vec![amina, bahar]),
        &settings(),
        now(),
    )
    .await
    .unwrap();
    let both = AttendanceInput {
        volunteer_ids: vec![amina, bahar],
    };
    assert!(matches!(
        record::record_attendance(db, &by(), basic.id, &both, now()).await,
        Err(TrainingError::Conflict(_))
    ));
    let after = basic.ends_at();
    let with_stranger = AttendanceInput {
        volunteer_ids: vec![amina, stranger],
    };
    match record::record_attendance(db, &by(), basic.id, &with_stranger, after).await {
        Err(TrainingError::Invalid(err)) => assert_eq!(err.field, "volunteer_ids[1]"),
        other => panic!("expected an invalid field, got {other:?}"),
    }
    record::record_attendance(db, &by(), basic.id, &both, after)
        .await
        .unwrap();

    let day = |text: &str| text.parse::<NaiveDate>().unwrap();
    let status_on =
        |id: Uuid, on: NaiveDate| async move { volunteers::get(db, id).await.unwrap().unwrap().training(on, 24) };
    let info = status_on(amina, day("2027-01-17")).await;
    assert_eq!(info.status, TrainingStatus::Trained);
    assert_eq!(info.completed_on, Some(day("2027-01-16")));
    assert_eq!(info.valid_until, Some(day("2029-01-16")));
    assert_eq!(
        status_on(amina, day("2029-01-17")).await.status,
        TrainingStatus::Expired
    );
    // A refresher here renews a training taken elsewhere; the external date stays recorded.
    let bahar_now = volunteers::get(db, bahar).await.unwrap().unwrap();
    assert_eq!(bahar_now.training_completed_on, Some(day("2025-03-01")));
    assert_eq!(
        bahar_now.training(day("2027-04-01"), 24).valid_until,
        Some(day("2029-01-16"))
    );

    let history = record::history(db, amina).await.unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].attended);
    assert!(record::certificate(db, &by(), basic.id, amina).await.is_ok());
    assert!(matches!(
        record::certificate(db, &by(), basic.id, stranger).await,
        Err(TrainingError::NotFound)
    ));

    // Unticking takes it back.
    let only_bahar = AttendanceInput {
        volunteer_ids: vec![bahar],
    };
    record::record_attendance(db, &by(), basic.id, &only_bahar, after)
        .await
        .unwrap();
    assert_eq!(
        status_on(amina, day("2027-01-17")).await.status,
        TrainingStatus::Untrained
    );

    // A topic evening is a record, not a training status.
    let topic = schedule(db, "topic", 5).await;
    invitations::invite(db, &by(), topic.id, Invitees::Chosen(vec![amina]), &settings(), now())
        .await
        .unwrap();
    let amina_only = AttendanceInput {
        volunteer_ids: vec![amina],
    };
    record::record_attendance(db, &by(), topic.id, &amina_only, topic.ends_at())
        .await
        .unwrap();
    assert_eq!(
        status_on(amina, day("2027-01-17")).await.status,
        TrainingStatus::Untrained
    );
}

#[tokio::test]
async fn reminders_and_expiry_notices_go_once() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let amina = volunteer(db, "Amina", "pus", "active", None).await;
    // Trained on 2025-02-01: valid until 2027-02-01.
    let bahar = volunteer(db, "Bahar", "pus", "active", Some("2025-02-01")).await;
    let basic = schedule(db, "basic", 5).await;
    invitations::invite(db, &by(), basic.id, Invitees::Chosen(vec![amina]), &settings(), now())
        .await
        .unwrap();
    let amina_token = token(db, &email_of("Amina")).await;
    links::register(db, &amina_token, &settings(), None, now())
        .await
        .unwrap();

    // 60 days before 2027-02-01 Bahar hears, once, with the next refresher and a link to it.
    let refresher: TrainingInput = serde_json::from_value(serde_json::json!({
        "title": "Auffrischung", "kind": "refresher", "starts_at": "2027-01-23T10:00:00+01:00",
        "duration_minutes": 120, "location": "VHS", "capacity": 10,
        "registration_deadline": "2027-01-20T23:59:00+01:00"
    }))
    .unwrap();
    let refresher = trainings::create(db, &by(), refresher.validate(now()).unwrap(), now())
        .await
        .unwrap();
    let too_early = at("2026-11-25T10:00:00Z");
    assert_eq!(
        worker::run_due(db, &settings(), too_early)
            .await
            .unwrap()
            .expiry_notices,
        0
    );
    let in_window = at("2026-12-05T10:00:00Z");
    assert_eq!(
        worker::run_due(db, &settings(), in_window)
            .await
            .unwrap()
            .expiry_notices,
        1
    );
    assert_eq!(
        worker::run_due(db, &settings(), in_window)
            .await
            .unwrap()
            .expiry_notices,
        0
    );
    assert_eq!(mails_of_kind(db, "training_expiring").await, [email_of("Bahar")]);
    let link = token(db, &email_of("Bahar")).await;
    let page = links::page(db, &link, in_window).await.unwrap();
    assert_eq!(page.title, "Auffrischung");
    let detail = trainings::detail(db, &by(), refresher.id).await.unwrap();
    assert_eq!(detail.invited.len(), 1);
    assert_eq!(detail.invited[0].volunteer_id, bahar);

    let start = basic.starts_at_utc();
    let early = worker::run_due(db, &settings(), start - Duration::hours(25))
        .await
        .unwrap();
    assert_eq!(early.reminders, 0);
    let due = worker::run_due(db, &settings(), start - Duration::hours(23))
        .await
        .unwrap();
    assert_eq!(due.reminders, 1);
    let again = worker::run_due(db, &settings(), start - Duration::hours(22))
        .await
        .unwrap();
    assert_eq!(again.reminders, 0, "a reminder goes once");
    assert_eq!(mails_of_kind(db, "training_reminder").await, [email_of("Amina")]);

    // Cancelling tells the registered and the waiting; the links then say so.
    trainings::cancel(db, &by(), basic.id, now()).await.unwrap();
    assert_eq!(mails_of_kind(db, "training_cancelled").await, [email_of("Amina")]);
    let page = links::page(db, &amina_token, now()).await.unwrap();
    assert_eq!(page.status, InvitationPageStatus::Cancelled);
    assert_eq!(
        trainings::get(db, basic.id).await.unwrap().status,
        TrainingState::Cancelled
    );
    let after_cancel = worker::run_due(db, &settings(), start - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(after_cancel.reminders, 0);
}
