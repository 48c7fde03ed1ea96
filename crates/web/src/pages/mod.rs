//! The staff web application: server-rendered pages (askama) that work without JavaScript.
//! Every page takes [`SignedIn`](crate::auth::SignedIn) (and `CoordinatorPage` for the coordinator's
//! pages), so what a user sees is scoped in the one place the API uses too.

mod coordinator;
mod requests;

use crate::AppState;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::post;
use lp_core::vocab::Role;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lang", post(switch_language))
        .merge(requests::routes())
        .merge(coordinator::routes())
}

texts! {
    pub struct LayoutTexts {
        app: "Dolmetscherpool" / "Interpreter pool",
        dashboard: "Übersicht" / "Dashboard",
        new_request: "Dolmetscher anfragen" / "Request an interpreter",
        board: "Offen & gefährdet" / "Unfilled & at risk",
        volunteers: "Ehrenamtliche" / "Volunteers",
        organisations: "Organisationen" / "Organisations",
        staff: "Mitarbeitende" / "Staff",
        outbox: "E-Mail-Ausgang" / "Email outbox",
        api_docs: "API" / "API",
        logout: "Abmelden" / "Sign out",
        switch_to: "English" / "Deutsch",
        signed_in_as: "Angemeldet als" / "Signed in as",
        change_password: "Passwort ändern" / "Change password",
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
        Self {
            lang,
            t: LayoutTexts::of(lang),
            title: title.into(),
            user_name: staff.0.name.clone(),
            coordinator: staff.0.role == Role::Coordinator,
            here: here.into(),
        }
    }
}

/// Renders a page; staff pages carry personal data, so they are never cached.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => ApiError::Internal(format!("template: {err}")).into_response(),
    }
}

texts! {
    pub struct ErrorTexts {
        not_found: "Nicht gefunden" / "Not found",
        not_found_detail: "Diese Seite gibt es nicht, oder sie ist für Sie nicht sichtbar." / "This page does not exist, or you cannot see it.",
        forbidden: "Keine Berechtigung" / "Not allowed",
        conflict: "Nicht möglich" / "Not possible",
        failed: "Fehler" / "Error",
        back: "Zur Übersicht" / "Back to the dashboard",
    }
}

#[derive(Template)]
#[template(path = "staff/error.html")]
struct ErrorPage {
    lang: Lang,
    t: &'static ErrorTexts,
    title: &'static str,
    detail: String,
}

/// An error on a page, shown as a page. A 404 reads the same for an unknown id and another
/// organisation's, as on the API.
pub struct PageError {
    pub lang: Lang,
    pub error: ApiError,
}

impl PageError {
    pub fn new(lang: Lang, error: impl Into<ApiError>) -> Self {
        Self {
            lang,
            error: error.into(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let t = ErrorTexts::of(self.lang);
        let status = self.error.status();
        let (title, detail) = match &self.error {
            ApiError::NotFound => (t.not_found, t.not_found_detail.to_owned()),
            ApiError::Forbidden(_) => (t.forbidden, self.error.to_string()),
            ApiError::Conflict(_) | ApiError::Gone(_) => (t.conflict, self.error.to_string()),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error on a page");
                (t.failed, String::new())
            }
            other => (t.failed, other.to_string()),
        };
        let mut response = render(&ErrorPage {
            lang: self.lang,
            t,
            title,
            detail,
        });
        *response.status_mut() = status;
        response
    }
}

/// `?` for page handlers: any error becomes an error page in the reader's language.
pub trait OrPage<T> {
    fn or_page(self, lang: Lang) -> Result<T, PageError>;
}

impl<T, E: Into<ApiError>> OrPage<T> for Result<T, E> {
    fn or_page(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(lang, e))
    }
}

/// Percent-encodes a path for a query parameter.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A place to go back to after a form: only a path on this site, never `//host` or a URL,
/// so a crafted link cannot bounce a user elsewhere.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path,
        _ => "/",
    }
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
mod tests;
