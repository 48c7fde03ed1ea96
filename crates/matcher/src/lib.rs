//! Ranks volunteers for one interpreting request: hard rules decide who may be asked at all, a
//! transparent score decides the order. Pure: plain structs and the current time in, no I/O.
//!
//! Every part of the score is returned, not only the total, so a coordinator can see why someone
//! ranks first; every exclusion names the first hard rule it broke, so staff can see why someone
//! was not asked. The order of both lists depends only on the inputs, never on the order of the
//! pool, so a re-run (or a restart of the offer cascade) asks the same people in the same order.

pub mod alternatives;
pub mod cascade;
mod compiled;
mod demand;
mod rules;
mod score;

#[cfg(test)]
mod props;
#[cfg(test)]
mod test_support;

pub use compiled::CompiledPool;
pub use demand::{DEMAND_WINDOW_DAYS, LanguageDemand, RecentDemand};
pub use score::{FAIRNESS_WINDOW_DAYS, RELIABILITY_WINDOW_DAYS, client_key};

use chrono::{DateTime, Duration, Utc};
use lp_core::LanguageCode;
use lp_core::time::{DateRange, WeeklySlot};
use lp_core::vocab::{
    Gender, GenderStrength, GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Re-exported because it is part of [`RankedCandidate`].
pub use lp_core::LanguageFit;

/// The pool's policy knobs. Deserializes with a default for every missing field, so a config
/// file only names what it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchConfig {
    /// Staff and client's helpers must be able to brief the volunteer in German.
    pub min_german: GermanLevel,
    /// Settings where an untrained volunteer is better than nobody (e.g. a school parents'
    /// evening); everywhere else only trained volunteers are asked.
    pub settings_open_to_untrained: Vec<Setting>,
    /// Travel time kept free before and after anything on site, so a volunteer is not booked
    /// across town with no time to get there.
    pub travel_buffer_minutes: u32,
    /// Settings where a way forward never proposes phone or video (therapy relies on being
    /// in the room); the request form itself still allows any mode.
    pub no_remote_suggestions_for: Vec<Setting>,
    pub weights: ScoreWeights,
    /// The pool's recent demand per language, for the scarcity part: not a setting but data
    /// the caller gathers when ranking ([`RecentDemand::new`]), never read from a config file.
    /// Empty (the default), every candidate's scarcity is 1 and the part changes no order.
    #[serde(skip)]
    pub demand: std::sync::Arc<RecentDemand>,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            min_german: GermanLevel::B1,
            settings_open_to_untrained: Vec::new(),
            travel_buffer_minutes: 30,
            no_remote_suggestions_for: vec![Setting::Psychotherapy],
            weights: ScoreWeights::default(),
            demand: Default::default(),
        }
    }
}

/// How much each score part counts. Only the ratios matter: the total is the weighted mean of
/// the parts. A weight of zero (or a negative or non-finite one) switches its part off; if every
/// weight is off, every score is 0 and the tie-breaks alone decide the order.
///
/// Unknown fields are rejected so that a misspelt weight in a config file is an error instead of
/// a silent default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreWeights {
    pub language: f64,
    pub continuity: f64,
    pub fairness: f64,
    pub reliability: f64,
    pub gender: f64,
    pub experience: f64,
    pub scarcity: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        Self {
            language: 3.0,
            continuity: 2.0,
            // Was 2 (issue 3). At 8 the work spreads closer to the most even reachable
            // (`linguapool simulate`, default and staffed towns, seeds 1–5: Gini above the
            // fairest 0.146 → 0.131, fill 95.4 → 95.6 % of the optimum, a minute more to fill).
            fairness: 8.0,
            reliability: 1.0,
            gender: 1.0,
            experience: 1.0,
            // Neutral in the default and staffed towns (their waves reach nearly every
            // candidate), a few more requests filled in the large one with 37 one-speaker
            // languages (`linguapool simulate --town large`).
            scarcity: 4.0,
        }
    }
}

