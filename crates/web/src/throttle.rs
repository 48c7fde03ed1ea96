//! Rate limits (governor): login attempts per account and per client address, the volunteers'
//! secret links per client address (so guessing tokens is slow), and the API per signed-in
//! user. Every keyed budget prunes itself, so its state cannot grow without bound.

use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use uuid::Uuid;

/// Attempts allowed at once, and how fast the budget refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub burst: u32,
    pub refill_every: Duration,
}

impl Budget {
    /// `burst` at once, then `per_second` every second.
    pub fn per_second(burst: u32, per_second: u32) -> Self {
        Self {
            burst,
            refill_every: Duration::from_nanos(1_000_000_000 / u64::from(per_second.max(1))),
        }
    }

    fn quota(self) -> Quota {
        Quota::with_period(self.refill_every.max(Duration::from_nanos(1)))
            .expect("refill period is not zero")
            .allow_burst(NonZeroU32::new(self.burst.max(1)).expect("burst is at least one"))
    }
}

/// Five tries per account, then one every two minutes; twenty per address, then one every
/// fifteen seconds (an office behind one NAT address shares that budget).
pub const ACCOUNT_BUDGET: Budget = Budget {
    burst: 5,
    refill_every: Duration::from_secs(120),
};
pub const ADDRESS_BUDGET: Budget = Budget {
    burst: 20,
    refill_every: Duration::from_secs(15),
};
/// Secret links per client address: 60 at once, then one a second. A volunteer on a phone
/// opens a handful; 150 guesses in a row are throttled.
pub const LINK_BUDGET: Budget = Budget {
    burst: 60,
    refill_every: Duration::from_secs(1),
};
/// The API per signed-in user (token or session): 500 at once, then 20 a second.
pub const API_BUDGET: Budget = Budget {
    burst: 500,
    refill_every: Duration::from_millis(50),
};

/// Every this many checks a budget drops the keys whose allowance is full again (they are
/// indistinguishable from a new key) and gives the memory back.
const PRUNE_EVERY: u64 = 1024;

