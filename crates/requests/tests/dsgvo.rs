//! The records the DSGVO asks for, through the use cases staff and volunteers call: the audit
//! log (written with each change, naming the actor and address, never changed), retention
//! (removes exactly a request's details and the spent links, on the injected clock), and the
//! access export (Art. 15) holding one volunteer's data and nobody else's.

use chrono::Duration;
use linguapool_requests::{access_export, erasure, lifecycle, retention};
use lp_audit::AuditFilter;
use lp_core::access::{Actor, Coordinator};
use lp_core::audit::{AuditAction, AuditObject, Who};
use lp_core::vocab::Role;
use lp_registry::staff::{self, StaffUserInput};
use lp_testkit::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::net::IpAddr;
use uuid::Uuid;

mod support;
use support::{as_sent, at, caseworker, instance, key, request_on, trainings, volunteer};

fn addr(text: &str) -> IpAddr {
    text.parse().unwrap()
}

async fn coordinator(db: &DatabaseConnection, now: chrono::DateTime<chrono::Utc>) -> Coordinator {
    let input = StaffUserInput {
        email: "co@pool.test".into(),
        name: "Coordinator".into(),
        role: Role::Coordinator,
        organisation_id: None,
        password: None,
    };
    let user = staff::insert(db, staff::prepare(&input, false).await.unwrap(), now)
        .await
        .unwrap()
        .user;
    Coordinator::check(user.id, Role::Coordinator)
        .unwrap()
        .from_addr(addr("192.0.2.7"))
}

async fn entries(db: &DatabaseConnection, by: &Coordinator, object: Uuid) -> Vec<(Who, AuditAction, Option<String>)> {
    let filter = AuditFilter {
        object: Some(object),
        ..AuditFilter::default()
    };
    let mut found: Vec<_> = lp_audit::list(db, by, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.who().unwrap(), r.action, r.client_addr))
        .collect();
    found.reverse();
    found
}

async fn execute(db: &DatabaseConnection, sql: &str) -> Result<(), sea_orm::DbErr> {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .map(|_| ())
}

#[tokio::test]
async fn the_audit_log_records_a_view_a_cancel_and_an_erase_with_who_and_from_where() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let settings = instance();
    let actor: Actor = caseworker(db, now).await.from_addr(addr("198.51.100.4"));
    let amina = volunteer(db, "Amina", Some("2026-06-01"), now).await;
    let by = coordinator(db, now).await;

    let request = lifecycle::create(db, actor, &request_on("2026-12-09"), &settings, now)
        .await
        .unwrap()
        .id;
    lifecycle::view(db, actor, request, now).await.unwrap();
    lifecycle::view_candidates(db, actor, request, &settings, now)
        .await
        .unwrap();
    lifecycle::cancel(db, actor, request, false, now + Duration::minutes(5))
        .await
        .unwrap();
    let caseworker = Who::Staff(actor.user_id);
    let from = Some("198.51.100.4".to_owned());
    assert_eq!(
        entries(db, &by, request).await,
        [
            (caseworker, AuditAction::Create, from.clone()),
            (caseworker, AuditAction::View, from.clone()),
            (caseworker, AuditAction::View, from.clone()),
            (caseworker, AuditAction::Cancel, from.clone()),
        ]
    );

    volunteers_view_and_erase(db, &by, amina, now).await;
}

async fn volunteers_view_and_erase(
    db: &DatabaseConnection,
    by: &Coordinator,
    amina: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) {
    lp_registry::volunteers::view(db, by, amina, now)
        .await
        .unwrap()
        .unwrap();
    let settings = instance();
    let txn = lp_db::begin_write(db).await.unwrap();
    lp_registry::calendar_feeds::ensure(&*txn, &settings.calendar_feeds(), amina, now)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    erasure::erase_volunteer(db, by, amina, &trainings(&settings), now)
        .await
        .unwrap();
    assert!(
        lp_registry::calendar_feeds::of_volunteer(db, amina)
            .await
            .unwrap()
            .is_empty(),
        "the erasure takes the calendar feeds along"
    );
    let coordinator = by.who();
    let from = Some("192.0.2.7".to_owned());
    let about_amina = entries(db, by, amina).await;
    assert_eq!(
        about_amina[0],
        (Who::Operator, AuditAction::Create, None),
        "created at the command line"
    );
    assert_eq!(
        about_amina[1..],
        [
            (coordinator, AuditAction::View, from.clone()),
            (coordinator, AuditAction::Erase, from.clone()),
        ]
    );
    let erasures = lp_audit::list(
        db,
        by,
        &AuditFilter {
            action: Some(AuditAction::Erase),
            ..AuditFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(erasures.len(), 1);
    assert_eq!(erasures[0].object_kind, AuditObject::Volunteer);
}

#[tokio::test]
async fn an_audit_entry_cannot_be_changed() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let by = coordinator(db, now).await;
    volunteer(db, "Amina", None, now).await;
    let before = lp_audit::list(db, &by, &AuditFilter::default()).await.unwrap();
    assert!(!before.is_empty());
    let refused = execute(db, "UPDATE audit_entries SET action = 'view', client_addr = NULL").await;
    let message = refused.expect_err("the trigger refuses").to_string();
    assert!(message.contains("audit entries cannot be changed"), "{message}");
    assert_eq!(lp_audit::list(db, &by, &AuditFilter::default()).await.unwrap(), before);
}

#[tokio::test]
async fn a_failed_and_a_good_sign_in_are_both_in_the_log() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let input = StaffUserInput {
        email: "co@pool.test".into(),
        name: "Coordinator".into(),
        role: Role::Coordinator,
        organisation_id: None,
        password: Some("a long enough password".into()),
    };
    let user = staff::insert(db, staff::prepare(&input, false).await.unwrap(), now)
        .await
        .unwrap()
        .user;
    let policy = lp_registry::sessions::SessionPolicy {
        idle: Duration::hours(1),
        absolute: Duration::hours(8),
    };
    let from = Some(addr("203.0.113.9"));
    let wrong = lp_registry::sign_in::sign_in(db, "co@pool.test", "wrong", None, policy, from, now).await;
    assert_eq!(wrong.unwrap(), None);
    let right = lp_registry::sign_in::sign_in(db, "co@pool.test", "a long enough password", None, policy, from, now);
    assert!(right.await.unwrap().is_some());
    let by = Coordinator::check(user.id, Role::Coordinator).unwrap();
    let from = Some("203.0.113.9".to_owned());
    assert_eq!(
        entries(db, &by, user.id).await,
        [
            (Who::Anonymous, AuditAction::SignInFailed, from.clone()),
            (Who::Staff(user.id), AuditAction::SignIn, from),
        ]
    );
}