/// A gender wish of the client (e.g. a woman for a gynaecologist's appointment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GenderPreference {
    pub gender: Gender,
    /// `Required` is a hard rule, `Preferred` only a score part.
    pub strength: GenderStrength,
}

/// The part of an interpreting request that matching needs.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSpec {
    pub language: LanguageCode,
    /// Free text such as "syrisch"; only ever a bonus, never a rule, because volunteers describe
    /// their dialects in their own words.
    pub dialect: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub mode: Mode,
    /// Where an on-site appointment is; ignored for phone and video.
    pub town: Option<String>,
    pub setting: Setting,
    pub gender_preference: Option<GenderPreference>,
    /// Opaque reference to the client (family, case number), so the same volunteer can serve
    /// the same people again.
    pub client_ref: Option<String>,
    /// Volunteers who served this client before, looked up by the caller over a longer past
    /// than the profiles' commitments hold (a therapy client seen months ago). Continuity
    /// counts them as well as a past commitment with the same reference.
    pub client_served_by: Vec<Uuid>,
}

impl RequestSpec {
    /// The end of the appointment, `starts_at + duration_minutes`.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.duration_minutes))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpokenLanguage {
    pub code: LanguageCode,
    pub proficiency: Proficiency,
    pub dialect: Option<String>,
}

/// An assignment the volunteer holds or held. Past ones feed fairness, continuity and
/// experience; any that touch the request's time or month feed the overlap and monthly rules.
/// When re-checking at acceptance time, the caller leaves out the request being accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub on_site: bool,
    pub client_ref: Option<String>,
    pub setting: Setting,
}

/// How the volunteer answered the offers of the last [`RELIABILITY_WINDOW_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfferHistory {
    pub accepted: u32,
    pub declined: u32,
    /// Let the offer expire without an answer.
    pub ignored: u32,
    /// Accepted, then dropped out (or did not show up).
    pub withdrawn: u32,
}

/// Everything matching needs to know about one volunteer, gathered by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub volunteer_id: Uuid,
    pub status: VolunteerStatus,
    pub languages: Vec<SpokenLanguage>,
    pub german_level: GermanLevel,
    /// Already derived by the caller (an expired training counts as not trained).
    pub training: TrainingStatus,
    pub pledge_signed: bool,
    /// Their address was refused for good by a mail server: an offer would not reach them, so
    /// they are not asked until the address is changed or the flag cleared.
    pub email_bouncing: bool,
    pub modes: Vec<Mode>,
    /// Towns served on site; compared trimmed and case-insensitively.
    pub service_area: Vec<String>,
    pub excluded_settings: Vec<Setting>,
    pub gender: Option<Gender>,
    pub availability: Vec<WeeklySlot>,
    pub absences: Vec<DateRange>,
    pub commitments: Vec<Commitment>,
    /// `None` means no limit; `Some(0)` means no assignments at all.
    pub max_assignments_per_month: Option<u32>,
    pub offers: OfferHistory,
}

impl Profile {
    /// Speaks the language, or one of its macrolanguage, at any level: whom the "why so few"
    /// hint counts as speaking it at all, before any hard rule.
    pub fn speaks(&self, language: LanguageCode) -> bool {
        self.languages.iter().any(|l| l.code.fit_for(language).is_some())
    }
}

/// A hard rule. Declared in the order the rules are checked, so `Ord` is that order too: the
/// cheap, stable facts about a person first, then their calendar, then this request's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    NotActive,
    Language,
    GermanLevel,
    Untrained,
    NoPledge,
    EmailBouncing,
    Unavailable,
    Absent,
    OverlappingAssignment,
    MonthlyMaximum,
    Mode,
    Town,
    SettingExcluded,
    GenderRequired,
}

