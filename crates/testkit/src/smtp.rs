//! A real SMTP server on a loopback port, in threads of its own, built on mailin's SMTP state
//! machine (mailin-embedded needs a TLS stack the tests do not). A test fixture: it can also
//! play the faults of real mail servers ([`Behaviour`]), and change its behaviour while it runs.

use mail_parser::{MessageParser, MimeHeaders};
use mailin::{Handler, Response, SessionBuilder};
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One message as the server received it, parsed.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// (file name, content) of each attachment.
    pub attachments: Vec<(String, String)>,
    pub message_id: Option<String>,
    pub raw: Vec<u8>,
}

impl ReceivedMail {
    fn parse(to: Vec<String>, raw: Vec<u8>) -> Self {
        let parsed = MessageParser::default().parse(&raw);
        let Some(parsed) = parsed else {
            return Self {
                to,
                subject: String::new(),
                text: String::new(),
                html: String::new(),
                attachments: Vec::new(),
                message_id: None,
                raw,
            };
        };
        let attachments = parsed
            .attachments()
            .map(|a| {
                (
                    a.attachment_name().unwrap_or_default().to_owned(),
                    String::from_utf8_lossy(a.contents()).into_owned(),
                )
            })
            .collect();
        Self {
            subject: parsed.subject().unwrap_or_default().to_owned(),
            text: parsed.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            html: parsed.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
            message_id: parsed.message_id().map(str::to_owned),
            attachments,
            to,
            raw,
        }
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.to.iter().any(|t| t.eq_ignore_ascii_case(address))
    }

    /// The path of the first link in the text body that starts with `base` + `prefix`,
    /// e.g. `/o/<token>` for `base = "http://pool.test"`, `prefix = "/o/"`.
    pub fn link(&self, base: &str, prefix: &str) -> Option<String> {
        let start = format!("{base}{prefix}");
        let at = self.text.find(&start)?;
        let rest = &self.text[at + base.len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '>' | '"' | ')' | '<'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// How the server answers. Read at every command, so a test can change it mid-run
/// ([`SmtpServer::set_behaviour`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Takes every message.
    Accept,
    /// `550 Mailbox unavailable` to every recipient.
    RefuseAll,
    /// `451` to every recipient: a server in trouble, try again later.
    TryLater,
    /// `550` to this one address (compared case-insensitively); every other is taken.
    RefuseOne(String),
    /// Accepts the TCP connection and never says a word, not even the greeting.
    Silent,
    /// Takes every message, but waits this long before confirming each one.
    Slow(Duration),
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    state: Arc<State>,
}

struct State {
    behaviour: Mutex<Behaviour>,
    /// Every recipient the server was asked to take, in order, whatever it answered.
    recipients: Mutex<Vec<String>>,
}

impl State {
    fn behaviour(&self) -> Behaviour {
        self.behaviour.lock().expect("not poisoned").clone()
    }
}

impl SmtpServer {
    pub fn start() -> Self {
        Self::start_with(Behaviour::Accept)
    }

    /// A server that refuses every recipient with `550 Mailbox unavailable`.
    pub fn start_refusing() -> Self {
        Self::start_with(Behaviour::RefuseAll)
    }

    pub fn start_with(behaviour: Behaviour) -> Self {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("a free port"), behaviour)
    }

    /// Serves on the given listener, e.g. one bound to an address a test reserved earlier.
    pub fn start_on(listener: TcpListener, behaviour: Behaviour) -> Self {
        let addr = listener.local_addr().expect("bound");
        let received = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(State {
            behaviour: Mutex::new(behaviour),
            recipients: Mutex::new(Vec::new()),
        });
        let sink = Arc::clone(&received);
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Collector {
                    sink: Arc::clone(&sink),
                    current: None,
                    state: Arc::clone(&shared),
                };
                std::thread::spawn(move || serve_connection(stream, handler));
            }
        });
        Self { addr, received, state }
    }

    /// Answers differently from the next command on.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().expect("not poisoned") = behaviour;
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("not poisoned").clone()
    }

    pub fn received_by(&self, address: &str) -> Vec<ReceivedMail> {
        self.received().into_iter().filter(|m| m.is_to(address)).collect()
    }

    /// How often a client asked the server to take a message for `address`, taken or not:
    /// how often a mail to it was tried.
    pub fn attempts_for(&self, address: &str) -> usize {
        self.state
            .recipients
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|to| to.eq_ignore_ascii_case(address))
            .count()
    }

    /// Waits (up to 30 s) until `count` messages to `address` have arrived, and returns them
    /// in the order they arrived.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<ReceivedMail> {
        self.wait_for_within(address, count, Duration::from_secs(30)).await
    }

    /// [`wait_for`](Self::wait_for) with a deadline of the caller's, for mail that waits out a
    /// retry.
    pub async fn wait_for_within(&self, address: &str, count: usize, within: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + within;
        loop {
            let mails = self.received_by(address);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "waited {within:?} for {count} mail(s) to {address}; got {}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// A loopback address nothing listens on (yet): connecting to it is refused.
pub fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("bound")
}

fn serve_connection(stream: TcpStream, handler: Collector) {
    if handler.state.behaviour() == Behaviour::Silent {
        // Hold the connection open without a word until the client gives up.
        let mut sink = [0u8; 512];
        let mut stream = stream;
        stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
        while matches!(std::io::Read::read(&mut stream, &mut sink), Ok(n) if n > 0) {}
        return;
    }
    let remote = stream
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    // Buffered and flushed once per response: small unbuffered writes meet Nagle's algorithm
    // and delayed ACKs, and every exchange stalls for 40 ms.
    let Ok(write_half) = stream.try_clone() else { return };
    let mut writer = std::io::BufWriter::new(write_half);
    let mut reader = BufReader::new(stream);
    let mut session = SessionBuilder::new("smtp.test").build(remote, handler);
    if session
        .greeting()
        .write_to(&mut writer)
        .and_then(|()| writer.flush())
        .is_err()
    {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::Reply => {
                if response.write_to(&mut writer).and_then(|()| writer.flush()).is_err() {
                    return;
                }
            }
            mailin::Action::Close => {
                response.write_to(&mut writer).and_then(|()| writer.flush()).ok();
                return;
            }
            mailin::Action::UpgradeTls => return,
            mailin::Action::NoReply => {}
        }
    }
}

#[derive(Clone)]
struct Collector {
    sink: Arc<Mutex<Vec<ReceivedMail>>>,
    current: Option<(Vec<String>, Vec<u8>)>,
    state: Arc<State>,
}

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        let to = to.trim_matches(|c| c == '<' || c == '>').to_owned();
        self.state.recipients.lock().expect("not poisoned").push(to.clone());
        match self.state.behaviour() {
            Behaviour::RefuseAll => mailin::response::NO_MAILBOX,
            Behaviour::RefuseOne(address) if address.eq_ignore_ascii_case(&to) => mailin::response::NO_MAILBOX,
            Behaviour::TryLater => mailin::response::INTERNAL_ERROR,
            _ => mailin::response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some((to.to_vec(), Vec::new()));
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some((_, data)) = &mut self.current {
            data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Behaviour::Slow(delay) = self.state.behaviour() {
            std::thread::sleep(delay);
        }
        if let Some((to, raw)) = self.current.take() {
            self.sink
                .lock()
                .expect("not poisoned")
                .push(ReceivedMail::parse(to, raw));
        }
        mailin::response::OK
    }
}
