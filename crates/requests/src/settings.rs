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
    /// Base of every link in an email, without a trailing slash.
    pub public_base_url: String,
    /// The process's compiled pool, shared by every clone of these settings.
    pub ranker: crate::ranker::Ranker,
    /// Derives the tokens that are shown again and keys the hashes kept for continuity.
    pub server_key: std::sync::Arc<lp_core::secret::ServerKey>,
}

impl RequestSettings {
    pub fn cascade(&self) -> CascadeConfig {
        CascadeConfig {
            wave_size: self.wave_size,
            wave_interval_minutes: self.wave_interval_minutes,
        }
    }

    pub fn offer_url(&self, token: &str) -> String {
        format!("{}/o/{token}", self.public_base_url)
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
