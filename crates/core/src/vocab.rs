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

    #[test]
    fn levels_are_ordered_weakest_first() {
        assert!(Proficiency::Working < Proficiency::Native);
        assert!(GermanLevel::B1 < GermanLevel::C1);
        assert!(GermanLevel::C2 < GermanLevel::Native);
    }
}
