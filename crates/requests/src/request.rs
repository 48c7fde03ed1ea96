//! A stored request and its offers as typed values, built once from their rows: what the
//! matcher, the mails, the views and the state rules receive, instead of each re-reading text
//! columns.

use crate::entities::{offer, request};
use chrono::{DateTime, Duration, Utc};
use lp_core::LanguageCode;
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use lp_matcher::cascade::EarlierOffer;
use lp_matcher::{GenderPreference, RequestSpec};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// An interpreting request as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub caseworker_id: Uuid,
    pub language: LanguageCode,
    pub dialect: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode: Mode,
    pub town: Option<String>,
    pub address: Option<String>,
    pub setting: Setting,
    pub gender_preference: Option<GenderPreference>,
    pub client_ref: Option<String>,
    pub notes: Option<String>,
    pub fill_by: DateTime<Utc>,
    pub status: RequestStatus,
    pub assignee_id: Option<Uuid>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub actual_minutes: Option<u32>,
    pub feedback: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub details_removed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub video_url: Option<String>,
    pub series: Option<SeriesPlace>,
    /// While an acceptance window is open: when it closes.
    pub window_closes_at: Option<DateTime<Utc>>,
}

/// Where a request stands in its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SeriesPlace {
    /// The first date's id.
    pub id: Uuid,
    /// From 1.
    pub position: u32,
    /// Waiting while the series' offer is out.
    pub held: bool,
}

impl Request {
    pub fn from_row(row: request::Model) -> Result<Self, DbErr> {
        let gender_preference = match (&row.gender_preference, &row.gender_strength) {
            (Some(gender), Some(strength)) => Some(GenderPreference {
                gender: parse(gender, "interpreting_requests.gender_preference")?,
                strength: parse(strength, "interpreting_requests.gender_strength")?,
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id,
            organisation_id: row.organisation_id,
            caseworker_id: row.caseworker_id,
            language: LanguageCode::parse(&row.language)
                .map_err(|e| DbErr::Custom(format!("interpreting_requests.language: {e}")))?,
            dialect: row.dialect,
            starts_at: row.starts_at,
            duration_minutes: unsigned(row.duration_minutes, "interpreting_requests.duration_minutes")?,
            mode: parse(&row.mode, "interpreting_requests.mode")?,
            town: row.town,
            address: row.address,
            setting: parse(&row.setting, "interpreting_requests.setting")?,
            gender_preference,
            client_ref: row.client_ref,
            notes: row.notes,
            fill_by: row.fill_by,
            status: parse(&row.status, "interpreting_requests.status")?,
            assignee_id: row.assignee_id,
            assigned_at: row.assigned_at,
            completed_at: row.completed_at,
            actual_minutes: row
                .actual_minutes
                .map(|m| unsigned(m, "interpreting_requests.actual_minutes"))
                .transpose()?,
            feedback: row.feedback,
            cancelled_at: row.cancelled_at,
            reminded_at: row.reminded_at,
            details_removed_at: row.details_removed_at,
            created_at: row.created_at,
            video_url: row.video_url,
            window_closes_at: row.window_closes_at,
            series: match (row.series_id, row.series_position) {
                (Some(id), Some(position)) => Some(SeriesPlace {
                    id,
                    position: unsigned(position, "interpreting_requests.series_position")?,
                    held: row.held_for_series,
                }),
                _ => None,
            },
        })
    }

    /// What the matcher needs of it.
    pub fn spec(&self) -> RequestSpec {
        RequestSpec {
            language: self.language,
            dialect: self.dialect.clone(),
            starts_at: self.starts_at,
            duration_minutes: self.duration_minutes,
            mode: self.mode,
            town: self.town.clone(),
            setting: self.setting,
            gender_preference: self.gender_preference,
            client_ref: self.client_ref.clone(),
            // Looked up by `continuity::spec_of` where the ranking needs it.
            client_served_by: Vec::new(),
        }
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// One volunteer's offer for one request, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Offer {
    pub id: Uuid,
    pub request_id: Uuid,
    pub volunteer_id: Uuid,
    /// As written; [`crate::rules::effective_state`] tells what it is worth now.
    pub state: OfferState,
    pub wave: u32,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    /// Set when the volunteer took back an acceptance.
    pub withdrew_at: Option<DateTime<Utc>>,
    /// What its link is derived from; see [`Offer::link`].
    pub link_nonce: Option<String>,
    /// Accepted inside an acceptance window, waiting for its close.
    pub window_accepted_at: Option<DateTime<Utc>>,
}

impl Offer {
    /// What its link is derived from, to write the same link into a later mail; none for an
    /// offer from before links were derived.
    pub fn link(&self) -> Option<LinkSeed> {
        let nonce = self.link_nonce.as_deref()?;
        Some(LinkSeed::stored(LinkKind::Offer, self.id, nonce))
    }

    pub fn from_row(row: offer::Model) -> Result<Self, DbErr> {
        Ok(Self {
            id: row.id,
            request_id: row.request_id,
            volunteer_id: row.volunteer_id,
            state: parse(&row.state, "offers.state")?,
            wave: unsigned(row.wave, "offers.wave")?,
            sent_at: row.sent_at,
            expires_at: row.expires_at,
            responded_at: row.responded_at,
            withdrew_at: row.withdrew_at,
            link_nonce: row.link_nonce,
            window_accepted_at: row.window_accepted_at,
        })
    }

    /// What the cascade policy needs of it.
    pub fn earlier(&self) -> EarlierOffer {
        EarlierOffer {
            volunteer_id: self.volunteer_id,
            state: self.state,
            gave_back: self.withdrew_at.is_some(),
            expires_at: self.expires_at,
        }
    }
}

/// Rows of one kind as typed values.
pub(crate) fn offers(rows: Vec<offer::Model>) -> Result<Vec<Offer>, DbErr> {
    rows.into_iter().map(Offer::from_row).collect()
}

/// A request by id, whoever asks (callers have checked the scope or hold a link to it).
pub(crate) async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Request, crate::RequestError> {
    let row = request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(crate::RequestError::NotFound)?;
    Ok(Request::from_row(row)?)
}

/// The offers of several requests at once, in the order they were sent.
pub(crate) async fn offers_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Offer>, DbErr> {
    let mut all = Vec::new();
    for chunk in ids.chunks(500) {
        let rows = offer::Entity::find()
            .filter(offer::Column::RequestId.is_in(chunk.iter().copied()))
            .order_by_asc(offer::Column::SentAt)
            .order_by_asc(offer::Column::Id)
            .all(db)
            .await?;
        all.extend(offers(rows)?);
    }
    Ok(all)
}

pub(crate) fn parse<T: std::str::FromStr>(text: &str, column: &str) -> Result<T, DbErr>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| DbErr::Custom(format!("{column}: {e}")))
}

fn unsigned(value: i32, column: &str) -> Result<u32, DbErr> {
    u32::try_from(value).map_err(|_| DbErr::Custom(format!("{column}: {value} is negative")))
}
