//! The audit log: stored in the transaction of the change it records (so a change and its
//! entry commit or vanish together), read by coordinators only, never changed (a trigger on
//! the table refuses updates), and removed only when past its retention period.

use chrono::{DateTime, NaiveDate, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{ActorKind, AuditAction, AuditEntry, AuditObject, Who};
use lp_core::validation::FieldError;
use sea_orm::DatabaseConnection;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod entity {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub at: DateTimeUtc,
        pub actor_kind: String,
        pub actor_id: Option<Uuid>,
        pub action: String,
        pub object_kind: String,
        pub object_id: Option<Uuid>,
        #[sea_orm(column_type = "Text", nullable)]
        pub fields: Option<String>,
        pub client_addr: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Stores one entry; call it with the transaction of the change it records.
pub async fn record(txn: &impl ConnectionTrait, entry: &AuditEntry, now: DateTime<Utc>) -> Result<(), DbErr> {
    record_all(txn, std::slice::from_ref(entry), now).await
}

/// Stores several entries at once (e.g. one per invited volunteer).
pub async fn record_all(txn: &impl ConnectionTrait, entries: &[AuditEntry], now: DateTime<Utc>) -> Result<(), DbErr> {
    for chunk in entries.chunks(200) {
        let rows = chunk.iter().map(|entry| entity::ActiveModel {
            // Time-ordered, so entries of one instant list in the order they were made.
            id: Set(Uuid::now_v7()),
            at: Set(now),
            actor_kind: Set(entry.who.kind().as_str().to_owned()),
            actor_id: Set(entry.who.id()),
            action: Set(entry.action.as_str().to_owned()),
            object_kind: Set(entry.object.as_str().to_owned()),
            object_id: Set(entry.object_id),
            fields: Set((!entry.fields.is_empty()).then(|| entry.fields.join(","))),
            client_addr: Set(entry.addr.map(|a| a.to_string())),
        });
        entity::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Within this long, a person's second view of the same thing is not recorded again: the log
/// still tells who saw what and when (to the quarter hour), and a page reloaded or an
/// integration polling a request does not turn every read into a write.
pub const VIEW_WINDOW_MINUTES: i64 = 15;

/// Records a read of personal data, unless the same person's view of the same thing is
/// already recorded within [`VIEW_WINDOW_MINUTES`]. Reads have no transaction of their own,
/// so the entry gets one; two simultaneous first views may both be recorded, which is harmless.
pub async fn record_view(db: &DatabaseConnection, entry: &AuditEntry, now: DateTime<Utc>) -> Result<(), DbErr> {
    let fields = (!entry.fields.is_empty()).then(|| entry.fields.join(","));
    let key = (entry.who, entry.action, entry.object_id, fields.clone());
    if recently_recorded(&key, now) {
        return Ok(());
    }
    let recent = entity::Entity::find()
        .select_only()
        .column(entity::Column::Id)
        .filter(entity::Column::ObjectId.eq(entry.object_id))
        .filter(entity::Column::At.gt(now - chrono::Duration::minutes(VIEW_WINDOW_MINUTES)))
        .filter(entity::Column::ActorKind.eq(entry.who.kind().as_str()))
        .filter(entity::Column::ActorId.eq(entry.who.id()))
        .filter(entity::Column::Action.eq(entry.action.as_str()))
        .filter(match &fields {
            Some(fields) => entity::Column::Fields.eq(fields.as_str()),
            None => entity::Column::Fields.is_null(),
        })
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if recent.is_some() {
        return Ok(());
    }
    let txn = lp_db::begin_write(db).await?;
    record(&*txn, entry, now).await?;
    txn.commit().await?;
    remember(key, now);
    Ok(())
}

type ViewKey = (Who, AuditAction, Option<Uuid>, Option<String>);

/// Views this process recorded (or found recorded) lately, so a repeated read skips even the
/// database look-up. Only a shortcut: another instance's views are found in the table.
static RECENT_VIEWS: std::sync::Mutex<Option<std::collections::HashMap<ViewKey, DateTime<Utc>>>> =
    std::sync::Mutex::new(None);

/// Past this many remembered views the memory starts afresh; the table still answers.
const REMEMBERED_VIEWS: usize = 10_000;

fn within_window(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    since <= now && now - since < chrono::Duration::minutes(VIEW_WINDOW_MINUTES)
}

fn recently_recorded(key: &ViewKey, now: DateTime<Utc>) -> bool {
    let views = RECENT_VIEWS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    views
        .as_ref()
        .and_then(|views| views.get(key))
        .is_some_and(|since| within_window(*since, now))
}

fn remember(key: ViewKey, now: DateTime<Utc>) {
    let mut views = RECENT_VIEWS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let views = views.get_or_insert_with(Default::default);
    if views.len() >= REMEMBERED_VIEWS {
        views.clear();
    }
    views.insert(key, now);
}

/// Which entries to show; all given parts must hold.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// The acting staff user's or volunteer's id.
    pub actor: Option<Uuid>,
    /// The id of the object acted on.
    pub object: Option<Uuid>,
    #[param(inline)]
    pub object_kind: Option<AuditObject>,
    #[param(inline)]
    pub action: Option<AuditAction>,
    /// First day, `YYYY-MM-DD` in the pool's time zone.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// At most this many, newest first; 200 when left out.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// One stored entry as the API and the page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    #[schema(inline)]
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    #[schema(inline)]
    pub action: AuditAction,
    #[schema(inline)]
    pub object_kind: AuditObject,
    pub object_id: Option<Uuid>,
    /// The fields a change touched (names only).
    pub fields: Vec<String>,
    pub client_addr: Option<String>,
}

impl AuditRecord {
    pub fn who(&self) -> Option<Who> {
        Who::from_parts(self.actor_kind, self.actor_id)
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    lp_core::time::local_to_utc(day, chrono::NaiveTime::MIN)
}

/// The entries a filter selects, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    _by: &Coordinator,
    filter: &AuditFilter,
) -> Result<Vec<AuditRecord>, AuditError> {
    let limit = filter.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(FieldError::new("limit", "must be between 1 and 1000").into());
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(FieldError::new("to", "must not be before `from`").into());
    }
    let mut query = entity::Entity::find();
    if let Some(actor) = filter.actor {
        query = query.filter(entity::Column::ActorId.eq(actor));
    }
    if let Some(object) = filter.object {
        query = query.filter(entity::Column::ObjectId.eq(object));
    }
    if let Some(kind) = filter.object_kind {
        query = query.filter(entity::Column::ObjectKind.eq(kind.as_str()));
    }
    if let Some(action) = filter.action {
        query = query.filter(entity::Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(entity::Column::At.gte(start_of(from)));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        query = query.filter(entity::Column::At.lt(start_of(to)));
    }
    let rows = query
        .order_by_desc(entity::Column::At)
        .order_by_desc(entity::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(to_record).collect())
}

/// Every entry about a person or by them, oldest first: for their access request (Art. 15).
pub async fn about(db: &impl ConnectionTrait, _by: &Coordinator, id: Uuid) -> Result<Vec<AuditRecord>, DbErr> {
    let rows = entity::Entity::find()
        .filter(
            Condition::any()
                .add(entity::Column::ObjectId.eq(id))
                .add(entity::Column::ActorId.eq(id)),
        )
        .order_by_asc(entity::Column::At)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(to_record).collect())
}

/// Removes the entries recorded before `cutoff` (their retention period is over).
pub async fn purge_before(txn: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = entity::Entity::delete_many()
        .filter(entity::Column::At.lt(cutoff))
        .exec(txn)
        .await?;
    Ok(deleted.rows_affected)
}

/// A row whose stored names no longer parse (written by a newer version) is left out rather
/// than failing the whole page.
fn to_record(row: entity::Model) -> Option<AuditRecord> {
    Some(AuditRecord {
        id: row.id,
        at: row.at,
        actor_kind: row.actor_kind.parse().ok()?,
        actor_id: row.actor_id,
        action: row.action.parse().ok()?,
        object_kind: row.object_kind.parse().ok()?,
        object_id: row.object_id,
        fields: row
            .fields
            .map(|f| f.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        client_addr: row.client_addr,
    })
}
