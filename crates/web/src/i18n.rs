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

    /// Picks the German or English variant.
    pub fn pick<T>(self, de: T, en: T) -> T {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

impl FromRequestParts<AppState> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Infallible> {
        Ok(crate::session::cookie(&parts.headers, Lang::COOKIE)
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default())
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
