//! One volunteer's year: the completed assignments with their confirmed minutes, by setting,
//! the trainings attended, and the allowance they earn. What the volunteer's page shows and
//! the printed Ehrenamtsnachweis confirms.

use crate::allowance::Allowance;
use crate::period::Period;
use crate::rules;
use crate::{ReportError, ReportSettings};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lp_core::access::Coordinator;
use lp_core::time::POOL_TZ;
use lp_core::vocab::{Setting, TrainingKind};
use lp_registry::volunteers;
use lp_requests::facts::{self, RequestFact};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VolunteerYear {
    pub volunteer_id: Uuid,
    pub name: String,
    pub year: i32,
    /// Completed assignments whose appointment fell in the year.
    pub assignments: u32,
    /// Their confirmed minutes.
    pub minutes: u64,
    /// Most minutes first.
    pub by_setting: Vec<SettingYear>,
    /// Attended, in date order.
    pub trainings: Vec<TrainingAttended>,
    /// The allowance earned, when one is configured.
    pub allowance_cents: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SettingYear {
    pub setting: Setting,
    pub assignments: u32,
    pub minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrainingAttended {
    pub title: String,
    pub kind: TrainingKind,
    pub day: NaiveDate,
}

impl VolunteerYear {
    /// Nothing to confirm: no completed assignment and no training attended.
    pub fn is_empty(&self) -> bool {
        self.assignments == 0 && self.trainings.is_empty()
    }
}

/// The year's record from the volunteer's facts and trainings.
pub fn build(
    volunteer_id: Uuid,
    name: String,
    year: i32,
    facts: &[RequestFact],
    trainings: Vec<TrainingAttended>,
    allowance: Option<Allowance>,
) -> VolunteerYear {
    let mut by_setting: BTreeMap<Setting, (u32, u64)> = BTreeMap::new();
    let (mut assignments, mut minutes, mut cents) = (0, 0, 0);
    for fact in facts {
        let Some((who, served)) = rules::served(fact) else {
            continue;
        };
        if who != volunteer_id {
            continue;
        }
        assignments += 1;
        minutes += u64::from(served);
        cents += allowance.map_or(0, |rule| rule.for_assignment(served));
        let entry = by_setting.entry(fact.setting).or_default();
        entry.0 += 1;
        entry.1 += u64::from(served);
    }
    let mut by_setting: Vec<SettingYear> = by_setting
        .into_iter()
        .map(|(setting, (assignments, minutes))| SettingYear {
            setting,
            assignments,
            minutes,
        })
        .collect();
    by_setting.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.setting.cmp(&b.setting)));
    VolunteerYear {
        volunteer_id,
        name,
        year,
        assignments,
        minutes,
        by_setting,
        trainings,
        allowance_cents: allowance.map(|_| cents),
    }
}

/// An erased volunteer has no record to show: their name is gone, so it is not found.
pub async fn volunteer_year(
    db: &impl ConnectionTrait,
    by: &Coordinator,
    volunteer_id: Uuid,
    year: i32,
    settings: &ReportSettings,
) -> Result<VolunteerYear, ReportError> {
    let period = Period::year(year).ok_or(ReportError::NotFound)?;
    let name = volunteer_name(db, volunteer_id).await?;
    let mut years = read(db, by, volunteer_id, &name, period.bounds(), settings).await?;
    Ok(years
        .remove(&year)
        .unwrap_or_else(|| build(volunteer_id, name, year, &[], Vec::new(), settings.allowance)))
}

/// Since this year, when the pool's history can begin.
const FIRST_YEAR: i32 = 2000;