/// A request's personal details and whether retention removed them.
async fn details(db: &DatabaseConnection, id: Uuid) -> (Option<String>, Option<String>, Option<String>, bool, String) {
    let view = lifecycle::get(db, lp_core::access::Scope::All, id, at("2027-01-01T00:00:00Z"))
        .await
        .unwrap();
    (
        view.client_ref,
        view.notes,
        view.address,
        view.details_removed_at.is_some(),
        view.language.to_string(),
    )
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
async fn retention_removes_a_requests_details_after_the_period_and_the_spent_links() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let settings = instance();
    let actor = caseworker(db, now).await;
    volunteer(db, "Amina", Some("2026-06-01"), now).await;
    let mut input = request_on("2026-12-09");
    input.client_ref = Some("IM-2026-0147".into());
    input.notes = Some("Termin Ausländerbehörde".into());
    let old = lifecycle::create(db, actor, &input, &settings, now).await.unwrap().id;
    let recent = lifecycle::create(db, actor, &request_on("2027-01-20"), &settings, now)
        .await
        .unwrap()
        .id;
    let policy = retention::RetentionSettings {
        request_details_days: 90,
        audit_days: 365,
        spent_links_days: 30,
    };
    let full = (
        Some("IM-2026-0147".to_owned()),
        Some("Termin Ausländerbehörde".to_owned()),
        Some("Marktplatz 1".to_owned()),
        false,
        "pus".to_owned(),
    );

    // 89 days after the appointment nothing is due yet.
    let early = at("2026-12-09T09:00:00Z") + Duration::days(89);
    let report = retention::run(db, &policy, early).await.unwrap();
    assert_eq!(report.requests_cleared, 0);
    assert_eq!(details(db, old).await, full);

    // A day past the period: the old request's details go, the recent one's stay.
    let due = at("2026-12-09T09:00:00Z") + Duration::days(91);
    let report = retention::run(db, &policy, due).await.unwrap();
    assert_eq!(report.requests_cleared, 1);
    assert_eq!(details(db, old).await, (None, None, None, true, "pus".to_owned()));
    assert!(!details(db, recent).await.3);
    // The offers (the figures' raw material) stay; the outbox's sent mails are not touched
    // by this run since none was sent.
    assert!(
        !lifecycle::get(db, lp_core::access::Scope::All, old, due)
            .await
            .unwrap()
            .offers
            .is_empty()
    );
    // A second instance running the same pass finds nothing left.
    assert_eq!(retention::run(db, &policy, due).await.unwrap().requests_cleared, 0);
    let by = Coordinator::operator();
    let removed = entries(db, &by, old).await;
    assert_eq!(removed.last().unwrap().1, AuditAction::Retention);
    assert_eq!(removed.last().unwrap().0, Who::System);

    // A year and a day later the audit entries of the first day are past their period.
    let later = now + Duration::days(366);
    let before = count(db, "SELECT COUNT(*) FROM audit_entries").await;
    let report = retention::run(db, &policy, later).await.unwrap();
    let kept = count(db, "SELECT COUNT(*) FROM audit_entries").await;
    assert_eq!(
        report.audit_entries as i64,
        before - kept + report.requests_cleared as i64
    );
    let cutoff = later - Duration::days(365);
    let remaining = lp_audit::list(db, &by, &AuditFilter::default()).await.unwrap();
    assert!(
        remaining.iter().all(|e| e.at >= cutoff),
        "only entries within the period"
    );
    assert!(!remaining.is_empty(), "the retention entries of day 91 stay");
}

