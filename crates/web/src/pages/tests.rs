//! The staff pages through the real router: guards, organisation scope, the request flow.

use crate::test_app::{TestApp, enc};
use axum::http::StatusCode;
use lp_core::vocab::Role;

/// Wednesday 2 December 2026, 10:00 Berlin: ahead of the test clock, inside everyone's hours.
const FORM: &str = "language=Arabisch+%28ara%29&date=2026-12-02&time=10%3A00&duration_minutes=60&mode=on_site&town=Winnenden&address=Marktplatz+1&setting=authority&gender=&strength=preferred&client_ref=IM-1&notes=";

#[tokio::test]
async fn pages_send_strangers_to_the_login_form() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/requests/new",
        "/board",
        "/requests/00000000-0000-0000-0000-000000000000",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            reply.location().unwrap(),
            format!("/login?next={}", crate::page::url_encode(path))
        );
    }
}

#[tokio::test]
async fn caseworker_files_a_request_and_finds_it_on_the_dashboard() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    app.volunteer("Amal A.", "amal@example.org", "apc").await;
    app.volunteer("Bilal B.", "bilal@example.org", "ara").await;
    let session = app.login("cw@example.org").await;

    let form = app.get("/requests/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Arabisch (ara)"),
        "the picker offers languages by name"
    );

    let hint = app.get(&format!("/requests/new/hint?{FORM}"), Some(&session)).await;
    assert_eq!(hint.status, StatusCode::OK);
    let hint: serde_json::Value = serde_json::from_str(&hint.body).unwrap();
    assert_eq!(
        hint["text"],
        "2 Ehrenamtliche kommen für diesen Termin in Frage (2 sprechen die Sprache)."
    );
    assert_eq!(
        hint["rules"],
        serde_json::json!([]),
        "enough qualify: no rules, no suggestions"
    );
    assert_eq!(hint["suggestions"], serde_json::json!([]));

    let created = app.post_form("/requests", Some(&session), FORM).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page_path = created.location().unwrap().to_owned();
    let page = app.get(&page_path, Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Angebot gesendet an Amal A.") || page.body.contains("Angebot gesendet an Bilal B."));
    assert!(page.body.contains("Marktplatz 1"));

    let dashboard = app.get("/", Some(&session)).await;
    let id = page_path.trim_start_matches("/requests/");
    assert!(dashboard.body.contains(&format!("data-request=\"{id}\"")));

    let cancelled = app.post_form(&format!("{page_path}/cancel"), Some(&session), "").await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let page = app.get(&page_path, Some(&session)).await;
    assert!(page.body.contains("abgesagt"));
}

#[tokio::test]
async fn a_bad_form_comes_back_filled_in_with_the_field_named_and_nothing_saved() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let session = app.login("cw@example.org").await;
    let bad = FORM.replace("language=Arabisch+%28ara%29", "language=Quatschisch");
    let reply = app.post_form("/requests", Some(&session), &bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("<a href=\"#language\">Sprache</a>"),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("value=\"Marktplatz 1\""),
        "the rest stays filled in"
    );
    let names = FORM.replace("client_ref=IM-1", &format!("client_ref={}", enc("Max Mustermann")));
    let reply = app.post_form("/requests", Some(&session), &names).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("<a href=\"#client_ref\">"), "{}", reply.body);
    let list = app.get("/api/v1/requests", Some(&session)).await;
    assert_eq!(list.body, "[]");
}

/// The tag of the input with this id, up to its `>`.
fn input_tag<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let start = page[..start].rfind('<').unwrap();
    &page[start..start + page[start..].find('>').unwrap()]
}

