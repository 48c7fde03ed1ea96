//! The acceptance window (`matching.accept_window_minutes`): with a wave of several offers the
//! first "yes" would win whatever the ranking. Instead, acceptances that arrive shortly after
//! the first are collected and the best-ranked of them gets the job when the window closes.
//! The service and `simulate` both decide by these functions.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use uuid::Uuid;

/// When the window opened by the first acceptance at `first` closes: `window_minutes` later,
/// but never after the search's deadline. `None` when there is no window (0 minutes) or the
/// deadline has come: then the first acceptance wins at once, as without a window.
pub fn closes_at(first: DateTime<Utc>, fill_by: DateTime<Utc>, window_minutes: u32) -> Option<DateTime<Utc>> {
    if window_minutes == 0 || fill_by <= first {
        return None;
    }
    Some((first + Duration::minutes(i64::from(window_minutes))).min(fill_by))
}

/// Who of the volunteers who accepted in the window gets the job: the first of them in the
/// matcher's ranking at the close (every score part, fairness included). Someone the ranking
/// no longer lists (a hard rule excludes them now) never wins. `None` if nobody is left.
pub fn winner(ranked: impl IntoIterator<Item = Uuid>, accepted: &HashSet<Uuid>) -> Option<Uuid> {
    ranked.into_iter().find(|id| accepted.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_never_runs_past_the_deadline() {
        let first = at("2026-12-05T10:00:00Z");
        assert_eq!(
            closes_at(first, at("2026-12-05T18:00:00Z"), 15),
            Some(at("2026-12-05T10:15:00Z"))
        );
        assert_eq!(
            closes_at(first, at("2026-12-05T10:05:00Z"), 15),
            Some(at("2026-12-05T10:05:00Z"))
        );
    }

    #[test]
    fn no_window_without_minutes_or_after_the_deadline() {
        let first = at("2026-12-05T10:00:00Z");
        assert_eq!(closes_at(first, at("2026-12-05T18:00:00Z"), 0), None);
        assert_eq!(closes_at(first, first, 15), None);
    }

    #[test]
    fn the_best_ranked_acceptor_wins_not_the_first_to_answer() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        let accepted: HashSet<Uuid> = [ids[3], ids[1]].into_iter().collect();
        assert_eq!(winner(ids.clone(), &accepted), Some(ids[1]));
        let outsider: HashSet<Uuid> = [Uuid::new_v4()].into_iter().collect();
        assert_eq!(winner(ids, &outsider), None);
    }
}
