//! The figures of a period (`GET /api/v1/reports/summary`): built by [`build`] from plain
//! facts and names, which [`summary`] reads. The period selects requests by the start of
//! their appointment, so a request filed in December for January counts in January, where
//! the interpreting happens and the hours fall.

use crate::allowance::Allowance;
use crate::period::Period;
use crate::rules::{self, FILL_BANDS, FillRate, Outcome};
use crate::{ReportError, ReportSettings};
use chrono::{Datelike, NaiveDate};
use lp_core::LanguageCode;
use lp_core::access::Coordinator;
use lp_core::time::POOL_TZ;
use lp_core::vocab::{RequestStatus, Setting, VolunteerStatus};
use lp_registry::{organisations, volunteers};
use lp_requests::facts::{self, RequestFact};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// First day, in Europe/Berlin.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// Requests whose appointment starts in the period.
    pub requests: u32,
    pub by_status: StatusCounts,
    pub fill_rate: RateView,
    pub time_to_fill: TimeToFill,
    /// Most requested first.
    pub by_language: Vec<LanguageRow>,
    /// Languages with unmet demand, most unmet first, with the pool's active speakers.
    pub unmet_by_language: Vec<UnmetRow>,
    /// Every month the period touches, in order.
    pub by_month: Vec<MonthRow>,
    pub hours: Hours,
    /// Only when an allowance is configured.
    pub payout: Option<Payout>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusCounts {
    pub open: u32,
    pub assigned: u32,
    pub completed: u32,
    pub cancelled: u32,
    pub unfilled: u32,
}

impl StatusCounts {
    fn add(&mut self, status: RequestStatus) {
        match status {
            RequestStatus::Open => self.open += 1,
            RequestStatus::Assigned => self.assigned += 1,
            RequestStatus::Completed => self.completed += 1,
            RequestStatus::Cancelled => self.cancelled += 1,
            RequestStatus::Unfilled => self.unfilled += 1,
        }
    }
}

/// Filled among decided requests (see [`rules::Outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RateView {
    pub filled: u32,
    pub decided: u32,
    /// In [0, 1]; null while nothing is decided.
    pub rate: Option<f64>,
}

impl From<FillRate> for RateView {
    fn from(rate: FillRate) -> Self {
        Self {
            filled: rate.filled,
            decided: rate.decided,
            rate: rate.rate(),
        }
    }
}

/// From filing to the acceptance that holds, in minutes.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TimeToFill {
    /// Requests with an acceptance that holds.
    pub count: u32,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    /// How many fell in each band: under 1 h, 1–4 h, 4–24 h, 1–3 days, 3 days and more.
    pub bands: [u32; FILL_BANDS.len() + 1],
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LanguageRow {
    pub language: LanguageCode,
    pub name_de: &'static str,
    pub name_en: &'static str,
    pub requests: u32,
    pub by_status: StatusCounts,
    pub fill_rate: RateView,
}

/// Demand the pool did not meet for one language, next to who could be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnmetRow {
    pub language: LanguageCode,
    pub name_de: &'static str,
    pub name_en: &'static str,
    pub requests: u32,
    /// The deadline passed with nobody.
    pub unfilled: u32,
    /// Cancelled before anyone had accepted.
    pub cancelled_without_interpreter: u32,
    /// No offer ever went out: nobody met the hard rules. Overlaps with the two above.
    pub no_one_eligible: u32,
    /// Unfilled plus cancelled without an interpreter.
    pub unmet: u32,
    /// Active volunteers who speak it or a language of its macrolanguage (the registry's rule).
    pub active_speakers: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub requests: u32,
    pub fill_rate: RateView,
}

