//! German first, English on request: the language of the staff pages comes from the `lp_lang`
//! cookie, set by the switch in the page header. Texts live beside the page that uses them, in
//! structs made by [`texts!`], so a missing translation is a compile error.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub const COOKIE: &str = "lp_lang";

    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::De => Lang::En,
            Lang::En => Lang::De,
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "de" => Some(Lang::De),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// A day in the reader's format: "03.12.2026" or "3 Dec 2026".
    pub fn day(self, day: chrono::NaiveDate) -> String {
        match self {
            Lang::De => lp_core::when::day_de(day),
            Lang::En => lp_core::when::day_en(day),
        }
    }

    /// Picks the German or English variant.
    pub fn pick<T>(self, de: T, en: T) -> T {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

impl Lang {
    /// The reader's language, from the cookie the switch sets; German without one.
    pub fn of_headers(headers: &axum::http::HeaderMap) -> Lang {
        crate::session::cookie(headers, Lang::COOKIE)
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default()
    }
}

impl FromRequestParts<AppState> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Infallible> {
        Ok(Lang::of_headers(&parts.headers))
    }
}

/// Declares a struct of UI strings with a German and an English instance:
/// `texts! { pub struct LoginTexts { title: "Anmelden" / "Sign in", } }`, then
/// `LoginTexts::of(lang).title`.
macro_rules! texts {
    ($vis:vis struct $name:ident { $($field:ident: $de:literal / $en:literal,)* }) => {
        $vis struct $name { $(pub $field: &'static str,)* }
        impl $name {
            pub fn of(lang: $crate::i18n::Lang) -> &'static $name {
                const DE: $name = $name { $($field: $de,)* };
                const EN: $name = $name { $($field: $en,)* };
                match lang {
                    $crate::i18n::Lang::De => &DE,
                    $crate::i18n::Lang::En => &EN,
                }
            }
        }
    };
}
pub(crate) use texts;

#[cfg(test)]
mod tests {
    /// The link pages show English below the German; screen readers read it in English only
    /// when the element says so (WCAG 3.1.2, language of parts).
    #[test]
    fn every_english_part_of_a_bilingual_page_says_it_is_english() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("class=\"en\"") {
                let tag_end = at + text[at..].find('>').unwrap();
                assert!(
                    text[at..tag_end].contains("lang=\"en\""),
                    "{}: an English part without lang=\"en\" at byte {at}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked > 40, "only {checked} English parts found");
    }
}
