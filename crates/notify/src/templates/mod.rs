//! The message catalogue: one struct per email, rendered German first and English second below
//! a divider, as plain text and as simple inline-styled HTML (askama files in `templates/`).
//!
//! The structs take display-ready strings (language and vocabulary names in both languages) and
//! instants, shown in the pool's zone by `lp_core::when`. They hold only what the recipient
//! needs: an offer names no street and no client reference, since it goes to people who may not
//! get the job.

mod ics;

pub use ics::{CalendarFeed, FeedAssignment};

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use lp_core::when;

use crate::{Attachment, Email, MailKind};

/// The MIME type of every `.ics` attachment.
const ICS_CONTENT_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

/// Renders a template whose fields are plain strings and numbers, which cannot fail.
fn render(template: &impl Template) -> String {
    template.render().expect("templates of plain strings render")
}

/// One struct per template file, each borrowing the mail it renders.
macro_rules! bodies {
    ($mail:ty: $text:ident = $text_path:tt, $html:ident = $html_path:tt) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            m: &'a $mail,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            m: &'a $mail,
        }
    };
}

/// The offer of a job to a volunteer, with its secret link.
#[derive(Clone)]
pub struct OfferMail {
    pub to: String,
    pub volunteer_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode_de: String,
    pub mode_en: String,
    /// Only the town, never the street: the offer goes to several volunteers.
    pub town: Option<String>,
    pub setting_de: String,
    pub setting_en: String,
    /// The offer page `{public_base_url}/o/{token}`: details and Accept/Decline buttons.
    pub accept_url: String,
    /// The volunteer's own availability page `{public_base_url}/v/{token}`, which the SPEC
    /// puts in every offer mail.
    pub availability_url: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// The later dates when the offer is for a series; empty for a single appointment.
    pub series_dates: Vec<DateTime<Utc>>,
    /// The pool's acceptance window; 0 when the first to accept gets the job.
    pub accept_window_minutes: u32,
}

bodies!(OfferMail: OfferText = "offer.txt", OfferHtml = "offer.html");

impl OfferMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::Offer.into(),
            to: self.to.clone(),
            subject: format!(
                "Dolmetscheinsatz {} am {} – Interpreting job",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&OfferText { m: self }),
            html: render(&OfferHtml { m: self }),
            attachment: None,
        }
    }
}

/// To the volunteers who did not get a job they were offered.
#[derive(Clone, Debug)]
pub struct OfferFilledMail {
    pub to: String,
    pub volunteer_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub town: Option<String>,
}

bodies!(OfferFilledMail: OfferFilledText = "offer_filled.txt", OfferFilledHtml = "offer_filled.html");

impl OfferFilledMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::OfferFilled.into(),
            to: self.to.clone(),
            subject: format!(
                "Einsatz {} am {} ist vergeben – Job already filled",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&OfferFilledText { m: self }),
            html: render(&OfferFilledHtml { m: self }),
            attachment: None,
        }
    }
}

/// To the volunteer who accepted: everything needed on the day, with a calendar entry.
#[derive(Clone)]
pub struct AssignmentConfirmedMail {
    pub to: String,
    pub volunteer_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode_de: String,
    pub mode_en: String,
    pub town: Option<String>,
    pub address: Option<String>,
    /// Notes for the interpreter from the caseworker.
    pub notes: Option<String>,
    pub organisation_name: String,
    pub caseworker_name: String,
    pub caseworker_email: String,
    /// The caseworker's pseudonymous reference, never a name.
    pub client_ref: Option<String>,
    /// The offer page, where the volunteer may still withdraw.
    pub manage_url: Option<String>,
    /// The meeting link of a video appointment, on the town's own video service.
    pub video_url: Option<String>,
    /// The volunteer's private calendar subscription `{public_base_url}/calendar/{token}.ics`.
    pub calendar_url: Option<String>,
    /// Makes the calendar entry's UID: one entry per request, updated rather than doubled.
    pub request_id: String,
    /// The later dates of a series the volunteer took with this one, each in the attachment.
    pub more_dates: Vec<SeriesDate>,
}

