//! How often one address and one phone number may try to book, find or change a
//! booking: a token bucket per key (governor's GCRA), held in each instance's memory.
//! Unlike sign-in counts (kept in the database, since they guard passwords), these
//! only slow down scripts; with N instances behind a balancer an address gets up to N
//! times the budget, which is still far from a bot's appetite.
//!
//! Addresses are counted as `web::client_address` gives them: the peer, or the last
//! `X-Forwarded-For` hop with `--trust-proxy`; IPv6 by /64. Mobile carriers put many
//! people behind one IPv4 address, so the address budget is generous and the phone
//! budget is what stops one person hammering.

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use std::{num::NonZeroU32, time::Duration};

pub struct Limits {
    address: DefaultKeyedRateLimiter<String>,
    phone: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").finish_non_exhaustive()
    }
}

/// A budget: `burst` attempts at once, then one more every `every`.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub burst: u32,
    pub every: Duration,
}

/// Per address: 30 at once, then one every 20 seconds (180 an hour).
pub const ADDRESS_BUDGET: Budget = Budget {
    burst: 30,
    every: Duration::from_secs(20),
};
/// Per phone number: 8 at once, then one every 5 minutes.
pub const PHONE_BUDGET: Budget = Budget {
    burst: 8,
    every: Duration::from_secs(5 * 60),
};

fn limiter(budget: Budget) -> DefaultKeyedRateLimiter<String> {
    let burst = NonZeroU32::new(budget.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(budget.every)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst);
    RateLimiter::keyed(quota)
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(ADDRESS_BUDGET, PHONE_BUDGET)
    }
}

impl Limits {
    pub fn new(address: Budget, phone: Budget) -> Limits {
        Limits {
            address: limiter(address),
            phone: limiter(phone),
        }
    }

    /// Counts an attempt from `address`; `Err(minutes)` to wait when over budget.
    pub fn address(&self, address: &str) -> Result<(), i64> {
        check(&self.address, address)
    }

    /// Counts an attempt for a phone number (by its keyed hash).
    pub fn phone(&self, phone_hash: &str) -> Result<(), i64> {
        check(&self.phone, phone_hash)
    }

    /// Forgets keys whose buckets are full again (housekeeping).
    pub fn forget_idle(&self) {
        self.address.retain_recent();
        self.phone.retain_recent();
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), i64> {
    limiter.check_key(&key.to_string()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        (wait.as_secs() as i64 + 59) / 60
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_allows_its_burst_then_says_how_long_to_wait() {
        let limits = Limits::new(
            Budget {
                burst: 3,
                every: Duration::from_secs(600),
            },
            PHONE_BUDGET,
        );
        for _ in 0..3 {
            assert_eq!(limits.address("203.0.113.7"), Ok(()));
        }
        let wait = limits.address("203.0.113.7").unwrap_err();
        assert!((1..=10).contains(&wait), "{wait}");
        // Another address has its own budget.
        assert_eq!(limits.address("203.0.113.8"), Ok(()));
    }
}
