//! The pool's recent demand per language, and the scarcity part it feeds: a volunteer who is
//! one of few speakers of a language asked for often is kept free for it.
//!
//! Plain data: the caller counts the requests filed in the last [`DEMAND_WINDOW_DAYS`] by
//! language and hands them over with the profiles to [`RecentDemand::new`], so the service
//! (from its database) and `simulate` (from its model) summarise the pool the same way.

use crate::Profile;
use crate::rules::MIN_PROFICIENCY;
use lp_core::LanguageCode;
use lp_core::vocab::VolunteerStatus;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How far back requests count as recent demand.
pub const DEMAND_WINDOW_DAYS: i64 = 90;

/// One language group's recent demand: requests filed in the window, and the active volunteers
/// who speak a language of the group at working level or better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LanguageDemand {
    pub requests: u32,
    pub speakers: u32,
}

impl LanguageDemand {
    /// Requests per speaker: how much of the group's recent demand each speaker carries. A
    /// group nobody speaks counts as one speaker, so demand without speakers stays finite.
    pub fn per_speaker(&self) -> f64 {
        f64::from(self.requests) / f64::from(self.speakers.max(1))
    }
}

/// The pool's recent demand by language group (a macrolanguage with its members counts once,
/// as the rules let its members serve each other).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecentDemand {
    by_group: HashMap<LanguageCode, LanguageDemand>,
}

impl RecentDemand {
    /// Summarises the languages of the requests filed in the last [`DEMAND_WINDOW_DAYS`] (one
    /// item per request) over `pool`, of whom the active volunteers count as speakers.
    pub fn new(requested: impl IntoIterator<Item = LanguageCode>, pool: &[Profile]) -> Self {
        let mut by_group: HashMap<LanguageCode, LanguageDemand> = HashMap::new();
        for language in requested {
            by_group.entry(language.group()).or_default().requests += 1;
        }
        let mut groups = HashSet::new();
        for profile in pool.iter().filter(|p| p.status == VolunteerStatus::Active) {
            groups.clear();
            groups.extend(
                profile
                    .languages
                    .iter()
                    .filter(|l| l.proficiency >= MIN_PROFICIENCY)
                    .map(|l| l.code.group()),
            );
            for &group in &groups {
                by_group.entry(group).or_default().speakers += 1;
            }
        }
        Self { by_group }
    }

    /// The demand of `language`'s group; zero if nobody asked for it or speaks it.
    pub fn of(&self, language: LanguageCode) -> LanguageDemand {
        self.by_group.get(&language.group()).copied().unwrap_or_default()
    }

    /// No request in the window: every scarcity is 1.
    pub fn is_empty(&self) -> bool {
        self.by_group.values().all(|d| d.requests == 0)
    }

