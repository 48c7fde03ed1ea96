//! New staff accounts. Without a password in the input, the new user gets an email with a
//! single-use link to choose one; the account, the link and the email commit together.

use crate::AppState;
use crate::error::ApiError;
use lp_core::vocab::Role;
use lp_notify::templates::StaffWelcomeMail;
use lp_registry::password_links;
use lp_registry::staff::{self, CreatedStaffUser, StaffUserInput};

pub async fn create_staff_user(state: &AppState, input: &StaffUserInput) -> Result<CreatedStaffUser, ApiError> {
    let prepared = staff::prepare(input, false).await?;
    let now = state.clock.now();
    let txn = lp_db::begin_write(&state.db).await?;
    let created = staff::insert(&*txn, prepared, now).await?;
    if input.password.is_none() {
        let token = password_links::create(&*txn, created.user.id, now).await?;
        let base = &state.requests.public_base_url;
        let (role_de, role_en) = match created.user.role {
            Role::Coordinator => ("Koordination", "coordinator"),
            Role::Caseworker => ("Fallbearbeitung", "caseworker"),
        };
        let valid_until = (now + password_links::VALIDITY).with_timezone(&lp_core::time::POOL_TZ);
        let mail = StaffWelcomeMail {
            to: created.user.email.clone(),
            name: created.user.name.clone(),
            role_de: role_de.to_owned(),
            role_en: role_en.to_owned(),
            login_url: format!("{base}/login"),
            set_password_url: format!("{base}/password/{token}"),
            valid_until: valid_until.format("%d.%m.%Y %H:%M").to_string(),
        };
        lp_notify::enqueue(&*txn, &mail.email(), now)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(created)
}
