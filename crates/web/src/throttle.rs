//! Login throttling (governor): a budget per account and one per client address, so neither
//! guessing one account's password from many places nor many accounts from one place is fast.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

/// Attempts allowed at once, and how fast the budget refills.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub burst: u32,
    pub refill_every: Duration,
}

impl Budget {
    fn quota(self) -> Quota {
        Quota::with_period(self.refill_every)
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

/// Above this many tracked keys, idle ones are dropped so the maps cannot grow without end.
const MAX_TRACKED: usize = 10_000;

impl LoginThrottle {
    pub fn new(account: Budget, address: Budget) -> Self {
        Self {
            per_account: RateLimiter::keyed(account.quota()),
            per_address: RateLimiter::keyed(address.quota()),
        }
    }

    /// Takes one attempt from both budgets; `Err` carries how long to wait.
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<(), Duration> {
        if self.per_address.len() > MAX_TRACKED {
            self.per_address.retain_recent();
        }
        if self.per_account.len() > MAX_TRACKED {
            self.per_account.retain_recent();
        }
        let clock = governor::clock::DefaultClock::default();
        use governor::clock::Clock as _;
        self.per_address
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(clock.now()))?;
        self.per_account
            .check_key(&account.trim().to_ascii_lowercase())
            .map_err(|not_until| not_until.wait_time_from(clock.now()))
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ACCOUNT_BUDGET, ADDRESS_BUDGET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
