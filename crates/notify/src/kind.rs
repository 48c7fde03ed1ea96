//! What a message is about: the kind each template writes on its outbox row, with the names
//! staff read on the outbox page (German and English), in one place.

/// The kinds of message in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    Offer,
    OfferFilled,
    AssignmentConfirmed,
    InterpreterFound,
    RequestCancelled,
    RequestUnfilled,
    InterpreterWithdrew,
    Reminder,
    AvailabilityLink,
    Nachweis,
    StaffWelcome,
    TrainingInvitation,
    TrainingRegistered,
    TrainingMovedUp,
    TrainingWaiting,
    TrainingReminder,
    TrainingCancelled,
    TrainingExpiring,
}

impl MailKind {
    pub const ALL: &'static [MailKind] = &[
        MailKind::Offer,
        MailKind::OfferFilled,
        MailKind::AssignmentConfirmed,
        MailKind::InterpreterFound,
        MailKind::RequestCancelled,
        MailKind::RequestUnfilled,
        MailKind::InterpreterWithdrew,
        MailKind::Reminder,
        MailKind::AvailabilityLink,
        MailKind::Nachweis,
        MailKind::StaffWelcome,
        MailKind::TrainingInvitation,
        MailKind::TrainingRegistered,
        MailKind::TrainingMovedUp,
        MailKind::TrainingWaiting,
        MailKind::TrainingReminder,
        MailKind::TrainingCancelled,
        MailKind::TrainingExpiring,
    ];

    /// The spelling stored on the outbox row.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Offer => "offer",
            MailKind::OfferFilled => "offer_filled",
            MailKind::AssignmentConfirmed => "assignment_confirmed",
            MailKind::InterpreterFound => "interpreter_found",
            MailKind::RequestCancelled => "request_cancelled",
            MailKind::RequestUnfilled => "request_unfilled",
            MailKind::InterpreterWithdrew => "interpreter_withdrew",
            MailKind::Reminder => "reminder",
            MailKind::AvailabilityLink => "availability_link",
            MailKind::Nachweis => "nachweis",
            MailKind::StaffWelcome => "staff_welcome",
            MailKind::TrainingInvitation => "training_invitation",
            MailKind::TrainingRegistered => "training_registered",
            MailKind::TrainingMovedUp => "training_moved_up",
            MailKind::TrainingWaiting => "training_waiting",
            MailKind::TrainingReminder => "training_reminder",
            MailKind::TrainingCancelled => "training_cancelled",
            MailKind::TrainingExpiring => "training_expiring",
        }
    }

    /// The kind stored on a row, if it is one of the catalogue's.
    pub fn parse(text: &str) -> Option<MailKind> {
        MailKind::ALL.iter().copied().find(|kind| kind.as_str() == text)
    }

    pub fn name_de(self) -> &'static str {
        match self {
            MailKind::Offer => "Einsatzangebot",
            MailKind::OfferFilled => "Angebot anderweitig vergeben",
            MailKind::AssignmentConfirmed => "Einsatzbestätigung",
            MailKind::InterpreterFound => "Dolmetscher/in gefunden",
            MailKind::RequestCancelled => "Termin abgesagt",
            MailKind::RequestUnfilled => "Anfrage nicht besetzt",
            MailKind::InterpreterWithdrew => "Einsatz zurückgegeben",
            MailKind::Reminder => "Erinnerung an den Einsatz",
            MailKind::AvailabilityLink => "Link zur Verfügbarkeit",
            MailKind::Nachweis => "Ehrenamtsnachweis",
            MailKind::StaffWelcome => "Zugang für Mitarbeitende",
            MailKind::TrainingInvitation => "Einladung zur Schulung",
            MailKind::TrainingRegistered => "Schulung: angemeldet",
            MailKind::TrainingMovedUp => "Schulung: nachgerückt",
            MailKind::TrainingWaiting => "Schulung: Warteliste",
            MailKind::TrainingReminder => "Erinnerung an die Schulung",
            MailKind::TrainingCancelled => "Schulung abgesagt",
            MailKind::TrainingExpiring => "Schulung läuft ab",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            MailKind::Offer => "Offer",
            MailKind::OfferFilled => "Offer filled by someone else",
            MailKind::AssignmentConfirmed => "Assignment confirmed",
            MailKind::InterpreterFound => "Interpreter found",
            MailKind::RequestCancelled => "Appointment cancelled",
            MailKind::RequestUnfilled => "Request unfilled",
            MailKind::InterpreterWithdrew => "Assignment given back",
            MailKind::Reminder => "Assignment reminder",
            MailKind::AvailabilityLink => "Availability link",
            MailKind::Nachweis => "Record of volunteer work",
            MailKind::StaffWelcome => "Staff access",
            MailKind::TrainingInvitation => "Training invitation",
            MailKind::TrainingRegistered => "Training: registered",
            MailKind::TrainingMovedUp => "Training: moved up",
            MailKind::TrainingWaiting => "Training: waiting list",
            MailKind::TrainingReminder => "Training reminder",
            MailKind::TrainingCancelled => "Training cancelled",
            MailKind::TrainingExpiring => "Training expiring",
        }
    }
}

impl From<MailKind> for String {
    fn from(kind: MailKind) -> String {
        kind.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_has_its_own_names() {
        let mut seen = std::collections::HashSet::new();
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(*kind));
            assert!(seen.insert(kind.name_de()), "{kind:?}");
            assert_ne!(kind.name_de(), kind.as_str());
        }
        assert_eq!(MailKind::parse("picnic"), None);
    }
}
