//! The local mailbox: with the file transport (the first-run default), every email the
//! service "sends" is listed here, so a newcomer can click the links without a mail server.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PathParam;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use lp_notify::mailbox::{self, MailboxEntry};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mailbox", get(list))
        .route("/mailbox/{id}", get(show))
}

#[derive(Template)]
#[template(path = "mailbox.html")]
struct MailboxTemplate {
    entries: Vec<MailboxEntry>,
}

#[derive(Template)]
#[template(path = "mailbox_message.html")]
struct MessageTemplate {
    subject: String,
    to: String,
    /// Already escaped, with links made clickable.
    body: String,
}

fn mailbox_dir(state: &AppState) -> Result<&std::path::Path, ApiError> {
    state.mailbox_dir.as_deref().ok_or(ApiError::NotFound)
}

async fn list(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let entries = mailbox::list(mailbox_dir(&state)?).map_err(|e| ApiError::Internal(e.to_string()))?;
    render(&MailboxTemplate { entries })
}

async fn show(State(state): State<AppState>, PathParam(id): PathParam) -> Result<Html<String>, ApiError> {
    let message = mailbox::read(mailbox_dir(&state)?, &id)
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or(ApiError::NotFound)?;
    render(&MessageTemplate {
        subject: message.entry.subject,
        to: message.entry.to,
        body: linkify(&message.text),
    })
}

fn render(template: &impl Template) -> Result<Html<String>, ApiError> {
    template
        .render()
        .map(Html)
        .map_err(|e| ApiError::Internal(format!("template: {e}")))
}

/// Escapes the text for HTML and turns http(s) URLs into links.
fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find("http://").into_iter().chain(rest.find("https://")).min() {
        out.push_str(&escape(&rest[..at]));
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(tail.len());
        // Punctuation right after a link ends the sentence, not the link.
        let url = tail[..end].trim_end_matches(['.', ',', ')', ';', ':']);
        let url_html = escape(url);
        out.push_str(&format!("<a href=\"{url_html}\">{url_html}</a>"));
        rest = &tail[url.len()..];
    }
    out.push_str(&escape(rest));
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::linkify;

    #[test]
    fn links_become_anchors_and_the_rest_is_escaped() {
        let html = linkify("Bitte <klicken>: http://127.0.0.1:8080/o/abc.\nDanke");
        assert_eq!(
            html,
            "Bitte &lt;klicken&gt;: <a href=\"http://127.0.0.1:8080/o/abc\">http://127.0.0.1:8080/o/abc</a>.\nDanke"
        );
    }
}
