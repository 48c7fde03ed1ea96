//! A request's life: created open with its first wave of offers, then assigned, completed,
//! cancelled or unfilled. Every query here is bounded by the actor's [`Scope`].

use crate::entities::request;
use crate::input::{CompletionInput, RequestInput};
use crate::pool::{Which, profiles};
use crate::request::{Request, offers_of};
use crate::rules::{CANCELLABLE, completion_refused};
use crate::search::{continue_search, withdraw_outstanding};
use crate::settings::RequestSettings;
use crate::view::{RequestView, build};
use crate::way_forward::{self, SearchHint, Suggestion};
use crate::{RequestError, mails};
use chrono::{DateTime, Duration, Utc};
use lp_core::access::{Actor, Scope};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject};
use lp_core::validation::FieldError;
use lp_core::vocab::RequestStatus;
use lp_matcher::cascade::Occasion;
use lp_matcher::{Exclusion, RankedCandidate, Ranking};
use lp_registry::{organisations, pool_changes, volunteers};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

fn scoped(scope: Scope) -> Select<request::Entity> {
    match scope {
        Scope::All => request::Entity::find(),
        Scope::Organisation(org) => request::Entity::find().filter(request::Column::OrganisationId.eq(org)),
    }
}

async fn find_scoped(db: &impl ConnectionTrait, scope: Scope, id: Uuid) -> Result<Request, RequestError> {
    let row = scoped(scope)
        .filter(request::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    Ok(Request::from_row(row)?)
}

/// The organisation a request by `actor` is filed for: a caseworker's own (named or not), or
/// the existing one a coordinator names.
pub async fn organisation_for(
    db: &impl ConnectionTrait,
    actor: Actor,
    input: &RequestInput,
) -> Result<Uuid, RequestError> {
    let organisation_id = match (actor.scope, input.organisation_id) {
        (Scope::Organisation(own), None) => own,
        (Scope::Organisation(own), Some(given)) if given == own => own,
        (Scope::Organisation(_), Some(_)) => {
            return Err(
                FieldError::new("organisation_id", "a caseworker can ask only for its own organisation").into(),
            );
        }
        (Scope::All, Some(given)) => given,
        (Scope::All, None) => {
            return Err(FieldError::new("organisation_id", "is required when a coordinator creates a request").into());
        }
    };
    if organisations::get(db, organisation_id).await?.is_none() {
        return Err(FieldError::new("organisation_id", "no organisation has this id").into());
    }
    Ok(organisation_id)
}

/// Creates the request and sends the first wave of offers, in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    input: &RequestInput,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<RequestView, RequestError> {
    let valid = input.validate(now)?;
    let organisation_id = organisation_for(db, actor, input).await?;
    let id = Uuid::new_v4();
    let client_key = crate::continuity::client_key(settings, valid.client_ref.as_deref());
    let series = !valid.later_dates.is_empty();
    // One row per date: the first searches at once; the later dates of a series wait for it.
    let date = |own_id: Uuid, starts_at: DateTime<Utc>, fill_by: DateTime<Utc>, position: usize| request::ActiveModel {
        id: Set(own_id),
        organisation_id: Set(organisation_id),
        caseworker_id: Set(actor.user_id),
        language: Set(valid.language.as_str().to_owned()),
        dialect: Set(valid.dialect.clone()),
        starts_at: Set(starts_at),
        duration_minutes: Set(valid.duration_minutes as i32),
        mode: Set(valid.mode.as_str().to_owned()),
        town: Set(valid.town.clone()),
        address: Set(valid.address.clone()),
        setting: Set(valid.setting.as_str().to_owned()),
        gender_preference: Set(valid.gender_preference.map(|g| g.gender.as_str().to_owned())),
        gender_strength: Set(valid.gender_preference.map(|g| g.strength.as_str().to_owned())),
        client_ref: Set(valid.client_ref.clone()),
        notes: Set(valid.notes.clone()),
        fill_by: Set(fill_by),
        status: Set(RequestStatus::Open.as_str().to_owned()),
        assignee_id: Set(None),
        assigned_at: Set(None),
        completed_at: Set(None),
        actual_minutes: Set(None),
        feedback: Set(None),
        cancelled_at: Set(None),
        next_wave_at: Set(None),
        reminded_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        details_removed_at: Set(None),
        client_key_until: Set(client_key
            .is_some()
            .then(|| crate::continuity::key_until(settings, starts_at))),
        client_key: Set(client_key.clone()),
        video_url: Set(None),
        series_id: Set(series.then_some(id)),
        series_position: Set(series.then_some(position as i32)),
        held_for_series: Set(position > 1),
        window_closes_at: Set(None),
    };
    let row = date(id, valid.starts_at, valid.fill_by, 1);
    let later: Vec<request::ActiveModel> = valid
        .later_dates
        .iter()
        .enumerate()
        .map(|(k, &starts_at)| {
            let fill_by = lp_matcher::cascade::default_fill_by(now, starts_at);
            date(Uuid::new_v4(), starts_at, fill_by, k + 2)
        })
        .collect();
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let txn = lp_db::begin_write(db).await?;
    let row = request::Entity::insert(row).exec_with_returning(&*txn).await?;
    let request = Request::from_row(row)?;
    let later_ids: Vec<Uuid> = later.iter().map(|r| *r.id.as_ref()).collect();
    if !later.is_empty() {
        request::Entity::insert_many(later)
            .exec_without_returning(&*txn)
            .await?;
    }
    continue_search(&*txn, &request, Occasion::Filed, &pool, settings, now).await?;
    for created in std::iter::once(id).chain(later_ids) {
        audit(&*txn, actor, AuditAction::Create, created, now).await?;
    }
    txn.commit().await?;
    get(db, actor.scope, id, now).await
}

