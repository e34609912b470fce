//! Reconnect policy: which server to try next, and how long to wait first.
//!
//! Servers are tried highest weight first, in random order among equal weights. A
//! server that failed is skipped until every server has failed (a "round"); the next
//! untried server of a round is tried at once. When a round is exhausted the policy
//! waits with exponential backoff and full jitter between half and all of
//! `base * 2^(n-1)`, capped at `max`: with the default one-second base the first
//! retry comes in under a second and later ones never more than 30 s apart.
//!
//! That growth is for a server that answers and then fails (a socket that opened and
//! closed, a registration refused): it must not be hammered. A server that does not
//! answer at all (the socket never opened: the port refused, a tunnel with no origin,
//! no answer within the connect timeout) costs nothing to probe, and it is the case of
//! a PBX restarting or crashing: there the wait grows with the outage instead, between
//! half and all of `outage / 8` (at least `base`, at most `max`). A PBX back after 4 s
//! is found within a second; one down for 4 minutes is probed every 15-30 s.

use std::time::Duration;

use super::config::ServerConfig;
use super::rng::Rng;
use super::time::Instant;

/// The state of the reconnect policy.
#[derive(Debug, Clone)]
pub(crate) struct Reconnect {
    servers: Vec<ServerConfig>,
    /// Server indices in the order of the current round.
    order: Vec<usize>,
    /// How many servers of `order` have been tried this round.
    tried: usize,
    /// Failed attempts since the last success.
    failures: u32,
    /// When the first of those failures happened.
    outage_since: Option<Instant>,
    base: Duration,
    max: Duration,
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Try this server now.
    Now(usize),
    /// Wait, then start a new round.
    After(Duration),
}

impl Reconnect {
    pub(crate) fn new(servers: Vec<ServerConfig>, base: Duration, max: Duration) -> Self {
        Reconnect {
            servers,
            order: Vec::new(),
            tried: 0,
            failures: 0,
            outage_since: None,
            base,
            max,
        }
    }

    /// The URL of server `index`.
    pub(crate) fn url(&self, index: usize) -> &str {
        self.servers.get(index).map_or("", |s| s.url.as_str())
    }

    /// Consecutive failed attempts.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    /// Starts a new round and returns its first server.
    pub(crate) fn start_round(&mut self, rng: &mut Rng) -> usize {
        let mut order: Vec<usize> = (0..self.servers.len()).collect();
        rng.shuffle(&mut order);
        // Heaviest first; a stable sort keeps the shuffled order among equal weights. An
        // insertion sort: there are a handful of servers, and std's sort costs 4 kB of wasm.
        let weight = |i: usize| self.servers.get(i).map_or(0, |s| s.weight);
        for i in 1..order.len() {
            let mut j = i;
            // `0 < j <= i < order.len()`: both indices are in range.
            while j > 0 && weight(order[j - 1]) < weight(order[j]) {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        self.order = order;
        self.tried = 1;
        self.order.first().copied().unwrap_or(0)
    }

    /// Records that the last attempt failed and says what comes next. `answered` says
    /// whether the server answered at all (the socket opened) before it failed.
    pub(crate) fn failed(&mut self, rng: &mut Rng, now: Instant, answered: bool) -> Next {
        self.failures = self.failures.saturating_add(1);
        let since = *self.outage_since.get_or_insert(now);
        if let Some(&next) = self.order.get(self.tried) {
            self.tried += 1;
            return Next::Now(next);
        }
        if answered {
            return Next::After(self.backoff(rng));
        }
        let ceiling = ((now - since) / 8).clamp(self.base, self.max.max(self.base));
        Next::After(rng.between(ceiling / 2, ceiling))
    }

    /// Records a working connection: the next failure starts from the first step again.
    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
        self.outage_since = None;
    }

    fn backoff(&self, rng: &mut Rng) -> Duration {
        let rounds = self.failures.div_ceil(self.servers.len().max(1) as u32);
        let exp = rounds.saturating_sub(1).min(16);
        let ceiling = self.base.saturating_mul(1 << exp).min(self.max);
        rng.between(ceiling / 2, ceiling)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(weights: &[u32]) -> Vec<ServerConfig> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| ServerConfig {
                url: format!("wss://s{i}.example.com/ws"),
                weight: *w,
            })
            .collect()
    }

