//! Table rows of requests and offers. Private: other crates see the domain types only.

pub mod request {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "interpreting_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub organisation_id: Uuid,
        pub caseworker_id: Uuid,
        pub language: String,
        pub dialect: Option<String>,
        pub starts_at: DateTimeUtc,
        pub duration_minutes: i32,
        pub mode: String,
        pub town: Option<String>,
        pub address: Option<String>,
        pub setting: String,
        pub gender_preference: Option<String>,
        pub gender_strength: Option<String>,
        pub client_ref: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub notes: Option<String>,
        pub fill_by: DateTimeUtc,
        pub status: String,
        pub assignee_id: Option<Uuid>,
        pub assigned_at: Option<DateTimeUtc>,
        pub completed_at: Option<DateTimeUtc>,
        pub actual_minutes: Option<i32>,
        #[sea_orm(column_type = "Text", nullable)]
        pub feedback: Option<String>,
        pub cancelled_at: Option<DateTimeUtc>,
        /// When the search sends its next wave, while the request is open.
        pub next_wave_at: Option<DateTimeUtc>,
        /// When the day-before reminder went to the assigned volunteer.
        pub reminded_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Set when the retention job removed the client reference, notes and address.
        pub details_removed_at: Option<DateTimeUtc>,
        /// The client reference as a keyed hash, for continuity after the reference is gone.
        pub client_key: Option<String>,
        /// When the retention job removes `client_key`.
        pub client_key_until: Option<DateTimeUtc>,
        /// A video appointment's meeting link, made when someone accepted it.
        pub video_url: Option<String>,
        /// The series this date belongs to: the first date's id.
        pub series_id: Option<Uuid>,
        /// From 1, the first date.
        pub series_position: Option<i32>,
        /// A later date of a series waiting while the series' offer (the first date's) is out.
        pub held_for_series: bool,
        /// While acceptances are collected (`matching.accept_window_minutes`): when the
        /// window closes and the best-ranked of them gets the job.
        pub window_closes_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod offer {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "offers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub request_id: Uuid,
        pub volunteer_id: Uuid,
        pub state: String,
        pub token_hash: String,
        /// What the link's token is derived from with the server key (`lp_core::link`); none
        /// on rows from before, whose tokens were random.
        pub link_nonce: Option<String>,
        pub wave: i32,
        pub sent_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub responded_at: Option<DateTimeUtc>,
        /// Set when the volunteer took back an acceptance.
        pub withdrew_at: Option<DateTimeUtc>,
        /// The volunteer accepted inside an acceptance window; the offer stays `sent` until
        /// the window closes.
        pub window_accepted_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

impl lp_db::secret_link::LinkTable for offer::Entity {
    fn token_hash() -> offer::Column {
        offer::Column::TokenHash
    }

    fn expires_at() -> offer::Column {
        offer::Column::ExpiresAt
    }
}
