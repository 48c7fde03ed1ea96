//! The demo's training year so far: a basic training six weeks ago with its attendance
//! recorded (which made its attendees trained), and a refresher in three weeks that is full,
//! with a waiting list, and whose invitations to those whose training ends soon went out by
//! mail (links to click in the mailbox).

use anyhow::Context as _;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use lp_core::access::Coordinator;
use lp_core::time::{POOL_TZ, local_to_utc};
use lp_core::vocab::{TrainingKind, TrainingStatus, VolunteerStatus};
use lp_registry::volunteers::VolunteerInput;
use lp_trainings::input::{AttendanceInput, InvitationFilter, Invitees, TrainingInput, TrainingNeed};
use lp_trainings::links::Outcome;
use lp_trainings::{TrainingSettings, invitations, record, seed, trainings};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// What the demo's trainings hold.
#[derive(Debug, Clone, Copy)]
pub struct TrainingsSummary {
    pub attended: usize,
    pub registered: usize,
    pub waiting: usize,
    pub invited_by_mail: u32,
}

/// A training at `hour` local time, `days` from today, with registration closing five days
/// before.
fn training(title: &str, kind: TrainingKind, now: DateTime<Utc>, days: i64, hour: u32, capacity: i64) -> TrainingInput {
    let day = now.with_timezone(&POOL_TZ).date_naive() + Duration::days(days);
    let starts_at = local_to_utc(day, NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour of the day"));
    TrainingInput {
        title: title.to_owned(),
        kind,
        starts_at: lp_core::time::local(starts_at),
        duration_minutes: 180,
        location: "Rathaus Winnenden, Sitzungssaal".to_owned(),
        capacity,
        registration_deadline: lp_core::time::local(starts_at - Duration::days(5)),
        description: Some(
            "Rolle und Haltung, Schweigepflicht, Dolmetschen in belastenden Gesprächen; mit Übungen.".to_owned(),
        ),
        trainer: Some("Dr. Hanna Vogt".to_owned()),
    }
}

/// `pool[i]` was created as `ids[i]`.
pub async fn seed(
    db: &DatabaseConnection,
    pool: &[VolunteerInput],
    ids: &[Uuid],
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<TrainingsSummary> {
    let by = Coordinator::operator();
    let in_pool = |v: &VolunteerInput| matches!(v.status, VolunteerStatus::Active | VolunteerStatus::Applicant);
    let today = now.with_timezone(&POOL_TZ).date_naive();
    let needs_course = |v: &VolunteerInput| {
        let info = lp_registry::training::training_info(v.training_completed_on, today, settings.validity_months);
        info.status != TrainingStatus::Trained
    };
    // Those without a valid training (applicants, the expired), then the most recently
    // trained: the town's autumn course, whose list the coordinator now keeps here.
    let mut untrained: Vec<Uuid> = pool
        .iter()
        .zip(ids)
        .filter(|(v, _)| in_pool(v) && needs_course(v))
        .map(|(_, id)| *id)
        .take(10)
        .collect();
    let mut recent: Vec<(&VolunteerInput, Uuid)> = pool
        .iter()
        .zip(ids)
        .filter(|(v, _)| v.status == VolunteerStatus::Active && !needs_course(v))
        .map(|(v, id)| (v, *id))
        .collect();
    recent.sort_by_key(|(v, id)| (std::cmp::Reverse(v.training_completed_on), *id));
    let wanted = 10usize.saturating_sub(untrained.len());
    untrained.extend(recent.iter().take(wanted).map(|(_, id)| *id));
    // The refresher's first eight, from those trained longest ago.
    let trained: Vec<Uuid> = recent.iter().rev().take(8).map(|(_, id)| *id).collect();

    // Six weeks ago, scheduled a month before that.
    let basic = training(
        "Grundschulung Dolmetschen im Ehrenamt",
        TrainingKind::Basic,
        now,
        -42,
        10,
        12,
    );
    let planned = basic.starts_at.to_utc() - Duration::days(30);
    let valid = basic.validate(planned).context("demo basic training")?;
    let basic = trainings::create(db, &by, valid, planned).await?;
    seed::enrol(db, basic.id, &untrained, planned + Duration::days(2)).await?;
    // Three in four came.
    let came: Vec<Uuid> = untrained
        .iter()
        .copied()
        .take(untrained.len() - untrained.len() / 4)
        .collect();
    let attendance = AttendanceInput {
        volunteer_ids: came.clone(),
    };
    record::record_attendance(db, &by, basic.id, &attendance, basic.ends_at()).await?;

    // In three weeks, for six: full, with a waiting list.
    let refresher = training(
        "Auffrischung: Dolmetschen beim Arzt",
        TrainingKind::Refresher,
        now,
        21,
        17,
        6,
    );
    let valid = refresher.validate(now).context("demo refresher")?;
    let refresher = trainings::create(db, &by, valid, now).await?;
    let outcomes = seed::enrol(db, refresher.id, &trained, now - Duration::days(3)).await?;
    let expiring = Invitees::Filter(InvitationFilter {
        training: Some(TrainingNeed::Expiring),
        within_days: Some(365),
        ..Default::default()
    });
    let mailed = invitations::invite(db, &by, refresher.id, expiring, settings, now).await?;
    Ok(TrainingsSummary {
        attended: came.len(),
        registered: outcomes.iter().filter(|o| **o == Outcome::Registered).count(),
        waiting: outcomes.iter().filter(|o| **o == Outcome::Waiting).count(),
        invited_by_mail: mailed.invited,
    })
}