/// Confirmed minutes of completed requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Hours {
    pub assignments: u32,
    pub minutes: u64,
    /// Volunteers not erased, most minutes first.
    pub volunteers: Vec<VolunteerHours>,
    /// Erased volunteers, counted together: their minutes stay in the totals, their names are gone.
    pub erased: ErasedHours,
    pub by_organisation: Vec<OrganisationHours>,
    pub by_setting: Vec<SettingHours>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VolunteerHours {
    pub volunteer_id: Uuid,
    pub name: String,
    pub assignments: u32,
    pub minutes: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErasedHours {
    pub volunteers: u32,
    pub assignments: u32,
    pub minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrganisationHours {
    pub organisation_id: Uuid,
    pub name: String,
    pub assignments: u32,
    pub minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SettingHours {
    pub setting: Setting,
    pub name_de: &'static str,
    pub name_en: &'static str,
    pub assignments: u32,
    pub minutes: u64,
}

/// What the allowance pays for the period's completed assignments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Payout {
    pub rule: Allowance,
    /// Volunteers not erased, by name.
    pub volunteers: Vec<PayoutRow>,
    /// Erased volunteers together.
    pub erased: ErasedPayout,
    pub total_cents: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PayoutRow {
    pub volunteer_id: Uuid,
    pub name: String,
    pub assignments: u32,
    pub minutes: u64,
    pub cents: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErasedPayout {
    pub volunteers: u32,
    pub assignments: u32,
    pub minutes: u64,
    pub cents: u64,
}

/// The names and pool figures a summary needs besides the facts.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Volunteers by id, not erased.
    pub volunteers: HashMap<Uuid, String>,
    pub erased: HashSet<Uuid>,
    pub organisations: HashMap<Uuid, String>,
    pub active_speakers: HashMap<LanguageCode, u32>,
}

/// The figures of `facts`, the requests of `period`.
pub fn build(period: &Period, facts: &[RequestFact], directory: &Directory, allowance: Option<Allowance>) -> Summary {
    let mut by_status = StatusCounts::default();
    let mut rate = FillRate::default();
    let mut to_fill = Vec::new();
    let mut bands = [0; FILL_BANDS.len() + 1];
    let mut languages: BTreeMap<LanguageCode, (LanguageRow, UnmetRow)> = BTreeMap::new();
    let mut months: BTreeMap<(i32, u32), (u32, FillRate)> = period
        .months()
        .into_iter()
        .map(|m| (m, (0, FillRate::default())))
        .collect();
    for fact in facts {
        let outcome = rules::outcome(fact);
        by_status.add(fact.status);
        rate.add(outcome);
        if let Some(minutes) = rules::minutes_to_fill(fact) {
            to_fill.push(minutes);
            bands[rules::fill_band(minutes)] += 1;
        }
        let (row, unmet) = languages
            .entry(fact.language)
            .or_insert_with(|| blank_language(fact.language, directory));
        row.requests += 1;
        row.by_status.add(fact.status);
        let mut language_rate = FillRate {
            filled: row.fill_rate.filled,
            decided: row.fill_rate.decided,
        };
        language_rate.add(outcome);
        row.fill_rate = language_rate.into();
        unmet.requests += 1;
        match outcome {
            Outcome::Unfilled => unmet.unfilled += 1,
            Outcome::CancelledWithoutInterpreter => unmet.cancelled_without_interpreter += 1,
            Outcome::Filled | Outcome::Pending => {}
        }
        unmet.unmet = unmet.unfilled + unmet.cancelled_without_interpreter;
        if rules::no_one_eligible(fact) {
            unmet.no_one_eligible += 1;
        }
        let local = fact.starts_at.with_timezone(&POOL_TZ);
        let month = months.entry((local.year(), local.month())).or_default();
        month.0 += 1;
        month.1.add(outcome);
    }
    to_fill.sort_unstable();
    let (mut by_language, mut unmet_by_language): (Vec<_>, Vec<_>) = languages.into_values().unzip();
    by_language.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.language.cmp(&b.language)));
    unmet_by_language.retain(|row| row.unmet + row.no_one_eligible > 0);
    unmet_by_language.sort_by(|a, b| {
        (b.unmet, b.no_one_eligible)
            .cmp(&(a.unmet, a.no_one_eligible))
            .then(a.active_speakers.cmp(&b.active_speakers))
            .then(a.language.cmp(&b.language))
    });
    Summary {
        from: period.from(),
        to: period.to(),
        requests: facts.len() as u32,
        by_status,
        fill_rate: rate.into(),
        time_to_fill: TimeToFill {
            count: to_fill.len() as u32,
            median_minutes: rules::quantile(&to_fill, 0.5),
            p90_minutes: rules::quantile(&to_fill, 0.9),
            bands,
        },
        by_language,
        unmet_by_language,
        by_month: months
            .into_iter()
            .map(|((year, month), (requests, rate))| MonthRow {
                month: format!("{year:04}-{month:02}"),
                requests,
                fill_rate: rate.into(),
            })
            .collect(),
        hours: hours(facts, directory),
        payout: allowance.map(|rule| payout(facts, directory, rule)),
    }
}

fn blank_language(language: LanguageCode, directory: &Directory) -> (LanguageRow, UnmetRow) {
    (
        LanguageRow {
            language,
            name_de: language.name_de(),
            name_en: language.name_en(),
            requests: 0,
            by_status: StatusCounts::default(),
            fill_rate: FillRate::default().into(),
        },
        UnmetRow {
            language,
            name_de: language.name_de(),
            name_en: language.name_en(),
            requests: 0,
            unfilled: 0,
            cancelled_without_interpreter: 0,
            no_one_eligible: 0,
            unmet: 0,
            active_speakers: directory.active_speakers.get(&language).copied().unwrap_or(0),
        },
    )
}

/// Assignments and minutes per key, over the served requests.
fn tally<K: Ord>(facts: &[RequestFact], key: impl Fn(&RequestFact, Uuid) -> K) -> BTreeMap<K, (u32, u64)> {
    let mut tally: BTreeMap<K, (u32, u64)> = BTreeMap::new();
    for fact in facts {
        if let Some((volunteer, minutes)) = rules::served(fact) {
            let entry = tally.entry(key(fact, volunteer)).or_default();
            entry.0 += 1;
            entry.1 += u64::from(minutes);
        }
    }
    tally
}

fn hours(facts: &[RequestFact], directory: &Directory) -> Hours {
    let mut volunteers = Vec::new();
    let mut erased = ErasedHours::default();
    let (mut assignments, mut minutes) = (0, 0);
    for (id, (count, sum)) in tally(facts, |_, volunteer| volunteer) {
        assignments += count;
        minutes += sum;
        if directory.erased.contains(&id) {
            erased.volunteers += 1;
            erased.assignments += count;
            erased.minutes += sum;
        } else {
            volunteers.push(VolunteerHours {
                volunteer_id: id,
                name: directory.volunteers.get(&id).cloned().unwrap_or_default(),
                assignments: count,
                minutes: sum,
            });
        }
    }
    volunteers.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.name.cmp(&b.name)));
    let mut by_organisation: Vec<OrganisationHours> = tally(facts, |fact, _| fact.organisation_id)
        .into_iter()
        .map(|(id, (assignments, minutes))| OrganisationHours {
            organisation_id: id,
            name: directory.organisations.get(&id).cloned().unwrap_or_default(),
            assignments,
            minutes,
        })
        .collect();
    by_organisation.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.name.cmp(&b.name)));
    let mut by_setting: Vec<SettingHours> = tally(facts, |fact, _| fact.setting)
        .into_iter()
        .map(|(setting, (assignments, minutes))| SettingHours {
            setting,
            name_de: setting.name_de(),
            name_en: setting.name_en(),
            assignments,
            minutes,
        })
        .collect();
    by_setting.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.setting.cmp(&b.setting)));
    Hours {
        assignments,
        minutes,
        volunteers,
        erased,
        by_organisation,
        by_setting,
    }
}