/// Every year with a completed assignment or an attended training, and this year, latest
/// first: what the volunteer's page lists. The years come from the record, not from the day
/// the volunteer was entered, since a pool moved over from a spreadsheet brings its past.
pub async fn volunteer_years(
    db: &impl ConnectionTrait,
    by: &Coordinator,
    volunteer_id: Uuid,
    today: NaiveDate,
    settings: &ReportSettings,
) -> Result<Vec<VolunteerYear>, ReportError> {
    let name = volunteer_name(db, volunteer_id).await?;
    let start = Period::year(FIRST_YEAR).ok_or(ReportError::NotFound)?.bounds().0;
    let end = Period::year(today.year()).ok_or(ReportError::NotFound)?.bounds().1;
    let mut years = read(db, by, volunteer_id, &name, (start, end), settings).await?;
    years
        .entry(today.year())
        .or_insert_with(|| build(volunteer_id, name, today.year(), &[], Vec::new(), settings.allowance));
    Ok(years.into_values().rev().collect())
}

async fn volunteer_name(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<String, ReportError> {
    let volunteer = volunteers::get(db, volunteer_id).await?.ok_or(ReportError::NotFound)?;
    if !volunteers::erased(db, &[volunteer_id]).await?.is_empty() {
        return Err(ReportError::NotFound);
    }
    Ok(volunteer.name)
}

/// The volunteer's record of each year between `start` and `end` that has any activity.
async fn read(
    db: &impl ConnectionTrait,
    by: &Coordinator,
    volunteer_id: Uuid,
    name: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    settings: &ReportSettings,
) -> Result<BTreeMap<i32, VolunteerYear>, ReportError> {
    let facts = facts::of_volunteer(db, by, volunteer_id, start, end).await?;
    let trainings: Vec<TrainingAttended> = lp_trainings::record::history(db, volunteer_id)
        .await?
        .into_iter()
        .filter(|entry| entry.attended)
        .map(|entry| TrainingAttended {
            title: entry.title,
            kind: entry.kind,
            day: entry.starts_at.with_timezone(&POOL_TZ).date_naive(),
        })
        .filter(|training| {
            let day = lp_core::time::local_to_utc(training.day, chrono::NaiveTime::MIN);
            day >= start && day < end
        })
        .rev()
        .collect();
    let year_of = |fact: &RequestFact| fact.starts_at.with_timezone(&POOL_TZ).year();
    let mut active: Vec<i32> = facts
        .iter()
        .filter(|f| rules::served(f).is_some())
        .map(year_of)
        .chain(trainings.iter().map(|t| t.day.year()))
        .collect();
    active.sort_unstable();
    active.dedup();
    Ok(active
        .into_iter()
        .map(|year| {
            let of_year: Vec<RequestFact> = facts.iter().filter(|f| year_of(f) == year).cloned().collect();
            let attended = trainings.iter().filter(|t| t.day.year() == year).cloned().collect();
            let record = build(
                volunteer_id,
                name.to_owned(),
                year,
                &of_year,
                attended,
                settings.allowance,
            );
            (year, record)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fact;
    use lp_core::vocab::RequestStatus;

    #[test]
    fn a_year_counts_only_the_volunteers_confirmed_minutes() {
        let me = Uuid::from_u128(5);
        let filed = "2026-05-04T08:00:00Z".parse().unwrap();
        let mut medical = fact(RequestStatus::Completed, filed);
        medical.assignee_id = Some(me);
        medical.actual_minutes = Some(100);
        medical.setting = Setting::Medical;
        let mut school = medical.clone();
        school.setting = Setting::School;
        school.actual_minutes = Some(40);
        let mut pending = fact(RequestStatus::Assigned, filed);
        pending.assignee_id = Some(me);
        let rule = Allowance::new(1000, None).unwrap();
        let year = build(
            me,
            "Amal H.".into(),
            2026,
            &[medical, school, pending],
            Vec::new(),
            Some(rule),
        );
        assert_eq!((year.assignments, year.minutes), (2, 140));
        assert_eq!(year.by_setting[0].setting, Setting::Medical);
        assert_eq!(year.allowance_cents, Some(2000));
        assert!(!year.is_empty());
        assert!(build(me, "Amal H.".into(), 2026, &[], Vec::new(), None).is_empty());
    }
}
