//! When the ICE servers fetched from `iceServersUrl` are refreshed, and when they may no
//! longer be used: the policy, on virtual time, in the user agent's timer table. The
//! core asks the driver to fetch (`Output::IceServers(IceServersAction::Fetch)`), is
//! told the outcome (`Input::IceServersFetched`, `Input::IceServersFailed`), and tells
//! the driver when the fetched list has run out (`IceServersAction::Expire`). The
//! driver (`web::ice_servers`) only fetches and keeps the list.
//!
//! - The first fetch goes when the user agent starts, so a list is in hand before the
//!   first call.
//! - A list with a `ttl` is refreshed at 80 % of it (at least a second later, so a
//!   `ttl` of 0 cannot spin), and may not be used past its `ttl`: TURN REST
//!   credentials stop working then. A list without `ttl` is kept until replaced.
//! - A failed fetch is retried after 1 s, doubling to 60 s; the last list is kept until
//!   it expires.
//! - After a pause of the page (`Input::Resumed`: a laptop that slept), the list is
//!   fetched again at once: the core's clock may have stood still through the sleep,
//!   so its `ttl` count cannot be trusted.
//!
//! [`IceRefresh`] is the schedule alone; `IceFetch` runs it for a user agent.
//! `diagnose()` fetches once and schedules nothing.

use std::time::Duration;

use super::io::Io;
use super::output::{IceServersAction, Output};
use super::timer::{TimerKey, UaTimer};
use super::{Instant, LogLevel};

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

    /// Failed fetches in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// The user agent's `iceServersUrl` fetching: one fetch at a time, on the schedule of
/// [`IceRefresh`], with the two timers `UaTimer::IceServersRefresh` and
/// `UaTimer::IceServersExpire`.
#[derive(Debug, Clone, Default)]
pub(crate) struct IceFetch {
    /// An `iceServersUrl` is configured.
    enabled: bool,
    schedule: IceRefresh,
    /// A fetch was asked for and its outcome has not come.
    in_flight: bool,
    /// A fetched list is in hand and has not expired.
    in_hand: bool,
}

const REFRESH: TimerKey = TimerKey::Ua(UaTimer::IceServersRefresh);
const EXPIRE: TimerKey = TimerKey::Ua(UaTimer::IceServersExpire);

impl IceFetch {
    /// Fetching for a user agent; `enabled` when an `iceServersUrl` is configured.
    pub(crate) fn new(enabled: bool) -> Self {
        IceFetch {
            enabled,
            ..IceFetch::default()
        }
    }

    /// The user agent started: the first fetch goes now (unless one is out).
    pub(crate) fn start(&mut self, io: &mut Io<'_>) {
        if self.enabled && !self.in_flight {
            self.fetch(io);
        }
    }

    /// The page was paused for an unknown time: fetch again at once (see the module).
    pub(crate) fn resumed(&mut self, io: &mut Io<'_>) {
        self.start(io);
    }

    /// The user agent stopped (its timers are gone): an outcome still to come is
    /// ignored, and the next start fetches again.
    pub(crate) fn stopped(&mut self) {
        self.in_flight = false;
    }

    /// The refresh (or retry) timer fired.
    pub(crate) fn on_refresh_timer(&mut self, io: &mut Io<'_>) {
        if self.enabled && !self.in_flight {
            self.fetch(io);
        }
    }

    /// The list's `ttl` ran out: the driver must stop using it.
    pub(crate) fn on_expire_timer(&mut self, io: &mut Io<'_>) {
        if self.in_hand {
            self.in_hand = false;
            io.log(LogLevel::Warn, || {
                "the fetched ICE servers expired (ttl) before a refresh succeeded".into()
            });
            io.out
                .push_back(Output::IceServers(IceServersAction::Expire));
        }
    }

    /// The fetch succeeded; the list is valid for `ttl` when the endpoint gave one.
    pub(crate) fn on_fetched(&mut self, ttl: Option<Duration>, io: &mut Io<'_>) {
        if !std::mem::take(&mut self.in_flight) {
            return; // not asked for (or asked before a stop): nothing to schedule
        }
        self.in_hand = true;
        match self.schedule.fetched(io.now, ttl) {
            Some(at) => io.timers.set(REFRESH, at),
            None => io.timers.cancel(REFRESH),
        }
        match ttl {
            Some(ttl) => io.timers.set(EXPIRE, io.now + ttl),
            None => io.timers.cancel(EXPIRE),
        }
    }

    /// The fetch failed: retry with backoff, keeping the list in hand until it expires.
    pub(crate) fn on_failed(&mut self, io: &mut Io<'_>) {
        if !std::mem::take(&mut self.in_flight) {
            return;
        }
        let at = self.schedule.failed(io.now);
        io.timers.set(REFRESH, at);
        let keep = if self.in_hand {
            "keeping the last list until it expires"
        } else {
            "no fetched servers in hand"
        };
        let wait = (at - io.now).as_secs();
        io.log(LogLevel::Info, || {
            format!("ICE servers: fetch again in {wait} s, {keep}")
        });
    }

    fn fetch(&mut self, io: &mut Io<'_>) {
        self.in_flight = true;
        io.timers.cancel(REFRESH);
        io.out
            .push_back(Output::IceServers(IceServersAction::Fetch));
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
        assert!(!r.expired(at(109)) && r.expired(at(110)));
        // No ttl: kept, never refreshed by time.
        assert_eq!(r.fetched(at(200), None), None);
        assert!(!r.expired(at(100_000)));
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
        assert!(r.expired(now), "the last list ran out meanwhile");
        r.fetched(now, Some(Duration::from_secs(30)));
        assert_eq!(r.failures(), 0);
        assert_eq!(r.failed(now) - now, RETRY_BASE);
    }
}
