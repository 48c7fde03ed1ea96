//! Sign-in, sessions, cross-site protection and throttling, through the real router.

use crate::WebSettings;
use crate::test_app::{BASE, PASSWORD, TestApp, enc, peer};
use axum::http::StatusCode;
use chrono::Duration;
use lp_core::Clock;
use lp_core::vocab::Role;
use lp_registry::password_links;
use lp_registry::sessions::SessionPolicy;

#[tokio::test]
async fn login_sets_a_fresh_httponly_lax_cookie_and_opens_the_dashboard() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;

    let form = app.get("/login", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"password\""));

    let reply = app
        .post_form(
            "/login",
            None,
            &format!(
                "email=cw%40example.org&password={}&next=%2Frequests%2Fnew",
                enc(PASSWORD)
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), Some("/requests/new"));
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("lp_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain http base URL: {cookie}");

    let session = reply.session().unwrap();
    let dashboard = app.get("/", Some(&session)).await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    assert!(dashboard.body.contains("Name of cw@example.org"));
    assert_eq!(dashboard.headers.get("cache-control").unwrap(), "no-store");
}

#[tokio::test]
async fn https_base_url_makes_the_cookie_secure_with_host_prefix() {
    let app = TestApp::with_web(WebSettings::new(
        "https://pool.example.org",
        SessionPolicy::default(),
        vec![],
    ))
    .await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let reply = app
        .post_form_from(
            "/login",
            None,
            &format!("email=co%40example.org&password={}", enc(PASSWORD)),
            Some("https://pool.example.org"),
            peer(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let cookie = reply.set_cookies().join("\n");
    assert!(cookie.starts_with("__Host-lp_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/"));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let wrong = app
        .post_form("/login", None, "email=co%40example.org&password=nope-nope-nope")
        .await;
    let unknown = app
        .post_form("/login", None, "email=who%40example.org&password=nope-nope-nope")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.session().is_none() && unknown.session().is_none());
    let message = |body: &str| {
        body.split("id=\"login-error\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(message(&wrong.body), message(&unknown.body));
}

#[tokio::test]
async fn login_rotates_the_session_and_the_planted_id_dies() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let first = app.login("co@example.org").await;
    let second_reply = app
        .post_form(
            "/login",
            Some(&first),
            &format!("email=co%40example.org&password={}", enc(PASSWORD)),
        )
        .await;
    let second = second_reply.session().unwrap();
    assert_ne!(first, second, "a fresh id at every login");
    assert_eq!(app.get("/", Some(&second)).await.status, StatusCode::OK);
    let old = app.get("/", Some(&first)).await;
    assert_eq!(old.status, StatusCode::SEE_OTHER, "the id from before is useless");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let session = app.login("co@example.org").await;
    let reply = app.post_form("/logout", Some(&session), "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(
        reply
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("lp_session=;") && c.contains("Max-Age=0"))
    );
    // The browser may forget to drop the cookie; the server has.
    let after = app.get("/", Some(&session)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location().unwrap().starts_with("/login?next="));
    let api = app.get("/api/v1/requests", Some(&session)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let session = app.login("co@example.org").await;
    app.clock.advance(Duration::minutes(119));
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(121));
    assert_eq!(
        app.get("/", Some(&session)).await.status,
        StatusCode::SEE_OTHER,
        "idle too long"
    );

    let busy = app.login("co@example.org").await;
    for _ in 0..12 {
        app.clock.advance(Duration::minutes(59));
        assert_eq!(app.get("/", Some(&busy)).await.status, StatusCode::OK);
    }
    app.clock.advance(Duration::minutes(59));
    assert_eq!(
        app.get("/", Some(&busy)).await.status,
        StatusCode::SEE_OTHER,
        "12 hours at most"
    );
}

#[tokio::test]
async fn session_cookie_works_on_the_api_too() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let session = app.login("cw@example.org").await;
    let reply = app.get("/api/v1/requests", Some(&session)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "[]");
}

