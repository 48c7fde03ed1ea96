//! What is due over time, run by the service's worker from rows in the database: the
//! day-before reminders, and the mail 60 days before a volunteer's training ends (with the next
//! refresher, if one is scheduled). Each step claims its row with a conditional write in its
//! own transaction, so a restart loses nothing and a second instance doubles nothing.

use crate::entities::{expiry_notice, invitation, training};
use crate::trainings::Training;
use crate::{TrainingError, TrainingSettings, invitations, mails};
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use lp_core::isolate::catch_panic;
use lp_core::time::POOL_TZ;
use lp_core::vocab::{InvitationState, TrainingKind, TrainingState, TrainingStatus};
use lp_db::is_unique_violation;
use lp_registry::volunteers::{self, Volunteer};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// A volunteer hears this long before their training ends.
pub const EXPIRY_NOTICE_LEAD_DAYS: i64 = 60;
/// Trainings reminded per pass; the rest wait for the next.
const BATCH: u64 = 50;

/// What one pass did; any count above zero wrote mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrainingPassReport {
    pub reminders: usize,
    pub expiry_notices: usize,
}

impl TrainingPassReport {
    pub fn sent_mail(&self) -> bool {
        self.reminders + self.expiry_notices > 0
    }
}

pub async fn run_due(
    db: &DatabaseConnection,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<TrainingPassReport, TrainingError> {
    let mut report = TrainingPassReport::default();
    let due: Vec<Uuid> = training::Entity::find()
        .select_only()
        .column(training::Column::Id)
        .filter(training::Column::ReminderDueAt.lte(now))
        .filter(training::Column::Status.eq(TrainingState::Scheduled.as_str()))
        .filter(training::Column::StartsAt.gt(now))
        .order_by_asc(training::Column::ReminderDueAt)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    for id in due {
        match catch_panic(remind(db, id, now)).await {
            Ok(sent) => report.reminders += sent?,
            Err(panic) => {
                tracing::error!(training = %id, %panic, "training reminder panicked; retrying at the next pass")
            }
        }
    }
    for volunteer in expiring_soon(db, settings, now).await? {
        let id = volunteer.id;
        match catch_panic(notify_expiry(db, volunteer, settings, now)).await {
            Ok(sent) => report.expiry_notices += usize::from(sent?),
            Err(panic) => tracing::error!(volunteer = %id, %panic, "expiry notice panicked; retrying at the next pass"),
        }
    }
    Ok(report)
}

/// Claims the training's reminder and mails everyone registered; the number of mails.
async fn remind(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> Result<usize, TrainingError> {
    let txn = lp_db::begin_write(db).await?;
    let claimed = training::Entity::update_many()
        .col_expr(
            training::Column::ReminderDueAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(training::Column::Id.eq(id))
        .filter(training::Column::ReminderDueAt.lte(now))
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(0);
    }
    let training = crate::trainings::get(&*txn, id).await?;
    let ids: Vec<Uuid> = invitation::Entity::find()
        .select_only()
        .column(invitation::Column::VolunteerId)
        .filter(invitation::Column::TrainingId.eq(id))
        .filter(invitation::Column::State.eq(InvitationState::Registered.as_str()))
        .into_tuple()
        .all(&*txn)
        .await?;
    let people = volunteers::get_many(&*txn, &ids).await?;
    for volunteer in &people {
        mails::reminder(&*txn, &training, volunteer, now).await?;
    }
    txn.commit().await?;
    Ok(people.len())
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&POOL_TZ).date_naive()
}

/// The last day of a volunteer's training, if it ends within the notice lead and they have not
/// been told about that day yet.
async fn expiring_soon(
    db: &DatabaseConnection,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<Vec<Volunteer>, TrainingError> {
    let today = today(now);
    let horizon = today + Duration::days(EXPIRY_NOTICE_LEAD_DAYS);
    let months = Months::new(settings.validity_months);
    // Trained on a day whose validity ends between today and the horizon (a few days' slack
    // for month ends; the exact rule is `training_info`'s).
    let (Some(from), Some(to)) = (today.checked_sub_months(months), horizon.checked_sub_months(months)) else {
        return Ok(Vec::new());
    };
    let candidates = volunteers::trained_between(db, from - Duration::days(3), to + Duration::days(3)).await?;
    let mut soon: Vec<(Volunteer, NaiveDate)> = candidates
        .into_iter()
        .filter_map(|v| {
            let info = v.training(today, settings.validity_months);
            let until = info.valid_until?;
            (info.status == TrainingStatus::Trained && until <= horizon).then_some((v, until))
        })
        .collect();
    if soon.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = soon.iter().map(|(v, _)| v.id).collect();
    let told: HashSet<(Uuid, NaiveDate)> = expiry_notice::Entity::find()
        .filter(expiry_notice::Column::VolunteerId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.volunteer_id, n.valid_until))
        .collect();
    soon.retain(|(v, until)| !told.contains(&(v.id, *until)));
    Ok(soon.into_iter().map(|(v, _)| v).collect())
}

/// One notice per volunteer and end of validity; `false` if another pass sent it first.
async fn notify_expiry(
    db: &DatabaseConnection,
    volunteer: Volunteer,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<bool, TrainingError> {
    let Some(valid_until) = volunteer.training(today(now), settings.validity_months).valid_until else {
        return Ok(false);
    };
    let txn = lp_db::begin_write(db).await?;
    let notice = expiry_notice::ActiveModel {
        volunteer_id: Set(volunteer.id),
        valid_until: Set(valid_until),
        sent_at: Set(now),
    };
    match expiry_notice::Entity::insert(notice)
        .exec_without_returning(&*txn)
        .await
    {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err) => {
            txn.rollback().await?;
            return Ok(false);
        }
        Err(err) => return Err(err.into()),
    }
    let next = training::Entity::find()
        .filter(training::Column::Kind.eq(TrainingKind::Refresher.as_str()))
        .filter(training::Column::Status.eq(TrainingState::Scheduled.as_str()))
        .filter(training::Column::RegistrationDeadline.gt(now))
        .order_by_asc(training::Column::StartsAt)
        .one(&*txn)
        .await?
        .map(Training::from_row)
        .transpose()?;
    match next {
        Some(refresher) => {
            let invited = invitation::Entity::find()
                .filter(invitation::Column::TrainingId.eq(refresher.id))
                .filter(invitation::Column::VolunteerId.eq(volunteer.id))
                .one(&*txn)
                .await?
                .is_some();
            // Not invited yet: this mail is the invitation. Invited already: it names the
            // refresher and points to that invitation.
            let link = if invited {
                None
            } else {
                let link = invitations::issue(&*txn, Some(&settings.server_key), &refresher, volunteer.id, now).await?;
                Some(link.placeholder())
            };
            mails::expiring(&*txn, &volunteer, valid_until, Some((&refresher, link)), now).await?;
        }
        None => mails::expiring(&*txn, &volunteer, valid_until, None, now).await?,
    }
    txn.commit().await?;
    Ok(true)
}
