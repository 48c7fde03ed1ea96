//! The training pages through the real router: the form (create, refuse, edit), invitations by
//! filter with their preview and by choice, attendance, the certificate, cancelling, the needs
//! table, the volunteer's record, and the guard.

use crate::test_app::{TestApp, enc};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use lp_core::access::Coordinator;
use lp_core::vocab::{InvitationState, Role, TrainingKind, TrainingState};
use lp_core::{Clock, LanguageCode};
use lp_trainings::trainings::{self, TrainingDetail};

use uuid::Uuid;

async fn coordinator_app() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let session = app.login("co@example.org").await;
    (app, session)
}

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A basic course three weeks after the test clock's start (2026-11-23), as typed.
fn training_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", "Grundschulung Dolmetschen im Ehrenamt"),
        ("kind", "basic"),
        ("date", "2026-12-12"),
        ("time", "10:00"),
        ("duration_minutes", "180"),
        ("location", "Rathaus, Sitzungssaal"),
        ("capacity", "12"),
        ("deadline_date", "2026-12-10"),
        ("deadline_time", "23:59"),
        ("description", "Rollen, Schweigepflicht, Übungen."),
        ("trainer", "Dr. M. Beispiel"),
    ]
}

fn with(form: &[(&'static str, &'static str)], key: &str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    form.iter()
        .map(|&(k, v)| if k == key { (k, value) } else { (k, v) })
        .collect()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Creates the training through the form and returns its id.
async fn create_training(app: &TestApp, session: &str) -> Uuid {
    let reply = app
        .post_form("/trainings", Some(session), &encode(&training_form()))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply
        .location()
        .unwrap()
        .trim_start_matches("/trainings/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap()
}

/// An active volunteer; `trained` gives a basic training taken elsewhere in February 2026.
async fn volunteer(app: &TestApp, name: &str, email: &str, language: &str, trained: bool) -> Uuid {
    if trained {
        return app.volunteer(name, email, language).await;
    }
    let input: lp_registry::volunteers::VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": name, "email": email,
        "languages": [{"code": language, "proficiency": "native"}],
        "german_level": "B2", "modes": ["on_site"], "service_area": ["Winnenden"],
        "confidentiality_signed_on": "2026-03-02", "status": "active"
    }))
    .unwrap();
    lp_registry::volunteers::create(
        &app.db.conn,
        &Coordinator::operator(),
        input.validate().unwrap(),
        app.clock.now(),
    )
    .await
    .unwrap()
    .id
}

async fn detail(app: &TestApp, id: Uuid) -> TrainingDetail {
    trainings::detail(&app.db.conn, &Coordinator::operator(), id)
        .await
        .unwrap()
}

/// The plain-text bodies of the queued invitation mails, by recipient, as sent.
async fn invitation_mails(app: &TestApp) -> Vec<(String, String)> {
    app.sent_texts("training_invitation").await
}

