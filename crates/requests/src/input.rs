//! The body of `POST /requests`, checked into a [`ValidRequest`]. Typed fields reject unknown
//! languages and values while parsing; `validate` checks what needs the clock or several fields.

use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::validation::{FieldError, FieldErrors, check_optional_text};
use lp_core::vocab::{Gender, GenderStrength, Mode, Setting};
use serde::Deserialize;
use uuid::Uuid;

pub const MIN_DURATION_MINUTES: i64 = 15;
pub const MAX_DURATION_MINUTES: i64 = 8 * 60;
/// A series holds at most this many dates, the first included.
pub const MAX_SERIES_DATES: i64 = 12;
/// Dates of a series lie at most this many weeks apart.
pub const MAX_SERIES_WEEKS: i64 = 4;

/// A series: the same appointment every `every_weeks` weeks at the same local time, `count`
/// dates in all (the first included), with the same interpreter for as many as they can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepeatInput {
    #[schema(minimum = 1, maximum = 4, example = 1)]
    pub every_weeks: i64,
    #[schema(minimum = 2, maximum = 12, example = 4)]
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenderPreferenceInput {
    pub gender: Gender,
    pub strength: GenderStrength,
}

/// Unknown fields are refused, so a misspelt optional field is an error, not silently lost.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub language: LanguageCode,
    #[serde(default)]
    pub dialect: Option<String>,
    /// In the future; RFC 3339 with offset.
    #[schema(example = "2026-12-03T10:00:00+01:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(minimum = 15, maximum = 480, example = 60)]
    pub duration_minutes: i64,
    pub mode: Mode,
    /// Required for `on_site`.
    #[serde(default)]
    pub town: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    pub setting: Setting,
    #[serde(default)]
    pub gender_preference: Option<GenderPreferenceInput>,
    /// Pseudonymous (a file number, never a name): letters, digits and `- _ / . #`.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_/.#-]{1,40}$", example = "IM-2026-0147")]
    pub client_ref: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// When the search ends; in the future and not after `starts_at`. Defaults to two hours
    /// before the appointment (or half-way there, if that is sooner).
    #[serde(default)]
    pub fill_by: Option<DateTime<FixedOffset>>,
    /// Which organisation the request is for; required from coordinators, who belong to none.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// Makes the request the first date of a series.
    #[serde(default)]
    pub repeat: Option<RepeatInput>,
}

/// A request that passed every input rule.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    pub language: LanguageCode,
    pub dialect: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode: Mode,
    pub town: Option<String>,
    pub address: Option<String>,
    pub setting: Setting,
    pub gender_preference: Option<GenderPreferenceInput>,
    pub client_ref: Option<String>,
    pub notes: Option<String>,
    pub fill_by: DateTime<Utc>,
    /// The later dates of a series, in order; empty for a single appointment.
    pub later_dates: Vec<DateTime<Utc>>,
}

