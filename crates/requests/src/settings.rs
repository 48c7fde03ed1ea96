use lp_matcher::MatchConfig;
use lp_matcher::cascade::CascadeConfig;

/// What the requests crate takes from the service's configuration.
#[derive(Debug, Clone)]
pub struct RequestSettings {
    /// Offers in the first wave.
    pub wave_size: u32,
    pub wave_interval_minutes: u32,
    pub matching: MatchConfig,
    pub training_validity_months: u32,
    /// How far back continuity looks for who served a client before, in days; the keyed hash
    /// of a client reference is kept this long after the appointment.
    pub continuity_days: u32,
    /// Base of every link in an email, without a trailing slash.
    pub public_base_url: String,
    /// The process's compiled pool, shared by every clone of these settings.
    pub ranker: crate::ranker::Ranker,
    /// Derives the tokens that are shown again and keys the hashes kept for continuity.
    pub server_key: std::sync::Arc<lp_core::secret::ServerKey>,
    /// The town's own video service (a Jitsi, OpenTalk or BigBlueButton server), under which a
    /// video appointment gets its meeting room on acceptance; none when unset.
    pub video_base_url: Option<String>,
    /// `matching.accept_window_minutes`: acceptances within this long of the first are
    /// collected and the best-ranked wins ([`lp_matcher::cascade::window_closes_at`],
    /// [`lp_matcher::cascade::window_winner`]); 0 is off.
    pub accept_window_minutes: u32,
}

impl RequestSettings {
    pub fn cascade(&self) -> CascadeConfig {
        CascadeConfig {
            wave_size: self.wave_size,
            wave_interval_minutes: self.wave_interval_minutes,
            accept_window_minutes: self.accept_window_minutes,
        }
    }

    /// What writes the links into mails at send time: the key and `public_base_url`.
    pub fn links(&self) -> lp_core::link::LinkResolver {
        lp_core::link::LinkResolver::new(self.server_key.clone(), &self.public_base_url)
    }

    /// How the volunteers' calendar feed addresses are made (from the server key).
    pub fn calendar_feeds(&self) -> lp_registry::calendar_feeds::Addresses<'_> {
        lp_registry::calendar_feeds::Addresses::new(&self.server_key, &self.public_base_url)
    }

    /// The request's page in the staff web application.
    pub fn request_url(&self, id: uuid::Uuid) -> String {
        format!("{}/requests/{id}", self.public_base_url)
    }
}

impl RequestSettings {
    /// The defaults of `config/default.toml` with links under `public_base_url` and a fresh
    /// server key: for tests and tools, which change what they need with `..`.
    pub fn with_defaults(public_base_url: &str) -> Self {
        RequestSettings {
            wave_size: 3,
            wave_interval_minutes: 60,
            matching: MatchConfig::default(),
            training_validity_months: 24,
            continuity_days: 730,
            public_base_url: public_base_url.to_owned(),
            ranker: Default::default(),
            server_key: std::sync::Arc::new(lp_core::secret::ServerKey::generate()),
            video_base_url: None,
            accept_window_minutes: 0,
        }
    }

    /// A new meeting room's link on the video service, if one is configured: the room name
    /// carries 128 random bits, so nobody finds the meeting by guessing.
    pub fn new_video_url(&self) -> Option<String> {
        let base = self.video_base_url.as_deref()?;
        let room: String = lp_core::secret::random_bytes::<16>()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Some(format!("{base}/dolmetschen-{room}"))
    }
}
