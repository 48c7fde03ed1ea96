/// What the trainings crate takes from the service's configuration.
#[derive(Debug, Clone)]
pub struct TrainingSettings {
    /// How long a basic or refresher training counts (`training.validity_months`).
    pub validity_months: u32,
    /// Base of every link in an email, without a trailing slash.
    pub public_base_url: String,
    /// Derives the volunteers' calendar feed addresses that the confirmations carry.
    pub server_key: std::sync::Arc<lp_core::secret::ServerKey>,
}

impl TrainingSettings {
    /// What writes the links into mails at send time: the key and `public_base_url`.
    pub fn links(&self) -> lp_core::link::LinkResolver {
        lp_core::link::LinkResolver::new(self.server_key.clone(), &self.public_base_url)
    }

    /// How the volunteers' calendar feed addresses are made (from the server key).
    pub fn calendar_feeds(&self) -> lp_registry::calendar_feeds::Addresses<'_> {
        lp_registry::calendar_feeds::Addresses::new(&self.server_key, &self.public_base_url)
    }
}
