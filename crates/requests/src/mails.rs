//! The emails a request's life causes, filled from the typed request. Each is written to the
//! outbox inside the caller's transaction, so the change and its mail commit together.

use crate::RequestError;
use crate::request::Request;
use crate::settings::RequestSettings;
use chrono::{DateTime, Utc};
use lp_core::link::LinkSeed;
use lp_notify::templates::{
    AssignmentConfirmedMail, InterpreterFoundMail, InterpreterWithdrewMail, OfferFilledMail, OfferMail, ReminderMail,
    RequestCancelledMail, RequestUnfilledMail, SeriesDate,
};
use lp_registry::staff::StaffUser;
use lp_registry::volunteers::Volunteer;
use lp_registry::{availability_links, calendar_feeds};
use sea_orm::ConnectionTrait;

/// Every offer mail brings a fresh link to the volunteer's own availability page
/// (`availability`), issued in the same transaction so link and mail exist together. Links go
/// into the outbox as placeholders (`lp_core::link`); the worker writes them in at send time.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn offer(
    db: &impl ConnectionTrait,
    request: &Request,
    volunteer: &Volunteer,
    link: &LinkSeed,
    availability: &availability_links::IssuedLink,
    (expires_at, series_dates): (DateTime<Utc>, &[DateTime<Utc>]),
    accept_window_minutes: u32,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let mail = OfferMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        duration_minutes: request.duration_minutes,
        mode_de: request.mode.name_de().to_owned(),
        mode_en: request.mode.name_en().to_owned(),
        town: request.town.clone(),
        setting_de: request.setting.name_de().to_owned(),
        setting_en: request.setting.name_en().to_owned(),
        accept_url: link.placeholder(),
        availability_url: Some(availability.link.placeholder()),
        expires_at,
        series_dates: series_dates.to_vec(),
        accept_window_minutes,
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

pub(crate) struct Parties<'a> {
    pub volunteer: &'a Volunteer,
    pub caseworker: &'a StaffUser,
    pub organisation_name: &'a str,
}

/// The winner learns the full details, with the address of their calendar feed (made now if
/// they have none) and the link of the accepted offer (`manage`, none for an offer from before
/// links were derived); the caseworker learns who is coming.
pub(crate) async fn assignment(
    db: &impl ConnectionTrait,
    request: &Request,
    series: &crate::series::Outcome,
    parties: Parties<'_>,
    manage: Option<LinkSeed>,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let Parties {
        volunteer,
        caseworker,
        organisation_name,
    } = parties;
    let calendar_url = calendar_feeds::ensure(db, &settings.calendar_feeds(), volunteer.id, now).await?;
    let confirmation = AssignmentConfirmedMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        duration_minutes: request.duration_minutes,
        mode_de: request.mode.name_de().to_owned(),
        mode_en: request.mode.name_en().to_owned(),
        town: request.town.clone(),
        address: request.address.clone(),
        notes: request.notes.clone(),
        organisation_name: organisation_name.to_owned(),
        caseworker_name: caseworker.name.clone(),
        caseworker_email: caseworker.email.clone(),
        client_ref: request.client_ref.clone(),
        // The volunteer's own offer page, where the acceptance can be withdrawn.
        manage_url: manage.map(|link| link.placeholder()),
        video_url: request.video_url.clone(),
        calendar_url: Some(calendar_url),
        request_id: request.id.to_string(),
        more_dates: series
            .taken
            .iter()
            .map(|date| SeriesDate {
                request_id: date.request.id.to_string(),
                starts_at: date.request.starts_at,
                manage_url: date.link.placeholder(),
                video_url: date.request.video_url.clone(),
            })
            .collect(),
    };
    lp_notify::enqueue(db, &confirmation.email(), now).await?;
    let found = InterpreterFoundMail {
        to: caseworker.email.clone(),
        caseworker_name: caseworker.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        client_ref: request.client_ref.clone(),
        volunteer_name: volunteer.name.clone(),
        volunteer_phone: volunteer.phone.clone(),
        request_url: settings.request_url(request.id),
        video_url: request.video_url.clone(),
        series_taken: series.taken.iter().map(|d| d.request.starts_at).collect(),
        series_released: series.released.iter().map(|d| d.starts_at).collect(),
    };
    lp_notify::enqueue(db, &found.email(), now).await?;
    Ok(())
}

pub(crate) async fn filled_by_someone_else(
    db: &impl ConnectionTrait,
    request: &Request,
    volunteer: &Volunteer,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let mail = OfferFilledMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        town: request.town.clone(),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

pub(crate) async fn cancelled(
    db: &impl ConnectionTrait,
    request: &Request,
    volunteer: &Volunteer,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let mail = RequestCancelledMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        town: request.town.clone(),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

/// The caseworker and every coordinator hear that nobody could be found.
pub(crate) async fn unfilled(
    db: &impl ConnectionTrait,
    request: &Request,
    recipients: &[StaffUser],
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    for recipient in recipients {
        let mail = RequestUnfilledMail {
            to: recipient.email.clone(),
            recipient_name: recipient.name.clone(),
            language_de: request.language.name_de().to_owned(),
            language_en: request.language.name_en().to_owned(),
            starts_at: request.starts_at,
            client_ref: request.client_ref.clone(),
            request_url: settings.request_url(request.id),
        };
        lp_notify::enqueue(db, &mail.email(), now).await?;
    }
    Ok(())
}

/// The caseworker hears that the interpreter took back the acceptance.
pub(crate) async fn withdrawn(
    db: &impl ConnectionTrait,
    request: &Request,
    volunteer: &Volunteer,
    caseworker: &StaffUser,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let mail = InterpreterWithdrewMail {
        to: caseworker.email.clone(),
        caseworker_name: caseworker.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        client_ref: request.client_ref.clone(),
        volunteer_name: volunteer.name.clone(),
        request_url: settings.request_url(request.id),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}

/// The day before, the assigned volunteer is reminded.
pub(crate) async fn reminder(
    db: &impl ConnectionTrait,
    request: &Request,
    volunteer: &Volunteer,
    caseworker: &StaffUser,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let mail = ReminderMail {
        to: volunteer.email.clone(),
        volunteer_name: volunteer.name.clone(),
        language_de: request.language.name_de().to_owned(),
        language_en: request.language.name_en().to_owned(),
        starts_at: request.starts_at,
        duration_minutes: request.duration_minutes,
        town: request.town.clone(),
        address: request.address.clone(),
        caseworker_name: caseworker.name.clone(),
        caseworker_email: caseworker.email.clone(),
        video_url: request.video_url.clone(),
    };
    lp_notify::enqueue(db, &mail.email(), now).await?;
    Ok(())
}