fn payout(facts: &[RequestFact], directory: &Directory, rule: Allowance) -> Payout {
    let mut per_volunteer: BTreeMap<Uuid, (u32, u64, u64)> = BTreeMap::new();
    for fact in facts {
        if let Some((volunteer, minutes)) = rules::served(fact) {
            let entry = per_volunteer.entry(volunteer).or_default();
            entry.0 += 1;
            entry.1 += u64::from(minutes);
            entry.2 += rule.for_assignment(minutes);
        }
    }
    let mut volunteers = Vec::new();
    let mut erased = ErasedPayout::default();
    let mut total_cents = 0;
    for (id, (assignments, minutes, cents)) in per_volunteer {
        total_cents += cents;
        if directory.erased.contains(&id) {
            erased.volunteers += 1;
            erased.assignments += assignments;
            erased.minutes += minutes;
            erased.cents += cents;
        } else {
            volunteers.push(PayoutRow {
                volunteer_id: id,
                name: directory.volunteers.get(&id).cloned().unwrap_or_default(),
                assignments,
                minutes,
                cents,
            });
        }
    }
    volunteers.sort_by(|a, b| a.name.cmp(&b.name).then(a.volunteer_id.cmp(&b.volunteer_id)));
    Payout {
        rule,
        volunteers,
        erased,
        total_cents,
    }
}

