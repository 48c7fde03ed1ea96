//! One request's pages: its details with the timeline and the "why so few" hint, cancel and
//! complete; for coordinators its ranked candidates and the excluded with their rule.

use super::{RequestTexts, Row, language_label, optional, when, wording};
use crate::AppState;
use crate::auth::{SignedIn, Staff};
use crate::extract::{PathParam, parse_id};
use crate::i18n::Lang;
use crate::pages::{Layout, OrPage, PageError, render};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset};
use lp_core::validation::FieldError;
use lp_core::vocab::OfferState;
use lp_requests::RequestError;
use lp_requests::input::CompletionInput;
use lp_requests::lifecycle;

use super::way_forward::{HintBox, SuggestionView};
use lp_matcher::Rule;
use lp_requests::view::RequestView;
use serde::Deserialize;

struct Event {
    at: String,
    text: String,
}

struct SeriesRow {
    id: String,
    when: String,
    state: String,
    this: bool,
}

#[derive(Template)]
#[template(path = "staff/request.html")]
struct RequestPage {
    layout: Layout,
    t: &'static RequestTexts,
    request: RequestView,
    row: Row,
    /// The deadline of the search, in the reader's format and the pool's zone.
    fill_by: String,
    events: Vec<Event>,
    hint: Option<HintBox>,
    /// The series' dates: when, the date's status or who has it, and whether it is this one.
    series: Vec<SeriesRow>,
    /// A later date of the series can still be cancelled with this one.
    later_cancellable: bool,
    can_cancel: bool,
    can_complete: bool,
    error: Option<String>,
}

fn timeline(lang: Lang, t: &RequestTexts, request: &RequestView) -> Vec<Event> {
    let stamp = |at: DateTime<FixedOffset>| when(lang, at);
    let mut events: Vec<(DateTime<FixedOffset>, String)> = vec![(request.created_at, t.created.to_owned())];
    for offer in &request.offers {
        events.push((
            offer.sent_at,
            format!(
                "{} {} ({} {})",
                t.offer_sent, offer.volunteer_name, t.offer_wave, offer.wave
            ),
        ));
        if let Some(at) = offer.responded_at {
            if offer.state == OfferState::Sent {
                continue;
            }
            let what = lang.pick(offer.state.name_de(), offer.state.name_en());
            events.push((at, format!("{}: {what}", offer.volunteer_name)));
        }
    }
    for (at, label) in [
        (request.assigned_at, t.assigned_at),
        (request.completed_at, t.completed_at),
        (request.cancelled_at, t.cancelled_at),
        (request.reminded_at, t.reminded_at),
    ] {
        if let Some(at) = at {
            events.push((at, label.to_owned()));
        }
    }
    events.sort_by_key(|(at, _)| *at);
    events
        .into_iter()
        .map(|(at, text)| Event { at: stamp(at), text })
        .collect()
}

async fn request_page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    id: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let (id, now) = (parse_id(id).or_page(lang)?, state.clock.now());
    let request = lifecycle::view(&state.db, staff.actor(), id, now).await.or_page(lang)?;
    let hint = lifecycle::search_hint(&state.db, staff.scope(), id, &state.requests, now)
        .await
        .or_page(lang)?
        .map(|hint| HintBox::of(lang, &hint, false));
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let series: Vec<SeriesRow> = request
        .series
        .iter()
        .flat_map(|s| s.dates.iter())
        .map(|date| SeriesRow {
            id: date.request_id.to_string(),
            when: when(lang, date.starts_at),
            state: if date.held {
                t.series_held.to_owned()
            } else {
                match &date.assignee_name {
                    Some(name) if date.status != lp_core::vocab::RequestStatus::Cancelled => {
                        format!("{} – {name}", lang.pick(date.status.name_de(), date.status.name_en()))
                    }
                    _ => lang.pick(date.status.name_de(), date.status.name_en()).to_owned(),
                }
            },
            this: date.request_id == request.id,
        })
        .collect();
    let later_cancellable = request.series.as_ref().is_some_and(|s| {
        s.dates
            .iter()
            .any(|d| d.position > s.position && lp_requests::rules::CANCELLABLE.contains(&d.status))
    });
    let mut response = render(&RequestPage {
        layout: Layout::new(
            lang,
            staff,
            language_label(lang, request.language),
            format!("/requests/{id}"),
        ),
        t,
        row: Row::of(lang, &request, now),
        fill_by: when(lang, request.fill_by),
        events: timeline(lang, t, &request),
        // Once it has begun the page offers completing it, not cancelling.
        can_cancel: request.is_cancellable() && request.starts_at > now,
        can_complete: request.awaits_completion(now),
        request,
        hint,
        series,
        later_cancellable,
        error,
    });
    *response.status_mut() = status;
    Ok(response)
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    request_page(&state, lang, &staff, &id, None).await
}

#[derive(Deserialize)]
pub(super) struct CancelForm {
    /// "1" from the button that cancels this and every later date of the series.
    #[serde(default)]
    rest_of_series: String,
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
    Form(form): Form<CancelForm>,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    let rest_of_series = form.rest_of_series == "1";
    match lifecycle::cancel(&state.db, staff.actor(), parsed, rest_of_series, state.clock.now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            Ok(Redirect::to(&format!("/requests/{id}")).into_response())
        }
        Err(RequestError::Conflict(message)) => request_page(&state, lang, &staff, &id, Some(message)).await,
        Err(err) => Err(PageError::new(lang, err)),
    }
}

