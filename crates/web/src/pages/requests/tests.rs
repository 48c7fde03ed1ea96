//! The way forward through the real router: the form's hint names the rules and suggests what
//! would work, a request nobody qualifies for is filed only when asked twice, and the request
//! page, the board, the candidates page and the API repeat the suggestions.

use crate::test_app::TestApp;
use axum::http::StatusCode;
use lp_core::Clock;
use lp_core::vocab::Role;
use serde_json::{Value, json};
use uuid::Uuid;

/// Dari on site in Winnenden, Wednesday 2 December 2026 10:00 (the test clock is 23 November).
const DARI: &str = "language=prs&date=2026-12-02&time=10%3A00&duration_minutes=60&mode=on_site&town=Winnenden&address=Marktplatz+1&setting=authority&gender=&strength=preferred&client_ref=IM-7&notes=";

/// Two Dari speakers who interpret only by video, free on Wednesdays; two who come to
/// Winnenden, on Friday mornings only. Nobody can serve the request on site on Wednesday.
async fn dari_pool(app: &TestApp) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for (name, email) in [("Video A", "va@example.org"), ("Video B", "vb@example.org")] {
        ids.push(
            app.volunteer_with(name, email, "prs", |v| {
                v["modes"] = json!(["video"]);
                v["service_area"] = json!([]);
                v["availability"] = json!([{"weekday": "wed", "start": "08:00", "end": "18:00"}]);
            })
            .await,
        );
    }
    for (name, email) in [("Freitag C", "fc@example.org"), ("Freitag D", "fd@example.org")] {
        ids.push(
            app.volunteer_with(name, email, "prs", |v| {
                v["modes"] = json!(["on_site"]);
                v["availability"] = json!([{"weekday": "fri", "start": "08:00", "end": "12:00"}]);
            })
            .await,
        );
    }
    ids
}

