//! The closed value sets of the SPEC. Each parses from and prints as the SPEC's spelling, so
//! the API, the database and the templates share one vocabulary.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value outside one of the closed sets; the message lists what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not one of: {allowed}")]
pub struct UnknownValue {
    pub given: String,
    pub allowed: &'static str,
}

// `$text` is a `tt`, not a `literal`: a `literal` fragment reaches derive macros wrapped in an
// invisible group, which serde reads through but utoipa does not (it would document `OnSite`).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        given: s.to_owned(),
                        allowed: concat!($($text, " "),+).trim_ascii_end(),
                    }),
                }
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// How well a volunteer speaks a language; ordered from weakest to strongest.
    Proficiency { Basic = "basic", Working = "working", Fluent = "fluent", Native = "native" }
);

vocabulary!(
    /// CEFR German level; ordered, with `native` above C2.
    GermanLevel { A1 = "A1", A2 = "A2", B1 = "B1", B2 = "B2", C1 = "C1", C2 = "C2", Native = "native" }
);

vocabulary!(
    /// How an appointment is interpreted.
    Mode { OnSite = "on_site", Phone = "phone", Video = "video" }
);

vocabulary!(
    /// Where an appointment takes place, in the sense of its subject matter.
    Setting {
        Authority = "authority",
        Employment = "employment",
        Medical = "medical",
        Psychotherapy = "psychotherapy",
        School = "school",
        Housing = "housing",
        Counselling = "counselling",
        Other = "other",
    }
);

vocabulary!(
    /// Used only to honour a request's gender preference.
    Gender { Female = "female", Male = "male", Diverse = "diverse" }
);

vocabulary!(
    /// Whether a request's gender preference is a wish or a hard rule.
    GenderStrength { Preferred = "preferred", Required = "required" }
);

vocabulary!(
    VolunteerStatus { Applicant = "applicant", Active = "active", Paused = "paused", Retired = "retired" }
);

vocabulary!(
    TrainingStatus { Untrained = "untrained", Trained = "trained", Expired = "expired" }
);

vocabulary!(
    RequestStatus {
        Open = "open",
        Assigned = "assigned",
        Completed = "completed",
        Cancelled = "cancelled",
        Unfilled = "unfilled",
    }
);

vocabulary!(
    OfferState {
        Sent = "sent",
        Accepted = "accepted",
        Declined = "declined",
        Withdrawn = "withdrawn",
        Expired = "expired",
    }
);

vocabulary!(
    /// Staff roles. Volunteers have no account.
    Role { Coordinator = "coordinator", Caseworker = "caseworker" }
);

vocabulary!(
    /// What a training is for: `basic` and `refresher` make a volunteer trained.
    TrainingKind { Basic = "basic", Refresher = "refresher", Topic = "topic" }
);

vocabulary!(
    /// A training as scheduled or called off.
    TrainingState { Scheduled = "scheduled", Cancelled = "cancelled" }
);

vocabulary!(
    /// Where one volunteer stands with one training.
    InvitationState { Invited = "invited", Registered = "registered", Waiting = "waiting", Declined = "declined" }
);

impl TrainingKind {
    /// Attending one makes the volunteer trained for the validity period.
    pub fn counts_for_training_status(self) -> bool {
        matches!(self, TrainingKind::Basic | TrainingKind::Refresher)
    }

    pub fn name_de(self) -> &'static str {
        match self {
            TrainingKind::Basic => "Grundschulung",
            TrainingKind::Refresher => "Auffrischung",
            TrainingKind::Topic => "Themenabend",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            TrainingKind::Basic => "basic training",
            TrainingKind::Refresher => "refresher",
            TrainingKind::Topic => "topic evening",
        }
    }
}

impl InvitationState {
    pub fn name_de(self) -> &'static str {
        match self {
            InvitationState::Invited => "eingeladen",
            InvitationState::Registered => "angemeldet",
            InvitationState::Waiting => "Warteliste",
            InvitationState::Declined => "abgesagt",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            InvitationState::Invited => "invited",
            InvitationState::Registered => "registered",
            InvitationState::Waiting => "waiting list",
            InvitationState::Declined => "declined",
        }
    }
}

impl Setting {
    pub fn name_de(self) -> &'static str {
        match self {
            Setting::Authority => "Behörde",
            Setting::Employment => "Arbeit / Jobcenter",
            Setting::Medical => "Arzt / Klinik",
            Setting::Psychotherapy => "Psychotherapie",
            Setting::School => "Schule / Kita",
            Setting::Housing => "Wohnen",
            Setting::Counselling => "Beratung",
            Setting::Other => "Sonstiges",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Setting::Authority => "public authority",
            Setting::Employment => "employment",
            Setting::Medical => "medical",
            Setting::Psychotherapy => "psychotherapy",
            Setting::School => "school",
            Setting::Housing => "housing",
            Setting::Counselling => "counselling",
            Setting::Other => "other",
        }
    }
}

impl Role {
    pub fn name_de(self) -> &'static str {
        match self {
            Role::Coordinator => "Koordination",
            Role::Caseworker => "Fallbearbeitung",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Caseworker => "caseworker",
        }
    }
}

