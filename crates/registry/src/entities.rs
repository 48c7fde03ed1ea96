//! Table rows of the registry. Private: other crates see the domain types only.

pub mod organisation {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organisations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod staff_user {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "staff_users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub email: String,
        pub name: String,
        pub role: String,
        pub organisation_id: Option<Uuid>,
        pub password_hash: Option<String>,
        pub api_token_hash: Option<String>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod volunteer {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "volunteers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub email: String,
        pub phone: Option<String>,
        pub german_level: String,
        #[sea_orm(column_type = "Text")]
        pub modes: String,
        #[sea_orm(column_type = "Text")]
        pub service_area: String,
        #[sea_orm(column_type = "Text")]
        pub excluded_settings: String,
        pub gender: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub availability: String,
        #[sea_orm(column_type = "Text")]
        pub absences: String,
        pub max_assignments_per_month: Option<i32>,
        pub confidentiality_signed_on: Option<Date>,
        pub training_completed_on: Option<Date>,
        pub training_attended_on: Option<Date>,
        /// Set when the volunteer's personal data was erased; the row stays for the figures.
        pub erased_at: Option<DateTimeUtc>,
        /// When a mail server refused the address for good; cleared when it is changed.
        pub email_bounced_at: Option<DateTimeUtc>,
        pub status: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub notes: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod volunteer_language {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "volunteer_languages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub volunteer_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub proficiency: String,
        pub dialect: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod staff_session {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "staff_sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id_hash: String,
        pub staff_user_id: Uuid,
        pub created_at: DateTimeUtc,
        pub last_seen_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod password_link {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "password_links")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        pub staff_user_id: Uuid,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod availability_link {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "availability_links")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub volunteer_id: Uuid,
        pub reason: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod calendar_feed {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_feeds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub volunteer_id: Uuid,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

impl lp_db::secret_link::LinkTable for password_link::Entity {
    fn token_hash() -> password_link::Column {
        password_link::Column::TokenHash
    }

    fn expires_at() -> password_link::Column {
        password_link::Column::ExpiresAt
    }
}

impl lp_db::secret_link::LinkTable for availability_link::Entity {
    fn token_hash() -> availability_link::Column {
        availability_link::Column::TokenHash
    }

    fn expires_at() -> availability_link::Column {
        availability_link::Column::ExpiresAt
    }
}

/// Links spent by setting `used_at`.
pub(crate) fn spend_once<T: lp_db::secret_link::LinkTable>(
    used_at: T::Column,
    now: chrono::DateTime<chrono::Utc>,
) -> (sea_orm::Condition, [(T::Column, sea_orm::sea_query::SimpleExpr); 1]) {
    use sea_orm::ColumnTrait;
    (
        sea_orm::Condition::all().add(used_at.is_null()),
        [(used_at, sea_orm::sea_query::Expr::value(Some(now)))],
    )
}
