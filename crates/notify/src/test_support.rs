//! Test fixtures of the notify crate; the database and the SMTP server come from the shared
//! test kit.

use std::path::PathBuf;
use std::time::Duration;

pub use lp_testkit::smtp::free_addr;
pub use lp_testkit::{ReceivedMail as Received, SmtpServer, TestDb};

use crate::{Email, Mailer, MailerConfig, TransportKind};

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

pub fn smtp_mailer(url: &str) -> Mailer {
    Mailer::new(&MailerConfig {
        transport: TransportKind::Smtp,
        smtp_url: Some(url.to_owned()),
        from: "Dolmetscherpool <pool@localhost>".to_owned(),
        file_dir: PathBuf::new(),
        send_timeout: Duration::from_secs(10),
    })
    .unwrap()
}
