//! The reports page, its exports, the summary API and the Ehrenamtsnachweis through the real
//! router: coordinators only, dates checked, charts with their tables.

use crate::test_app::{BASE, TestApp};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use chrono::Duration;
use lp_core::Clock;
use lp_core::access::Actor;
use lp_core::vocab::Role;
use lp_requests::input::{CompletionInput, RequestInput};
use lp_requests::{lifecycle, offers};

use uuid::Uuid;

struct Pool {
    app: TestApp,
    coordinator: String,
    caseworker: String,
    amal: Uuid,
}

/// One Arabic request on Wednesday 2026-11-25, taken by Amal and completed with 100 minutes.
async fn pool() -> Pool {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let org = app.organisation("Stadt Teststadt").await;
    let cw = app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let amal = app.volunteer("Amal Haddad", "amal@example.org", "ara").await;
    let settings = (*app.requests).clone();
    let input: RequestInput = serde_json::from_value(serde_json::json!({
        "language": "ara", "starts_at": "2026-11-25T10:00:00+01:00", "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "fill_by": "2026-11-24T18:00:00+01:00"
    }))
    .unwrap();
    let actor = Actor::new(cw.id, Role::Caseworker, Some(org));
    let db = &app.db.conn;
    let now = app.clock.now();
    let id = lifecycle::create(db, actor, &input, &settings, now).await.unwrap().id;
    let (_, text) = app.sent_texts("offer").await.remove(0);
    let start = text.find(&format!("{BASE}/o/")).unwrap() + BASE.len() + 3;
    let token = text[start..].split_whitespace().next().unwrap();
    offers::accept(db, token, &settings, None, now + Duration::minutes(45))
        .await
        .unwrap();
    let done = CompletionInput {
        actual_minutes: 100,
        feedback: None,
    };
    lifecycle::complete(db, actor, id, &done, now + Duration::days(3))
        .await
        .unwrap();
    let coordinator = app.login("co@example.org").await;
    let caseworker = app.login("cw@example.org").await;
    Pool {
        app,
        coordinator,
        caseworker,
        amal,
    }
}

