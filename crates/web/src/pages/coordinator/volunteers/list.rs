//! The volunteer list: filtered by language (macrolanguages included), status and training
//! status, each row with languages, German level and training validity.

use super::{VolunteerTexts, training_shown};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::i18n::Lang;
use crate::pages::requests::{common_languages, language_label};
use crate::pages::{Layout, Opt, OrPage, PageError, choose, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lp_core::validation::FieldError;
use lp_core::vocab::{TrainingStatus, VolunteerStatus};
use lp_registry::volunteers::{self, VolunteerFilter};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    language: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    training: String,
}

struct ListRow {
    id: String,
    name: String,
    languages: Vec<(String, &'static str)>,
    status: &'static str,
    training: &'static str,
    valid_until: String,
    german_level: &'static str,
}

#[derive(Template)]
#[template(path = "staff/volunteers.html")]
struct ListPage {
    layout: Layout,
    t: &'static VolunteerTexts,
    query: ListQuery,
    statuses: Vec<Opt>,
    trainings: Vec<Opt>,
    languages: Vec<String>,
    rows: Vec<ListRow>,
    error: Option<FieldError>,
}

impl ListQuery {
    fn filter(&self) -> Result<VolunteerFilter, FieldError> {
        let language = match self.language.trim() {
            "" => None,
            text => Some(lp_core::languages::find(text).ok_or_else(|| {
                FieldError::new(
                    "language",
                    format!("`{text}` is not a known language name or ISO 639-3 code"),
                )
            })?),
        };
        let status = match self.status.trim() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("status", e.to_string()))?,
            ),
        };
        let training = match self.training.trim() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("training", e.to_string()))?,
            ),
        };
        Ok(VolunteerFilter {
            language,
            status,
            training,
        })
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = VolunteerTexts::of(lang);
    let (filter, error) = match query.filter() {
        Ok(filter) => (Some(filter), None),
        Err(error) => (None, Some(error)),
    };
    let validity = state.requests.training_validity_months;
    let rows = match &filter {
        Some(filter) => volunteers::list(&state.db, filter, state.today(), validity)
            .await
            .or_page(lang)?,
        None => Vec::new(),
    };
    let rows = rows
        .iter()
        .map(|v| {
            let (training, valid_until) = training_shown(lang, &v.training(state.today(), validity));
            ListRow {
                id: v.id.to_string(),
                name: v.name.clone(),
                languages: v
                    .languages
                    .iter()
                    .map(|l| {
                        let proficiency = lang.pick(l.proficiency.name_de(), l.proficiency.name_en());
                        (language_label(lang, l.code), proficiency)
                    })
                    .collect(),
                status: lang.pick(v.status.name_de(), v.status.name_en()),
                training,
                valid_until,
                german_level: lang.pick(v.german_level.name_de(), v.german_level.name_en()),
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&ListPage {
        layout: Layout::new(lang, &staff, t.volunteers, "/volunteers"),
        t,
        statuses: choose(
            VolunteerStatus::ALL,
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &[query.status.trim()],
        ),
        trainings: choose(
            TrainingStatus::ALL,
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &[query.training.trim()],
        ),
        languages: common_languages(lang),
        query,
        rows,
        error,
    });
    *response.status_mut() = status;
    Ok(response)
}
