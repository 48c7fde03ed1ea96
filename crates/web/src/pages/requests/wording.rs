//! How many volunteers speak the language and qualify, in sentences that agree with their
//! number in German and English: nobody, one, many.

use crate::i18n::Lang;

/// The new-request form's live hint: "2 Ehrenamtliche kommen für diesen Termin in Frage (9
/// sprechen die Sprache)."
pub(crate) fn form_hint(lang: Lang, qualifying: usize, speakers: usize) -> String {
    let speak = speak(lang, speakers);
    match (lang, qualifying) {
        (Lang::De, 0) => format!("Niemand kommt für diesen Termin in Frage ({speak})."),
        (Lang::De, 1) => format!("1 Ehrenamtliche/r kommt für diesen Termin in Frage ({speak})."),
        (Lang::De, n) => format!("{n} Ehrenamtliche kommen für diesen Termin in Frage ({speak})."),
        (Lang::En, 0) => format!("Nobody qualifies for this appointment ({speak})."),
        (Lang::En, 1) => format!("1 volunteer qualifies for this appointment ({speak})."),
        (Lang::En, n) => format!("{n} volunteers qualify for this appointment ({speak})."),
    }
}

/// "niemand spricht die Sprache", "1 spricht die Sprache", "9 sprechen die Sprache".
pub(crate) fn speak(lang: Lang, speakers: usize) -> String {
    match (lang, speakers) {
        (Lang::De, 0) => "niemand spricht die Sprache".to_owned(),
        (Lang::De, 1) => "1 spricht die Sprache".to_owned(),
        (Lang::De, n) => format!("{n} sprechen die Sprache"),
        (Lang::En, 0) => "nobody speaks the language".to_owned(),
        (Lang::En, 1) => "1 speaks the language".to_owned(),
        (Lang::En, n) => format!("{n} speak the language"),
    }
}

/// "niemand kommt in Frage", "1 kommt in Frage", "2 kommen in Frage".
pub(crate) fn qualify(lang: Lang, qualifying: usize) -> String {
    match (lang, qualifying) {
        (Lang::De, 0) => "niemand kommt in Frage".to_owned(),
        (Lang::De, 1) => "1 kommt in Frage".to_owned(),
        (Lang::De, n) => format!("{n} kommen in Frage"),
        (Lang::En, 0) => "nobody qualifies".to_owned(),
        (Lang::En, 1) => "1 qualifies".to_owned(),
        (Lang::En, n) => format!("{n} qualify"),
    }
}

/// The heading of a request's "why so few" hint (shown when fewer than two qualify).
pub(crate) fn few_heading(lang: Lang, qualifying: usize) -> String {
    match (lang, qualifying) {
        (Lang::De, 0) => "Niemand kommt in Frage".to_owned(),
        (Lang::De, 1) => "Nur 1 Ehrenamtliche/r kommt in Frage".to_owned(),
        (Lang::De, n) => format!("Nur {n} Ehrenamtliche kommen in Frage"),
        (Lang::En, 0) => "Nobody qualifies".to_owned(),
        (Lang::En, 1) => "Only 1 volunteer qualifies".to_owned(),
        (Lang::En, n) => format!("Only {n} volunteers qualify"),
    }
}

/// "9 Ehrenamtliche sprechen die Sprache, 1 kommt in Frage."
pub(crate) fn speakers_and_qualifying(lang: Lang, speakers: usize, qualifying: usize) -> String {
    let speakers = match (lang, speakers) {
        (Lang::De, 0) => "Niemand im Pool spricht die Sprache".to_owned(),
        (Lang::De, 1) => "1 Ehrenamtliche/r spricht die Sprache".to_owned(),
        (Lang::De, n) => format!("{n} Ehrenamtliche sprechen die Sprache"),
        (Lang::En, 0) => "Nobody in the pool speaks the language".to_owned(),
        (Lang::En, 1) => "1 volunteer speaks the language".to_owned(),
        (Lang::En, n) => format!("{n} volunteers speak the language"),
    };
    format!("{speakers}, {}", qualify(lang, qualifying))
}

/// "; 61 weitere sprechen sie nicht" for the candidates page; nothing when everyone speaks it.
pub(crate) fn not_speaking(lang: Lang, others: usize) -> String {
    match (lang, others) {
        (_, 0) => String::new(),
        (Lang::De, 1) => "; 1 weitere/r spricht sie nicht".to_owned(),
        (Lang::De, n) => format!("; {n} weitere sprechen sie nicht"),
        (Lang::En, 1) => "; 1 more does not speak it".to_owned(),
        (Lang::En, n) => format!("; {n} more do not speak it"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_volunteer_is_singular_and_nobody_is_said_so() {
        assert_eq!(
            form_hint(Lang::De, 1, 1),
            "1 Ehrenamtliche/r kommt für diesen Termin in Frage (1 spricht die Sprache)."
        );
        assert_eq!(
            form_hint(Lang::De, 0, 9),
            "Niemand kommt für diesen Termin in Frage (9 sprechen die Sprache)."
        );
        assert_eq!(
            form_hint(Lang::En, 0, 0),
            "Nobody qualifies for this appointment (nobody speaks the language)."
        );
        assert_eq!(
            form_hint(Lang::En, 1, 3),
            "1 volunteer qualifies for this appointment (3 speak the language)."
        );
        assert_eq!(
            form_hint(Lang::De, 2, 2),
            "2 Ehrenamtliche kommen für diesen Termin in Frage (2 sprechen die Sprache)."
        );
        assert_eq!(few_heading(Lang::De, 0), "Niemand kommt in Frage");
        assert_eq!(few_heading(Lang::En, 0), "Nobody qualifies");
        assert_eq!(
            speakers_and_qualifying(Lang::De, 1, 0),
            "1 Ehrenamtliche/r spricht die Sprache, niemand kommt in Frage"
        );
    }
}