async fn audit(
    txn: &impl ConnectionTrait,
    actor: Actor,
    action: AuditAction,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let entry = AuditEntry::new(actor.who(), action, AuditObject::Request, id).from(actor.addr);
    Ok(lp_audit::record(txn, &entry, now).await?)
}

/// The request page or its API answer, for a person: a read of personal data (the client's
/// appointment, the assignee's phone), so it goes to the audit log (once per person and
/// quarter hour, see [`lp_audit::record_view`]).
pub async fn view(
    db: &DatabaseConnection,
    actor: Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<RequestView, RequestError> {
    let view = get(db, actor.scope, id, now).await?;
    let entry = AuditEntry::new(actor.who(), AuditAction::View, AuditObject::Request, id).from(actor.addr);
    lp_audit::record_view(db, &entry, now).await?;
    Ok(view)
}

pub async fn get(
    db: &impl ConnectionTrait,
    scope: Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<RequestView, RequestError> {
    let row = find_scoped(db, scope, id).await?;
    let mut views = with_details(db, vec![row], now).await?;
    Ok(views.remove(0))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilter {
    #[param(inline)]
    pub status: Option<RequestStatus>,
    /// At most this many, newest appointments first; 200 when left out.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// Newest appointments first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Scope,
    filter: &RequestFilter,
    now: DateTime<Utc>,
) -> Result<Vec<RequestView>, RequestError> {
    let limit = filter.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(FieldError::new("limit", "must be between 1 and 1000").into());
    }
    let mut query = scoped(scope)
        .order_by_desc(request::Column::StartsAt)
        .order_by_asc(request::Column::Id);
    if let Some(status) = filter.status {
        query = query.filter(request::Column::Status.eq(status.as_str()));
    }
    let rows = query.limit(limit).all(db).await?;
    let requests = rows.into_iter().map(Request::from_row).collect::<Result<_, _>>()?;
    with_details(db, requests, now).await
}

/// Who needs training, per language: the pool's state from `lp_trainings::needs` next to the
/// demand of the last [`DEMAND_WINDOW_DAYS`](lp_trainings::needs::DEMAND_WINDOW_DAYS), which
/// these requests are.
pub async fn training_needs(
    db: &impl ConnectionTrait,
    by: &lp_core::access::Coordinator,
    validity_months: u32,
    now: DateTime<Utc>,
) -> Result<Vec<lp_trainings::needs::LanguageNeed>, RequestError> {
    let since = now - Duration::days(lp_trainings::needs::DEMAND_WINDOW_DAYS);
    let demand = demand_by_language(db, since).await?;
    Ok(lp_trainings::needs::by_language(db, by, &demand, validity_months, now).await?)
}

/// Requests per language created since `since`, whatever became of them. One grouped,
/// indexed count, not a pass over rows.
async fn demand_by_language(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<(lp_core::LanguageCode, u32)>, RequestError> {
    let counts: Vec<(String, i64)> = request::Entity::find()
        .select_only()
        .column(request::Column::Language)
        .column_as(request::Column::Id.count(), "n")
        .filter(request::Column::CreatedAt.gte(since))
        .group_by(request::Column::Language)
        .into_tuple()
        .all(db)
        .await?;
    counts
        .into_iter()
        .map(|(code, n)| {
            let language = lp_core::LanguageCode::parse(&code)
                .map_err(|e| sea_orm::DbErr::Custom(format!("interpreting_requests.language: {e}")))?;
            Ok((language, n as u32))
        })
        .collect()
}

/// An open request whose search ends within this long is at risk: the coordinator's board
/// lists it so someone can phone around before the deadline.
pub const AT_RISK_WITHIN: Duration = Duration::hours(24);
/// Rows per section of the dashboard and the board, most urgent first.
pub const SECTION_ROWS: u64 = 50;
/// Finished requests shown on the dashboard.
const RECENT_ROWS: u64 = 20;

/// A staff user's start page: what needs them, most urgent first in each section. What is
/// still ahead reads soonest first; what is over, latest first.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Assigned and begun: the caseworker is due to confirm, the latest appointment first.
    pub needs_confirmation: Vec<RequestView>,
    /// Unfilled with the appointment still ahead, soonest first: someone may still find help.
    pub unfilled: Vec<RequestView>,
    /// Searching, the soonest deadline first.
    pub open: Vec<RequestView>,
    /// Assigned and still ahead, soonest first.
    pub assigned: Vec<RequestView>,
    /// Unfilled with the appointment over, latest first.
    pub unfilled_past: Vec<RequestView>,
    /// The latest completed or cancelled, shown by appointment, latest first.
    pub recent: Vec<RequestView>,
}

pub async fn dashboard(db: &impl ConnectionTrait, scope: Scope, now: DateTime<Utc>) -> Result<Dashboard, RequestError> {
    let status = |status: RequestStatus| scoped(scope).filter(request::Column::Status.eq(status.as_str()));
    let mut sections = sections(
        db,
        vec![
            status(RequestStatus::Assigned)
                .filter(request::Column::StartsAt.lte(now))
                .order_by_desc(request::Column::StartsAt)
                .limit(SECTION_ROWS),
            status(RequestStatus::Unfilled)
                .filter(request::Column::StartsAt.gt(now))
                .order_by_asc(request::Column::StartsAt)
                .limit(SECTION_ROWS),
            status(RequestStatus::Open)
                .order_by_asc(request::Column::FillBy)
                .limit(SECTION_ROWS),
            status(RequestStatus::Assigned)
                .filter(request::Column::StartsAt.gt(now))
                .order_by_asc(request::Column::StartsAt)
                .limit(SECTION_ROWS),
            status(RequestStatus::Unfilled)
                .filter(request::Column::StartsAt.lte(now))
                .order_by_desc(request::Column::StartsAt)
                .limit(SECTION_ROWS),
        ],
        Some(recently_finished(db, scope).await?),
        now,
    )
    .await?
    .0
    .into_iter();
    let mut next = || sections.next().unwrap_or_default();
    Ok(Dashboard {
        needs_confirmation: next(),
        unfilled: next(),
        open: next(),
        assigned: next(),
        unfilled_past: next(),
        recent: next(),
    })
}

/// What needs a coordinator across all organisations.
#[derive(Debug, Clone)]
pub struct Board {
    /// Unfilled and still ahead, soonest first.
    pub unfilled: Vec<RequestView>,
    /// Open with the search ending within [`AT_RISK_WITHIN`], soonest deadline first.
    pub at_risk: Vec<RequestView>,
    /// For each of them that fewer than two volunteers qualify for: why, and what would work.
    pub hints: HashMap<Uuid, SearchHint>,
}

pub async fn board(
    db: &impl ConnectionTrait,
    _by: &lp_core::access::Coordinator,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Board, RequestError> {
    let status = |status: RequestStatus| scoped(Scope::All).filter(request::Column::Status.eq(status.as_str()));
    let (sections, specs) = sections(
        db,
        vec![
            status(RequestStatus::Unfilled)
                .filter(request::Column::StartsAt.gt(now))
                .order_by_asc(request::Column::StartsAt)
                .limit(SECTION_ROWS),
            status(RequestStatus::Open)
                .filter(request::Column::FillBy.lt(now + AT_RISK_WITHIN))
                .order_by_asc(request::Column::FillBy)
                .limit(SECTION_ROWS),
        ],
        None,
        now,
    )
    .await?;
    let mut sections = sections.into_iter();
    let unfilled = sections.next().unwrap_or_default();
    let at_risk = sections.next().unwrap_or_default();
    // Neither section holds an assigned request, so the cached pool ranks them all.
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let mut hints = HashMap::new();
    for (id, spec) in specs {
        let spec = crate::continuity::with_history(db, spec, settings, now).await?;
        let ranking = pool.rank(&spec, now, &settings.matching, None);
        let hint = way_forward::assess(&spec, &pool.profiles, &ranking, &settings.matching, now);
        if hint.too_few() {
            hints.insert(id, hint);
        }
    }
    Ok(Board {
        unfilled,
        at_risk,
        hints,
    })
}

/// The most recently completed and cancelled requests, by appointment, latest first (the order
/// of the date the page shows): one indexed query per status for the newest changes, merged.
/// (One query over both statuses would sort every finished request of the past.)
async fn recently_finished(db: &impl ConnectionTrait, scope: Scope) -> Result<Vec<request::Model>, RequestError> {
    let mut rows = Vec::new();
    for status in [RequestStatus::Completed, RequestStatus::Cancelled] {
        let newest = scoped(scope)
            .filter(request::Column::Status.eq(status.as_str()))
            .order_by_desc(request::Column::UpdatedAt)
            .order_by_asc(request::Column::Id)
            .limit(RECENT_ROWS)
            .all(db)
            .await?;
        rows.extend(newest);
    }
    rows.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
    rows.truncate(RECENT_ROWS as usize);
    rows.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then(a.id.cmp(&b.id)));
    Ok(rows)
}

/// Runs each section's query and fills in the details of all their rows at once; `last`, a
/// section read already, comes after them. Also gives each row's matching spec.
async fn sections(
    db: &impl ConnectionTrait,
    queries: Vec<Select<request::Entity>>,
    last: Option<Vec<request::Model>>,
    now: DateTime<Utc>,
) -> Result<(Vec<Vec<RequestView>>, Vec<(Uuid, lp_matcher::RequestSpec)>), RequestError> {
    let mut fetched = Vec::with_capacity(queries.len() + 1);
    for query in queries {
        fetched.push(query.order_by_asc(request::Column::Id).all(db).await?);
    }
    fetched.extend(last);
    let mut rows = Vec::new();
    let mut lengths = Vec::with_capacity(fetched.len());
    for section in fetched {
        lengths.push(section.len());
        for row in section {
            rows.push(Request::from_row(row)?);
        }
    }
    let specs = rows.iter().map(|r| (r.id, r.spec())).collect();
    let mut views = with_details(db, rows, now).await?.into_iter();
    let views = lengths.into_iter().map(|n| views.by_ref().take(n).collect()).collect();
    Ok((views, specs))
}

async fn with_details(
    db: &impl ConnectionTrait,
    rows: Vec<Request>,
    now: DateTime<Utc>,
) -> Result<Vec<RequestView>, RequestError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut offers_by_request: HashMap<Uuid, Vec<_>> = HashMap::new();
    for offer in offers_of(db, &ids).await? {
        offers_by_request.entry(offer.request_id).or_default().push(offer);
    }
    let mut series_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.series.map(|s| s.id)).collect();
    series_ids.sort_unstable();
    series_ids.dedup();
    let series = crate::series::dates_of(db, &series_ids).await?;
    let mut people: Vec<Uuid> = rows.iter().filter_map(|r| r.assignee_id).collect();
    people.extend(offers_by_request.values().flatten().map(|o| o.volunteer_id));
    people.extend(series.values().flatten().filter_map(|r| r.assignee_id));
    people.sort_unstable();
    people.dedup();
    let volunteers = volunteers::contacts(db, &people).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let offers = offers_by_request.remove(&row.id).unwrap_or_default();
            let dates = row.series.and_then(|s| series.get(&s.id)).map(Vec::as_slice);
            build(row, offers, dates, &volunteers, now)
        })
        .collect())
}

