//! When the ICE servers fetched from `iceServersUrl` are refreshed, and when they may no
//! longer be used: the policy, on virtual time. The driver (`web::ice_servers`) does
//! the fetching and arms one timer for [`IceRefresh::next_fetch`].
//!
//! - A list with a `ttl` is refreshed at 80 % of it (at least a second later, so a
//!   `ttl` of 0 cannot spin), and may not be used past its `ttl`: TURN REST
//!   credentials stop working then. A list without `ttl` is kept until replaced.
//! - A failed fetch is retried after 1 s, doubling to 60 s; the last list is kept until
//!   it expires.
//! - A list found past its refresh time when asked for (the page slept through the
//!   timer) is refreshed at once ([`IceRefresh::stale`]).

use std::time::Duration;

use super::Instant;

/// The first retry after a failed fetch; it doubles up to [`RETRY_MAX`].
pub const RETRY_BASE: Duration = Duration::from_secs(1);
/// The longest wait between retries.
pub const RETRY_MAX: Duration = Duration::from_secs(60);
/// The shortest wait before a refresh.
pub const MIN_REFRESH: Duration = Duration::from_secs(1);

/// The refresh schedule of one `iceServersUrl`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IceRefresh {
    failures: u32,
    expires_at: Option<Instant>,
    next_fetch: Option<Instant>,
}

impl IceRefresh {
    /// A schedule with nothing fetched yet.
    pub fn new() -> Self {
        IceRefresh::default()
    }

    /// A list arrived at `now`, valid for `ttl` (when the endpoint gave one). Returns
    /// when to fetch again, if ever.
    pub fn fetched(&mut self, now: Instant, ttl: Option<Duration>) -> Option<Instant> {
        self.failures = 0;
        self.expires_at = ttl.map(|t| now + t);
        self.next_fetch = ttl.map(|t| now + (t * 4 / 5).max(MIN_REFRESH));
        self.next_fetch
    }

    /// A fetch failed at `now`. Returns when to retry.
    pub fn failed(&mut self, now: Instant) -> Instant {
        self.failures = self.failures.saturating_add(1);
        let exp = (self.failures - 1).min(6);
        let wait = (RETRY_BASE * (1u32 << exp)).min(RETRY_MAX);
        let at = now + wait;
        self.next_fetch = Some(at);
        at
    }

    /// When the next fetch is due, if one is.
    pub fn next_fetch(&self) -> Option<Instant> {
        self.next_fetch
    }

    /// The fetched list may no longer be used (its `ttl` has run out).
    pub fn expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// The refresh is overdue (its timer did not run: a paused page): fetch now.
    pub fn stale(&self, now: Instant) -> bool {
        self.failures == 0 && self.next_fetch.is_some_and(|at| now >= at)
    }

    /// Failed fetches in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> Instant {
        Instant::from_millis(s * 1000)
    }

    #[test]
    fn refreshed_at_four_fifths_of_the_ttl_and_unusable_past_it() {
        let mut r = IceRefresh::new();
        assert_eq!(
            r.fetched(at(10), Some(Duration::from_secs(100))),
            Some(at(90))
        );
        assert!(!r.stale(at(89)) && r.stale(at(90)));
        assert!(!r.expired(at(109)) && r.expired(at(110)));
        // No ttl: kept, never refreshed by time.
        assert_eq!(r.fetched(at(200), None), None);
        assert!(!r.expired(at(100_000)) && !r.stale(at(100_000)));
        // A ttl of 0 does not spin.
        assert_eq!(
            r.fetched(at(300), Some(Duration::ZERO)),
            Some(at(300) + MIN_REFRESH)
        );
    }

    #[test]
    fn failures_back_off_to_a_minute_and_a_success_resets() {
        let mut r = IceRefresh::new();
        r.fetched(at(0), Some(Duration::from_secs(30)));
        let mut now = at(24);
        let mut waits = Vec::new();
        for _ in 0..9 {
            let next = r.failed(now);
            waits.push((next - now).as_secs());
            now = next;
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert!(!r.stale(now), "a retry is not a stale refresh");
        assert!(r.expired(now), "the last list ran out meanwhile");
        r.fetched(now, Some(Duration::from_secs(30)));
        assert_eq!(r.failures(), 0);
        assert_eq!(r.failed(now) - now, RETRY_BASE);
    }
}
