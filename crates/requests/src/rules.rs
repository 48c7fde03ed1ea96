//! The request and offer state rules, pure: what can be cancelled or completed, what an offer
//! is worth now, what a volunteer's link shows, and why a link action is refused. The
//! lifecycle, the link actions and the views all ask here.

use crate::request::Offer;
use chrono::{DateTime, Utc};
use lp_core::vocab::{OfferState, RequestStatus};
use serde::{Deserialize, Serialize};

/// The states a request can be cancelled from.
pub const CANCELLABLE: [RequestStatus; 2] = [RequestStatus::Open, RequestStatus::Assigned];

/// Why a request cannot be completed now, if it cannot: it must be assigned and begun.
pub fn completion_refused(status: RequestStatus, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    if status != RequestStatus::Assigned {
        return Some(format!(
            "the request is {status}; only an assigned request can be completed"
        ));
    }
    (starts_at > now).then(|| "the appointment has not started yet".to_owned())
}

/// An offer can be accepted until the search's deadline: at `fill_by` the request becomes
/// unfilled and every offer still out lapses. The mail, the link page and the request page
/// all state this one time.
pub fn offer_open_until(fill_by: DateTime<Utc>) -> DateTime<Utc> {
    fill_by
}

/// Once accepted, an offer's link manages the job (it can be given back) until the
/// appointment starts.
pub fn accepted_link_until(starts_at: DateTime<Utc>) -> DateTime<Utc> {
    starts_at
}

/// A sent offer whose link has passed its expiry counts as expired, whether or not a sweep
/// has written that down yet.
pub(crate) fn effective_state(offer: &Offer, now: DateTime<Utc>) -> OfferState {
    if offer.state == OfferState::Sent && offer.expires_at <= now {
        OfferState::Expired
    } else {
        offer.state
    }
}

/// What a volunteer's offer link shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferPageStatus {
    /// The volunteer can accept or decline.
    Open,
    /// This volunteer accepted inside an acceptance window; the best-ranked of those who
    /// accepted gets the job when it closes.
    Pending,
    /// This volunteer has the job.
    Accepted,
    Declined,
    /// Someone else has the job.
    Filled,
    /// This volunteer accepted, then took it back.
    Withdrew,
    Cancelled,
    Expired,
}

pub(crate) fn offer_page_status(offer: &Offer, request: RequestStatus, now: DateTime<Utc>) -> OfferPageStatus {
    if offer.withdrew_at.is_some() {
        return OfferPageStatus::Withdrew;
    }
    // Collected acceptances stay `sent` (and may pass their expiry) until the window closes.
    if offer.window_accepted_at.is_some() && offer.state == OfferState::Sent && request == RequestStatus::Open {
        return OfferPageStatus::Pending;
    }
    match effective_state(offer, now) {
        OfferState::Accepted if request == RequestStatus::Cancelled => OfferPageStatus::Cancelled,
        OfferState::Accepted => OfferPageStatus::Accepted,
        OfferState::Declined => OfferPageStatus::Declined,
        OfferState::Expired => OfferPageStatus::Expired,
        OfferState::Sent | OfferState::Withdrawn => match request {
            RequestStatus::Open if offer.state == OfferState::Sent => OfferPageStatus::Open,
            RequestStatus::Assigned | RequestStatus::Completed => OfferPageStatus::Filled,
            RequestStatus::Cancelled => OfferPageStatus::Cancelled,
            RequestStatus::Open | RequestStatus::Unfilled => OfferPageStatus::Expired,
        },
    }
}

/// Why a volunteer's link action did not happen, so the page can say so in the volunteer's
/// words rather than "used or expired".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkRefusal {
    /// Someone else has the job.
    Filled,
    /// This volunteer has the job already.
    AlreadyAccepted,
    /// This volunteer accepted and then gave the job back.
    Withdrew,
    /// This volunteer declined already.
    AlreadyDeclined,
    /// The appointment was cancelled.
    Cancelled,
    /// The offer lapsed (the search ended, or the appointment has begun).
    Expired,
    /// The appointment has begun: an assignment can no longer be given back by link.
    Begun,
    /// A concurrent answer on this very link got there first.
    AlreadyUsed,
}

