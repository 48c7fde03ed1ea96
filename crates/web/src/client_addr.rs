//! Who is on the other end, for rate limits: the peer address, unless the peer is a trusted
//! proxy; then the right-most X-Forwarded-For hop that is not itself a trusted proxy. A client
//! can prepend whatever it likes to X-Forwarded-For, but only hops added by our own proxies
//! are believed.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::IpAddr;
use std::net::{Ipv4Addr, SocketAddr};

/// The client's address as [`client_addr`] finds it. Without connection info (router tests
/// that do not mock it) every caller shares the unspecified address.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
        Ok(ClientAddr(client_addr(
            peer,
            &parts.headers,
            &state.web.trusted_proxies,
        )))
    }
}

pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            // Garbage in the chain was not written by a proxy we trust: stop at the last hop
            // we could believe.
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_claims() {
        let proxies = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_addr(ip("203.0.113.7"), &xff("198.51.100.1"), &proxies),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_addr(ip("203.0.113.7"), &xff("198.51.100.1"), &[]),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn trusted_proxy_yields_the_rightmost_untrusted_hop() {
        let proxies = vec!["10.0.0.0/8".parse().unwrap()];
        // The client sent a fake first hop; our proxies appended the real one and themselves.
        let headers = xff("1.2.3.4, 203.0.113.7, 10.0.0.2");
        assert_eq!(client_addr(ip("10.0.0.1"), &headers, &proxies), ip("203.0.113.7"));
    }

    #[test]
    fn malformed_hop_stops_the_walk() {
        let proxies = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_addr(ip("10.0.0.1"), &xff("203.0.113.7, junk"), &proxies),
            ip("10.0.0.1")
        );
    }
}
