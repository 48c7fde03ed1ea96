//! Organisations that caseworkers belong to: a town's integration management, Caritas, a school.

use crate::RegistryError;
use crate::entities::organisation;
use chrono::{DateTime, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject};
use lp_core::validation::check_text;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// Unique; up to 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Stadt Winnenden – Integrationsmanagement"
    )]
    pub name: String,
}

impl From<organisation::Model> for Organisation {
    fn from(row: organisation::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
        }
    }
}

pub async fn create(
    db: &sea_orm::DatabaseConnection,
    by: &lp_core::access::Coordinator,
    input: &OrganisationInput,
    now: DateTime<Utc>,
) -> Result<Organisation, RegistryError> {
    let name = check_text("name", &input.name, 200)?;
    let id = Uuid::new_v4();
    let row = organisation::ActiveModel {
        id: Set(id),
        name: Set(name.clone()),
        created_at: Set(now),
    };
    let txn = lp_db::begin_write(db).await?;
    match organisation::Entity::insert(row).exec_with_returning(&*txn).await {
        Ok(row) => {
            let entry = AuditEntry::new(by.who(), AuditAction::Create, AuditObject::Organisation, id).from(by.addr());
            lp_audit::record(&*txn, &entry, now).await?;
            txn.commit().await?;
            Ok(row.into())
        }
        Err(err) if lp_db::is_unique_violation(&err) => Err(RegistryError::Conflict(format!(
            "an organisation named `{name}` exists already"
        ))),
        Err(err) => Err(err.into()),
    }
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Organisation>, RegistryError> {
    let rows = organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Organisation>, RegistryError> {
    Ok(organisation::Entity::find_by_id(id).one(db).await?.map(Into::into))
}
