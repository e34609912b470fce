//! RFC 5626 client keepalive over a WebSocket flow: a double-CRLF ping every
//! interval (jittered to 80-100 % of it, as section 4.4.1 asks) and a CRLF pong
//! expected within a timeout.
//!
//! Not every server answers pings (RFC 7118 does not require it). A missing pong
//! declares the flow dead only when pongs are known to work on this server: it
//! answered one before, or the registrar asked for keepalives (`Flow-Timer`,
//! `Require: outbound`). Otherwise the pings still keep NATs and tunnels from
//! idling the connection out, and the core warns once.

use std::time::Duration;

use super::io::Io;
use super::timer::UaTimer;
use super::LogLevel;

/// The ping the client sends.
pub(crate) const PING: &[u8] = b"\r\n\r\n";

/// Keepalive state of the current flow.
#[derive(Debug, Clone)]
pub(crate) struct Keepalive {
    interval: Duration,
    timeout: Duration,
    awaiting_pong: bool,
    warned: bool,
}

/// What a missing pong means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PongOutcome {
    /// Nothing to do.
    Fine,
    /// The flow is dead: replace it.
    Dead,
}

impl Keepalive {
    pub(crate) fn new(interval: Duration, timeout: Duration) -> Self {
        Keepalive {
            interval,
            timeout,
            awaiting_pong: false,
            warned: false,
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        !self.interval.is_zero()
    }

    /// Keeps pings at least as frequent as `limit` (a registrar's Flow-Timer). The
    /// configured interval stays the upper bound; a zero (disabled) interval is
    /// turned on, because the registrar relies on keepalives to see the flow live.
    pub(crate) fn limit_interval(&mut self, limit: Duration, io: &mut Io<'_>) {
        if limit.is_zero() || (self.enabled() && self.interval <= limit) {
            return;
        }
        self.interval = limit;
        self.schedule(io);
    }

    /// A flow opened: schedule the first ping.
    pub(crate) fn flow_opened(&mut self, io: &mut Io<'_>) {
        self.awaiting_pong = false;
        self.schedule(io);
    }

    /// The flow is gone: no more pings.
    pub(crate) fn flow_closed(&mut self, io: &mut Io<'_>) {
        self.awaiting_pong = false;
        io.cancel_timer(UaTimer::KeepalivePing);
        io.cancel_timer(UaTimer::KeepalivePong);
    }

    fn schedule(&mut self, io: &mut Io<'_>) {
        if !self.enabled() {
            return;
        }
        let delay = io.rng.between(self.interval * 4 / 5, self.interval);
        io.set_timer(UaTimer::KeepalivePing, io.now + delay);
    }

    /// Sends a ping now (the ping timer fired, or the network may have changed).
    pub(crate) fn ping(&mut self, io: &mut Io<'_>) {
        if !self.enabled() {
            return;
        }
        if io.flow.is_some() {
            if let Some(id) = io.flow {
                io.out.push_back(super::Output::Send {
                    id,
                    data: PING.to_vec(),
                });
            }
            if !self.awaiting_pong {
                self.awaiting_pong = true;
                io.set_timer(UaTimer::KeepalivePong, io.now + self.timeout);
            }
        }
        self.schedule(io);
    }

    /// A pong arrived.
    pub(crate) fn pong(&mut self, io: &mut Io<'_>) {
        self.awaiting_pong = false;
        io.cancel_timer(UaTimer::KeepalivePong);
    }

    /// The pong timer fired. `pongs_expected` says whether this server is known to answer.
    pub(crate) fn pong_overdue(&mut self, pongs_expected: bool, io: &mut Io<'_>) -> PongOutcome {
        if !self.awaiting_pong {
            return PongOutcome::Fine;
        }
        self.awaiting_pong = false;
        if pongs_expected {
            io.log(LogLevel::Warn, || {
                format!(
                    "no keepalive pong within {} ms: flow is dead",
                    // u64: formatting a u128 links 1.3 kB of wasm of its own.
                    self.timeout.as_millis() as u64
                )
            });
            return PongOutcome::Dead;
        }
        if !self.warned {
            self.warned = true;
            io.log(LogLevel::Warn, || {
                "server does not answer CRLF keepalives; pings continue to keep the path open, \
                 and a dead flow is noticed by the next request"
                    .to_string()
            });
        }
        PongOutcome::Fine
    }
}
