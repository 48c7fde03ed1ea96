//! Page plumbing below the pages, the sign-in and the extractors: rendering a template
//! uncached, an error as a page in the reader's language, and safe redirect targets.

use crate::error::ApiError;
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

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
        forbidden_detail: "Das dürfen nur Koordinatorinnen und Koordinatoren." / "Only a coordinator may do this.",
        cross_site_detail: "Das Formular kam nicht von dieser Seite und wurde abgelehnt." / "The form did not come from this site and was refused.",
        conflict: "Nicht möglich" / "Not possible",
        bad_request: "Ungültige Anfrage" / "Bad request",
        bad_request_detail: "Die Anfrage war unvollständig oder fehlerhaft. Bitte versuchen Sie es über das Formular noch einmal." / "The request was incomplete or malformed. Please try again from the form.",
        not_allowed_detail: "Diese Adresse lässt sich so nicht aufrufen." / "This address cannot be opened like this.",
        too_large: "Zu groß" / "Too large",
        too_large_detail: "Die gesendeten Daten sind zu groß." / "What was sent is too large.",
        too_many: "Zu viele Versuche" / "Too many attempts",
        too_many_detail: "Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal." / "Please wait a moment and try again.",
        unavailable: "Gerade ausgelastet" / "Busy right now",
        unavailable_detail: "Der Dienst erreicht seine Datenbank gerade nicht oder ist ausgelastet. Es wurde nichts gespeichert; bitte versuchen Sie es in ein paar Sekunden noch einmal." / "The service cannot reach its database right now, or is busy. Nothing was saved; please try again in a few seconds.",
        sign_in: "Bitte melden Sie sich an." / "Please sign in.",
        failed: "Fehler" / "Error",
        failed_detail: "Auf unserer Seite ist etwas schiefgegangen. Bitte versuchen Sie es später noch einmal." / "Something went wrong on our side. Please try again later.",
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

/// An error page's words, kept on the response so that the page can be shown again inside
/// the staff layout once the signed-in user is known (see `pages::errors`).
#[derive(Clone, Debug)]
pub struct ErrorShown {
    pub lang: Lang,
    pub title: &'static str,
    pub detail: String,
}

impl ErrorShown {
    /// What a reader is told about an error: a German or English heading and sentence, never
    /// an identifier. `error` is the one the response was made from, if any; else the status
    /// speaks (axum's own refusals, a 405).
    pub fn of(lang: Lang, status: StatusCode, error: Option<&ApiError>) -> Self {
        let t = ErrorTexts::of(lang);
        let (title, detail) = match (error, status) {
            (Some(ApiError::Forbidden(reason)), _) if reason.contains("cross-site") => {
                (t.forbidden, t.cross_site_detail.to_owned())
            }
            (Some(ApiError::Conflict(_) | ApiError::Gone(_)), _) => {
                (t.conflict, error.map(ToString::to_string).unwrap_or_default())
            }
            (_, StatusCode::NOT_FOUND) => (t.not_found, t.not_found_detail.to_owned()),
            (_, StatusCode::FORBIDDEN) => (t.forbidden, t.forbidden_detail.to_owned()),
            (_, StatusCode::UNAUTHORIZED) => (t.forbidden, t.sign_in.to_owned()),
            (_, StatusCode::METHOD_NOT_ALLOWED) => (t.conflict, t.not_allowed_detail.to_owned()),
            (_, StatusCode::PAYLOAD_TOO_LARGE) => (t.too_large, t.too_large_detail.to_owned()),
            (_, StatusCode::TOO_MANY_REQUESTS) => (t.too_many, t.too_many_detail.to_owned()),
            (_, StatusCode::SERVICE_UNAVAILABLE) => (t.unavailable, t.unavailable_detail.to_owned()),
            (_, status) if status.is_server_error() => (t.failed, t.failed_detail.to_owned()),
            _ => (t.bad_request, t.bad_request_detail.to_owned()),
        };
        ErrorShown { lang, title, detail }
    }

    /// The error page on its own, for a reader who is not signed in.
    pub fn render(&self, status: StatusCode) -> Response {
        let mut response = render(&ErrorPage {
            lang: self.lang,
            t: ErrorTexts::of(self.lang),
            title: self.title,
            detail: self.detail.clone(),
        });
        *response.status_mut() = status;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
            );
        }
        response.extensions_mut().insert(self.clone());
        response
    }
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
        let status = self.error.status();
        let mut response = ErrorShown::of(self.lang, status, Some(&self.error)).render(status);
        // For `log_errors`, which logs an internal error's cause once, in the request's span.
        crate::error::answered(&mut response, self.error);
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
