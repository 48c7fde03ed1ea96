//! The coordinator's trainings in the browser: the list and the planning table of needs per
//! language here; the one form for a new and an existing training in [`form`]; a training's
//! page with its invitees, cancelling and attendance in [`detail`], its invitation forms in
//! [`invite`]; the printable attendance confirmation in [`certificate`]. Caseworkers get 403.

mod certificate;
mod detail;
mod form;
mod invite;

use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::i18n::{Lang, texts};
use crate::pages::requests::language_label;
use crate::pages::{Layout, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::vocab::TrainingKind;
use lp_trainings::needs::{DEMAND_WINDOW_DAYS, EXPIRING_WITHIN_DAYS};
use lp_trainings::rules::TrainingPhase;
use lp_trainings::trainings::{self, Training};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/trainings", get(list).post(form::create))
        .route("/trainings/new", get(form::new_form))
        .route("/trainings/needs", get(needs))
        .route("/trainings/{id}", get(detail::show))
        .route("/trainings/{id}/edit", get(form::edit_form).post(form::update))
        .route("/trainings/{id}/cancel", post(detail::cancel))
        .route("/trainings/{id}/invitations", post(invite::invite))
        .route("/trainings/{id}/attendance", post(detail::attendance))
        .route("/trainings/{id}/certificate/{volunteer_id}", get(certificate::show))
}

texts! {
    pub struct TrainingTexts {
        trainings: "Schulungen" / "Trainings",
        new_training: "Neue Schulung" / "New training",
        edit_training: "Schulung bearbeiten" / "Edit training",
        back_to_training: "Zurück zur Schulung" / "Back to the training",
        needs: "Schulungsbedarf nach Sprache" / "Training needs by language",
        upcoming: "Anstehend" / "Upcoming",
        past: "Begonnen oder vorbei" / "Begun or past",
        none: "Keine." / "None.",
        title: "Titel" / "Title",
        kind: "Art" / "Kind",
        when: "Termin" / "When",
        date: "Datum" / "Date",
        start_time: "Beginn (Uhrzeit)" / "Start time",
        duration: "Dauer in Minuten" / "Duration in minutes",
        location: "Ort" / "Location",
        capacity: "Plätze" / "Places",
        places: "Plätze belegt" / "Places taken",
        deadline: "Anmeldeschluss" / "Registration deadline",
        deadline_date: "Anmeldeschluss (Datum)" / "Registration deadline (date)",
        deadline_time: "Anmeldeschluss (Uhrzeit)" / "Registration deadline (time)",
        description: "Beschreibung (optional)" / "Description (optional)",
        trainer: "Leitung (optional)" / "Trainer (optional)",
        trainer_short: "Leitung" / "Trainer",
        status: "Status" / "Status",
        create: "Schulung anlegen" / "Create the training",
        save: "Speichern" / "Save",
        saved: "Gespeichert." / "Saved.",
        fix: "Bitte korrigieren:" / "Please correct:",
        times_hint: "Ortszeit (Europe/Berlin)." / "Local time (Europe/Berlin).",
        language: "Sprache" / "Language",
        active: "Aktive Ehrenamtliche" / "Active volunteers",
        untrained: "ohne gültige Schulung" / "untrained",
        expiring: "Schulung endet in den nächsten 90 Tagen" / "training ends within 90 days",
        requests: "Anfragen der letzten 90 Tage" / "Requests in the last 90 days",
        name: "Name" / "Name",
        registered: "Angemeldet" / "Registered",
        waiting: "Warteliste" / "Waiting list",
        invited: "Eingeladen, noch ohne Antwort" / "Invited, no answer yet",
        declined: "Abgesagt" / "Declined",
        attended: "Teilgenommen" / "Attended",
        place_on_list: "Platz" / "No.",
        nobody: "Niemand." / "Nobody.",
        edit: "Bearbeiten" / "Edit",
        cancel: "Schulung absagen" / "Cancel the training",
        cancel_confirm: "Ja, absagen – alle Angemeldeten und Wartenden bekommen eine E-Mail." / "Yes, cancel – everyone registered or waiting gets an email.",
        cancelled_notice: "Die Schulung ist abgesagt. Alle Angemeldeten und Wartenden bekommen eine E-Mail." / "The training is cancelled. Everyone registered or waiting gets an email.",
        invite: "Einladen" / "Invite",
        preview: "Vorschau" / "Preview",
        by_filter: "Nach Filter" / "By filter",
        by_filter_hint: "Die Vorschau zählt nur und sendet nichts. Wer schon eingeladen ist, bekommt keine zweite E-Mail." / "The preview only counts and sends nothing. Anyone invited before gets no second email.",
        need: "Schulungsstand" / "Training",
        need_any: "egal" / "any",
        need_untrained: "ohne gültige Schulung (ungeschult oder abgelaufen)" / "without a valid training (untrained or expired)",
        need_expiring: "Schulung läuft bald ab" / "training expires soon",
        within_days: "Läuft ab innerhalb von … Tagen (bei „läuft bald ab“)" / "Expires within … days (with “expires soon”)",
        any: "alle" / "any",
        default_status: "aktiv und Bewerbung" / "active and applicants",
        already_invited: "bereits eingeladen" / "already invited",
        chosen: "Ausgewählte Ehrenamtliche" / "Chosen volunteers",
        chosen_hint: "Alle, die noch nicht eingeladen sind (ohne Ausgeschiedene)." / "Everyone not invited yet (retired volunteers left out).",
        invite_chosen: "Ausgewählte einladen" / "Invite the chosen",
        nobody_to_choose: "Alle sind schon eingeladen." / "Everyone is invited already.",
        invitations_closed: "Die Anmeldung ist geschlossen; Einladungen sind nicht mehr möglich." / "Registration has closed; no more invitations.",
        attendance: "Anwesenheit" / "Attendance",
        attendance_hint: "Häkchen bei allen, die teilgenommen haben; wer kein Häkchen hat, hat nicht teilgenommen. Eine Grundschulung oder Auffrischung macht die Teilnehmenden geschult." / "Tick everyone who attended; whoever has no tick did not attend. A basic training or refresher makes those who attended trained.",
        attendance_later: "Die Anwesenheit kann ab Beginn der Schulung erfasst werden." / "Attendance can be recorded once the training has begun.",
        record: "Anwesenheit speichern" / "Save attendance",
        recorded: "Anwesenheit gespeichert." / "Attendance saved.",
        state: "Stand" / "State",
        certificate: "Teilnahmebescheinigung" / "Certificate",
        needs_hint: "Je Sprache die aktiven Ehrenamtlichen neben der Nachfrage; wo wenige geschulte auf viele Anfragen kommen, steht die Sprache oben." / "Per language the active volunteers next to the demand; where few trained volunteers meet many requests, the language comes first.",
    }
}