impl RequestInput {
    /// The first broken rule, as the API reports it.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidRequest, FieldError> {
        self.validate_all(now)
            .map_err(|errors| errors.into_iter().next().expect("a refusal names at least one field"))
    }

    /// Every broken rule, in the order [`validate`](Self::validate) checks them (so its error is
    /// the first of these): the staff form shows them all at once.
    pub fn validate_all(&self, now: DateTime<Utc>) -> Result<ValidRequest, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let starts_at = self.starts_at.with_timezone(&Utc);
        if starts_at <= now {
            errors.push(FieldError::new("starts_at", "must be in the future"));
        }
        if !(MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES).contains(&self.duration_minutes) {
            errors.push(FieldError::new(
                "duration_minutes",
                format!("must be between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES} minutes"),
            ));
        }
        let town = errors.check(check_optional_text("town", self.town.as_deref(), 100));
        let address = errors.check(check_optional_text("address", self.address.as_deref(), 200));
        if self.mode == Mode::OnSite && town == Some(None) {
            errors.push(FieldError::new("town", "is required for an on-site appointment"));
        }
        let fill_by = match self.fill_by {
            Some(given) => {
                let given = given.with_timezone(&Utc);
                if given <= now {
                    errors.push(FieldError::new("fill_by", "must be in the future"));
                } else if given > starts_at {
                    errors.push(FieldError::new("fill_by", "must not be after starts_at"));
                }
                given
            }
            None => lp_matcher::cascade::default_fill_by(now, starts_at),
        };
        let dialect = errors.check(check_optional_text("dialect", self.dialect.as_deref(), 100));
        let client_ref = errors.check(check_client_ref(self.client_ref.as_deref()));
        let notes = errors.check(check_optional_text("notes", self.notes.as_deref(), 2000));
        let later_dates = match self.repeat {
            None => Vec::new(),
            Some(repeat) => {
                if !(1..=MAX_SERIES_WEEKS).contains(&repeat.every_weeks) {
                    errors.push(FieldError::new(
                        "repeat.every_weeks",
                        format!("must be between 1 and {MAX_SERIES_WEEKS}"),
                    ));
                }
                if !(2..=MAX_SERIES_DATES).contains(&repeat.count) {
                    errors.push(FieldError::new(
                        "repeat.count",
                        format!("must be between 2 and {MAX_SERIES_DATES} dates"),
                    ));
                }
                later_dates(starts_at, repeat)
            }
        };
        let (Some(town), Some(address), Some(dialect), Some(client_ref), Some(notes)) =
            (town, address, dialect, client_ref, notes)
        else {
            return Err(errors.into_vec());
        };
        if !errors.is_empty() {
            return Err(errors.into_vec());
        }
        Ok(ValidRequest {
            language: self.language,
            dialect,
            starts_at,
            duration_minutes: self.duration_minutes as u32,
            mode: self.mode,
            town,
            address,
            setting: self.setting,
            gender_preference: self.gender_preference,
            client_ref,
            notes,
            fill_by,
            later_dates,
        })
    }
}

/// The later dates of a series starting at `first`: the same local time (across a change to or
/// from summer time) every `every_weeks` weeks; none while the repeat is out of its bounds.
pub fn later_dates(first: DateTime<Utc>, repeat: RepeatInput) -> Vec<DateTime<Utc>> {
    if !(1..=MAX_SERIES_WEEKS).contains(&repeat.every_weeks) || !(2..=MAX_SERIES_DATES).contains(&repeat.count) {
        return Vec::new();
    }
    let local = first.with_timezone(&lp_core::time::POOL_TZ);
    (1..repeat.count)
        .map(|k| {
            let day = local.date_naive() + chrono::Duration::weeks(k * repeat.every_weeks);
            lp_core::time::local_to_utc(day, local.time())
        })
        .collect()
}

/// The client reference is pseudonymous by design (data minimisation): a file number such as
/// `IM-2026-0147`, never a name. Refusing white space keeps "Firstname Lastname" out.
fn check_client_ref(text: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(reference) = check_optional_text("client_ref", text, 40)? else {
        return Ok(None);
    };
    if !reference
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_/.#".contains(c))
    {
        return Err(FieldError::new(
            "client_ref",
            "must be a pseudonymous reference of letters, digits and - _ / . # (no names, no spaces)",
        ));
    }
    Ok(Some(reference))
}

/// The body of `POST /requests/{id}/complete`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionInput {
    #[schema(minimum = 1, maximum = 1440, example = 60)]
    pub actual_minutes: i64,
    #[serde(default)]
    pub feedback: Option<String>,
}

