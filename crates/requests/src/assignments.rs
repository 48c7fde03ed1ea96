//! A volunteer's own assignments, as their page and their calendar feed show them: the requests
//! they hold or held, with what they were told when they got the job (time, place, the asking
//! organisation), never the client reference or the notes.

use crate::RequestError;
use crate::entities::request;
use crate::request::Request;
use chrono::{DateTime, Utc};
use lp_core::LanguageCode;
use lp_core::vocab::{Mode, RequestStatus, Setting};
use lp_registry::organisations;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// One appointment the volunteer holds (`assigned`) or held (`completed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerAssignment {
    pub request_id: Uuid,
    pub status: RequestStatus,
    pub language: LanguageCode,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode: Mode,
    pub setting: Setting,
    pub town: Option<String>,
    /// Gone once the request's details are past their retention period.
    pub address: Option<String>,
    pub organisation_name: String,
    /// The time the caseworker confirmed, once completed.
    pub actual_minutes: Option<u32>,
    /// A video appointment's meeting link.
    pub video_url: Option<String>,
}

/// The volunteer's assignments whose appointment starts at `from` or later, and before `until`
/// if given, in time order. Only
/// requests that are still theirs: one cancelled, or given back and taken by someone else, is not.
pub async fn of_volunteer(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<VolunteerAssignment>, RequestError> {
    let held = [RequestStatus::Assigned.as_str(), RequestStatus::Completed.as_str()];
    let mut query = request::Entity::find()
        .filter(request::Column::AssigneeId.eq(volunteer_id))
        .filter(request::Column::Status.is_in(held))
        .filter(request::Column::StartsAt.gte(from));
    if let Some(until) = until {
        query = query.filter(request::Column::StartsAt.lt(until));
    }
    let rows = query.order_by_asc(request::Column::StartsAt).all(db).await?;
    let requests = rows.into_iter().map(Request::from_row).collect::<Result<Vec<_>, _>>()?;
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for request in &requests {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(request.organisation_id) {
            let name = organisations::get(db, request.organisation_id).await?;
            slot.insert(name.map(|o| o.name).unwrap_or_default());
        }
    }
    let assignments = requests
        .into_iter()
        .map(|request| VolunteerAssignment {
            organisation_name: names[&request.organisation_id].clone(),
            request_id: request.id,
            status: request.status,
            language: request.language,
            starts_at: request.starts_at,
            duration_minutes: request.duration_minutes,
            mode: request.mode,
            setting: request.setting,
            town: request.town,
            address: request.address,
            actual_minutes: request.actual_minutes,
            video_url: request.video_url,
        })
        .collect();
    Ok(assignments)
}
