//! Table rows of trainings and invitations. Private: other crates see the domain types only.

pub mod training {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trainings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub title: String,
        pub kind: String,
        pub starts_at: DateTimeUtc,
        pub duration_minutes: i32,
        pub location: String,
        pub capacity: i32,
        pub seats_taken: i32,
        pub registration_deadline: DateTimeUtc,
        #[sea_orm(column_type = "Text", nullable)]
        pub description: Option<String>,
        pub trainer: Option<String>,
        pub status: String,
        pub reminder_due_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invitation {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_invitations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub training_id: Uuid,
        pub volunteer_id: Uuid,
        pub token_hash: String,
        /// What the link's token is derived from with the server key (`lp_core::link`); none
        /// on rows from before, whose tokens were random.
        pub link_nonce: Option<String>,
        pub state: String,
        pub waiting_since: Option<DateTimeUtc>,
        pub attended: bool,
        pub invited_at: DateTimeUtc,
        pub responded_at: Option<DateTimeUtc>,
        pub expires_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod expiry_notice {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_expiry_notices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub volunteer_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub valid_until: Date,
        pub sent_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

impl lp_db::secret_link::LinkTable for invitation::Entity {
    fn token_hash() -> invitation::Column {
        invitation::Column::TokenHash
    }

    fn expires_at() -> invitation::Column {
        invitation::Column::ExpiresAt
    }
}
