//! The API's edges through the real router: the per-user rate limit, 405 in the error shape,
//! and a JSON merge patch sent with its own media type.

use crate::WebSettings;
use crate::test_app::{BASE, TestApp};
use crate::throttle::{Budget, LINK_BUDGET};
use axum::body::Body;
use axum::http::header::{ACCEPT, ALLOW, AUTHORIZATION, CONTENT_TYPE, HOST, RETRY_AFTER};
use axum::http::{Method, Request, StatusCode};
use lp_core::vocab::Role;
use lp_registry::sessions::SessionPolicy;
use serde_json::Value;
use std::time::Duration;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<(&str, &str)>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, "pool.test")
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some((content_type, text)) => {
            request = request.header(CONTENT_TYPE, content_type);
            Body::from(text.to_owned())
        }
        None => Body::empty(),
    };
    let reply = app.send(request.body(body).unwrap()).await;
    (
        reply.status,
        reply.headers,
        serde_json::from_str(&reply.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_user_past_its_budget_gets_429_rate_limited_and_others_do_not() {
    let budget = Budget {
        burst: 3,
        refill_every: Duration::from_secs(60),
    };
    let web = WebSettings::new(BASE, SessionPolicy::default(), Vec::new()).with_rate_limits(LINK_BUDGET, budget);
    let app = TestApp::with_web(web).await;
    let busy = app.api_token(Role::Coordinator, None, "busy@example.org").await;
    let other = app.api_token(Role::Coordinator, None, "other@example.org").await;
    for _ in 0..3 {
        let (status, _, _) = call(&app, Method::GET, "/api/v1/organisations", &busy, None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) = call(&app, Method::GET, "/api/v1/organisations", &busy, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    let wait: u64 = headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let (status, _, _) = call(&app, Method::GET, "/api/v1/organisations", &other, None).await;
    assert_eq!(status, StatusCode::OK, "another user has a budget of its own");
}

#[tokio::test]
async fn a_wrong_method_is_405_in_the_error_shape_with_allow() {
    let app = TestApp::new().await;
    let token = app.api_token(Role::Coordinator, None, "co@example.org").await;
    let (status, headers, body) = call(&app, Method::PUT, "/api/v1/organisations", &token, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
    let allow = headers[ALLOW].to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

#[tokio::test]
async fn a_page_answers_a_wrong_method_with_a_page_and_allow() {
    let app = TestApp::new().await;
    let request = Request::builder()
        .method(Method::DELETE)
        .uri("/login")
        .header(HOST, "pool.test")
        .header(ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.headers[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(reply.headers[ALLOW].to_str().unwrap().contains("POST"));
}

#[tokio::test]
async fn patch_takes_a_merge_patch_media_type() {
    let app = TestApp::new().await;
    let token = app.api_token(Role::Coordinator, None, "co@example.org").await;
    let id = app.volunteer("Selam T.", "selam@example.org", "tir").await;
    let path = format!("/api/v1/volunteers/{id}");
    for (content_type, phone) in [
        ("application/merge-patch+json", "+49 151 111111"),
        ("application/json", "+49 151 222222"),
    ] {
        let body = format!(r#"{{"phone": "{phone}"}}"#);
        let (status, _, answer) = call(&app, Method::PATCH, &path, &token, Some((content_type, &body))).await;
        assert_eq!(status, StatusCode::OK, "{content_type}: {answer}");
        assert_eq!(answer["phone"], phone);
    }
    let (status, _, answer) = call(&app, Method::PATCH, &path, &token, Some(("text/plain", "{}"))).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
    // Only a PATCH is a merge patch.
    let (status, _, _) = call(
        &app,
        Method::POST,
        "/api/v1/organisations",
        &token,
        Some(("application/merge-patch+json", r#"{"name": "Caritas"}"#)),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn an_empty_or_repeated_query_parameter_is_422_naming_it() {
    let app = TestApp::new().await;
    let token = app.api_token(Role::Coordinator, None, "co@example.org").await;
    for (path, field) in [
        ("/api/v1/requests?limit=", "limit"),
        ("/api/v1/volunteers?language=", "language"),
        ("/api/v1/audit?to=", "to"),
        ("/api/v1/volunteers?status=active&status=paused", "status"),
        ("/api/v1/requests?limit=5&limit=5", "limit"),
    ] {
        let (status, _, body) = call(&app, Method::GET, path, &token, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
    }
    let (status, _, _) = call(&app, Method::GET, "/api/v1/volunteers?language=tir", &token, None).await;
    assert_eq!(status, StatusCode::OK);
}

/// What the document forbids in a volunteer, the server refuses; and the document says so.
#[tokio::test]
async fn the_document_states_what_the_server_refuses_in_a_volunteer() {
    let app = TestApp::new().await;
    let token = app.api_token(Role::Coordinator, None, "co@example.org").await;
    let (_, _, doc) = call(&app, Method::GET, "/api/openapi.json", &token, None).await;
    let input = &doc["components"]["schemas"]["VolunteerInput"]["properties"];
    assert_eq!(input["modes"]["minItems"], 1);
    assert_eq!(input["languages"]["minItems"], 1);
    assert_eq!(input["max_assignments_per_month"]["minimum"], 1);
    assert_eq!(input["name"]["pattern"], crate::openapi::REQUIRED_TEXT_PATTERN);
    let completion = &doc["components"]["schemas"]["CompletionInput"]["properties"]["actual_minutes"];
    assert_eq!(completion["type"], "integer");

    let valid = serde_json::json!({
        "name": "Selam T.", "email": "selam@example.org",
        "languages": [{"code": "tir", "proficiency": "native"}],
        "german_level": "B2", "modes": ["phone"], "max_assignments_per_month": 4.0,
    });
    for (field, value) in [
        ("modes", serde_json::json!([])),
        ("max_assignments_per_month", serde_json::json!(-1)),
        ("max_assignments_per_month", serde_json::json!(2.5)),
        ("name", serde_json::json!("Selam\u{7}")),
        ("name", serde_json::json!("   ")),
    ] {
        let mut body = valid.clone();
        body[field] = value.clone();
        let (status, _, answer) = call(
            &app,
            Method::POST,
            "/api/v1/volunteers",
            &token,
            Some(("application/json", &body.to_string())),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field} = {value}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{field} = {value}: {answer}");
    }
    // An integral float is an integer, as the document's `integer` allows it.
    let (status, _, answer) = call(
        &app,
        Method::POST,
        "/api/v1/volunteers",
        &token,
        Some(("application/json", &valid.to_string())),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["max_assignments_per_month"], 4);
}
