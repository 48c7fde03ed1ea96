//! Requests in the browser: the routes, texts and lists (the dashboard, and for coordinators
//! the board of unfilled and at-risk requests). The form is in [`form`], a request's pages in [`page`].

mod form;
mod page;
#[cfg(test)]
mod tests;
mod way_forward;
mod wording;

use super::{Layout, OrPage, PageError, render};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::vocab::Mode;
use lp_requests::lifecycle;
use lp_requests::view::RequestView;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/requests/new", get(form::new_form))
        .route("/requests/new/hint", get(form::hint))
        .route("/requests/new/apply", post(form::apply))
        .route("/requests", post(form::create))
        .route("/requests/{id}", get(page::show))
        .route("/requests/{id}/cancel", post(page::cancel))
        .route("/requests/{id}/complete", post(page::complete))
        .route("/requests/{id}/candidates", get(page::candidates))
        .route("/board", get(board))
}

texts! {
    pub struct RequestTexts {
        dashboard: "Übersicht" / "Dashboard",
        open: "Offen – Suche läuft" / "Open – searching",
        assigned: "Vergeben" / "Assigned",
        needs_confirmation: "Bitte bestätigen, dass der Termin stattfand" / "Please confirm the appointment took place",
        unfilled: "Nicht besetzt" / "Unfilled",
        unfilled_past: "Nicht besetzt, Termin vorbei" / "Unfilled, appointment over",
        recent: "Zuletzt abgeschlossen" / "Recently closed",
        none: "Keine." / "None.",
        language: "Sprache" / "Language",
        when: "Termin" / "Appointment",
        where_: "Ort / Art" / "Place / mode",
        setting: "Bereich" / "Setting",
        status: "Status" / "Status",
        interpreter: "Dolmetscher/in" / "Interpreter",
        client_ref: "Aktenzeichen" / "Reference",
        new_request: "Dolmetscher anfragen" / "Request an interpreter",
        language_hint: "Name oder ISO-639-3-Code, z. B. „Arabisch“ oder „prs“" / "Name or ISO 639-3 code, e.g. “Arabic” or “prs”",
        dialect: "Dialekt (optional)" / "Dialect (optional)",
        date: "Datum" / "Date",
        time: "Uhrzeit" / "Time",
        duration: "Dauer in Minuten" / "Duration in minutes",
        mode: "Art" / "Mode",
        town: "Ort (bei vor Ort)" / "Town (on site)",
        address: "Adresse (nur die/der Dolmetscher/in sieht sie nach Zusage)" / "Address (shown to the interpreter only after acceptance)",
        gender: "Geschlecht der/des Dolmetschenden" / "Interpreter's gender",
        gender_any: "egal" / "any",
        strength: "Wie wichtig?" / "How important?",
        client_ref_hint: "Aktenzeichen (optional; keine Namen)" / "Reference (optional; no names)",
        notes: "Hinweise (optional)" / "Notes (optional)",
        organisation: "Organisation" / "Organisation",
        choose: "Bitte wählen" / "Please choose",
        submit: "Anfrage senden" / "Send request",
        fix: "Bitte korrigieren:" / "Please correct:",
        created: "Erstellt" / "Created",
        offer_sent: "Angebot gesendet an" / "Offer sent to",
        offer_wave: "Welle" / "wave",
        assigned_at: "Vergeben" / "Assigned",
        completed_at: "Abgeschlossen" / "Completed",
        cancelled_at: "Abgesagt" / "Cancelled",
        reminded_at: "Erinnerung an die/den Dolmetscher/in gesendet" / "Reminder sent to the interpreter",
        fill_by: "Besetzen bis" / "Fill by",
        video_link: "Videolink" / "Video link",
        repeat: "Terminserie (dieselbe Person für alle Termine)" / "Series (the same interpreter for every date)",
        repeat_every: "Wiederholen" / "Repeat",
        repeat_none: "nicht – ein einzelner Termin" / "no – a single appointment",
        repeat_weekly: "wöchentlich" / "weekly",
        repeat_two_weeks: "alle 2 Wochen" / "every 2 weeks",
        repeat_four_weeks: "alle 4 Wochen" / "every 4 weeks",
        repeat_count: "Anzahl Termine (2–12)" / "Number of dates (2–12)",
        series: "Terminserie" / "Series",
        series_held: "wartet auf die Zusage zur Serie" / "waits for the series to be accepted",
        cancel_rest: "Diesen und alle folgenden Termine absagen" / "Cancel this and every later date",
        cancel_one: "Nur diesen Termin absagen" / "Cancel this date only",
        open_until: "Angebote gelten bis (danach „nicht besetzt“)" / "Offers open until (then unfilled)",
        timeline: "Verlauf" / "Timeline",
        phone: "Telefon" / "Phone",
        cancel: "Anfrage absagen" / "Cancel the request",
        complete: "Termin hat stattgefunden" / "The appointment took place",
        actual_minutes: "Tatsächliche Dauer in Minuten" / "Actual duration in minutes",
        feedback: "Rückmeldung (optional)" / "Feedback (optional)",
        candidates: "Kandidat/innen" / "Candidates",
        score: "Punkte" / "Score",
        excluded: "Ausgeschlossen" / "Excluded",
        rule: "Regel" / "Rule",
        board: "Offen & gefährdet" / "Unfilled & at risk",
        at_risk: "Gefährdet: offen, Frist in weniger als 24 Stunden" / "At risk: open, deadline within 24 hours",
        back_to_request: "Zurück zur Anfrage" / "Back to the request",
        reason: "Begründung" / "Reason",
        instead: "Was stattdessen ginge:" / "What would work instead:",
        take: "Übernehmen" / "Use this",
        confirm_question: "Niemand kommt in Frage – trotzdem anlegen?" / "Nobody qualifies – file it anyway?",
        confirm_explain: "Die Anfrage wird dann sofort „nicht besetzt“, und Sie und die Koordination bekommen Bescheid. Oder nehmen Sie einen der Vorschläge oben." / "The request then becomes unfilled at once, and you and the coordinators are told. Or take one of the suggestions above.",
        file_anyway: "Trotzdem anlegen" / "File it anyway",
        refile: "Als neue Anfrage stellen" / "File as a new request",
        refile_note: "Die bisherige Anfrage bleibt bestehen; sagen Sie sie ab, wenn Sie einen neuen Termin nehmen." / "This request stays as it is; cancel it if you take another time.",
        one_step: "Einen Schritt entfernt" / "One step away",
        invite_to: "Zur nächsten Schulung einladen" / "Invite to the next training",
        plan_training: "Schulung planen" / "Schedule a training",
    }
}

