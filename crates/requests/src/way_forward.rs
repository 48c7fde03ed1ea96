//! A way forward when few or nobody qualify: which rules keep the speakers of the language out,
//! and what would work instead (the matcher's alternatives, by the same rules). Shown live on
//! the new-request form, on the request's page, on the coordinator's board and in the
//! candidates answer.

use chrono::{DateTime, FixedOffset, Utc};
use lp_core::vocab::Mode;
use lp_matcher::alternatives::{self, ENOUGH};
use lp_matcher::{MatchConfig, Profile, Ranking, RequestSpec, Rule};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// How a request fares: how many qualify, how many speak the language, which rule keeps how
/// many speakers out, and, when fewer than two qualify, what would work instead.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchHint {
    pub qualifying: usize,
    /// Volunteers (not retired) who speak the language, or one of its macrolanguage, at all.
    pub speakers: usize,
    /// How many speakers each hard rule keeps out (by the first rule each breaks), in the
    /// order the rules are checked; rules that keep nobody out are left out.
    pub excluded_by_rule: Vec<RuleCount>,
    /// Empty unless fewer than two qualify.
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleCount {
    #[schema(value_type = String, example = "unavailable")]
    pub rule: Rule,
    pub count: usize,
}

/// A change to the request under which at least two volunteers qualify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    #[schema(inline)]
    pub mode: Mode,
    /// Local time with its offset, like the request's own `starts_at`.
    pub starts_at: DateTime<FixedOffset>,
    /// The request's own time, in another mode.
    pub same_time: bool,
    pub qualifying: usize,
}

impl SearchHint {
    /// Whether too few qualify, so the pages show the hint.
    pub fn too_few(&self) -> bool {
        self.qualifying < ENOUGH
    }
}

/// Who counts as speaking the request's language: in the pool and speaking it, or a member of
/// its macrolanguage, at any level.
pub(crate) fn speakers(pool: &[Profile], request: &RequestSpec) -> HashSet<Uuid> {
    pool.iter()
        .filter(|p| p.speaks(request.language))
        .map(|p| p.volunteer_id)
        .collect()
}

/// The hint for `request`, ranked over `pool` as `ranking`.
pub(crate) fn assess(
    request: &RequestSpec,
    pool: &[Profile],
    ranking: &Ranking,
    config: &MatchConfig,
    now: DateTime<Utc>,
) -> SearchHint {
    let speaking = speakers(pool, request);
    let mut excluded_by_rule: Vec<RuleCount> = Vec::new();
    for exclusion in ranking.excluded.iter().filter(|e| speaking.contains(&e.volunteer_id)) {
        match excluded_by_rule.iter_mut().find(|c| c.rule == exclusion.rule) {
            Some(count) => count.count += 1,
            None => excluded_by_rule.push(RuleCount {
                rule: exclusion.rule,
                count: 1,
            }),
        }
    }
    excluded_by_rule.sort_by_key(|c| c.rule);
    let qualifying = ranking.candidates.len();
    let suggestions = if qualifying < ENOUGH {
        alternatives::alternatives(request, pool, now, config)
            .into_iter()
            .map(|a| Suggestion {
                mode: a.mode,
                starts_at: lp_core::time::local(a.starts_at),
                same_time: a.starts_at == request.starts_at,
                qualifying: a.qualifying,
            })
            .collect()
    } else {
        Vec::new()
    };
    SearchHint {
        qualifying,
        speakers: speaking.len(),
        excluded_by_rule,
        suggestions,
    }
}