/// Reads the period's requests and the names and pool figures they need, and builds the summary.
pub async fn summary(
    db: &impl ConnectionTrait,
    by: &Coordinator,
    period: &Period,
    settings: &ReportSettings,
) -> Result<Summary, ReportError> {
    let (start, end) = period.bounds();
    let facts = facts::starting_between(db, by, start, end).await?;
    let directory = directory(db, &facts).await?;
    Ok(build(period, &facts, &directory, settings.allowance))
}

async fn directory(db: &impl ConnectionTrait, facts: &[RequestFact]) -> Result<Directory, ReportError> {
    let mut served: Vec<Uuid> = facts.iter().filter_map(|f| rules::served(f).map(|(v, _)| v)).collect();
    served.sort_unstable();
    served.dedup();
    let erased = volunteers::erased(db, &served).await?;
    let named: Vec<Uuid> = served.iter().copied().filter(|id| !erased.contains(id)).collect();
    let names = volunteers::contacts(db, &named)
        .await?
        .into_iter()
        .map(|(id, contact)| (id, contact.name))
        .collect();
    let organisations = organisations::list(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let requested: HashSet<LanguageCode> = facts.iter().map(|f| f.language).collect();
    let active = volunteers::with_status(db, &[VolunteerStatus::Active]).await?;
    let active_speakers = requested
        .into_iter()
        .map(|language| (language, active.iter().filter(|v| v.speaks(language)).count() as u32))
        .collect();
    Ok(Directory {
        volunteers: names,
        erased,
        organisations,
        active_speakers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fact;
    use chrono::{DateTime, Duration, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn lang(code: &str) -> LanguageCode {
        LanguageCode::parse(code).unwrap()
    }

    /// Four Arabic requests (two completed by Amal and by an erased volunteer, one unfilled
    /// without any offer, one cancelled before anyone accepted) and one open Tigrinya request.
    fn facts() -> (Vec<RequestFact>, Directory) {
        let amal = Uuid::from_u128(10);
        let gone = Uuid::from_u128(11);
        let filed = at("2026-03-02T08:00:00Z");
        let mut completed = fact(RequestStatus::Completed, filed);
        completed.assignee_id = Some(amal);
        completed.assigned_at = Some(filed + Duration::minutes(30));
        completed.actual_minutes = Some(90);
        let mut by_erased = fact(RequestStatus::Completed, filed);
        by_erased.assignee_id = Some(gone);
        by_erased.assigned_at = Some(filed + Duration::minutes(150));
        by_erased.actual_minutes = Some(45);
        by_erased.setting = Setting::Medical;
        let mut nobody = fact(RequestStatus::Unfilled, filed);
        nobody.offers_sent = 0;
        let cancelled = fact(RequestStatus::Cancelled, filed);
        let mut tigrinya = fact(RequestStatus::Open, filed);
        tigrinya.language = lang("tir");
        tigrinya.starts_at = at("2026-04-01T08:00:00Z");
        let directory = Directory {
            volunteers: HashMap::from([(amal, "Amal H.".to_owned())]),
            erased: HashSet::from([gone]),
            organisations: HashMap::from([(Uuid::from_u128(1), "Stadt".to_owned())]),
            active_speakers: HashMap::from([(lang("ara"), 3), (lang("tir"), 0)]),
        };
        (vec![completed, by_erased, nobody, cancelled, tigrinya], directory)
    }

    #[test]
    fn summary_counts_fill_rate_and_unmet_demand() {
        let (facts, directory) = facts();
        let period = Period::new("2026-03-01".parse().unwrap(), "2026-04-30".parse().unwrap()).unwrap();
        let summary = build(&period, &facts, &directory, None);
        assert_eq!(summary.requests, 5);
        assert_eq!(summary.by_status.completed, 2);
        assert_eq!((summary.fill_rate.filled, summary.fill_rate.decided), (2, 4));
        assert_eq!(summary.fill_rate.rate, Some(0.5));
        assert_eq!(summary.time_to_fill.count, 2);
        assert_eq!(summary.time_to_fill.median_minutes, Some(90.0));
        assert_eq!(summary.time_to_fill.p90_minutes, Some(138.0));
        assert_eq!(summary.time_to_fill.bands, [1, 1, 0, 0, 0]);
        assert_eq!(summary.by_language[0].language, lang("ara"));
        assert_eq!(summary.by_language[0].requests, 4);
        let unmet = &summary.unmet_by_language;
        assert_eq!(unmet.len(), 1, "Tigrinya is open, not unmet: {unmet:?}");
        assert_eq!(
            (
                unmet[0].unfilled,
                unmet[0].cancelled_without_interpreter,
                unmet[0].no_one_eligible
            ),
            (1, 1, 1)
        );
        assert_eq!((unmet[0].unmet, unmet[0].active_speakers), (2, 3));
        let months: Vec<(&str, u32)> = summary
            .by_month
            .iter()
            .map(|m| (m.month.as_str(), m.requests))
            .collect();
        assert_eq!(months, vec![("2026-03", 4), ("2026-04", 1)]);
    }

    #[test]
    fn erased_volunteers_leave_the_names_but_not_the_totals() {
        let (facts, directory) = facts();
        let period = Period::year(2026).unwrap();
        let hours = build(&period, &facts, &directory, None).hours;
        assert_eq!((hours.assignments, hours.minutes), (2, 135));
        assert_eq!(hours.volunteers.len(), 1);
        assert_eq!(
            (hours.volunteers[0].name.as_str(), hours.volunteers[0].minutes),
            ("Amal H.", 90)
        );
        assert_eq!(
            hours.erased,
            ErasedHours {
                volunteers: 1,
                assignments: 1,
                minutes: 45
            }
        );
        let settings: Vec<(Setting, u64)> = hours.by_setting.iter().map(|s| (s.setting, s.minutes)).collect();
        assert_eq!(settings, vec![(Setting::Authority, 90), (Setting::Medical, 45)]);
        assert_eq!(hours.by_organisation[0].minutes, 135);
    }

    #[test]
    fn payout_pays_per_started_block_and_totals_the_erased() {
        let (facts, directory) = facts();
        let rule = Allowance::new(1200, Some(60)).unwrap();
        let payout = build(&Period::year(2026).unwrap(), &facts, &directory, Some(rule))
            .payout
            .unwrap();
        // Amal: 90 minutes = 2 started hours = 24 €; the erased volunteer 45 minutes = 12 €.
        assert_eq!(payout.volunteers[0].cents, 2400);
        assert_eq!(payout.erased.cents, 1200);
        assert_eq!(payout.total_cents, 3600);
    }
}
