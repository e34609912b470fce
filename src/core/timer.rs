//! The core's timers as data: one table of named deadlines; the next deadline the
//! driver must arm is the table's minimum.

use super::ua::TimerName;
use super::Instant;

/// A timer's identity: its name, and for per-transaction timers the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TimerKey {
    pub(crate) name: TimerName,
    pub(crate) id: u64,
}

impl TimerKey {
    pub(crate) fn named(name: TimerName) -> Self {
        TimerKey { name, id: 0 }
    }
}

/// Armed deadlines. Small: a handful of entries at a time.
#[derive(Debug, Default, Clone)]
pub(crate) struct Timers {
    entries: Vec<(TimerKey, Instant)>,
}

impl Timers {
    /// Arms (or re-arms) `key` for `at`.
    pub(crate) fn set(&mut self, key: TimerKey, at: Instant) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = at,
            None => self.entries.push((key, at)),
        }
    }

    /// Disarms `key`; disarming an unarmed timer does nothing.
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        self.entries.retain(|(k, _)| *k != key);
    }

    /// Disarms every timer called `name`.
    pub(crate) fn cancel_all(&mut self, name: TimerName) {
        self.entries.retain(|(k, _)| k.name != name);
    }

    /// Whether `key` is armed.
    #[cfg(test)]
    pub(crate) fn is_set(&self, key: TimerKey) -> bool {
        self.entries.iter().any(|(k, _)| *k == key)
    }

    /// The earliest deadline and its key.
    pub(crate) fn next(&self) -> Option<(Instant, TimerKey)> {
        self.entries
            .iter()
            .map(|(k, at)| (*at, *k))
            .min_by_key(|(at, k)| (*at, *k))
    }

    /// Removes and returns the earliest timer that is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<TimerKey> {
        let (at, key) = self.next()?;
        if at > now {
            return None;
        }
        self.cancel(key);
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_rearm() {
        let mut t = Timers::default();
        let a = TimerKey::named(TimerName::KeepalivePing);
        let b = TimerKey::named(TimerName::RegisterRefresh);
        t.set(a, Instant::from_millis(50));
        t.set(b, Instant::from_millis(20));
        assert_eq!(t.next(), Some((Instant::from_millis(20), b)));
        t.set(b, Instant::from_millis(90));
        assert_eq!(t.next(), Some((Instant::from_millis(50), a)));
        assert_eq!(t.pop_due(Instant::from_millis(49)), None);
        assert_eq!(t.pop_due(Instant::from_millis(60)), Some(a));
        assert!(!t.is_set(a));
        t.cancel_all(TimerName::RegisterRefresh);
        assert_eq!(t.next(), None);
    }
}
