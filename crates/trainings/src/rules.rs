//! The pure rules of trainings: what an invitation link shows and allows at a moment, why an
//! action is refused, and whom a filter reaches. Pages, link actions and the API ask here.

use crate::input::{InvitationFilter, TrainingNeed};
use crate::trainings::Training;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use lp_core::vocab::{InvitationState, TrainingState, TrainingStatus, VolunteerStatus};
use lp_registry::volunteers::Volunteer;
use serde::{Deserialize, Serialize};

/// Registration is open until the deadline, and never once the training has begun.
pub fn registration_open(deadline: DateTime<Utc>, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < deadline && now < starts_at
}

/// Where a training stands at a moment, as the coordinator's pages show it. What may still be
/// done follows: invite while `Open` or `Full`; edit or cancel before `Running`; record
/// attendance from `Running` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingPhase {
    Open,
    /// Every place taken; registering puts one on the waiting list.
    Full,
    RegistrationClosed,
    Running,
    Held,
    Cancelled,
}

impl TrainingPhase {
    pub fn of(training: &Training, now: DateTime<Utc>) -> Self {
        if training.status == TrainingState::Cancelled {
            TrainingPhase::Cancelled
        } else if training.ends_at() <= now {
            TrainingPhase::Held
        } else if training.starts_at_utc() <= now {
            TrainingPhase::Running
        } else if !registration_open(training.registration_deadline.to_utc(), training.starts_at_utc(), now) {
            TrainingPhase::RegistrationClosed
        } else if training.seats_taken >= training.capacity {
            TrainingPhase::Full
        } else {
            TrainingPhase::Open
        }
    }

    pub fn may_invite(self) -> bool {
        matches!(self, TrainingPhase::Open | TrainingPhase::Full)
    }

    /// Edit or cancel.
    pub fn may_change(self) -> bool {
        matches!(
            self,
            TrainingPhase::Open | TrainingPhase::Full | TrainingPhase::RegistrationClosed
        )
    }

    pub fn may_record_attendance(self) -> bool {
        matches!(self, TrainingPhase::Running | TrainingPhase::Held)
    }

    pub fn name_de(self) -> &'static str {
        match self {
            TrainingPhase::Open => "geplant",
            TrainingPhase::Full => "ausgebucht",
            TrainingPhase::RegistrationClosed => "Anmeldung geschlossen",
            TrainingPhase::Running => "läuft",
            TrainingPhase::Held => "stattgefunden",
            TrainingPhase::Cancelled => "abgesagt",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            TrainingPhase::Open => "scheduled",
            TrainingPhase::Full => "full",
            TrainingPhase::RegistrationClosed => "registration closed",
            TrainingPhase::Running => "in progress",
            TrainingPhase::Held => "held",
            TrainingPhase::Cancelled => "cancelled",
        }
    }
}

/// What an invitation link's page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationPageStatus {
    /// Invited, registration open: Register and Decline buttons.
    Open,
    Registered,
    Waiting,
    /// Declined; may still register while registration is open.
    Declined,
    /// The deadline has passed and this volunteer holds no place.
    Closed,
    Cancelled,
    /// The training has begun.
    Over,
}

/// Where one invitation stands, as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub state: InvitationState,
    pub training: TrainingState,
    pub starts_at: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
}

impl Standing {
    fn registration_open(&self, now: DateTime<Utc>) -> bool {
        registration_open(self.registration_deadline, self.starts_at, now)
    }

    pub fn page_status(&self, now: DateTime<Utc>) -> InvitationPageStatus {
        if self.training == TrainingState::Cancelled {
            return InvitationPageStatus::Cancelled;
        }
        if now >= self.starts_at {
            return InvitationPageStatus::Over;
        }
        match self.state {
            InvitationState::Registered => InvitationPageStatus::Registered,
            InvitationState::Waiting => InvitationPageStatus::Waiting,
            _ if !self.registration_open(now) => InvitationPageStatus::Closed,
            InvitationState::Invited => InvitationPageStatus::Open,
            InvitationState::Declined => InvitationPageStatus::Declined,
        }
    }

