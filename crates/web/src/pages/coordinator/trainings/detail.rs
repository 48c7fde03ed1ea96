//! One training's page: its facts and everyone invited, by state (the waiting list in order);
//! Edit, and Cancel behind a tick that confirms it (no script needed); the invitation forms
//! (their handler is in [`super::invite`]); and once the training has begun, the attendance
//! form with a certificate link beside each attendee.

use super::invite::{InviteForm, Reach, concerns};
use super::{TrainingTexts, kind_name, status, when};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn, Staff};
use crate::extract::{PathParam, parse_id};
use crate::i18n::Lang;
use crate::pages::requests::{common_codes, language_label};
use crate::pages::{Layout, Opt, OrPage, PageError, choose, render};
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lp_core::LanguageCode;
use lp_core::access::Coordinator;
use lp_core::validation::FieldError;
use lp_core::vocab::{InvitationState, VolunteerStatus};
use lp_registry::volunteers::{self, Volunteer, VolunteerFilter};
use lp_trainings::TrainingError;
use lp_trainings::input::AttendanceInput;
use lp_trainings::record;
use lp_trainings::rules::TrainingPhase;
use lp_trainings::trainings::{self, Participant};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// What the page shows beyond the stored training: a notice after a redirect, a preview, and
/// a refusal next to the form it concerns (or, for a conflict, above everything).
#[derive(Default)]
pub(super) struct Extras {
    pub(super) notice: Option<String>,
    pub(super) invite: Option<InviteForm>,
    pub(super) reach: Option<Reach>,
    pub(super) invite_error: Option<FieldError>,
    pub(super) attendance_error: Option<FieldError>,
    pub(super) cancel_error: Option<FieldError>,
    pub(super) problem: Option<String>,
}

impl Extras {
    fn status(&self) -> StatusCode {
        if self.problem.is_some() {
            StatusCode::CONFLICT
        } else if self.invite_error.is_some() || self.attendance_error.is_some() || self.cancel_error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}

struct Person {
    id: String,
    name: String,
    /// On the waiting list, from 1; 0 elsewhere.
    position: u32,
}

impl Person {
    fn of(p: &Participant) -> Self {
        Person {
            id: p.volunteer_id.to_string(),
            name: p.name.clone(),
            position: p.position.unwrap_or_default(),
        }
    }
}

struct AttendanceRow {
    id: String,
    name: String,
    state: String,
    checked: bool,
    attended: bool,
}

struct Choice {
    id: String,
    label: String,
    checked: bool,
}

struct PreviewView {
    text: String,
    names: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "staff/training.html")]