/// One line of a request list.
struct Row {
    id: String,
    language: String,
    when: String,
    place: String,
    setting: &'static str,
    status: &'static str,
    badge: &'static str,
    interpreter: String,
    client_ref: String,
    /// On the board: why too few qualify and what would work instead; else empty.
    hint: String,
}

impl Row {
    fn of(lang: Lang, request: &RequestView, now: DateTime<Utc>) -> Self {
        let needs_confirmation = request.awaits_completion(now);
        Row {
            id: request.id.to_string(),
            language: language_label(lang, request.language),
            when: when(lang, request.starts_at),
            place: place(lang, request),
            setting: lang.pick(request.setting.name_de(), request.setting.name_en()),
            status: if needs_confirmation {
                lang.pick("bitte bestätigen", "please confirm")
            } else {
                lang.pick(request.status.name_de(), request.status.name_en())
            },
            badge: if needs_confirmation {
                "confirm"
            } else {
                request.status.as_str()
            },
            interpreter: request.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            client_ref: request.client_ref.clone().unwrap_or_default(),
            hint: String::new(),
        }
    }
}

pub(super) fn language_label(lang: Lang, code: LanguageCode) -> String {
    format!("{} ({})", lang.pick(code.name_de(), code.name_en()), code.as_str())
}

fn when(lang: Lang, at: DateTime<FixedOffset>) -> String {
    let at = at.with_timezone(&Utc);
    lang.pick(lp_core::when::de(&at), lp_core::when::en(&at))
}

