//! The offer links through the real router: a browser's form post is redirected (303) to the
//! link's page, which shows the result or the refusal's own reason; a GET of an action's
//! address goes to the page; other methods answer 405 with `Allow`; guessing tokens is
//! throttled per client address.

use crate::test_app::{BASE, TestApp};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{ACCEPT, ALLOW, HOST, ORIGIN, RETRY_AFTER};
use axum::http::{Method, Request, StatusCode};
use lp_core::Clock;
use lp_core::access::Actor;
use lp_core::vocab::Role;
use lp_requests::input::RequestInput;
use lp_requests::lifecycle;
use std::net::SocketAddr;

/// A Tigrinya request with two candidates; the offer link paths of both, `/o/...`.
async fn offers(app: &TestApp) -> Vec<String> {
    let org = app.organisation("Stadt Winnenden").await;
    let cw = app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    app.volunteer("Selam T.", "selam@example.org", "tir").await;
    app.volunteer("Yonas B.", "yonas@example.org", "tir").await;
    let input: RequestInput = serde_json::from_value(serde_json::json!({
        "language": "tir", "starts_at": "2026-12-03T10:00:00+01:00", "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "client_ref": "IM-2026-0147",
    }))
    .unwrap();
    let actor = Actor::new(cw.id, Role::Caseworker, Some(org));
    lifecycle::create(&app.db.conn, actor, &input, &app.requests, app.clock.now())
        .await
        .unwrap();
    app.sent_texts("offer")
        .await
        .iter()
        .map(|(_, text)| {
            let start = text.find(&format!("{BASE}/o/")).expect("an offer link") + BASE.len();
            text[start..].split_whitespace().next().unwrap().to_owned()
        })
        .collect()
}

fn from(peer: &str, request: axum::http::request::Builder, body: Body) -> Request<Body> {
    let mut request = request.header(HOST, "pool.test").body(body).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

async fn get(app: &TestApp, path: &str, accept: &str) -> crate::test_app::Reply {
    let request = Request::get(path).header(ACCEPT, accept);
    app.send(from("192.0.2.20:4000", request, Body::empty())).await
}

#[tokio::test]
async fn accepting_redirects_to_the_page_which_shows_the_result() {
    let app = TestApp::new().await;
    let links = offers(&app).await;
    let accepted = app.post_form(&format!("{}/accept", links[0]), None, "").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(
        accepted.location(),
        Some(format!("{}?done=accepted", links[0]).as_str())
    );
    let page = get(&app, accepted.location().unwrap(), "text/html").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Zusage gespeichert") && page.body.contains("Accepted – the job is yours."));
    // The plain page reads the state from the database.
    let plain = get(&app, &links[0], "text/html").await;
    assert!(
        plain.body.contains("Sie haben diesen Einsatz übernommen"),
        "{}",
        plain.body
    );
    // A stale `done` that the offer no longer reads is not shown.
    let stale = get(&app, &format!("{}?done=declined", links[0]), "text/html").await;
    assert!(!stale.body.contains("Absage gespeichert"), "{}", stale.body);
}

#[tokio::test]
async fn a_refused_action_redirects_with_its_reason_and_the_page_says_it() {
    let app = TestApp::new().await;
    let links = offers(&app).await;
    assert_eq!(
        app.post_form(&format!("{}/accept", links[0]), None, "").await.status,
        StatusCode::SEE_OTHER
    );
    let late = app.post_form(&format!("{}/accept", links[1]), None, "").await;
    assert_eq!(late.status, StatusCode::SEE_OTHER);
    assert_eq!(late.location(), Some(format!("{}?refused=filled", links[1]).as_str()));
    let page = get(&app, late.location().unwrap(), "text/html").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Bereits vergeben") && page.body.contains("Already filled"),
        "{}",
        page.body
    );
    // JSON clients keep the SPEC's answers.
    let json = app
        .send(from(
            "192.0.2.20:4000",
            Request::post(format!("{}/accept", links[1])).header(ACCEPT, "application/json"),
            Body::empty(),
        ))
        .await;
    assert_eq!(json.status, StatusCode::CONFLICT);
    assert!(json.body.contains(r#""reason":"filled""#), "{}", json.body);
}

#[tokio::test]
async fn opening_an_action_address_goes_to_the_page_and_acts_not() {
    let app = TestApp::new().await;
    let links = offers(&app).await;
    for action in ["accept", "decline", "withdraw"] {
        let reloaded = get(&app, &format!("{}/{action}", links[0]), "text/html").await;
        assert_eq!(reloaded.status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(reloaded.location(), Some(links[0].as_str()), "{action}");
    }
    let page = get(&app, &links[0], "text/html").await;
    assert!(page.body.contains("Dieser Einsatz ist noch offen") || page.body.contains("Annehmen"));
    // Nothing happened: the offer can still be accepted.
    assert_eq!(
        app.post_form(&format!("{}/accept", links[0]), None, "")
            .await
            .location(),
        Some(format!("{}?done=accepted", links[0]).as_str())
    );
}

#[tokio::test]
async fn other_methods_on_a_link_answer_405_with_allow() {
    let app = TestApp::new().await;
    let put = |accept: &'static str| {
        from(
            "192.0.2.20:4000",
            Request::builder()
                .method(Method::PUT)
                .uri("/o/some-token/accept")
                .header(ACCEPT, accept)
                .header(ORIGIN, BASE),
            Body::empty(),
        )
    };
    let page = app.send(put("text/html")).await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(page.headers[ALLOW].to_str().unwrap().contains("POST"));
    assert!(
        page.body.contains("Nicht möglich") && page.body.contains("<html"),
        "{}",
        page.body
    );
    let json = app.send(put("application/json")).await;
    assert_eq!(json.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(json.headers[ALLOW].to_str().unwrap().contains("GET"));
    let body: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn guessed_tokens_answer_404_until_the_budget_is_spent_then_429() {
    let app = TestApp::new().await;
    let guesser = "203.0.113.9:5000";
    let started = std::time::Instant::now();
    for i in 0..60 {
        let request = Request::get(format!("/o/guess-{i}")).header(ACCEPT, "text/html");
        let reply = app.send(from(guesser, request, Body::empty())).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "guess {i}");
    }
    let mut throttled = 0;
    for i in 60..150 {
        let (path, accept) = match i % 3 {
            0 => (format!("/o/guess-{i}/accept"), "text/html"),
            1 => (format!("/t/guess-{i}"), "application/json"),
            _ => (format!("/calendar/guess-{i}.ics"), "text/calendar"),
        };
        let request = if i % 3 == 0 {
            Request::post(path).header(ACCEPT, accept).header(ORIGIN, BASE)
        } else {
            Request::get(path).header(ACCEPT, accept)
        };
        let reply = app.send(from(guesser, request, Body::empty())).await;
        assert!(!reply.status.is_server_error(), "guess {i}: {}", reply.status);
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
            let wait: u64 = reply.headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
            assert!((1..=2).contains(&wait), "Retry-After {wait}");
            if accept == "application/json" {
                let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
                assert_eq!(body["error"]["code"], "rate_limited");
            } else {
                assert!(reply.body.contains("Zu viele Aufrufe"), "{}", reply.body);
            }
        }
    }
    // One more guess is allowed each second the run took.
    let refilled = usize::try_from(started.elapsed().as_secs()).unwrap() + 1;
    assert!(
        throttled + refilled >= 90,
        "only {throttled} of 90 guesses past the budget were throttled in {refilled} s"
    );
    // Another address is not held up by this one.
    let other = app
        .send(from("198.51.100.4:5000", Request::get("/o/guess-x"), Body::empty()))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
