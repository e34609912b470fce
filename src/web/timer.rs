//! The driver's timers: the one timer armed for the core's earliest deadline after
//! every drain, and [`after`], the deadlines of I/O mechanics (a fetch's abort, a
//! probe's budget). `clippy.toml` forbids `gloo_timers::callback::Timeout::new`
//! everywhere else, as it forbids reading the clock outside `clock.rs`: a new policy
//! timer has to go into the core's table, where it runs on virtual time.
//!
//! It also notices pauses. `performance.now()` may stand still while a laptop sleeps,
//! `Date.now()` does not; a timer that fires far later by the wall clock than it was
//! armed for means the page was asleep or frozen, and the core is told
//! [`Input::Resumed`](crate::core::Input::Resumed) before the timeout.

use gloo_timers::callback::Timeout;

use super::clock::wall_ms;
use super::work::{Feeder, Work};
use crate::core::{Instant, TimerName};

/// How late (wall clock) a timer must fire to count as a pause. Above the one-minute
/// alignment Chrome applies to timers of long-hidden tabs, so that throttling alone
/// is not taken for sleep.
pub(crate) const PAUSE_THRESHOLD_MS: f64 = 70_000.0;

/// The longest delay `setTimeout` takes (2^31 - 1 ms); longer deadlines are re-armed.
const MAX_DELAY_MS: u64 = i32::MAX as u64;

struct Armed {
    deadline: Instant,
    name: TimerName,
    wall_deadline: f64,
    _handle: Timeout,
}

/// A callback armed by [`after`]; dropping it cancels the callback.
#[must_use = "dropping a Deadline cancels it"]
pub(crate) struct Deadline(Timeout);

impl Deadline {
    /// Lets the callback run although the handle is dropped.
    pub(crate) fn forget(self) {
        self.0.forget();
    }
}

/// Calls `callback` once, `ms` milliseconds from now, unless the returned handle is
/// dropped first. Only for the mechanics of one browser operation (how long a fetch or
/// a probe may take): decisions of when to retry, refresh or give up are the core's and
/// reach the driver through `poll_timeout`.
pub(crate) fn after(ms: u32, callback: impl FnOnce() + 'static) -> Deadline {
    #[allow(clippy::disallowed_methods)] // the driver's one place that arms a timeout
    Deadline(Timeout::new(ms, callback))
}

/// The armed timer, if any.
#[derive(Default)]
pub(crate) struct Timer {
    armed: Option<Armed>,
}

impl Timer {
    /// Arms the timer for `next` (or disarms it for `None`). Keeps the running timer
    /// when the deadline has not changed.
    pub(crate) fn arm(
        &mut self,
        next: Option<(Instant, TimerName)>,
        now: Instant,
        feeder: &Feeder,
    ) {
        let Some((deadline, name)) = next else {
            self.armed = None;
            return;
        };
        if let Some(a) = &self.armed {
            if a.deadline == deadline && a.name == name {
                return;
            }
        }
        let delay = deadline
            .as_millis()
            .saturating_sub(now.as_millis())
            .min(MAX_DELAY_MS);
        let f = feeder.clone();
        let wall_deadline = wall_ms() + delay as f64;
        #[allow(clippy::disallowed_methods)] // the driver's one place that arms a timeout
        let handle = Timeout::new(delay as u32, move || {
            f.feed(Work::TimerFired { wall_deadline });
        });
        self.armed = Some(Armed {
            deadline,
            name,
            wall_deadline,
            _handle: handle,
        });
    }

    /// Takes the armed timer out (it fired, or is no longer wanted). The caller keeps
    /// the handle alive while its callback may still be running.
    pub(crate) fn take(&mut self) -> Option<Box<dyn std::any::Any>> {
        self.armed
            .take()
            .map(|a| Box::new(a) as Box<dyn std::any::Any>)
    }

    /// Cancels the timer.
    pub(crate) fn cancel(&mut self) {
        self.armed = None;
    }

    /// Whether the armed timer is overdue by more than [`PAUSE_THRESHOLD_MS`] of wall
    /// time: the page was paused and the timer has not had a chance to run yet.
    pub(crate) fn overdue(&self) -> bool {
        self.armed
            .as_ref()
            .is_some_and(|a| wall_ms() - a.wall_deadline > PAUSE_THRESHOLD_MS)
    }

    /// What the timer is armed for, for log lines.
    pub(crate) fn describe(&self) -> Option<(Instant, TimerName)> {
        self.armed.as_ref().map(|a| (a.deadline, a.name))
    }
}
