//! The bodies of the coordinator's training endpoints, checked into valid values. Typed fields
//! reject unknown kinds and values while parsing; `validate` checks the rest, naming the field.

use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::validation::{FieldError, FieldErrors, check_optional_text, check_text};
use lp_core::vocab::{TrainingKind, VolunteerStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MIN_DURATION_MINUTES: i64 = 15;
/// A training day.
pub const MAX_DURATION_MINUTES: i64 = 10 * 60;
pub const MAX_CAPACITY: i64 = 500;
/// How far ahead `expiring` looks when the filter names no `within_days`.
pub const DEFAULT_EXPIRING_WITHIN_DAYS: i64 = 90;

/// The body of `POST /trainings`, and of an edit.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingInput {
    #[schema(min_length = 1, max_length = 200, example = "Grundschulung Dolmetschen im Ehrenamt")]
    pub title: String,
    pub kind: TrainingKind,
    /// In the future; RFC 3339 with offset.
    #[schema(example = "2027-02-06T10:00:00+01:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(minimum = 15, maximum = 600, example = 180)]
    pub duration_minutes: i64,
    #[schema(min_length = 1, max_length = 200, example = "Rathaus, Sitzungssaal")]
    pub location: String,
    #[schema(minimum = 1, maximum = 500, example = 20)]
    pub capacity: i64,
    /// Not after `starts_at`.
    #[schema(example = "2027-02-01T23:59:00+01:00")]
    pub registration_deadline: DateTime<FixedOffset>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub trainer: Option<String>,
}

/// A training that passed every input rule.
#[derive(Debug, Clone)]
pub struct ValidTraining {
    pub title: String,
    pub kind: TrainingKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub location: String,
    pub capacity: u32,
    pub registration_deadline: DateTime<Utc>,
    pub description: Option<String>,
    pub trainer: Option<String>,
}

impl TrainingInput {
    /// The first broken rule, as the API reports it.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidTraining, FieldError> {
        self.validate_all(now)
            .map_err(|errors| errors.into_iter().next().expect("a refusal names at least one field"))
    }

    /// Every broken rule, in the order [`validate`](Self::validate) checks them (so its error is
    /// the first of these): the coordinator's form shows them all at once.
    pub fn validate_all(&self, now: DateTime<Utc>) -> Result<ValidTraining, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let title = errors.check(check_text("title", &self.title, 200));
        let starts_at = self.starts_at.with_timezone(&Utc);
        if starts_at <= now {
            errors.push(FieldError::new("starts_at", "must be in the future"));
        }
        if !(MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES).contains(&self.duration_minutes) {
            errors.push(FieldError::new(
                "duration_minutes",
                format!("must be between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES}"),
            ));
        }
        let location = errors.check(check_text("location", &self.location, 200));
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            errors.push(FieldError::new(
                "capacity",
                format!("must be between 1 and {MAX_CAPACITY}"),
            ));
        }
        let registration_deadline = self.registration_deadline.with_timezone(&Utc);
        if registration_deadline > starts_at {
            errors.push(FieldError::new("registration_deadline", "must not be after starts_at"));
        }
        let description = errors.check(check_optional_text("description", self.description.as_deref(), 4000));
        let trainer = errors.check(check_optional_text("trainer", self.trainer.as_deref(), 200));
        let (Some(title), Some(location), Some(description), Some(trainer)) = (title, location, description, trainer)
        else {
            return Err(errors.into_vec());
        };
        if !errors.is_empty() {
            return Err(errors.into_vec());
        }
        Ok(ValidTraining {
            title,
            kind: self.kind,
            starts_at,
            duration_minutes: self.duration_minutes as u32,
            location,
            capacity: self.capacity as u32,
            registration_deadline,
            description,
            trainer,
        })
    }
}

/// Which training a filter looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingNeed {
    /// Without a valid basic or refresher training (untrained or expired).
    Untrained,
    /// Trained, but the training ends within `within_days`.
    Expiring,
}

/// Who an invitation by filter reaches: every criterion given must hold. Retired volunteers
/// are never reached; without `status`, active volunteers and applicants are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationFilter {
    #[serde(default)]
    pub training: Option<TrainingNeed>,
    /// With `training: expiring`; 90 when left out.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 730)]
    pub within_days: Option<i64>,
    /// Speaks this language, or a member of the same macrolanguage.
    #[serde(default)]
    pub language: Option<LanguageCode>,
    #[serde(default)]
    pub status: Option<VolunteerStatus>,
}

impl InvitationFilter {
    pub fn validate(&self, field: &str) -> Result<(), FieldError> {
        if let Some(days) = self.within_days {
            if self.training != Some(TrainingNeed::Expiring) {
                return Err(FieldError::new(
                    format!("{field}.within_days"),
                    "only goes with training: expiring",
                ));
            }
            if !(1..=730).contains(&days) {
                return Err(FieldError::new(
                    format!("{field}.within_days"),
                    "must be between 1 and 730",
                ));
            }
        }
        if self.status == Some(VolunteerStatus::Retired) {
            return Err(FieldError::new(
                format!("{field}.status"),
                "retired volunteers are not invited",
            ));
        }
        Ok(())
    }