    /// Registering is open to the invited and to those who declined and changed their mind.
    pub fn may_register(&self, now: DateTime<Utc>) -> Result<(), InvitationRefusal> {
        match self.page_status(now) {
            InvitationPageStatus::Open | InvitationPageStatus::Declined => Ok(()),
            status => Err(InvitationRefusal::for_status(status)),
        }
    }

    /// Declining, cancelling a registration and leaving the waiting list are one action, open
    /// until the training begins.
    pub fn may_decline(&self, now: DateTime<Utc>) -> Result<(), InvitationRefusal> {
        match self.page_status(now) {
            InvitationPageStatus::Open | InvitationPageStatus::Registered | InvitationPageStatus::Waiting => Ok(()),
            // A declined invitation declined after the deadline still says "declined".
            InvitationPageStatus::Closed if self.state == InvitationState::Declined => {
                Err(InvitationRefusal::AlreadyDeclined)
            }
            InvitationPageStatus::Closed => Ok(()),
            status => Err(InvitationRefusal::for_status(status)),
        }
    }
}

/// Why a link action does not happen. Every one is "gone" (410), as for used or expired offer
/// links; `reason` in the JSON error tells which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationRefusal {
    RegistrationClosed,
    Cancelled,
    Over,
    AlreadyRegistered,
    AlreadyWaiting,
    AlreadyDeclined,
}

impl InvitationRefusal {
    pub fn for_status(status: InvitationPageStatus) -> Self {
        match status {
            InvitationPageStatus::Registered => InvitationRefusal::AlreadyRegistered,
            InvitationPageStatus::Waiting => InvitationRefusal::AlreadyWaiting,
            InvitationPageStatus::Declined => InvitationRefusal::AlreadyDeclined,
            InvitationPageStatus::Cancelled => InvitationRefusal::Cancelled,
            InvitationPageStatus::Over => InvitationRefusal::Over,
            InvitationPageStatus::Open | InvitationPageStatus::Closed => InvitationRefusal::RegistrationClosed,
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            InvitationRefusal::RegistrationClosed => "registration_closed",
            InvitationRefusal::Cancelled => "cancelled",
            InvitationRefusal::Over => "over",
            InvitationRefusal::AlreadyRegistered => "already_registered",
            InvitationRefusal::AlreadyWaiting => "already_waiting",
            InvitationRefusal::AlreadyDeclined => "already_declined",
        }
    }

    pub fn title_de(self) -> &'static str {
        match self {
            InvitationRefusal::RegistrationClosed => "Anmeldung geschlossen",
            InvitationRefusal::Cancelled => "Schulung abgesagt",
            InvitationRefusal::Over => "Schulung vorbei",
            InvitationRefusal::AlreadyRegistered => "Bereits angemeldet",
            InvitationRefusal::AlreadyWaiting => "Bereits auf der Warteliste",
            InvitationRefusal::AlreadyDeclined => "Bereits abgesagt",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            InvitationRefusal::RegistrationClosed => "Registration closed",
            InvitationRefusal::Cancelled => "Training cancelled",
            InvitationRefusal::Over => "Training is over",
            InvitationRefusal::AlreadyRegistered => "Already registered",
            InvitationRefusal::AlreadyWaiting => "Already on the waiting list",
            InvitationRefusal::AlreadyDeclined => "Already declined",
        }
    }

    pub fn detail_de(self) -> &'static str {
        match self {
            InvitationRefusal::RegistrationClosed => "Die Anmeldefrist für diese Schulung ist abgelaufen.",
            InvitationRefusal::Cancelled => "Diese Schulung wurde abgesagt.",
            InvitationRefusal::Over => "Diese Schulung hat bereits begonnen.",
            InvitationRefusal::AlreadyRegistered => "Sie sind für diese Schulung bereits angemeldet.",
            InvitationRefusal::AlreadyWaiting => "Sie stehen für diese Schulung bereits auf der Warteliste.",
            InvitationRefusal::AlreadyDeclined => "Sie haben diese Einladung bereits abgesagt.",
        }
    }

    pub fn detail_en(self) -> &'static str {
        match self {
            InvitationRefusal::RegistrationClosed => "Registration for this training has closed.",
            InvitationRefusal::Cancelled => "This training was cancelled.",
            InvitationRefusal::Over => "This training has already begun.",
            InvitationRefusal::AlreadyRegistered => "You are registered for this training already.",
            InvitationRefusal::AlreadyWaiting => "You are on the waiting list for this training already.",
            InvitationRefusal::AlreadyDeclined => "You declined this invitation already.",
        }
    }
}

