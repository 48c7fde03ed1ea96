//! The coordinator's pages: the volunteer registry (in [`volunteers`]), trainings (in
//! [`trainings`]), organisations, staff users with invitations, and the email outbox with its
//! resend button. Caseworkers get 403.

mod audit;
mod trainings;
mod volunteers;

use super::form_errors::{FieldPlace, FormErrors};
use super::{Layout, Opt, OrPage, PageError, choose, render};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn, Staff};
use crate::error::ApiError;
use crate::extract::PathParam;
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use lp_core::validation::{FieldError, FieldErrors};
use lp_core::vocab::Role;
use lp_notify::{OutboxEntry, OutboxState, Resend};
use lp_registry::invitations;
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(volunteers::routes())
        .merge(trainings::routes())
        .route("/organisations", get(organisations_page).post(create_organisation))
        .route("/staff", get(staff_page).post(invite))
        .route("/outbox", get(outbox_page))
        .route("/audit", get(audit::page))
        .route("/outbox/{id}/resend", post(resend))
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

fn when(lang: Lang, at: &DateTime<Utc>) -> String {
    lang.pick(lp_core::when::de(at), lp_core::when::en(at))
}

// ---------------------------------------------------------------------------------------------
// Organisations

texts! {
    pub struct OrganisationTexts {
        organisations: "Organisationen" / "Organisations",
        name: "Name" / "Name",
        created: "Angelegt" / "Created",
        none: "Noch keine." / "None yet.",
        new_organisation: "Neue Organisation" / "New organisation",
        create: "Anlegen" / "Create",
        created_notice: "Organisation angelegt:" / "Organisation created:",
        fix: "Bitte korrigieren:" / "Please correct:",
    }
}

#[derive(Template)]
#[template(path = "staff/organisations.html")]
struct OrganisationsPage {
    layout: Layout,
    t: &'static OrganisationTexts,
    rows: Vec<(String, String, String)>,
    name: String,
    created: Option<String>,
    /// The refusal's errors, named by the field's label and tied to its input.
    errors: FormErrors,
}

#[derive(Default, Deserialize)]
struct OrganisationForm {
    #[serde(default)]
    name: String,
}

#[derive(Default, Deserialize)]
struct Created {
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    invited: Option<String>,
    #[serde(default)]
    resent: Option<String>,
}

async fn organisations_view(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    name: String,
    created: Option<Uuid>,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let t = OrganisationTexts::of(lang);
    let places: [FieldPlace; 1] = [("name", Some("name"), t.name)];
    let all = organisations::list(&state.db).await.or_page(lang)?;
    let created = created.and_then(|id| all.iter().find(|o| o.id == id).map(|o| o.name.clone()));
    Ok(render(&OrganisationsPage {
        layout: Layout::new(lang, staff, t.organisations, "/organisations"),
        t,
        rows: all
            .into_iter()
            .map(|o| (o.id.to_string(), o.name, when(lang, &o.created_at)))
            .collect(),
        name,
        created,
        errors: FormErrors::new(lang, errors, &places),
    }))
}

async fn organisations_page(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    Query(query): Query<Created>,
) -> Result<Response, PageError> {
    let created = query.created.and_then(|id| id.parse().ok());
    organisations_view(&state, lang, &staff, String::new(), created, Vec::new()).await
}