/// Cancels an open or assigned request; outstanding offers are withdrawn and an assigned
/// volunteer is told.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: Actor,
    id: Uuid,
    rest_of_series: bool,
    now: DateTime<Utc>,
) -> Result<RequestView, RequestError> {
    let scope = actor.scope;
    let chosen = find_scoped(db, scope, id).await?;
    let txn = lp_db::begin_write(db).await?;
    if !cancel_one(&*txn, actor, id, now).await? {
        txn.rollback().await?;
        let row = find_scoped(db, scope, id).await?;
        return Err(RequestError::Conflict(format!(
            "the request is {} and cannot be cancelled",
            row.status
        )));
    }
    match chosen.series {
        // This date and every later one that can still be cancelled.
        Some(series) if rest_of_series => {
            for later in crate::series::dates(&*txn, series.id).await? {
                if later.series.is_some_and(|s| s.position > series.position) {
                    cancel_one(&*txn, actor, later.id, now).await?;
                }
            }
        }
        // The first date alone: the dates that waited for its offer are searched one by one.
        Some(_) => {
            crate::series::release(&*txn, &chosen, now).await?;
        }
        None => {}
    }
    txn.commit().await?;
    get(db, scope, id, now).await
}

/// Cancels one request if it is still open or assigned: its outstanding offers are withdrawn
/// and an assigned volunteer is told. Whether it was cancelled.
async fn cancel_one(
    txn: &impl ConnectionTrait,
    actor: Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let cancelled = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Cancelled.as_str()))
        .col_expr(request::Column::CancelledAt, Expr::value(now))
        .col_expr(request::Column::NextWaveAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(request::Column::HeldForSeries, Expr::value(false))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(id))
        .filter(request::Column::Status.is_in(CANCELLABLE.map(RequestStatus::as_str)))
        .exec(txn)
        .await?;
    if cancelled.rows_affected != 1 {
        return Ok(false);
    }
    withdraw_outstanding(txn, id).await?;
    let request = crate::request::get(txn, id).await?;
    if let Some(assignee) = request.assignee_id {
        if let Some(volunteer) = volunteers::get(txn, assignee).await? {
            mails::cancelled(txn, &request, &volunteer, now).await?;
        }
        // The assignment is gone from the volunteer's calendar.
        pool_changes::record(txn, &[assignee], now).await?;
    }
    audit(txn, actor, AuditAction::Cancel, id, now).await?;
    Ok(true)
}