async fn hint(app: &TestApp, session: &str, form: &str) -> Value {
    let reply = app.get(&format!("/requests/new/hint?{form}"), Some(session)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

fn suggestion_fields(hint: &Value) -> Vec<(String, String, String)> {
    hint["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().unwrap().to_owned();
            (field("mode"), field("date"), field("time"))
        })
        .collect()
}

#[tokio::test]
async fn a_request_nobody_can_serve_on_site_gets_a_video_and_a_time_that_work() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    dari_pool(&app).await;
    let session = app.login("cw@example.org").await;

    let live = hint(&app, &session, DARI).await;
    assert_eq!(live["qualifying"], 0);
    assert_eq!(
        live["text"],
        "Niemand kommt für diesen Termin in Frage (4 sprechen die Sprache)."
    );
    assert_eq!(
        live["rules"],
        json!([
            "2 – Laut Wochenplan zu dieser Zeit nicht verfügbar.",
            "2 – Dolmetscht nicht in dieser Form (vor Ort, Telefon, Video)."
        ])
    );
    let offered = suggestion_fields(&live);
    assert_eq!(
        offered,
        [
            ("video".into(), "2026-12-02".into(), "10:00".into()),
            ("on_site".into(), "2026-12-04".into(), "08:00".into()),
            ("on_site".into(), "2026-11-27".into(), "11:00".into()),
        ]
    );

    // Each suggestion, taken into the form, has at least two candidates.
    for (mode, date, time) in &offered {
        let taken = DARI
            .replace("mode=on_site", &format!("mode={mode}"))
            .replace("date=2026-12-02", &format!("date={date}"))
            .replace("time=10%3A00", &format!("time={}", time.replace(':', "%3A")));
        let after = hint(&app, &session, &taken).await;
        assert!(
            after["qualifying"].as_u64().unwrap() >= 2,
            "{mode} {date} {time}: {after}"
        );
    }

    // Without JavaScript: the suggestion's button brings the form back with it, and the hint.
    let applied = app
        .post_form(
            "/requests/new/apply",
            Some(&session),
            &format!("{DARI}&apply=on_site%7C2026-12-04%7C08%3A00"),
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK);
    assert!(
        applied
            .body
            .contains(r#"name="date" type="date" required value="2026-12-04""#),
        "{}",
        applied.body
    );
    assert!(
        applied
            .body
            .contains("2 Ehrenamtliche kommen für diesen Termin in Frage")
    );
    assert!(!applied.body.contains("confirm-unqualified"));

    // Filing asks once, and files nothing then.
    let asked = app.post_form("/requests", Some(&session), DARI).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Niemand kommt in Frage – trotzdem anlegen?"));
    assert!(asked.body.contains(r#"name="apply" value="video|2026-12-02|10:00""#));
    let dashboard = app.get("/", Some(&session)).await;
    assert!(!dashboard.body.contains("data-request="), "nothing filed yet");

    let filed = app
        .post_form("/requests", Some(&session), &format!("{DARI}&confirm=1"))
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let path = filed.location().unwrap().to_owned();
    let id = path.trim_start_matches("/requests/");
    let page = app.get(&path, Some(&session)).await;
    assert!(page.body.contains(r#"id="search-hint""#));
    assert!(page.body.contains("Niemand kommt für diesen Termin in Frage"));
    let refile = format!("/requests/new?from={id}&amp;mode=video&amp;date=2026-12-02&amp;time=10:00");
    assert!(page.body.contains(&refile), "{}", page.body);

    // The link fills in the form from the request, with the suggestion's mode.
    let prefilled = app.get(&refile.replace("&amp;", "&"), Some(&session)).await;
    assert_eq!(prefilled.status, StatusCode::OK);
    assert!(prefilled.body.contains(r#"<option value="video" selected>"#));
    assert!(
        prefilled.body.contains(r#"value="IM-7""#),
        "the client reference is carried over"
    );
    assert!(
        prefilled
            .body
            .contains("2 Ehrenamtliche kommen für diesen Termin in Frage")
    );
}

#[tokio::test]
async fn the_board_shows_an_unfilled_request_with_its_suggestions() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    app.staff(Role::Coordinator, None, "ko@example.org").await;
    dari_pool(&app).await;
    let caseworker = app.login("cw@example.org").await;
    let filed = app
        .post_form("/requests", Some(&caseworker), &format!("{DARI}&confirm=1"))
        .await;
    let id = filed.location().unwrap().trim_start_matches("/requests/").to_owned();

    let coordinator = app.login("ko@example.org").await;
    let board = app.get("/board", Some(&coordinator)).await;
    assert_eq!(board.status, StatusCode::OK);
    let row = board
        .body
        .split(&format!(r#"data-hint-for="{id}""#))
        .nth(1)
        .expect("the unfilled request has a hint row");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Niemand kommt für diesen Termin in Frage"), "{row}");
    assert!(
        row.contains("Vorschläge: Video, gleiche Zeit – 2 kommen in Frage"),
        "{row}"
    );
}

#[tokio::test]
async fn speakers_without_training_are_one_step_away_with_the_next_course_linked() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Coordinator, None, "ko@example.org").await;
    let mut untrained = Vec::new();
    for (name, email) in [("Neu E", "ne@example.org"), ("Neu F", "nf@example.org")] {
        untrained.push(
            app.volunteer_with(name, email, "prs", |v| {
                v["training_completed_on"] = Value::Null;
            })
            .await,
        );
    }
    untrained.sort();
    let input: lp_trainings::input::TrainingInput = serde_json::from_value(json!({
        "title": "Grundschulung", "kind": "basic", "starts_at": "2026-12-10T10:00:00+01:00",
        "duration_minutes": 180, "location": "Rathaus", "capacity": 12,
        "registration_deadline": "2026-12-08T23:59:00+01:00"
    }))
    .unwrap();
    let course = lp_trainings::trainings::create(
        &app.db.conn,
        &lp_core::access::Coordinator::operator(),
        input.validate(app.clock.now()).unwrap(),
        app.clock.now(),
    )
    .await
    .unwrap();

    let session = app.login("ko@example.org").await;
    let filed = app
        .post_form(
            "/requests",
            Some(&session),
            &format!("{DARI}&organisation_id={org}&confirm=1"),
        )
        .await;
    let path = filed.location().unwrap().to_owned();
    let page = app.get(&format!("{path}/candidates"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = &page.body[page.body.find(r#"id="one-step-away""#).expect("the section")..];
    assert!(section.contains("2 – Keine gültige Schulung"), "{section}");
    let invite = format!(
        "/trainings/{}?choose={}&#38;choose={}#invite-chosen",
        course.id, untrained[0], untrained[1]
    );
    assert!(section.contains(&invite), "{section}");

    let training = app.get(&invite.replace("&#38;", "&"), Some(&session)).await;
    assert_eq!(training.status, StatusCode::OK);
    for id in &untrained {
        assert!(
            training
                .body
                .contains(&format!(r#"name="volunteer_ids" value="{id}" checked"#)),
            "{id} ticked"
        );
    }

    // The API's candidates answer carries the groups and, since nobody qualifies, suggestions
    // (here none: the speakers lack a training whatever the time).
    let request_id = path.trim_start_matches("/requests/");
    let api = app
        .get(&format!("/api/v1/requests/{request_id}/candidates"), Some(&session))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["one_step_away"][0]["rule"], "untrained");
    assert_eq!(body["one_step_away"][0]["volunteers"].as_array().unwrap().len(), 2);
    assert_eq!(body["suggestions"], json!([]));
}

#[tokio::test]
async fn the_api_candidates_answer_carries_the_suggestions() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    dari_pool(&app).await;
    let session = app.login("cw@example.org").await;
    let filed = app
        .post_form("/requests", Some(&session), &format!("{DARI}&confirm=1"))
        .await;
    let id = filed.location().unwrap().trim_start_matches("/requests/").to_owned();
    let api = app
        .get(&format!("/api/v1/requests/{id}/candidates"), Some(&session))
        .await;
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["suggestions"][0]["mode"], "video");
    assert_eq!(body["suggestions"][0]["starts_at"], "2026-12-02T10:00:00+01:00");
    assert_eq!(body["suggestions"][0]["same_time"], true);
    assert_eq!(body["suggestions"][0]["qualifying"], 2);
    assert_eq!(body["suggestions"][1]["starts_at"], "2026-12-04T08:00:00+01:00");
    // The Friday people break only the weekly times: one step away. The video people break
    // the mode and the town, two steps.
    let rules: Vec<&str> = body["one_step_away"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["unavailable"]);
}

#[tokio::test]
async fn the_form_files_a_series_and_its_page_offers_cancelling_one_date_or_the_rest() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    for (name, email) in [("Amal A.", "amal@example.org"), ("Bilal B.", "bilal@example.org")] {
        app.volunteer(name, email, "ara").await;
    }
    let session = app.login("cw@example.org").await;
    let weekly = "language=ara&date=2026-12-02&time=10%3A00&duration_minutes=60&mode=on_site&town=Winnenden&address=Marktplatz+1&setting=psychotherapy&gender=&strength=preferred&client_ref=PT-1&notes=&repeat_every_weeks=1";

    // Without a count the form names the field.
    let refused = app
        .post_form("/requests", Some(&session), &format!("{weekly}&repeat_count="))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(r##"<a href="#repeat_count">"##),
        "{}",
        refused.body
    );

    let filed = app
        .post_form("/requests", Some(&session), &format!("{weekly}&repeat_count=4"))
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let first = filed.location().unwrap().to_owned();
    let page = app.get(&first, Some(&session)).await;
    let series = &page.body[page.body.find(r#"id="series""#).expect("the series section")..];
    let series = &series[..series.find("</section>").unwrap()];
    assert_eq!(series.matches("<li>").count(), 4, "{series}");
    assert_eq!(series.matches("wartet auf die Zusage zur Serie").count(), 3);
    assert!(page.body.contains(r#"name="rest_of_series" value="1""#));

    // The third date: cancel it and the fourth, the first two stay.
    let third = series
        .split("<a href=\"/requests/")
        .nth(2)
        .map(|rest| rest[..36].to_owned())
        .expect("a link to the third date");
    let cancelled = app
        .post_form(&format!("/requests/{third}/cancel"), Some(&session), "rest_of_series=1")
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER, "{}", cancelled.body);
    let api = app.get(&format!("/api/v1/requests/{third}"), Some(&session)).await;
    let body: Value = serde_json::from_str(&api.body).unwrap();
    let statuses: Vec<&str> = body["series"]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["open", "open", "cancelled", "cancelled"]);
}

#[tokio::test]
async fn a_volunteer_whose_address_bounces_is_skipped_shown_why_and_asked_again_once_cleared() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Coordinator, None, "ko@example.org").await;
    app.volunteer("Dari A", "da@example.org", "prs").await;
    let gone = app.volunteer("Dari B", "db@example.org", "prs").await;
    // The delivery worker met a permanent 5xx for her address.
    lp_registry::bounces::flag(&app.db.conn, "db@example.org", app.clock.now())
        .await
        .unwrap();

    let session = app.login("ko@example.org").await;
    let filed = app
        .post_form(
            "/requests",
            Some(&session),
            &format!("{DARI}&organisation_id={org}&confirm=1"),
        )
        .await;
    let path = filed.location().unwrap().to_owned();
    let offered: Vec<String> = app.sent_texts("offer").await.into_iter().map(|(to, _)| to).collect();
    assert_eq!(offered, ["da@example.org"], "no offer to an address that bounces");

    // The candidates page says who is left out and why, in German and English.
    let page = app.get(&format!("{path}/candidates"), Some(&session)).await;
    let excluded = &page.body[page.body.find(r#"id="excluded""#).expect("the excluded")..];
    assert!(
        excluded.contains("Dari B") && excluded.contains("E-Mail-Adresse"),
        "{excluded}"
    );
    assert!(excluded.contains("dauerhaft abgewiesen"), "{excluded}");
    let request_id = path.trim_start_matches("/requests/");
    let api = app
        .get(&format!("/api/v1/requests/{request_id}/candidates"), Some(&session))
        .await;
    let body: Value = serde_json::from_str(&api.body).unwrap();
    let rule_of = |body: &Value| {
        body["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["volunteer_id"] == json!(gone))
            .map(|e| e["rule"].clone())
    };
    assert_eq!(rule_of(&body), Some(json!("email_bouncing")));

    // Her page and the outbox say so; the outbox sends the coordinator to her page.
    let hers = app.get(&format!("/volunteers/{gone}"), Some(&session)).await;
    assert!(hers.body.contains(r#"id="email-bouncing""#), "{}", hers.body);
    assert!(
        hers.body
            .contains(&format!(r#"action="/volunteers/{gone}/bounce/clear""#))
    );
    let outbox = app.get("/outbox", Some(&session)).await;
    let section = &outbox.body[outbox.body.find(r#"id="bouncing""#).expect("the section")..];
    assert!(
        section.contains("Dari B") && section.contains("db@example.org"),
        "{section}"
    );
    assert!(section.contains(&format!("/volunteers/{gone}#email-bouncing")));

    // The coordinator clears the flag: she is a candidate again, and nothing bounces.
    let cleared = app
        .post_form(&format!("/volunteers/{gone}/bounce/clear"), Some(&session), "")
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let hers = app.get(&format!("/volunteers/{gone}"), Some(&session)).await;
    assert!(!hers.body.contains(r#"id="email-bouncing""#));
    assert!(
        !app.get("/outbox", Some(&session))
            .await
            .body
            .contains(r#"id="bouncing""#)
    );
    let api = app
        .get(&format!("/api/v1/requests/{request_id}/candidates"), Some(&session))
        .await;
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(rule_of(&body), None);
    assert!(
        body["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["volunteer_id"] == json!(gone))
    );
}
