//! Inviting volunteers to a training: chosen ones, or everyone a filter reaches. Each invitee
//! gets one mail with their own `/t/{token}` link; inviting again mails nobody twice.

use crate::entities::invitation;
use crate::input::{InvitationFilter, Invitees};
use crate::rules::{TrainingPhase, filter_reaches, may_be_invited};
use crate::{TrainingError, TrainingSettings, mails, seats};
use chrono::{DateTime, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditObject};
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::secret::ServerKey;
use lp_core::time::POOL_TZ;
use lp_core::validation::FieldError;
use lp_core::vocab::InvitationState;
use lp_registry::volunteers::{self, Volunteer, VolunteerFilter};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// What an invitation round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InvitationReport {
    /// Mailed now.
    pub invited: u32,
    /// Invited before; not mailed again.
    pub already_invited: u32,
}

/// Everyone the filter reaches today, by name: what the page counts before sending.
pub async fn reach(
    db: &impl ConnectionTrait,
    _by: &Coordinator,
    filter: &InvitationFilter,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<Vec<Volunteer>, TrainingError> {
    let today = now.with_timezone(&POOL_TZ).date_naive();
    let candidates = volunteers::list(
        db,
        &VolunteerFilter {
            status: filter.status,
            ..Default::default()
        },
        today,
        settings.validity_months,
    )
    .await?;
    Ok(candidates
        .into_iter()
        .filter(|v| filter_reaches(filter, v, today, settings.validity_months))
        .collect())
}

async fn people(
    db: &DatabaseConnection,
    by: &Coordinator,
    invitees: Invitees,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<Vec<Volunteer>, TrainingError> {
    match invitees {
        Invitees::Filter(filter) => reach(db, by, &filter, settings, now).await,
        Invitees::Chosen(ids) => chosen(db, &ids).await,
    }
}

async fn invited_before(db: &impl ConnectionTrait, training_id: Uuid) -> Result<HashSet<Uuid>, TrainingError> {
    Ok(invitation::Entity::find()
        .select_only()
        .column(invitation::Column::VolunteerId)
        .filter(invitation::Column::TrainingId.eq(training_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// What [`invite`] would do now, without doing it: the count the page shows before sending.
pub async fn preview(
    db: &DatabaseConnection,
    by: &Coordinator,
    training_id: Uuid,
    invitees: Invitees,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<InvitationReport, TrainingError> {
    crate::trainings::get(db, training_id).await?;
    let people = people(db, by, invitees, settings, now).await?;
    let before = invited_before(db, training_id).await?;
    let already = people.iter().filter(|v| before.contains(&v.id)).count() as u32;
    Ok(InvitationReport {
        invited: people.len() as u32 - already,
        already_invited: already,
    })
}

pub async fn invite(
    db: &DatabaseConnection,
    by: &Coordinator,
    training_id: Uuid,
    invitees: Invitees,
    settings: &TrainingSettings,
    now: DateTime<Utc>,
) -> Result<InvitationReport, TrainingError> {
    let people = people(db, by, invitees, settings, now).await?;
    let txn = lp_db::begin_write(db).await?;
    let training = seats::lock(&*txn, training_id).await?;
    match TrainingPhase::of(&training, now) {
        phase if phase.may_invite() => {}
        TrainingPhase::Cancelled => return Err(TrainingError::Conflict("the training was cancelled".to_owned())),
        _ => {
            return Err(TrainingError::Conflict(
                "registration for this training has closed".to_owned(),
            ));
        }
    }
    let before = invited_before(&*txn, training_id).await?;
    let mut report = InvitationReport {
        invited: 0,
        already_invited: 0,
    };
    let mut entries = Vec::new();
    for volunteer in &people {
        if before.contains(&volunteer.id) {
            report.already_invited += 1;
            continue;
        }
        let link = issue(&*txn, Some(&settings.server_key), &training, volunteer.id, now).await?;
        mails::invitation(&*txn, &training, volunteer, &link.placeholder(), now).await?;
        report.invited += 1;
        entries.push(
            crate::by_coordinator(by, AuditAction::Invite, AuditObject::Volunteer, volunteer.id)
                .fields([format!("training:{training_id}")]),
        );
    }
    crate::audit(&*txn, &entries, now).await?;
    txn.commit().await?;
    Ok(report)
}

/// A new invitation row with its link, derived from the server key `key`; what the link is
/// derived from is returned for the mail, which carries it as a placeholder. Without a key the
/// row has no link at all (the demo's enrolments, never mailed).
pub(crate) async fn issue(
    txn: &impl ConnectionTrait,
    key: Option<&ServerKey>,
    training: &crate::trainings::Training,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<LinkSeed, TrainingError> {
    let link = LinkSeed::fresh(LinkKind::TrainingInvitation, Uuid::new_v4());
    let (token_hash, nonce) = match key {
        Some(key) => (link.hash(key), Some(link.nonce().to_owned())),
        // The hash of a token thrown away at once: the link never existed.
        None => (lp_core::secret::new_token().hash, None),
    };
    let row = invitation::ActiveModel {
        id: Set(link.id()),
        training_id: Set(training.id),
        volunteer_id: Set(volunteer_id),
        token_hash: Set(token_hash),
        link_nonce: Set(nonce),
        state: Set(InvitationState::Invited.as_str().to_owned()),
        waiting_since: Set(None),
        attended: Set(false),
        invited_at: Set(now),
        responded_at: Set(None),
        // The page stays readable until the training is over.
        expires_at: Set(training.ends_at()),
    };
    invitation::Entity::insert(row).exec_without_returning(txn).await?;
    Ok(link)
}

/// The link of a stored invitation, to write it into a later mail; none for an invitation from
/// before links were derived.
pub(crate) fn link_of(row: &invitation::Model) -> Option<LinkSeed> {
    let nonce = row.link_nonce.as_deref()?;
    Some(LinkSeed::stored(LinkKind::TrainingInvitation, row.id, nonce))
}

/// The chosen volunteers; an unknown or retired one is named by its place in the list.
async fn chosen(db: &DatabaseConnection, ids: &[Uuid]) -> Result<Vec<Volunteer>, TrainingError> {
    let found = volunteers::get_many(db, ids).await?;
    for (i, id) in ids.iter().enumerate() {
        match found.iter().find(|v| v.id == *id) {
            None => return Err(FieldError::new(format!("volunteer_ids[{i}]"), format!("no volunteer `{id}`")).into()),
            Some(v) if !may_be_invited(v) => {
                return Err(FieldError::new(format!("volunteer_ids[{i}]"), "is retired").into());
            }
            Some(_) => {}
        }
    }
    Ok(found)
}