/// The `/t/{token}` path in the invitation mail to `email`.
async fn invitation_link(app: &TestApp, email: &str) -> String {
    let mails = invitation_mails(app).await;
    let (_, body) = mails.iter().find(|(to, _)| to == email).expect("an invitation mail");
    let start = body.find("http://pool.test/t/").expect("a link") + "http://pool.test".len();
    body[start..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == ')')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn caseworkers_get_403_on_every_training_page() {
    let (app, coordinator) = coordinator_app().await;
    let id = create_training(&app, &coordinator).await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let session = app.login("cw@example.org").await;
    let (show, edit) = (format!("/trainings/{id}"), format!("/trainings/{id}/edit"));
    let certificate = format!("/trainings/{id}/certificate/{}", Uuid::new_v4());
    for path in [
        "/trainings",
        "/trainings/new",
        "/trainings/needs",
        show.as_str(),
        edit.as_str(),
        certificate.as_str(),
    ] {
        let reply = app.get(path, Some(&session)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(reply.body.contains("Keine Berechtigung"), "a page: {}", reply.body);
        assert_eq!(app.get(path, None).await.status, StatusCode::SEE_OTHER, "GET {path}");
    }
    let form = encode(&training_form());
    let (cancel, invite, attendance) = (
        format!("/trainings/{id}/cancel"),
        format!("/trainings/{id}/invitations"),
        format!("/trainings/{id}/attendance"),
    );
    for (path, body) in [
        ("/trainings", form.as_str()),
        (edit.as_str(), form.as_str()),
        (cancel.as_str(), "confirm=1"),
        (invite.as_str(), "by=filter"),
        (attendance.as_str(), ""),
    ] {
        let reply = app.post_form(path, Some(&session), body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let all = trainings::list(&app.db.conn, &Coordinator::operator(), app.clock.now())
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "nothing saved");
    assert_eq!(all[0].status, TrainingState::Scheduled);
    assert!(invitation_mails(&app).await.is_empty());
}

#[tokio::test]
async fn coordinator_creates_a_training_through_the_form() {
    let (app, session) = coordinator_app().await;
    let form = app.get("/trainings/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("<option value=\"basic\" selected>Grundschulung</option>")
    );
    assert!(form.body.contains("name=\"deadline_time\" type=\"time\""));
    assert!(
        form.body.contains("<a href=\"/trainings\">Schulungen</a>"),
        "in the navigation"
    );

    let id = create_training(&app, &session).await;
    let stored = trainings::get(&app.db.conn, id).await.unwrap();
    assert_eq!(stored.title, "Grundschulung Dolmetschen im Ehrenamt");
    assert_eq!(stored.kind, TrainingKind::Basic);
    assert_eq!(stored.starts_at_utc(), at("2026-12-12T09:00:00Z"), "10:00 in Berlin");
    assert_eq!(stored.registration_deadline.to_utc(), at("2026-12-10T22:59:00Z"));
    assert_eq!((stored.duration_minutes, stored.capacity), (180, 12));
    assert_eq!(stored.trainer.as_deref(), Some("Dr. M. Beispiel"));

    let page = app.get(&format!("/trainings/{id}?saved=1"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"notice\""));
    assert!(
        page.body.contains("Samstag, 12. Dezember 2026, 10:00 Uhr"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd id=\"places\">0/12</dd>"));
    assert!(
        page.body
            .contains("Die Anwesenheit kann ab Beginn der Schulung erfasst werden.")
    );
    assert!(page.body.contains("id=\"cancel-form\""));

    let list = app.get("/trainings", Some(&session)).await;
    assert_eq!(list.status, StatusCode::OK);
    let upcoming = &list.body[list.body.find("id=\"upcoming\"").unwrap()..list.body.find("id=\"past\"").unwrap()];
    assert!(upcoming.contains(&format!("data-training=\"{id}\"")), "{upcoming}");
    assert!(upcoming.contains("<td>0/12</td>") && upcoming.contains("geplant"));
    assert!(list.body.contains("href=\"/trainings/needs\""));

    // The edit form shows the stored values; saved unchanged, nothing changes but the time.
    let edit = app.get(&format!("/trainings/{id}/edit"), Some(&session)).await;
    assert_eq!(edit.status, StatusCode::OK);
    for value in [
        "value=\"2026-12-12\"",
        "value=\"10:00\"",
        "value=\"2026-12-10\"",
        "value=\"23:59\"",
    ] {
        assert!(edit.body.contains(value), "{value}");
    }
    let mut bigger = training_form();
    bigger = with(&bigger, "capacity", "15");
    let saved = app
        .post_form(&format!("/trainings/{id}/edit"), Some(&session), &encode(&bigger))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let changed = trainings::get(&app.db.conn, id).await.unwrap();
    assert_eq!((changed.capacity, changed.starts_at), (15, stored.starts_at));
}

#[tokio::test]
async fn a_bad_training_form_is_422_naming_the_field_and_saves_nothing() {
    let (app, session) = coordinator_app().await;
    let full = training_form();
    let cases = [
        (with(&full, "capacity", "0"), "capacity", "id=\"capacity\""),
        (with(&full, "capacity", "viele"), "capacity", "id=\"capacity\""),
        (with(&full, "title", " "), "title", "id=\"title\""),
        (with(&full, "date", "2026-11-01"), "starts_at", "id=\"date\""),
        (with(&full, "time", "10 Uhr"), "time", "id=\"time\""),
        (
            with(&full, "deadline_date", "2026-12-13"),
            "registration_deadline",
            "id=\"deadline_date\"",
        ),
        (
            with(&full, "duration_minutes", "5"),
            "duration_minutes",
            "id=\"duration_minutes\"",
        ),
        (with(&full, "kind", "picnic"), "kind", "id=\"kind\""),
    ];
    for (form, field, input) in cases {
        let reply = app.post_form("/trainings", Some(&session), &encode(&form)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        // The summary names the field by its label and links to its input, which is marked
        // and described by the message beside it.
        let id = input.trim_start_matches("id=\"").trim_end_matches('"');
        assert!(
            reply.body.contains(&format!("<a href=\"#{id}\">")) && reply.body.contains(&format!("id=\"{id}-error\"")),
            "{field}: {}",
            reply.body
        );
        let tag_start = reply.body.find(input).unwrap();
        let tag = &reply.body[tag_start..tag_start + reply.body[tag_start..].find('>').unwrap()];
        assert!(
            tag.contains(&format!("aria-describedby=\"{id}-error")),
            "{field}: the input is described by its message: {tag}"
        );
        assert!(
            tag.contains("aria-invalid=\"true\""),
            "{field}: the input is marked: {tag}"
        );
        assert!(
            reply.body.contains("value=\"Rathaus, Sitzungssaal\""),
            "the form comes back filled in"
        );
    }
    let all = trainings::list(&app.db.conn, &Coordinator::operator(), app.clock.now())
        .await
        .unwrap();
    assert!(all.is_empty(), "nothing saved");
}

/// WCAG 3.3.1 and 3.3.3: the inputs that do not read and the domain's rules broken by the others,
/// all at once, each named by its label in German and tied to its input.
#[tokio::test]
async fn a_refused_training_form_lists_every_error_in_german_tied_to_its_field() {
    use crate::pages::coordinator::tests::{assert_listed_in_german, input_tag};
    let (app, session) = coordinator_app().await;
    let full = training_form();
    let bad = with(&full, "title", " ");
    let bad = with(&bad, "kind", "picnic");
    let bad = with(&bad, "date", "2026-11-01");
    let bad = with(&bad, "duration_minutes", "5");
    let bad = with(&bad, "capacity", "viele");
    let bad = with(&bad, "deadline_time", "spät");
    let expected = [
        ("title", "Titel", "darf nicht leer sein", ""),
        (
            "kind",
            "Art",
            "„picnic“ ist kein gültiger Wert; bitte einen aus der Liste wählen",
            "",
        ),
        ("date", "Datum", "muss in der Zukunft liegen", " times-help"),
        (
            "duration_minutes",
            "Dauer in Minuten",
            "muss zwischen 15 und 600 liegen",
            "",
        ),
        ("capacity", "Plätze", "bitte eine ganze Zahl von Plätzen angeben", ""),
        (
            "deadline_time",
            "Anmeldeschluss (Uhrzeit)",
            "bitte eine Uhrzeit angeben, z. B. 10:00",
            " times-help",
        ),
    ];
    let reply = app.post_form("/trainings", Some(&session), &encode(&bad)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = &reply.body;
    assert_listed_in_german(page, &expected);
    // The start is one instant with two inputs: both are marked, the date carries the message.
    assert!(input_tag(page, "time").contains("aria-invalid=\"true\""));
    for fine in ["location", "trainer", "deadline_date", "description"] {
        assert!(!input_tag(page, fine).contains("aria-invalid"), "{fine} is not marked");
    }
    assert!(page.contains("value=\"Rathaus, Sitzungssaal\""), "filled in");
    let all = trainings::list(&app.db.conn, &Coordinator::operator(), app.clock.now())
        .await
        .unwrap();
    assert!(all.is_empty(), "nothing saved");

    // An edit is refused the same way, and the training stays as it was.
    let id = create_training(&app, &session).await;
    let reply = app
        .post_form(&format!("/trainings/{id}/edit"), Some(&session), &encode(&bad))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_listed_in_german(&reply.body, &expected);
    let stored = trainings::get(&app.db.conn, id).await.unwrap();
    assert_eq!(
        (stored.title.as_str(), stored.capacity),
        ("Grundschulung Dolmetschen im Ehrenamt", 12)
    );
}

#[tokio::test]
async fn a_preview_by_filter_counts_and_names_and_sends_nothing() {
    let (app, session) = coordinator_app().await;
    volunteer(&app, "Amal A.", "amal@example.org", "apc", false).await;
    volunteer(&app, "Selam T.", "selam@example.org", "tir", false).await;
    volunteer(&app, "Yonas B.", "yonas@example.org", "tir", true).await;
    let id = create_training(&app, &session).await;
    let path = format!("/trainings/{id}/invitations");

    let preview = app
        .post_form(
            &path,
            Some(&session),
            "by=filter&training=untrained&within_days=90&language=&status=&preview=1",
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("Dieser Filter erreicht 2 Ehrenamtliche (0 bereits eingeladen)."),
        "{}",
        preview.body
    );
    let shown = &preview.body[preview.body.find("id=\"preview\"").unwrap()..];
    let shown = &shown[..shown.find("</div>").unwrap()];
    assert!(shown.contains("Amal A.") && shown.contains("Selam T.") && !shown.contains("Yonas B."));
    assert!(
        preview.body.contains("<option value=\"untrained\" selected>"),
        "the filter stays chosen"
    );
    let by_language = app
        .post_form(
            &path,
            Some(&session),
            "by=filter&training=untrained&language=tir&preview=1",
        )
        .await;
    assert!(
        by_language
            .body
            .contains("Dieser Filter erreicht 1 Ehrenamtliche (0 bereits eingeladen).")
    );
    assert!(by_language.body.contains("<option value=\"tir\" selected>"));

    assert!(invitation_mails(&app).await.is_empty(), "a preview sends nothing");
    assert!(detail(&app, id).await.invited.is_empty(), "and saves nothing");

    // A wrong filter is named on the form.
    let bad = app
        .post_form(
            &path,
            Some(&session),
            "by=filter&training=expiring&within_days=0&preview=1",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("<strong>filter.within_days</strong>"), "{}", bad.body);
    assert!(bad.body.contains("id=\"filter-within-days\" name=\"within_days\" type=\"number\" min=\"1\" max=\"730\" value=\"0\" aria-invalid=\"true\""));
}

#[tokio::test]
async fn inviting_by_filter_and_by_choice_mails_each_volunteer_once() {
    let (app, session) = coordinator_app().await;
    volunteer(&app, "Amal A.", "amal@example.org", "apc", false).await;
    volunteer(&app, "Selam T.", "selam@example.org", "tir", false).await;
    let yonas = volunteer(&app, "Yonas B.", "yonas@example.org", "tir", true).await;
    let id = create_training(&app, &session).await;
    let path = format!("/trainings/{id}/invitations");

    let sent = app
        .post_form(&path, Some(&session), "by=filter&training=untrained")
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let back = sent.location().unwrap();
    assert_eq!(back, format!("/trainings/{id}?invited=2&already=0#invite"));
    let page = app.get(back.trim_end_matches("#invite"), Some(&session)).await;
    assert!(
        page.body.contains("2 eingeladen, 0 bereits eingeladen."),
        "{}",
        page.body
    );
    let invited = &page.body[page.body.find("id=\"invited\"").unwrap()..page.body.find("id=\"declined\"").unwrap()];
    assert!(invited.contains("Amal A.") && invited.contains("Selam T."));
    assert_eq!(invitation_mails(&app).await.len(), 2);

    // The same filter again mails nobody twice, and the preview says why.
    let again = app
        .post_form(&path, Some(&session), "by=filter&training=untrained")
        .await;
    assert_eq!(
        again.location().unwrap(),
        format!("/trainings/{id}?invited=0&already=2#invite")
    );
    let preview = app
        .post_form(&path, Some(&session), "by=filter&training=untrained&preview=1")
        .await;
    assert!(preview.body.contains("(2 bereits eingeladen)"));
    assert_eq!(invitation_mails(&app).await.len(), 2);

    // Chosen volunteers: only those not invited yet are offered.
    let choices = &page.body[page.body.find("id=\"invite-chosen\"").unwrap()..];
    assert!(choices.contains(&format!("value=\"{yonas}\"")) && !choices.contains("Amal A."));
    let nothing = app.post_form(&path, Some(&session), "by=chosen").await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nothing.body.contains("<strong>volunteer_ids</strong>"),
        "{}",
        nothing.body
    );
    let chosen = app
        .post_form(&path, Some(&session), &format!("by=chosen&volunteer_ids={yonas}"))
        .await;
    assert_eq!(
        chosen.location().unwrap(),
        format!("/trainings/{id}?invited=1&already=0#invite")
    );
    let mails = invitation_mails(&app).await;
    assert_eq!(mails.len(), 3);
    assert!(mails.iter().any(|(to, _)| to == "yonas@example.org"));
}

#[tokio::test]
async fn attendance_is_recorded_once_begun_and_attendees_get_a_certificate() {
    let (app, session) = coordinator_app().await;
    let selam = volunteer(&app, "Selam T.", "selam@example.org", "tir", false).await;
    let amal = volunteer(&app, "Amal A.", "amal@example.org", "apc", false).await;
    let id = create_training(&app, &session).await;
    let invite = app
        .post_form(
            &format!("/trainings/{id}/invitations"),
            Some(&session),
            &format!("by=chosen&volunteer_ids={selam}&volunteer_ids={amal}"),
        )
        .await;
    assert_eq!(invite.status, StatusCode::SEE_OTHER, "{}", invite.body);
    let link = invitation_link(&app, "selam@example.org").await;
    let registered = app.post_form(&format!("{link}/register"), None, "").await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER, "{}", registered.body);
    assert_eq!(detail(&app, id).await.registered.len(), 1);

    let path = format!("/trainings/{id}/attendance");
    let early = app
        .post_form(&path, Some(&session), &format!("volunteer_ids={selam}"))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not before it begins");
    assert!(early.body.contains("has not begun"), "{}", early.body);

    app.clock.set(at("2026-12-12T09:30:00Z"));
    // Three weeks on, the first session has run out.
    let session = app.login("co@example.org").await;
    let page = app.get(&format!("/trainings/{id}"), Some(&session)).await;
    assert!(page.body.contains("id=\"attendance-form\""), "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "id=\"att-{selam}\" name=\"volunteer_ids\" value=\"{selam}\" checked"
        )),
        "the registered are ticked while nothing is recorded"
    );
    assert!(page.body.contains(&format!("value=\"{amal}\">")), "the others are not");
    assert!(!page.body.contains("id=\"invite-filter\""), "no invitations once begun");
    assert!(!page.body.contains("id=\"cancel-form\""));

    let recorded = app
        .post_form(&path, Some(&session), &format!("volunteer_ids={selam}"))
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    assert_eq!(
        recorded.location().unwrap(),
        format!("/trainings/{id}?recorded=1#attendance")
    );
    let after = detail(&app, id).await;
    assert_eq!(after.attended.len(), 1);
    assert_eq!(after.attended[0].volunteer_id, selam);
    let trained = lp_registry::volunteers::get(&app.db.conn, selam)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(trained.training_attended_on, NaiveDate::from_ymd_opt(2026, 12, 12));

    let page = app.get(&format!("/trainings/{id}?recorded=1"), Some(&session)).await;
    assert!(page.body.contains("Anwesenheit gespeichert."));
    let certificate_path = format!("/trainings/{id}/certificate/{selam}");
    assert!(page.body.contains(&format!("href=\"{certificate_path}\"")));

    let certificate = app.get(&certificate_path, Some(&session)).await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert!(certificate.body.contains(
        "Selam T. hat am 12.12.2026 an der Schulung „Grundschulung Dolmetschen im Ehrenamt“ \
         (Grundschulung, 180 Minuten, Rathaus, Sitzungssaal) teilgenommen."
    ));
    assert!(certificate.body.contains("Leitung: Dr. M. Beispiel"));
    assert!(certificate.body.contains("on 12 December 2026"));
    assert!(certificate.body.contains("/static/certificate.css"));
    assert!(!certificate.body.contains("href=\"/outbox\""), "no staff navigation");
    let css = app.get("/static/certificate.css", None).await;
    assert!(css.body.contains("@page { size: A4; margin: 20mm; }"));

    // Someone invited who did not come has none; nor has a stranger.
    for other in [amal, Uuid::new_v4()] {
        let none = app
            .get(&format!("/trainings/{id}/certificate/{other}"), Some(&session))
            .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{other}");
    }

    // The volunteer's page lists the training, attended, next to the training status.
    let volunteer_page = app.get(&format!("/volunteers/{selam}"), Some(&session)).await;
    let record = &volunteer_page.body[volunteer_page.body.find("id=\"trainings\"").unwrap()..];
    assert!(record.contains("Grundschulung Dolmetschen im Ehrenamt"), "{record}");
    assert!(record.contains("angemeldet") && record.contains(&format!("href=\"{certificate_path}\"")));
    assert!(
        record.contains("<dd id=\"trainings-status\">geschult (gültig bis 12.12.2028)</dd>"),
        "{record}"
    );
    assert!(record.contains("<dd id=\"training-elsewhere\"><span class=\"muted\">nicht eingetragen</span></dd>"));
}