impl LinkRefusal {
    /// The refusal for an action attempted while the link shows `status`. `giving_back` is the
    /// withdrawal of an acceptance, which is refused on a job still held only once it began.
    pub fn for_status(status: OfferPageStatus, giving_back: bool) -> Self {
        match status {
            OfferPageStatus::Filled => LinkRefusal::Filled,
            OfferPageStatus::Accepted if giving_back => LinkRefusal::Begun,
            OfferPageStatus::Accepted | OfferPageStatus::Pending => LinkRefusal::AlreadyAccepted,
            OfferPageStatus::Withdrew => LinkRefusal::Withdrew,
            OfferPageStatus::Declined => LinkRefusal::AlreadyDeclined,
            OfferPageStatus::Cancelled => LinkRefusal::Cancelled,
            OfferPageStatus::Expired => LinkRefusal::Expired,
            OfferPageStatus::Open => LinkRefusal::AlreadyUsed,
        }
    }

    /// Filled is a conflict (409): the job exists but is someone else's. Every other refusal
    /// means the link is spent for this action (410).
    pub fn is_conflict(self) -> bool {
        self == LinkRefusal::Filled
    }

    /// The machine-readable code, as in the JSON error shape.
    pub fn code(self) -> &'static str {
        match self {
            LinkRefusal::Filled => "filled",
            LinkRefusal::AlreadyAccepted => "already_accepted",
            LinkRefusal::Withdrew => "withdrew",
            LinkRefusal::AlreadyDeclined => "already_declined",
            LinkRefusal::Cancelled => "cancelled",
            LinkRefusal::Expired => "expired",
            LinkRefusal::Begun => "begun",
            LinkRefusal::AlreadyUsed => "already_used",
        }
    }

    pub fn title_de(self) -> &'static str {
        match self {
            LinkRefusal::Filled => "Bereits vergeben",
            LinkRefusal::AlreadyAccepted => "Bereits übernommen",
            LinkRefusal::Withdrew => "Bereits zurückgegeben",
            LinkRefusal::AlreadyDeclined => "Bereits abgelehnt",
            LinkRefusal::Cancelled => "Termin abgesagt",
            LinkRefusal::Expired => "Angebot abgelaufen",
            LinkRefusal::Begun => "Termin hat begonnen",
            LinkRefusal::AlreadyUsed => "Link bereits verwendet",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            LinkRefusal::Filled => "Already filled",
            LinkRefusal::AlreadyAccepted => "Already accepted",
            LinkRefusal::Withdrew => "Already given back",
            LinkRefusal::AlreadyDeclined => "Already declined",
            LinkRefusal::Cancelled => "Appointment cancelled",
            LinkRefusal::Expired => "Offer expired",
            LinkRefusal::Begun => "The appointment has begun",
            LinkRefusal::AlreadyUsed => "Link used already",
        }
    }

    pub fn detail_de(self) -> &'static str {
        match self {
            LinkRefusal::Filled => "Jemand anderes hat diesen Einsatz schon übernommen. Danke für Ihre Bereitschaft!",
            LinkRefusal::AlreadyAccepted => "Sie haben diesen Einsatz bereits übernommen.",
            LinkRefusal::Withdrew => "Sie haben diesen Einsatz zurückgegeben.",
            LinkRefusal::AlreadyDeclined => "Sie haben dieses Angebot bereits abgelehnt.",
            LinkRefusal::Cancelled => "Dieser Termin wurde abgesagt. Sie müssen nichts weiter tun.",
            LinkRefusal::Expired => "Dieses Angebot ist abgelaufen.",
            LinkRefusal::Begun => "Der Termin hat bereits begonnen. Bitte rufen Sie die zuständige Fachkraft an.",
            LinkRefusal::AlreadyUsed => "Dieser Link wurde gerade schon verwendet.",
        }
    }

    /// Also the error message in JSON.
    pub fn detail_en(self) -> &'static str {
        match self {
            LinkRefusal::Filled => "this job has been filled by someone else",
            LinkRefusal::AlreadyAccepted => "you have accepted this job already",
            LinkRefusal::Withdrew => "you have given this job back",
            LinkRefusal::AlreadyDeclined => "you have declined this offer already",
            LinkRefusal::Cancelled => "the appointment was cancelled",
            LinkRefusal::Expired => "this offer has expired",
            LinkRefusal::Begun => "the appointment has begun; please call the caseworker",
            LinkRefusal::AlreadyUsed => "this link has been used already",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn offer(state: OfferState) -> Offer {
        Offer {
            id: Uuid::nil(),
            request_id: Uuid::nil(),
            volunteer_id: Uuid::nil(),
            state,
            wave: 1,
            sent_at: at("2026-11-21T10:00:00Z"),
            expires_at: at("2026-11-25T10:00:00Z"),
            responded_at: None,
            withdrew_at: None,
            link_nonce: None,
            window_accepted_at: None,
        }
    }

    const NOW: &str = "2026-11-22T10:00:00Z";

    #[test]
    fn an_acceptance_in_a_window_waits_for_the_close_even_past_the_offers_expiry() {
        let mut collected = offer(OfferState::Sent);
        collected.window_accepted_at = Some(at("2026-11-22T09:00:00Z"));
        collected.expires_at = at("2026-11-22T09:30:00Z");
        assert_eq!(
            offer_page_status(&collected, RequestStatus::Open, at(NOW)),
            OfferPageStatus::Pending
        );
        // The close gave the job to someone else and withdrew this offer.
        collected.state = OfferState::Withdrawn;
        assert_eq!(
            offer_page_status(&collected, RequestStatus::Assigned, at(NOW)),
            OfferPageStatus::Filled
        );
    }

    #[test]
    fn a_sent_offer_past_its_expiry_is_expired() {
        let mut lapsed = offer(OfferState::Sent);
        lapsed.expires_at = at("2026-11-22T09:00:00Z");
        assert_eq!(effective_state(&lapsed, at(NOW)), OfferState::Expired);
        assert_eq!(
            offer_page_status(&lapsed, RequestStatus::Open, at(NOW)),
            OfferPageStatus::Expired
        );
        assert_eq!(effective_state(&offer(OfferState::Sent), at(NOW)), OfferState::Sent);
    }

    #[test]
    fn the_page_says_filled_cancelled_or_withdrew_as_it_happened() {
        let now = at(NOW);
        let withdrawn = offer(OfferState::Withdrawn);
        assert_eq!(
            offer_page_status(&withdrawn, RequestStatus::Assigned, now),
            OfferPageStatus::Filled
        );
        assert_eq!(
            offer_page_status(&withdrawn, RequestStatus::Cancelled, now),
            OfferPageStatus::Cancelled
        );
        assert_eq!(
            offer_page_status(&offer(OfferState::Accepted), RequestStatus::Cancelled, now),
            OfferPageStatus::Cancelled
        );
        let mut gave_back = offer(OfferState::Withdrawn);
        gave_back.withdrew_at = Some(now);
        assert_eq!(
            offer_page_status(&gave_back, RequestStatus::Open, now),
            OfferPageStatus::Withdrew
        );
        // Withdrawn for someone else who then gave the job back: the link stays dead.
        assert_eq!(
            offer_page_status(&withdrawn, RequestStatus::Open, now),
            OfferPageStatus::Expired
        );
    }

    #[test]
    fn every_refusal_has_its_own_code_and_both_languages() {
        let all = [
            LinkRefusal::Filled,
            LinkRefusal::AlreadyAccepted,
            LinkRefusal::Withdrew,
            LinkRefusal::AlreadyDeclined,
            LinkRefusal::Cancelled,
            LinkRefusal::Expired,
            LinkRefusal::Begun,
            LinkRefusal::AlreadyUsed,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), all.len());
        for refusal in all {
            assert_eq!(serde_json::to_value(refusal).unwrap(), refusal.code());
            assert!(!refusal.title_de().is_empty() && !refusal.detail_en().is_empty());
            assert_ne!(refusal.detail_de(), refusal.detail_en());
        }
        assert!(LinkRefusal::Filled.is_conflict());
        assert!(!LinkRefusal::Cancelled.is_conflict());
        assert_eq!(
            LinkRefusal::for_status(OfferPageStatus::Accepted, true),
            LinkRefusal::Begun
        );
        assert_eq!(
            LinkRefusal::for_status(OfferPageStatus::Accepted, false),
            LinkRefusal::AlreadyAccepted
        );
    }

    #[test]
    fn only_an_assigned_request_that_has_begun_can_be_completed() {
        let starts = at("2026-11-22T09:00:00Z");
        assert!(completion_refused(RequestStatus::Assigned, starts, at(NOW)).is_none());
        assert!(completion_refused(RequestStatus::Assigned, at("2026-11-23T09:00:00Z"), at(NOW)).is_some());
        assert!(completion_refused(RequestStatus::Open, starts, at(NOW)).is_some());
    }
}
