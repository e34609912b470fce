//! The WebSocket flow: connecting, losing it, backing off, network changes.

use super::{Conn, Run, UserAgent};
use crate::core::ids::ConnectionId;
use crate::core::output::Output;
use crate::core::reconnect::Next;
use crate::core::timer::{TimerKey, Timers, UaTimer};
use crate::core::transaction::Purpose;
use crate::core::{ConnectionEvent, DisconnectReason, Event, Instant, LogLevel};

impl UserAgent {
    pub(super) fn connect(&mut self, server: usize, now: Instant) {
        self.next_conn += 1;
        let id = ConnectionId(self.next_conn);
        let url = self.reconnect.url(server).to_string();
        let attempt = self.reconnect.failures();
        self.conn = Conn::Connecting { id, server };
        self.ctx.timers.set(
            TimerKey::Ua(UaTimer::ConnectTimeout),
            now + self.config.connect_timeout,
        );
        let mut io = self.io(now);
        io.log(LogLevel::Info, || format!("connecting to {url}"));
        io.event(Event::Connection(ConnectionEvent::Connecting {
            url: url.clone(),
            attempt,
        }));
        io.out.push_back(Output::Connect { id, url });
    }

    pub(super) fn on_opened(&mut self, id: ConnectionId, now: Instant) {
        let Conn::Connecting {
            id: current,
            server,
        } = self.conn
        else {
            return;
        };
        if current != id {
            return;
        }
        self.conn = Conn::Open { id, server };
        self.last_received = now;
        self.ctx
            .timers
            .cancel(TimerKey::Ua(UaTimer::ConnectTimeout));
        // Without a REGISTER to prove the flow (none configured, or do-not-disturb),
        // the open socket is the success.
        let registering = self.registration.wants_binding();
        if !registering {
            self.reconnect.succeeded();
        }
        let url = self.reconnect.url(server).to_string();
        let mut io = self.io(now);
        io.log(LogLevel::Info, || format!("connected to {url}"));
        io.event(Event::Connection(ConnectionEvent::Connected { url }));
        let mut p = self.parts(now);
        p.keepalive.flow_opened(&mut p.io);
        p.registration.flow_up(&mut p.io, &mut p.sender);
        if !registering {
            self.signalling_up(now);
        }
    }

    /// A flow is up and registered: calls may signal again. After a lost flow,
    /// every call re-INVITEs, which refreshes its route at the far end and
    /// restarts ICE (the network under it likely changed too).
    pub(super) fn signalling_up(&mut self, now: Instant) {
        let new_flow = std::mem::take(&mut self.calls_lost_flow);
        let mut p = self.parts(now);
        p.calls
            .signalling_restored(new_flow, &mut p.io, &mut p.sender);
        p.subs.signalling_up(&mut p.io, &mut p.sender);
        self.reap(now);
    }

    pub(super) fn on_closed(&mut self, id: ConnectionId, code: u16, reason: &str, now: Instant) {
        let reason = match self.conn {
            Conn::Connecting { id: current, .. } if current == id => {
                DisconnectReason::OpenFailed { code }
            }
            Conn::Open { id: current, .. } if current == id => DisconnectReason::Closed {
                code,
                reason: reason.to_string(),
            },
            _ => return,
        };
        self.flow_lost(reason, false, now);
    }

