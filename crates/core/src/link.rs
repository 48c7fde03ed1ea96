//! How every secret link a person gets by mail is made and written: offers (`/o/`), training
//! invitations (`/t/`), availability pages (`/v/`), staff password links (`/password/`) and
//! calendar feeds (`/calendar/….ics`), in one place.
//!
//! A link's token is never random-and-stored: it is derived from the server key (kept outside
//! the database) over the link row's id and a random nonce ([`LinkSeed`]), and only its SHA-256
//! goes into the row, so lookups by hash stay as they were. A mail is written to the outbox with
//! a placeholder (`⟦link:o:<id>:<nonce>⟧`) where the address goes; the delivery worker replaces
//! it at send time ([`LinkResolver`]) with an address under the configured `public_base_url`.
//! So neither the database files (WAL included) nor a backup of them ever hold a usable token:
//! without the key, an id and a nonce are worth nothing.

use crate::secret::{ServerKey, hash_token};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;
use uuid::Uuid;

/// The kinds of link, each with its own derivation purpose and its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `/o/{token}`: an offer, and after acceptance the page that manages the job.
    Offer,
    /// `/t/{token}`: a training invitation.
    TrainingInvitation,
    /// `/v/{token}`: the volunteer's own availability page.
    Availability,
    /// `/password/{token}`: a staff member's set-password link.
    SetPassword,
    /// `/calendar/{token}.ics`: a volunteer's calendar feed. Its nonce is empty: a feed's
    /// address must be the same on every visit, and a new address is a new feed row.
    CalendarFeed,
}

impl LinkKind {
    pub const ALL: &'static [LinkKind] = &[
        LinkKind::Offer,
        LinkKind::TrainingInvitation,
        LinkKind::Availability,
        LinkKind::SetPassword,
        LinkKind::CalendarFeed,
    ];

    /// The letter in a placeholder.
    fn code(self) -> char {
        match self {
            LinkKind::Offer => 'o',
            LinkKind::TrainingInvitation => 't',
            LinkKind::Availability => 'v',
            LinkKind::SetPassword => 'p',
            LinkKind::CalendarFeed => 'c',
        }
    }

    fn from_code(code: &str) -> Option<LinkKind> {
        LinkKind::ALL.iter().copied().find(|kind| {
            let mut buf = [0u8; 4];
            kind.code().encode_utf8(&mut buf) == code
        })
    }

    /// Keeps the tokens of one kind apart from those of every other and from every other value
    /// derived from the key. The calendar feed's is the one its addresses were first made with.
    fn purpose(self) -> &'static str {
        match self {
            LinkKind::Offer => "offer-link",
            LinkKind::TrainingInvitation => "training-invitation-link",
            LinkKind::Availability => "availability-link",
            LinkKind::SetPassword => "set-password-link",
            LinkKind::CalendarFeed => "calendar-feed",
        }
    }

    /// The path before and after the token.
    pub fn path(self) -> (&'static str, &'static str) {
        match self {
            LinkKind::Offer => ("/o/", ""),
            LinkKind::TrainingInvitation => ("/t/", ""),
            LinkKind::Availability => ("/v/", ""),
            LinkKind::SetPassword => ("/password/", ""),
            LinkKind::CalendarFeed => ("/calendar/", ".ics"),
        }
    }
}

/// What one link is derived from: its kind, its row's id and a nonce. None of it is secret;
/// the token exists only where the server key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSeed {
    kind: LinkKind,
    id: Uuid,
    nonce: String,
}

/// 128 random bits: a fresh link for the same row (an offer asked again) is a new token.
const NONCE_BYTES: usize = 16;

impl LinkSeed {
    /// A new link for the row `id`, with a fresh random nonce.
    pub fn fresh(kind: LinkKind, id: Uuid) -> Self {
        let nonce = match kind {
            LinkKind::CalendarFeed => String::new(),
            _ => URL_SAFE_NO_PAD.encode(crate::secret::random_bytes::<NONCE_BYTES>()),
        };
        Self { kind, id, nonce }
    }

