//! The hard rules: who may be asked at all. One check per [`Rule`], run in the order of
//! [`Rule::ALL`], so an exclusion always names the first rule broken.

use crate::{Commitment, MatchConfig, Profile, RequestSpec, Rule, SpokenLanguage};
use chrono::{DateTime, Datelike, Duration, Utc};
use lp_core::LanguageFit;
use lp_core::time::{POOL_TZ, slots_cover};
use lp_core::vocab::{GenderStrength, Mode, Proficiency, TrainingStatus, VolunteerStatus};

/// Below `working` a volunteer can chat but not interpret at an authority or a doctor's.
pub(crate) const MIN_PROFICIENCY: Proficiency = Proficiency::Working;

pub(crate) fn first_violation(request: &RequestSpec, profile: &Profile, config: &MatchConfig) -> Option<Rule> {
    let check = Check::new(request, profile, config);
    Rule::ALL.iter().copied().find(|&rule| check.breaks(rule))
}

/// The rules that depend on when the appointment is; the others hold or fail whatever the time.
pub(crate) const TIME_RULES: &[Rule] = &[
    Rule::Unavailable,
    Rule::Absent,
    Rule::OverlappingAssignment,
    Rule::MonthlyMaximum,
];

/// Whether the volunteer breaks any of `rules`.
pub(crate) fn breaks_any(request: &RequestSpec, profile: &Profile, config: &MatchConfig, rules: &[Rule]) -> bool {
    let check = Check::new(request, profile, config);
    rules.iter().any(|&rule| check.breaks(rule))
}

/// Every rule broken, not only the first: who is a single step from qualifying.
pub(crate) fn violations(request: &RequestSpec, profile: &Profile, config: &MatchConfig) -> Vec<Rule> {
    let check = Check::new(request, profile, config);
    Rule::ALL.iter().copied().filter(|&rule| check.breaks(rule)).collect()
}

/// The volunteer's languages that may serve the request, with how they fit.
pub(crate) fn qualifying_languages<'a>(
    request: &'a RequestSpec,
    profile: &'a Profile,
) -> impl Iterator<Item = (&'a SpokenLanguage, LanguageFit)> + 'a {
    profile
        .languages
        .iter()
        .filter(|spoken| spoken.proficiency >= MIN_PROFICIENCY)
        .filter_map(|spoken| spoken.code.fit_for(request.language).map(|fit| (spoken, fit)))
}

struct Check<'a> {
    request: &'a RequestSpec,
    profile: &'a Profile,
    config: &'a MatchConfig,
    ends_at: DateTime<Utc>,
}

impl<'a> Check<'a> {
    fn new(request: &'a RequestSpec, profile: &'a Profile, config: &'a MatchConfig) -> Self {
        Self {
            request,
            profile,
            config,
            ends_at: request.ends_at(),
        }
    }

    fn breaks(&self, rule: Rule) -> bool {
        let (request, profile, config) = (self.request, self.profile, self.config);
        match rule {
            Rule::NotActive => profile.status != VolunteerStatus::Active,
            Rule::Language => qualifying_languages(request, profile).next().is_none(),
            Rule::GermanLevel => profile.german_level < config.min_german,
            Rule::Untrained => {
                profile.training != TrainingStatus::Trained
                    && !config.settings_open_to_untrained.contains(&request.setting)
            }
            Rule::NoPledge => !profile.pledge_signed,
            Rule::EmailBouncing => profile.email_bouncing,
            Rule::Unavailable => !slots_cover(&profile.availability, request.starts_at, self.ends_at),
            Rule::Absent => profile
                .absences
                .iter()
                .any(|absence| absence.overlaps_local(request.starts_at, self.ends_at)),
            Rule::OverlappingAssignment => profile.commitments.iter().any(|c| self.overlaps(c)),
            Rule::MonthlyMaximum => profile.max_assignments_per_month.is_some_and(|max| {
                let month = local_month(request.starts_at);
                let held = profile
                    .commitments
                    .iter()
                    .filter(|c| local_month(c.starts_at) == month)
                    .count();
                held >= max as usize
            }),
            Rule::Mode => !profile.modes.contains(&request.mode),
            Rule::Town => {
                let town = request.town.as_deref().map(town_key).filter(|town| !town.is_empty());
                request.mode == Mode::OnSite
                    && town.is_some_and(|town| !profile.service_area.iter().any(|served| town_key(served) == town))
            }
            Rule::SettingExcluded => profile.excluded_settings.contains(&request.setting),
            Rule::GenderRequired => request.gender_preference.is_some_and(|preference| {
                preference.strength == GenderStrength::Required && profile.gender != Some(preference.gender)
            }),
        }
    }