/// WCAG 3.3.1 and 3.3.3: every error at once, each field named by its visible label with a
/// German message on the German page, marked invalid and described by its message, and a
/// summary at the top linking to each field.
#[tokio::test]
async fn a_refused_form_lists_every_error_in_german_tied_to_its_field() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let session = app.login("cw@example.org").await;
    let bad = FORM
        .replace("language=Arabisch+%28ara%29", "language=Quatschisch")
        .replace("date=2026-12-02", "date=")
        .replace("duration_minutes=60", "duration_minutes=5")
        .replace("town=Winnenden", "town=")
        .replace("client_ref=IM-1", &format!("client_ref={}", enc("Max Mustermann")));
    let reply = app.post_form("/requests", Some(&session), &bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = &reply.body;
    let summary = &page[page.find("id=\"form-error\"").expect("an error summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    let expected = [
        (
            "language",
            "Sprache",
            "unbekannte Sprache; bitte eine aus der Liste wählen",
        ),
        ("date", "Datum", "bitte ein Datum angeben, z. B. 03.12.2026"),
        (
            "duration_minutes",
            "Dauer in Minuten",
            "muss zwischen 15 und 480 Minuten liegen",
        ),
        ("town", "Ort (bei vor Ort)", "ist bei einem Termin vor Ort nötig"),
        (
            "client_ref",
            "Aktenzeichen (optional; keine Namen)",
            "nur ein Aktenzeichen aus Buchstaben, Ziffern und - _ / . # (keine Namen, keine Leerzeichen)",
        ),
    ];
    assert_eq!(summary.matches("<li>").count(), expected.len(), "{summary}");
    let mut last = 0;
    for (id, label, message) in expected {
        let item = format!("<a href=\"#{id}\">{label}</a>: <span>{message}</span>");
        let at = summary.find(&item).unwrap_or_else(|| panic!("{item} not in {summary}"));
        assert!(at >= last, "{id}: the summary follows the form's order");
        last = at;
        let tag = input_tag(page, id);
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
        assert!(tag.contains(&format!("aria-describedby=\"{id}-error")), "{tag}");
        assert!(
            page.contains(&format!(
                "<small id=\"{id}-error\" class=\"field-error\">{message}</small>"
            )),
            "{id}: the message beside the field"
        );
    }
    // The language input keeps its hint, after the error.
    assert!(input_tag(page, "language").contains("aria-describedby=\"language-error language-help\""));
    for fine in ["time", "dialect", "address", "notes"] {
        assert!(!input_tag(page, fine).contains("aria-invalid"), "{fine} is not marked");
    }
    for english in [
        "<strong>language</strong>",
        "unknown language",
        "must be",
        "lang=\"en\"",
    ] {
        assert!(!summary.contains(english), "{english:?} on the German page: {summary}");
    }
    let list = app.get("/api/v1/requests", Some(&session)).await;
    assert_eq!(list.body, "[]");

    // In English on request, the same errors in English.
    let mut request = axum::http::Request::post("/requests")
        .header("cookie", format!("lp_session={session}; lp_lang=en"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", crate::test_app::BASE)
        .header("host", "pool.test")
        .body(axum::body::Body::from(bad))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(crate::test_app::peer()));
    let english = app.send(request).await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", english.body);
    assert!(
        english
            .body
            .contains("<a href=\"#language\">Language</a>: <span>unknown language; pick one from the list</span>"),
        "{}",
        english.body
    );
}

#[tokio::test]
async fn another_organisations_request_page_is_the_same_404_as_an_unknown_one() {
    let app = TestApp::new().await;
    let a = app.organisation("Stadt A").await;
    let b = app.organisation("Stadt B").await;
    app.staff(Role::Caseworker, Some(a), "a@example.org").await;
    app.staff(Role::Caseworker, Some(b), "b@example.org").await;
    let session_a = app.login("a@example.org").await;
    let session_b = app.login("b@example.org").await;
    // Nobody is in the pool: filed after the question.
    let created = app
        .post_form("/requests", Some(&session_a), &format!("{FORM}&confirm=1"))
        .await;
    let path = created.location().unwrap().to_owned();

    let foreign = app.get(&path, Some(&session_b)).await;
    let unknown = app
        .get("/requests/6f1c1f6e-0000-4000-8000-000000000000", Some(&session_b))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(foreign.body, unknown.body);
    let foreign_cancel = app.post_form(&format!("{path}/cancel"), Some(&session_b), "").await;
    assert_eq!(foreign_cancel.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("{path}/candidates"), Some(&session_b)).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get("/", Some(&session_b))
            .await
            .body
            .contains(path.trim_start_matches("/requests/"))
    );
}

#[tokio::test]
async fn caseworkers_are_refused_coordinator_pages_and_coordinators_see_everything() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    app.volunteer("Amal A.", "amal@example.org", "apc").await;
    let caseworker = app.login("cw@example.org").await;
    let coordinator = app.login("co@example.org").await;
    let refused = app.get("/board", Some(&caseworker)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("<h1>Keine Berechtigung</h1>"),
        "a page, not JSON: {}",
        refused.body
    );

    let created = app.post_form("/requests", Some(&caseworker), FORM).await;
    let path = created.location().unwrap().to_owned();
    let page = app.get(&path, Some(&coordinator)).await;
    assert_eq!(page.status, StatusCode::OK);
    // Only one volunteer qualifies: the page says so and why.
    assert!(page.body.contains("id=\"search-hint\""), "{}", page.body);
    let candidates = app.get(&format!("{path}/candidates"), Some(&coordinator)).await;
    assert_eq!(candidates.status, StatusCode::OK);
    assert!(candidates.body.contains("Amal A."));
    let board = app.get("/board", Some(&coordinator)).await;
    assert_eq!(board.status, StatusCode::OK);
}

#[tokio::test]
async fn language_switch_sets_a_cookie_and_returns_to_the_page() {
    let app = TestApp::new().await;
    let reply = app.post_form("/lang", None, "lang=en&back=%2Frequests%2Fnew").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), Some("/requests/new"));
    assert!(reply.set_cookies()[0].starts_with("lp_lang=en;"));
    let evil = app.post_form("/lang", None, "lang=en&back=%2F%2Fevil.example").await;
    assert_eq!(evil.location(), Some("/"), "never off-site");
}

