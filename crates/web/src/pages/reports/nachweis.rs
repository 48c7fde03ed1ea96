//! The printable Ehrenamtsnachweis of one volunteer for one year: an A4 letter in German with
//! English below, from the organisation and coordinator in the configuration. A year without
//! any completed assignment or attended training has nothing to confirm: the page says so
//! and answers 404, so no empty confirmation is printed by mistake.

use crate::AppState;
use crate::auth::CoordinatorPage;
use crate::error::ApiError;
use crate::extract::parse_id;
use crate::i18n::Lang;
use crate::pages::{OrPage, PageError, render};
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use lp_notify::templates::NachweisRecord;

#[derive(Template)]
#[template(path = "staff/nachweis.html")]
struct NachweisPage {
    volunteer_id: String,
    name: String,
    year: i32,
    pool: String,
    address: Option<String>,
    coordinator: String,
    /// `None` for a year with nothing to confirm.
    record: Option<NachweisRecord>,
    issued_on: String,
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: Lang,
    CoordinatorPage(by): CoordinatorPage,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, PageError> {
    let Ok(Path((id, year))) = path else {
        return Err(PageError::new(lang, ApiError::NotFound));
    };
    let id = parse_id(&id).or_page(lang)?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    let record = lp_reports::volunteer_year(&state.db, &by, id, year, &state.reports)
        .await
        .or_page(lang)?;
    let organisation = &state.reports.organisation;
    let mut response = render(&NachweisPage {
        volunteer_id: id.to_string(),
        name: record.name.clone(),
        year,
        pool: organisation.name.clone(),
        address: organisation.address.clone(),
        coordinator: organisation.coordinator_name.clone(),
        record: lp_reports::nachweis_by_mail::worded(&record),
        issued_on: lp_core::when::date(&state.clock.now()),
    });
    if record.is_empty() {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(response)
}
