//! The coordinator's pages through the real router: the guard, the volunteer form (create,
//! refuse, round-trip), invitations and the outbox's resend.

use crate::test_app::{TestApp, enc};
use axum::http::StatusCode;
use chrono::{NaiveDate, Weekday};
use lp_core::time::{DateRange, WeeklySlot};
use lp_core::vocab::{Gender, GermanLevel, Mode, Proficiency, Role, Setting, VolunteerStatus};
use lp_core::{Clock, LanguageCode};
use lp_notify::{DeliveryWorker, Mailer, MailerConfig, OutboxState, TransportKind};
use lp_registry::volunteers::{self, VolunteerFilter, VolunteerLanguage};
use lp_testkit::SmtpServer;

use std::sync::Arc;
use uuid::Uuid;

async fn coordinator_app() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let session = app.login("co@example.org").await;
    (app, session)
}

/// The posted form: pairs encoded as a browser does.
fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A full volunteer as a coordinator types it: two languages (with a blank row between, as
/// the page offers blank rows), three slots over two days, one absence.
fn full_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Selam T."),
        ("email", "selam@example.org"),
        ("phone", "+49 151 000000"),
        ("gender", "female"),
        ("status", "active"),
        ("languages[0].code", "tir"),
        ("languages[0].proficiency", "native"),
        ("languages[0].dialect", ""),
        ("languages[1].code", ""),
        ("languages[1].proficiency", ""),
        ("languages[1].dialect", ""),
        ("languages[2].code", "Amharisch (amh)"),
        ("languages[2].proficiency", "working"),
        ("languages[2].dialect", "Addis Ababa"),
        ("german_level", "B2"),
        ("max_assignments_per_month", "4"),
        ("service_area", "Winnenden, Schwaikheim"),
        ("modes", "on_site"),
        ("modes", "phone"),
        ("excluded_settings", "psychotherapy"),
        ("availability.mon[0].start", "09:00"),
        ("availability.mon[0].end", "13:00"),
        ("availability.mon[1].start", "14:00"),
        ("availability.mon[1].end", "18:00"),
        ("availability.sat[0].start", "20:00"),
        ("availability.sat[0].end", "24:00"),
        ("availability.sun[0].start", ""),
        ("availability.sun[0].end", ""),
        ("absences[0].from", "2026-12-21"),
        ("absences[0].to", "2027-01-06"),
        ("absences[1].from", ""),
        ("absences[1].to", ""),
        ("confidentiality_signed_on", "2026-03-02"),
        ("training_completed_on", "2026-02-01"),
        ("notes", "Kann auch kurzfristig."),
    ]
}

fn with(form: &[(&'static str, &'static str)], key: &str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    form.iter()
        .map(|&(k, v)| if k == key { (k, value) } else { (k, v) })
        .collect()
}