    pub fn expiring_within_days(&self) -> i64 {
        self.within_days.unwrap_or(DEFAULT_EXPIRING_WITHIN_DAYS)
    }
}

/// The body of `POST /trainings/{id}/invitations`: chosen volunteers, or a filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    #[serde(default)]
    pub volunteer_ids: Vec<Uuid>,
    #[serde(default)]
    pub filter: Option<InvitationFilter>,
    /// Only count whom the invitation would reach; nothing is sent or saved.
    #[serde(default)]
    pub dry_run: bool,
}

/// Who an invitation goes to, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitees {
    Chosen(Vec<Uuid>),
    Filter(InvitationFilter),
}

impl InvitationInput {
    pub fn validate(self) -> Result<Invitees, FieldError> {
        match (self.volunteer_ids.is_empty(), self.filter) {
            (false, None) => {
                // In the given order, so an error names the id's place in the body.
                let mut seen = std::collections::HashSet::new();
                for (i, id) in self.volunteer_ids.iter().enumerate() {
                    if !seen.insert(*id) {
                        return Err(FieldError::new(format!("volunteer_ids[{i}]"), "is listed twice"));
                    }
                }
                Ok(Invitees::Chosen(self.volunteer_ids))
            }
            (true, Some(filter)) => {
                filter.validate("filter")?;
                Ok(Invitees::Filter(filter))
            }
            (false, Some(_)) => Err(FieldError::new("filter", "give volunteer_ids or a filter, not both")),
            (true, None) => Err(FieldError::new("volunteer_ids", "give volunteer_ids or a filter")),
        }
    }
}

/// The body of `POST /trainings/{id}/attendance`: everyone who came. Ticks are a set: whoever
/// is left out did not attend.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    pub volunteer_ids: Vec<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TrainingInput {
        serde_json::from_value(serde_json::json!({
            "title": "Grundschulung", "kind": "basic", "starts_at": "2027-02-06T10:00:00+01:00",
            "duration_minutes": 180, "location": "Rathaus", "capacity": 12,
            "registration_deadline": "2027-02-01T23:59:00+01:00"
        }))
        .unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-12-02T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_good_training_passes() {
        let valid = input().validate(now()).unwrap();
        assert_eq!(valid.capacity, 12);
        assert_eq!(valid.kind, TrainingKind::Basic);
    }

    #[test]
    fn capacity_must_be_positive() {
        for capacity in [0, -3, 501] {
            let mut bad = input();
            bad.capacity = capacity;
            assert_eq!(bad.validate(now()).unwrap_err().field, "capacity");
        }
    }

    #[test]
    fn the_deadline_may_not_follow_the_start() {
        let mut bad = input();
        bad.registration_deadline = "2027-02-07T10:00:00+01:00".parse().unwrap();
        assert_eq!(bad.validate(now()).unwrap_err().field, "registration_deadline");
    }

    #[test]
    fn every_broken_rule_is_listed_and_the_first_is_the_one_validate_reports() {
        let mut bad = input();
        bad.title = " ".to_owned();
        bad.starts_at = "2026-11-20T10:00:00+01:00".parse().unwrap();
        bad.duration_minutes = 5;
        bad.location = String::new();
        bad.capacity = 0;
        bad.description = Some("x".repeat(4001));
        bad.trainer = Some("\u{7}".to_owned());
        let errors = bad.validate_all(now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "starts_at",
                "duration_minutes",
                "location",
                "capacity",
                "registration_deadline",
                "description",
                "trainer"
            ]
        );
        assert_eq!(bad.validate(now()).unwrap_err(), errors[0]);
        assert!(input().validate_all(now()).is_ok());
    }

    #[test]
    fn an_unknown_kind_fails_while_parsing() {
        let err = serde_json::from_value::<TrainingInput>(serde_json::json!({
            "title": "x", "kind": "picnic", "starts_at": "2027-02-06T10:00:00+01:00",
            "duration_minutes": 180, "location": "Rathaus", "capacity": 12,
            "registration_deadline": "2027-02-01T23:59:00+01:00"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("picnic"), "{err}");
    }

    #[test]
    fn invitations_need_ids_or_a_filter_but_not_both() {
        assert_eq!(
            InvitationInput::default().validate().unwrap_err().field,
            "volunteer_ids"
        );
        let both = InvitationInput {
            volunteer_ids: vec![Uuid::nil()],
            filter: Some(InvitationFilter::default()),
            dry_run: false,
        };
        assert_eq!(both.validate().unwrap_err().field, "filter");
        let days_without_expiring = InvitationInput {
            volunteer_ids: vec![],
            filter: Some(InvitationFilter {
                within_days: Some(30),
                ..Default::default()
            }),
            dry_run: false,
        };
        assert_eq!(
            days_without_expiring.validate().unwrap_err().field,
            "filter.within_days"
        );
    }
}