#[tokio::test]
async fn cancelling_needs_the_tick_and_then_calls_the_training_off() {
    let (app, session) = coordinator_app().await;
    let id = create_training(&app, &session).await;
    let path = format!("/trainings/{id}/cancel");
    let unticked = app.post_form(&path, Some(&session), "").await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unticked.body.contains("<strong>confirm</strong>"));
    assert_eq!(
        trainings::get(&app.db.conn, id).await.unwrap().status,
        TrainingState::Scheduled
    );

    let cancelled = app.post_form(&path, Some(&session), "confirm=1").await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        trainings::get(&app.db.conn, id).await.unwrap().status,
        TrainingState::Cancelled
    );
    let page = app.get(cancelled.location().unwrap(), Some(&session)).await;
    assert!(page.body.contains("Die Schulung ist abgesagt."));
    assert!(page.body.contains(">abgesagt</span>"));
    assert!(!page.body.contains("id=\"cancel-form\"") && !page.body.contains("/edit\""));

    let twice = app.post_form(&path, Some(&session), "confirm=1").await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let edit = app.get(&format!("/trainings/{id}/edit"), Some(&session)).await;
    assert_eq!(edit.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_needs_table_counts_per_language() {
    let (app, session) = coordinator_app().await;
    volunteer(&app, "Selam T.", "selam@example.org", "tir", false).await;
    volunteer(&app, "Yonas B.", "yonas@example.org", "tir", true).await;
    volunteer(&app, "Amal A.", "amal@example.org", "apc", true).await;
    let page = app.get("/trainings/needs", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    let tir = LanguageCode::parse("tir").unwrap();
    let row = format!(
        "<tr><th scope=\"row\">{} (tir)</th><td>2</td><td>1</td><td>0</td><td>0</td></tr>",
        tir.name_de()
    );
    assert!(page.body.contains(&row), "{}", page.body);
    // With no demand, the language with more untrained volunteers comes first.
    assert!(page.body.find("(tir)").unwrap() < page.body.find("(apc)").unwrap());
}

#[tokio::test]
async fn declined_and_waiting_invitees_are_listed_in_their_sections() {
    let (app, session) = coordinator_app().await;
    let one = training_form();
    let one = with(&one, "capacity", "1");
    let reply = app.post_form("/trainings", Some(&session), &encode(&one)).await;
    let id: Uuid = reply
        .location()
        .unwrap()
        .trim_start_matches("/trainings/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap();
    let mut ids = Vec::new();
    for (name, email) in [
        ("Amal A.", "amal@example.org"),
        ("Bilal B.", "bilal@example.org"),
        ("Chiara C.", "chiara@example.org"),
    ] {
        ids.push(volunteer(&app, name, email, "tir", false).await);
    }
    let chosen: Vec<String> = ids.iter().map(|id| format!("volunteer_ids={id}")).collect();
    app.post_form(
        &format!("/trainings/{id}/invitations"),
        Some(&session),
        &format!("by=chosen&{}", chosen.join("&")),
    )
    .await;
    for (email, action) in [
        ("amal@example.org", "register"),
        ("bilal@example.org", "register"),
        ("chiara@example.org", "decline"),
    ] {
        let link = invitation_link(&app, email).await;
        app.clock.advance(chrono::Duration::minutes(1));
        let reply = app.post_form(&format!("{link}/{action}"), None, "").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{email}");
    }
    let stored = detail(&app, id).await;
    assert_eq!(stored.waiting[0].state, InvitationState::Waiting);
    let page = app.get(&format!("/trainings/{id}"), Some(&session)).await;
    let section = |name: &str, next: &str| {
        let body = &page.body;
        body[body.find(&format!("id=\"{name}\"")).unwrap()..body.find(&format!("id=\"{next}\"")).unwrap()].to_owned()
    };
    assert!(section("registered", "waiting").contains("Amal A."));
    assert!(section("waiting", "invited").contains("Bilal B.</a> <span class=\"muted\">(Platz 1)</span>"));
    assert!(section("declined", "attended").contains("Chiara C."));
    assert!(page.body.contains("<dd id=\"places\">1/1</dd>"));
    assert!(page.body.contains(">ausgebucht</span>"));
}
