//! The way forward as staff read it: a [`SearchHint`] worded in German or English (how many
//! qualify, which rules keep the speakers out, what would work instead), and each suggestion
//! as the form fields it changes. The new-request form, the request's page and the board
//! all word it here.

use super::wording;
use crate::i18n::Lang;
use lp_core::vocab::Mode;
use lp_requests::way_forward::{SearchHint, Suggestion};
use serde::Serialize;

/// "Niemand kommt für diesen Termin in Frage (9 sprechen die Sprache)."
pub(crate) fn headline(lang: Lang, hint: &SearchHint) -> String {
    wording::form_hint(lang, hint.qualifying, hint.speakers)
}

/// One line per rule that keeps speakers out: "5 – Laut Wochenplan zu dieser Zeit nicht
/// verfügbar."
pub(crate) fn rule_lines(lang: Lang, hint: &SearchHint) -> Vec<String> {
    hint.excluded_by_rule
        .iter()
        .map(|c| format!("{} – {}", c.count, lang.pick(c.rule.explain_de(), c.rule.explain_en())))
        .collect()
}

/// A suggestion as the form takes it, and as a person reads it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuggestionView {
    /// "Telefon, gleiche Zeit – 3 kommen in Frage"
    pub label: String,
    pub mode: &'static str,
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// `HH:MM`, local.
    pub time: String,
    /// `mode|date|time`, the value of the button that takes it without JavaScript.
    pub value: String,
}

impl SuggestionView {
    pub(crate) fn of(lang: Lang, suggestion: &Suggestion) -> Self {
        let mode = lang.pick(suggestion.mode.name_de(), suggestion.mode.name_en());
        let when = if suggestion.same_time {
            lang.pick("gleiche Zeit", "same time").to_owned()
        } else {
            let at = suggestion.starts_at.with_timezone(&chrono::Utc);
            lang.pick(lp_core::when::de(&at), lp_core::when::en(&at))
        };
        let qualify = wording::qualify(lang, suggestion.qualifying);
        let date = suggestion.starts_at.format("%Y-%m-%d").to_string();
        let time = suggestion.starts_at.format("%H:%M").to_string();
        let mut chars = mode.chars();
        let mode: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        SuggestionView {
            label: format!("{mode}, {when} – {qualify}"),
            mode: suggestion.mode.as_str(),
            value: format!("{}|{date}|{time}", suggestion.mode.as_str()),
            date,
            time,
        }
    }

    /// Reads back a button's `mode|date|time`.
    pub(crate) fn parse_value(value: &str) -> Option<(Mode, String, String)> {
        let mut parts = value.split('|');
        let mode = parts.next()?.parse().ok()?;
        let date = parts.next()?.to_owned();
        let time = parts.next()?.to_owned();
        parts.next().is_none().then_some((mode, date, time))
    }
}

pub(crate) fn suggestions(lang: Lang, hint: &SearchHint) -> Vec<SuggestionView> {
    hint.suggestions.iter().map(|s| SuggestionView::of(lang, s)).collect()
}

/// The hint as a page shows it: under the new-request form (rendered on the server for
/// browsers without JavaScript; the script refreshes it as the caseworker types), and on a
/// request's page.
pub(crate) struct HintBox {
    /// "Niemand kommt in Frage", "Nur 1 Ehrenamtliche/r kommt in Frage"
    pub title: String,
    pub headline: String,
    pub rules: Vec<String>,
    pub suggestions: Vec<SuggestionView>,
    /// Nobody qualifies and the caseworker has not yet said to file it anyway.
    pub ask_to_confirm: bool,
}

impl HintBox {
    /// `asking`: the caseworker is filing, so a request nobody qualifies for asks first.
    pub(crate) fn of(lang: Lang, hint: &SearchHint, asking: bool) -> Self {
        let too_few = hint.too_few();
        HintBox {
            title: wording::few_heading(lang, hint.qualifying),
            headline: headline(lang, hint),
            rules: if too_few { rule_lines(lang, hint) } else { Vec::new() },
            suggestions: suggestions(lang, hint),
            ask_to_confirm: asking && hint.qualifying == 0,
        }
    }
}

/// The whole hint in one line, for a row of the board.
pub(crate) fn one_line(lang: Lang, hint: &SearchHint) -> String {
    let mut line = headline(lang, hint);
    let offers: Vec<String> = suggestions(lang, hint).into_iter().map(|s| s.label).collect();
    if offers.is_empty() {
        line.push_str(lang.pick(
            " Kein anderer Termin in der Nähe passt.",
            " No nearby alternative works.",
        ));
    } else {
        line.push_str(lang.pick(" Vorschläge: ", " Suggestions: "));
        line.push_str(&offers.join(" · "));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_requests::way_forward::RuleCount;

    fn hint(qualifying: usize, speakers: usize) -> SearchHint {
        SearchHint {
            qualifying,
            speakers,
            excluded_by_rule: vec![RuleCount {
                rule: lp_matcher::Rule::Unavailable,
                count: 2,
            }],
            suggestions: vec![Suggestion {
                mode: Mode::Phone,
                starts_at: "2026-12-03T10:00:00+01:00".parse().unwrap(),
                same_time: true,
                qualifying: 3,
            }],
        }
    }

    #[test]
    fn headlines_say_nobody_one_or_many_in_both_languages() {
        assert_eq!(
            headline(Lang::De, &hint(0, 9)),
            "Niemand kommt für diesen Termin in Frage (9 sprechen die Sprache)."
        );
        assert_eq!(
            headline(Lang::De, &hint(1, 1)),
            "1 Ehrenamtliche/r kommt für diesen Termin in Frage (1 spricht die Sprache)."
        );
        assert_eq!(
            headline(Lang::En, &hint(0, 1)),
            "Nobody qualifies for this appointment (1 speaks the language)."
        );
        assert_eq!(
            headline(Lang::En, &hint(4, 9)),
            "4 volunteers qualify for this appointment (9 speak the language)."
        );
        assert_eq!(
            HintBox::of(Lang::De, &hint(0, 9), false).title,
            "Niemand kommt in Frage"
        );
    }

    #[test]
    fn a_suggestion_reads_as_text_and_as_form_fields() {
        let view = SuggestionView::of(Lang::De, &hint(0, 9).suggestions[0]);
        assert_eq!(view.label, "Telefon, gleiche Zeit – 3 kommen in Frage");
        assert_eq!(
            (view.mode, view.date.as_str(), view.time.as_str()),
            ("phone", "2026-12-03", "10:00")
        );
        assert_eq!(
            SuggestionView::parse_value(&view.value),
            Some((Mode::Phone, "2026-12-03".to_owned(), "10:00".to_owned()))
        );
        assert_eq!(SuggestionView::parse_value("phone|2026-12-03"), None);
        assert_eq!(
            rule_lines(Lang::De, &hint(0, 9)),
            ["2 – Laut Wochenplan zu dieser Zeit nicht verfügbar."]
        );
    }
}