fn place(lang: Lang, request: &RequestView) -> String {
    let mode = lang.pick(request.mode.name_de(), request.mode.name_en());
    match (&request.town, request.mode) {
        (Some(town), Mode::OnSite) => format!("{town} ({mode})"),
        _ => mode.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    t: &'static RequestTexts,
    sections: Vec<(&'static str, Vec<Row>)>,
}

async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let t = RequestTexts::of(lang);
    let dashboard = lifecycle::dashboard(&state.db, staff.scope(), now)
        .await
        .or_page(lang)?;
    let rows = |requests: &[RequestView]| -> Vec<Row> { requests.iter().map(|r| Row::of(lang, r, now)).collect() };
    let sections = vec![
        (t.needs_confirmation, rows(&dashboard.needs_confirmation)),
        (t.unfilled, rows(&dashboard.unfilled)),
        (t.open, rows(&dashboard.open)),
        (t.assigned, rows(&dashboard.assigned)),
        (t.unfilled_past, rows(&dashboard.unfilled_past)),
        (t.recent, rows(&dashboard.recent)),
    ];
    Ok(render(&DashboardPage {
        layout: Layout::new(lang, &staff, t.dashboard, "/"),
        t,
        sections,
    }))
}

/// The picker offers the languages newly arrived people in Germany speak most; any other
/// ISO 639-3 language can be typed by code or name.
const COMMON: &[&str] = &[
    "ara", "apc", "arz", "acm", "ary", "fas", "prs", "pes", "pus", "kur", "kmr", "ckb", "tur", "ukr", "rus", "tir",
    "amh", "som", "fra", "eng", "sqi", "ron", "bul", "pol", "srp", "hrv", "bos", "urd", "hin", "ben", "tam", "vie",
    "zho", "cmn", "spa", "por", "ita", "ell", "aze", "kat", "hye", "uzb", "tgk", "rom", "lin", "swa", "hau", "yor",
    "ibo", "wol", "ful", "mnk", "bam", "orm", "mkd", "slk", "hun", "ces", "lit", "lav", "est",
];

/// The common languages, for the pickers.
pub(super) fn common_codes() -> impl Iterator<Item = LanguageCode> {
    lp_core::languages::all().filter(|l| COMMON.contains(&l.as_str()))
}

/// The common languages by name, for the pickers.
pub(super) fn common_languages(lang: Lang) -> Vec<String> {
    common_codes().map(|l| language_label(lang, l)).collect()
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[derive(Template)]
#[template(path = "staff/board.html")]
struct BoardPage {
    layout: Layout,
    t: &'static RequestTexts,
    unfilled: Vec<Row>,
    at_risk: Vec<Row>,
}

/// Requests that need a coordinator: unfilled ones still ahead, and open ones whose deadline
/// is less than a day away.
async fn board(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let now = state.clock.now();
    let board = lifecycle::board(&state.db, &by, &state.requests, now)
        .await
        .or_page(lang)?;
    let rows = |requests: &[RequestView]| {
        requests
            .iter()
            .map(|r| Row {
                hint: board
                    .hints
                    .get(&r.id)
                    .map(|hint| way_forward::one_line(lang, hint))
                    .unwrap_or_default(),
                ..Row::of(lang, r, now)
            })
            .collect()
    };
    Ok(render(&BoardPage {
        layout: Layout::new(lang, &staff, t.board, "/board"),
        t,
        unfilled: rows(&board.unfilled),
        at_risk: rows(&board.at_risk),
    }))
}