/// One budget per key, pruned as it goes.
pub struct KeyedBudget<K: Hash + Eq + Clone, C: Clock = DefaultClock> {
    limiter: RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<C::Instant>>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> KeyedBudget<K> {
    pub fn new(budget: Budget) -> Self {
        Self::with_clock(budget, DefaultClock::default())
    }
}

impl<K: Hash + Eq + Clone, C: Clock> KeyedBudget<K, C> {
    pub fn with_clock(budget: Budget, clock: C) -> Self {
        Self {
            limiter: RateLimiter::dashmap_with_clock(budget.quota(), clock),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one from `key`'s budget; `Err` carries how long to wait for the next.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    /// Drops the keys that are back to a full budget.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Keys tracked now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

pub struct LoginThrottle {
    per_account: KeyedBudget<String>,
    per_address: KeyedBudget<IpAddr>,
}

impl LoginThrottle {
    pub fn new(account: Budget, address: Budget) -> Self {
        Self {
            per_account: KeyedBudget::new(account),
            per_address: KeyedBudget::new(address),
        }
    }

    /// Takes one attempt from both budgets; `Err` carries how long to wait.
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<(), Duration> {
        self.per_address.check(&address)?;
        self.per_account.check(&account.trim().to_ascii_lowercase())
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ACCOUNT_BUDGET, ADDRESS_BUDGET)
    }
}

/// The budgets of the links and the API (see the `web` section of the configuration).
pub struct Throttles {
    pub links: KeyedBudget<IpAddr>,
    pub api: KeyedBudget<Uuid>,
}

impl Throttles {
    pub fn new(links: Budget, api: Budget) -> Self {
        Self {
            links: KeyedBudget::new(links),
            api: KeyedBudget::new(api),
        }
    }
}

impl Default for Throttles {
    fn default() -> Self {
        Self::new(LINK_BUDGET, API_BUDGET)
    }
}

/// Whole seconds to wait, at least one, for `Retry-After`.
pub fn retry_after(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Marks a response as a secret-link page, for the security headers (`no-referrer`).
#[derive(Clone, Copy)]
pub struct SecretLinkPage;

/// The secret-link routes' budget per client address: each request takes one, found or not,
/// so unknown tokens answer the uniform 404 until the budget is spent, then 429 (a page for
/// browsers, the JSON error shape for clients asking for JSON) with Retry-After.
pub async fn links(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(ClientAddr(client)) = ClientAddr::from_request_parts(&mut parts, &state).await;
    let json = crate::links::wants_json(&parts.headers);
    let mut response = match state.web.throttles.links.check(&client) {
        Ok(()) => not_allowed_page(next.run(Request::from_parts(parts, body)).await, json),
        Err(wait) => {
            tracing::warn!(%client, "secret links throttled");
            let seconds = retry_after(wait);
            let error = ApiError::RateLimited(seconds);
            if json {
                crate::links::private(error.into_response())
            } else {
                let mut page = crate::links::refusal_response(
                    error,
                    "Zu viele Aufrufe",
                    "Too many requests",
                    "Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal.".to_owned(),
                );
                page.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
                page
            }
        }
    };
    response.extensions_mut().insert(SecretLinkPage);
    response
}

/// A link's address with a method it does not take: the link pages' own page for browsers
/// (the error shape for JSON comes from `error::method_not_allowed`), `Allow` kept.
fn not_allowed_page(response: Response, json: bool) -> Response {
    use axum::http::header::{ALLOW, CONTENT_TYPE};
    if json
        || response.status() != axum::http::StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(CONTENT_TYPE)
    {
        return response;
    }
    let mut page = crate::links::refusal_response(
        ApiError::MethodNotAllowed,
        "Nicht möglich",
        "Not possible",
        "Diese Adresse lässt sich so nicht aufrufen.".to_owned(),
    );
    if let Some(allow) = response.headers().get(ALLOW) {
        page.headers_mut().insert(ALLOW, allow.clone());
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn sixth_attempt_on_one_account_is_refused_from_anywhere() {
        let throttle = LoginThrottle::default();
        for i in 0..5 {
            let address = IpAddr::from([192, 0, 2, i]);
            assert!(throttle.attempt("cw@example.org", address).is_ok());
        }
        let wait = throttle
            .attempt("CW@example.org", IpAddr::from([192, 0, 2, 99]))
            .unwrap_err();
        assert!(wait > Duration::ZERO);
    }

    #[test]
    fn one_address_runs_out_across_accounts() {
        let throttle = LoginThrottle::default();
        let address = IpAddr::from([198, 51, 100, 1]);
        for i in 0..20 {
            assert!(throttle.attempt(&format!("user{i}@example.org"), address).is_ok());
        }
        assert!(throttle.attempt("other@example.org", address).is_err());
        assert!(
            throttle
                .attempt("other@example.org", IpAddr::from([198, 51, 100, 2]))
                .is_ok()
        );
    }

    #[test]
    fn link_budget_is_sixty_then_one_a_second() {
        let clock = FakeRelativeClock::default();
        let budget = KeyedBudget::with_clock(LINK_BUDGET, clock.clone());
        let address = IpAddr::from([203, 0, 113, 5]);
        for _ in 0..60 {
            assert!(budget.check(&address).is_ok());
        }
        let wait = budget.check(&address).unwrap_err();
        assert_eq!(retry_after(wait), 1);
        clock.advance(Duration::from_secs(1));
        assert!(budget.check(&address).is_ok());
        assert!(budget.check(&address).is_err());
        assert!(budget.check(&IpAddr::from([203, 0, 113, 6])).is_ok(), "another address");
    }

    #[test]
    fn keyed_state_shrinks_once_budgets_are_full_again() {
        let clock = FakeRelativeClock::default();
        let budget = KeyedBudget::with_clock(Budget::per_second(5, 1), clock.clone());
        for i in 0..2000_u32 {
            let _ = budget.check(&IpAddr::from(i.to_be_bytes()));
        }
        assert_eq!(budget.len(), 2000, "every address is tracked while its budget refills");
        // After a budget's refill time nothing distinguishes its key from a new one: the next
        // pruning (every PRUNE_EVERY checks) drops them all but the one just used.
        clock.advance(Duration::from_secs(5));
        let key = IpAddr::from([192, 0, 2, 1]);
        for _ in 0..PRUNE_EVERY {
            let _ = budget.check(&key);
        }
        assert!(budget.len() <= 1, "{} keys left", budget.len());
    }

    #[test]
    fn api_budget_allows_twenty_a_second_after_the_burst() {
        let clock = FakeRelativeClock::default();
        let budget = KeyedBudget::with_clock(API_BUDGET, clock.clone());
        let user = Uuid::nil();
        for _ in 0..500 {
            assert!(budget.check(&user).is_ok());
        }
        assert!(budget.check(&user).is_err());
        clock.advance(Duration::from_secs(1));
        for _ in 0..20 {
            assert!(budget.check(&user).is_ok());
        }
        assert!(budget.check(&user).is_err());
    }
}