impl CompletionInput {
    pub fn validate(&self) -> Result<(u32, Option<String>), FieldError> {
        if !(1..=24 * 60).contains(&self.actual_minutes) {
            return Err(FieldError::new("actual_minutes", "must be between 1 and 1440"));
        }
        let feedback = check_optional_text("feedback", self.feedback.as_deref(), 2000)?;
        Ok((self.actual_minutes as u32, feedback))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    fn input() -> RequestInput {
        serde_json::from_value(serde_json::json!({
            "language": "tir", "starts_at": "2026-12-03T10:00:00+01:00", "duration_minutes": 60,
            "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
            "client_ref": "IM-2026-0147", "fill_by": "2026-12-02T18:00:00+01:00"
        }))
        .unwrap()
    }

    #[test]
    fn spec_example_is_valid() {
        let valid = input().validate(now()).unwrap();
        assert_eq!(
            valid.starts_at,
            "2026-12-03T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn a_series_keeps_the_local_time_across_the_change_to_summer_time_and_names_bad_bounds() {
        let mut series = input();
        series.starts_at = "2027-03-18T10:00:00+01:00".parse().unwrap();
        series.fill_by = None;
        series.repeat = Some(RepeatInput {
            every_weeks: 1,
            count: 3,
        });
        let valid = series.validate(now()).unwrap();
        let local: Vec<String> = valid
            .later_dates
            .iter()
            .map(|at| lp_core::time::local(*at).to_rfc3339())
            .collect();
        // 28 March 2027 is the change: 10:00 stays 10:00, at +02:00 from then on.
        assert_eq!(local, ["2027-03-25T10:00:00+01:00", "2027-04-01T10:00:00+02:00"]);
        for (repeat, field) in [
            (
                RepeatInput {
                    every_weeks: 1,
                    count: 13,
                },
                "repeat.count",
            ),
            (
                RepeatInput {
                    every_weeks: 1,
                    count: 1,
                },
                "repeat.count",
            ),
            (
                RepeatInput {
                    every_weeks: 5,
                    count: 3,
                },
                "repeat.every_weeks",
            ),
            (
                RepeatInput {
                    every_weeks: 0,
                    count: 3,
                },
                "repeat.every_weeks",
            ),
        ] {
            series.repeat = Some(repeat);
            assert_eq!(series.validate(now()).unwrap_err().field, field, "{repeat:?}");
        }
        assert!(input().validate(now()).unwrap().later_dates.is_empty());
    }

    #[test]
    fn negative_duration_names_the_field() {
        let mut bad = input();
        bad.duration_minutes = -30;
        assert_eq!(bad.validate(now()).unwrap_err().field, "duration_minutes");
    }

    #[test]
    fn past_start_is_refused() {
        let mut bad = input();
        bad.starts_at = "2026-11-20T10:00:00+01:00".parse().unwrap();
        assert_eq!(bad.validate(now()).unwrap_err().field, "starts_at");
    }

    #[test]
    fn deadline_after_start_is_refused() {
        let mut bad = input();
        bad.fill_by = Some("2026-12-03T11:00:00+01:00".parse().unwrap());
        assert_eq!(bad.validate(now()).unwrap_err().field, "fill_by");
    }

    #[test]
    fn on_site_needs_a_town() {
        let mut bad = input();
        bad.town = None;
        assert_eq!(bad.validate(now()).unwrap_err().field, "town");
    }

    #[test]
    fn client_name_as_reference_is_refused() {
        let mut bad = input();
        bad.client_ref = Some("Ahmad Karimi".to_owned());
        assert_eq!(bad.validate(now()).unwrap_err().field, "client_ref");
    }

    #[test]
    fn every_broken_rule_is_listed_and_the_first_is_the_one_validate_reports() {
        let mut bad = input();
        bad.starts_at = "2026-11-20T10:00:00+01:00".parse().unwrap();
        bad.duration_minutes = 5;
        bad.town = None;
        bad.fill_by = None;
        bad.client_ref = Some("Ahmad Karimi".to_owned());
        let errors = bad.validate_all(now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["starts_at", "duration_minutes", "town", "client_ref"]);
        assert_eq!(bad.validate(now()).unwrap_err(), errors[0]);
        assert!(input().validate_all(now()).is_ok());
    }

    #[test]
    fn default_deadline_is_before_the_appointment() {
        let mut soon = input();
        soon.fill_by = None;
        soon.starts_at = "2026-11-21T14:00:00+01:00".parse().unwrap(); // 13:00 UTC, an hour away
        let valid = soon.validate(now()).unwrap();
        assert!(valid.fill_by > now() && valid.fill_by < valid.starts_at);
    }
}
