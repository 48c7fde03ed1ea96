//! Email: the message catalogue (German first, English second), the transactional outbox, the
//! transports (SMTP, files for a first run) and the worker that delivers the outbox.
//!
//! A caller builds an [`Email`] from one of the [`templates`], writes it with [`enqueue`] in the
//! same database transaction as the change that causes it, and after the commit may wake the
//! [`DeliveryWorker`] (`Notify::notify_one`) so the mail leaves at once instead of at the next
//! poll.

mod error;
mod kind;
pub mod mailbox;
mod mailer;
mod outbox;
pub mod templates;
mod worker;

#[cfg(test)]
mod test_support;

pub use error::NotifyError;
pub use kind::MailKind;
pub use mailer::{Mailer, MailerConfig, TransportKind};
pub use outbox::{OutboxEntry, OutboxState, Resend, enqueue, purge_sent_before, recently_sent, resend, unsent};
pub use worker::{Bounces, DeliveryReport, DeliveryWorker, LeaseHolder};

/// One message, ready for the outbox. Bodies carry personal details, and links only as
/// placeholders (`lp_core::link`) that the worker writes in at send time: never log them, which is
/// why `Debug` shows only the envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    /// What the message is about (`offer`, `assignment_confirmed`, ...): kept on the outbox
    /// row after sending, for the log and for statistics.
    pub kind: String,
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<Attachment>,
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("kind", &self.kind)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("attachment", &self.attachment.as_ref().map(|a| &a.filename))
            .finish_non_exhaustive()
    }
}

/// A text attachment, such as the `.ics` calendar entry of a confirmed assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// A full MIME type with parameters, e.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    pub body: String,
}
