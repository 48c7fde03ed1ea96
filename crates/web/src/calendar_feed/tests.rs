//! The volunteer's calendar through the real router: the address in the confirmations, the
//! feed with their jobs and trainings, their own page with jobs, hours and the address, and
//! revoking and renewing by the volunteer and by the coordinator.

use crate::test_app::{BASE, TestApp};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{ACCEPT, HOST, ORIGIN};
use axum::http::{Request, StatusCode};
use lp_core::Clock;
use lp_core::access::{Actor, Coordinator};
use lp_core::vocab::Role;
use lp_registry::availability_links::{self, Reason};
use lp_requests::input::{CompletionInput, RequestInput};
use lp_requests::{lifecycle, offers};
use lp_trainings::input::{Invitees, TrainingInput};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

/// The texts of the mails of `kind`, as sent.
async fn bodies(app: &TestApp, kind: &str) -> Vec<String> {
    app.sent_texts(kind).await.into_iter().map(|(_, text)| text).collect()
}

/// The path of the first `{BASE}{prefix}…` link in a mail's text.
fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(&format!("{BASE}{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"))
        + BASE.len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// A request for Arabic in Winnenden on `day` at 10:00 Berlin time, accepted by the pool's only
/// Arabic speaker; its id.
async fn assigned(app: &TestApp, actor: Actor, day: &str) -> Uuid {
    let db = &app.db.conn;
    let input: RequestInput = serde_json::from_value(serde_json::json!({
        "language": "ara", "starts_at": format!("{day}T10:00:00+01:00"), "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "client_ref": "IM-2026-0147", "notes": "Termin Ausländerbehörde",
    }))
    .unwrap();
    // A moment later than the last one, so its mails are the newest.
    app.clock.advance(chrono::Duration::seconds(1));
    let now = app.clock.now();
    let id = lifecycle::create(db, actor, &input, &app.requests, now)
        .await
        .unwrap()
        .id;
    let offer = bodies(app, "offer").await.pop().unwrap();
    let token = link(&offer, "/o/")[3..].to_owned();
    offers::accept(db, &token, &app.requests, None, now).await.unwrap();
    id
}

struct Pool {
    app: TestApp,
    amal: Uuid,
    caseworker: Actor,
}

async fn pool() -> Pool {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt Winnenden").await;
    let cw = app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let amal = app.volunteer("Amal Haddad", "amal@example.org", "ara").await;
    Pool {
        app,
        amal,
        caseworker: Actor::new(cw.id, Role::Caseworker, Some(org)),
    }
}

/// A basic training on Saturday 16 January 2027 with Amal registered; its id.
async fn registered_training(app: &TestApp, amal: Uuid) -> Uuid {
    let db = &app.db.conn;
    let now = app.clock.now();
    let input: TrainingInput = serde_json::from_value(serde_json::json!({
        "title": "Grundschulung Dolmetschen", "kind": "basic",
        "starts_at": "2027-01-16T10:00:00+01:00", "duration_minutes": 180,
        "location": "Rathaus Winnenden", "capacity": 10,
        "registration_deadline": "2027-01-10T23:59:00+01:00"
    }))
    .unwrap();
    let by = Coordinator::operator();
    let training = lp_trainings::trainings::create(db, &by, input.validate(now).unwrap(), now)
        .await
        .unwrap();
    lp_trainings::invitations::invite(db, &by, training.id, Invitees::Chosen(vec![amal]), &app.trainings, now)
        .await
        .unwrap();
    let invitation = bodies(app, "training_invitation").await.pop().unwrap();
    let token = link(&invitation, "/t/")[3..].to_owned();
    lp_trainings::links::register(db, &token, &app.trainings, None, now)
        .await
        .unwrap();
    training.id
}

