//! Turning an outbox row into a MIME message and handing it to the configured transport: one
//! pooled SMTP transport for the process, or `.eml` files for a first run without a mail server.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use lp_core::link::LinkResolver;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

use crate::NotifyError;
use crate::outbox::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// Deliver through the SMTP server named by `smtp_url`.
    Smtp,
    /// Write each message as an `.eml` file into `file_dir` (the local mailbox page reads them).
    File,
}

#[derive(Clone)]
pub struct MailerConfig {
    pub transport: TransportKind,
    /// `smtp://host:port`, `smtps://user:pass@host` or `smtp://host?tls=required`; required for
    /// the SMTP transport.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Dolmetscherpool <pool@localhost>`; its domain is the Message-ID's.
    pub from: String,
    /// Where a recipient's answer goes, e.g. the coordinator (`Reply-To`); none when unset.
    pub reply_to: Option<String>,
    pub file_dir: PathBuf,
    /// The longest one message may take to hand over, connecting included.
    pub send_timeout: Duration,
}

/// Shows the SMTP URL without its password, which must not reach a log.
impl std::fmt::Debug for MailerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailerConfig")
            .field("transport", &self.transport)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("from", &self.from)
            .field("reply_to", &self.reply_to)
            .field("file_dir", &self.file_dir)
            .field("send_timeout", &self.send_timeout)
            .finish()
    }
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// The configured transport, built once per process: the SMTP variant keeps a connection pool,
/// so a burst of offers reuses connections instead of opening one per message.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    reply_to: Option<Mailbox>,
    send_timeout: Duration,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(Arc<SmtpPool>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// lettre's pooled SMTP transport, and how to build it afresh. A send cut off by the timeout
/// leaves its connection in the middle of a dialogue (the server's late answer still unread),
/// and lettre parks it in the pool all the same: the next message on it would read the answers
/// meant for the one before, and could count a refused message as accepted. So after a send
/// that was cut off (or panicked) the whole pool is dropped, and its connections closed.
struct SmtpPool {
    builder: AsyncSmtpTransportBuilder,
    current: Mutex<AsyncSmtpTransport<Tokio1Executor>>,
}

impl SmtpPool {
    fn transport(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        self.current.lock().expect("not poisoned").clone()
    }

    fn discard(&self) {
        *self.current.lock().expect("not poisoned") = self.builder.clone().build();
    }
}

/// Why a send failed, classified for the retry policy. The text is the transport's error only:
/// no part of the message.
#[derive(Debug)]
pub(crate) struct SendError {
    pub(crate) message: String,
    /// Retrying cannot help: the message or its recipient was refused for good.
    pub(crate) permanent: bool,
    /// The recipient's mailbox was refused for good (550, 551, 553): the address bounces.
    pub(crate) bounced: bool,
}

impl SendError {
    /// A failure that another attempt may heal.
    pub(crate) fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
            bounced: false,
        }
    }

    /// A failure no attempt heals, though the address is not to blame.
    pub(crate) fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
            bounced: false,
        }
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies and other automatic
/// answers are not sent back to a message marked so, so no two robots mail each other forever.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match s.trim() {
            "auto-generated" => Ok(Self),
            other => Err(format!("unexpected Auto-Submitted value `{other}`").into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

impl Mailer {
    /// Builds the transport. Call it inside the Tokio runtime: the SMTP pool starts a task that
    /// closes idle connections.
    pub fn new(config: &MailerConfig) -> Result<Self, NotifyError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| NotifyError::Config(format!("`{}` is not a valid sender", config.from)))?;
        let reply_to = config
            .reply_to
            .as_deref()
            .map(|reply_to| {
                reply_to
                    .parse::<Mailbox>()
                    .map_err(|_| NotifyError::Config(format!("`{reply_to}` is not a valid address for email.reply_to")))
            })
            .transpose()?;
        let transport = match config.transport {
            TransportKind::Smtp => {
                let url = config
                    .smtp_url
                    .as_deref()
                    .ok_or_else(|| NotifyError::Config("email.smtp_url is required for the smtp transport".into()))?;
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| NotifyError::Config(format!("invalid email.smtp_url {}: {e}", redact_url(url))))?;
                // lettre's timeout bounds connecting and each command; the worker's
                // `tokio::time::timeout` bounds the whole send.
                let builder = builder.timeout(Some(config.send_timeout));
                Transport::Smtp(Arc::new(SmtpPool {
                    current: Mutex::new(builder.clone().build()),
                    builder,
                }))
            }
            TransportKind::File => {
                std::fs::create_dir_all(&config.file_dir)?;
                Transport::File(AsyncFileTransport::<Tokio1Executor>::new(&config.file_dir))
            }
        };
        Ok(Self {
            from,
            reply_to,
            send_timeout: config.send_timeout,
            transport,
        })
    }

    pub fn send_timeout(&self) -> Duration {
        self.send_timeout
    }

    /// Builds and sends one outbox row, its links written in by `links`, bounded by the send
    /// timeout.
    pub(crate) async fn send_row(&self, row: &Row, links: &LinkResolver) -> Result<(), SendError> {
        let message = self.build_message(row, links)?;
        let sent = match &self.transport {
            Transport::Smtp(pool) => tokio::time::timeout(self.send_timeout, pool.transport().send(message))
                .await
                .map(|r| {
                    r.map(drop).map_err(|e| {
                        let bounced = is_permanent_refusal(&e);
                        SendError {
                            message: format!("smtp: {e}"),
                            permanent: bounced || is_final_for_message(&e),
                            bounced,
                        }
                    })
                }),
            Transport::File(file) => tokio::time::timeout(self.send_timeout, file.send(message))
                .await
                .map(|r| r.map(drop).map_err(|e| SendError::transient(format!("file: {e}")))),
        };
        sent.unwrap_or_else(|_| {
            self.discard_connections();
            Err(SendError::transient(format!(
                "no answer within {} s",
                self.send_timeout.as_secs_f32()
            )))
        })
    }

    /// Closes every pooled SMTP connection; the next message opens a new one. After a send that
    /// was cut off or panicked, see [`SmtpPool`].
    pub(crate) fn discard_connections(&self) {
        if let Transport::Smtp(pool) = &self.transport {
            pool.discard();
        }
    }

    /// multipart/alternative (text, html), inside multipart/mixed when there is an attachment,
    /// with the links written in now: the outbox holds only placeholders.
    ///
    /// The Message-ID is derived from the row id, under the sender's domain, so that a crash
    /// between the server's acceptance and the row being marked sent — after which the row is
    /// sent again once its lease lapses — produces a second copy with the same Message-ID,
    /// which mail servers and clients recognise as a duplicate. The Date is the row's creation:
    /// the same on both. `Auto-Submitted` keeps out-of-office replies away; `Reply-To`, when
    /// configured, sends a volunteer's answer to a person.
    fn build_message(&self, row: &Row, links: &LinkResolver) -> Result<Message, SendError> {
        let to: Mailbox = row.to_address.parse().map_err(|_| SendError {
            message: "invalid recipient address".to_owned(),
            permanent: true,
            bounced: false,
        })?;
        let unreadable = |_| SendError::permanent("a link in the message does not read (see the template)");
        let text = links.resolve_text(&row.body_text).map_err(unreadable)?;
        let html = links.resolve_html(&row.body_html).map_err(unreadable)?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(message_id(&row.id, &self.from)))
            .date(row.created_at.into())
            .header(AutoSubmitted);
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        let alternative = MultiPart::alternative_plain_html(text, html);
        let body = match (&row.attachment_name, &row.attachment_body) {
            (Some(name), Some(content)) => {
                let content = links.resolve_text(content).map_err(unreadable)?;
                let content_type = row
                    .attachment_content_type
                    .as_deref()
                    .and_then(|ct| ContentType::parse(ct).ok())
                    .unwrap_or(ContentType::TEXT_PLAIN);
                let attachment: SinglePart = MimeAttachment::new(name.clone()).body(content, content_type);
                MultiPart::mixed().multipart(alternative).singlepart(attachment)
            }
            _ => alternative,
        };
        builder
            .multipart(body)
            .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
    }
}

/// `<row id@sender's domain>`: a domain of ours, as mail servers expect of a Message-ID.
pub(crate) fn message_id(row_id: &str, from: &Mailbox) -> String {
    format!("<{row_id}@{}>", from.email.domain())
}

/// Only refusals of this recipient are final and mean the address bounces: 550 (mailbox
/// unavailable), 551 (user not local), 553 (mailbox name not allowed). Other 5xx answers (bad
/// credentials, relay denied, syntax) come from our configuration and heal when it is fixed,
/// so those rows keep their retries instead of all dying at once.
fn is_permanent_refusal(error: &lettre::transport::smtp::Error) -> bool {
    error.is_permanent()
        && error
            .status()
            .is_some_and(|code| matches!(code.to_string().as_str(), "550" | "551" | "553"))
}

/// 552 (storage exceeded, or the message too large) is final for this message, yet says
/// nothing against the address.
fn is_final_for_message(error: &lettre::transport::smtp::Error) -> bool {
    error.is_permanent() && error.status().is_some_and(|code| code.to_string() == "552")
}