async fn volunteer_count(app: &TestApp) -> usize {
    volunteers::list(
        &app.db.conn,
        &VolunteerFilter::default(),
        app.clock.now().date_naive(),
        24,
    )
    .await
    .unwrap()
    .len()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[tokio::test]
async fn caseworkers_get_403_on_every_coordinator_page() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let volunteer = app.volunteer("Amal A.", "amal@example.org", "apc").await;
    let session = app.login("cw@example.org").await;
    let edit = format!("/volunteers/{volunteer}");
    for path in [
        "/volunteers",
        "/volunteers/new",
        edit.as_str(),
        "/organisations",
        "/staff",
        "/outbox",
    ] {
        assert_eq!(
            app.get(path, Some(&session)).await.status,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
        // Strangers are sent to sign in first.
        assert_eq!(app.get(path, None).await.status, StatusCode::SEE_OTHER, "GET {path}");
    }
    let resend = format!("/outbox/{}/resend", Uuid::new_v4());
    let form = encode(&full_form());
    for (path, body) in [
        ("/volunteers", form.as_str()),
        (edit.as_str(), form.as_str()),
        ("/organisations", "name=Caritas"),
        (
            "/staff",
            "email=x%40example.org&name=X&role=coordinator&organisation_id=",
        ),
        (resend.as_str(), ""),
    ] {
        let reply = app.post_form(path, Some(&session), body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(volunteer_count(&app).await, 1, "nothing saved");
    assert!(lp_registry::staff::list(&app.db.conn).await.unwrap().len() == 1);
}

#[tokio::test]
async fn coordinator_creates_a_volunteer_through_the_form() {
    let (app, session) = coordinator_app().await;
    let form = app.get("/volunteers/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"availability.sun[1].end\""), "a weekly grid");
    assert!(
        form.body.contains("<label for=\"absences-2-from\">"),
        "labelled absence rows"
    );

    let reply = app
        .post_form("/volunteers", Some(&session), &encode(&full_form()))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location().unwrap().to_owned();
    let id: Uuid = location
        .trim_start_matches("/volunteers/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap();

    let saved = volunteers::get(&app.db.conn, id).await.unwrap().unwrap();
    assert_eq!(saved.name, "Selam T.");
    assert_eq!(saved.email, "selam@example.org");
    assert_eq!(saved.phone.as_deref(), Some("+49 151 000000"));
    assert_eq!(saved.gender, Some(Gender::Female));
    assert_eq!(saved.status, VolunteerStatus::Active);
    assert_eq!(
        saved.languages,
        vec![
            VolunteerLanguage {
                code: LanguageCode::parse("amh").unwrap(),
                proficiency: Proficiency::Working,
                dialect: Some("Addis Ababa".to_owned()),
            },
            VolunteerLanguage {
                code: LanguageCode::parse("tir").unwrap(),
                proficiency: Proficiency::Native,
                dialect: None,
            },
        ]
    );
    assert_eq!(saved.german_level, GermanLevel::B2);
    assert_eq!(saved.max_assignments_per_month, Some(4));
    assert_eq!(saved.service_area, ["Winnenden", "Schwaikheim"]);
    assert_eq!(saved.modes, [Mode::OnSite, Mode::Phone]);
    assert_eq!(saved.excluded_settings, [Setting::Psychotherapy]);
    assert_eq!(
        saved.availability,
        [
            WeeklySlot::parse("mon", "09:00", "13:00").unwrap(),
            WeeklySlot::parse("mon", "14:00", "18:00").unwrap(),
            WeeklySlot::parse("sat", "20:00", "24:00").unwrap(),
        ]
    );
    assert_eq!(saved.availability[2].weekday, Weekday::Sat);
    assert_eq!(
        saved.absences,
        [DateRange::new(date("2026-12-21"), date("2027-01-06")).unwrap()]
    );
    assert_eq!(saved.confidentiality_signed_on, Some(date("2026-03-02")));
    assert_eq!(saved.training_completed_on, Some(date("2026-02-01")));
    assert_eq!(saved.notes.as_deref(), Some("Kann auch kurzfristig."));

    let page = app.get(&location, Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"saved\""));
    assert!(page.body.contains("<strong>geschult</strong>"), "training status shown");
    // The end of the day reads as on the volunteer's own page, and empty rows look empty.
    assert!(
        page.body.contains(r#"name="availability.sat[0].end" value="00:00""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains("placeholder="), "no grey times in empty rows");
}

#[tokio::test]
async fn a_bad_volunteer_form_is_422_naming_the_field_and_saves_nothing() {
    let (app, session) = coordinator_app().await;
    let full = full_form();
    let cases = [
        (with(&full, "availability.mon[1].end", "13:30"), "availability.mon[1]"),
        (with(&full, "languages[0].code", "Quatschisch"), "languages[0].code"),
        // The blank row is dropped, so Amharic is the second language: the registry's own
        // duplicate check names it with the index the page shows it at.
        (with(&full, "languages[2].code", "tir"), "languages[1].code"),
        (with(&full, "absences[0].to", "2026-12-01"), "absences[0].to"),
        (with(&full, "email", "selam"), "email"),
        (
            with(&full, "max_assignments_per_month", "0"),
            "max_assignments_per_month",
        ),
        (with(&full, "german_level", ""), "german_level"),
    ];
    for (form, field) in cases {
        let reply = app.post_form("/volunteers", Some(&session), &encode(&form)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        // The summary links to the field's input, which its message describes.
        let input = match field.strip_prefix("availability") {
            Some(_) => crate::schedule_form::id_of(&format!("{field}.start")),
            None => crate::schedule_form::id_of(field),
        };
        assert!(
            reply.body.contains(&format!("<a href=\"#{input}\">")),
            "{field}: {}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!("aria-describedby=\"{input}-error")),
            "{field}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("value=\"Selam T.\""),
            "the form comes back filled in"
        );
        assert!(reply.body.contains("value=\"Addis Ababa\""));
        assert!(
            reply.body.contains("aria-invalid=\"true\""),
            "{field}: the input is marked"
        );
    }
    assert_eq!(volunteer_count(&app).await, 0);

    // A second volunteer with a taken address: a conflict on the email field.
    assert_eq!(
        app.post_form("/volunteers", Some(&session), &encode(&full))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let again = app.post_form("/volunteers", Some(&session), &encode(&full)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("<a href=\"#email\">E-Mail</a>"), "{}", again.body);
    assert_eq!(volunteer_count(&app).await, 1);
}

/// The tag of the input with this id, up to its `>`.
pub(super) fn input_tag<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let start = page[..start].rfind('<').unwrap();
    &page[start..start + page[start..].find('>').unwrap()]
}

/// The error summary at the top of a refused form.
pub(super) fn summary(page: &str) -> &str {
    let summary = &page[page.find("id=\"form-error\"").expect("an error summary")..];
    &summary[..summary.find("</div>").unwrap()]
}

/// WCAG 3.3.1 and 3.3.3 on a refused form: every error in the summary, in the form's order,
/// each field named by its visible label with a German message and linked to its input, which
/// is marked invalid and described by the same message beside it (`described_by`, the rest of
/// its `aria-describedby`). Nothing in English is left on the German page.
pub(super) fn assert_listed_in_german(page: &str, expected: &[(&str, &str, &str, &str)]) {
    let summary = summary(page);
    assert_eq!(summary.matches("<li>").count(), expected.len(), "{summary}");
    let mut last = 0;
    for &(id, label, message, described_by) in expected {
        let item = format!("<a href=\"#{id}\">{label}</a>: <span>{message}</span>");
        let at = summary.find(&item).unwrap_or_else(|| panic!("{item} not in {summary}"));
        assert!(at >= last, "{id}: the summary follows the form's order");
        last = at;
        let tag = input_tag(page, id);
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
        assert!(
            tag.contains(&format!("aria-describedby=\"{id}-error{described_by}\"")),
            "{tag}"
        );
        assert!(
            page.contains(&format!(
                "<small id=\"{id}-error\" class=\"field-error\">{message}</small>"
            )),
            "{id}: the message beside the field"
        );
    }
    assert!(
        !summary.contains("lang=\"en\""),
        "English on the German page: {summary}"
    );
}

#[tokio::test]
async fn a_refused_volunteer_form_lists_every_error_in_german_tied_to_its_field() {
    let (app, session) = coordinator_app().await;
    let full = full_form();
    // Errors of the form's own reading (language, times, days, level) and of the registry's
    // rules (email, monthly maximum) at once.
    let bad = with(&full, "email", "selam");
    let bad = with(&bad, "languages[0].code", "Quatschisch");
    let bad = with(&bad, "german_level", "");
    let bad = with(&bad, "max_assignments_per_month", "0");
    let bad = with(&bad, "availability.mon[1].end", "13:30");
    let bad = with(&bad, "absences[0].to", "2026-12-01");
    let expected = [
        ("email", "E-Mail", "„selam“ ist keine gültige E-Mail-Adresse", ""),
        ("german_level", "Deutschniveau", "bitte einen Wert wählen", ""),
        (
            "max_assignments_per_month",
            "Höchstens Einsätze pro Monat (optional)",
            "muss zwischen 1 und 100 liegen",
            "",
        ),
        (
            "languages-0-code",
            "Sprache 1",
            "„Quatschisch“ ist weder ein bekannter Sprachname noch ein ISO-639-3-Code",
            " languages-help",
        ),
        (
            "availability-mon-1-start",
            "Verfügbarkeit pro Woche",
            "das Ende 13:30 liegt nicht nach dem Beginn 14:00",
            "",
        ),
        (
            "absences-0-to",
            "Abwesenheit 1",
            "der letzte Tag 01.12.2026 liegt vor dem ersten Tag 21.12.2026",
            "",
        ),
    ];
    let reply = app.post_form("/volunteers", Some(&session), &encode(&bad)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = &reply.body;
    assert_listed_in_german(page, &expected);
    // Both times of the wrong slot are marked; the fields without error are not.
    assert!(input_tag(page, "availability-mon-1-end").contains("aria-invalid=\"true\""));
    for fine in [
        "name",
        "phone",
        "service_area",
        "languages-2-code",
        "availability-mon-0-start",
        "notes",
    ] {
        assert!(!input_tag(page, fine).contains("aria-invalid"), "{fine} is not marked");
    }
    assert!(page.contains("value=\"Addis Ababa\""), "the form comes back filled in");
    assert_eq!(volunteer_count(&app).await, 0, "nothing saved");

    // An edit is refused the same way, and the stored volunteer stays as it was.
    let id = app.volunteer("Amal A.", "amal@example.org", "apc").await;
    let reply = app
        .post_form(&format!("/volunteers/{id}"), Some(&session), &encode(&bad))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_listed_in_german(&reply.body, &expected);
    let stored = volunteers::get(&app.db.conn, id).await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.email.as_str()),
        ("Amal A.", "amal@example.org")
    );
}

/// The values a browser would submit for the form with this id: inputs (checked boxes only),
/// selected options (else the first), textareas; HTML entities decoded.
fn form_pairs(html: &str, form_id: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("id=\"{form_id}\"")).expect("the form");
    let end = start + html[start..].find("</form>").unwrap();
    let mut rest = &html[start..end];
    let mut pairs = Vec::new();
    let mut select: Option<(String, Option<String>, bool)> = None;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>').unwrap();
        let tag = &rest[open + 1..close];
        let after = &rest[close + 1..];
        let flag = |name: &str| tag.split_whitespace().any(|w| w == name);
        match tag.split_whitespace().next().unwrap_or("") {
            "input" => {
                if let Some(name) = attr(tag, "name") {
                    let checkbox = attr(tag, "type").as_deref() == Some("checkbox");
                    if !checkbox || flag("checked") {
                        pairs.push((name, attr(tag, "value").unwrap_or_default()));
                    }
                }
            }
            "select" => select = Some((attr(tag, "name").unwrap(), None, false)),
            "option" => {
                if let Some((name, first, chosen)) = &mut select {
                    let value = attr(tag, "value").unwrap_or_default();
                    if first.is_none() {
                        *first = Some(value.clone());
                    }
                    if flag("selected") {
                        pairs.push((name.clone(), value));
                        *chosen = true;
                    }
                }
            }
            "/select" => {
                if let Some((name, first, false)) = select.take() {
                    pairs.push((name, first.unwrap_or_default()));
                }
            }
            "textarea" => {
                let text = &after[..after.find("</textarea>").unwrap()];
                pairs.push((attr(tag, "name").unwrap(), unescape(text)));
            }
            _ => {}
        }
        rest = after;
    }
    pairs
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = amp + rest[amp..].find(';').expect("an entity ends with ;");
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = entity.strip_prefix('#').expect("a numeric entity");
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                    None => number.parse().unwrap(),
                };
                char::from_u32(code).unwrap()
            }
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn editing_round_trips_every_field_unchanged() {
    let (app, session) = coordinator_app().await;
    let mut form = full_form();
    form = with(&form, "name", "Jörg O'Brien <Jo> & Co");
    form = with(&form, "notes", "Zeile 1\n\"Zitat\" & <b>fett</b>");
    form = with(&form, "gender", "");
    form = with(&form, "max_assignments_per_month", "");
    form.push(("excluded_settings", "medical"));
    form.push(("modes", "video"));
    let created = app.post_form("/volunteers", Some(&session), &encode(&form)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().unwrap().trim_end_matches("?saved=1").to_owned();
    let id: Uuid = path.trim_start_matches("/volunteers/").parse().unwrap();
    let before = volunteers::get(&app.db.conn, id).await.unwrap().unwrap();
    assert_eq!(before.name, "Jörg O'Brien <Jo> & Co");

    let page = app.get(&path, Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    let pairs = form_pairs(&page.body, "volunteer-form");
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    app.clock.advance(chrono::Duration::minutes(5));
    let saved = app.post_form(&path, Some(&session), &body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let mut after = volunteers::get(&app.db.conn, id).await.unwrap().unwrap();
    assert!(after.updated_at > before.updated_at, "it was saved");
    after.updated_at = before.updated_at;
    assert_eq!(after, before);
}

#[tokio::test]
async fn the_list_filters_by_language_name_with_macrolanguages_status_and_training() {
    let (app, session) = coordinator_app().await;
    app.volunteer("Amal A.", "amal@example.org", "apc").await;
    app.volunteer("Bilal B.", "bilal@example.org", "ara").await;
    app.volunteer("Selam T.", "selam@example.org", "tir").await;
    let all = app.get("/volunteers", Some(&session)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body.matches("data-volunteer=").count(), 3);
    assert!(all.body.contains("<th scope=\"col\">Deutsch</th>"));

    let arabic = app
        .get("/volunteers?language=Arabisch&status=&training=", Some(&session))
        .await;
    assert_eq!(arabic.body.matches("data-volunteer=").count(), 2, "apc serves ara");
    assert!(!arabic.body.contains("Selam T."));
    let by_code = app
        .get(
            "/volunteers?language=tir&status=active&training=trained",
            Some(&session),
        )
        .await;
    assert_eq!(by_code.body.matches("data-volunteer=").count(), 1);
    let none = app.get("/volunteers?language=&status=paused", Some(&session)).await;
    assert_eq!(none.body.matches("data-volunteer=").count(), 0);
    let bad = app.get("/volunteers?language=Quatschisch", Some(&session)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("<strong>language</strong>"));
}

#[tokio::test]
async fn coordinator_creates_an_organisation() {
    let (app, session) = coordinator_app().await;
    let reply = app
        .post_form("/organisations", Some(&session), "name=Caritas+Winnenden")
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = app.get(reply.location().unwrap(), Some(&session)).await;
    assert!(
        page.body
            .contains("Organisation angelegt: <strong>Caritas Winnenden</strong>")
    );
    let blank = app.post_form("/organisations", Some(&session), "name=+").await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_listed_in_german(&blank.body, &[("name", "Name", "darf nicht leer sein", "")]);
    let twice = app
        .post_form("/organisations", Some(&session), "name=Caritas+Winnenden")
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_listed_in_german(
        &twice.body,
        &[(
            "name",
            "Name",
            "es gibt schon eine Organisation namens „Caritas Winnenden“",
            "",
        )],
    );
    assert_eq!(lp_registry::organisations::list(&app.db.conn).await.unwrap().len(), 1);
}

/// The organisation form has one field: its error named by the label, in German, tied to it.
/// The invitation lists the errors of its own reading and the registry's at once.
#[tokio::test]
async fn refused_organisation_and_invitation_forms_list_their_errors_in_german_tied_to_the_field() {
    let (app, session) = coordinator_app().await;
    let long = "x".repeat(201);
    let reply = app
        .post_form("/organisations", Some(&session), &format!("name={long}"))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_listed_in_german(
        &reply.body,
        &[("name", "Name", "darf höchstens 200 Zeichen lang sein", "")],
    );
    assert!(reply.body.contains(&format!("value=\"{long}\"")), "filled in");
    assert!(lp_registry::organisations::list(&app.db.conn).await.unwrap().is_empty());

    let bad = "email=nora&name=Nora+N.&role=admin&organisation_id=keine-uuid";
    let reply = app.post_form("/staff", Some(&session), bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = &reply.body;
    assert_listed_in_german(
        page,
        &[
            ("email", "E-Mail", "„nora“ ist keine gültige E-Mail-Adresse", ""),
            (
                "role",
                "Rolle",
                "„admin“ ist kein gültiger Wert; bitte einen aus der Liste wählen",
                "",
            ),
            (
                "organisation_id",
                "Organisation",
                "bitte eine Organisation aus der Liste wählen",
                "",
            ),
        ],
    );
    assert!(!input_tag(page, "name").contains("aria-invalid"), "the name is fine");
    assert!(page.contains("value=\"Nora N.\""), "filled in");
    assert_eq!(
        lp_registry::staff::list(&app.db.conn).await.unwrap().len(),
        1,
        "nobody invited"
    );
    assert!(outbox_bodies(&app, "staff_welcome").await.is_empty(), "nothing mailed");
}

async fn outbox_bodies(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    app.sent_texts(kind).await
}

#[tokio::test]
async fn invite_creates_the_user_and_mails_a_set_password_link() {
    let (app, session) = coordinator_app().await;
    let org = app.organisation("Stadt A").await;
    let form = format!("email=New%40Example.org&name=Nora+N.&role=caseworker&organisation_id={org}");
    let reply = app.post_form("/staff", Some(&session), &form).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = app.get(reply.location().unwrap(), Some(&session)).await;
    assert!(page.body.contains("id=\"invited\""));
    assert!(page.body.contains("<strong>new@example.org</strong>"));
    assert!(
        page.body.contains("<td>Stadt A</td>"),
        "the list names the organisation"
    );

    let user = lp_registry::staff::list(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "new@example.org")
        .expect("the user exists");
    assert_eq!((user.role, user.organisation_id), (Role::Caseworker, Some(org)));
    let mails = outbox_bodies(&app, "staff_welcome").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "new@example.org");
    assert!(mails[0].1.contains("http://pool.test/password/"), "{}", mails[0].1);

    // A caseworker needs an organisation: refused, naming the field, nothing stored.
    let orphan = app
        .post_form(
            "/staff",
            Some(&session),
            "email=o%40example.org&name=O&role=caseworker&organisation_id=",
        )
        .await;
    assert_eq!(orphan.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        summary(&orphan.body).contains(
            "<a href=\"#organisation_id\">Organisation</a>: <span>für die Fallbearbeitung bitte eine Organisation wählen</span>"
        ),
        "{}",
        orphan.body
    );
    assert!(orphan.body.contains("value=\"o@example.org\""), "filled in");
    let twice = app.post_form("/staff", Some(&session), &form).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(lp_registry::staff::list(&app.db.conn).await.unwrap().len(), 2);
    assert_eq!(outbox_bodies(&app, "staff_welcome").await.len(), 1);
}

fn mailer(url: String) -> Mailer {
    Mailer::new(&MailerConfig {
        transport: TransportKind::Smtp,
        smtp_url: Some(url),
        from: "Dolmetscherpool <pool@localhost>".to_owned(),
        reply_to: None,
        file_dir: Default::default(),
        send_timeout: std::time::Duration::from_secs(10),
    })
    .unwrap()
}

#[tokio::test]
async fn outbox_shows_a_dead_message_and_resend_makes_it_due_again() {
    let (app, session) = coordinator_app().await;
    let form = "email=new%40example.org&name=Nora+N.&role=coordinator&organisation_id=";
    assert_eq!(
        app.post_form("/staff", Some(&session), form).await.status,
        StatusCode::SEE_OTHER
    );

    // The mail server refuses the recipient for good: the message dies.
    let refusing = SmtpServer::start_refusing();
    let clock: Arc<dyn lp_core::Clock> = app.clock.clone();
    let report = DeliveryWorker::new(app.db.conn.clone(), mailer(refusing.url()), app.links())
        .with_clock(clock.clone())
        .deliver_due()
        .await
        .unwrap();
    assert_eq!(report.dead, 1);
    let dead = lp_notify::unsent(&app.db.conn, 10).await.unwrap();
    assert_eq!(dead[0].state, OutboxState::Dead);
    let id = dead[0].id.clone();

    let page = app.get("/outbox", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = &page.body[page.body.find("id=\"dead\"").unwrap()..page.body.find("id=\"failed\"").unwrap()];
    assert!(section.contains(&format!("data-message=\"{id}\"")), "{section}");
    assert!(section.contains("new@example.org") && section.contains("Zugang für Mitarbeitende"));
    assert!(section.contains(&format!("action=\"/outbox/{id}/resend\"")));
    assert!(!page.body.contains("/password/"), "never a body or a link");

    app.clock.advance(chrono::Duration::hours(1));
    let resent = app.post_form(&format!("/outbox/{id}/resend"), Some(&session), "").await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    assert!(
        app.get(resent.location().unwrap(), Some(&session))
            .await
            .body
            .contains("id=\"notice\"")
    );
    let due = lp_notify::unsent(&app.db.conn, 10).await.unwrap();
    assert_eq!(
        (due[0].state, due[0].attempts, due[0].next_attempt_at),
        (OutboxState::Queued, 0, app.clock.now())
    );

    // Due again means the worker now sends it.
    let server = SmtpServer::start();
    let report = DeliveryWorker::new(app.db.conn.clone(), mailer(server.url()), app.links())
        .with_clock(clock)
        .deliver_due()
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(server.received_by("new@example.org").len(), 1);

    // A sent message says when it went out, not a count of attempts.
    let page = app.get("/outbox", Some(&session)).await;
    let sent = &page.body[page.body.find("id=\"sent\"").unwrap()..];
    assert!(
        sent.contains("Gesendet am") && sent.contains("Zugang für Mitarbeitende"),
        "{sent}"
    );
    assert!(!sent.contains("Fehlversuche") && !sent.contains("Versuche 0"), "{sent}");

    // Once sent, its body is gone: a resend is refused, saying why.
    let again = app.post_form(&format!("/outbox/{id}/resend"), Some(&session), "").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("bereits zugestellt"));
    let unknown = app
        .post_form(&format!("/outbox/{}/resend", Uuid::new_v4()), Some(&session), "")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