#[tokio::test]
async fn foreign_origin_is_refused_on_login_and_forms() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let form = format!("email=co%40example.org&password={}", enc(PASSWORD));
    let foreign = app
        .post_form_from("/login", None, &form, Some("https://evil.example"), peer())
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.session().is_none());

    let session = app.login("co@example.org").await;
    let logout = app
        .post_form_from("/logout", Some(&session), "", Some("https://evil.example"), peer())
        .await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/", Some(&session)).await.status,
        StatusCode::OK,
        "still signed in"
    );
    // Our own origin passes.
    let own = app
        .post_form_from("/logout", Some(&session), "", Some(BASE), peer())
        .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn throttling_ignores_a_spoofed_forwarded_for_from_an_untrusted_peer() {
    let app = TestApp::new().await;
    // Twenty attempts from one address, each claiming another origin in X-Forwarded-For and
    // aimed at a different account, use up the address's budget.
    for i in 0..20 {
        let reply = app
            .send(spoofed_login(
                &format!("user{i}@example.org"),
                &format!("203.0.113.{i}"),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let refused = app.send(spoofed_login("user99@example.org", "198.51.100.99")).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.get("retry-after").is_some());
}

#[tokio::test]
async fn trusted_proxy_forwarded_for_separates_clients() {
    let proxies = vec!["192.0.2.0/24".parse().unwrap()];
    let app = TestApp::with_web(WebSettings::new(BASE, SessionPolicy::default(), proxies)).await;
    for i in 0..20 {
        let reply = app
            .send(spoofed_login(&format!("user{i}@example.org"), "203.0.113.1"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.send(spoofed_login("x@example.org", "203.0.113.1")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Behind our proxy, another client has its own budget.
    assert_eq!(
        app.send(spoofed_login("x@example.org", "203.0.113.2")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn one_account_is_throttled_after_five_attempts() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    for _ in 0..5 {
        let reply = app
            .post_form("/login", None, "email=co%40example.org&password=wrong-wrong")
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let right = format!("email=co%40example.org&password={}", enc(PASSWORD));
    assert_eq!(
        app.post_form("/login", None, &right).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn spoofed_login(email: &str, forwarded_for: &str) -> axum::http::Request<axum::body::Body> {
    use axum::extract::ConnectInfo;
    let mut request = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(axum::body::Body::from(format!(
            "email={}&password=wrong-wrong",
            enc(email)
        )))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(peer()));
    request
}

#[tokio::test]
async fn invitation_link_sets_the_password_once() {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    let user = app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    let key = &app.requests.server_key;
    let token = password_links::create(&app.db.conn, key, user.id, app.clock.now())
        .await
        .unwrap()
        .token(key);

    let form = app.get(&format!("/password/{token}"), None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("cw@example.org"));
    let again = app.get(&format!("/password/{token}"), None).await;
    assert_eq!(again.status, StatusCode::OK, "GET never uses the link");

    let short = app
        .post_form(&format!("/password/{token}"), None, "password=short&repeat=short")
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = app
        .post_form(
            &format!("/password/{token}"),
            None,
            "password=a-new-long-one&repeat=a-new-long-one",
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let reused = app
        .post_form(
            &format!("/password/{token}"),
            None,
            "password=another-long-one&repeat=another-long-one",
        )
        .await;
    assert_eq!(reused.status, StatusCode::GONE);

    let old = app
        .post_form(
            "/login",
            None,
            &format!("email=cw%40example.org&password={}", enc(PASSWORD)),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .post_form("/login", None, "email=cw%40example.org&password=a-new-long-one")
        .await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn expired_or_unknown_invitation_links_show_no_form() {
    let app = TestApp::new().await;
    let user = app.staff(Role::Coordinator, None, "co@example.org").await;
    let key = &app.requests.server_key;
    let token = password_links::create(&app.db.conn, key, user.id, app.clock.now())
        .await
        .unwrap()
        .token(key);
    app.clock.advance(password_links::VALIDITY + Duration::minutes(1));
    let expired = app.get(&format!("/password/{token}"), None).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(!expired.body.contains("name=\"password\""));
    let posted = app
        .post_form(
            &format!("/password/{token}"),
            None,
            "password=a-new-long-one&repeat=a-new-long-one",
        )
        .await;
    assert_eq!(posted.status, StatusCode::GONE);
    assert_eq!(app.get("/password/nonsense", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let here = app.login("co@example.org").await;
    let elsewhere = app.login("co@example.org").await;
    let wrong = app
        .post_form(
            "/account/password",
            Some(&here),
            "current=guess-guess&password=a-new-long-one&repeat=a-new-long-one",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = format!(
        "current={}&password=a-new-long-one&repeat=a-new-long-one",
        enc(PASSWORD)
    );
    let changed = app.post_form("/account/password", Some(&here), &form).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let fresh = changed.session().expect("a fresh session for the one who changed it");
    assert_eq!(app.get("/", Some(&fresh)).await.status, StatusCode::OK);
    assert_eq!(app.get("/", Some(&elsewhere)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", Some(&here)).await.status, StatusCode::SEE_OTHER);
    let new = app
        .post_form("/login", None, "email=co%40example.org&password=a-new-long-one")
        .await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}
