//! Test fixtures of the notify crate; the database and the SMTP server come from the shared
//! test kit.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lp_core::link::LinkResolver;
use lp_core::secret::ServerKey;
pub use lp_testkit::smtp::free_addr;
pub use lp_testkit::{ReceivedMail as Received, SmtpBehaviour, SmtpServer, TestDb};

use crate::{Email, Mailer, MailerConfig, TransportKind};

pub const BASE: &str = "http://127.0.0.1:8080";

pub fn sample_email(to: &str) -> Email {
    Email {
        kind: "offer".to_owned(),
        to: to.to_owned(),
        subject: "Dolmetscheinsatz Tigrinya am 03.12.2026 – Interpreting job".to_owned(),
        text: "Grüße – http://127.0.0.1:8080/o/secret-token".to_owned(),
        html: "<p>Grüße – <a href=\"http://127.0.0.1:8080/o/secret-token\">Link</a></p>".to_owned(),
        attachment: None,
    }
}

/// The links of a test's mails: a fresh key under [`BASE`].
pub fn links() -> (LinkResolver, Arc<ServerKey>) {
    let key = Arc::new(ServerKey::generate());
    (LinkResolver::new(key.clone(), BASE), key)
}

pub fn mailer_config(url: &str) -> MailerConfig {
    MailerConfig {
        transport: TransportKind::Smtp,
        smtp_url: Some(url.to_owned()),
        from: "Dolmetscherpool <pool@localhost>".to_owned(),
        reply_to: None,
        file_dir: PathBuf::new(),
        send_timeout: Duration::from_secs(10),
    }
}

pub fn smtp_mailer(url: &str) -> Mailer {
    Mailer::new(&mailer_config(url)).unwrap()
}
