//! A volunteer's own Ehrenamtsnachweis by email, asked for on `/v` with an address and a year.
//!
//! Volunteers have no account, so the address is all they give: the confirmation goes only to
//! that address, and only when a volunteer is registered under it. Whoever asks is told the
//! same either way, so the form reveals nobody. Any volunteer who is not erased may ask,
//! retired ones too: a confirmation of past work is most needed after leaving.
//!
//! The figures are [`volunteer_year`]'s, the ones the printed Nachweis shows; this module only
//! words them for a mail. The limit is the link request's: one Nachweis mail per volunteer in
//! [`REQUEST_INTERVAL_MINUTES`](availability_links::REQUEST_INTERVAL_MINUTES) whatever the year, counted apart from the link requests (see
//! [`availability_links::admit_request`]), so asking for one never holds back the other.

use crate::tables::{Cell, Locale};
use crate::volunteer_year::{VolunteerYear, volunteer_year};
use crate::{ReportError, ReportSettings};
use chrono::{DateTime, Datelike, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use lp_core::time::POOL_TZ;
use lp_core::validation::{FieldError, check_email};
use lp_notify::NotifyError;
use lp_notify::templates::{NachweisMail, NachweisRecord, NachweisSetting, NachweisTraining};
use lp_registry::availability_links::{self, Asker, Reason};
use sea_orm::DatabaseConnection;
use std::net::IpAddr;
use std::ops::RangeInclusive;

/// How many years back a confirmation can be asked for, besides the current one.
pub const YEARS_BACK: i32 = 5;

/// The years one may ask for on `today` (in the pool's zone): this year and the five before.
pub fn years(now: DateTime<Utc>) -> RangeInclusive<i32> {
    let this_year = now.with_timezone(&POOL_TZ).year();
    this_year - YEARS_BACK..=this_year
}

/// The year the form offers first: last year, the one a tax return or an application asks for.
pub fn default_year(now: DateTime<Utc>) -> i32 {
    now.with_timezone(&POOL_TZ).year() - 1
}

/// Checks the address and the year, then, in one transaction: finds the volunteer with that
/// address, applies the limit, reads the year's record, writes the mail to the outbox and an
/// audit entry (an export of the volunteer's data, by the volunteer, from `addr`). Returns
/// whether a mail was queued; callers must not tell the asker. A bad address or year is
/// [`ReportError::Invalid`] naming `email` or `year`, whoever the address belongs to.
pub async fn nachweis_by_mail(
    db: &DatabaseConnection,
    email: &str,
    year: i32,
    settings: &ReportSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<bool, ReportError> {
    let email = check_email("email", email)?;
    let allowed = years(now);
    if !allowed.contains(&year) {
        return Err(FieldError::new(
            "year",
            format!("must be a year from {} to {}", allowed.start(), allowed.end()),
        )
        .into());
    }
    let txn = lp_db::begin_write(db).await?;
    let Some(asker) = availability_links::admit_request(&*txn, &email, Reason::Nachweis, now).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    // The volunteer asks for their own record, to be mailed to their own registered address:
    // the service reads it on their behalf with the coordinator's view of that one volunteer.
    let record = volunteer_year(&*txn, &Coordinator::operator(), asker.id, year, settings).await?;
    let mail = mail(asker, &record, settings, now);
    lp_notify::enqueue(&*txn, &mail.email(), now)
        .await
        .map_err(notify_error)?;
    let volunteer_id = record.volunteer_id;
    let entry = AuditEntry::new(
        Who::Volunteer(volunteer_id),
        AuditAction::Export,
        AuditObject::Volunteer,
        volunteer_id,
    )
    .from(addr);
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(true)
}

fn notify_error(err: NotifyError) -> ReportError {
    match err {
        NotifyError::Db(db) => ReportError::Db(db),
        NotifyError::InvalidAddress(_) => {
            ReportError::Invalid(FieldError::new("email", "is not an address mail can be sent to"))
        }
        other => ReportError::Db(sea_orm::DbErr::Custom(other.to_string())),
    }
}

fn hours_text(minutes: u64, locale: Locale) -> String {
    Cell::hours(minutes).display(locale)
}

fn euros(cents: u64, locale: Locale) -> String {
    Cell::euros(cents).display(locale)
}

/// The year's record worded as the Nachweis words it, printed or mailed; `None` for a year
/// with nothing to confirm.
pub fn worded(record: &VolunteerYear) -> Option<NachweisRecord> {
    (!record.is_empty()).then(|| NachweisRecord {
        assignments: record.assignments,
        hours_de: hours_text(record.minutes, Locale::De),
        hours_en: hours_text(record.minutes, Locale::En),
        settings: record
            .by_setting
            .iter()
            .map(|s| NachweisSetting {
                de: s.setting.name_de().to_owned(),
                en: s.setting.name_en().to_owned(),
                assignments: s.assignments,
                hours_de: hours_text(s.minutes, Locale::De),
                hours_en: hours_text(s.minutes, Locale::En),
            })
            .collect(),
        trainings: record
            .trainings
            .iter()
            .map(|t| NachweisTraining {
                day: t.day.format("%d.%m.%Y").to_string(),
                title: t.title.clone(),
                kind_de: t.kind.name_de().to_owned(),
                kind_en: t.kind.name_en().to_owned(),
            })
            .collect(),
        allowance: record
            .allowance_cents
            .filter(|cents| *cents > 0)
            .map(|cents| (euros(cents, Locale::De), euros(cents, Locale::En))),
    })
}

/// The mail to the asker, from the organisation and the coordinator in the configuration.
fn mail(asker: Asker, record: &VolunteerYear, settings: &ReportSettings, now: DateTime<Utc>) -> NachweisMail {
    let organisation = &settings.organisation;
    NachweisMail {
        to: asker.email,
        volunteer_name: record.name.clone(),
        year: record.year,
        organisation: organisation.name.clone(),
        organisation_address: organisation.address.clone(),
        coordinator: organisation.coordinator_name.clone(),
        record: worded(record),
        issued_on: lp_core::when::date(&now),
    }
}

#[cfg(test)]
mod tests;
