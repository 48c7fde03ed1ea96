//! Inviting staff: a coordinator creates an account; without a password in the input, the new
//! user gets an email with a single-use link to choose one. The account, the link and the
//! email commit together.

use crate::RegistryError;
use crate::password_links;
use crate::staff::{self, CreatedStaffUser, StaffUserInput};
use chrono::{DateTime, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditEntry, AuditObject};
use lp_core::secret::ServerKey;
use lp_notify::templates::StaffWelcomeMail;
use sea_orm::DatabaseConnection;

pub async fn invite(
    db: &DatabaseConnection,
    by: &Coordinator,
    input: &StaffUserInput,
    key: &ServerKey,
    public_base_url: &str,
    now: DateTime<Utc>,
) -> Result<CreatedStaffUser, RegistryError> {
    let prepared = staff::prepare(input, false).await?;
    let txn = lp_db::begin_write(db).await?;
    let created = staff::insert(&*txn, prepared, now).await?;
    if input.password.is_none() {
        let link = password_links::create(&*txn, key, created.user.id, now).await?;
        let base = public_base_url.trim_end_matches('/');
        let valid_until = (now + password_links::VALIDITY).with_timezone(&lp_core::time::POOL_TZ);
        let mail = StaffWelcomeMail {
            to: created.user.email.clone(),
            name: created.user.name.clone(),
            role_de: created.user.role.name_de().to_owned(),
            role_en: created.user.role.name_en().to_owned(),
            login_url: format!("{base}/login"),
            set_password_url: link.placeholder(),
            valid_until: valid_until.format("%d.%m.%Y %H:%M").to_string(),
        };
        lp_notify::enqueue(&*txn, &mail.email(), now)
            .await
            .map_err(crate::availability_links::notify_error)?;
    }
    let entry = AuditEntry::new(by.who(), AuditAction::Create, AuditObject::User, created.user.id).from(by.addr());
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(created)
}
