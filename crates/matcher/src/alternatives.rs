//! A way forward when too few volunteers qualify: what would work instead, judged by the same
//! hard rules as the ranking (the same time in another mode, or the nearest times around the
//! requested one), and which speakers are a single step from qualifying.

use crate::rules::{self, TIME_RULES};
use crate::{MatchConfig, Profile, RequestSpec, Rule};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use lp_core::time::{POOL_TZ, local_to_utc};
use lp_core::vocab::Mode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A request with fewer qualifying volunteers than this gets alternatives: with two, one may
/// say no and the search still has someone to ask.
pub const ENOUGH: usize = 2;
/// Other times are looked for this many days either side of the requested one.
pub const SEARCH_DAYS: i64 = 7;
/// At most this many other times are suggested, one per day, nearest first.
pub const MAX_TIMES: usize = 3;
/// A suggested time leaves at least this long to find someone.
pub const MIN_NOTICE: Duration = Duration::hours(2);
/// Suggested times start on this grid of minutes.
const STEP_MINUTES: i64 = 30;
/// Suggested appointments lie within office hours (local time): from 07:00 ...
const DAY_OPENS: u32 = 7;
/// ... to 20:00.
const DAY_CLOSES: u32 = 20;

/// The modes a request might move to. On site is never suggested: it needs an address the
/// caseworker would have to find first.
const REMOTE_MODES: [Mode; 2] = [Mode::Phone, Mode::Video];

/// A change to the request under which at least [`ENOUGH`] volunteers qualify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    pub mode: Mode,
    pub starts_at: DateTime<Utc>,
    /// How many volunteers qualify then.
    pub qualifying: usize,
}

/// Speakers who break exactly one hard rule: one step (a training, a signed pledge, another
/// town) would make them candidates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneStepAway {
    pub rule: Rule,
    /// Sorted.
    pub volunteer_ids: Vec<Uuid>,
}

/// What would work instead of `request`, nearest to it first: the same time by phone or video
/// (unless the setting is kept on site), then up to [`MAX_TIMES`] other times in the same
/// mode, or, when none exists, in another mode. Empty when nothing within
/// [`SEARCH_DAYS`] works. Every alternative passes [`crate::first_violation`] for at least
/// [`ENOUGH`] volunteers of `pool`.
pub fn alternatives(
    request: &RequestSpec,
    pool: &[Profile],
    now: DateTime<Utc>,
    config: &MatchConfig,
) -> Vec<Alternative> {
    let speakers: Vec<&Profile> = pool
        .iter()
        .filter(|p| !rules::breaks_any(request, p, config, &[Rule::NotActive, Rule::Language]))
        .collect();
    if speakers.len() < ENOUGH {
        return Vec::new();
    }
    let other_modes: Vec<Mode> = if config.no_remote_suggestions_for.contains(&request.setting) {
        Vec::new()
    } else {
        REMOTE_MODES.into_iter().filter(|m| *m != request.mode).collect()
    };
    let mut found = Vec::new();
    for &mode in &other_modes {
        let moved = with_mode(request, mode);
        let qualifying = speakers
            .iter()
            .filter(|p| rules::first_violation(&moved, p, config).is_none())
            .count();
        if qualifying >= ENOUGH {
            found.push(Alternative {
                mode,
                starts_at: request.starts_at,
                qualifying,
            });
        }
    }
    let earliest = now + MIN_NOTICE;
    let mut times = other_times(&with_mode(request, request.mode), &speakers, earliest, config);
    for &mode in &other_modes {
        if !times.is_empty() {
            break;
        }
        times = other_times(&with_mode(request, mode), &speakers, earliest, config);
    }
    found.extend(times);
    found
}

/// The speakers who break exactly one rule other than the language itself (someone who speaks
/// it only at a basic level is not a step from interpreting), grouped by that rule in checking
/// order.
pub fn one_step_away(request: &RequestSpec, pool: &[Profile], config: &MatchConfig) -> Vec<OneStepAway> {
    let mut groups: Vec<OneStepAway> = Vec::new();
    for profile in pool.iter().filter(|p| p.speaks(request.language)) {
        if let [rule] = rules::violations(request, profile, config)[..]
            && rule != Rule::Language
        {
            match groups.iter_mut().find(|g| g.rule == rule) {
                Some(group) => group.volunteer_ids.push(profile.volunteer_id),
                None => groups.push(OneStepAway {
                    rule,
                    volunteer_ids: vec![profile.volunteer_id],
                }),
            }
        }
    }
    for group in &mut groups {
        group.volunteer_ids.sort_unstable();
    }
    groups.sort_by_key(|g| g.rule);
    groups
}