/// The caseworker confirms the appointment took place, with the minutes it really took.
pub async fn complete(
    db: &DatabaseConnection,
    actor: Actor,
    id: Uuid,
    input: &CompletionInput,
    now: DateTime<Utc>,
) -> Result<RequestView, RequestError> {
    let scope = actor.scope;
    let (actual_minutes, feedback) = input.validate()?;
    let request = find_scoped(db, scope, id).await?;
    if let Some(reason) = completion_refused(request.status, request.starts_at, now) {
        return Err(RequestError::Conflict(reason));
    }
    let txn = lp_db::begin_write(db).await?;
    let completed = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Completed.as_str()))
        .col_expr(request::Column::CompletedAt, Expr::value(now))
        .col_expr(request::Column::ActualMinutes, Expr::value(actual_minutes as i32))
        .col_expr(request::Column::Feedback, Expr::value(feedback))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(id))
        .filter(request::Column::Status.eq(RequestStatus::Assigned.as_str()))
        .exec(&*txn)
        .await?;
    if completed.rows_affected != 1 {
        txn.rollback().await?;
        return Err(RequestError::Conflict(
            "the request changed meanwhile; reload it".to_owned(),
        ));
    }
    // The actual minutes change the assignment's end in the volunteer's calendar.
    if let Some(assignee) = request.assignee_id {
        pool_changes::record(&*txn, &[assignee], now).await?;
    }
    audit(&*txn, actor, AuditAction::Complete, id, now).await?;
    txn.commit().await?;
    get(db, scope, id, now).await
}

