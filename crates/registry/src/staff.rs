//! Staff users: coordinators and caseworkers. Each gets an API token (stored as a hash) and a
//! password (argon2id hash), given or generated once and mailed.

use crate::RegistryError;
use crate::entities::{organisation, staff_user};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use lp_core::secret::{hash_token, new_token};
use lp_core::validation::{FieldError, check_email, check_text};
use lp_core::vocab::Role;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StaffUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffUserInput {
    #[schema(format = Email, example = "cw@example.org")]
    pub email: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub role: Role,
    /// Required for a caseworker; a coordinator belongs to none.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// Optional: without one the user can work with the API token only, until a password is
    /// set.
    #[serde(default)]
    #[schema(write_only)]
    pub password: Option<String>,
}

impl std::fmt::Debug for StaffUserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffUserInput")
            .field("email", &self.email)
            .field("role", &self.role)
            .field("organisation_id", &self.organisation_id)
            .finish_non_exhaustive()
    }
}

/// A new user's secrets, shown once and never again.
pub struct CreatedStaffUser {
    pub user: StaffUser,
    pub api_token: String,
    /// Set when a password was generated: to be shown to the operator once.
    pub one_time_password: Option<String>,
}

impl std::fmt::Debug for CreatedStaffUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedStaffUser")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// Whether a chosen password is shorter than [`MIN_PASSWORD_CHARS`] characters.
pub fn password_too_short(password: &str) -> bool {
    password.chars().count() < MIN_PASSWORD_CHARS
}

/// OWASP's argon2id parameters: 19 MiB, two passes, one lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// CPU-heavy (tens of milliseconds): call it off the async runtime.
pub fn hash_password(plain: &str) -> String {
    let salt = SaltString::encode_b64(&lp_core::secret::random_bytes::<16>()).expect("16 bytes make a valid salt");
    argon2()
        .hash_password(plain.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail on valid parameters")
        .to_string()
}

/// CPU-heavy like [`hash_password`].
pub fn verify_password(plain: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|parsed| argon2().verify_password(plain.as_bytes(), &parsed).is_ok())
}

/// Checked input with the password already hashed, ready for [`insert`]. Preparing is
/// separate so the expensive hashing happens before any transaction begins.
pub struct PreparedStaffUser {
    email: String,
    name: String,
    role: Role,
    organisation_id: Option<Uuid>,
    password_hash: Option<String>,
    one_time_password: Option<String>,
}

/// Checks the fields and hashes the password on a blocking thread. Without a password in the
/// input, `generate_password` makes a one-time password (the CLI prints it); otherwise the
/// user has none yet.
pub async fn prepare(input: &StaffUserInput, generate_password: bool) -> Result<PreparedStaffUser, RegistryError> {
    let email = check_email("email", &input.email)?;
    let name = check_text("name", &input.name, 200)?;
    if input.role == Role::Caseworker && input.organisation_id.is_none() {
        return Err(FieldError::new("organisation_id", "a caseworker must belong to an organisation").into());
    }
    let (password, one_time_password) = match &input.password {
        Some(given) if password_too_short(given) => {
            return Err(FieldError::new(
                "password",
                format!("must have at least {MIN_PASSWORD_CHARS} characters"),
            )
            .into());
        }
        Some(given) => (Some(given.clone()), None),
        None if generate_password => {
            let generated = new_token().plain[..16].to_owned();
            (Some(generated.clone()), Some(generated))
        }
        None => (None, None),
    };
    let password_hash = match password {
        Some(password) => Some(
            tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .expect("password hashing does not panic"),
        ),
        None => None,
    };
    Ok(PreparedStaffUser {
        email,
        name,
        role: input.role,
        organisation_id: input.organisation_id,
        password_hash,
        one_time_password,
    })
}

/// Stores a prepared user with a fresh API token.
pub async fn insert(
    db: &impl ConnectionTrait,
    prepared: PreparedStaffUser,
    now: DateTime<Utc>,
) -> Result<CreatedStaffUser, RegistryError> {
    if let Some(org) = prepared.organisation_id
        && organisation::Entity::find_by_id(org).one(db).await?.is_none()
    {
        return Err(FieldError::new("organisation_id", "no organisation has this id").into());
    }
    let taken = || RegistryError::Conflict(format!("a staff user with email `{}` exists already", prepared.email));
    if staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(&prepared.email))
        .one(db)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let api_token = new_token();
    let row = staff_user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(prepared.email.clone()),
        name: Set(prepared.name.clone()),
        role: Set(prepared.role.as_str().to_owned()),
        organisation_id: Set(prepared.organisation_id),
        password_hash: Set(prepared.password_hash.clone()),
        api_token_hash: Set(Some(api_token.hash.clone())),
        created_at: Set(now),
    };
    let row = match staff_user::Entity::insert(row).exec_with_returning(db).await {
        Ok(row) => row,
        Err(err) if lp_db::is_unique_violation(&err) => return Err(taken()),
        Err(err) => return Err(err.into()),
    };
    Ok(CreatedStaffUser {
        user: to_domain(row)?,
        api_token: api_token.plain,
        one_time_password: prepared.one_time_password,
    })
}

/// Gives a user an API token chosen by the caller, replacing the old one at once. The demo
/// derives its users' tokens from the server key, so it can print them again on every run;
/// whether the user exists is the answer.
pub async fn set_api_token(db: &impl ConnectionTrait, id: Uuid, plain_token: &str) -> Result<bool, RegistryError> {
    let updated = staff_user::Entity::update_many()
        .col_expr(
            staff_user::Column::ApiTokenHash,
            sea_orm::sea_query::Expr::value(hash_token(plain_token)),
        )
        .filter(staff_user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn by_api_token(db: &impl ConnectionTrait, plain_token: &str) -> Result<Option<StaffUser>, RegistryError> {
    let row = staff_user::Entity::find()
        .filter(staff_user::Column::ApiTokenHash.eq(hash_token(plain_token)))
        .one(db)
        .await?;
    row.map(to_domain).transpose()
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<StaffUser>, RegistryError> {
    staff_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_domain)
        .transpose()
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<StaffUser>, RegistryError> {
    let rows = staff_user::Entity::find()
        .order_by_asc(staff_user::Column::Email)
        .all(db)
        .await?;
    rows.into_iter().map(to_domain).collect()
}

/// Coordinators to tell when a request goes unfilled.
pub async fn coordinators(db: &impl ConnectionTrait) -> Result<Vec<StaffUser>, RegistryError> {
    let rows = staff_user::Entity::find()
        .filter(staff_user::Column::Role.eq(Role::Coordinator.as_str()))
        .order_by_asc(staff_user::Column::Email)
        .all(db)
        .await?;
    rows.into_iter().map(to_domain).collect()
}

fn to_domain(row: staff_user::Model) -> Result<StaffUser, RegistryError> {
    let role = row
        .role
        .parse()
        .map_err(|e| sea_orm::DbErr::Custom(format!("staff_users.role: {e}")))?;
    Ok(StaffUser {
        id: row.id,
        email: row.email,
        name: row.name,
        role,
        organisation_id: row.organisation_id,
        created_at: row.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }
}
