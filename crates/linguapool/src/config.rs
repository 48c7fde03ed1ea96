//! Configuration: the built-in `config/default.toml`, then the files `config/default.toml` and
//! `config/local.toml` if present, then `LINGUAPOOL__SECTION__KEY` environment variables.
//! A bad value stops the start with a message that names its key.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use lp_core::vocab::{GermanLevel, Setting};
use lp_matcher::{MatchConfig, ScoreWeights};
use lp_notify::{MailerConfig, TransportKind};
use lp_requests::RequestSettings;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

const BUILT_IN: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub public_base_url: String,
    /// The server key in URL-safe base64; when unset, `secret_key_file` holds it.
    #[serde(default)]
    pub secret_key: Option<String>,
    pub secret_key_file: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub email: EmailConfig,
    pub matching: MatchingConfig,
    pub training: TrainingConfig,
    pub web: WebConfig,
    pub organisation: OrganisationConfig,
    /// Absent keys: no allowance.
    #[serde(default)]
    pub allowance: AllowanceConfig,
    pub retention: RetentionConfig,
    #[serde(default)]
    pub video: VideoConfig,
}

/// The town's own video service for video appointments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoConfig {
    /// E.g. `https://meet.stadt.example`; a room below it is made for each video appointment.
    pub base_url: Option<String>,
}

/// Staff sign-in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// Addresses or networks of reverse proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    /// Requests to secret links (offers, invitations, availability, password, calendar feed)
    /// per client address: this many at once, then `link_rate_per_second`.
    pub link_rate_burst: u32,
    pub link_rate_per_second: u32,
    /// API calls per signed-in user: this many at once, then `api_rate_per_second`.
    pub api_rate_burst: u32,
    pub api_rate_per_second: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub addr: SocketAddr,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub migrate_on_start: bool,
    /// How long a write waits for SQLite's lock held by another process, then 503.
    pub busy_timeout_ms: u64,
    /// How long a request waits for a connection (PostgreSQL down), then 503.
    pub acquire_timeout_ms: u64,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub transport: TransportKind,
    pub smtp_url: Option<String>,
    pub from: String,
    /// Where answers to the mails go (the coordinator); none when unset.
    #[serde(default)]
    pub reply_to: Option<String>,
    pub file_dir: PathBuf,
    pub send_timeout_seconds: u64,
    pub poll_interval_ms: u64,
}

/// A PostgreSQL URL may carry a password: `Debug` shows the kind of database only.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.url.split(':').next().unwrap_or_default();
        f.debug_struct("DatabaseConfig")
            .field("kind", &kind)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

/// The SMTP URL may carry a password: `Debug` shows the transport only.
impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("transport", &self.transport)
            .field("from", &self.from)
            .field("reply_to", &self.reply_to)
            .finish_non_exhaustive()
    }
}

/// A volunteer who accepted waits at most this long to hear whether the job is theirs.
const MAX_ACCEPT_WINDOW_MINUTES: u32 = 120;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingConfig {
    pub wave_size: u32,
    pub wave_interval_minutes: u32,
    pub min_german: GermanLevel,
    pub settings_open_to_untrained: Vec<Setting>,
    pub travel_buffer_minutes: u32,
    pub no_remote_suggestions_for: Vec<Setting>,
    /// How far back continuity looks for who served a client before, in days.
    pub continuity_days: u32,
    /// How often the worker looks for due waves, deadlines and reminders.
    pub cascade_tick_seconds: u64,
    /// Acceptances within this many minutes of the first are collected and the best-ranked
    /// wins; 0: the first acceptance wins at once.
    pub accept_window_minutes: u32,
    pub weights: ScoreWeights,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    pub validity_months: u32,
}

/// Who runs the pool, as printed on the Ehrenamtsnachweis and the attendance certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationConfig {
    pub name: String,
    pub coordinator_name: String,
    #[serde(default)]
    pub address: Option<String>,
}

/// The optional expense allowance: paid only when `per_assignment_cents` is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowanceConfig {
    pub per_assignment_cents: Option<u32>,
    pub per_started_minutes: Option<u32>,
}

/// How long personal data is kept (DSGVO storage limitation), in days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    pub request_details_days: u32,
    pub audit_days: u32,
    pub spent_links_days: u32,
}

impl Config {
    pub fn load() -> anyhow::Result<Self> {
        Self::from_figment(
            Figment::from(Toml::string(BUILT_IN))
                .merge(Toml::file("config/default.toml"))
                .merge(Toml::file("config/local.toml"))
                .merge(Env::prefixed("LINGUAPOOL__").split("__")),
        )
    }