/// The candidates list for a person: it shows volunteers' names and why each was excluded
/// (absences, workload), so it goes to the audit log as a view of the request.
pub async fn view_candidates(
    db: &DatabaseConnection,
    actor: Actor,
    id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<CandidatesView, RequestError> {
    let view = candidates(db, actor.scope, id, settings, now).await?;
    let entry = AuditEntry::new(actor.who(), AuditAction::View, AuditObject::Request, id)
        .fields(["candidates"])
        .from(actor.addr);
    lp_audit::record_view(db, &entry, now).await?;
    Ok(view)
}

/// The ranking staff see: candidates with score parts, and who was excluded by which rule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CandidatesView {
    pub candidates: Vec<CandidateView>,
    pub excluded: Vec<ExclusionView>,
    /// Volunteers (not retired) who speak the language, or one of its macrolanguage, at all.
    pub speakers: usize,
    /// Volunteers who do not speak the language; not listed one by one.
    pub excluded_for_language: usize,
    /// For an open or unfilled request that fewer than two qualify for: what would work
    /// instead.
    pub suggestions: Vec<Suggestion>,
    /// Speakers who break exactly one hard rule (other than the language), by that rule: one
    /// step (a training, a signed pledge, ...) would make them candidates.
    pub one_step_away: Vec<OneStepGroup>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OneStepGroup {
    #[schema(value_type = String, example = "untrained")]
    pub rule: lp_matcher::Rule,
    pub explanation_de: &'static str,
    pub explanation_en: &'static str,
    pub volunteers: Vec<NamedVolunteer>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NamedVolunteer {
    pub volunteer_id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    #[serde(flatten)]
    pub ranked: RankedCandidate,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExclusionView {
    #[serde(flatten)]
    pub exclusion: Exclusion,
    pub name: String,
    pub explanation_de: &'static str,
    pub explanation_en: &'static str,
}

// The two views below flatten the matcher's plain structs, which know nothing of OpenAPI (the
// matcher stays free of web concerns), so their schemas are written out here. A test below
// compares them with what serde actually writes; the rule names come from `Rule::ALL`.

impl utoipa::PartialSchema for CandidateView {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let unit = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Double,
                )))
                .minimum(Some(0.0))
                .maximum(Some(1.0))
                .description(Some(description))
        };
        let parts = lp_matcher::ScorePart::ALL
            .iter()
            .map(|part| (part.as_str(), part.description_en()))
            .fold(
                ObjectBuilder::new().description(Some("Each part in [0, 1], shown next to the total.")),
                |object, (name, description)| object.property(name, unit(description)).required(name),
            );
        ObjectBuilder::new()
            .property("volunteer_id", uuid_schema())
            .required("volunteer_id")
            .property("name", ObjectBuilder::new().schema_type(Type::String))
            .required("name")
            .property(
                "score",
                unit("The weighted mean of the parts, with the weights from config."),
            )
            .required("score")
            .property("parts", parts)
            .required("parts")
            .property(
                "language_fit",
                <lp_core::LanguageFit as utoipa::PartialSchema>::schema(),
            )
            .required("language_fit")
            .into()
    }
}

