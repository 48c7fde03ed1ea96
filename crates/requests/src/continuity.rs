//! Continuity over a longer past than the pool's commitments hold: who served a client
//! before, looked up by a keyed hash of the client reference under the server key (outside
//! the database). The hash is kept `continuity_days` after the appointment, while the readable
//! reference goes after `retention.request_details_days`; nobody can read a client back from
//! it, and a copy of the database alone cannot even match references against it.

use crate::RequestError;
use crate::entities::request;
use crate::request::Request;
use crate::settings::RequestSettings;
use chrono::{DateTime, Duration, Utc};
use lp_core::vocab::RequestStatus;
use lp_matcher::RequestSpec;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// The stored form of a client reference, compared as continuity compares references
/// (trimmed, case-insensitive); `None` for none or a blank one.
pub(crate) fn client_key(settings: &RequestSettings, client_ref: Option<&str>) -> Option<String> {
    let normalised = lp_matcher::client_key(client_ref?);
    (!normalised.is_empty()).then(|| settings.server_key.derive("client-ref", normalised.as_bytes()))
}

/// When the key of an appointment at `starts_at` is removed.
pub(crate) fn key_until(settings: &RequestSettings, starts_at: DateTime<Utc>) -> DateTime<Utc> {
    starts_at + Duration::days(i64::from(settings.continuity_days))
}

/// The volunteers who served the client of `client_ref` in the `continuity_days` before `now`
/// (an assignment that has begun, completed or still assigned), by one indexed query.
pub(crate) async fn served_by(
    db: &impl ConnectionTrait,
    settings: &RequestSettings,
    client_ref: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, RequestError> {
    let Some(key) = client_key(settings, client_ref) else {
        return Ok(Vec::new());
    };
    let since = now - Duration::days(i64::from(settings.continuity_days));
    let mut served: Vec<Uuid> = request::Entity::find()
        .select_only()
        .column(request::Column::AssigneeId)
        .filter(request::Column::ClientKey.eq(key))
        .filter(request::Column::StartsAt.gte(since))
        .filter(request::Column::StartsAt.lt(now))
        .filter(request::Column::Status.is_in([RequestStatus::Assigned.as_str(), RequestStatus::Completed.as_str()]))
        .filter(request::Column::AssigneeId.is_not_null())
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    served.sort_unstable();
    served.dedup();
    Ok(served)
}

/// What the matcher needs of a filed request, with who served its client before.
pub(crate) async fn spec_of(
    db: &impl ConnectionTrait,
    request: &Request,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<RequestSpec, RequestError> {
    with_history(db, request.spec(), settings, now).await
}

/// `spec` with who served its client before.
pub(crate) async fn with_history(
    db: &impl ConnectionTrait,
    mut spec: RequestSpec,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<RequestSpec, RequestError> {
    spec.client_served_by = served_by(db, settings, spec.client_ref.as_deref(), now).await?;
    Ok(spec)
}