/// A coordinator files for an organisation; the form does not choose one for them.
#[tokio::test]
async fn a_coordinator_must_choose_the_organisation_of_a_new_request() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.organisation("Stadt B").await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let session = app.login("co@example.org").await;

    let form = app.get("/requests/new", Some(&session)).await;
    let select = &form.body[form.body.find("<select id=\"organisation_id\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    let first = &select[select.find("<option").unwrap()..];
    assert!(
        first.starts_with("<option value=\"\" selected>Bitte wählen</option>"),
        "{select}"
    );
    assert_eq!(select.matches(" selected").count(), 1, "{select}");

    let reply = app.post_form("/requests", Some(&session), FORM).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("<a href=\"#organisation_id\">Organisation</a>: <span>bitte eine Organisation wählen</span>"),
        "{}",
        reply.body
    );
    assert_eq!(app.get("/api/v1/requests", Some(&session)).await.body, "[]");

    let chosen = app
        .post_form(
            "/requests",
            Some(&session),
            &format!("{FORM}&organisation_id={org}&confirm=1"),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
}

/// What a browser sends with a page request.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn get_as(app: &TestApp, path: &str, session: Option<&str>, accept: &str) -> crate::test_app::Reply {
    let mut request = axum::http::Request::get(path)
        .header("host", "pool.test")
        .header("accept", accept);
    if let Some(id) = session {
        request = request.header("cookie", format!("lp_session={id}"));
    }
    app.send(request.body(axum::body::Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_browser_gets_error_pages_in_the_staff_layout_and_api_clients_keep_json() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let session = app.login("cw@example.org").await;

    // An unknown address, signed in: the staff layout with its menu, in German.
    let page = get_as(&app, "/volunteer", Some(&session), BROWSER_ACCEPT).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.body.contains("<h1>Nicht gefunden</h1>"), "{}", page.body);
    assert!(
        page.body.contains("<nav aria-label="),
        "the staff layout: {}",
        page.body
    );
    assert!(page.body.contains("Angemeldet als Name of cw@example.org"));

    // A coordinator's page and a broken id, both in the layout.
    let refused = get_as(&app, "/board", Some(&session), BROWSER_ACCEPT).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("<h1>Keine Berechtigung</h1>") && refused.body.contains("<nav aria-label="));
    let broken = get_as(&app, "/requests/not-an-id", Some(&session), BROWSER_ACCEPT).await;
    assert_eq!(broken.status, StatusCode::NOT_FOUND);
    assert!(broken.body.contains("<nav aria-label="), "{}", broken.body);

    // A route that only takes a form post, opened in the browser: a page, not an empty 405.
    let get_only = get_as(&app, "/requests", Some(&session), BROWSER_ACCEPT).await;
    assert_eq!(get_only.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(get_only.body.contains("<nav aria-label="), "{}", get_only.body);

    // Not signed in: an error page all the same, without the menu.
    let stranger = get_as(&app, "/volunteer", None, BROWSER_ACCEPT).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert!(stranger.body.contains("<h1>Nicht gefunden</h1>") && !stranger.body.contains("<nav"));

    // API clients keep the JSON shape: by their Accept header, and on /api/ paths always.
    for (path, accept) in [
        ("/volunteer", "application/json"),
        ("/volunteer", "*/*"),
        ("/api/v1/nothing", BROWSER_ACCEPT),
        ("/api/v1/requests/not-an-id", BROWSER_ACCEPT),
    ] {
        let reply = get_as(&app, path, Some(&session), accept).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path} {accept}");
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_else(|_| panic!("{}", reply.body));
        assert_eq!(body["error"]["code"], "not_found", "{path} {accept}");
    }
}

/// Dates in the English pages read as English, never the German `03.12.2026`.
#[tokio::test]
async fn the_english_request_page_writes_dates_in_english() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let session = app.login("cw@example.org").await;
    let created = app
        .post_form("/requests", Some(&session), &format!("{FORM}&confirm=1"))
        .await;
    let path = created.location().unwrap().to_owned();
    let request = axum::http::Request::get(&path)
        .header("host", "pool.test")
        .header("cookie", format!("lp_session={session}; lp_lang=en"))
        .body(axum::body::Body::empty())
        .unwrap();
    let page = app.send(request).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Wednesday, 2 December 2026, 10:00"), "{}", page.body);
    let german_date = regex_free_date(&page.body);
    assert!(
        german_date.is_none(),
        "a German date {german_date:?} on the English page"
    );
}

/// The first `dd.mm.yyyy` in `text`, if any.
fn regex_free_date(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let window = &bytes[i..i + 10];
        let digits = [0, 1, 3, 4, 6, 7, 8, 9].iter().all(|&j| window[j].is_ascii_digit());
        (digits && window[2] == b'.' && window[5] == b'.').then(|| &text[i..i + 10])
    })
}