    fn from_figment(figment: Figment) -> anyhow::Result<Self> {
        let config: Config = figment.extract().map_err(|err| {
            let messages: Vec<String> = err.into_iter().map(describe).collect();
            anyhow::anyhow!("invalid configuration: {}", messages.join("; "))
        })?;
        config.check()?;
        Ok(config)
    }

    /// Rules a type cannot express, each naming its key.
    fn check(&self) -> anyhow::Result<()> {
        let base = &self.public_base_url;
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.ends_with('/') {
            bail!(
                "invalid configuration: public_base_url must start with http:// or https:// and not end with /, got `{base}`"
            );
        }
        if let Some(video) = &self.video.base_url
            && (!(video.starts_with("https://") || video.starts_with("http://")) || video.ends_with('/'))
        {
            bail!(
                "invalid configuration: video.base_url must start with https:// or http:// and not end with /, got `{video}`"
            );
        }
        if !(self.database.url.starts_with("sqlite:") || self.database.url.starts_with("postgres")) {
            bail!("invalid configuration: database.url must start with sqlite: or postgres:");
        }
        if self.database.max_connections == 0 {
            bail!("invalid configuration: database.max_connections must be at least 1");
        }
        if self.email.transport == TransportKind::Smtp && self.email.smtp_url.is_none() {
            bail!("invalid configuration: email.smtp_url is required when email.transport is smtp");
        }
        if !(1..=50).contains(&self.matching.wave_size) {
            bail!("invalid configuration: matching.wave_size must be between 1 and 50");
        }
        if self.matching.cascade_tick_seconds == 0 {
            bail!("invalid configuration: matching.cascade_tick_seconds must be at least 1");
        }
        if self.matching.continuity_days == 0 {
            bail!("invalid configuration: matching.continuity_days must be at least 1");
        }
        if self.matching.accept_window_minutes > MAX_ACCEPT_WINDOW_MINUTES {
            bail!("invalid configuration: matching.accept_window_minutes must be at most {MAX_ACCEPT_WINDOW_MINUTES}");
        }
        if self.matching.wave_interval_minutes == 0 {
            bail!("invalid configuration: matching.wave_interval_minutes must be at least 1");
        }
        if self.web.session_idle_minutes == 0 || self.web.session_absolute_hours == 0 {
            bail!("invalid configuration: web.session_idle_minutes and web.session_absolute_hours must be at least 1");
        }
        for (key, value) in [
            ("web.link_rate_burst", self.web.link_rate_burst),
            ("web.link_rate_per_second", self.web.link_rate_per_second),
            ("web.api_rate_burst", self.web.api_rate_burst),
            ("web.api_rate_per_second", self.web.api_rate_per_second),
        ] {
            if value == 0 {
                bail!("invalid configuration: {key} must be at least 1");
            }
        }
        if self.training.validity_months == 0 {
            bail!("invalid configuration: training.validity_months must be at least 1");
        }
        if self.organisation.name.trim().is_empty() {
            bail!("invalid configuration: organisation.name must not be empty");
        }
        if self.allowance.per_started_minutes.is_some() && self.allowance.per_assignment_cents.is_none() {
            bail!("invalid configuration: allowance.per_started_minutes needs allowance.per_assignment_cents");
        }
        self.allowance()
            .map_err(|err| anyhow::anyhow!("invalid configuration: {err}"))?;
        // A period shorter than a day would erase what staff are still working with.
        for (key, days) in [
            ("retention.request_details_days", self.retention.request_details_days),
            ("retention.audit_days", self.retention.audit_days),
            ("retention.spent_links_days", self.retention.spent_links_days),
        ] {
            if days == 0 {
                bail!("invalid configuration: {key} must be at least 1");
            }
        }
        Ok(())
    }

    /// The server key: `secret_key` when set, else the contents of `secret_key_file`, which a
    /// first start creates (readable by the owner only) so a newcomer needs to set nothing.
    pub fn server_key(&self) -> anyhow::Result<lp_core::secret::ServerKey> {
        use lp_core::secret::ServerKey;
        if let Some(text) = &self.secret_key {
            return ServerKey::from_base64(text)
                .map_err(|err| anyhow::anyhow!("invalid configuration: secret_key: {err}"));
        }
        let path = &self.secret_key_file;
        match std::fs::read_to_string(path) {
            Ok(text) => ServerKey::from_base64(&text)
                .map_err(|err| anyhow::anyhow!("invalid configuration: secret_key_file {}: {err}", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = ServerKey::generate();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                }
                match write_private(path, &key.to_base64()) {
                    Ok(()) => {
                        tracing::info!(file = %path.display(), "made a new server key");
                        Ok(key)
                    }
                    // Another instance starting at the same moment wrote it first: theirs.
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => self.server_key(),
                    Err(err) => Err(err).with_context(|| format!("cannot write secret_key_file {}", path.display())),
                }
            }
            Err(err) => Err(err).with_context(|| format!("cannot read secret_key_file {}", path.display())),
        }
    }