#[tokio::test]
async fn the_feed_holds_the_jobs_and_trainings_under_the_address_of_every_confirmation() {
    let Pool { app, amal, caseworker } = pool().await;
    let db = &app.db.conn;
    let job = assigned(&app, caseworker, "2026-11-25").await;
    let confirmation = bodies(&app, "assignment_confirmed").await.pop().unwrap();
    let feed = link(&confirmation, "/calendar/");
    assert!(feed.ends_with(".ics"), "{feed}");
    let training = registered_training(&app, amal).await;
    let registered = bodies(&app, "training_registered").await.pop().unwrap();
    assert_eq!(link(&registered, "/calendar/"), feed, "one address, shown again");

    let reply = app.get(&feed, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "text/calendar; charset=utf-8");
    assert!(reply.headers["cache-control"].to_str().unwrap().starts_with("private"));
    assert!(reply.headers.get("set-cookie").is_none());
    let ics = reply.body.replace("\r\n ", "");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT\r\n").count(), 2, "{ics}");
    assert!(ics.contains(&format!("UID:request-{job}@linguapool\r\n")), "{ics}");
    assert!(ics.contains("DTSTART:20261125T090000Z\r\n"));
    assert!(
        ics.contains("SUMMARY:Dolmetschen Arabisch / Interpreting Arabic\r\n"),
        "{ics}"
    );
    assert!(ics.contains("LOCATION:Marktplatz 1\\, Winnenden\r\n"));
    assert!(ics.contains(&format!("UID:training-{training}@linguapool\r\n")));
    assert!(ics.contains("SUMMARY:Grundschulung Dolmetschen\r\n"));
    for private in ["IM-2026-0147", "Ausländerbehörde", "/o/", "/t/", "amal@example.org"] {
        assert!(!ics.contains(private), "the feed shows {private}");
    }

    // A job given back or cancelled leaves the feed; so does a training no longer registered.
    lifecycle::cancel(db, caseworker, job, false, app.clock.now())
        .await
        .unwrap();
    let after = app.get(&feed, None).await.body;
    assert_eq!(after.matches("BEGIN:VEVENT").count(), 1, "{after}");
    assert!(!after.contains("UID:request-"));

    for unknown in [
        feed.trim_end_matches(".ics").to_owned(),
        "/calendar/not-a-real-token.ics".to_owned(),
        format!("{}x.ics", feed.trim_end_matches(".ics")),
    ] {
        assert_eq!(app.get(&unknown, None).await.status, StatusCode::NOT_FOUND, "{unknown}");
    }
}

