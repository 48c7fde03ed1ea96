//! The score parts of a volunteer who passed the hard rules, each in `[0, 1]`. Kept simple on
//! purpose: a coordinator must be able to recompute every part from the profile by hand.

use crate::rules::{MIN_PROFICIENCY, qualifying_languages};
use crate::{OfferHistory, Profile, RecentDemand, RequestSpec, ScoreParts};
use chrono::{DateTime, Duration, Utc};
use lp_core::LanguageFit;
use lp_core::vocab::{Gender, GenderStrength, Proficiency};

/// How far back "recently" reaches for fairness and the tie-break; callers load at least
/// this much history.
pub const FAIRNESS_WINDOW_DAYS: i64 = 90;
/// Offers sent within this many days make up the reliability part: how someone answers now,
/// not years ago, and a history read by index rather than by a pass over every offer.
pub const RELIABILITY_WINDOW_DAYS: i64 = 365;
/// A sibling in the macrolanguage (Levantine for Arabic) is understood, but less surely.
const MACROLANGUAGE_FACTOR: f64 = 0.7;
/// A matching dialect helps, but never outweighs a better proficiency by itself.
const DIALECT_BONUS: f64 = 0.1;
/// After five assignments in a setting a volunteer knows its routines; more add little.
const EXPERIENCE_SATURATION: usize = 5;

pub(crate) struct Evaluation {
    pub parts: ScoreParts,
    pub language_fit: LanguageFit,
    /// Assignments in the fairness window, also the first tie-break.
    pub recent_assignments: usize,
}

/// The parts for a volunteer, or `None` if no language qualifies (which the rules exclude).
pub(crate) fn evaluate(
    request: &RequestSpec,
    profile: &Profile,
    now: DateTime<Utc>,
    demand: &RecentDemand,
) -> Option<Evaluation> {
    let (language, language_fit) = language(request, profile)?;
    let recent_assignments = recent_assignments(profile, now);
    let parts = ScoreParts {
        language,
        continuity: continuity(request, profile, now),
        fairness: fairness(recent_assignments),
        reliability: reliability(profile.offers),
        gender: gender(request, profile.gender),
        experience: experience(request, profile, now),
        scarcity: demand.scarcity(
            request.language,
            profile
                .languages
                .iter()
                .filter(|l| l.proficiency >= MIN_PROFICIENCY)
                .map(|l| l.code),
        ),
    };
    Some(Evaluation {
        parts,
        language_fit,
        recent_assignments,
    })
}

/// The best of the volunteer's qualifying languages; on equal value an exact fit wins, so the
/// fit shown to staff is the better one.
fn language(request: &RequestSpec, profile: &Profile) -> Option<(f64, LanguageFit)> {
    qualifying_languages(request, profile)
        .map(|(spoken, fit)| {
            let dialect = dialects_match(request.dialect.as_deref(), spoken.dialect.as_deref());
            (language_value(spoken.proficiency, fit, dialect), fit)
        })
        .max_by(better_language)
}

/// One language's part: proficiency, scaled down for a macrolanguage sibling, plus the dialect
/// bonus, capped at 1.
pub(crate) fn language_value(proficiency: Proficiency, fit: LanguageFit, dialect_matches: bool) -> f64 {
    let factor = match fit {
        LanguageFit::Exact => 1.0,
        LanguageFit::Macrolanguage => MACROLANGUAGE_FACTOR,
    };
    let bonus = if dialect_matches { DIALECT_BONUS } else { 0.0 };
    (proficiency_value(proficiency) * factor + bonus).min(1.0)
}

/// The order in which the best language is picked: value, then an exact fit. Not
/// `LanguageFit`'s own order, which this crate does not own.
pub(crate) fn better_language((a, a_fit): &(f64, LanguageFit), (b, b_fit): &(f64, LanguageFit)) -> std::cmp::Ordering {
    let exact = |fit: &LanguageFit| *fit == LanguageFit::Exact;
    a.total_cmp(b).then(exact(a_fit).cmp(&exact(b_fit)))
}

fn proficiency_value(proficiency: Proficiency) -> f64 {
    match proficiency {
        Proficiency::Native => 1.0,
        Proficiency::Fluent => 0.85,
        Proficiency::Working => 0.7,
        // Never reached: below the rules' minimum.
        Proficiency::Basic => 0.0,
    }
}

