/// What the trainings crate takes from the service's configuration.
#[derive(Debug, Clone)]
pub struct TrainingSettings {
    /// How long a basic or refresher training counts (`training.validity_months`).
    pub validity_months: u32,
    /// Base of every link in an email, without a trailing slash.
    pub public_base_url: String,
}

impl TrainingSettings {
    /// The invitation page `{public_base_url}/t/{token}`.
    pub fn invitation_url(&self, token: &str) -> String {
        format!("{}/t/{token}", self.public_base_url)
    }
}