/// A later date of a series that the volunteer took along with the first.
#[derive(Clone, Debug)]
pub struct SeriesDate {
    pub request_id: String,
    pub starts_at: DateTime<Utc>,
    /// The date's own offer page, where it alone can be given back.
    pub manage_url: String,
    pub video_url: Option<String>,
}

bodies!(AssignmentConfirmedMail: AssignmentConfirmedText = "assignment_confirmed.txt", AssignmentConfirmedHtml = "assignment_confirmed.html");

impl AssignmentConfirmedMail {
    pub const ICS_FILENAME: &'static str = "einsatz.ics";

    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::AssignmentConfirmed.into(),
            to: self.to.clone(),
            subject: format!(
                "Bestätigt: Dolmetscheinsatz {} am {} – Confirmed: interpreting job",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&AssignmentConfirmedText { m: self }),
            html: render(&AssignmentConfirmedHtml { m: self }),
            attachment: Some(Attachment {
                filename: Self::ICS_FILENAME.to_owned(),
                content_type: ICS_CONTENT_TYPE.to_owned(),
                body: ics::assignment(self),
            }),
        }
    }

    /// Street and town as one line, or whichever is known.
    fn place(&self) -> Option<String> {
        ics::place(self.address.as_deref(), self.town.as_deref())
    }
}

/// To the caseworker: who will interpret, and how to reach them.
#[derive(Clone, Debug)]
pub struct InterpreterFoundMail {
    pub to: String,
    pub caseworker_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub client_ref: Option<String>,
    pub volunteer_name: String,
    pub volunteer_phone: Option<String>,
    pub request_url: String,
    /// The meeting link of a video appointment, the same the interpreter got.
    pub video_url: Option<String>,
    /// For a series: the later dates the interpreter took too ...
    pub series_taken: Vec<DateTime<Utc>>,
    /// ... and those searched for one by one.
    pub series_released: Vec<DateTime<Utc>>,
}

bodies!(InterpreterFoundMail: InterpreterFoundText = "interpreter_found.txt", InterpreterFoundHtml = "interpreter_found.html");

impl InterpreterFoundMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::InterpreterFound.into(),
            to: self.to.clone(),
            subject: format!(
                "Dolmetscher/in gefunden: {} am {} – Interpreter found",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&InterpreterFoundText { m: self }),
            html: render(&InterpreterFoundHtml { m: self }),
            attachment: None,
        }
    }
}

/// To the assigned volunteer when the caseworker cancels.
#[derive(Clone, Debug)]
pub struct RequestCancelledMail {
    pub to: String,
    pub volunteer_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub town: Option<String>,
}

bodies!(RequestCancelledMail: RequestCancelledText = "request_cancelled.txt", RequestCancelledHtml = "request_cancelled.html");

impl RequestCancelledMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::RequestCancelled.into(),
            to: self.to.clone(),
            subject: format!(
                "Abgesagt: Dolmetscheinsatz {} am {} – Cancelled: interpreting job",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&RequestCancelledText { m: self }),
            html: render(&RequestCancelledHtml { m: self }),
            attachment: None,
        }
    }
}

/// To the caseworker and the coordinator when nobody was found in time.
#[derive(Clone, Debug)]
pub struct RequestUnfilledMail {
    pub to: String,
    pub recipient_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub client_ref: Option<String>,
    pub request_url: String,
}

bodies!(RequestUnfilledMail: RequestUnfilledText = "request_unfilled.txt", RequestUnfilledHtml = "request_unfilled.html");

impl RequestUnfilledMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::RequestUnfilled.into(),
            to: self.to.clone(),
            subject: format!(
                "Nicht besetzt: Anfrage {} am {} – No interpreter found",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&RequestUnfilledText { m: self }),
            html: render(&RequestUnfilledHtml { m: self }),
            attachment: None,
        }
    }
}

