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
    entries: Vec<Listed>,
}

/// One message in the list, with the time it was written (sent, for the file transport).
struct Listed {
    entry: MailboxEntry,
    sent: Option<Sent>,
}

/// When a message was sent, in German and English and as `<time datetime>`.
struct Sent {
    de: String,
    en: String,
    datetime: String,
}

impl Sent {
    fn of(entry: &MailboxEntry) -> Option<Sent> {
        entry.date.map(|at| Sent {
            de: lp_core::when::short_de(&at),
            en: lp_core::when::short_en(&at),
            datetime: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }
}

#[derive(Template)]
#[template(path = "mailbox_message.html")]
struct MessageTemplate {
    subject: String,
    to: String,
    sent: Option<Sent>,
    /// Already escaped, with links made clickable.
    body: String,
}

fn mailbox_dir(state: &AppState) -> Result<&std::path::Path, ApiError> {
    state.mailbox_dir.as_deref().ok_or(ApiError::NotFound)
}

async fn list(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let entries = mailbox::list(mailbox_dir(&state)?).map_err(|e| ApiError::Internal(e.to_string()))?;
    let entries = entries
        .into_iter()
        .map(|entry| Listed {
            sent: Sent::of(&entry),
            entry,
        })
        .collect();
    render(&MailboxTemplate { entries })
}

async fn show(State(state): State<AppState>, PathParam(id): PathParam) -> Result<Html<String>, ApiError> {
    let message = mailbox::read(mailbox_dir(&state)?, &id)
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or(ApiError::NotFound)?;
    render(&MessageTemplate {
        sent: Sent::of(&message.entry),
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
    use crate::test_app::TestApp;
    use axum::http::StatusCode;

    #[tokio::test]
    async fn the_mailbox_shows_when_each_mail_was_sent() {
        let dir = std::env::temp_dir().join(format!("lp-mailbox-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let id = "0b6f2c1e-7a1d-4f7e-9d7c-2f4b5a6c7d8e";
        let mail = "From: pool@localhost\r\nTo: amal@example.org\r\nSubject: Einsatz – Job\r\n\
                    Date: Mon, 23 Nov 2026 09:05:00 +0000\r\n\r\nHallo";
        std::fs::write(dir.join(format!("{id}.eml")), mail).unwrap();
        let app = TestApp::with_mailbox(dir.clone()).await;

        let list = app.get("/mailbox", None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("amal@example.org"), "{}", list.body);
        // 09:05 UTC is 10:05 in Berlin.
        assert!(
            list.body
                .contains("<time datetime=\"2026-11-23T09:05:00Z\">23.11.2026, 10:05 Uhr</time>"),
            "{}",
            list.body
        );
        assert!(list.body.contains("(23 Nov 2026, 10:05)"), "{}", list.body);
        let message = app.get(&format!("/mailbox/{id}"), None).await;
        assert!(message.body.contains("23.11.2026, 10:05 Uhr"), "{}", message.body);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn links_become_anchors_and_the_rest_is_escaped() {
        let html = linkify("Bitte <klicken>: http://127.0.0.1:8080/o/abc.\nDanke");
        assert_eq!(
            html,
            "Bitte &lt;klicken&gt;: <a href=\"http://127.0.0.1:8080/o/abc\">http://127.0.0.1:8080/o/abc</a>.\nDanke"
        );
    }
}