    /// Closes the current socket (if any) and reports why.
    pub(super) fn drop_flow(&mut self, reason: DisconnectReason, now: Instant) {
        let (id, server) = match self.conn {
            Conn::Connecting { id, server } | Conn::Open { id, server } => (id, server),
            _ => return,
        };
        let url = self.reconnect.url(server).to_string();
        self.conn = Conn::None;
        self.ctx
            .timers
            .cancel(TimerKey::Ua(UaTimer::ConnectTimeout));
        let mut io = self.io(now);
        io.out.push_back(Output::Close { id });
        io.log(LogLevel::Info, || {
            format!("disconnected from {url}: {}", reason.log_text())
        });
        io.event(Event::Connection(ConnectionEvent::Disconnected {
            url,
            reason,
        }));
        // The flow is gone (`conn` is `None`), so the sender's requests are not `wss:`.
        let mut p = self.parts(now);
        p.keepalive.flow_closed(&mut p.io);
        for purpose in p.sender.txs.fail_all(&mut p.io) {
            match purpose {
                Purpose::Call { call, kind } => {
                    p.calls
                        .on_in_dialog_final(call, kind, None, 503, &mut p.io, &mut p.sender);
                }
                Purpose::Message(id) => {
                    p.messages.on_final(id, None, 503, &mut p.io, &mut p.sender);
                }
                // Subscriptions take the lost flow as a whole, below.
                Purpose::Subscribe(_) | Purpose::Register | Purpose::Unregister => {}
            }
        }
        p.subs.flow_down(&mut p.io, &mut p.sender);
        p.calls.flow_lost(&mut p.io);
        p.calls.reap(&mut p.io);
        let calls_left = !p.calls.ids().is_empty();
        p.registration.flow_down(&mut p.io);
        self.calls_lost_flow |= calls_left;
    }

    /// The flow ended (closed, failed, dead, or replaced). `immediate` skips the
    /// backoff: the network changed, so the old flow's failure says nothing.
    pub(super) fn flow_lost(&mut self, reason: DisconnectReason, immediate: bool, now: Instant) {
        // Did the server answer at all? One that did not (refused, no upgrade, no
        // answer in time) is down or unreachable, and probing it costs it nothing.
        let answered = !matches!(
            reason,
            DisconnectReason::OpenFailed { .. } | DisconnectReason::ConnectTimeout
        );
        self.drop_flow(reason, now);
        match self.run {
            Run::Running => {}
            Run::Stopping => return self.finish_stop(now),
            Run::Idle => return,
        }
        if immediate {
            let server = self.reconnect.start_round(&mut self.ctx.rng);
            return self.connect(server, now);
        }
        match self.reconnect.failed(&mut self.ctx.rng, now, answered) {
            Next::Now(server) => self.connect(server, now),
            Next::After(delay) => {
                self.conn = Conn::Waiting;
                self.ctx
                    .timers
                    .set(TimerKey::Ua(UaTimer::Reconnect), now + delay);
                let attempt = self.reconnect.failures();
                let mut io = self.io(now);
                io.log(LogLevel::Info, || {
                    format!(
                        "reconnecting in {} ms (attempt {attempt})",
                        // u64: formatting a u128 links 1.3 kB of wasm of its own.
                        delay.as_millis() as u64
                    )
                });
                io.event(Event::Connection(ConnectionEvent::Reconnecting {
                    delay,
                    attempt,
                }));
            }
        }
    }

    pub(super) fn finish_stop(&mut self, now: Instant) {
        if self.registration.is_registered() {
            let mut io = self.ctx.io(now, None);
            self.registration.flow_down(&mut io);
        }
        self.drop_flow(DisconnectReason::Stopped, now);
        self.ctx.timers = Timers::default();
        self.ice_fetch.stopped();
        self.conn = Conn::None;
        self.run = Run::Idle;
    }

    pub(super) fn on_network_change(&mut self, now: Instant, online: bool) {
        match (self.run, self.conn) {
            (Run::Running, Conn::Waiting) => {
                self.ctx.timers.cancel(TimerKey::Ua(UaTimer::Reconnect));
                let server = self.reconnect.start_round(&mut self.ctx.rng);
                self.connect(server, now);
            }
            (Run::Running, Conn::Open { .. }) => {
                let silent = now - self.last_received;
                let limit = self.config.keepalive_interval + self.config.keepalive_timeout;
                if online || silent > limit {
                    // A socket from before a network change or a long sleep is most
                    // likely dead, and waiting to find out costs a Timer F. Calls
                    // restart ICE once the new flow is registered.
                    self.flow_lost(DisconnectReason::NetworkChange, true, now);
                } else {
                    let mut p = self.parts(now);
                    p.keepalive.ping(&mut p.io);
                }
            }
            _ => {}
        }
    }
}