    /// The link of a stored row, to write it into another mail (an offer's link in the
    /// confirmation of its acceptance, say).
    pub fn stored(kind: LinkKind, id: Uuid, nonce: &str) -> Self {
        Self {
            kind,
            id,
            nonce: nonce.to_owned(),
        }
    }

    pub fn kind(&self) -> LinkKind {
        self.kind
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// What the row keeps to write its link again.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The token: HMAC-SHA256 under the server key of the row's id and the nonce.
    pub fn token(&self, key: &ServerKey) -> String {
        let mut subject = Vec::with_capacity(16 + self.nonce.len());
        subject.extend_from_slice(self.id.as_bytes());
        subject.extend_from_slice(self.nonce.as_bytes());
        key.derive(self.kind.purpose(), &subject)
    }

    /// What the row stores to find the link by its token.
    pub fn hash(&self, key: &ServerKey) -> String {
        hash_token(&self.token(key))
    }

    /// What a mail in the outbox holds where the link's address goes.
    pub fn placeholder(&self) -> String {
        format!("{OPEN}{}:{}:{}{CLOSE}", self.kind.code(), self.id, self.nonce)
    }

    /// The link's address: `{public_base_url}{path}{token}{suffix}`.
    pub fn url(&self, key: &ServerKey, public_base_url: &str) -> String {
        let (prefix, suffix) = self.kind.path();
        format!(
            "{}{prefix}{}{suffix}",
            public_base_url.trim_end_matches('/'),
            self.token(key)
        )
    }

    fn parse(inner: &str) -> Option<Self> {
        let mut parts = inner.splitn(3, ':');
        let kind = LinkKind::from_code(parts.next()?)?;
        let id = Uuid::parse_str(parts.next()?).ok()?;
        let nonce = parts.next()?;
        let nonce_ok = nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        nonce_ok.then(|| Self::stored(kind, id, nonce))
    }
}

const OPEN: &str = "⟦link:";
const CLOSE: &str = "⟧";

/// A placeholder that names no link: a bug in whoever wrote the mail, never sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a link placeholder in the mail does not read")]
pub struct UnreadablePlaceholder;

/// Writes the links into a mail at send time: the server key and the configured base URL,
/// nothing from any request.
#[derive(Clone)]
pub struct LinkResolver {
    key: Arc<ServerKey>,
    public_base_url: String,
}

impl std::fmt::Debug for LinkResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkResolver")
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

impl LinkResolver {
    pub fn new(key: Arc<ServerKey>, public_base_url: &str) -> Self {
        Self {
            key,
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self, seed: &LinkSeed) -> String {
        seed.url(&self.key, &self.public_base_url)
    }

    /// A plain-text body (or an attachment) with every placeholder replaced by its address.
    pub fn resolve_text(&self, text: &str) -> Result<String, UnreadablePlaceholder> {
        self.resolve(text, |url| url)
    }

    /// An HTML body: the address is escaped like the template escaped everything else.
    pub fn resolve_html(&self, html: &str) -> Result<String, UnreadablePlaceholder> {
        self.resolve(html, |url| {
            url.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&#34;")
                .replace('\'', "&#39;")
        })
    }

    fn resolve(&self, text: &str, escape: impl Fn(String) -> String) -> Result<String, UnreadablePlaceholder> {
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(at) = rest.find(OPEN) {
            out.push_str(&rest[..at]);
            let after = &rest[at + OPEN.len()..];
            let end = after.find(CLOSE).ok_or(UnreadablePlaceholder)?;
            let seed = LinkSeed::parse(&after[..end]).ok_or(UnreadablePlaceholder)?;
            out.push_str(&escape(self.url(&seed)));
            rest = &after[end + CLOSE.len()..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Whether a text holds a placeholder (tests and checks; the worker resolves every one).
pub fn has_placeholder(text: &str) -> bool {
    text.contains(OPEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> (LinkResolver, Arc<ServerKey>) {
        let key = Arc::new(ServerKey::generate());
        (LinkResolver::new(key.clone(), "https://pool.example.org/"), key)
    }

    #[test]
    fn a_placeholder_resolves_to_the_token_whose_hash_the_row_keeps() {
        let (resolver, key) = resolver();
        let id = Uuid::new_v4();
        let seed = LinkSeed::fresh(LinkKind::Offer, id);
        let text = format!("Bitte ansehen: {} – danke", seed.placeholder());
        let resolved = resolver.resolve_text(&text).unwrap();
        let token = seed.token(&key);
        assert_eq!(
            resolved,
            format!("Bitte ansehen: https://pool.example.org/o/{token} – danke")
        );
        assert_eq!(hash_token(&token), seed.hash(&key));
        assert_eq!(token.len(), 43, "256 bits");
        assert!(!text.contains(&token), "the outbox text holds no token");
        // The stored nonce writes the same link again.
        let again = LinkSeed::stored(LinkKind::Offer, id, seed.nonce());
        assert_eq!(again.token(&key), token);
    }

    #[test]
    fn tokens_differ_by_nonce_kind_and_key() {
        let key = ServerKey::generate();
        let id = Uuid::new_v4();
        let a = LinkSeed::fresh(LinkKind::Offer, id);
        let b = LinkSeed::fresh(LinkKind::Offer, id);
        assert_ne!(a.token(&key), b.token(&key), "a renewed link is a new token");
        let as_invitation = LinkSeed::stored(LinkKind::TrainingInvitation, id, a.nonce());
        assert_ne!(a.token(&key), as_invitation.token(&key));
        assert_ne!(a.token(&key), a.token(&ServerKey::generate()));
    }

    #[test]
    fn a_calendar_feed_keeps_the_address_it_was_first_made_with() {
        let key = ServerKey::generate();
        let feed = Uuid::new_v4();
        let seed = LinkSeed::fresh(LinkKind::CalendarFeed, feed);
        assert_eq!(seed.nonce(), "");
        assert_eq!(seed.token(&key), key.derive("calendar-feed", feed.as_bytes()));
        assert_eq!(
            seed.url(&key, "http://pool.test"),
            format!("http://pool.test/calendar/{}.ics", seed.token(&key))
        );
    }

    #[test]
    fn every_kind_round_trips_through_its_placeholder() {
        let (resolver, key) = resolver();
        for &kind in LinkKind::ALL {
            let seed = LinkSeed::fresh(kind, Uuid::new_v4());
            assert_eq!(
                resolver.resolve_text(&seed.placeholder()).unwrap(),
                seed.url(&key, "https://pool.example.org")
            );
        }
    }

    #[test]
    fn html_gets_an_escaped_address_and_broken_placeholders_are_refused() {
        let key = Arc::new(ServerKey::generate());
        let resolver = LinkResolver::new(key.clone(), "https://pool.example.org/?a=1&b=2");
        let seed = LinkSeed::fresh(LinkKind::Availability, Uuid::new_v4());
        let html = format!("<a href=\"{}\">x</a>", seed.placeholder());
        let resolved = resolver.resolve_html(&html).unwrap();
        assert!(resolved.contains("?a=1&amp;b=2/v/"), "{resolved}");
        for broken in [
            "⟦link:o:not-a-uuid:x⟧",
            "⟦link:x:00000000-0000-0000-0000-000000000000:n⟧",
            "⟦link:o:",
        ] {
            assert_eq!(resolver.resolve_text(broken), Err(UnreadablePlaceholder), "{broken}");
        }
        assert_eq!(resolver.resolve_text("no links").unwrap(), "no links");
        assert!(!format!("{resolver:?}").contains(&key.to_base64()));
    }
}