    pub fn match_config(&self) -> MatchConfig {
        MatchConfig {
            min_german: self.matching.min_german,
            settings_open_to_untrained: self.matching.settings_open_to_untrained.clone(),
            travel_buffer_minutes: self.matching.travel_buffer_minutes,
            no_remote_suggestions_for: self.matching.no_remote_suggestions_for.clone(),
            weights: self.matching.weights,
            // Gathered from the database at ranking time, not configured.
            demand: Default::default(),
        }
    }

    pub fn cascade_config(&self) -> lp_matcher::cascade::CascadeConfig {
        lp_matcher::cascade::CascadeConfig {
            wave_size: self.matching.wave_size,
            wave_interval_minutes: self.matching.wave_interval_minutes,
            accept_window_minutes: self.matching.accept_window_minutes,
        }
    }

    pub fn request_settings(&self, server_key: std::sync::Arc<lp_core::secret::ServerKey>) -> RequestSettings {
        RequestSettings {
            wave_size: self.matching.wave_size,
            wave_interval_minutes: self.matching.wave_interval_minutes,
            matching: self.match_config(),
            training_validity_months: self.training.validity_months,
            continuity_days: self.matching.continuity_days,
            public_base_url: self.public_base_url.clone(),
            ranker: Default::default(),
            server_key,
            video_base_url: self.video.base_url.clone(),
            accept_window_minutes: self.matching.accept_window_minutes,
        }
    }

    pub fn retention_settings(&self) -> lp_requests::retention::RetentionSettings {
        lp_requests::retention::RetentionSettings {
            request_details_days: self.retention.request_details_days,
            audit_days: self.retention.audit_days,
            spent_links_days: self.retention.spent_links_days,
        }
    }

    pub fn training_settings(
        &self,
        server_key: std::sync::Arc<lp_core::secret::ServerKey>,
    ) -> lp_trainings::TrainingSettings {
        lp_trainings::TrainingSettings {
            validity_months: self.training.validity_months,
            public_base_url: self.public_base_url.clone(),
            server_key,
        }
    }

    fn allowance(&self) -> Result<Option<lp_reports::Allowance>, lp_reports::ZeroMinutes> {
        self.allowance
            .per_assignment_cents
            .map(|cents| lp_reports::Allowance::new(cents, self.allowance.per_started_minutes))
            .transpose()
    }

    pub fn report_settings(&self) -> lp_reports::ReportSettings {
        let organisation = &self.organisation;
        lp_reports::ReportSettings {
            organisation: lp_reports::Organisation {
                name: organisation.name.trim().to_owned(),
                coordinator_name: organisation.coordinator_name.trim().to_owned(),
                address: organisation
                    .address
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
            },
            // `check` refused a bad allowance already.
            allowance: self.allowance().unwrap_or(None),
        }
    }

    pub fn web_settings(&self) -> lp_web::WebSettings {
        let sessions = lp_registry::sessions::SessionPolicy {
            idle: chrono::Duration::minutes(i64::from(self.web.session_idle_minutes)),
            absolute: chrono::Duration::hours(i64::from(self.web.session_absolute_hours)),
        };
        use lp_web::throttle::Budget;
        lp_web::WebSettings::new(&self.public_base_url, sessions, self.web.trusted_proxies.clone()).with_rate_limits(
            Budget::per_second(self.web.link_rate_burst, self.web.link_rate_per_second),
            Budget::per_second(self.web.api_rate_burst, self.web.api_rate_per_second),
        )
    }

    pub fn mailer(&self) -> MailerConfig {
        MailerConfig {
            transport: self.email.transport,
            smtp_url: self.email.smtp_url.clone(),
            from: self.email.from.clone(),
            reply_to: self.email.reply_to.clone(),
            file_dir: self.email.file_dir.clone(),
            send_timeout: Duration::from_secs(self.email.send_timeout_seconds),
        }
    }

    /// Makes sure the directory of a SQLite file exists, so a first run just works.
    pub fn prepare_database_dir(&self) -> anyhow::Result<()> {
        let Some(file) = self.sqlite_file() else {
            return Ok(());
        };
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(())
    }
}

impl Config {
    /// The SQLite database's file, from `sqlite://path?options` or `sqlite:path`; `None` for
    /// PostgreSQL and an in-memory database.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let url = &self.database.url;
        let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
    }
}

/// Creates the file for the owner's eyes only (on Unix), failing if it exists, so two first
/// starts racing cannot each write their own key.
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

