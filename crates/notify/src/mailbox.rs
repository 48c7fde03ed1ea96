//! The local mailbox of the file transport: lists and reads the `.eml` files it writes, so a
//! newcomer can open offer links from a web page without a mail server.

use std::path::Path;

use chrono::{DateTime, Utc};
use mail_parser::{Message, MessageParser};

use crate::NotifyError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxEntry {
    /// The file stem, which [`read`] takes back.
    pub id: String,
    pub to: String,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxMessage {
    pub entry: MailboxEntry,
    pub text: String,
    pub html: Option<String>,
}

/// The messages in `dir`, newest first. A missing directory is an empty mailbox; files that
/// are not messages are skipped.
pub fn list(dir: &Path) -> Result<Vec<MailboxEntry>, NotifyError> {
    let reader = match std::fs::read_dir(dir) {
        Ok(reader) => reader,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut entries = Vec::new();
    for file in reader {
        let path = file?.path();
        if path.extension().is_none_or(|ext| ext != "eml") {
            continue;
        }
        let Some(id) = path.file_stem().and_then(|s| s.to_str()).filter(|s| is_plain_id(s)) else {
            continue;
        };
        let bytes = std::fs::read(&path)?;
        if let Some(message) = MessageParser::default().parse(&bytes) {
            entries.push(entry(id, &message));
        }
    }
    // Newest first; the id breaks ties so the order is stable.
    entries.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    Ok(entries)
}

/// One message by id, or `None` when there is none. An id that is not a plain file stem (a
/// path, `..`) is answered like an unknown one: nothing outside `dir` is ever read.
pub fn read(dir: &Path, id: &str) -> Result<Option<MailboxMessage>, NotifyError> {
    if !is_plain_id(id) {
        return Ok(None);
    }
    let bytes = match std::fs::read(dir.join(format!("{id}.eml"))) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(message) = MessageParser::default().parse(&bytes) else {
        return Ok(None);
    };
    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    // Only a real HTML part: mail-parser would otherwise convert the text part.
    let html = message
        .html_part(0)
        .filter(|part| part.is_text_html())
        .and_then(|part| part.text_contents())
        .map(str::to_owned);
    Ok(Some(MailboxMessage {
        entry: entry(id, &message),
        text,
        html,
    }))
}

/// The file transport names files by UUID; anything beyond letters, digits, `-` and `_` is
/// refused before it reaches the file system.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn entry(id: &str, message: &Message<'_>) -> MailboxEntry {
    MailboxEntry {
        id: id.to_owned(),
        to: message
            .to()
            .and_then(|to| to.first())
            .and_then(|addr| addr.address())
            .unwrap_or_default()
            .to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        date: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_are_not_plain_file_stems_are_refused() {
        assert!(is_plain_id("0b6f2c1e-7a1d-4f7e-9d7c-2f4b5a6c7d8e"));
        for bad in ["", "../x", "a/b", "..", "x.eml", "a\\b", "%2e%2e"] {
            assert!(!is_plain_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_missing_mailbox_directory_is_empty() {
        let dir = std::env::temp_dir().join(format!("lp-notify-none-{}", uuid::Uuid::new_v4()));
        assert!(list(&dir).unwrap().is_empty());
        assert!(read(&dir, "abc").unwrap().is_none());
    }
}
