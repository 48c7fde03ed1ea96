//! Everything stored about one volunteer, for their access request (DSGVO Art. 15): the
//! registry record, every offer they were sent, the appointments they took, their trainings,
//! their calendar subscriptions (when made and revoked; never the address, which is a secret
//! that only the volunteer should hold), and what the audit log holds about them. Only their own data: the requests appear with
//! what the volunteer was told (time, place, setting), never the client reference or notes.

use crate::RequestError;
use crate::entities::{offer, request};
use crate::request::Offer;
use chrono::{DateTime, Utc};
use lp_audit::AuditRecord;
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditEntry, AuditObject};
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use lp_registry::volunteers::{self, Volunteer};
use lp_trainings::record::HistoryEntry;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VolunteerExport {
    pub exported_at: DateTime<Utc>,
    /// The registry record: contact, languages, availability, absences, status, notes.
    pub volunteer: Volunteer,
    pub offers: Vec<ExportedOffer>,
    pub assignments: Vec<ExportedAssignment>,
    pub trainings: Vec<HistoryEntry>,
    /// Their private calendar subscriptions, oldest first.
    pub calendar_feeds: Vec<ExportedCalendarFeed>,
    /// Entries about them or by them (through their links).
    pub audit: Vec<AuditRecord>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedOffer {
    pub request_id: Uuid,
    #[schema(inline)]
    pub state: OfferState,
    pub wave: u32,
    pub sent_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub withdrew_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedAssignment {
    pub request_id: Uuid,
    #[schema(inline)]
    pub status: RequestStatus,
    #[schema(value_type = String)]
    pub language: lp_core::LanguageCode,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    #[schema(inline)]
    pub mode: Mode,
    pub town: Option<String>,
    #[schema(inline)]
    pub setting: Setting,
    pub assigned_at: Option<DateTime<Utc>>,
    pub actual_minutes: Option<u32>,
}

/// A calendar subscription: when it was made and, if it no longer works, when it was revoked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedCalendarFeed {
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Builds the export and records that it was made (a read of all their personal data).
pub async fn volunteer(
    db: &DatabaseConnection,
    by: &Coordinator,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<VolunteerExport, RequestError> {
    let volunteer = volunteers::get(db, id).await?.ok_or(RequestError::NotFound)?;
    let offers = offer::Entity::find()
        .filter(offer::Column::VolunteerId.eq(id))
        .order_by_asc(offer::Column::SentAt)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let offer = Offer::from_row(row)?;
            Ok(ExportedOffer {
                request_id: offer.request_id,
                state: offer.state,
                wave: offer.wave,
                sent_at: offer.sent_at,
                responded_at: offer.responded_at,
                withdrew_at: offer.withdrew_at,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    let assignments = request::Entity::find()
        .filter(request::Column::AssigneeId.eq(id))
        .order_by_asc(request::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let request = crate::request::Request::from_row(row)?;
            Ok(ExportedAssignment {
                request_id: request.id,
                status: request.status,
                language: request.language,
                starts_at: request.starts_at,
                duration_minutes: request.duration_minutes,
                mode: request.mode,
                town: request.town,
                setting: request.setting,
                assigned_at: request.assigned_at,
                actual_minutes: request.actual_minutes,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    let trainings = lp_trainings::record::history(db, id).await?;
    let calendar_feeds = lp_registry::calendar_feeds::of_volunteer(db, id)
        .await?
        .into_iter()
        .map(|feed| ExportedCalendarFeed {
            created_at: feed.created_at,
            revoked_at: feed.revoked_at,
        })
        .collect();
    let audit = lp_audit::about(db, by, id).await?;
    let txn = lp_db::begin_write(db).await?;
    let entry = AuditEntry::new(by.who(), AuditAction::Export, AuditObject::Volunteer, id).from(by.addr());
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(VolunteerExport {
        exported_at: now,
        volunteer,
        offers,
        assignments,
        trainings,
        calendar_feeds,
        audit,
    })
}