/// A volunteer's own availability page, sent when they ask for it on `/v`.
#[derive(Clone)]
pub struct AvailabilityLinkMail {
    pub to: String,
    pub volunteer_name: String,
    /// `{public_base_url}/v/{token}`: works once, until `expires_at`.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

bodies!(AvailabilityLinkMail: AvailabilityLinkText = "availability_link.txt", AvailabilityLinkHtml = "availability_link.html");

impl AvailabilityLinkMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::AvailabilityLink.into(),
            to: self.to.clone(),
            subject: "Ihre Verfügbarkeit ändern – Update your availability".to_owned(),
            text: render(&AvailabilityLinkText { m: self }),
            html: render(&AvailabilityLinkHtml { m: self }),
            attachment: None,
        }
    }
}

/// A volunteer's Ehrenamtsnachweis (confirmation of voluntary work) for one year, asked for on
/// `/v`: the printed confirmation's figures as display-ready strings, or, when the year has no
/// assignment and no training, a line saying there is nothing to confirm.
#[derive(Clone)]
pub struct NachweisMail {
    pub to: String,
    pub volunteer_name: String,
    pub year: i32,
    /// The organisation behind the pool, e.g. "Dolmetscherpool der Stadt Winnenden".
    pub organisation: String,
    pub organisation_address: Option<String>,
    /// Who issues the confirmation: the pool's coordinator.
    pub coordinator: String,
    /// `None`: nothing recorded in the year.
    pub record: Option<NachweisRecord>,
    /// The day it was issued, e.g. "23.11.2026".
    pub issued_on: String,
}

/// What the year's confirmation confirms.
#[derive(Clone, Debug)]
pub struct NachweisRecord {
    pub assignments: u32,
    /// Confirmed time in hours, e.g. "2,5" and "2.5".
    pub hours_de: String,
    pub hours_en: String,
    /// Most hours first.
    pub settings: Vec<NachweisSetting>,
    /// In date order.
    pub trainings: Vec<NachweisTraining>,
    /// The allowance paid, in euros ("24,00", "24.00"), when one was.
    pub allowance: Option<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct NachweisSetting {
    pub de: String,
    pub en: String,
    pub assignments: u32,
    pub hours_de: String,
    pub hours_en: String,
}

#[derive(Clone, Debug)]
pub struct NachweisTraining {
    /// "10.03.2026"
    pub day: String,
    pub title: String,
    pub kind_de: String,
    pub kind_en: String,
}

/// Shows neither the address nor the figures: the mail's content stays out of logs.
impl std::fmt::Debug for NachweisMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NachweisMail")
            .field("year", &self.year)
            .field("empty", &self.record.is_none())
            .finish_non_exhaustive()
    }
}

bodies!(NachweisMail: NachweisText = "nachweis.txt", NachweisHtml = "nachweis.html");

impl NachweisMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::Nachweis.into(),
            to: self.to.clone(),
            subject: format!(
                "Ihr Ehrenamtsnachweis {} – Your confirmation of voluntary work {}",
                self.year, self.year
            ),
            text: render(&NachweisText { m: self }),
            html: render(&NachweisHtml { m: self }),
            attachment: None,
        }
    }
}

/// A new staff account with its single-use link to choose a password.
#[derive(Clone)]
pub struct StaffWelcomeMail {
    pub to: String,
    pub name: String,
    pub role_de: String,
    pub role_en: String,
    pub login_url: String,
    /// Carries a secret token: left out of `Debug`.
    pub set_password_url: String,
    /// When the link stops working, e.g. "28.11.2026".
    pub valid_until: String,
}

/// Leaves the link out.
impl std::fmt::Debug for StaffWelcomeMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffWelcomeMail")
            .field("to", &self.to)
            .field("name", &self.name)
            .field("role_en", &self.role_en)
            .finish_non_exhaustive()
    }
}

bodies!(StaffWelcomeMail: StaffWelcomeText = "staff_welcome.txt", StaffWelcomeHtml = "staff_welcome.html");