impl Rule {
    /// Every rule, in the order they are checked.
    pub const ALL: &'static [Rule] = &[
        Rule::NotActive,
        Rule::Language,
        Rule::GermanLevel,
        Rule::Untrained,
        Rule::NoPledge,
        Rule::EmailBouncing,
        Rule::Unavailable,
        Rule::Absent,
        Rule::OverlappingAssignment,
        Rule::MonthlyMaximum,
        Rule::Mode,
        Rule::Town,
        Rule::SettingExcluded,
        Rule::GenderRequired,
    ];

    /// The same spelling as the serialized form.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NotActive => "not_active",
            Rule::Language => "language",
            Rule::GermanLevel => "german_level",
            Rule::Untrained => "untrained",
            Rule::NoPledge => "no_pledge",
            Rule::EmailBouncing => "email_bouncing",
            Rule::Unavailable => "unavailable",
            Rule::Absent => "absent",
            Rule::OverlappingAssignment => "overlapping_assignment",
            Rule::MonthlyMaximum => "monthly_maximum",
            Rule::Mode => "mode",
            Rule::Town => "town",
            Rule::SettingExcluded => "setting_excluded",
            Rule::GenderRequired => "gender_required",
        }
    }

    /// The rule's short name, for a column or a list on staff pages.
    pub fn name_de(self) -> &'static str {
        match self {
            Rule::NotActive => "nicht aktiv",
            Rule::Language => "Sprache",
            Rule::GermanLevel => "Deutschniveau",
            Rule::Untrained => "Schulung",
            Rule::NoPledge => "Verschwiegenheitserklärung",
            Rule::EmailBouncing => "E-Mail-Adresse",
            Rule::Unavailable => "Wochenplan",
            Rule::Absent => "abwesend",
            Rule::OverlappingAssignment => "anderer Einsatz",
            Rule::MonthlyMaximum => "Monatshöchstzahl",
            Rule::Mode => "Art",
            Rule::Town => "Ort",
            Rule::SettingExcluded => "Bereich ausgeschlossen",
            Rule::GenderRequired => "Geschlecht",
        }
    }

    /// The rule's short name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Rule::NotActive => "not active",
            Rule::Language => "language",
            Rule::GermanLevel => "German level",
            Rule::Untrained => "training",
            Rule::NoPledge => "confidentiality pledge",
            Rule::EmailBouncing => "email address",
            Rule::Unavailable => "weekly availability",
            Rule::Absent => "absent",
            Rule::OverlappingAssignment => "other assignment",
            Rule::MonthlyMaximum => "monthly maximum",
            Rule::Mode => "mode",
            Rule::Town => "town",
            Rule::SettingExcluded => "setting excluded",
            Rule::GenderRequired => "gender",
        }
    }

    /// Why someone was not asked, for staff pages.
    pub fn explain_de(self) -> &'static str {
        match self {
            Rule::NotActive => "Nicht aktiv (pausiert, ausgeschieden oder noch in Bewerbung).",
            Rule::Language => {
                "Spricht die Sprache (oder eine Variante derselben Makrosprache) nicht mindestens auf Arbeitsniveau."
            }
            Rule::GermanLevel => "Deutschkenntnisse unter dem geforderten Mindestniveau.",
            Rule::Untrained => "Keine gültige Schulung; dieser Einsatzbereich verlangt eine.",
            Rule::NoPledge => "Verschwiegenheitserklärung nicht unterschrieben.",
            Rule::EmailBouncing => {
                "Die E-Mail-Adresse wird vom Mailserver dauerhaft abgewiesen; erst nach Korrektur der Adresse (oder Aufheben der Markierung) wieder angefragt."
            }
            Rule::Unavailable => "Laut Wochenplan zu dieser Zeit nicht verfügbar.",
            Rule::Absent => "An diesem Tag abwesend.",
            Rule::OverlappingAssignment => "Hat zu dieser Zeit schon einen Einsatz (Wegezeit eingerechnet).",
            Rule::MonthlyMaximum => "Monatliche Höchstzahl an Einsätzen erreicht.",
            Rule::Mode => "Dolmetscht nicht in dieser Form (vor Ort, Telefon, Video).",
            Rule::Town => "Kommt nicht in diesen Ort.",
            Rule::SettingExcluded => "Hat diesen Einsatzbereich ausgeschlossen.",
            Rule::GenderRequired => "Entspricht nicht dem verbindlichen Geschlechtswunsch.",
        }
    }

    /// Why someone was not asked, for staff pages.
    pub fn explain_en(self) -> &'static str {
        match self {
            Rule::NotActive => "Not active (paused, retired or still an applicant).",
            Rule::Language => {
                "Does not speak the language, or a member of its macrolanguage, at working level or better."
            }
            Rule::GermanLevel => "German below the required minimum level.",
            Rule::Untrained => "No valid training; this setting requires one.",
            Rule::NoPledge => "Confidentiality pledge not signed.",
            Rule::EmailBouncing => {
                "The email address is refused for good by the mail server; asked again once the address is corrected (or the flag cleared)."
            }
            Rule::Unavailable => "Weekly availability does not cover the appointment.",
            Rule::Absent => "Absent on that day.",
            Rule::OverlappingAssignment => "Already has an assignment at that time (travel time included).",
            Rule::MonthlyMaximum => "Monthly maximum of assignments reached.",
            Rule::Mode => "Does not interpret in this mode (on site, phone, video).",
            Rule::Town => "Does not serve this town.",
            Rule::SettingExcluded => "Has opted out of this setting.",
            Rule::GenderRequired => "Does not match the required gender.",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The score parts, each in `[0, 1]`, shown to staff next to the total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreParts {
    pub language: f64,
    pub continuity: f64,
    pub fairness: f64,
    pub reliability: f64,
    pub gender: f64,
    pub experience: f64,
    /// Whether the volunteer is needed more for another language (see [`RecentDemand`]).
    pub scarcity: f64,
}

/// One part of the score: its name in the API (a field of [`ScoreParts`]) and on staff pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScorePart {
    Language,
    Continuity,
    Fairness,
    Reliability,
    Gender,
    Experience,
    Scarcity,
}

