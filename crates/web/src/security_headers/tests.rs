//! The security headers on every kind of answer, through the real router.

use super::CSP;
use crate::WebSettings;
use crate::test_app::{BASE, TestApp};
use axum::body::Body;
use axum::http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_SECURITY_POLICY, HOST, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, Request, StatusCode};
use lp_core::vocab::Role;
use lp_registry::sessions::SessionPolicy;

fn assert_safe(what: &str, headers: &HeaderMap, referrer: &str) {
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{what}: {directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe"), "{what}: {csp}");
    assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(headers[X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(headers[REFERRER_POLICY], referrer, "{what}");
    assert!(
        !headers.contains_key(STRICT_TRANSPORT_SECURITY),
        "{what}: HSTS over http"
    );
}

async fn get(app: &TestApp, path: &str, accept: &str, token: Option<&str>) -> crate::test_app::Reply {
    let mut request = Request::get(path).header(HOST, "pool.test").header(ACCEPT, accept);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn pages_api_answers_errors_and_link_pages_carry_the_headers() {
    let app = TestApp::new().await;
    let token = app.api_token(Role::Coordinator, None, "co@example.org").await;

    let page = get(&app, "/login", "text/html", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_safe("a page", &page.headers, "same-origin");

    let api = get(&app, "/api/v1/volunteers", "application/json", Some(&token)).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_safe("an API answer", &api.headers, "same-origin");

    let error = get(&app, "/api/v1/nowhere", "application/json", None).await;
    assert_eq!(error.status, StatusCode::NOT_FOUND);
    assert_safe("an error", &error.headers, "same-origin");

    let link = get(&app, "/o/not-a-token", "text/html", None).await;
    assert_eq!(link.status, StatusCode::NOT_FOUND);
    assert!(link.body.contains("Link unbekannt"));
    assert_safe("a link page", &link.headers, "no-referrer");
    let calendar = get(&app, "/calendar/not-a-token.ics", "text/calendar", None).await;
    assert_safe("a calendar feed", &calendar.headers, "no-referrer");

    let style = get(&app, "/static/link.css", "text/css", None).await;
    assert_eq!(style.status, StatusCode::OK);
    assert!(style.body.contains(".card"));
}

#[tokio::test]
async fn hsts_only_when_the_public_base_url_is_https() {
    let app = TestApp::with_web(WebSettings::new(
        "https://pool.example.org",
        SessionPolicy::default(),
        Vec::new(),
    ))
    .await;
    let page = get(&app, "/login", "text/html", None).await;
    assert_eq!(page.headers[STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    let plain = TestApp::new().await;
    assert!(BASE.starts_with("http://"));
    let page = get(&plain, "/healthz", "*/*", None).await;
    assert!(!page.headers.contains_key(STRICT_TRANSPORT_SECURITY));
}

/// The CSP allows no inline script or style, so no template may hold one.
#[test]
fn templates_hold_no_inline_script_or_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut dirs = vec![dir];
    let mut seen = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            seen += 1;
            let text = std::fs::read_to_string(&path).unwrap().to_ascii_lowercase();
            for inline in [
                "<style",
                " style=",
                " onclick=",
                " onload=",
                " onsubmit=",
                " onchange=",
                "javascript:",
            ] {
                assert!(
                    !text.contains(inline),
                    "{}: `{inline}` needs 'unsafe-inline'",
                    path.display()
                );
            }
            for (at, _) in text.match_indices("<script") {
                let tag = &text[at..at + text[at..].find('>').unwrap()];
                assert!(tag.contains(" src="), "{}: an inline <script>", path.display());
            }
        }
    }
    assert!(seen > 20, "{seen} templates");
    assert!(CSP.contains("script-src 'self';"));
}
