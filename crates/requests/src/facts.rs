//! Requests as the reports count them: one plain row per request with only the anonymous
//! facts a figure needs. Client reference, notes and address are never read, so the figures
//! stay the same once the retention job has blanked those.

use crate::RequestError;
use crate::entities::{offer, request};
use crate::request::parse;
use chrono::{DateTime, Utc};
use lp_core::LanguageCode;
use lp_core::access::Coordinator;
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, DerivePartialModel, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// One request, anonymously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFact {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub language: LanguageCode,
    pub status: RequestStatus,
    pub setting: Setting,
    pub mode: Mode,
    pub created_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    /// The current assignment's acceptance; cleared when a volunteer gives the job back.
    pub assigned_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub actual_minutes: Option<u32>,
    pub assignee_id: Option<Uuid>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Someone accepted it at some point, even if they gave it back later.
    pub ever_assigned: bool,
    /// Offers that went out for it, over all waves.
    pub offers_sent: u32,
}

#[derive(DerivePartialModel)]
#[sea_orm(entity = "request::Entity")]
struct FactRow {
    id: Uuid,
    organisation_id: Uuid,
    language: String,
    status: String,
    setting: String,
    mode: String,
    created_at: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    assigned_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    actual_minutes: Option<i32>,
    assignee_id: Option<Uuid>,
    cancelled_at: Option<DateTime<Utc>>,
}

/// Every request whose appointment starts in `[from, until)`, in no particular order.
pub async fn starting_between(
    db: &impl ConnectionTrait,
    _by: &Coordinator,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<RequestFact>, RequestError> {
    read(db, Condition::all(), from, until).await
}

/// The requests assigned to one volunteer (now or at completion) whose appointment starts in
/// `[from, until)`: what a volunteer's yearly record counts.
pub async fn of_volunteer(
    db: &impl ConnectionTrait,
    _by: &Coordinator,
    volunteer_id: Uuid,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<RequestFact>, RequestError> {
    let mine = Condition::all().add(request::Column::AssigneeId.eq(volunteer_id));
    read(db, mine, from, until).await
}

async fn read(
    db: &impl ConnectionTrait,
    extra: Condition,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<RequestFact>, RequestError> {
    let in_period = Condition::all()
        .add(request::Column::StartsAt.gte(from))
        .add(request::Column::StartsAt.lt(until))
        .add(extra);
    let rows: Vec<FactRow> = request::Entity::find()
        .filter(in_period.clone())
        .into_partial_model()
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The same requests, chosen by the same condition inside each grouped count, so the
    // counts take one query each however many requests the period holds.
    let of_these = Query::select()
        .column(request::Column::Id)
        .from(request::Entity)
        .cond_where(in_period)
        .to_owned();
    let sent = offer_counts(db, Condition::all(), of_these.clone()).await?;
    let accepted_once = Condition::any()
        .add(offer::Column::State.eq(OfferState::Accepted.as_str()))
        .add(offer::Column::WithdrewAt.is_not_null());
    let taken = offer_counts(db, accepted_once, of_these).await?;
    rows.into_iter()
        .map(|row| {
            let offers_sent = sent.get(&row.id).copied().unwrap_or(0);
            let ever_assigned = row.assignee_id.is_some() || taken.get(&row.id).is_some_and(|n| *n > 0);
            Ok(RequestFact {
                id: row.id,
                organisation_id: row.organisation_id,
                language: LanguageCode::parse(&row.language)
                    .map_err(|e| DbErr::Custom(format!("interpreting_requests.language: {e}")))?,
                status: parse(&row.status, "interpreting_requests.status")?,
                setting: parse(&row.setting, "interpreting_requests.setting")?,
                mode: parse(&row.mode, "interpreting_requests.mode")?,
                created_at: row.created_at,
                starts_at: row.starts_at,
                assigned_at: row.assigned_at,
                completed_at: row.completed_at,
                actual_minutes: row
                    .actual_minutes
                    .map(|m| {
                        u32::try_from(m).map_err(|_| {
                            DbErr::Custom(format!("interpreting_requests.actual_minutes: {m} is negative"))
                        })
                    })
                    .transpose()?,
                assignee_id: row.assignee_id,
                cancelled_at: row.cancelled_at,
                ever_assigned,
                offers_sent,
            })
        })
        .collect()
}

/// Offers per request among `requests` (a subquery of request ids) that meet `which`.
async fn offer_counts(
    db: &impl ConnectionTrait,
    which: Condition,
    requests: sea_orm::sea_query::SelectStatement,
) -> Result<HashMap<Uuid, u32>, RequestError> {
    let counts: Vec<(Uuid, i64)> = offer::Entity::find()
        .select_only()
        .column(offer::Column::RequestId)
        .column_as(offer::Column::Id.count(), "n")
        .filter(offer::Column::RequestId.in_subquery(requests))
        .filter(which)
        .group_by(offer::Column::RequestId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}
