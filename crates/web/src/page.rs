//! Page plumbing below the pages, the sign-in and the extractors: rendering a template
//! uncached, an error as a page in the reader's language, and safe redirect targets.

use crate::error::ApiError;
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
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