fn describe(error: figment::Error) -> String {
    let key = error.path.join(".");
    let kind = error.kind.to_string();
    if key.is_empty() { kind } else { format!("{key}: {kind}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(extra: &str) -> anyhow::Result<Config> {
        Config::from_figment(Figment::from(Toml::string(BUILT_IN)).merge(Toml::string(extra)))
    }

    #[test]
    fn built_in_defaults_match_the_spec() {
        let config = with("").unwrap();
        assert_eq!(config.server.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_base_url, "http://127.0.0.1:8080");
        assert_eq!(config.email.transport, TransportKind::File);
        assert_eq!(config.email.from, "Dolmetscherpool <pool@localhost>");
        assert_eq!(config.email.reply_to, None, "no Reply-To unless one is configured");
        assert_eq!(config.matching.wave_size, 3);
        assert_eq!(config.matching.wave_interval_minutes, 60);
        // The built-in file and the matcher's built-in defaults agree.
        assert_eq!(config.match_config(), MatchConfig::default());
        assert_eq!(config.cascade_config(), lp_matcher::cascade::CascadeConfig::default());
        assert!(config.database.url.starts_with("sqlite://data/"));
    }

    #[test]
    fn server_key_is_made_once_and_then_read_back() {
        let dir = std::env::temp_dir().join(format!("lp-key-{}", uuid::Uuid::new_v4()));
        let file = dir.join("secret.key");
        let config = with(&format!("secret_key_file = {:?}", file.display().to_string())).unwrap();
        let made = config.server_key().unwrap();
        let read = config.server_key().unwrap();
        assert_eq!(made.derive("t", b"x"), read.derive("t", b"x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let given = lp_core::secret::ServerKey::generate();
        let set = with(&format!("secret_key = {:?}", given.to_base64())).unwrap();
        assert_eq!(set.server_key().unwrap().derive("t", b"x"), given.derive("t", b"x"));
        let err = with("secret_key = \"nope\"")
            .unwrap()
            .server_key()
            .unwrap_err()
            .to_string();
        assert!(err.contains("secret_key"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = with("[matching]\nwave_size = \"many\"").unwrap_err().to_string();
        assert!(err.contains("matching.wave_size"), "{err}");
    }

    #[test]
    fn unknown_transport_names_the_key() {
        let err = with("[email]\ntransport = \"pigeon\"").unwrap_err().to_string();
        assert!(err.contains("email.transport"), "{err}");
    }

    #[test]
    fn smtp_without_url_is_refused() {
        let err = with("[email]\ntransport = \"smtp\"").unwrap_err().to_string();
        assert!(err.contains("email.smtp_url"), "{err}");
    }

    #[test]
    fn allowance_is_off_by_default_and_checked_when_set() {
        let settings = with("").unwrap().report_settings();
        assert_eq!(settings.allowance, None);
        assert_eq!(settings.organisation.name, "Dolmetscherpool");
        let blocks = with("[allowance]\nper_assignment_cents = 1200\nper_started_minutes = 90")
            .unwrap()
            .report_settings();
        assert_eq!(blocks.allowance.unwrap().for_assignment(91), 2400);
        let err = with("[allowance]\nper_assignment_cents = 1200\nper_started_minutes = 0")
            .unwrap_err()
            .to_string();
        assert!(err.contains("allowance.per_started_minutes"), "{err}");
        let err = with("[allowance]\nper_started_minutes = 90").unwrap_err().to_string();
        assert!(err.contains("allowance.per_assignment_cents"), "{err}");
    }

    #[test]
    fn reply_to_reaches_the_mailer_and_a_bad_one_names_the_key() {
        let config = with("[email]\nreply_to = \"Koordination <koordination@stadt.example>\"").unwrap();
        assert_eq!(
            config.mailer().reply_to.as_deref(),
            Some("Koordination <koordination@stadt.example>")
        );
        let bad = with("[email]\nreply_to = \"nobody\"").unwrap();
        let err = lp_notify::Mailer::new(&bad.mailer())
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("email.reply_to"), "{err}");
    }

    #[test]
    fn misspelt_key_is_refused() {
        let err = with("[matching]\nwavesize = 4").unwrap_err().to_string();
        assert!(err.contains("wavesize"), "{err}");
    }

    #[test]
    #[allow(clippy::result_large_err, reason = "figment's Jail fixes the closure's error type")]
    fn environment_overrides_files() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LINGUAPOOL__MATCHING__WAVE_SIZE", "5");
            jail.set_env("LINGUAPOOL__EMAIL__TRANSPORT", "smtp");
            jail.set_env("LINGUAPOOL__EMAIL__SMTP_URL", "smtp://127.0.0.1:2525");
            let config = Config::load().map_err(|e| e.to_string())?;
            assert_eq!(config.matching.wave_size, 5);
            assert_eq!(config.email.smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
            Ok(())
        });
    }
}