async fn create_organisation(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, PageError> {
    let input = OrganisationInput {
        name: form.name.clone(),
    };
    let (error, status) = match organisations::create(&state.db, &by, &input, state.clock.now()).await {
        Ok(created) => return Ok(Redirect::to(&format!("/organisations?created={}", created.id)).into_response()),
        Err(lp_registry::RegistryError::Invalid(error)) => (error, StatusCode::UNPROCESSABLE_ENTITY),
        Err(lp_registry::RegistryError::Conflict(message)) => (FieldError::new("name", message), StatusCode::CONFLICT),
        Err(err) => return Err(PageError::new(lang, err)),
    };
    let page = organisations_view(&state, lang, &staff, form.name, None, vec![error]).await?;
    Ok(with_status(page, status))
}

// ---------------------------------------------------------------------------------------------
// Staff users

texts! {
    pub struct StaffTexts {
        staff: "Mitarbeitende" / "Staff",
        email: "E-Mail" / "Email",
        name: "Name" / "Name",
        role: "Rolle" / "Role",
        organisation: "Organisation" / "Organisation",
        no_organisation: "– keine (nur für Koordination) –" / "– none (coordinators only) –",
        invite: "Einladen" / "Invite",
        invite_heading: "Neue/n Mitarbeitende/n einladen" / "Invite a staff member",
        invite_hint: "Die Person bekommt eine E-Mail mit einem einmaligen Link, um ihr Passwort zu setzen." / "The person gets an email with a single-use link to choose a password.",
        invited: "Die Einladung ist im E-Mail-Ausgang und geht gleich hinaus an" / "The invitation is in the outbox and goes out shortly to",
        outbox: "E-Mail-Ausgang" / "Email outbox",
        fix: "Bitte korrigieren:" / "Please correct:",
    }
}

#[derive(Default, Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

impl InviteForm {
    /// The typed values read into the registry's input, with an error for each that does not
    /// read; a stand-in takes its place (a coordinator, no organisation), so that the registry
    /// can still check the others.
    fn to_input(&self) -> (StaffUserInput, Vec<FieldError>) {
        let mut errors = FieldErrors::new();
        let role = errors.check(
            self.role
                .trim()
                .parse()
                .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("role", e.to_string())),
        );
        let organisation_id = match self.organisation_id.trim() {
            "" => None,
            id => errors.check(
                id.parse()
                    .map_err(|_| FieldError::new("organisation_id", "pick an organisation from the list")),
            ),
        };
        let input = StaffUserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            role: role.unwrap_or(Role::Coordinator),
            organisation_id,
            // No password: the invitee chooses one through the mailed link.
            password: None,
        };
        (input, errors.into_vec())
    }
}

/// The invite form's fields in page order: the name in the input, the input's id, the label.
fn invite_places(t: &'static StaffTexts) -> [FieldPlace; 4] {
    [
        ("email", Some("email"), t.email),
        ("name", Some("name"), t.name),
        ("role", Some("role"), t.role),
        ("organisation_id", Some("organisation_id"), t.organisation),
    ]
}

struct StaffRow {
    email: String,
    name: String,
    role: &'static str,
    organisation: String,
}

#[derive(Template)]
#[template(path = "staff/staff.html")]
struct StaffPage {
    layout: Layout,
    t: &'static StaffTexts,
    rows: Vec<StaffRow>,
    form: InviteForm,
    roles: Vec<Opt>,
    organisations: Vec<(String, String, bool)>,
    invited: Option<String>,
    /// The refusal's errors, named by their field's label and tied to their input.
    errors: FormErrors,
}

async fn staff_view(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    form: InviteForm,
    invited: Option<Uuid>,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let t = StaffTexts::of(lang);
    let users = staff::list(&state.db).await.or_page(lang)?;
    let orgs = organisations::list(&state.db).await.or_page(lang)?;
    let invited = invited.and_then(|id| users.iter().find(|u| u.id == id).map(|u| u.email.clone()));
    let rows = users
        .into_iter()
        .map(|u| StaffRow {
            organisation: u
                .organisation_id
                .and_then(|id| orgs.iter().find(|o| o.id == id))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            email: u.email,
            name: u.name,
            role: lang.pick(u.role.name_de(), u.role.name_en()),
        })
        .collect();
    let organisations = orgs
        .into_iter()
        .map(|o| {
            let id = o.id.to_string();
            let selected = id == form.organisation_id;
            (id, o.name, selected)
        })
        .collect();
    Ok(render(&StaffPage {
        layout: Layout::new(lang, staff, t.staff, "/staff"),
        t,
        rows,
        roles: choose(
            &[Role::Caseworker, Role::Coordinator],
            |r| r.as_str(),
            |r| lang.pick(r.name_de(), r.name_en()),
            &[form.role.as_str()],
        ),
        organisations,
        form,
        invited,
        errors: FormErrors::new(lang, errors, &invite_places(t)),
    }))
}

async fn staff_page(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    Query(query): Query<Created>,
) -> Result<Response, PageError> {
    let invited = query.invited.and_then(|id| id.parse().ok());
    let form = InviteForm {
        role: Role::Caseworker.as_str().to_owned(),
        ..InviteForm::default()
    };
    staff_view(&state, lang, &staff, form, invited, Vec::new()).await
}

