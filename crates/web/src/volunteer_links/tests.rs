//! The `/v` page's Ehrenamtsnachweis form through the real router: the same answer for every
//! address, a 422 naming the field for a bad year or address, as a page and as JSON.

use crate::test_app::{BASE, TestApp, peer};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{ACCEPT, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

async fn nachweis_mails(db: &DatabaseConnection) -> Vec<String> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT to_address FROM outbox_emails WHERE kind = 'nachweis'",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get("", "to_address").unwrap())
    .collect()
}

async fn post_json_accepting(app: &TestApp, form: &str) -> crate::test_app::Reply {
    let mut request = Request::post("/v/nachweis")
        .header(HOST, "pool.test")
        .header(ORIGIN, BASE)
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(peer()));
    app.send(request).await
}

#[tokio::test]
async fn the_page_offers_the_nachweis_with_last_year_chosen() {
    let app = TestApp::new().await;
    let page = app.get("/v", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"action="/v/nachweis""#), "{}", page.body);
    assert!(page.body.contains("Ehrenamtsnachweis per E-Mail anfordern"));
    assert!(page.body.contains("confirmation of voluntary work by email"));
    // The clock stands in November 2026: this year and the five before, last year chosen.
    assert!(page.body.contains(r#"<option value="2025" selected>"#), "{}", page.body);
    assert!(page.body.contains(r#"<option value="2026">"#) && page.body.contains(r#"<option value="2021">"#));
    assert!(!page.body.contains(r#"<option value="2020">"#));
}

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_answer() {
    let app = TestApp::new().await;
    app.volunteer("Amal Haddad", "amal@example.org", "ara").await;
    let unknown = app
        .post_form("/v/nachweis", None, "email=nobody%40example.org&year=2025")
        .await;
    let known = app
        .post_form("/v/nachweis", None, "email=Amal%40Example.org&year=2025")
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.body, unknown.body, "the answer must not tell who is in the pool");
    assert!(
        known.body.contains("Wenn die Adresse bei uns hinterlegt ist")
            && known.body.contains("If we have this address")
    );
    assert_eq!(known.headers["cache-control"], "no-store");
    assert_eq!(nachweis_mails(&app.db.conn).await, ["amal@example.org"]);

    let json = post_json_accepting(&app, "email=nobody%40example.org").await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.body, r#"{"result":"requested"}"#);
}

#[tokio::test]
async fn a_bad_year_or_address_is_a_422_naming_the_field() {
    let app = TestApp::new().await;
    app.volunteer("Amal Haddad", "amal@example.org", "ara").await;
    for year in ["2019", "2027", "letztes"] {
        let refused = app
            .post_form("/v/nachweis", None, &format!("email=amal%40example.org&year={year}"))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{year}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("Jahr:") && refused.body.contains("Year:"),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains(r#"<select name="year" class="bad" aria-invalid="true">"#)
        );
        // The address stays in the form.
        assert!(refused.body.contains(r#"value="amal@example.org""#));
        let json = post_json_accepting(&app, &format!("email=amal%40example.org&year={year}")).await;
        assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(body["error"]["field"], "year", "{}", json.body);
    }
    let malformed = app
        .post_form("/v/nachweis", None, "email=not-an-address&year=2025")
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(malformed.body.contains("E-Mail-Adresse:") && malformed.body.contains("Email address:"));
    let json = post_json_accepting(&app, "email=not-an-address&year=2025").await;
    let body: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(body["error"]["field"], "email", "{}", json.body);
    assert!(nachweis_mails(&app.db.conn).await.is_empty());
}