/// Retired volunteers are invited to nothing, chosen or by filter.
pub fn may_be_invited(volunteer: &Volunteer) -> bool {
    volunteer.status != VolunteerStatus::Retired
}

/// Whether an invitation by `filter` reaches this volunteer on `today`.
pub fn filter_reaches(
    filter: &InvitationFilter,
    volunteer: &Volunteer,
    today: NaiveDate,
    validity_months: u32,
) -> bool {
    let status_fits = match filter.status {
        Some(wanted) => volunteer.status == wanted,
        None => matches!(volunteer.status, VolunteerStatus::Active | VolunteerStatus::Applicant),
    };
    if !status_fits || !may_be_invited(volunteer) {
        return false;
    }
    if let Some(language) = filter.language
        && !volunteer.speaks(language)
    {
        return false;
    }
    let training = volunteer.training(today, validity_months);
    match filter.training {
        None => true,
        Some(TrainingNeed::Untrained) => training.status != TrainingStatus::Trained,
        Some(TrainingNeed::Expiring) => {
            training.status == TrainingStatus::Trained
                && training
                    .valid_until
                    .is_some_and(|until| until <= today + Duration::days(filter.expiring_within_days()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn standing(state: InvitationState) -> Standing {
        Standing {
            state,
            training: TrainingState::Scheduled,
            starts_at: at("2027-02-06T09:00:00Z"),
            registration_deadline: at("2027-02-01T22:59:00Z"),
        }
    }

    #[test]
    fn the_page_follows_the_state_and_the_clock() {
        let before = at("2027-01-10T10:00:00Z");
        let after_deadline = at("2027-02-03T10:00:00Z");
        let after_start = at("2027-02-06T09:00:00Z");
        assert_eq!(
            standing(InvitationState::Invited).page_status(before),
            InvitationPageStatus::Open
        );
        assert_eq!(
            standing(InvitationState::Invited).page_status(after_deadline),
            InvitationPageStatus::Closed
        );
        assert_eq!(
            standing(InvitationState::Registered).page_status(after_deadline),
            InvitationPageStatus::Registered
        );
        assert_eq!(
            standing(InvitationState::Registered).page_status(after_start),
            InvitationPageStatus::Over
        );
        let mut cancelled = standing(InvitationState::Waiting);
        cancelled.training = TrainingState::Cancelled;
        assert_eq!(cancelled.page_status(before), InvitationPageStatus::Cancelled);
    }

    #[test]
    fn registration_closes_at_the_deadline() {
        let s = standing(InvitationState::Invited);
        assert_eq!(s.may_register(at("2027-01-10T10:00:00Z")), Ok(()));
        assert_eq!(
            s.may_register(at("2027-02-01T22:59:00Z")),
            Err(InvitationRefusal::RegistrationClosed)
        );
        // A place can still be given back after the deadline, so the waiting list moves up.
        assert_eq!(
            standing(InvitationState::Registered).may_decline(at("2027-02-03T10:00:00Z")),
            Ok(())
        );
    }

    #[test]
    fn each_action_works_once() {
        let now = at("2027-01-10T10:00:00Z");
        assert_eq!(
            standing(InvitationState::Registered).may_register(now),
            Err(InvitationRefusal::AlreadyRegistered)
        );
        assert_eq!(
            standing(InvitationState::Waiting).may_register(now),
            Err(InvitationRefusal::AlreadyWaiting)
        );
        assert_eq!(
            standing(InvitationState::Declined).may_decline(now),
            Err(InvitationRefusal::AlreadyDeclined)
        );
        // Changing one's mind after declining is allowed while registration is open.
        assert_eq!(standing(InvitationState::Declined).may_register(now), Ok(()));
    }
}