impl StaffWelcomeMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::StaffWelcome.into(),
            to: self.to.clone(),
            subject: "Ihr Zugang zum Dolmetscherpool – Your interpreter pool account".to_owned(),
            text: render(&StaffWelcomeText { m: self }),
            html: render(&StaffWelcomeHtml { m: self }),
            attachment: None,
        }
    }
}

#[cfg(test)]
mod tests;

/// The offer and the confirmation carry a secret link: their `Debug` shows who and what, never
/// the link.
macro_rules! debug_without_links {
    ($($mail:ident),+) => {$(
        impl std::fmt::Debug for $mail {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($mail)).field("to", &self.to).field("starts_at", &self.starts_at).finish_non_exhaustive()
            }
        }
    )+};
}

debug_without_links!(OfferMail, AssignmentConfirmedMail);

impl std::fmt::Debug for AvailabilityLinkMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvailabilityLinkMail")
            .field("to", &self.to)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// To the caseworker when the assigned volunteer takes back an acceptance.
#[derive(Clone, Debug)]
pub struct InterpreterWithdrewMail {
    pub to: String,
    pub caseworker_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub client_ref: Option<String>,
    pub volunteer_name: String,
    pub request_url: String,
}

bodies!(InterpreterWithdrewMail: InterpreterWithdrewText = "interpreter_withdrew.txt", InterpreterWithdrewHtml = "interpreter_withdrew.html");

impl InterpreterWithdrewMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::InterpreterWithdrew.into(),
            to: self.to.clone(),
            subject: format!(
                "Abgesagt: {} am {} – wir suchen weiter / Interpreter withdrew, search goes on",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&InterpreterWithdrewText { m: self }),
            html: render(&InterpreterWithdrewHtml { m: self }),
            attachment: None,
        }
    }
}

/// To the assigned volunteer the day before the appointment. It carries no link: only the
/// hash of the offer's token is stored, so the withdrawal link lives in the confirmation.
#[derive(Clone, Debug)]
pub struct ReminderMail {
    pub to: String,
    pub volunteer_name: String,
    pub language_de: String,
    pub language_en: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub town: Option<String>,
    pub address: Option<String>,
    pub caseworker_name: String,
    pub caseworker_email: String,
    /// The meeting link of a video appointment.
    pub video_url: Option<String>,
}

bodies!(ReminderMail: ReminderText = "reminder.txt", ReminderHtml = "reminder.html");

impl ReminderMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::Reminder.into(),
            to: self.to.clone(),
            subject: format!(
                "Erinnerung: Dolmetscheinsatz {} morgen, {} – Reminder: interpreting job tomorrow",
                self.language_de,
                when::date(&self.starts_at)
            ),
            text: render(&ReminderText { m: self }),
            html: render(&ReminderHtml { m: self }),
            attachment: None,
        }
    }
}

/// What every training mail says about the training.
#[derive(Clone, Debug)]
pub struct TrainingFacts {
    /// Makes the calendar entry's UID: one entry per training, updated rather than doubled.
    pub training_id: String,
    pub title: String,
    /// The kind of training in both languages, e.g. "Grundschulung" / "basic training".
    pub kind_de: String,
    pub kind_en: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub location: String,
    pub trainer: Option<String>,
}

impl TrainingFacts {
    /// The name of the calendar entry attached to a registration.
    pub const ICS_FILENAME: &'static str = "schulung.ics";

    /// The training as a calendar entry, for the registered and the moved-up mail.
    fn calendar_entry(&self) -> Attachment {
        Attachment {
            filename: Self::ICS_FILENAME.to_owned(),
            content_type: ICS_CONTENT_TYPE.to_owned(),
            body: ics::training(self),
        }
    }
}

/// The invitation to a training, with its secret link.
#[derive(Clone)]
pub struct TrainingInvitationMail {
    pub to: String,
    pub volunteer_name: String,
    pub training: TrainingFacts,
    /// After this instant the page no longer takes registrations.
    pub registration_deadline: DateTime<Utc>,
    /// The coordinator's words about the training, shown as written.
    pub description: Option<String>,
    /// The invitation page `{public_base_url}/t/{token}`: details and Register/Decline buttons.
    pub link_url: String,
}