impl Gender {
    pub fn name_de(self) -> &'static str {
        match self {
            Gender::Female => "weiblich",
            Gender::Male => "männlich",
            Gender::Diverse => "divers",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Diverse => "diverse",
        }
    }
}

impl Mode {
    pub fn name_de(self) -> &'static str {
        match self {
            Mode::OnSite => "vor Ort",
            Mode::Phone => "Telefon",
            Mode::Video => "Video",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Mode::OnSite => "on site",
            Mode::Phone => "phone",
            Mode::Video => "video",
        }
    }
}

impl Proficiency {
    pub fn name_de(self) -> &'static str {
        match self {
            Proficiency::Native => "Muttersprache",
            Proficiency::Fluent => "fließend",
            Proficiency::Working => "arbeitsfähig",
            Proficiency::Basic => "Grundkenntnisse",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Proficiency::Native => "native",
            Proficiency::Fluent => "fluent",
            Proficiency::Working => "working",
            Proficiency::Basic => "basic",
        }
    }
}

/// The CEFR levels read the same in both languages.
impl GermanLevel {
    pub fn name_de(self) -> &'static str {
        match self {
            GermanLevel::Native => "Muttersprache",
            level => level.as_str(),
        }
    }

    pub fn name_en(self) -> &'static str {
        self.as_str()
    }
}

impl GenderStrength {
    pub fn name_de(self) -> &'static str {
        match self {
            GenderStrength::Preferred => "bevorzugt",
            GenderStrength::Required => "erforderlich",
        }
    }

    pub fn name_en(self) -> &'static str {
        self.as_str()
    }
}

impl VolunteerStatus {
    pub fn name_de(self) -> &'static str {
        match self {
            VolunteerStatus::Applicant => "Bewerbung",
            VolunteerStatus::Active => "aktiv",
            VolunteerStatus::Paused => "pausiert",
            VolunteerStatus::Retired => "ausgeschieden",
        }
    }

    pub fn name_en(self) -> &'static str {
        self.as_str()
    }
}

impl TrainingStatus {
    pub fn name_de(self) -> &'static str {
        match self {
            TrainingStatus::Untrained => "nicht geschult",
            TrainingStatus::Trained => "geschult",
            TrainingStatus::Expired => "abgelaufen",
        }
    }

    pub fn name_en(self) -> &'static str {
        self.as_str()
    }
}

impl RequestStatus {
    pub fn name_de(self) -> &'static str {
        match self {
            RequestStatus::Open => "offen",
            RequestStatus::Assigned => "vergeben",
            RequestStatus::Completed => "abgeschlossen",
            RequestStatus::Cancelled => "abgesagt",
            RequestStatus::Unfilled => "nicht besetzt",
        }
    }

    pub fn name_en(self) -> &'static str {
        self.as_str()
    }
}

impl OfferState {
    pub fn name_de(self) -> &'static str {
        match self {
            OfferState::Sent => "gesendet",
            OfferState::Accepted => "angenommen",
            OfferState::Declined => "abgelehnt",
            OfferState::Withdrawn => "zurückgezogen",
            OfferState::Expired => "abgelaufen",
        }
    }

    pub fn name_en(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_their_spec_spelling() {
        for mode in Mode::ALL {
            assert_eq!(mode.as_str().parse::<Mode>().unwrap(), *mode);
        }
        assert_eq!(serde_json::to_string(&Mode::OnSite).unwrap(), "\"on_site\"");
        assert_eq!(serde_json::from_str::<GermanLevel>("\"B2\"").unwrap(), GermanLevel::B2);
    }

    #[test]
    fn unknown_value_lists_the_allowed_ones() {
        let err = "expert".parse::<Proficiency>().unwrap_err();
        assert_eq!(err.to_string(), "`expert` is not one of: basic working fluent native");
    }

    /// The API documents the very spelling serde reads and writes.
    #[test]
    fn schemas_list_the_spec_spelling() {
        fn documented<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()["enum"].clone()
        }
        let spelled = |all: Vec<&str>| serde_json::json!(all);
        assert_eq!(
            documented::<Mode>(),
            spelled(Mode::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            documented::<OfferState>(),
            spelled(OfferState::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            documented::<GermanLevel>(),
            spelled(GermanLevel::ALL.iter().map(|v| v.as_str()).collect())
        );
    }

    /// English names are the SPEC's spelling where that reads as English; CEFR levels are the
    /// same in both languages.
    #[test]
    fn display_names_in_german_and_english() {
        assert_eq!(Proficiency::Working.name_de(), "arbeitsfähig");
        assert_eq!(GermanLevel::B2.name_de(), "B2");
        assert_eq!(GermanLevel::Native.name_de(), "Muttersprache");
        assert_eq!(RequestStatus::Unfilled.name_de(), "nicht besetzt");
        assert_eq!(RequestStatus::Unfilled.name_en(), "unfilled");
        assert_eq!(OfferState::Withdrawn.name_de(), "zurückgezogen");
        assert_eq!(TrainingStatus::Untrained.name_en(), "untrained");
    }

    #[test]
    fn levels_are_ordered_weakest_first() {
        assert!(Proficiency::Working < Proficiency::Native);
        assert!(GermanLevel::B1 < GermanLevel::C1);
        assert!(GermanLevel::C2 < GermanLevel::Native);
    }
}