/// A training's kind in the reader's language.
fn kind_name(lang: Lang, kind: TrainingKind) -> &'static str {
    lang.pick(kind.name_de(), kind.name_en())
}

fn when(lang: Lang, at: DateTime<FixedOffset>) -> String {
    let at = at.to_utc();
    lang.pick(lp_core::when::de(&at), lp_core::when::en(&at))
}

/// Where a training stands at `now`, as a label and the badge class it is shown with.
fn status(lang: Lang, training: &Training, now: DateTime<Utc>) -> (&'static str, &'static str) {
    let phase = TrainingPhase::of(training, now);
    let badge = match phase {
        TrainingPhase::Open => "open",
        TrainingPhase::Full => "unfilled",
        TrainingPhase::RegistrationClosed => "confirm",
        TrainingPhase::Running => "assigned",
        TrainingPhase::Held => "completed",
        TrainingPhase::Cancelled => "cancelled",
    };
    (lang.pick(phase.name_de(), phase.name_en()), badge)
}

/// One line of the list.
struct Row {
    id: String,
    title: String,
    kind: &'static str,
    when: String,
    places: String,
    status: &'static str,
    badge: &'static str,
}

impl Row {
    fn of(lang: Lang, training: &Training, now: DateTime<Utc>) -> Self {
        let (status, badge) = status(lang, training, now);
        Row {
            id: training.id.to_string(),
            title: training.title.clone(),
            kind: kind_name(lang, training.kind),
            when: when(lang, training.starts_at),
            places: format!("{}/{}", training.seats_taken, training.capacity),
            status,
            badge,
        }
    }
}

#[derive(Template)]
#[template(path = "staff/trainings.html")]
struct ListPage {
    layout: Layout,
    t: &'static TrainingTexts,
    sections: Vec<(&'static str, &'static str, Vec<Row>)>,
}

async fn list(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
) -> Result<Response, PageError> {
    let t = TrainingTexts::of(lang);
    let now = state.clock.now();
    let all = trainings::list(&state.db, &by, now).await.or_page(lang)?;
    // The domain lists the upcoming ones first, soonest first, then the rest latest first.
    let (upcoming, past): (Vec<&Training>, Vec<&Training>) = all.iter().partition(|tr| tr.starts_at_utc() > now);
    let rows = |list: Vec<&Training>| list.into_iter().map(|tr| Row::of(lang, tr, now)).collect();
    Ok(render(&ListPage {
        layout: Layout::new(lang, &staff, t.trainings, "/trainings"),
        t,
        sections: vec![("upcoming", t.upcoming, rows(upcoming)), ("past", t.past, rows(past))],
    }))
}

struct NeedRow {
    language: String,
    active: u32,
    untrained: u32,
    expiring: u32,
    requests: u32,
}

#[derive(Template)]
#[template(path = "staff/training_needs.html")]
struct NeedsPage {
    layout: Layout,
    t: &'static TrainingTexts,
    rows: Vec<NeedRow>,
}

// The table's headings say 90 days; the domain's windows are what they count over.
const _: () = assert!(EXPIRING_WITHIN_DAYS == 90 && DEMAND_WINDOW_DAYS == 90);

async fn needs(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
) -> Result<Response, PageError> {
    let t = TrainingTexts::of(lang);
    let months = state.trainings.validity_months;
    let needs = lp_requests::lifecycle::training_needs(&state.db, &by, months, state.clock.now())
        .await
        .or_page(lang)?;
    let rows = needs
        .into_iter()
        .map(|need| NeedRow {
            language: language_label(lang, need.language),
            active: need.active,
            untrained: need.untrained,
            expiring: need.expiring,
            requests: need.recent_requests,
        })
        .collect();
    Ok(render(&NeedsPage {
        layout: Layout::new(lang, &staff, t.needs, "/trainings/needs"),
        t,
        rows,
    }))
}

#[cfg(test)]
mod tests;