#[derive(Deserialize)]
pub(super) struct CompleteForm {
    #[serde(default)]
    actual_minutes: String,
    #[serde(default)]
    feedback: String,
}

pub(super) async fn complete(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
    Form(form): Form<CompleteForm>,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    let Ok(actual_minutes) = form.actual_minutes.trim().parse() else {
        let message = FieldError::new("actual_minutes", "a number of minutes").to_string();
        return request_page(&state, lang, &staff, &id, Some(message)).await;
    };
    let input = CompletionInput {
        actual_minutes,
        feedback: optional(&form.feedback),
    };
    match lifecycle::complete(&state.db, staff.actor(), parsed, &input, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
        Err(RequestError::Conflict(message)) => request_page(&state, lang, &staff, &id, Some(message)).await,
        Err(RequestError::Invalid(error)) => request_page(&state, lang, &staff, &id, Some(error.to_string())).await,
        Err(err) => Err(PageError::new(lang, err)),
    }
}

struct ExcludedRow {
    name: String,
    rule: &'static str,
    explanation: &'static str,
}

#[derive(Template)]
#[template(path = "staff/candidates.html")]
struct CandidatesPage {
    layout: Layout,
    t: &'static RequestTexts,
    id: String,
    /// How many speak the language, qualify, and do not speak it.
    summary: String,
    /// Each part's name and what it measures (the column's title).
    parts: Vec<(&'static str, &'static str)>,
    rows: Vec<(String, String, Vec<String>)>,
    excluded: Vec<ExcludedRow>,
    suggestions: Vec<SuggestionView>,
    one_step: Vec<OneStepRow>,
}

/// Speakers a single step from qualifying, with what the coordinator can do about it.
struct OneStepRow {
    explanation: &'static str,
    people: Vec<(String, String)>,
    /// Where the step is taken for all of them at once (the next training, with them ticked),
    /// and its label; else each name links to the volunteer's record.
    action: Option<(String, &'static str)>,
}

/// A score with two decimals, in the reader's notation: "0,55" or "0.55".
fn decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.2}");
    lang.pick(text.replace('.', ","), text)
}

pub(super) async fn candidates(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let parsed = parse_id(&id).or_page(lang)?;
    let view = lifecycle::view_candidates(&state.db, staff.actor(), parsed, &state.requests, state.clock.now())
        .await
        .or_page(lang)?;
    let parts = lp_matcher::ScorePart::ALL
        .iter()
        .map(|part| {
            (
                lang.pick(part.name_de(), part.name_en()),
                lang.pick(part.description_de(), part.description_en()),
            )
        })
        .collect();
    let rows = view
        .candidates
        .iter()
        .map(|c| {
            // In the order of `parts`, the column headers.
            let cells = lp_matcher::ScorePart::ALL
                .iter()
                .map(|part| decimal(lang, c.ranked.parts.get(*part)))
                .collect();
            (c.name.clone(), decimal(lang, c.ranked.score), cells)
        })
        .collect();
    let excluded = view
        .excluded
        .iter()
        .map(|e| ExcludedRow {
            name: e.name.clone(),
            rule: lang.pick(e.exclusion.rule.name_de(), e.exclusion.rule.name_en()),
            explanation: lang.pick(e.explanation_de, e.explanation_en),
        })
        .collect();
    let next_course = match staff.coordinator() {
        Some(by) if view.one_step_away.iter().any(|g| g.rule == Rule::Untrained) => {
            lp_trainings::trainings::next_course(&state.db, &by, state.clock.now())
                .await
                .or_page(lang)?
        }
        _ => None,
    };
    let one_step = view
        .one_step_away
        .iter()
        .map(|group| {
            let people: Vec<(String, String)> = group
                .volunteers
                .iter()
                .map(|v| (v.volunteer_id.to_string(), v.name.clone()))
                .collect();
            let action = match (group.rule, &next_course) {
                (Rule::Untrained, Some(course)) => {
                    let ticked: Vec<String> = people.iter().map(|(id, _)| format!("choose={id}")).collect();
                    Some((
                        format!("/trainings/{}?{}#invite-chosen", course.id, ticked.join("&")),
                        t.invite_to,
                    ))
                }
                (Rule::Untrained, None) if staff.coordinator().is_some() => {
                    Some(("/trainings/new".to_owned(), t.plan_training))
                }
                _ => None,
            };
            OneStepRow {
                explanation: lang.pick(group.explanation_de, group.explanation_en),
                people,
                action,
            }
        })
        .collect();
    Ok(render(&CandidatesPage {
        layout: Layout::new(lang, &staff, t.candidates, format!("/requests/{id}/candidates")),
        t,
        id,
        suggestions: view.suggestions.iter().map(|s| SuggestionView::of(lang, s)).collect(),
        summary: format!(
            "{}{}.",
            wording::speakers_and_qualifying(lang, view.speakers, view.candidates.len()),
            wording::not_speaking(lang, view.excluded_for_language)
        ),
        parts,
        rows,
        excluded,
        one_step,
    }))
}