bodies!(TrainingInvitationMail: TrainingInvitationText = "training_invitation.txt", TrainingInvitationHtml = "training_invitation.html");

impl TrainingInvitationMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingInvitation.into(),
            to: self.to.clone(),
            subject: format!(
                "Einladung: {} am {} – Invitation to a training",
                self.training.title,
                when::date(&self.training.starts_at)
            ),
            text: render(&TrainingInvitationText { m: self }),
            html: render(&TrainingInvitationHtml { m: self }),
            attachment: None,
        }
    }
}

/// To a volunteer who registered for a training, with a calendar entry.
#[derive(Clone)]
pub struct TrainingRegisteredMail {
    pub to: String,
    pub volunteer_name: String,
    pub training: TrainingFacts,
    /// The invitation page, where the volunteer may cancel; none for an invitation from before
    /// links were derived (the mail then points to the invitation's own link).
    pub link_url: Option<String>,
    /// The volunteer's private calendar subscription, as in the assignment confirmation.
    pub calendar_url: Option<String>,
}

bodies!(TrainingRegisteredMail: TrainingRegisteredText = "training_registered.txt", TrainingRegisteredHtml = "training_registered.html");

impl TrainingRegisteredMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingRegistered.into(),
            to: self.to.clone(),
            subject: format!(
                "Angemeldet: {} am {} – Registered for a training",
                self.training.title,
                when::date(&self.training.starts_at)
            ),
            text: render(&TrainingRegisteredText { m: self }),
            html: render(&TrainingRegisteredHtml { m: self }),
            attachment: Some(self.training.calendar_entry()),
        }
    }
}

/// To the first on the waiting list when a place became free: now registered, with a calendar
/// entry. No link: it comes from a seat given back, not from this volunteer's link, and only
/// the hash of their token is kept; the mail points to the invitation.
#[derive(Clone)]
pub struct TrainingMovedUpMail {
    pub to: String,
    pub volunteer_name: String,
    pub training: TrainingFacts,
    /// The volunteer's private calendar subscription, as in the assignment confirmation.
    pub calendar_url: Option<String>,
}

bodies!(TrainingMovedUpMail: TrainingMovedUpText = "training_moved_up.txt", TrainingMovedUpHtml = "training_moved_up.html");

impl TrainingMovedUpMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingMovedUp.into(),
            to: self.to.clone(),
            subject: format!(
                "Nachgerückt: Sie sind angemeldet für {} am {} – A place became free: you are registered",
                self.training.title,
                when::date(&self.training.starts_at)
            ),
            text: render(&TrainingMovedUpText { m: self }),
            html: render(&TrainingMovedUpHtml { m: self }),
            attachment: Some(self.training.calendar_entry()),
        }
    }
}

/// To a volunteer who wanted to register for a full training: their place on the waiting list.
#[derive(Clone)]
pub struct TrainingWaitingMail {
    pub to: String,
    pub volunteer_name: String,
    pub training: TrainingFacts,
    /// 1 for the first on the waiting list.
    pub position: u32,
    /// The invitation page, where the volunteer may leave the waiting list; none as above.
    pub link_url: Option<String>,
}

bodies!(TrainingWaitingMail: TrainingWaitingText = "training_waiting.txt", TrainingWaitingHtml = "training_waiting.html");

impl TrainingWaitingMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingWaiting.into(),
            to: self.to.clone(),
            subject: format!(
                "Warteliste: {} am {} – On the waiting list for a training",
                self.training.title,
                when::date(&self.training.starts_at)
            ),
            text: render(&TrainingWaitingText { m: self }),
            html: render(&TrainingWaitingHtml { m: self }),
            attachment: None,
        }
    }
}

/// To a registered volunteer the day before the training; like the moved-up mail, it points
/// to the invitation's link rather than carrying one.
#[derive(Clone)]
pub struct TrainingReminderMail {
    pub to: String,
    pub volunteer_name: String,
    pub training: TrainingFacts,
}