fn with_mode(request: &RequestSpec, mode: Mode) -> RequestSpec {
    RequestSpec {
        mode,
        ..request.clone()
    }
}

/// The nearest other times for `request` (in its mode) with at least [`ENOUGH`] qualifying:
/// one per local day, at most [`MAX_TIMES`]. Who passes the rules that do not depend on the
/// time is settled once; each time then checks only the calendar rules.
fn other_times(
    request: &RequestSpec,
    speakers: &[&Profile],
    earliest: DateTime<Utc>,
    config: &MatchConfig,
) -> Vec<Alternative> {
    let standing: Vec<&Profile> = speakers
        .iter()
        .copied()
        .filter(|p| {
            let timeless: Vec<Rule> = Rule::ALL.iter().copied().filter(|r| !TIME_RULES.contains(r)).collect();
            !rules::breaks_any(request, p, config, &timeless)
        })
        .collect();
    if standing.len() < ENOUGH {
        return Vec::new();
    }
    let mut found: Vec<Alternative> = Vec::new();
    for starts_at in times_around(request, earliest) {
        let day = starts_at.with_timezone(&POOL_TZ).date_naive();
        if found
            .iter()
            .any(|a| a.starts_at.with_timezone(&POOL_TZ).date_naive() == day)
        {
            continue;
        }
        let moved = RequestSpec {
            starts_at,
            ..request.clone()
        };
        let qualifying = standing
            .iter()
            .filter(|p| !rules::breaks_any(&moved, p, config, TIME_RULES))
            .count();
        if qualifying >= ENOUGH {
            found.push(Alternative {
                mode: request.mode,
                starts_at,
                qualifying,
            });
            if found.len() == MAX_TIMES {
                break;
            }
        }
    }
    found
}

