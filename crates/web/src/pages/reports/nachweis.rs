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
use lp_reports::rules::hours;
use lp_reports::tables::{Cell, Locale};

struct SettingLine {
    de: &'static str,
    en: &'static str,
    assignments: u32,
    hours_de: String,
}

struct TrainingLine {
    title: String,
    kind_de: &'static str,
    kind_en: &'static str,
    day: String,
}

#[derive(Template)]
#[template(path = "staff/nachweis.html")]
struct NachweisPage {
    volunteer_id: String,
    name: String,
    year: i32,
    pool: String,
    address: Option<String>,
    coordinator: String,
    empty: bool,
    assignments: u32,
    hours_de: String,
    hours_en: String,
    settings: Vec<SettingLine>,
    trainings: Vec<TrainingLine>,
    allowance: Option<(String, String)>,
    issued_on: String,
}

fn hours_text(minutes: u64, locale: Locale) -> String {
    Cell::Decimal {
        value: hours(minutes),
        places: 1,
    }
    .display(locale)
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
    let euros = |cents: u64, locale| {
        Cell::Decimal {
            value: cents as f64 / 100.0,
            places: 2,
        }
        .display(locale)
    };
    let mut response = render(&NachweisPage {
        volunteer_id: id.to_string(),
        name: record.name.clone(),
        year,
        pool: organisation.name.clone(),
        address: organisation.address.clone(),
        coordinator: organisation.coordinator_name.clone(),
        empty: record.is_empty(),
        assignments: record.assignments,
        hours_de: hours_text(record.minutes, Locale::De),
        hours_en: hours_text(record.minutes, Locale::En),
        settings: record
            .by_setting
            .iter()
            .map(|s| SettingLine {
                de: s.setting.name_de(),
                en: s.setting.name_en(),
                assignments: s.assignments,
                hours_de: hours_text(s.minutes, Locale::De),
            })
            .collect(),
        trainings: record
            .trainings
            .iter()
            .map(|t| TrainingLine {
                title: t.title.clone(),
                kind_de: t.kind.name_de(),
                kind_en: t.kind.name_en(),
                day: t.day.format("%d.%m.%Y").to_string(),
            })
            .collect(),
        allowance: record
            .allowance_cents
            .filter(|cents| *cents > 0)
            .map(|cents| (euros(cents, Locale::De), euros(cents, Locale::En))),
        issued_on: lp_core::when::date(&state.clock.now()),
    });
    if record.is_empty() {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(response)
}