bodies!(TrainingReminderMail: TrainingReminderText = "training_reminder.txt", TrainingReminderHtml = "training_reminder.html");

impl TrainingReminderMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingReminder.into(),
            to: self.to.clone(),
            subject: format!(
                "Erinnerung: {} morgen, {} – Reminder: training tomorrow",
                self.training.title,
                when::date(&self.training.starts_at)
            ),
            text: render(&TrainingReminderText { m: self }),
            html: render(&TrainingReminderHtml { m: self }),
            attachment: None,
        }
    }
}

/// To the registered and the waiting when the coordinator cancels a training. No link: the
/// invitation page has nothing left to do.
#[derive(Clone, Debug)]
pub struct TrainingCancelledMail {
    pub to: String,
    pub volunteer_name: String,
    pub training: TrainingFacts,
    /// On the waiting list rather than registered.
    pub was_waiting: bool,
}

bodies!(TrainingCancelledMail: TrainingCancelledText = "training_cancelled.txt", TrainingCancelledHtml = "training_cancelled.html");

impl TrainingCancelledMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingCancelled.into(),
            to: self.to.clone(),
            subject: format!(
                "Abgesagt: {} am {} – Cancelled: training",
                self.training.title,
                when::date(&self.training.starts_at)
            ),
            text: render(&TrainingCancelledText { m: self }),
            html: render(&TrainingCancelledHtml { m: self }),
            attachment: None,
        }
    }
}

/// The next scheduled refresher, with the volunteer's own invitation link to it when this
/// mail is the invitation (`None`: invited before, and the plain token exists only in that
/// earlier mail).
#[derive(Clone)]
pub struct NextRefresher {
    pub training: TrainingFacts,
    /// The invitation page `{public_base_url}/t/{token}` of this refresher.
    pub link_url: Option<String>,
}

/// Leaves the link out.
impl std::fmt::Debug for NextRefresher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NextRefresher")
            .field("training", &self.training)
            .finish_non_exhaustive()
    }
}

/// To a volunteer whose training will soon no longer count: a refresher is due.
#[derive(Clone, Debug)]
pub struct TrainingExpiringMail {
    pub to: String,
    pub volunteer_name: String,
    /// The last day on which the training counts.
    pub valid_until: NaiveDate,
    /// `None` when no refresher is scheduled yet.
    pub next_refresher: Option<NextRefresher>,
}

bodies!(TrainingExpiringMail: TrainingExpiringText = "training_expiring.txt", TrainingExpiringHtml = "training_expiring.html");

impl TrainingExpiringMail {
    pub fn email(&self) -> Email {
        Email {
            kind: MailKind::TrainingExpiring.into(),
            to: self.to.clone(),
            subject: format!(
                "Ihre Schulung gilt bis {} – Your training is due for a refresher",
                self.valid_until_de()
            ),
            text: render(&TrainingExpiringText { m: self }),
            html: render(&TrainingExpiringHtml { m: self }),
            attachment: None,
        }
    }

    /// "31.01.2027": a calendar day, so no zone to convert (`lp_core::when` takes instants).
    fn valid_until_de(&self) -> String {
        self.valid_until.format("%d.%m.%Y").to_string()
    }

    /// "31 January 2027"
    fn valid_until_en(&self) -> String {
        self.valid_until.format("%-d %B %Y").to_string()
    }
}

/// The training mails with a secret link: their `Debug` shows who and which training, never
/// the link.
macro_rules! debug_training_without_links {
    ($($mail:ident),+) => {$(
        impl std::fmt::Debug for $mail {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($mail)).field("to", &self.to).field("training", &self.training).finish_non_exhaustive()
            }
        }
    )+};
}

debug_training_without_links!(
    TrainingInvitationMail,
    TrainingRegisteredMail,
    TrainingMovedUpMail,
    TrainingWaitingMail,
    TrainingReminderMail
);
