//! Turning an outbox row into a MIME message and handing it to the configured transport: one
//! pooled SMTP transport for the process, or `.eml` files for a first run without a mail server.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

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
    /// The sender, e.g. `Dolmetscherpool <pool@localhost>`.
    pub from: String,
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
    send_timeout: Duration,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Why a send failed, classified for the retry policy. The text is the transport's error only:
/// no part of the message.
#[derive(Debug)]
pub(crate) struct SendError {
    pub(crate) message: String,
    /// Retrying cannot help: the message or its recipient was refused for good.
    pub(crate) permanent: bool,
}

impl Mailer {
    /// Builds the transport. Call it inside the Tokio runtime: the SMTP pool starts a task that
    /// closes idle connections.
    pub fn new(config: &MailerConfig) -> Result<Self, NotifyError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| NotifyError::Config(format!("`{}` is not a valid sender", config.from)))?;
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
                Transport::Smtp(builder.timeout(Some(config.send_timeout)).build())
            }
            TransportKind::File => {
                std::fs::create_dir_all(&config.file_dir)?;
                Transport::File(AsyncFileTransport::<Tokio1Executor>::new(&config.file_dir))
            }
        };
        Ok(Self {
            from,
            send_timeout: config.send_timeout,
            transport,
        })
    }

    pub fn send_timeout(&self) -> Duration {
        self.send_timeout
    }

    /// Builds and sends one outbox row, bounded by the send timeout.
    pub(crate) async fn send_row(&self, row: &Row) -> Result<(), SendError> {
        let message = self.build_message(row)?;
        let sent = match &self.transport {
            Transport::Smtp(smtp) => tokio::time::timeout(self.send_timeout, smtp.send(message))
                .await
                .map(|r| {
                    r.map(drop).map_err(|e| SendError {
                        message: format!("smtp: {e}"),
                        permanent: is_permanent_refusal(&e),
                    })
                }),
            Transport::File(file) => tokio::time::timeout(self.send_timeout, file.send(message))
                .await
                .map(|r| {
                    r.map(drop).map_err(|e| SendError {
                        message: format!("file: {e}"),
                        permanent: false,
                    })
                }),
        };
        sent.unwrap_or_else(|_| {
            Err(SendError {
                message: format!("no answer within {} s", self.send_timeout.as_secs_f32()),
                permanent: false,
            })
        })
    }

    /// multipart/alternative (text, html), inside multipart/mixed when there is an attachment.
    /// The Message-ID is derived from the row id, so that a crash between the server's
    /// acceptance and the row being marked sent — after which the row is sent again once its
    /// lease lapses — produces a second copy with the same Message-ID, which mail servers and
    /// clients recognise as a duplicate. The Date is the row's creation: the same on both.
    fn build_message(&self, row: &Row) -> Result<Message, SendError> {
        let to: Mailbox = row.to_address.parse().map_err(|_| SendError {
            message: "invalid recipient address".to_owned(),
            permanent: true,
        })?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(message_id(&row.id)))
            .date(row.created_at.into());
        let alternative = MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone());
        let body = match (&row.attachment_name, &row.attachment_body) {
            (Some(name), Some(content)) => {
                let content_type = row
                    .attachment_content_type
                    .as_deref()
                    .and_then(|ct| ContentType::parse(ct).ok())
                    .unwrap_or(ContentType::TEXT_PLAIN);
                let attachment: SinglePart = MimeAttachment::new(name.clone()).body(content.clone(), content_type);
                MultiPart::mixed().multipart(alternative).singlepart(attachment)
            }
            _ => alternative,
        };
        builder.multipart(body).map_err(|e| SendError {
            message: format!("cannot build the message: {e}"),
            permanent: true,
        })
    }
}

pub(crate) fn message_id(row_id: &str) -> String {
    format!("<{row_id}@linguapool>")
}

/// Only refusals of this recipient or this message are final. Other 5xx answers (bad
/// credentials, relay denied, syntax) come from our configuration and heal when it is fixed,
/// so those rows keep their retries instead of all dying at once.
fn is_permanent_refusal(error: &lettre::transport::smtp::Error) -> bool {
    error.is_permanent()
        && error
            .status()
            .is_some_and(|code| matches!(code.to_string().as_str(), "550" | "551" | "552" | "553"))
}
