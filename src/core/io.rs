//! What the parts of the core share while they handle one input: the time, the
//! output queue, the timer table, the generator and the current flow.

use std::collections::VecDeque;

use super::ids::ConnectionId;
use super::output::Output;
use super::rng::Rng;
use super::timer::{TimerKey, Timers, UaTimer};
use super::{Event, Instant, LogLevel};

/// Borrowed for the duration of one input.
pub(crate) struct Io<'a> {
    pub(crate) now: Instant,
    pub(crate) out: &'a mut VecDeque<Output>,
    pub(crate) timers: &'a mut Timers,
    pub(crate) rng: &'a mut Rng,
    /// The open flow, if any.
    pub(crate) flow: Option<ConnectionId>,
    /// The most verbose level worth formatting.
    pub(crate) log_level: LogLevel,
}

impl Io<'_> {
    pub(crate) fn event(&mut self, event: Event) {
        self.out.push_back(Output::Event(event));
    }

    pub(crate) fn enabled(&self, level: LogLevel) -> bool {
        level <= self.log_level
    }

    pub(crate) fn log(&mut self, level: LogLevel, message: impl FnOnce() -> String) {
        if self.enabled(level) {
            self.out.push_back(Output::Log {
                level,
                message: message(),
            });
        }
    }

    /// Sends one SIP message on the open flow; returns false if there is none.
    pub(crate) fn send(&mut self, data: Vec<u8>) -> bool {
        let Some(id) = self.flow else {
            return false;
        };
        if self.enabled(LogLevel::Debug) {
            let first = first_line(&data);
            self.log(LogLevel::Debug, || format!("send {first}"));
            if self.enabled(LogLevel::Trace) {
                let full = crate::sip::redact(&data);
                self.log(LogLevel::Trace, || full);
            }
        }
        self.out.push_back(Output::Send { id, data });
        true
    }

    /// Arms one of the user agent's own timers.
    pub(crate) fn set_timer(&mut self, timer: UaTimer, at: Instant) {
        self.timers.set(TimerKey::Ua(timer), at);
    }

    /// Disarms one of the user agent's own timers.
    pub(crate) fn cancel_timer(&mut self, timer: UaTimer) {
        self.timers.cancel(TimerKey::Ua(timer));
    }
}

/// The first line of a message, for logs.
pub(crate) fn first_line(data: &[u8]) -> String {
    let end = data
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(data.len())
        .min(200);
    String::from_utf8_lossy(&data[..end]).into_owned()
}