    /// The scarcity part of a volunteer who speaks `spoken` (at working level or better) for a
    /// request in `requested`: 1, unless another of their languages carries more requests per
    /// speaker; then this language's requests per speaker over that one's. A Tigrinya speaker
    /// asked for Arabic ranks lower the more Tigrinya is asked for per speaker than Arabic is,
    /// so they are still free when Tigrinya is asked for. In `[0, 1]`.
    pub fn scarcity(&self, requested: LanguageCode, spoken: impl IntoIterator<Item = LanguageCode>) -> f64 {
        let group = requested.group();
        let here = self.of(requested).per_speaker();
        let elsewhere = spoken
            .into_iter()
            .filter(|code| code.group() != group)
            .map(|code| self.of(code).per_speaker())
            .fold(0.0, f64::max);
        if elsewhere <= here {
            1.0
        } else {
            (here / elsewhere).clamp(0.0, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{MatchConfig, ScoreWeights, rank};
    use lp_core::vocab::Proficiency;
    use std::sync::Arc;

    fn code(text: &str) -> LanguageCode {
        LanguageCode::parse(text).unwrap()
    }

    fn speaker(n: u128, languages: &[&str]) -> Profile {
        let mut p = profile(n);
        p.languages = languages.iter().map(|l| spoken(l, Proficiency::Native)).collect();
        p
    }

    #[test]
    fn demand_counts_requests_and_active_speakers_by_language_group() {
        let mut paused = speaker(3, &["tir"]);
        paused.status = VolunteerStatus::Paused;
        let mut basic = speaker(4, &["tir"]);
        basic.languages[0].proficiency = Proficiency::Basic;
        // Levantine and Standard Arabic are one group: one speaker, counted once.
        let pool = [speaker(1, &["apc", "ara"]), speaker(2, &["tir", "ara"]), paused, basic];
        let demand = RecentDemand::new(["ara", "ara", "apc", "tir"].map(code), &pool);
        assert_eq!(
            demand.of(code("ara")),
            LanguageDemand {
                requests: 3,
                speakers: 2
            }
        );
        assert_eq!(demand.of(code("apc")), demand.of(code("ara")));
        assert_eq!(
            demand.of(code("tir")),
            LanguageDemand {
                requests: 1,
                speakers: 1
            }
        );
        assert_eq!(demand.of(code("som")), LanguageDemand::default());
        assert_eq!(demand.of(code("som")).per_speaker(), 0.0);
    }

    #[test]
    fn scarcity_is_one_unless_another_language_is_needed_more_per_speaker() {
        let mut pool: Vec<Profile> = (1..=8).map(|n| speaker(n, &["ara"])).collect();
        pool.push(speaker(9, &["ara", "tir"]));
        // Arabic: 18 requests over 9 speakers (2 each); Tigrinya: 6 over 1.
        let requested = std::iter::repeat_n(code("ara"), 18).chain(std::iter::repeat_n(code("tir"), 6));
        let demand = RecentDemand::new(requested, &pool);
        assert_eq!(demand.scarcity(code("ara"), [code("ara")]), 1.0);
        assert!((demand.scarcity(code("ara"), [code("ara"), code("tir")]) - 2.0 / 6.0).abs() < 1e-12);
        // Asked for the scarce language itself, nothing is kept from them.
        assert_eq!(demand.scarcity(code("tir"), [code("ara"), code("tir")]), 1.0);
        // No demand at all: everyone 1.
        let none = RecentDemand::new([], &pool);
        assert!(none.is_empty());
        assert_eq!(none.scarcity(code("ara"), [code("ara"), code("tir")]), 1.0);
    }

    #[test]
    fn scarcity_ranks_the_rare_language_speaker_after_an_equal_common_one() {
        let pool = [speaker(1, &["ara", "tir"]), speaker(2, &["ara"])];
        let requested = [code("ara"), code("tir"), code("tir")];
        let mut config = MatchConfig {
            weights: ScoreWeights {
                scarcity: 2.0,
                ..ScoreWeights::default()
            },
            demand: Arc::new(RecentDemand::new(requested, &pool)),
            ..MatchConfig::default()
        };
        let ranking = rank(&request(), &pool, now(), &config);
        let order: Vec<_> = ranking
            .candidates
            .iter()
            .map(|c| (c.volunteer_id, c.parts.scarcity))
            .collect();
        // Arabic 1 request over 2 speakers, Tigrinya 2 over 1: 0.5 / 2.
        assert_eq!(order, vec![(id(2), 1.0), (id(1), 0.25)]);
        assert_eq!(
            crate::CompiledPool::new(&pool, now()).rank(&request(), now(), &config, None),
            ranking
        );
        // With its weight off the part is still shown, but the id breaks the tie.
        config.weights.scarcity = 0.0;
        let ranking = rank(&request(), &pool, now(), &config);
        assert_eq!(ranking.candidates[0].volunteer_id, id(1));
        assert_eq!(ranking.candidates[0].parts.scarcity, 0.25);
    }
}