async fn invite(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    let (input, mut errors) = form.to_input();
    let status = if errors.is_empty() {
        let (key, base) = (&state.requests.server_key, &state.requests.public_base_url);
        let created = invitations::invite(&state.db, &by, &input, key, base, state.clock.now()).await;
        state.mail_wake.notify_one();
        match created.map_err(ApiError::from) {
            Ok(created) => return Ok(Redirect::to(&format!("/staff?invited={}", created.user.id)).into_response()),
            Err(ApiError::Invalid(error)) => {
                errors.push(error);
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(ApiError::Conflict(message)) => {
                errors.push(FieldError::new("email", message));
                StatusCode::CONFLICT
            }
            Err(err) => return Err(PageError::new(lang, err)),
        }
    } else {
        // The registry's check of what did read (it stores nothing), so the page names that
        // error too; what it says of a stand-in is left out.
        match staff::prepare(&input, false).await.map_err(ApiError::from) {
            Err(ApiError::Invalid(error)) if !errors.iter().any(|e| e.field == error.field) => errors.push(error),
            Ok(_) | Err(ApiError::Invalid(_)) => {}
            Err(err) => return Err(PageError::new(lang, err)),
        }
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = staff_view(&state, lang, &staff, form, None, errors).await?;
    Ok(with_status(page, status))
}

// ---------------------------------------------------------------------------------------------
// Outbox

texts! {
    pub struct OutboxTexts {
        outbox: "E-Mail-Ausgang" / "Email outbox",
        failed: "Fehlgeschlagen – neuer Versuch geplant" / "Failed – retry scheduled",
        dead: "Aufgegeben" / "Given up",
        queued: "Wartet auf Versand" / "Waiting to be sent",
        sent: "Zuletzt gesendet" / "Recently sent",
        none: "Keine." / "None.",
        kind: "Art" / "Kind",
        recipient: "Empfänger/in" / "Recipient",
        subject: "Betreff" / "Subject",
        attempts: "Fehlversuche" / "Failed attempts",
        last_error: "Letzter Fehler" / "Last error",
        next_attempt: "Nächster Versuch" / "Next attempt",
        sent_at: "Gesendet am" / "Sent on",
        after_failures: "nach Fehlversuchen:" / "after failed attempts:",
        action: "Aktion" / "Action",
        resend: "Erneut senden" / "Resend",
        resent: "Die Nachricht ist wieder zum Versand eingeplant, mit zurückgesetzten Versuchen." / "The message is due again, with its attempts reset.",
        already_sent: "Diese Nachricht wurde bereits zugestellt. Ihr Inhalt ist danach gelöscht worden (er enthielt geheime Links) und kann nicht erneut gesendet werden." / "This message was delivered already. Its content was deleted afterwards (it held secret links), so it cannot be sent again.",
        in_flight: "Diese Nachricht wird gerade gesendet. Bitte gleich noch einmal nachsehen." / "This message is being sent right now. Please look again in a moment.",
        privacy: "Inhalte und Links werden hier nie angezeigt." / "Contents and links are never shown here.",
        bouncing: "Adressen, die dauerhaft abgewiesen werden" / "Addresses refused for good",
        bouncing_note: "Der Mailserver hat diese Adressen endgültig abgelehnt. Diese Ehrenamtlichen bekommen keine Einsatzangebote, bis auf ihrer Seite die Adresse geändert oder die Markierung aufgehoben ist." / "The mail server refused these addresses for good. These volunteers get no offers until their address is changed on their page, or the flag cleared there.",
        volunteer: "Ehrenamtliche/r" / "Volunteer",
        address: "Adresse" / "Address",
        since: "Abgewiesen am" / "Refused on",
        fix: "Adresse prüfen" / "Check the address",
    }
}

/// A volunteer whose address bounces, as the outbox page lists them.
struct BouncingRow {
    volunteer_id: String,
    name: String,
    email: String,
    since: String,
}

struct OutboxRow {
    id: String,
    kind: String,
    to: String,
    /// The catalogue's subjects are "German – English": the English half is marked as such.
    subject_de: String,
    subject_en: String,
    attempts: i32,
    last_error: String,
    at: String,
    resendable: bool,
}

/// What a message's kind is called on the page; a kind the catalogue does not know (an old
/// row) shows as stored.
fn kind_label(lang: Lang, kind: &str) -> String {
    match lp_notify::MailKind::parse(kind) {
        Some(kind) => lang.pick(kind.name_de(), kind.name_en()).to_owned(),
        None => kind.to_owned(),
    }
}

struct OutboxSection {
    id: &'static str,
    title: &'static str,
    time_heading: &'static str,
    /// Failed attempts and the last error mean something only for messages that failed.
    failures: bool,
    rows: Vec<OutboxRow>,
}

#[derive(Template)]
#[template(path = "staff/outbox.html")]
struct OutboxPage {
    layout: Layout,
    t: &'static OutboxTexts,
    bouncing: Vec<BouncingRow>,
    sections: Vec<OutboxSection>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

/// How many undelivered and delivered messages the page lists at most.
const UNSENT_LIMIT: u64 = 500;
const SENT_LIMIT: u64 = 50;

async fn outbox_view(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    notice: Option<&'static str>,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let t = OutboxTexts::of(lang);
    let internal = |e: lp_notify::NotifyError| PageError::new(lang, ApiError::Internal(e.to_string()));
    let unsent = lp_notify::unsent(&state.db, UNSENT_LIMIT).await.map_err(internal)?;
    let sent = lp_notify::recently_sent(&state.db, SENT_LIMIT)
        .await
        .map_err(internal)?;
    let bouncing = lp_registry::bounces::bouncing(&state.db)
        .await
        .or_page(lang)?
        .into_iter()
        .map(|b| BouncingRow {
            volunteer_id: b.volunteer_id.to_string(),
            name: b.name,
            email: b.email,
            since: when(lang, &b.since),
        })
        .collect();
    let row = |e: &OutboxEntry| OutboxRow {
        id: e.id.clone(),
        kind: kind_label(lang, &e.kind),
        to: e.to.clone(),
        subject_de: e
            .subject
            .rsplit_once(" – ")
            .map_or(e.subject.as_str(), |(de, _)| de)
            .to_owned(),
        subject_en: e
            .subject
            .rsplit_once(" – ")
            .map(|(_, en)| en.to_owned())
            .unwrap_or_default(),
        attempts: e.attempts,
        last_error: e.last_error.clone().unwrap_or_default(),
        at: match (e.state, e.sent_at) {
            (OutboxState::Sent, Some(at)) if e.attempts > 0 => {
                format!("{} ({} {})", when(lang, &at), t.after_failures, e.attempts)
            }
            (OutboxState::Sent, Some(at)) => when(lang, &at),
            (OutboxState::Dead, _) => String::new(),
            _ => when(lang, &e.next_attempt_at),
        },
        resendable: matches!(e.state, OutboxState::Failed | OutboxState::Dead),
    };
    let pick = |state: OutboxState| unsent.iter().filter(|e| e.state == state).map(row).collect();
    let sections = vec![
        OutboxSection {
            id: "dead",
            title: t.dead,
            time_heading: "",
            failures: true,
            rows: pick(OutboxState::Dead),
        },
        OutboxSection {
            id: "failed",
            title: t.failed,
            time_heading: t.next_attempt,
            failures: true,
            rows: pick(OutboxState::Failed),
        },
        OutboxSection {
            id: "queued",
            title: t.queued,
            time_heading: t.next_attempt,
            failures: false,
            rows: pick(OutboxState::Queued),
        },
        OutboxSection {
            id: "sent",
            title: t.sent,
            time_heading: t.sent_at,
            failures: false,
            rows: sent.iter().map(row).collect(),
        },
    ];
    Ok(render(&OutboxPage {
        layout: Layout::new(lang, staff, t.outbox, "/outbox"),
        t,
        bouncing,
        sections,
        notice,
        error,
    }))
}

async fn outbox_page(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    Query(query): Query<Created>,
) -> Result<Response, PageError> {
    let notice = query.resent.map(|_| OutboxTexts::of(lang).resent);
    outbox_view(&state, lang, &staff, notice, None).await
}

async fn resend(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let t = OutboxTexts::of(lang);
    let outcome = lp_notify::resend(&state.db, &id, state.clock.now())
        .await
        .map_err(|e| PageError::new(lang, ApiError::Internal(e.to_string())))?;
    let refusal = match outcome {
        Resend::Queued => {
            state.mail_wake.notify_one();
            return Ok(Redirect::to("/outbox?resent=1").into_response());
        }
        Resend::NotFound => return Err(PageError::new(lang, ApiError::NotFound)),
        Resend::AlreadySent => t.already_sent,
        Resend::InFlight => t.in_flight,
    };
    let page = outbox_view(&state, lang, &staff, None, Some(refusal)).await?;
    Ok(with_status(page, StatusCode::CONFLICT))
}

#[cfg(test)]
mod tests;