    /// Half-open intervals, so back-to-back phone calls do not collide. When either side is on
    /// site, each is widened by the travel buffer: a gap shorter than the buffer is an overlap.
    fn overlaps(&self, commitment: &Commitment) -> bool {
        let travel = self.request.mode == Mode::OnSite || commitment.on_site;
        let buffer = if travel {
            Duration::minutes(i64::from(self.config.travel_buffer_minutes))
        } else {
            Duration::zero()
        };
        let start = self
            .request
            .starts_at
            .checked_sub_signed(buffer)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let end = self
            .ends_at
            .checked_add_signed(buffer)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        commitment.starts_at < end && start < commitment.ends_at
    }
}

/// Volunteers think in local calendar months: an assignment at 00:30 on the 1st belongs to the
/// new month even though it is still the old month in UTC.
pub(crate) fn local_month(at: DateTime<Utc>) -> (i32, u32) {
    let local = at.with_timezone(&POOL_TZ);
    (local.year(), local.month())
}

/// Towns are typed by hand on both sides; "  tübingen" and "Tübingen" are the same place.
pub(crate) fn town_key(town: &str) -> String {
    town.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{CompiledPool, GenderPreference, rank};
    use chrono::TimeZone;
    use lp_core::time::{DateRange, WeeklySlot};
    use lp_core::vocab::{Gender, GermanLevel, Setting};

    /// Asserts that the profile breaks exactly `rule` (so every other rule passes) and that
    /// `rank` and the compiled pool report it under that rule and not as a candidate.
    fn assert_excluded_only_by(profile: Profile, request: &RequestSpec, config: &MatchConfig, rule: Rule) {
        assert_eq!(violations(request, &profile, config), vec![rule]);
        assert_eq!(first_violation(request, &profile, config), Some(rule));
        let pool = [profile];
        let ranking = rank(request, &pool, now(), config);
        assert!(ranking.candidates.is_empty());
        assert_eq!(ranking.excluded.iter().map(|e| e.rule).collect::<Vec<_>>(), vec![rule]);
        assert_eq!(
            CompiledPool::new(&pool, now()).rank(request, now(), config, None),
            ranking
        );
    }

    /// Asserts that the profile passes every rule, for `rank` and the compiled pool alike.
    fn assert_candidate(profile: &Profile, request: &RequestSpec, config: &MatchConfig) {
        assert!(violations(request, profile, config).is_empty(), "{profile:?}");
        assert_eq!(crate::first_violation(request, profile, now(), config), None);
        let pool = [profile.clone()];
        let ranking = rank(request, &pool, now(), config);
        assert_eq!(ranking.candidates.len(), 1);
        assert_eq!(
            CompiledPool::new(&pool, now()).rank(request, now(), config, None),
            ranking
        );
    }

    #[test]
    fn builder_profile_passes_every_rule() {
        assert_candidate(&profile(1), &request(), &MatchConfig::default());
    }

    #[test]
    fn inactive_volunteer_is_excluded_as_not_active() {
        for status in [
            VolunteerStatus::Applicant,
            VolunteerStatus::Paused,
            VolunteerStatus::Retired,
        ] {
            let mut p = profile(1);
            p.status = status;
            assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::NotActive);
        }
    }

    #[test]
    fn volunteer_without_the_language_is_excluded_as_language() {
        let mut p = profile(1);
        p.languages = vec![spoken("tur", Proficiency::Native), spoken("fas", Proficiency::Native)];
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::Language);
    }

    #[test]
    fn working_is_the_minimum_proficiency() {
        let mut basic = profile(1);
        basic.languages = vec![spoken("ara", Proficiency::Basic)];
        assert_excluded_only_by(basic, &request(), &MatchConfig::default(), Rule::Language);

        let mut working = profile(1);
        working.languages = vec![spoken("ara", Proficiency::Working)];
        assert_candidate(&working, &request(), &MatchConfig::default());
    }

    #[test]
    fn macrolanguage_sibling_counts_as_speaking_the_language() {
        let mut levantine = profile(1);
        levantine.languages = vec![spoken("apc", Proficiency::Working)];
        assert_candidate(&levantine, &request(), &MatchConfig::default());
        // A sibling also serves a request for another sibling.
        let egyptian = RequestSpec {
            language: lang("arz"),
            ..request()
        };
        assert_candidate(&levantine, &egyptian, &MatchConfig::default());
        // But only at working level or better.
        levantine.languages = vec![spoken("apc", Proficiency::Basic)];
        assert_excluded_only_by(levantine, &request(), &MatchConfig::default(), Rule::Language);
    }

    #[test]
    fn weak_german_is_excluded_as_german_level() {
        let mut p = profile(1);
        p.german_level = GermanLevel::A2;
        assert_excluded_only_by(p.clone(), &request(), &MatchConfig::default(), Rule::GermanLevel);
        let lenient = MatchConfig {
            min_german: GermanLevel::A2,
            ..MatchConfig::default()
        };
        assert_candidate(&p, &request(), &lenient);
    }

    #[test]
    fn untrained_volunteer_is_excluded_as_untrained() {
        for training in [TrainingStatus::Untrained, TrainingStatus::Expired] {
            let mut p = profile(1);
            p.training = training;
            assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::Untrained);
        }
    }

    #[test]
    fn untrained_volunteer_is_allowed_only_in_configured_settings() {
        let config = MatchConfig {
            settings_open_to_untrained: vec![Setting::School],
            ..MatchConfig::default()
        };
        let mut p = profile(1);
        p.training = TrainingStatus::Untrained;
        let school = RequestSpec {
            setting: Setting::School,
            ..request()
        };
        assert_candidate(&p, &school, &config);
        let medical = RequestSpec {
            setting: Setting::Medical,
            ..request()
        };
        assert_excluded_only_by(p, &medical, &config, Rule::Untrained);
    }

    #[test]
    fn volunteer_without_pledge_is_excluded_as_no_pledge() {
        let mut p = profile(1);
        p.pledge_signed = false;
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::NoPledge);
    }

    #[test]
    fn volunteer_whose_address_bounces_is_excluded_as_email_bouncing() {
        let mut p = profile(1);
        p.email_bouncing = true;
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::EmailBouncing);
    }

    #[test]
    fn appointment_outside_weekly_slots_is_excluded_as_unavailable() {
        let mut p = profile(1);
        // Thursday mornings only until 10:30; the appointment runs to 11:00.
        p.availability = vec![WeeklySlot::parse("thu", "08:00", "10:30").unwrap()];
        assert_excluded_only_by(p.clone(), &request(), &MatchConfig::default(), Rule::Unavailable);
        p.availability = vec![WeeklySlot::parse("fri", "08:00", "18:00").unwrap()];
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::Unavailable);
    }

    #[test]
    fn sunday_availability_holds_on_both_dst_change_sundays() {
        let mut p = profile(1);
        p.availability = vec![WeeklySlot::parse("sun", "09:00", "12:00").unwrap()];
        let config = MatchConfig::default();
        // 09:00 local is 07:00 UTC after the spring change and 08:00 UTC after the autumn one.
        for (start, too_early) in [
            (
                Utc.with_ymd_and_hms(2027, 3, 28, 7, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2027, 3, 28, 6, 0, 0).unwrap(),
            ),
            (
                Utc.with_ymd_and_hms(2026, 10, 25, 8, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 10, 25, 7, 0, 0).unwrap(),
            ),
        ] {
            let sunday = RequestSpec {
                starts_at: start,
                duration_minutes: 60,
                ..request()
            };
            assert_eq!(sunday.starts_at, at(&format!("{} 09:00", start.format("%Y-%m-%d"))));
            assert_candidate(&p, &sunday, &config);
            assert_eq!(rank(&sunday, &[p.clone()], now(), &config).candidates.len(), 1);
            let early = RequestSpec {
                starts_at: too_early,
                ..sunday
            };
            assert_excluded_only_by(p.clone(), &early, &config, Rule::Unavailable);
        }
    }

    #[test]
    fn absent_volunteer_is_excluded_as_absent() {
        let mut p = profile(1);
        let day = |s: &str| s.parse().unwrap();
        p.absences = vec![DateRange::new(day("2026-11-20"), day("2026-12-03")).unwrap()];
        assert_excluded_only_by(p.clone(), &request(), &MatchConfig::default(), Rule::Absent);
        // An absence ending the day before does not matter.
        p.absences = vec![DateRange::new(day("2026-11-20"), day("2026-12-02")).unwrap()];
        assert_candidate(&p, &request(), &MatchConfig::default());
    }

    #[test]
    fn overlapping_commitment_is_excluded_as_overlapping_assignment() {
        let mut p = profile(1);
        p.commitments = vec![commitment("2026-12-03 10:30", 60, false)];
        let phone = RequestSpec {
            mode: Mode::Phone,
            ..request()
        };
        assert_excluded_only_by(p, &phone, &MatchConfig::default(), Rule::OverlappingAssignment);
    }

    #[test]
    fn on_site_needs_the_travel_buffer_between_jobs() {
        let config = MatchConfig::default();
        let mut p = profile(1);
        p.commitments = vec![commitment("2026-12-03 10:00", 60, true)];
        // 15 minutes after an on-site job ends is too little to travel, whatever the request.
        for mode in [Mode::OnSite, Mode::Phone] {
            let tight = RequestSpec {
                starts_at: at("2026-12-03 11:15"),
                mode,
                ..request()
            };
            assert_excluded_only_by(p.clone(), &tight, &config, Rule::OverlappingAssignment);
        }
        // A gap of exactly the buffer is enough.
        let relaxed = RequestSpec {
            starts_at: at("2026-12-03 11:30"),
            ..request()
        };
        assert_candidate(&p, &relaxed, &config);
        // The buffer applies before the job, too.
        let before = RequestSpec {
            starts_at: at("2026-12-03 08:45"),
            ..request()
        };
        assert_excluded_only_by(p.clone(), &before, &config, Rule::OverlappingAssignment);
        // A smaller buffer makes the tight gap acceptable.
        let quick = MatchConfig {
            travel_buffer_minutes: 10,
            ..MatchConfig::default()
        };
        let tight = RequestSpec {
            starts_at: at("2026-12-03 11:15"),
            ..request()
        };
        assert_candidate(&p, &tight, &quick);
    }

    #[test]
    fn phone_after_phone_needs_no_buffer() {
        let mut p = profile(1);
        p.commitments = vec![commitment("2026-12-03 10:00", 60, false)];
        let call = RequestSpec {
            starts_at: at("2026-12-03 11:00"),
            mode: Mode::Phone,
            ..request()
        };
        assert_candidate(&p, &call, &MatchConfig::default());
        // An on-site request after the same phone call does need the buffer.
        let visit = RequestSpec {
            starts_at: at("2026-12-03 11:00"),
            ..request()
        };
        assert_excluded_only_by(p, &visit, &MatchConfig::default(), Rule::OverlappingAssignment);
    }

    #[test]
    fn full_month_is_excluded_as_monthly_maximum() {
        let mut p = profile(1);
        p.max_assignments_per_month = Some(2);
        p.commitments = vec![
            commitment("2026-12-10 10:00", 60, true),
            commitment("2026-12-20 10:00", 60, true),
        ];
        assert_excluded_only_by(p.clone(), &request(), &MatchConfig::default(), Rule::MonthlyMaximum);
        p.max_assignments_per_month = Some(3);
        assert_candidate(&p, &request(), &MatchConfig::default());
        p.max_assignments_per_month = None;
        assert_candidate(&p, &request(), &MatchConfig::default());
    }

    #[test]
    fn monthly_maximum_counts_the_local_month() {
        let mut p = profile(1);
        p.max_assignments_per_month = Some(1);
        // 00:30 on 1 December in Berlin is still 30 November in UTC: it counts for December.
        p.commitments = vec![commitment("2026-12-01 00:30", 60, false)];
        assert_eq!(p.commitments[0].starts_at.month(), 11);
        assert_excluded_only_by(p.clone(), &request(), &MatchConfig::default(), Rule::MonthlyMaximum);
        // 23:30 on 30 November local is November, and 00:30 on 1 January is January, though
        // the latter is still December in UTC.
        p.commitments = vec![
            commitment("2026-11-30 23:30", 60, false),
            commitment("2027-01-01 00:30", 60, false),
        ];
        assert_eq!(p.commitments[1].starts_at.month(), 12);
        assert_candidate(&p, &request(), &MatchConfig::default());
    }

    #[test]
    fn unserved_mode_is_excluded_as_mode() {
        let mut p = profile(1);
        p.modes = vec![Mode::Phone, Mode::Video];
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::Mode);
    }

    #[test]
    fn unserved_town_is_excluded_as_town() {
        let mut p = profile(1);
        p.service_area = vec!["Tübingen".to_owned()];
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::Town);
    }

    #[test]
    fn town_matches_trimmed_and_case_insensitively() {
        let mut p = profile(1);
        p.service_area = vec!["  tübingen ".to_owned()];
        let request = RequestSpec {
            town: Some("TÜBINGEN".to_owned()),
            ..request()
        };
        assert_candidate(&p, &request, &MatchConfig::default());
    }

    #[test]
    fn phone_and_video_ignore_the_town() {
        let mut p = profile(1);
        p.service_area = Vec::new();
        for mode in [Mode::Phone, Mode::Video] {
            assert_candidate(&p, &RequestSpec { mode, ..request() }, &MatchConfig::default());
        }
        // An on-site request without a town cannot be judged by town.
        assert_candidate(
            &p,
            &RequestSpec {
                town: None,
                ..request()
            },
            &MatchConfig::default(),
        );
    }

    #[test]
    fn excluded_setting_is_excluded_as_setting_excluded() {
        let mut p = profile(1);
        p.excluded_settings = vec![Setting::Psychotherapy, Setting::Authority];
        assert_excluded_only_by(p, &request(), &MatchConfig::default(), Rule::SettingExcluded);
    }

    #[test]
    fn required_gender_not_met_is_excluded_as_gender_required() {
        let required = GenderPreference {
            gender: Gender::Female,
            strength: GenderStrength::Required,
        };
        let request = RequestSpec {
            gender_preference: Some(required),
            ..request()
        };
        let mut p = profile(1);
        for gender in [None, Some(Gender::Male), Some(Gender::Diverse)] {
            p.gender = gender;
            assert_excluded_only_by(p.clone(), &request, &MatchConfig::default(), Rule::GenderRequired);
        }
        p.gender = Some(Gender::Female);
        assert_candidate(&p, &request, &MatchConfig::default());
        // A mere preference never excludes.
        let preferred = GenderPreference {
            strength: GenderStrength::Preferred,
            ..required
        };
        p.gender = Some(Gender::Male);
        assert_candidate(
            &p,
            &RequestSpec {
                gender_preference: Some(preferred),
                ..request
            },
            &MatchConfig::default(),
        );
    }

    #[test]
    fn the_first_rule_in_order_is_reported() {
        let mut p = profile(1);
        p.pledge_signed = false;
        p.modes = vec![Mode::Video];
        p.status = VolunteerStatus::Paused;
        let config = MatchConfig::default();
        assert_eq!(
            violations(&request(), &p, &config),
            vec![Rule::NotActive, Rule::NoPledge, Rule::Mode]
        );
        assert_eq!(first_violation(&request(), &p, &config), Some(Rule::NotActive));
        p.status = VolunteerStatus::Active;
        assert_eq!(first_violation(&request(), &p, &config), Some(Rule::NoPledge));
    }

    #[test]
    fn dari_farsi_and_iranian_persian_serve_each_other() {
        let config = MatchConfig::default();
        for (speaks, requested, fit) in [
            ("prs", "pes", LanguageFit::Macrolanguage),
            ("pes", "prs", LanguageFit::Macrolanguage),
            ("prs", "fas", LanguageFit::Macrolanguage),
            ("fas", "prs", LanguageFit::Macrolanguage),
            ("pes", "fas", LanguageFit::Macrolanguage),
            ("prs", "prs", LanguageFit::Exact),
        ] {
            let mut p = profile(1);
            p.languages = vec![spoken(speaks, Proficiency::Fluent)];
            let request = RequestSpec {
                language: lang(requested),
                ..request()
            };
            assert_candidate(&p, &request, &config);
            let ranking = rank(&request, &[p], now(), &config);
            assert_eq!(ranking.candidates[0].language_fit, fit, "{speaks} for {requested}");
        }
    }

    #[test]
    fn kurmanji_sorani_and_kurdish_serve_each_other() {
        let config = MatchConfig::default();
        for (speaks, requested) in [("kmr", "ckb"), ("ckb", "kmr"), ("kmr", "kur"), ("kur", "ckb")] {
            let mut p = profile(1);
            p.languages = vec![spoken(speaks, Proficiency::Working)];
            let request = RequestSpec {
                language: lang(requested),
                ..request()
            };
            assert_candidate(&p, &request, &config);
            // Below working level the sibling does not count.
            p.languages = vec![spoken(speaks, Proficiency::Basic)];
            assert_excluded_only_by(p, &request, &config, Rule::Language);
        }
    }

    #[test]
    fn macrolanguages_do_not_mix() {
        let config = MatchConfig::default();
        for (speaks, requested) in [("apc", "prs"), ("kmr", "ara"), ("pes", "ckb"), ("tur", "kmr")] {
            let mut p = profile(1);
            p.languages = vec![spoken(speaks, Proficiency::Native)];
            let request = RequestSpec {
                language: lang(requested),
                ..request()
            };
            assert_excluded_only_by(p, &request, &config, Rule::Language);
        }
    }

    #[test]
    fn arabic_varieties_serve_each_other_and_arabic() {
        let config = MatchConfig::default();
        for (speaks, requested) in [("apc", "ara"), ("ara", "apc"), ("arz", "apc"), ("apc", "arz")] {
            let mut p = profile(1);
            p.languages = vec![spoken(speaks, Proficiency::Working)];
            let request = RequestSpec {
                language: lang(requested),
                ..request()
            };
            assert_candidate(&p, &request, &config);
        }
    }

    #[test]
    fn availability_is_wall_clock_across_the_spring_change() {
        // 2027-03-28: 02:00 CET jumps to 03:00 CEST. A slot 03:00–05:00 covers 03:00–04:00
        // local, which is 01:00–02:00 UTC; the same UTC hour a day earlier is 02:00–03:00.
        let mut p = profile(1);
        p.availability = vec![WeeklySlot::parse("sun", "03:00", "05:00").unwrap()];
        let config = MatchConfig::default();
        let after = RequestSpec {
            starts_at: Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap(),
            duration_minutes: 60,
            mode: Mode::Phone,
            ..request()
        };
        assert_eq!(after.starts_at, at("2027-03-28 03:00"));
        assert_candidate(&p, &after, &config);
        let week_before = RequestSpec {
            starts_at: Utc.with_ymd_and_hms(2027, 3, 21, 1, 0, 0).unwrap(),
            ..after.clone()
        };
        assert_excluded_only_by(p, &week_before, &config, Rule::Unavailable);
    }

    #[test]
    fn availability_is_wall_clock_across_the_autumn_change() {
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 18:00 local is 17:00 UTC that
        // evening but 16:00 UTC a week earlier.
        let mut p = profile(1);
        p.availability = vec![WeeklySlot::parse("sun", "18:00", "20:00").unwrap()];
        let config = MatchConfig::default();
        let evening = |y, m, d, h| RequestSpec {
            starts_at: Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap(),
            duration_minutes: 120,
            mode: Mode::Video,
            ..request()
        };
        assert_candidate(&p, &evening(2026, 10, 25, 17), &config);
        assert_candidate(&p, &evening(2026, 10, 18, 16), &config);
        assert_excluded_only_by(p.clone(), &evening(2026, 10, 25, 16), &config, Rule::Unavailable);
        assert_excluded_only_by(p, &evening(2026, 10, 18, 17), &config, Rule::Unavailable);
    }

    #[test]
    fn absence_and_assignments_on_dst_change_days_use_local_days_and_real_time() {
        let day = |s: &str| s.parse().unwrap();
        let config = MatchConfig::default();
        for (sunday, monday) in [("2027-03-28", "2027-03-29"), ("2026-10-25", "2026-10-26")] {
            let mut p = profile(1);
            let appointment = RequestSpec {
                starts_at: at(&format!("{sunday} 09:00")),
                duration_minutes: 60,
                mode: Mode::Phone,
                ..request()
            };
            p.absences = vec![DateRange::new(day(sunday), day(sunday)).unwrap()];
            assert_excluded_only_by(p.clone(), &appointment, &config, Rule::Absent);
            p.absences = vec![DateRange::new(day(monday), day(monday)).unwrap()];
            assert_candidate(&p, &appointment, &config);

            // An on-site job from 00:30 to 08:30 local: eight hours on the wall clock, but
            // seven real hours in spring and nine in autumn. The phone call at 09:00 is just
            // the travel buffer after it; a minute later would be too close.
            p.absences.clear();
            let real_hours = if sunday.starts_with("2027-03") { 7 } else { 9 };
            p.commitments = vec![commitment(&format!("{sunday} 00:30"), real_hours * 60, true)];
            assert_eq!(p.commitments[0].ends_at, at(&format!("{sunday} 08:30")));
            assert_candidate(&p, &appointment, &config);
            p.commitments[0].ends_at += Duration::minutes(1);
            assert_excluded_only_by(p, &appointment, &config, Rule::OverlappingAssignment);
        }
    }
}
