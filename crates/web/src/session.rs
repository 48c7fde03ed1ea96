//! The staff session cookie: its name, flags and parsing. The id in it is a 256-bit token whose
//! hash is the key of `staff_sessions` (see `lp_registry::sessions`).

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// Names and flags follow the public base URL: over https the cookie is `Secure` and carries
/// the `__Host-` prefix, so no subdomain and no plain-http page can set or read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn for_base_url(public_base_url: &str) -> Self {
        Self {
            secure: public_base_url.starts_with("https://"),
        }
    }

    pub fn session_name(self) -> &'static str {
        if self.secure { "__Host-lp_session" } else { "lp_session" }
    }

    fn flags(self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        }
    }

    /// A browser-session cookie: the server ends the session on its own timeouts.
    pub fn set_session(self, headers: &mut HeaderMap, id: &str) {
        let value = format!("{}={id}{}", self.session_name(), self.flags());
        headers.append(
            SET_COOKIE,
            HeaderValue::from_str(&value).expect("token is URL-safe base64"),
        );
    }

    pub fn clear_session(self, headers: &mut HeaderMap) {
        let value = format!("{}={}; Max-Age=0", self.session_name(), self.flags());
        headers.append(SET_COOKIE, HeaderValue::from_str(&value).expect("static cookie text"));
    }

    pub fn session_id(self, headers: &HeaderMap) -> Option<String> {
        cookie(headers, self.session_name()).filter(|id| !id.is_empty())
    }
}

/// The value of cookie `name` from the request's `Cookie` headers. Written by hand: it is a
/// split on `;` and `=`, and a cookie crate would add a dependency for nothing more.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_base_url_gives_host_prefixed_secure_cookie() {
        let policy = CookiePolicy::for_base_url("https://pool.example.org");
        let mut headers = HeaderMap::new();
        policy.set_session(&mut headers, "abc");
        let cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert_eq!(cookie, "__Host-lp_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure");
    }

    #[test]
    fn http_base_url_gives_plain_cookie_without_secure() {
        let policy = CookiePolicy::for_base_url("http://127.0.0.1:8080");
        let mut headers = HeaderMap::new();
        policy.set_session(&mut headers, "abc");
        let cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert_eq!(cookie, "lp_session=abc; Path=/; HttpOnly; SameSite=Lax");
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; lp_session=xyz ; lp_lang=en"));
        assert_eq!(cookie(&headers, "lp_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "lp_lang").as_deref(), Some("en"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