#[tokio::test]
async fn retention_ends_expired_sessions_and_purges_used_and_expired_links() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let amina = volunteer(db, "Amina", None, now).await;
    let user = coordinator(db, now).await.user_id().unwrap();
    let policy = lp_registry::sessions::SessionPolicy {
        idle: Duration::hours(1),
        absolute: Duration::hours(8),
    };
    lp_registry::sessions::create(db, user, policy, now).await.unwrap();
    let txn = lp_db::begin_write(db).await.unwrap();
    lp_registry::availability_links::issue(
        &*txn,
        &key(),
        amina,
        lp_registry::availability_links::Reason::Request,
        now,
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let settings = retention::RetentionSettings::default();
    assert_eq!(count(db, "SELECT COUNT(*) FROM staff_sessions").await, 1);
    let report = retention::run(db, &settings, now + Duration::hours(9)).await.unwrap();
    assert_eq!(report.sessions, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM staff_sessions").await, 0);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM availability_links").await,
        1,
        "still valid"
    );
    let report = retention::run(db, &settings, now + Duration::days(90)).await.unwrap();
    assert_eq!(report.links, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM availability_links").await, 0);
}

#[tokio::test]
async fn the_access_export_holds_the_volunteers_data_and_no_one_elses() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let settings = instance();
    let actor = caseworker(db, now).await;
    let amina = volunteer(db, "Amina", Some("2026-06-01"), now).await;
    let bahar = volunteer(db, "Bahar", Some("2026-06-01"), now).await;
    let request = lifecycle::create(db, actor, &request_on("2026-12-09"), &settings, now)
        .await
        .unwrap();
    assert_eq!(request.offers.len(), 2, "both were asked");
    let by = coordinator(db, now).await;
    let addresses = settings.calendar_feeds();
    let first = lp_registry::calendar_feeds::ensure(db, &addresses, amina, now - Duration::days(3))
        .await
        .unwrap();
    let first = as_sent(&first);
    let second = lp_registry::calendar_feeds::renew(db, &addresses, amina, Who::Volunteer(amina), None, now)
        .await
        .unwrap();
    lp_registry::calendar_feeds::ensure(db, &addresses, bahar, now)
        .await
        .unwrap();

    let export = access_export::volunteer(db, &by, amina, now).await.unwrap();
    assert_eq!(export.volunteer.id, amina);
    assert_eq!(export.volunteer.name, "Amina");
    assert_eq!(export.offers.len(), 1);
    assert_eq!(export.offers[0].request_id, request.id);
    assert!(export.assignments.is_empty());
    assert!(export.audit.iter().any(|e| e.action == AuditAction::Create));
    // Both of Amina's calendar subscriptions, with their dates and never their addresses.
    let feeds: Vec<_> = export
        .calendar_feeds
        .iter()
        .map(|f| (f.created_at, f.revoked_at))
        .collect();
    assert_eq!(feeds, [(now - Duration::days(3), Some(now)), (now, None)]);
    let text = serde_json::to_string(&export).unwrap();
    for address in [&first, &second] {
        let token = address.rsplit('/').next().unwrap().trim_end_matches(".ics");
        assert!(!text.contains(token), "the export holds no feed address");
    }
    assert!(!text.contains(&bahar.to_string()), "nothing of Bahar");
    assert!(!text.contains("Bahar"));
    assert!(
        !text.contains(&actor.user_id.to_string()),
        "not even the caseworker's id"
    );
    // The export itself is recorded.
    let last = entries(db, &by, amina).await.pop().unwrap();
    assert_eq!(last, (by.who(), AuditAction::Export, Some("192.0.2.7".to_owned())));
}

#[tokio::test]
async fn a_view_is_recorded_once_per_person_and_quarter_hour() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-12-02T09:00:00Z");
    let settings = instance();
    let actor = caseworker(db, now).await;
    volunteer(db, "Amina", Some("2026-06-01"), now).await;
    let request = lifecycle::create(db, actor, &request_on("2026-12-09"), &settings, now)
        .await
        .unwrap()
        .id;
    let by = Coordinator::operator();
    let views = |db| async move {
        entries(db, &by, request)
            .await
            .into_iter()
            .filter(|(_, action, _)| *action == AuditAction::View)
            .count()
    };
    for minutes in [0, 5, 14] {
        lifecycle::view(db, actor, request, now + Duration::minutes(minutes))
            .await
            .unwrap();
    }
    assert_eq!(views(db).await, 1, "reloads within the window");
    lifecycle::view(db, actor, request, now + Duration::minutes(16))
        .await
        .unwrap();
    assert_eq!(views(db).await, 2, "a view after the window is recorded again");
    let other = another_person(actor);
    lifecycle::view(db, other, request, now + Duration::minutes(17))
        .await
        .unwrap();
    assert_eq!(views(db).await, 3, "another person's view is their own");
}

/// Another staff user with the same scope and address: the window is per person.
fn another_person(actor: Actor) -> Actor {
    Actor {
        user_id: Uuid::new_v4(),
        ..actor
    }
}