    #[test]
    fn highest_weight_first_then_the_rest_then_backoff() {
        let mut rng = Rng::new([3; 32]);
        let mut r = Reconnect::new(
            servers(&[1, 5, 1]),
            Duration::from_secs(1),
            Duration::from_secs(30),
        );
        assert_eq!(r.start_round(&mut rng), 1);
        let second = match r.failed(&mut rng, Instant::ZERO, true) {
            Next::Now(i) => i,
            other => panic!("{other:?}"),
        };
        let third = match r.failed(&mut rng, Instant::ZERO, true) {
            Next::Now(i) => i,
            other => panic!("{other:?}"),
        };
        let mut rest = [second, third];
        rest.sort();
        assert_eq!(rest, [0, 2]);
        match r.failed(&mut rng, Instant::ZERO, true) {
            Next::After(d) => {
                assert!(d >= Duration::from_millis(500) && d < Duration::from_secs(1))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn equal_weights_are_shuffled() {
        let mut rng = Rng::new([5; 32]);
        let mut r = Reconnect::new(
            servers(&[0; 4]),
            Duration::from_secs(1),
            Duration::from_secs(30),
        );
        let firsts: std::collections::BTreeSet<usize> =
            (0..40).map(|_| r.start_round(&mut rng)).collect();
        assert!(firsts.len() > 1, "always the same first server: {firsts:?}");
    }

    #[test]
    fn backoff_grows_to_the_cap_and_resets() {
        let mut rng = Rng::new([8; 32]);
        let mut r = Reconnect::new(
            servers(&[0]),
            Duration::from_secs(1),
            Duration::from_secs(30),
        );
        r.start_round(&mut rng);
        let mut ceilings = Vec::new();
        for _ in 0..10 {
            match r.failed(&mut rng, Instant::ZERO, true) {
                Next::After(d) => ceilings.push(d),
                Next::Now(_) => panic!("one server"),
            }
            r.start_round(&mut rng);
        }
        assert!(ceilings[0] < Duration::from_secs(1));
        assert!(ceilings[3] >= Duration::from_secs(4) && ceilings[3] < Duration::from_secs(8));
        assert!(ceilings.iter().all(|d| *d <= Duration::from_secs(30)));
        assert!(ceilings[9] >= Duration::from_secs(15));
        r.succeeded();
        match r.failed(&mut rng, Instant::ZERO, true) {
            Next::After(d) => assert!(d < Duration::from_secs(1)),
            Next::Now(_) => panic!("one server"),
        }
    }

    #[test]
    fn a_server_that_does_not_answer_is_probed_as_the_outage_grows_not_by_attempts() {
        let mut rng = Rng::new([9; 32]);
        let mut r = Reconnect::new(
            servers(&[0]),
            Duration::from_secs(1),
            Duration::from_secs(30),
        );
        r.start_round(&mut rng);
        // The flow closed (the server had answered): the first wait is under a second.
        let mut now = Instant::from_millis(10_000);
        let mut waits = Vec::new();
        let mut next = r.failed(&mut rng, now, true);
        // Then every attempt is refused, for four minutes.
        while now < Instant::from_millis(250_000) {
            let Next::After(wait) = next else {
                panic!("one server")
            };
            waits.push((now - Instant::from_millis(10_000), wait));
            now = now + wait;
            r.start_round(&mut rng);
            next = r.failed(&mut rng, now, false);
        }
        for (outage, wait) in &waits {
            let ceiling = (*outage / 8).clamp(Duration::from_secs(1), Duration::from_secs(30));
            assert!(
                *wait >= ceiling / 2 && *wait <= ceiling,
                "{wait:?} after {outage:?} of outage"
            );
        }
        // A PBX back within 8 s is found within a second, however many attempts failed.
        assert!(waits
            .iter()
            .filter(|(outage, _)| *outage < Duration::from_secs(8))
            .all(|(_, wait)| *wait <= Duration::from_secs(1)));
        assert!(waits.len() > 8, "probed more than 8 times: {}", waits.len());
        // ... and a long outage is probed rarely, without hammering.
        let (_, last) = waits.last().unwrap();
        assert!(*last >= Duration::from_secs(14), "{last:?}");
        assert!(waits.len() < 60, "{} attempts in 4 minutes", waits.len());
        // A server that answers and fails still backs off by attempts.
        r.succeeded();
        r.start_round(&mut rng);
        let mut ceilings = Vec::new();
        for _ in 0..5 {
            if let Next::After(d) = r.failed(&mut rng, now, true) {
                ceilings.push(d);
            }
            r.start_round(&mut rng);
        }
        assert!(ceilings[4] >= Duration::from_secs(8), "{ceilings:?}");
    }
}
