//! Fixtures the request tests share: an instance's settings, a caseworker with an
//! organisation, volunteers who speak Pashto, and an appointment on a given day.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use linguapool_requests::RequestSettings;
use linguapool_requests::input::RequestInput;
use lp_core::access::{Actor, Coordinator, Scope};
use lp_core::vocab::Role;
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_registry::volunteers::{self, VolunteerInput};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

pub const BASE: &str = "http://pool.test";

/// The instance's server key: one for the whole test binary, so a helper can write in the
/// links of any test's mails.
pub fn key() -> std::sync::Arc<lp_core::secret::ServerKey> {
    static KEY: std::sync::OnceLock<std::sync::Arc<lp_core::secret::ServerKey>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| std::sync::Arc::new(lp_core::secret::ServerKey::generate()))
        .clone()
}

/// A mail's text from the outbox as it is sent: the worker writes the links in.
pub fn as_sent(text: &str) -> String {
    lp_core::link::LinkResolver::new(key(), BASE)
        .resolve_text(text)
        .expect("readable placeholders")
}

pub fn instance() -> RequestSettings {
    RequestSettings {
        wave_size: 2,
        server_key: key(),
        ..RequestSettings::with_defaults(BASE)
    }
}

/// The trainings' settings of the same instance (the erasure passes a freed place on).
pub fn trainings(settings: &RequestSettings) -> lp_trainings::TrainingSettings {
    lp_trainings::TrainingSettings {
        validity_months: settings.training_validity_months,
        public_base_url: settings.public_base_url.clone(),
        server_key: settings.server_key.clone(),
    }
}

pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

pub async fn volunteer(db: &DatabaseConnection, name: &str, trained_on: Option<&str>, now: DateTime<Utc>) -> Uuid {
    let week: Vec<serde_json::Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| serde_json::json!({"weekday": d, "start": "08:00", "end": "18:00"}))
        .collect();
    let input: VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": name, "email": format!("{}@pool.test", name.to_lowercase()),
        "languages": [{"code": "pus", "proficiency": "native"}],
        "german_level": "B2", "modes": ["on_site"], "service_area": ["Winnenden"], "availability": week,
        "confidentiality_signed_on": "2026-01-01", "training_completed_on": trained_on, "status": "active"
    }))
    .unwrap();
    volunteers::create(db, &Coordinator::operator(), input.validate().unwrap(), now)
        .await
        .unwrap()
        .id
}

pub async fn caseworker(db: &DatabaseConnection, now: DateTime<Utc>) -> Actor {
    let org = organisations::create(
        db,
        &Coordinator::operator(),
        &OrganisationInput {
            name: "Stadt Winnenden".into(),
        },
        now,
    )
    .await
    .unwrap();
    let input = StaffUserInput {
        email: "cw@pool.test".into(),
        name: "Caseworker".into(),
        role: Role::Caseworker,
        organisation_id: Some(org.id),
        password: None,
    };
    let user = staff::insert(db, staff::prepare(&input, false).await.unwrap(), now)
        .await
        .unwrap()
        .user;
    Actor {
        user_id: user.id,
        scope: Scope::Organisation(org.id),
        addr: None,
    }
}

/// An authority appointment (training required) at 10:00 Berlin on `day`.
pub fn request_on(day: &str) -> RequestInput {
    serde_json::from_value(serde_json::json!({
        "language": "pus", "starts_at": format!("{day}T10:00:00+01:00"), "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "fill_by": format!("{day}T08:00:00+01:00")
    }))
    .unwrap()
}
