//! Builders for tests: a request and a profile that passes every rule for it, so each test
//! changes only the one thing it is about.

use crate::{Commitment, OfferHistory, Profile, RequestSpec, SpokenLanguage};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use lp_core::LanguageCode;
use lp_core::time::{WeeklySlot, local_to_utc};
use lp_core::vocab::{GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus};
use uuid::Uuid;

/// A local Europe/Berlin time such as "2026-12-03 10:00", as an instant.
pub fn at(local: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("test time");
    local_to_utc(naive.date(), naive.time())
}

/// Two days before the standard request.
pub fn now() -> DateTime<Utc> {
    at("2026-12-01 09:00")
}

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn lang(code: &str) -> LanguageCode {
    LanguageCode::parse(code).expect("test language")
}

pub fn spoken(code: &str, proficiency: Proficiency) -> SpokenLanguage {
    SpokenLanguage {
        code: lang(code),
        proficiency,
        dialect: None,
    }
}

/// Arabic, on site in Rottenburg at the foreigners' office, Thursday 2026-12-03 10:00–11:00.
pub fn request() -> RequestSpec {
    RequestSpec {
        language: lang("ara"),
        dialect: None,
        starts_at: at("2026-12-03 10:00"),
        duration_minutes: 60,
        mode: Mode::OnSite,
        town: Some("Rottenburg".to_owned()),
        setting: Setting::Authority,
        gender_preference: None,
        client_ref: Some("K-17".to_owned()),
        client_served_by: Vec::new(),
    }
}

/// A newcomer who passes every rule for [`request`]: available every day 08:00–18:00.
pub fn profile(n: u128) -> Profile {
    Profile {
        volunteer_id: id(n),
        status: VolunteerStatus::Active,
        languages: vec![spoken("ara", Proficiency::Native)],
        german_level: GermanLevel::B2,
        training: TrainingStatus::Trained,
        pledge_signed: true,
        email_bouncing: false,
        modes: vec![Mode::OnSite, Mode::Phone, Mode::Video],
        service_area: vec!["Rottenburg".to_owned(), "Tübingen".to_owned()],
        excluded_settings: Vec::new(),
        gender: None,
        availability: lp_core::time::WEEKDAYS
            .into_iter()
            .map(|weekday| WeeklySlot::parse(lp_core::time::weekday_code(weekday), "08:00", "18:00").expect("slot"))
            .collect(),
        absences: Vec::new(),
        commitments: Vec::new(),
        max_assignments_per_month: None,
        offers: OfferHistory::default(),
    }
}

/// An assignment in setting `Other` for no particular client, starting at a local time.
pub fn commitment(start_local: &str, minutes: i64, on_site: bool) -> Commitment {
    let starts_at = at(start_local);
    Commitment {
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        on_site,
        client_ref: None,
        setting: Setting::Other,
    }
}
