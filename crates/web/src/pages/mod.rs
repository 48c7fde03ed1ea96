//! The staff web application: server-rendered pages (askama) that work without JavaScript.
//! Every page takes [`SignedIn`](crate::auth::SignedIn) (and `CoordinatorPage` for the coordinator's
//! pages), so what a user sees is scoped in the one place the API uses too.

mod coordinator;
mod errors;
mod form_errors;
mod local_time;
mod reports;
mod requests;

use crate::AppState;
use crate::auth::Staff;
use crate::i18n::{Lang, texts};
use axum::Router;
use axum::extract::Form;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use lp_core::vocab::Role;
use lp_registry::staff::StaffUser;
use serde::Deserialize;

pub(crate) use crate::page::{OrPage, PageError, local_path, render};
pub(crate) use errors::for_browsers;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lang", post(switch_language))
        .merge(requests::routes())
        .merge(coordinator::routes())
        .merge(reports::routes())
}

texts! {
    pub struct LayoutTexts {
        app: "Dolmetscherpool" / "Interpreter pool",
        dashboard: "Übersicht" / "Dashboard",
        new_request: "Dolmetscher anfragen" / "Request an interpreter",
        board: "Offen & gefährdet" / "Unfilled & at risk",
        volunteers: "Ehrenamtliche" / "Volunteers",
        trainings: "Schulungen" / "Trainings",
        reports: "Berichte" / "Reports",
        organisations: "Organisationen" / "Organisations",
        staff: "Mitarbeitende" / "Staff",
        outbox: "E-Mail-Ausgang" / "Email outbox",
        audit: "Protokoll" / "Audit log",
        api_docs: "API-Dokumentation" / "API documentation",
        logout: "Abmelden" / "Sign out",
        switch_to: "English" / "Deutsch",
        signed_in_as: "Angemeldet als" / "Signed in as",
        change_password: "Passwort ändern" / "Change password",
        skip_to_content: "Zum Inhalt" / "Skip to content",
    }
}

/// What the frame around every staff page needs.
pub struct Layout {
    pub lang: Lang,
    pub t: &'static LayoutTexts,
    pub title: String,
    pub user_name: String,
    pub coordinator: bool,
    /// The current path, for the language switch to come back to.
    pub here: String,
}

impl Layout {
    pub fn new(lang: Lang, staff: &Staff, title: impl Into<String>, here: impl Into<String>) -> Self {
        Self::for_user(lang, &staff.0, title, here)
    }

    pub fn for_user(lang: Lang, user: &StaffUser, title: impl Into<String>, here: impl Into<String>) -> Self {
        Self {
            lang,
            t: LayoutTexts::of(lang),
            title: title.into(),
            user_name: user.name.clone(),
            coordinator: user.role == Role::Coordinator,
            here: here.into(),
        }
    }
}

/// One choice of a select or a checkbox group, marked when the form holds it.
pub(crate) struct Opt {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

pub(crate) fn choose<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: &[&str],
) -> Vec<Opt> {
    all.iter()
        .map(|&item| Opt {
            value: value(item),
            label: label(item),
            selected: current.contains(&value(item)),
        })
        .collect()
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: Option<String>,
}

/// A year-long preference cookie; readable by scripts is harmless, it holds "de" or "en".
async fn switch_language(Form(form): Form<LanguageForm>) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    let mut response = Redirect::to(local_path(form.back.as_deref())).into_response();
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        Lang::COOKIE,
        lang.code()
    );
    response
        .headers_mut()
        .append(SET_COOKIE, HeaderValue::from_str(&cookie).expect("static cookie text"));
    response
}

#[cfg(test)]
mod german_tests;
#[cfg(test)]
mod tests;