#[tokio::test]
async fn caseworkers_get_403_on_reports_exports_api_and_nachweis() {
    let pool = pool().await;
    let session = Some(pool.caseworker.as_str());
    for path in [
        "/reports".to_owned(),
        "/reports/export/languages.csv?from=2026-01-01&to=2026-12-31".to_owned(),
        "/api/v1/reports/summary?from=2026-01-01&to=2026-12-31".to_owned(),
        format!("/volunteers/{}/nachweis/2026", pool.amal),
    ] {
        let reply = pool.app.get(&path, session).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn bad_or_reversed_dates_are_422_naming_the_field() {
    let pool = pool().await;
    let session = Some(pool.coordinator.as_str());
    for (query, field) in [
        ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=2026-02-01&to=2026-01-31", "to"),
        ("to=2026-01-31", "from"),
    ] {
        let reply = pool.app.get(&format!("/api/v1/reports/summary?{query}"), session).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            reply.body
        );
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["error"]["field"], field, "{query}");
        let page = pool.app.get(&format!("/reports?kind=custom&{query}"), session).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(page.body.contains("id=\"form-error\""), "{}", page.body);
        assert!(page.body.contains(&format!("<strong>{field}</strong>")), "{query}");
    }
    let month = pool.app.get("/reports?kind=month&year=2026&month=13", session).await;
    assert_eq!(month.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_api_reports_the_period() {
    let pool = pool().await;
    let reply = pool
        .app
        .get(
            "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30",
            Some(&pool.coordinator),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["requests"], 1);
    assert_eq!(body["fill_rate"]["rate"], 1.0);
    assert_eq!(body["time_to_fill"]["median_minutes"], 45.0);
    assert_eq!(body["by_language"][0]["language"], "ara");
    assert_eq!(body["hours"]["volunteers"][0]["name"], "Amal Haddad");
    assert_eq!(body["hours"]["minutes"], 100);
    // 12 € per started 90 minutes: 100 minutes are two blocks.
    assert_eq!(body["payout"]["total_cents"], 2400);
}

#[tokio::test]
async fn the_page_shows_each_chart_with_its_table_and_exports() {
    let pool = pool().await;
    let session = Some(pool.coordinator.as_str());
    let page = pool.app.get("/reports?kind=year&year=2026", session).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert!(html.contains("01.01.2026 – 31.12.2026"), "the period is named");
    for chart in ["chart-months", "chart-languages", "chart-unmet", "chart-time-to-fill"] {
        let open =
            format!("<svg id=\"{chart}\" class=\"chart\" role=\"img\" aria-labelledby=\"{chart}-title {chart}-desc\"");
        assert!(html.contains(&open), "{chart}");
        assert!(
            html.contains(&format!("<desc id=\"{chart}-desc\">")),
            "{chart} has a text alternative"
        );
    }
    for table in [
        "key-figures",
        "months",
        "languages",
        "unmet",
        "time-to-fill",
        "volunteers",
        "payout",
    ] {
        assert!(html.contains(&format!("id=\"table-{table}\"")), "{table}");
        assert!(
            html.contains(&format!(
                "/reports/export/{table}.csv?from=2026-01-01&#38;to=2026-12-31"
            )),
            "{table}"
        );
        assert!(
            html.contains(&format!(
                "/reports/export/{table}.xlsx?from=2026-01-01&#38;to=2026-12-31"
            )),
            "{table}"
        );
    }
    assert!(html.contains("<th scope=\"row\">Arabisch (ara)</th>"));
    assert!(html.contains("<th scope=\"row\">Amal Haddad</th>"));
    assert!(html.contains("<th scope=\"col\""));
    assert!(html.contains("href=\"/reports\">Berichte</a>"), "in the navigation");

    let csv = pool
        .app
        .get("/reports/export/volunteers.csv?from=2026-01-01&to=2026-12-31", session)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers[CONTENT_DISPOSITION],
        "attachment; filename=\"linguapool-volunteers-2026-01-01-2026-12-31.csv\""
    );
    assert!(csv.body.starts_with('\u{feff}'), "a byte order mark");
    assert!(csv.body.contains("Amal Haddad;1;100;1,7"), "{}", csv.body);
    let xlsx = pool
        .app
        .get("/reports/export/languages.xlsx?from=2026-01-01&to=2026-12-31", session)
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.headers[CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    for unknown in ["secrets.csv", "languages.pdf", "languages"] {
        let reply = pool
            .app
            .get(
                &format!("/reports/export/{unknown}?from=2026-01-01&to=2026-12-31"),
                session,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
    }
    let english = pool.app.send(
        axum::http::Request::get("/reports?kind=month&year=2026&month=11")
            .header("host", "pool.test")
            .header("cookie", format!("lp_session={}; lp_lang=en", pool.coordinator))
            .body(axum::body::Body::empty())
            .unwrap(),
    );
    let english = english.await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(english.body.contains("1 Nov 2026 – 30 Nov 2026"), "dates in English");
    assert!(!english.body.contains("01.11.2026"), "not the German short format");
    assert!(english.body.contains("Requests per language"));
}

#[tokio::test]
async fn the_volunteer_page_lists_years_and_links_the_nachweis() {
    let pool = pool().await;
    let session = Some(pool.coordinator.as_str());
    let page = pool.app.get(&format!("/volunteers/{}", pool.amal), session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"volunteer-years\""), "{}", page.body);
    assert!(page.body.contains(
        "<tr data-year=\"2026\"><th scope=\"row\">2026</th><td class=\"num\">1</td><td class=\"num\">1,7</td>"
    ));
    assert!(page.body.contains(&format!("/volunteers/{}/nachweis/2026", pool.amal)));

    let nachweis = pool
        .app
        .get(&format!("/volunteers/{}/nachweis/2026", pool.amal), session)
        .await;
    assert_eq!(nachweis.status, StatusCode::OK);
    let html = &nachweis.body;
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/certificate.css\">"));
    assert!(html.contains("Dolmetscherpool Teststadt"));
    assert!(html.contains("Marktplatz 1, 12345 Teststadt"));
    assert!(html.contains("K. Koordinatorin"));
    assert!(html.contains("Amal Haddad im Jahr 2026 ehrenamtlich als Sprachmittler/in tätig war."));
    assert!(html.contains("Einsätze: <strong>1</strong> · Einsatzzeit: <strong>1,7 Stunden</strong>"));
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("24,00 €"), "the allowance");

    let none = pool
        .app
        .get(&format!("/volunteers/{}/nachweis/2025", pool.amal), session)
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert!(none.body.contains("Es gibt nichts zu bestätigen."));
    let unknown = pool
        .app
        .get(&format!("/volunteers/{}/nachweis/2026", Uuid::nil()), session)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