#[tokio::test]
async fn the_volunteers_page_shows_upcoming_and_past_jobs_this_years_hours_and_the_address() {
    let Pool { app, amal, caseworker } = pool().await;
    let db = &app.db.conn;
    let done = assigned(&app, caseworker, "2026-11-25").await;
    assigned(&app, caseworker, "2026-12-02").await;
    let feed = link(&bodies(&app, "assignment_confirmed").await.pop().unwrap(), "/calendar/");
    // The caseworker confirms the first job, the day after, with 100 minutes.
    app.clock.set("2026-11-26T09:00:00Z".parse().unwrap());
    let input = CompletionInput {
        actual_minutes: 100,
        feedback: None,
    };
    lifecycle::complete(db, caseworker, done, &input, app.clock.now())
        .await
        .unwrap();
    let key = &app.requests.server_key;
    let page_link = availability_links::issue(db, key, amal, Reason::Request, app.clock.now())
        .await
        .unwrap();
    let path = format!("/v/{}", page_link.link.token(key));

    let page = app.get(&path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    let upcoming = body.find("Demnächst").unwrap();
    let past = body.find("Letzte 12 Monate").unwrap();
    let next = body.find("Mittwoch, 2. Dezember 2026, 10:00 Uhr").expect(body);
    let last = body.find("Mittwoch, 25. November 2026, 10:00 Uhr").expect(body);
    assert!(upcoming < next && next < past && past < last, "{body}");
    assert!(body.contains("Wednesday, 2 December 2026, 10:00"));
    assert!(body.contains("Arabisch · vor Ort · Winnenden") && body.contains("Arabic · on site · Winnenden"));
    assert!(
        body.contains("erledigt, 1,7 Std.") && body.contains("done, 1.7 h"),
        "{body}"
    );
    // This year's hours by the Ehrenamtsnachweis's rule: completed jobs, confirmed minutes.
    assert!(
        body.contains("Im Jahr 2026: <strong>1 erledigter Einsatz, 1,7 Stunden</strong>"),
        "{body}"
    );
    assert!(body.contains("In 2026: 1 job done, 1.7 hours"));
    assert!(body.contains(&format!(r#"value="{BASE}{feed}""#)), "{body}");
    for private in ["IM-2026-0147", "Marktplatz", "Ausländerbehörde", "Haddad"] {
        assert!(!body.contains(private), "the page shows {private}");
    }
    // Reading the page twice changed nothing.
    assert_eq!(app.get(&path, None).await.body, page.body);
}

#[tokio::test]
async fn a_revoked_address_is_404_and_a_new_one_works_by_volunteer_and_by_coordinator() {
    let Pool { app, amal, caseworker } = pool().await;
    let db = &app.db.conn;
    assigned(&app, caseworker, "2026-11-25").await;
    let first = link(&bodies(&app, "assignment_confirmed").await.pop().unwrap(), "/calendar/");
    let key = &app.requests.server_key;
    let token = availability_links::issue(db, key, amal, Reason::Request, app.clock.now())
        .await
        .unwrap()
        .link
        .token(key);
    let page = format!("/v/{token}");

    let revoked = app.post_form(&format!("{page}/calendar/revoke"), None, "").await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(revoked.location(), Some(format!("{page}#kalender").as_str()));
    assert_eq!(app.get(&first, None).await.status, StatusCode::NOT_FOUND);
    let shown = app.get(&page, None).await.body;
    assert!(shown.contains("Kalender-Adresse erstellen") && !shown.contains(".ics"));

    let renewed = app.post_form(&format!("{page}/calendar/new"), None, "").await;
    assert_eq!(renewed.status, StatusCode::SEE_OTHER);
    let shown = app.get(&page, None).await.body;
    let start = shown.find(&format!("{BASE}/calendar/")).unwrap() + BASE.len();
    let second = shown[start..].split('"').next().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(app.get(&second, None).await.status, StatusCode::OK);
    assert_eq!(app.get(&first, None).await.status, StatusCode::NOT_FOUND);

    // A client asking for JSON gets the new address; the old one dies.
    let mut request = Request::post(format!("{page}/calendar/new"))
        .header(HOST, "pool.test")
        .header(ORIGIN, BASE)
        .header(ACCEPT, "application/json")
        .body(Body::empty())
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(crate::test_app::peer()));
    let json: serde_json::Value = serde_json::from_str(&app.send(request).await.body).unwrap();
    assert_eq!(json["result"], "renewed");
    let third = json["calendar_url"]
        .as_str()
        .unwrap()
        .trim_start_matches(BASE)
        .to_owned();
    assert_eq!(app.get(&second, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&third, None).await.status, StatusCode::OK);

    // A foreign site cannot revoke it for the volunteer.
    let foreign = app
        .post_form_from(
            &format!("{page}/calendar/revoke"),
            None,
            "",
            Some("https://evil.example"),
            crate::test_app::peer(),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&third, None).await.status, StatusCode::OK);

    // The coordinator sees since when it works and can revoke it, never the address.
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let session = app.login("co@example.org").await;
    let staff_page = app.get(&format!("/volunteers/{amal}"), Some(&session)).await.body;
    assert!(
        staff_page.contains("Kalender-Abo der Person: aktiv seit 23.11.2026"),
        "{staff_page}"
    );
    assert!(!staff_page.contains(".ics"));
    let revoked = app
        .post_form(&format!("/volunteers/{amal}/calendar/revoke"), Some(&session), "")
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(revoked.location(), Some(format!("/volunteers/{amal}#privacy").as_str()));
    assert_eq!(app.get(&third, None).await.status, StatusCode::NOT_FOUND);
    let staff_page = app.get(&format!("/volunteers/{amal}"), Some(&session)).await.body;
    assert!(staff_page.contains("keines aktiv"), "{staff_page}");

    // A spent or unknown page link acts on nothing.
    let unknown = app.post_form("/v/not-a-real-token/calendar/new", None, "").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM calendar_feeds WHERE revoked_at IS NULL").await,
        0
    );

    // Each revocation and renewal is in the audit log, by whom.
    let audited = count(
        db,
        "SELECT COUNT(*) FROM audit_entries WHERE fields = 'calendar_feed' AND action = 'change'",
    )
    .await;
    assert_eq!(audited, 4, "revoke, new, new (JSON), revoke by the coordinator");
    let by_staff = count(
        db,
        "SELECT COUNT(*) FROM audit_entries WHERE fields = 'calendar_feed' AND actor_kind = 'staff'",
    )
    .await;
    assert_eq!(by_staff, 1);
}
