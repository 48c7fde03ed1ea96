//! Errors as browsers see them: a browser that asks a page route for something that fails
//! (an unknown address, a refused form post, a coordinator's page opened by a caseworker)
//! gets an error page in the staff layout when signed in, never the API's JSON. API clients
//! (`/api/` paths, or no `Accept: text/html`) keep the JSON error shape.

use super::{Layout, render};
use crate::AppState;
use crate::error::Answered;
use crate::i18n::Lang;
use crate::page::{ErrorShown, ErrorTexts};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Template)]
#[template(path = "staff/error_layout.html")]
struct ErrorInLayout {
    layout: Layout,
    t: &'static ErrorTexts,
    detail: String,
}

/// A browser asks for HTML first; API clients and scripts ask for JSON or anything.
fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept.contains("text/html") && !accept.contains("application/json")
}

/// Paths whose errors are not staff pages: the API, and the volunteers' link pages, which
/// answer browsers with their own bilingual pages.
fn is_page_path(path: &str) -> bool {
    let own_errors = ["/api/", "/o/", "/t/", "/v/", "/static/"];
    !(own_errors.iter().any(|prefix| path.starts_with(prefix)) || path == "/api" || path == "/v")
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Turns a failed page request's answer into an error page for browsers; see the module.
/// A page's own HTML answer with an error status (a form shown again with its errors) stays
/// as it is.
pub(crate) async fn for_browsers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !(wants_html(request.headers()) && is_page_path(request.uri().path())) {
        return next.run(request).await;
    }
    let headers = request.headers().clone();
    let here = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let shown = match response.extensions().get::<ErrorShown>() {
        Some(shown) => shown.clone(),
        None if is_html(&response) => return response,
        None => {
            let error = response.extensions().get::<Answered>().map(|a| a.0.clone());
            ErrorShown::of(Lang::of_headers(&headers), status, error.as_deref())
        }
    };
    let mut page = match crate::auth::browser_user(&state, &headers).await {
        Some(user) => in_layout(&shown, &user, here, status),
        None => shown.render(status),
    };
    // Keep what `log_errors` reads and what the response said about itself for clients.
    if let Some(answered) = response.extensions().get::<Answered>() {
        page.extensions_mut().insert(answered.clone());
    }
    for name in [axum::http::header::RETRY_AFTER, axum::http::header::ALLOW] {
        if let Some(value) = response.headers().get(&name) {
            page.headers_mut().insert(name, value.clone());
        }
    }
    page
}

fn in_layout(shown: &ErrorShown, user: &lp_registry::staff::StaffUser, here: String, status: StatusCode) -> Response {
    let mut response = render(&ErrorInLayout {
        layout: Layout::for_user(shown.lang, user, shown.title, here),
        t: ErrorTexts::of(shown.lang),
        detail: shown.detail.clone(),
    });
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_told_apart_from_api_clients() {
        let mut headers = HeaderMap::new();
        assert!(!wants_html(&headers), "no Accept: a script");
        headers.insert(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8".parse().unwrap());
        assert!(wants_html(&headers));
        headers.insert(ACCEPT, "application/json".parse().unwrap());
        assert!(!wants_html(&headers));
        assert!(is_page_path("/requests/x") && is_page_path("/nowhere") && is_page_path("/volunteers"));
        assert!(!is_page_path("/api/v1/requests") && !is_page_path("/o/abc") && !is_page_path("/v"));
    }
}