/// Start times on the half hour within office hours, up to [`SEARCH_DAYS`] either side of the
/// requested start and not before `earliest`, nearest first (of two equally near, the earlier).
fn times_around(request: &RequestSpec, earliest: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let requested = request.starts_at;
    let length = Duration::minutes(i64::from(request.duration_minutes));
    let home_day = requested.with_timezone(&POOL_TZ).date_naive();
    let opens = NaiveTime::from_hms_opt(DAY_OPENS, 0, 0).expect("a time of day");
    let mut times = Vec::new();
    for offset in -SEARCH_DAYS..=SEARCH_DAYS {
        let day = home_day + Duration::days(offset);
        let closes = local_to_utc(day, NaiveTime::from_hms_opt(DAY_CLOSES, 0, 0).expect("a time of day"));
        let mut at = local_to_utc(day, opens);
        while at + length <= closes {
            let near = (at - requested).abs() <= Duration::days(SEARCH_DAYS);
            if at != requested && at >= earliest && near {
                times.push(at);
            }
            at += Duration::minutes(STEP_MINUTES);
        }
    }
    times.sort_by_key(|at| ((*at - requested).abs(), *at));
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use lp_core::time::WeeklySlot;
    use lp_core::vocab::Setting;
    use lp_core::vocab::TrainingStatus;

    fn only(day: &str, from: &str, to: &str) -> Vec<WeeklySlot> {
        vec![WeeklySlot::parse(day, from, to).unwrap()]
    }

    /// Two speakers who come to Rottenburg only on Fridays 09:00–12:00, and take calls any
    /// weekday morning; the request is Thursday 10:00 on site.
    fn friday_people() -> Vec<Profile> {
        (1..=2)
            .map(|n| {
                let mut p = profile(n);
                p.modes = vec![Mode::OnSite];
                p.availability = only("fri", "09:00", "12:00");
                p
            })
            .collect()
    }

    fn qualifying(request: &RequestSpec, pool: &[Profile]) -> usize {
        pool.iter()
            .filter(|p| crate::first_violation(request, p, now(), &MatchConfig::default()).is_none())
            .count()
    }

    #[test]
    fn nearest_times_in_the_same_mode_each_with_two_candidates() {
        let pool = friday_people();
        assert_eq!(qualifying(&request(), &pool), 0);
        let found = alternatives(&request(), &pool, now(), &MatchConfig::default());
        // The Friday after is the one day within a week either side (the one before has
        // passed; the next is eight days away), and 09:00 its nearest start to Thursday 10:00.
        let starts: Vec<_> = found.iter().map(|a| (a.mode, a.starts_at)).collect();
        assert_eq!(starts, vec![(Mode::OnSite, at("2026-12-04 09:00"))]);
        for alternative in &found {
            let moved = RequestSpec {
                starts_at: alternative.starts_at,
                mode: alternative.mode,
                ..request()
            };
            assert_eq!(qualifying(&moved, &pool), alternative.qualifying);
            assert!(alternative.qualifying >= ENOUGH);
        }
    }

    #[test]
    fn another_mode_at_the_same_time_comes_first() {
        let mut pool = friday_people();
        for p in &mut pool {
            p.modes = vec![Mode::OnSite, Mode::Phone];
            p.availability = only("thu", "08:00", "12:00");
            p.service_area = vec!["Tübingen".to_owned()];
        }
        assert_eq!(qualifying(&request(), &pool), 0);
        let found = alternatives(&request(), &pool, now(), &MatchConfig::default());
        assert_eq!(
            found[0],
            Alternative {
                mode: Mode::Phone,
                starts_at: request().starts_at,
                qualifying: 2
            }
        );
        // Nobody comes to Rottenburg on any day: the other times are by phone.
        assert!(
            found[1..]
                .iter()
                .all(|a| a.mode == Mode::Phone && a.starts_at != request().starts_at)
        );
        assert!(!found[1..].is_empty());
    }

    #[test]
    fn settings_kept_on_site_get_no_remote_suggestion() {
        let mut pool = friday_people();
        for p in &mut pool {
            p.modes = vec![Mode::OnSite, Mode::Phone, Mode::Video];
            p.service_area = vec!["Tübingen".to_owned()];
        }
        let therapy = RequestSpec {
            setting: Setting::Psychotherapy,
            ..request()
        };
        let config = MatchConfig::default();
        assert!(config.no_remote_suggestions_for.contains(&Setting::Psychotherapy));
        assert_eq!(alternatives(&therapy, &pool, now(), &config), vec![]);
        assert!(!alternatives(&request(), &pool, now(), &config).is_empty());
    }

    #[test]
    fn no_suggestion_in_the_past_or_too_soon() {
        let pool: Vec<Profile> = (1..=2).map(profile).collect();
        let soon = RequestSpec {
            starts_at: now() + Duration::hours(3),
            ..request()
        };
        let late = now() + Duration::hours(1);
        for alternative in alternatives(&soon, &pool, late, &MatchConfig::default()) {
            assert!(alternative.starts_at >= late + MIN_NOTICE, "{alternative:?}");
        }
    }

    #[test]
    fn times_are_nearest_first_within_office_hours_and_the_window() {
        let times = times_around(&request(), now());
        assert_eq!(times[0], at("2026-12-03 09:30"));
        assert_eq!(times[1], at("2026-12-03 10:30"));
        assert!(
            times
                .iter()
                .all(|t| (*t - request().starts_at).abs() <= Duration::days(SEARCH_DAYS))
        );
        assert!(times.iter().all(|t| *t >= now()));
        let local_hours: Vec<u32> = times
            .iter()
            .map(|t| chrono::Timelike::hour(&t.with_timezone(&POOL_TZ)))
            .collect();
        assert!(local_hours.iter().all(|h| (7..=19).contains(h)));
    }

    #[test]
    fn one_step_away_groups_speakers_by_their_only_rule() {
        let mut untrained = profile(3);
        untrained.training = TrainingStatus::Untrained;
        let mut also_untrained = profile(2);
        also_untrained.training = TrainingStatus::Expired;
        let mut two_steps = profile(4);
        two_steps.training = TrainingStatus::Untrained;
        two_steps.pledge_signed = false;
        let mut no_pledge = profile(5);
        no_pledge.pledge_signed = false;
        let mut basic = profile(6);
        basic.languages = vec![spoken("ara", lp_core::vocab::Proficiency::Basic)];
        let candidate = profile(7);
        let pool = [untrained, also_untrained, two_steps, no_pledge, basic, candidate];
        let groups = one_step_away(&request(), &pool, &MatchConfig::default());
        assert_eq!(
            groups,
            vec![
                OneStepAway {
                    rule: Rule::Untrained,
                    volunteer_ids: vec![id(2), id(3)]
                },
                OneStepAway {
                    rule: Rule::NoPledge,
                    volunteer_ids: vec![id(5)]
                },
            ]
        );
    }
}