struct DetailPage {
    layout: Layout,
    t: &'static TrainingTexts,
    id: String,
    title: String,
    kind: &'static str,
    when: String,
    duration: u32,
    location: String,
    places: String,
    deadline: String,
    trainer: Option<String>,
    description: Option<String>,
    status: &'static str,
    badge: &'static str,
    registered: Vec<Person>,
    waiting: Vec<Person>,
    invited: Vec<Person>,
    declined: Vec<Person>,
    attended: Vec<Person>,
    can_change: bool,
    can_invite: bool,
    can_record: bool,
    begun: bool,
    cancelled: bool,
    form: InviteForm,
    needs: Vec<(&'static str, &'static str, bool)>,
    languages: Vec<(&'static str, String, bool)>,
    statuses: Vec<Opt>,
    choices: Vec<Choice>,
    preview: Option<PreviewView>,
    attendance: Vec<AttendanceRow>,
    notice: Option<String>,
    invite_error: Option<FieldError>,
    attendance_error: Option<FieldError>,
    cancel_error: Option<FieldError>,
    problem: Option<String>,
}

impl DetailPage {
    fn invalid(&self, input: &str) -> bool {
        concerns(self.invite_error.as_ref(), input)
    }
}

/// The choices of the language filter: the common languages and every one the pool speaks.
fn language_options(lang: Lang, pool: &[Volunteer], chosen: &str) -> Vec<(&'static str, String, bool)> {
    let chosen = lp_core::languages::find(chosen);
    let mut codes: BTreeMap<String, LanguageCode> = BTreeMap::new();
    for code in common_codes().chain(pool.iter().flat_map(|v| v.languages.iter().map(|l| l.code))) {
        codes.insert(language_label(lang, code), code);
    }
    codes
        .into_iter()
        .map(|(label, code)| (code.as_str(), label, Some(code) == chosen))
        .collect()
}

fn state_name(lang: Lang, p: &Participant) -> String {
    let name = lang.pick(p.state.name_de(), p.state.name_en());
    match p.position {
        Some(position) => format!("{name} ({position})"),
        None => name.to_owned(),
    }
}

pub(super) async fn page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    by: &Coordinator,
    id: Uuid,
    extras: Extras,
) -> Result<Response, PageError> {
    let t = TrainingTexts::of(lang);
    let now = state.clock.now();
    let response_status = extras.status();
    let detail = trainings::detail(&state.db, by, id).await.or_page(lang)?;
    let training = &detail.training;
    let phase = TrainingPhase::of(training, now);
    let can_invite = phase.may_invite();
    let can_record = phase.may_record_attendance();
    let invited_before: HashSet<Uuid> = detail.everyone().map(|p| p.volunteer_id).collect();

    let pool = if can_invite {
        let months = state.trainings.validity_months;
        volunteers::list(&state.db, &VolunteerFilter::default(), state.today(), months)
            .await
            .or_page(lang)?
            .into_iter()
            .filter(lp_trainings::rules::may_be_invited)
            .collect()
    } else {
        Vec::new()
    };
    let form = extras.invite.unwrap_or_else(InviteForm::blank);
    let ticked: HashSet<&str> = match form.by.as_str() {
        "chosen" => form.volunteer_ids.iter().map(String::as_str).collect(),
        _ => HashSet::new(),
    };
    let choices = pool
        .iter()
        .filter(|v| !invited_before.contains(&v.id))
        .map(|v| {
            let training = v.training(state.today(), state.trainings.validity_months);
            let codes: Vec<&str> = v.languages.iter().map(|l| l.code.as_str()).collect();
            let id = v.id.to_string();
            Choice {
                label: format!(
                    "{} – {}; {}, {}",
                    v.name,
                    codes.join(", "),
                    lang.pick(v.status.name_de(), v.status.name_en()),
                    lang.pick(training.status.name_de(), training.status.name_en()),
                ),
                checked: ticked.contains(id.as_str()),
                id,
            }
        })
        .collect();
    let preview = extras.reach.map(|reach| {
        let (reached, already) = (reach.reached, reach.already);
        let text = if reach.chosen {
            lang.pick(
                format!("Die Auswahl erreicht {reached} Ehrenamtliche ({already} bereits eingeladen)."),
                format!("The choice reaches {reached} volunteers ({already} already invited)."),
            )
        } else {
            lang.pick(
                format!("Dieser Filter erreicht {reached} Ehrenamtliche ({already} bereits eingeladen)."),
                format!("This filter reaches {reached} volunteers ({already} already invited)."),
            )
        };
        let names = reach
            .people
            .into_iter()
            .map(|(id, name)| (name, invited_before.contains(&id)))
            .collect();
        PreviewView { text, names }
    });
    // Before anything is recorded, the registered are ticked: usually they are who came.
    let nothing_recorded = detail.attended.is_empty();
    let attendance = detail
        .everyone()
        .map(|p| AttendanceRow {
            id: p.volunteer_id.to_string(),
            name: p.name.clone(),
            state: state_name(lang, p),
            checked: if nothing_recorded {
                p.state == InvitationState::Registered
            } else {
                p.attended
            },
            attended: p.attended,
        })
        .collect();
    let (status, badge) = status(lang, training, now);
    let people = |list: &[Participant]| list.iter().map(Person::of).collect();
    let mut response = render(&DetailPage {
        layout: Layout::new(lang, staff, training.title.clone(), format!("/trainings/{id}")),
        t,
        id: id.to_string(),
        title: training.title.clone(),
        kind: kind_name(lang, training.kind),
        when: when(lang, training.starts_at),
        duration: training.duration_minutes,
        location: training.location.clone(),
        places: format!("{}/{}", training.seats_taken, training.capacity),
        deadline: when(lang, training.registration_deadline),
        trainer: training.trainer.clone(),
        description: training.description.clone(),
        status,
        badge,
        registered: people(&detail.registered),
        waiting: people(&detail.waiting),
        invited: people(&detail.invited),
        declined: people(&detail.declined),
        attended: people(&detail.attended),
        can_change: phase.may_change(),
        can_invite,
        can_record,
        begun: !phase.may_change() && phase != TrainingPhase::Cancelled,
        cancelled: phase == TrainingPhase::Cancelled,
        needs: [
            ("", t.need_any),
            ("untrained", t.need_untrained),
            ("expiring", t.need_expiring),
        ]
        .into_iter()
        .map(|(value, label)| (value, label, value == form.training))
        .collect(),
        languages: language_options(lang, &pool, &form.language),
        statuses: choose(
            &[
                VolunteerStatus::Active,
                VolunteerStatus::Applicant,
                VolunteerStatus::Paused,
            ],
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &[form.status.as_str()],
        ),
        form,
        choices,
        preview,
        attendance,
        notice: extras.notice,
        invite_error: extras.invite_error,
        attendance_error: extras.attendance_error,
        cancel_error: extras.cancel_error,
        problem: extras.problem,
    });
    *response.status_mut() = response_status;
    Ok(response)
}

