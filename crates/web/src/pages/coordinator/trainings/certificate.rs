//! The printable attendance confirmation (Teilnahmebescheinigung) for one attendee: a page of
//! its own, without the staff navigation, laid out as an A4 letter in German with English below.

use super::TrainingTexts;
use crate::AppState;
use crate::auth::CoordinatorPage;
use crate::error::ApiError;
use crate::extract::parse_id;
use crate::i18n::Lang;
use crate::pages::{OrPage, PageError, render};
use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use lp_core::time::POOL_TZ;
use lp_trainings::record;

#[derive(Template)]
#[template(path = "staff/training_certificate.html")]
struct CertificatePage {
    t: &'static TrainingTexts,
    training_id: String,
    name: String,
    title: String,
    kind_de: &'static str,
    kind_en: &'static str,
    duration: u32,
    location: String,
    trainer: Option<String>,
    date_de: String,
    date_en: String,
    issued_on: String,
    /// Who issues it, from the configuration (as on the Ehrenamtsnachweis).
    pool: String,
    address: Option<String>,
    coordinator: String,
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: Lang,
    CoordinatorPage(by): CoordinatorPage,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, PageError> {
    let Ok(Path((training_id, volunteer_id))) = path else {
        return Err(PageError::new(lang, ApiError::NotFound));
    };
    let training_id = parse_id(&training_id).or_page(lang)?;
    let volunteer_id = parse_id(&volunteer_id).or_page(lang)?;
    // Someone who did not attend has no certificate: a 404, as for an unknown training.
    let certificate = record::certificate(&state.db, &by, training_id, volunteer_id)
        .await
        .or_page(lang)?;
    let training = certificate.training;
    let day = training.starts_at_utc().with_timezone(&POOL_TZ);
    Ok(render(&CertificatePage {
        t: TrainingTexts::of(lang),
        training_id: training.id.to_string(),
        name: certificate.volunteer_name,
        kind_de: training.kind.name_de(),
        kind_en: training.kind.name_en(),
        duration: training.duration_minutes,
        location: training.location,
        trainer: training.trainer,
        date_de: day.format("%d.%m.%Y").to_string(),
        date_en: day.format("%-d %B %Y").to_string(),
        issued_on: lp_core::when::date(&state.clock.now()),
        pool: state.reports.organisation.name.clone(),
        address: state.reports.organisation.address.clone(),
        coordinator: state.reports.organisation.coordinator_name.clone(),
        title: training.title,
    }))
}