impl ScorePart {
    /// Every part, in the order staff see the columns.
    pub const ALL: &'static [ScorePart] = &[
        ScorePart::Language,
        ScorePart::Continuity,
        ScorePart::Fairness,
        ScorePart::Reliability,
        ScorePart::Gender,
        ScorePart::Experience,
        ScorePart::Scarcity,
    ];

    /// The field's name in [`ScoreParts`] as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ScorePart::Language => "language",
            ScorePart::Continuity => "continuity",
            ScorePart::Fairness => "fairness",
            ScorePart::Reliability => "reliability",
            ScorePart::Gender => "gender",
            ScorePart::Experience => "experience",
            ScorePart::Scarcity => "scarcity",
        }
    }

    pub fn name_de(self) -> &'static str {
        match self {
            ScorePart::Language => "Sprache",
            ScorePart::Continuity => "Kontinuität",
            ScorePart::Fairness => "Ausgleich",
            ScorePart::Reliability => "Zuverlässigkeit",
            ScorePart::Gender => "Geschlechtswunsch",
            ScorePart::Experience => "Erfahrung",
            ScorePart::Scarcity => "Knappheit",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ScorePart::Language => "Language fit",
            ScorePart::Continuity => "Continuity",
            ScorePart::Fairness => "Fairness",
            ScorePart::Reliability => "Reliability",
            ScorePart::Gender => "Gender preference",
            ScorePart::Experience => "Experience",
            ScorePart::Scarcity => "Scarcity",
        }
    }

    /// What the part measures, for staff pages.
    pub fn description_de(self) -> &'static str {
        match self {
            ScorePart::Language => {
                "Genaue Sprache vor Variante derselben Makrosprache; Muttersprache vor fließend vor Arbeitsniveau."
            }
            ScorePart::Continuity => "Hat für dieselbe Klientin, denselben Klienten schon gedolmetscht.",
            ScorePart::Fairness => "Weniger Einsätze in den letzten 90 Tagen (und zugesagte) zählen höher.",
            ScorePart::Reliability => "Zugesagte gegenüber unbeantworteten Anfragen, Absagen nach Zusage.",
            ScorePart::Gender => "Erfüllt einen bevorzugten Geschlechtswunsch.",
            ScorePart::Experience => "Erfahrung im Einsatzbereich.",
            ScorePart::Scarcity => {
                "1, außer die Person spricht auch eine Sprache mit mehr Anfragen je Sprecherin, Sprecher (letzte 90 Tage): dann Anfragen je Sprecher dieser Sprache geteilt durch die der anderen. So bleibt, wer eine seltene Sprache spricht, für sie frei."
            }
        }
    }

    /// What the part measures, for the API's documentation.
    pub fn description_en(self) -> &'static str {
        match self {
            ScorePart::Language => "Exact code over macrolanguage sibling; native over fluent over working.",
            ScorePart::Continuity => "Served the same client reference before.",
            ScorePart::Fairness => "Fewer assignments in the last 90 days ranks higher.",
            ScorePart::Reliability => "Accepted versus ignored offers, no-shows.",
            ScorePart::Gender => "Meets a `preferred` gender preference.",
            ScorePart::Experience => "Experience in the setting.",
            ScorePart::Scarcity => {
                "1, unless the volunteer also speaks a language with more recent requests per speaker (last 90 days): then this language's requests per speaker divided by that one's, so a rare language's speaker is kept free for it."
            }
        }
    }
}