/// The domain's refusal of an action, as the page shows it; anything else is an error page.
pub(super) fn refused(
    lang: Lang,
    err: TrainingError,
    on_field: impl FnOnce(FieldError) -> Extras,
) -> Result<Extras, PageError> {
    match err {
        TrainingError::Invalid(error) => Ok(on_field(error)),
        TrainingError::Conflict(message) => Ok(Extras {
            problem: Some(message),
            ..Extras::default()
        }),
        other => Err(PageError::new(lang, other)),
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

#[derive(Default, Deserialize)]
pub(super) struct Notices {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    invited: Option<u32>,
    #[serde(default)]
    already: Option<u32>,
    #[serde(default)]
    recorded: Option<String>,
    #[serde(default)]
    cancelled: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    query: Result<Query<Notices>, QueryRejection>,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).or_page(lang)?;
    let t = TrainingTexts::of(lang);
    // `choose=<id>` (repeated) ticks volunteers in the form for chosen invitees: the candidates
    // page links here with the speakers a valid training would make eligible.
    let chosen: Vec<String> = pairs
        .map(|Query(pairs)| pairs)
        .unwrap_or_default()
        .into_iter()
        .filter(|(key, _)| key == "choose")
        .map(|(_, value)| value)
        .collect();
    // A hand-edited query string only loses its notice.
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let notice = if let Some(invited) = query.invited {
        let already = query.already.unwrap_or(0);
        Some(lang.pick(
            format!("{invited} eingeladen, {already} bereits eingeladen."),
            format!("{invited} invited, {already} already invited."),
        ))
    } else if query.saved.is_some() {
        Some(t.saved.to_owned())
    } else if query.recorded.is_some() {
        Some(t.recorded.to_owned())
    } else if query.cancelled.is_some() {
        Some(t.cancelled_notice.to_owned())
    } else {
        None
    };
    let invite = (!chosen.is_empty()).then(|| InviteForm {
        by: "chosen".to_owned(),
        volunteer_ids: chosen,
        ..InviteForm::blank()
    });
    let extras = Extras {
        notice,
        invite,
        ..Extras::default()
    };
    page(&state, lang, &staff, &by, id, extras).await
}

#[derive(Deserialize)]
pub(super) struct CancelForm {
    #[serde(default)]
    confirm: Option<String>,
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    Form(form): Form<CancelForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).or_page(lang)?;
    if form.confirm.as_deref().is_none_or(str::is_empty) {
        let error = FieldError::new(
            "confirm",
            lang.pick(
                "bitte „Ja, absagen“ ankreuzen, um die Schulung abzusagen",
                "tick “Yes, cancel” to cancel the training",
            ),
        );
        let extras = Extras {
            cancel_error: Some(error),
            ..Extras::default()
        };
        return page(&state, lang, &staff, &by, id, extras).await;
    }
    match trainings::cancel(&state.db, &by, id, state.clock.now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            Ok(Redirect::to(&format!("/trainings/{id}?cancelled=1")).into_response())
        }
        Err(err) => {
            let extras = refused(lang, err, |error| Extras {
                cancel_error: Some(error),
                ..Extras::default()
            })?;
            page(&state, lang, &staff, &by, id, extras).await
        }
    }
}

pub(super) async fn attendance(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).or_page(lang)?;
    let with_error = |error: FieldError| Extras {
        attendance_error: Some(error),
        ..Extras::default()
    };
    let ids: Result<Vec<Uuid>, FieldError> = pairs
        .iter()
        .filter(|(key, _)| key == "volunteer_ids")
        .enumerate()
        .map(|(i, (_, value))| {
            value
                .trim()
                .parse()
                .map_err(|_| FieldError::new(format!("volunteer_ids[{i}]"), "tick volunteers from the list"))
        })
        .collect();
    let input = match ids {
        Ok(volunteer_ids) => AttendanceInput { volunteer_ids },
        Err(error) => return page(&state, lang, &staff, &by, id, with_error(error)).await,
    };
    match record::record_attendance(&state.db, &by, id, &input, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/trainings/{id}?recorded=1#attendance")).into_response()),
        Err(err) => {
            let extras = refused(lang, err, with_error)?;
            page(&state, lang, &staff, &by, id, extras).await
        }
    }
}
