//! Cross-site request protection for every state-changing request (forms, link actions, the
//! API with a session cookie): browsers say where a request comes from in `Sec-Fetch-Site`
//! and `Origin`, and a request that comes from another site is refused with 403. Clients
//! that are not browsers send neither and authenticate with a bearer token, which a foreign
//! page cannot attach.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || comes_from_us(request.headers(), &state.web.public_origin) {
        next.run(request).await
    } else {
        ApiError::Forbidden("cross-site requests are refused").into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `public_origin` is `scheme://host[:port]` of the public base URL.
pub fn comes_from_us(headers: &HeaderMap, public_origin: &str) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    // Set by the browser itself and unforgeable by a page, so it decides when present. It
    // also covers pages with `Referrer-Policy: no-referrer`, whose own forms post `Origin: null`.
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match header(ORIGIN.as_str()) {
        None => true,
        Some(origin) => {
            origin == public_origin
                // The address the browser itself used (a proxy in front may rewrite neither):
                // a foreign page cannot make the browser send our Host with its own Origin.
                || header(HOST.as_str()).is_some_and(|host| {
                    origin
                        .split_once("://")
                        .is_some_and(|(_, origin_host)| origin_host.eq_ignore_ascii_case(host))
                })
        }
    }
}

/// `scheme://host[:port]` of a base URL, the form browsers put in `Origin`.
pub fn origin_of(base_url: &str) -> String {
    let (scheme, rest) = base_url.split_once("://").unwrap_or(("http", base_url));
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const US: &str = "https://pool.example.org";

    #[test]
    fn origin_of_strips_the_path() {
        assert_eq!(origin_of("https://pool.example.org/base/"), US);
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn foreign_origin_is_refused() {
        assert!(!comes_from_us(&headers(&[("origin", "https://evil.example")]), US));
        assert!(!comes_from_us(&headers(&[("origin", "null")]), US));
        assert!(!comes_from_us(
            &headers(&[("origin", "https://evil.example"), ("host", "pool.example.org")]),
            US
        ));
    }

    #[test]
    fn cross_site_fetch_metadata_is_refused_even_without_origin() {
        assert!(!comes_from_us(&headers(&[("sec-fetch-site", "cross-site")]), US));
        assert!(!comes_from_us(&headers(&[("sec-fetch-site", "same-site")]), US));
    }

    #[test]
    fn same_origin_fetch_metadata_passes_with_a_null_origin() {
        assert!(comes_from_us(
            &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            US
        ));
    }

    #[test]
    fn own_origin_and_non_browser_clients_pass() {
        assert!(comes_from_us(
            &headers(&[("origin", US), ("sec-fetch-site", "same-origin")]),
            US
        ));
        assert!(comes_from_us(
            &headers(&[("origin", "http://127.0.0.1:4000"), ("host", "127.0.0.1:4000")]),
            US
        ));
        assert!(comes_from_us(&HeaderMap::new(), US));
    }
}