impl ScoreParts {
    /// One part's value.
    pub fn get(&self, part: ScorePart) -> f64 {
        match part {
            ScorePart::Language => self.language,
            ScorePart::Continuity => self.continuity,
            ScorePart::Fairness => self.fairness,
            ScorePart::Reliability => self.reliability,
            ScorePart::Gender => self.gender,
            ScorePart::Experience => self.experience,
            ScorePart::Scarcity => self.scarcity,
        }
    }

    /// The weighted mean `Σ wᵢ·pᵢ / Σ wᵢ`, in `[0, 1]`. Weights that are not positive finite
    /// numbers count as zero; with no usable weight the total is 0.
    pub fn weighted_total(&self, weights: &ScoreWeights) -> f64 {
        let pairs = [
            (weights.language, self.language),
            (weights.continuity, self.continuity),
            (weights.fairness, self.fairness),
            (weights.reliability, self.reliability),
            (weights.gender, self.gender),
            (weights.experience, self.experience),
            (weights.scarcity, self.scarcity),
        ];
        let usable = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
        let (sum, total_weight) = pairs.iter().fold((0.0, 0.0), |(sum, total), &(w, part)| {
            (sum + usable(w) * part, total + usable(w))
        });
        if total_weight > 0.0 {
            (sum / total_weight).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedCandidate {
    pub volunteer_id: Uuid,
    pub score: f64,
    pub parts: ScoreParts,
    /// How the language that scored best fits the request.
    pub language_fit: LanguageFit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    pub volunteer_id: Uuid,
    /// The first rule broken, in the order of [`Rule::ALL`].
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// Best first: higher score, then fewer assignments in the last 90 days and to come, then
    /// the smaller volunteer id, so equal inputs always give the same order.
    pub candidates: Vec<RankedCandidate>,
    /// Sorted by rule (in checking order), then volunteer id, so staff see them grouped.
    pub excluded: Vec<Exclusion>,
}

/// Ranks the pool for one request. Each volunteer is either a candidate or excluded, never both.
///
/// The reference implementation, written to be read: it checks every volunteer rule by rule.
/// [`CompiledPool::rank`] gives the same answer much faster when the same pool serves many
/// requests (or a large pool serves one).
pub fn rank(request: &RequestSpec, pool: &[Profile], now: DateTime<Utc>, config: &MatchConfig) -> Ranking {
    let mut scored = Vec::new();
    let mut excluded = Vec::new();
    for profile in pool {
        let volunteer_id = profile.volunteer_id;
        if let Some(rule) = rules::first_violation(request, profile, config) {
            excluded.push(Exclusion { volunteer_id, rule });
            continue;
        }
        // Passing the rules means a qualifying language exists; the `else` only keeps this
        // total if the two modules ever disagree.
        let Some(evaluation) = score::evaluate(request, profile, now, &config.demand) else {
            excluded.push(Exclusion {
                volunteer_id,
                rule: Rule::Language,
            });
            continue;
        };
        let candidate = RankedCandidate {
            volunteer_id,
            score: evaluation.parts.weighted_total(&config.weights),
            parts: evaluation.parts,
            language_fit: evaluation.language_fit,
        };
        scored.push((candidate, evaluation.recent_assignments));
    }
    scored.sort_by(|(a, a_recent), (b, b_recent)| {
        b.score
            .total_cmp(&a.score)
            .then(a_recent.cmp(b_recent))
            .then(a.volunteer_id.cmp(&b.volunteer_id))
    });
    excluded.sort_by_key(|e| (e.rule, e.volunteer_id));
    Ranking {
        candidates: scored.into_iter().map(|(candidate, _)| candidate).collect(),
        excluded,
    }
}

/// The first hard rule the volunteer breaks for this request, if any. Used by [`rank`] and to
/// re-check at acceptance time, when the calendar may have changed since the offer went out.
///
/// No rule depends on `now` today (past commitments cannot overlap a future appointment, and a
/// past commitment earlier in the same month rightly counts towards the monthly maximum); it is
/// taken so both entry points are called alike and a time-dependent rule needs no new signature.
pub fn first_violation(
    request: &RequestSpec,
    profile: &Profile,
    now: DateTime<Utc>,
    config: &MatchConfig,
) -> Option<Rule> {
    let _ = now;
    rules::first_violation(request, profile, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    /// The parts' names are the very fields the API writes, and `get` reads the field so named.
    #[test]
    fn score_parts_are_named_as_serialized() {
        let parts = ScoreParts {
            language: 0.1,
            continuity: 0.2,
            fairness: 0.3,
            reliability: 0.4,
            gender: 0.5,
            experience: 0.6,
            scarcity: 0.7,
        };
        let written = serde_json::to_value(parts).unwrap();
        let fields = written.as_object().unwrap();
        assert_eq!(fields.len(), ScorePart::ALL.len());
        for part in ScorePart::ALL {
            assert_eq!(written[part.as_str()].as_f64(), Some(parts.get(*part)), "{part:?}");
            assert_ne!(part.name_de(), part.as_str());
            assert!(!part.description_de().is_empty() && !part.description_en().is_empty());
        }
    }

    #[test]
    fn builder_profile_is_a_candidate() {
        let ranking = rank(&request(), &[profile(1)], now(), &MatchConfig::default());
        assert!(ranking.excluded.is_empty(), "{:?}", ranking.excluded);
        assert_eq!(ranking.candidates.len(), 1);
        assert_eq!(ranking.candidates[0].language_fit, LanguageFit::Exact);
    }

    #[test]
    fn macrolanguage_speaker_ranks_below_exact_native() {
        let mut levantine = profile(1);
        levantine.languages = vec![spoken("apc", Proficiency::Native)];
        let exact = profile(2);
        let ranking = rank(&request(), &[levantine, exact], now(), &MatchConfig::default());
        let order: Vec<_> = ranking
            .candidates
            .iter()
            .map(|c| (c.volunteer_id, c.language_fit))
            .collect();
        assert_eq!(
            order,
            vec![(id(2), LanguageFit::Exact), (id(1), LanguageFit::Macrolanguage)]
        );
        assert!(ranking.candidates[0].score > ranking.candidates[1].score);
    }

    #[test]
    fn score_is_the_weighted_mean_of_the_parts() {
        let mut volunteer = profile(1);
        volunteer.languages = vec![spoken("ara", Proficiency::Fluent)];
        volunteer.offers = OfferHistory {
            accepted: 3,
            declined: 2,
            ignored: 1,
            withdrawn: 0,
        };
        volunteer.commitments = vec![commitment("2026-11-20 10:00", 60, true)];
        let config = MatchConfig {
            weights: ScoreWeights {
                language: 3.0,
                continuity: 2.0,
                fairness: 0.5,
                reliability: 1.0,
                gender: 1.0,
                experience: 4.0,
                scarcity: 1.5,
            },
            ..MatchConfig::default()
        };
        let candidate = &rank(&request(), &[volunteer], now(), &config).candidates[0];
        let p = candidate.parts;
        let w = config.weights;
        let expected = (w.language * p.language
            + w.continuity * p.continuity
            + w.fairness * p.fairness
            + w.reliability * p.reliability
            + w.gender * p.gender
            + w.experience * p.experience
            + w.scarcity * p.scarcity)
            / (w.language + w.continuity + w.fairness + w.reliability + w.gender + w.experience + w.scarcity);
        assert!(
            (candidate.score - expected).abs() < 1e-12,
            "{} != {expected}",
            candidate.score
        );
        // The parts are not all alike, so the mean is not trivially any one of them.
        assert_eq!(p.fairness, 0.8);
        assert_eq!(p.experience, 0.0);
    }

    #[test]
    fn continuity_counts_whom_the_caller_found_served_the_client_before() {
        let request = RequestSpec {
            client_served_by: vec![id(2)],
            ..request()
        };
        let pool = [profile(1), profile(2)];
        let ranking = rank(&request, &pool, now(), &MatchConfig::default());
        assert_eq!(ranking.candidates[0].volunteer_id, id(2));
        assert_eq!(ranking.candidates[0].parts.continuity, 1.0);
        assert_eq!(ranking.candidates[1].parts.continuity, 0.0);
        assert_eq!(
            CompiledPool::new(&pool, now()).rank(&request, now(), &MatchConfig::default(), None),
            ranking
        );
    }

    #[test]
    fn unusable_weights_give_a_zero_score_not_nan() {
        let parts = ScoreParts {
            language: 1.0,
            continuity: 1.0,
            fairness: 1.0,
            reliability: 1.0,
            gender: 1.0,
            experience: 1.0,
            scarcity: 1.0,
        };
        let off = ScoreWeights {
            language: 0.0,
            continuity: -1.0,
            fairness: f64::NAN,
            reliability: f64::INFINITY,
            gender: 0.0,
            experience: 0.0,
            scarcity: 0.0,
        };
        assert_eq!(parts.weighted_total(&off), 0.0);
        assert_eq!(parts.weighted_total(&ScoreWeights { language: 2.0, ..off }), 1.0);
    }

    #[test]
    fn ranking_does_not_depend_on_pool_order() {
        let mut pool = Vec::new();
        for n in 1..=8u128 {
            let mut p = profile(n);
            // Pairs of identical profiles force the tie-breaks.
            match n % 4 {
                0 => p.languages = vec![spoken("ara", Proficiency::Working)],
                1 => p.commitments = vec![commitment("2026-11-10 10:00", 60, false)],
                2 => {
                    p.offers = OfferHistory {
                        accepted: 4,
                        declined: 1,
                        ignored: 0,
                        withdrawn: 0,
                    }
                }
                _ => {}
            }
            pool.push(p);
        }
        let mut paused = profile(9);
        paused.status = VolunteerStatus::Paused;
        let mut no_pledge = profile(10);
        no_pledge.pledge_signed = false;
        pool.extend([no_pledge, paused]);

        let config = MatchConfig::default();
        let first = rank(&request(), &pool, now(), &config);
        assert_eq!(rank(&request(), &pool, now(), &config), first);
        let mut reversed = pool.clone();
        reversed.reverse();
        assert_eq!(rank(&request(), &reversed, now(), &config), first);
        // A fixed shuffle: stride 3 through 10 elements visits each once.
        let shuffled: Vec<_> = (0..pool.len()).map(|i| pool[(i * 3) % pool.len()].clone()).collect();
        assert_eq!(rank(&request(), &shuffled, now(), &config), first);

        let ids: Vec<_> = first.candidates.iter().map(|c| c.volunteer_id).collect();
        // With fairness weighing 8, the two with a recent assignment rank last.
        assert_eq!(ids, vec![id(2), id(6), id(3), id(7), id(4), id(8), id(1), id(5)]);
        let excluded: Vec<_> = first.excluded.iter().map(|e| (e.rule, e.volunteer_id)).collect();
        assert_eq!(excluded, vec![(Rule::NotActive, id(9)), (Rule::NoPledge, id(10))]);
    }

    #[test]
    fn equal_scores_prefer_fewer_recent_assignments_then_smaller_id() {
        // With fairness switched off, a recent assignment does not lower the score, so only the
        // tie-break tells the two apart.
        let config = MatchConfig {
            weights: ScoreWeights {
                fairness: 0.0,
                ..ScoreWeights::default()
            },
            ..Default::default()
        };
        let mut busy = profile(1);
        busy.commitments = vec![commitment("2026-11-10 10:00", 60, false)];
        let idle_a = profile(3);
        let idle_b = profile(2);
        let ranking = rank(&request(), &[busy, idle_a, idle_b], now(), &config);
        assert!(
            ranking
                .candidates
                .iter()
                .all(|c| c.score == ranking.candidates[0].score)
        );
        let ids: Vec<_> = ranking.candidates.iter().map(|c| c.volunteer_id).collect();
        assert_eq!(ids, vec![id(2), id(3), id(1)]);
    }

    #[test]
    fn rules_are_listed_in_checking_order_and_serialize_as_snake_case() {
        assert!(Rule::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Rule::ALL.len(), 14);
        for rule in Rule::ALL {
            assert_eq!(serde_json::to_string(rule).unwrap(), format!("\"{}\"", rule.as_str()));
            assert!(!rule.explain_de().is_empty() && !rule.explain_en().is_empty());
        }
        assert_eq!(Rule::OverlappingAssignment.as_str(), "overlapping_assignment");
    }

    #[test]
    fn weights_missing_from_config_keep_their_defaults() {
        let weights: ScoreWeights = serde_json::from_str(r#"{ "continuity": 5 }"#).unwrap();
        assert_eq!(
            weights,
            ScoreWeights {
                continuity: 5.0,
                ..ScoreWeights::default()
            }
        );
        assert!(serde_json::from_str::<ScoreWeights>(r#"{ "continuty": 5 }"#).is_err());
        let config: MatchConfig = serde_json::from_str(r#"{ "min_german": "B2" }"#).unwrap();
        assert_eq!(
            config,
            MatchConfig {
                min_german: GermanLevel::B2,
                ..MatchConfig::default()
            }
        );
    }

    #[test]
    fn ranking_serializes_with_parts_and_rule_names() {
        let mut paused = profile(2);
        paused.status = VolunteerStatus::Paused;
        let ranking = rank(&request(), &[profile(1), paused], now(), &MatchConfig::default());
        let json = serde_json::to_value(&ranking).unwrap();
        assert_eq!(json["candidates"][0]["language_fit"], "exact");
        assert_eq!(json["candidates"][0]["parts"]["reliability"], 0.5);
        assert_eq!(json["excluded"][0]["rule"], "not_active");
        let back: Ranking = serde_json::from_value(json).unwrap();
        assert_eq!(back, ranking);
    }
}