impl utoipa::ToSchema for CandidateView {}

impl utoipa::PartialSchema for ExclusionView {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = || ObjectBuilder::new().schema_type(Type::String);
        ObjectBuilder::new()
            .property("volunteer_id", uuid_schema())
            .required("volunteer_id")
            .property("name", text())
            .required("name")
            .property(
                "rule",
                text()
                    .description(Some("The first hard rule the volunteer breaks, in checking order."))
                    .enum_values(Some(lp_matcher::Rule::ALL.iter().map(|rule| rule.as_str()))),
            )
            .required("rule")
            .property("explanation_de", text())
            .required("explanation_de")
            .property("explanation_en", text())
            .required("explanation_en")
            .into()
    }
}

impl utoipa::ToSchema for ExclusionView {}

fn uuid_schema() -> utoipa::openapi::schema::ObjectBuilder {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Uuid,
        )))
}

pub async fn candidates(
    db: &impl ConnectionTrait,
    scope: Scope,
    id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<CandidatesView, RequestError> {
    let request = find_scoped(db, scope, id).await?;
    let (spec, ranking, pool) = rank(db, &request, settings, now).await?;
    let profiles = pool.profiles();
    let hint = way_forward::assess(&spec, profiles, &ranking, &settings.matching, now);
    let searching = [RequestStatus::Open, RequestStatus::Unfilled].contains(&request.status);
    let suggestions = if searching { hint.suggestions } else { Vec::new() };
    let one_step = lp_matcher::alternatives::one_step_away(&spec, profiles, &settings.matching);
    let speakers = way_forward::speakers(profiles, &spec);
    candidates_view(db, ranking, &speakers, profiles.len(), suggestions, one_step).await
}

/// The profiles a request was ranked over: the process's cached pool, or for an assigned
/// request a pool loaded without its own assignment.
enum RankedOver {
    Cached(std::sync::Arc<crate::ranker::PoolSnapshot>),
    Loaded(Vec<lp_matcher::Profile>),
}

impl RankedOver {
    fn profiles(&self) -> &[lp_matcher::Profile] {
        match self {
            RankedOver::Cached(snapshot) => &snapshot.profiles,
            RankedOver::Loaded(profiles) => profiles,
        }
    }
}

/// The whole ranking of a request, with what the matcher was given and the profiles it was
/// ranked over.
async fn rank(
    db: &impl ConnectionTrait,
    request: &Request,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(lp_matcher::RequestSpec, Ranking, RankedOver), RequestError> {
    let spec = crate::continuity::spec_of(db, request, settings, now).await?;
    if request.assignee_id.is_some() {
        // An assigned request's own assignment must not exclude its assignee: ranked on
        // profiles loaded without it (rare, staff only).
        let pool = profiles(
            db,
            Which::Pool,
            settings.training_validity_months,
            now,
            Some(request.id),
        )
        .await?;
        // The recent demand is the pool's, whoever holds this request.
        let cached = settings.ranker.pool(db, settings.training_validity_months, now).await?;
        let ranking = lp_matcher::rank(&spec, &pool, now, &cached.matching(&settings.matching));
        Ok((spec, ranking, RankedOver::Loaded(pool)))
    } else {
        let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
        let ranking = pool.rank(&spec, now, &settings.matching, None);
        Ok((spec, ranking, RankedOver::Cached(pool)))
    }
}

/// Staff need the exclusions of those who speak the language at all; the rest are counted.
async fn candidates_view(
    db: &impl ConnectionTrait,
    ranking: Ranking,
    speakers: &HashSet<Uuid>,
    in_pool: usize,
    suggestions: Vec<Suggestion>,
    one_step: Vec<lp_matcher::alternatives::OneStepAway>,
) -> Result<CandidatesView, RequestError> {
    let excluded: Vec<Exclusion> = ranking
        .excluded
        .into_iter()
        .filter(|e| speakers.contains(&e.volunteer_id))
        .collect();
    let shown: Vec<Uuid> = ranking
        .candidates
        .iter()
        .map(|c| c.volunteer_id)
        .chain(excluded.iter().map(|e| e.volunteer_id))
        .collect();
    let contacts = volunteers::contacts(db, &shown).await?;
    let name = |id: &Uuid| contacts.get(id).map(|c| c.name.clone()).unwrap_or_default();
    Ok(CandidatesView {
        speakers: speakers.len(),
        excluded_for_language: in_pool - speakers.len(),
        candidates: ranking
            .candidates
            .into_iter()
            .map(|ranked| CandidateView {
                name: name(&ranked.volunteer_id),
                ranked,
            })
            .collect(),
        excluded: excluded
            .into_iter()
            .map(|exclusion| ExclusionView {
                name: name(&exclusion.volunteer_id),
                explanation_de: exclusion.rule.explain_de(),
                explanation_en: exclusion.rule.explain_en(),
                exclusion,
            })
            .collect(),
        suggestions,
        one_step_away: one_step
            .into_iter()
            .map(|group| OneStepGroup {
                rule: group.rule,
                explanation_de: group.rule.explain_de(),
                explanation_en: group.rule.explain_en(),
                volunteers: group
                    .volunteer_ids
                    .iter()
                    .map(|id| NamedVolunteer {
                        volunteer_id: *id,
                        name: name(id),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// The hint for an open or unfilled request that fewer than two volunteers qualify for: why,
/// and what would work instead.
pub async fn search_hint(
    db: &impl ConnectionTrait,
    scope: Scope,
    id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Option<SearchHint>, RequestError> {
    let request = find_scoped(db, scope, id).await?;
    if ![RequestStatus::Open, RequestStatus::Unfilled].contains(&request.status) {
        return Ok(None);
    }
    let (spec, ranking, pool) = rank(db, &request, settings, now).await?;
    let hint = way_forward::assess(&spec, pool.profiles(), &ranking, &settings.matching, now);
    Ok(hint.too_few().then_some(hint))
}

/// How a request would fare if it were filed now: shown live while a caseworker fills in the
/// form, and asked again before a request nobody qualifies for is filed.
pub async fn preview(
    db: &impl ConnectionTrait,
    input: &RequestInput,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<SearchHint, RequestError> {
    let valid = input.validate(now)?;
    let spec = lp_matcher::RequestSpec {
        language: valid.language,
        dialect: valid.dialect,
        starts_at: valid.starts_at,
        duration_minutes: valid.duration_minutes,
        mode: valid.mode,
        town: valid.town,
        setting: valid.setting,
        gender_preference: valid.gender_preference.map(|g| lp_matcher::GenderPreference {
            gender: g.gender,
            strength: g.strength,
        }),
        client_ref: valid.client_ref,
        client_served_by: Vec::new(),
    };
    let spec = crate::continuity::with_history(db, spec, settings, now).await?;
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let ranking = pool.rank(&spec, now, &settings.matching, None);
    Ok(way_forward::assess(
        &spec,
        &pool.profiles,
        &ranking,
        &settings.matching,
        now,
    ))
}

#[cfg(test)]
mod board_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use lp_matcher::{Rule, ScoreParts};
    use serde_json::Value;
    use utoipa::PartialSchema;

    /// Fails when a field is written that the schema does not list, or the other way round.
    fn assert_same_fields(schema: &Value, value: &Value, at: &str) {
        let (Some(properties), Some(object)) = (schema["properties"].as_object(), value.as_object()) else {
            return;
        };
        let mut documented: Vec<&String> = properties.keys().collect();
        let mut written: Vec<&String> = object.keys().collect();
        documented.sort();
        written.sort();
        assert_eq!(documented, written, "fields of {at}");
        for (name, field) in object {
            assert_same_fields(&properties[name], field, &format!("{at}.{name}"));
        }
    }

    fn json<T: serde::Serialize>(value: &T) -> Value {
        serde_json::to_value(value).unwrap()
    }

    #[test]
    fn candidate_schema_lists_what_is_written() {
        let candidate = CandidateView {
            ranked: RankedCandidate {
                volunteer_id: Uuid::nil(),
                score: 0.8,
                parts: ScoreParts {
                    language: 1.0,
                    continuity: 0.0,
                    fairness: 0.5,
                    reliability: 1.0,
                    gender: 0.0,
                    experience: 0.2,
                    scarcity: 1.0,
                },
                language_fit: lp_core::LanguageFit::Exact,
            },
            name: "Selam T.".to_owned(),
        };
        assert_same_fields(&json(&CandidateView::schema()), &json(&candidate), "candidate");
    }

    #[test]
    fn exclusion_schema_lists_what_is_written_and_every_rule() {
        let schema = json(&ExclusionView::schema());
        for rule in Rule::ALL {
            let exclusion = ExclusionView {
                exclusion: Exclusion {
                    volunteer_id: Uuid::nil(),
                    rule: *rule,
                },
                name: "Selam T.".to_owned(),
                explanation_de: rule.explain_de(),
                explanation_en: rule.explain_en(),
            };
            let written = json(&exclusion);
            assert_same_fields(&schema, &written, "exclusion");
            let allowed = schema["properties"]["rule"]["enum"].as_array().unwrap();
            assert!(allowed.contains(&written["rule"]), "{rule} missing from the schema");
        }
    }
}