/// Dialects are free text ("syrisch", "Syrian (Damascus)"), so one containing the other counts.
fn dialects_match(requested: Option<&str>, spoken: Option<&str>) -> bool {
    let (Some(requested), Some(spoken)) = (requested.and_then(dialect_key), spoken.and_then(dialect_key)) else {
        return false;
    };
    dialect_keys_match(&requested, &spoken)
}

/// A dialect note as compared: trimmed and lowercased; `None` when blank, as a blank note
/// matches nothing (although every string contains "").
pub(crate) fn dialect_key(dialect: &str) -> Option<String> {
    let key = dialect.trim().to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// Whether two [`dialect_key`]s match: one contains the other.
pub(crate) fn dialect_keys_match(requested: &str, spoken: &str) -> bool {
    requested.contains(spoken) || spoken.contains(requested)
}

/// Clients, above all in therapy and at schools, do better with a face they already know.
/// Client references are compared trimmed and case-insensitively, as they may be typed by hand.
fn continuity(request: &RequestSpec, profile: &Profile, now: DateTime<Utc>) -> f64 {
    if request.client_served_by.contains(&profile.volunteer_id) {
        return continuity_of(true);
    }
    let Some(client) = request.client_ref.as_deref().map(client_key).filter(|c| !c.is_empty()) else {
        return 0.0;
    };
    let served = profile
        .commitments
        .iter()
        .filter(|c| c.starts_at < now)
        .any(|c| c.client_ref.as_deref().is_some_and(|other| client_key(other) == client));
    continuity_of(served)
}

/// All or nothing: having served the client before is what counts, not how often.
pub(crate) fn continuity_of(served: bool) -> f64 {
    if served { 1.0 } else { 0.0 }
}

/// A client reference as continuity compares it: trimmed and lowercased.
pub fn client_key(reference: &str) -> String {
    reference.trim().to_lowercase()
}

/// Assignments that started in the 90 days before `now`, and those already accepted for later:
/// spreading work keeps volunteers. Work already given counts before it is done, or a
/// volunteer holding five jobs for next week would still rank as unused; that is also when a
/// further offer is least welcome.
pub(crate) fn recent_assignments(profile: &Profile, now: DateTime<Utc>) -> usize {
    let since = now - Duration::days(FAIRNESS_WINDOW_DAYS);
    profile.commitments.iter().filter(|c| since <= c.starts_at).count()
}

/// Fewer recent assignments score higher: each one takes a fifth off (1, 0.8, 0.64, ...).
/// Geometric rather than 1/(1 + n), which is nearly flat past a few jobs: with it a volunteer
/// holding ten recent jobs ranked barely below one holding five, and the busiest kept winning
/// (`linguapool simulate`: Gini 0.532 with it, 0.518 with this, on the default year).
pub(crate) fn fairness(recent_assignments: usize) -> f64 {
    FAIRNESS_DECAY.powi(i32::try_from(recent_assignments).unwrap_or(i32::MAX))
}

/// What one recent assignment leaves of the fairness part.
const FAIRNESS_DECAY: f64 = 0.8;

/// Laplace-smoothed acceptance rate: a newcomer gets 0.5, and an honest "no" costs half of an
/// ignored offer, which costs half of a withdrawal after accepting (the one that hurts clients).
pub(crate) fn reliability(offers: OfferHistory) -> f64 {
    let accepted = f64::from(offers.accepted);
    let penalties = f64::from(offers.declined) / 2.0 + f64::from(offers.ignored) + 2.0 * f64::from(offers.withdrawn);
    (accepted + 1.0) / (accepted + penalties + 2.0)
}

/// Only a `preferred` wish moves the score (a `required` one is a rule, and met by now). With no
/// wish every candidate gets 1, so the part does not change the order.
pub(crate) fn gender(request: &RequestSpec, gender: Option<Gender>) -> f64 {
    match request.gender_preference {
        Some(preference) if preference.strength == GenderStrength::Preferred => {
            if gender == Some(preference.gender) {
                1.0
            } else {
                0.0
            }
        }
        _ => 1.0,
    }
}

fn experience(request: &RequestSpec, profile: &Profile, now: DateTime<Utc>) -> f64 {
    let done = profile
        .commitments
        .iter()
        .filter(|c| c.starts_at < now && c.setting == request.setting)
        .count();
    experience_of(done)
}

/// Past assignments in the setting, saturating at [`EXPERIENCE_SATURATION`].
pub(crate) fn experience_of(done: usize) -> f64 {
    done.min(EXPERIENCE_SATURATION) as f64 / EXPERIENCE_SATURATION as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{Commitment, GenderPreference, MatchConfig, OfferHistory, SpokenLanguage, rank};
    use lp_core::vocab::{Gender, Setting};

    fn parts(request: &RequestSpec, profile: &Profile) -> ScoreParts {
        evaluate(request, profile, now(), &RecentDemand::default())
            .expect("qualifying language")
            .parts
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn language_scores_native_over_fluent_over_working() {
        let mut p = profile(1);
        for (proficiency, expected) in [
            (Proficiency::Native, 1.0),
            (Proficiency::Fluent, 0.85),
            (Proficiency::Working, 0.7),
        ] {
            p.languages = vec![spoken("ara", proficiency)];
            assert!(close(parts(&request(), &p).language, expected), "{proficiency}");
        }
    }

    #[test]
    fn macrolanguage_fit_scales_the_language_part() {
        let mut p = profile(1);
        p.languages = vec![spoken("apc", Proficiency::Native)];
        let evaluation = evaluate(&request(), &p, now(), &RecentDemand::default()).unwrap();
        assert!(close(evaluation.parts.language, 0.7));
        assert_eq!(evaluation.language_fit, LanguageFit::Macrolanguage);
        p.languages = vec![spoken("apc", Proficiency::Working)];
        assert!(close(parts(&request(), &p).language, 0.49));
    }

    #[test]
    fn best_language_counts_and_reports_its_fit() {
        let mut p = profile(1);
        p.languages = vec![
            spoken("apc", Proficiency::Native),
            spoken("ara", Proficiency::Fluent),
            spoken("tur", Proficiency::Native),
        ];
        let evaluation = evaluate(&request(), &p, now(), &RecentDemand::default()).unwrap();
        assert!(close(evaluation.parts.language, 0.85));
        assert_eq!(evaluation.language_fit, LanguageFit::Exact);
        // On equal value the exact fit is the one reported.
        p.languages = vec![spoken("apc", Proficiency::Native), spoken("ara", Proficiency::Working)];
        let evaluation = evaluate(&request(), &p, now(), &RecentDemand::default()).unwrap();
        assert!(close(evaluation.parts.language, 0.7));
        assert_eq!(evaluation.language_fit, LanguageFit::Exact);
    }

    #[test]
    fn matching_dialect_adds_a_capped_bonus() {
        let request = RequestSpec {
            dialect: Some("Syrisch".to_owned()),
            ..request()
        };
        let mut p = profile(1);
        p.languages = vec![SpokenLanguage {
            dialect: Some("syrisch (Damaskus)".to_owned()),
            ..spoken("ara", Proficiency::Working)
        }];
        assert!(close(parts(&request, &p).language, 0.8));
        p.languages[0].proficiency = Proficiency::Native;
        assert_eq!(parts(&request, &p).language, 1.0);
        p.languages[0].dialect = Some("irakisch".to_owned());
        p.languages[0].proficiency = Proficiency::Working;
        assert!(close(parts(&request, &p).language, 0.7));
        // An empty note matches nothing, although every string contains "".
        p.languages[0].dialect = Some("  ".to_owned());
        assert!(close(parts(&request, &p).language, 0.7));
    }

    #[test]
    fn continuity_needs_a_past_assignment_for_the_same_client() {
        let mut p = profile(1);
        let with_client = |start: &str, client: &str| Commitment {
            client_ref: Some(client.to_owned()),
            ..commitment(start, 60, true)
        };
        p.commitments = vec![with_client("2026-11-02 10:00", "K-99")];
        assert_eq!(parts(&request(), &p).continuity, 0.0);
        // A future assignment for the client is no shared history yet.
        p.commitments.push(with_client("2026-12-10 10:00", "K-17"));
        assert_eq!(parts(&request(), &p).continuity, 0.0);
        p.commitments.push(with_client("2025-06-02 10:00", " k-17"));
        assert_eq!(parts(&request(), &p).continuity, 1.0);
        // Without a client reference on the request there is nothing to continue.
        assert_eq!(
            parts(
                &RequestSpec {
                    client_ref: None,
                    ..request()
                },
                &p
            )
            .continuity,
            0.0
        );
    }

    #[test]
    fn fairness_counts_assignments_of_the_last_90_days_and_those_to_come() {
        let mut p = profile(1);
        assert_eq!(parts(&request(), &p).fairness, 1.0);
        p.commitments = vec![
            commitment("2026-11-02 10:00", 60, true),
            commitment("2026-10-01 10:00", 60, true),
            // Older than 90 days: does not count.
            commitment("2026-08-01 10:00", 60, true),
        ];
        assert!(close(parts(&request(), &p).fairness, 0.64));
        // Accepted for later: already given, so it counts.
        p.commitments.push(commitment("2026-12-10 10:00", 60, true));
        assert!(close(parts(&request(), &p).fairness, 0.512));
    }

    #[test]
    fn newcomer_reliability_is_one_half() {
        assert_eq!(parts(&request(), &profile(1)).reliability, 0.5);
    }

    #[test]
    fn ignoring_an_offer_costs_more_than_declining_it() {
        let with = |offers: OfferHistory| {
            let mut p = profile(1);
            p.offers = offers;
            parts(&request(), &p).reliability
        };
        let base = OfferHistory {
            accepted: 4,
            ..OfferHistory::default()
        };
        let declined = with(OfferHistory { declined: 2, ..base });
        let ignored = with(OfferHistory { ignored: 2, ..base });
        let withdrawn = with(OfferHistory { withdrawn: 2, ..base });
        assert!(with(base) > declined && declined > ignored && ignored > withdrawn);
        assert!(close(declined, 5.0 / 7.0));
        assert!(close(ignored, 5.0 / 8.0));
        assert!(close(withdrawn, 5.0 / 10.0));
    }

    #[test]
    fn preferred_gender_counts_only_when_wished() {
        let mut p = profile(1);
        p.gender = Some(Gender::Male);
        assert_eq!(parts(&request(), &p).gender, 1.0);
        let wish = |gender| GenderPreference {
            gender,
            strength: GenderStrength::Preferred,
        };
        assert_eq!(
            parts(
                &RequestSpec {
                    gender_preference: Some(wish(Gender::Female)),
                    ..request()
                },
                &p
            )
            .gender,
            0.0
        );
        assert_eq!(
            parts(
                &RequestSpec {
                    gender_preference: Some(wish(Gender::Male)),
                    ..request()
                },
                &p
            )
            .gender,
            1.0
        );
    }

    #[test]
    fn preferred_gender_ranks_the_match_first() {
        let request = RequestSpec {
            gender_preference: Some(GenderPreference {
                gender: Gender::Female,
                strength: GenderStrength::Preferred,
            }),
            ..request()
        };
        let mut man = profile(1);
        man.gender = Some(Gender::Male);
        let mut woman = profile(2);
        woman.gender = Some(Gender::Female);
        let ranking = rank(&request, &[man, woman], now(), &MatchConfig::default());
        assert_eq!(ranking.candidates.len(), 2);
        assert_eq!(ranking.candidates[0].volunteer_id, id(2));
    }

    #[test]
    fn experience_counts_past_assignments_in_the_setting_up_to_five() {
        let mut p = profile(1);
        let in_setting = |start: &str, setting| Commitment {
            setting,
            ..commitment(start, 60, true)
        };
        p.commitments = vec![
            in_setting("2026-11-02 10:00", Setting::Authority),
            in_setting("2026-11-03 10:00", Setting::Medical),
            in_setting("2026-12-10 10:00", Setting::Authority),
        ];
        assert!(close(parts(&request(), &p).experience, 0.2));
        p.commitments = (1..=8)
            .map(|day| in_setting(&format!("2026-09-{day:02} 10:00"), Setting::Authority))
            .collect();
        assert_eq!(parts(&request(), &p).experience, 1.0);
    }

    #[test]
    fn every_part_stays_within_zero_and_one() {
        let mut p = profile(1);
        p.offers = OfferHistory {
            accepted: u32::MAX,
            declined: u32::MAX,
            ignored: u32::MAX,
            withdrawn: u32::MAX,
        };
        p.languages = vec![SpokenLanguage {
            dialect: Some("x".to_owned()),
            ..spoken("ara", Proficiency::Native)
        }];
        let request = RequestSpec {
            dialect: Some("X".to_owned()),
            ..request()
        };
        let parts = parts(&request, &p);
        for part in [
            parts.language,
            parts.continuity,
            parts.fairness,
            parts.reliability,
            parts.gender,
            parts.experience,
            parts.scarcity,
        ] {
            assert!((0.0..=1.0).contains(&part), "{parts:?}");
        }
    }
}
