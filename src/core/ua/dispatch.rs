//! Inputs taken apart: timers, messages received, responses routed to their
//! transactions, requests to calls or answered here.

use super::{Conn, Run, UserAgent};
use crate::core::ids::ConnectionId;
use crate::core::io::{first_line, Io};
use crate::core::keepalive::{PongOutcome, PING};
use crate::core::output::Output;
use crate::core::registration::Outcome;
use crate::core::timer::{TimerKey, UaTimer};
use crate::core::transaction::{respond, Purpose, TxEvent, ALLOW};
use crate::core::{DisconnectReason, Instant, LogLevel};
use crate::sip::{Message, Method};

impl UserAgent {
    pub(super) fn on_timeout(&mut self, now: Instant) {
        while let Some(key) = self.ctx.timers.pop_due(now) {
            match key {
                TimerKey::Ua(timer) => self.on_ua_timer(timer, now),
                TimerKey::Tx(id) => {
                    if let Some(purpose) = self.txs.on_timeout(id) {
                        let mut p = self.parts(now);
                        p.io.log(LogLevel::Warn, || "request timed out (Timer F)".into());
                        let outcome = match purpose {
                            Purpose::Call { call, kind } => {
                                p.calls.on_in_dialog_final(
                                    call,
                                    kind,
                                    None,
                                    408,
                                    &mut p.io,
                                    &mut p.sender,
                                );
                                Outcome::Nothing
                            }
                            Purpose::Register | Purpose::Unregister => {
                                p.registration.on_timeout(purpose, &mut p.io)
                            }
                            Purpose::Message(id) => {
                                p.messages.on_final(id, None, 408, &mut p.io, &mut p.sender);
                                Outcome::Nothing
                            }
                            Purpose::Subscribe(id) => {
                                p.subs.on_final(id, None, 408, &mut p.io, &mut p.sender);
                                Outcome::Nothing
                            }
                        };
                        self.after(outcome, now);
                    }
                }
                TimerKey::Call(call, timer) => {
                    let mut p = self.parts(now);
                    p.calls.on_timer(timer, call, &mut p.io, &mut p.sender);
                }
                TimerKey::Sub(id, timer) => {
                    let mut p = self.parts(now);
                    p.subs.on_timer(id, timer, &mut p.io, &mut p.sender);
                }
            }
        }
    }

    pub(super) fn on_ua_timer(&mut self, timer: UaTimer, now: Instant) {
        match timer {
            UaTimer::Reconnect => {
                if self.run == Run::Running && self.conn == Conn::Waiting {
                    let server = self.reconnect.start_round(&mut self.ctx.rng);
                    self.connect(server, now);
                }
            }
            UaTimer::ConnectTimeout => {
                if matches!(self.conn, Conn::Connecting { .. }) {
                    self.flow_lost(DisconnectReason::ConnectTimeout, false, now);
                }
            }
            UaTimer::KeepalivePing => {
                let mut p = self.parts(now);
                p.keepalive.ping(&mut p.io);
            }
            UaTimer::KeepalivePong => {
                // A server index is always one of `config.servers` (see on_keepalive).
                let expected = self.server().is_some_and(|s| self.pongs_seen[s])
                    || self.registration.outbound_required();
                let mut p = self.parts(now);
                if p.keepalive.pong_overdue(expected, &mut p.io) == PongOutcome::Dead {
                    self.flow_lost(DisconnectReason::KeepaliveTimeout, false, now);
                }
            }
            UaTimer::RegisterRefresh | UaTimer::RegisterRetry => {
                let mut p = self.parts(now);
                p.registration.on_timer(&mut p.io, &mut p.sender);
            }
            UaTimer::PrewarmRotate => {
                let mut p = self.parts(now);
                p.calls.prewarm.on_rotate(&mut p.io);
            }
            UaTimer::SubscribePace => {
                let mut p = self.parts(now);
                p.subs.on_pace(&mut p.io, &mut p.sender);
            }
            UaTimer::IceServersRefresh => {
                let mut io = self.ctx.io(now, None);
                self.ice_fetch.on_refresh_timer(&mut io);
            }
            UaTimer::IceServersExpire => {
                let mut io = self.ctx.io(now, None);
                self.ice_fetch.on_expire_timer(&mut io);
            }
            UaTimer::StopGuard => {
                if self.run == Run::Stopping {
                    self.finish_stop(now);
                }
            }
        }
    }

    pub(super) fn after(&mut self, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Nothing => {}
            Outcome::Registered => {
                self.reconnect.succeeded();
                if let Some(seconds) = self.registration.flow_timer() {
                    let mut p = self.parts(now);
                    p.keepalive
                        .limit_interval(std::time::Duration::from_secs(seconds.into()), &mut p.io);
                }
                self.signalling_up(now);
            }
            Outcome::FlowSuspect => {
                if self.flow().is_some() {
                    self.flow_lost(DisconnectReason::KeepaliveTimeout, false, now);
                }
            }
            Outcome::Unregistered => {
                if self.run == Run::Stopping {
                    self.finish_stop(now);
                }
            }
        }
    }

    pub(super) fn on_received(&mut self, id: ConnectionId, data: &[u8], now: Instant) {
        if self.flow() != Some(id) {
            return;
        }
        self.last_received = now;
        if !data.is_empty() && data.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            return self.on_keepalive(data, now);
        }
        let msg = match Message::parse(data) {
            Ok(msg) => msg,
            Err(e) => {
                let first = first_line(data);
                let tag = self.ctx.rng.token(10);
                let answer = crate::sip::error_response(data, &e, &tag);
                let mut io = self.io(now);
                io.log(LogLevel::Warn, || {
                    format!("malformed message ({e}): {first}")
                });
                if let Some(answer) = answer {
                    io.send(answer);
                }
                return;
            }
        };
        {
            let mut io = self.io(now);
            if io.enabled(LogLevel::Debug) {
                let first = first_line(data);
                io.log(LogLevel::Debug, || format!("recv {first}"));
                io.log(LogLevel::Trace, || crate::sip::redact(data));
            }
        }
        if msg.is_request() {
            self.on_request(&msg, now);
        } else {
            self.on_response(&msg, now);
        }
    }

    pub(super) fn on_keepalive(&mut self, data: &[u8], now: Instant) {
        if data == PING {
            // The server pings us (RFC 5626 allows either side): answer with a pong.
            if let Some(id) = self.flow() {
                self.ctx.outputs.push_back(Output::Send {
                    id,
                    data: b"\r\n".to_vec(),
                });
            }
            return;
        }
        if let Some(server) = self.server() {
            // Server indices come from the reconnect policy, which only hands out
            // indices of `config.servers`; `pongs_seen` has one entry per server.
            self.pongs_seen[server] = true;
        }
        let mut p = self.parts(now);
        p.keepalive.pong(&mut p.io);
    }

    pub(super) fn on_response(&mut self, msg: &Message<'_>, now: Instant) {
        // RFC 3261 section 8.1.3.3: a response with more than one Via is not for a UA.
        let branch = match msg.vias() {
            [via] => via.branch().unwrap_or("").to_string(),
            _ => {
                self.io(now).log(LogLevel::Warn, || {
                    "dropped a response with several Vias".into()
                });
                return;
            }
        };
        let status = msg.status().unwrap_or(0);
        let method = msg.cseq().method.as_str();
        let mut p = self.parts(now);
        if matches!(msg.cseq().method, Method::Invite | Method::Cancel)
            && p.calls.on_invite_response(msg, &mut p.io, &mut p.sender)
        {
            self.reap(now);
            return;
        }
        let event = p.sender.txs.on_response(&branch, method, status, &mut p.io);
        let outcome = match event {
            TxEvent::Final(Purpose::Call { call, kind }) => {
                p.calls
                    .on_in_dialog_final(call, kind, Some(msg), status, &mut p.io, &mut p.sender);
                self.reap(now);
                Outcome::Nothing
            }
            TxEvent::Final(purpose @ (Purpose::Register | Purpose::Unregister)) => p
                .registration
                .on_final(msg, purpose, &mut p.io, &mut p.sender),
            TxEvent::Final(Purpose::Message(id)) => {
                p.messages
                    .on_final(id, Some(msg), status, &mut p.io, &mut p.sender);
                Outcome::Nothing
            }
            TxEvent::Final(Purpose::Subscribe(id)) => {
                p.subs
                    .on_final(id, Some(msg), status, &mut p.io, &mut p.sender);
                Outcome::Nothing
            }
            TxEvent::Provisional(_) => Outcome::Nothing,
            TxEvent::Stray => {
                p.io.log(LogLevel::Debug, || {
                    format!("dropped a stray {status} response")
                });
                Outcome::Nothing
            }
        };
        self.after(outcome, now);
    }

    pub(super) fn on_request(&mut self, msg: &Message<'_>, now: Instant) {
        let tag = self.ctx.rng.token(10);
        let running = self.run == Run::Running;
        let mut p = self.parts(now);
        if let Some(refusal) = crate::core::screen::screen(msg) {
            let headers: Vec<(&str, &str)> = refusal
                .headers
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .collect();
            return respond(msg, refusal.code, refusal.reason, &tag, &headers, &mut p.io);
        }
        let in_dialog = msg.to().tag().is_some();
        match msg.method() {
            Method::Ack => {
                p.calls.on_in_dialog_request(msg, &mut p.io, &mut p.sender);
            }
            Method::Cancel => {
                if !p.calls.on_cancel(msg, &mut p.io) {
                    no_such_transaction(msg, &tag, &mut p.io);
                }
            }
            _ if in_dialog => {
                let handled = p.calls.on_in_dialog_request(msg, &mut p.io, &mut p.sender)
                    || (msg.method() == Method::Notify
                        && p.subs.on_notify(msg, &tag, &mut p.io, &mut p.sender));
                if !handled {
                    no_such_transaction(msg, &tag, &mut p.io);
                }
            }
            Method::Invite => {
                if running {
                    p.calls.on_new_invite(msg, &mut p.io);
                } else {
                    respond(msg, 480, "Temporarily Unavailable", &tag, &[], &mut p.io);
                }
            }
            Method::Message => p.messages.on_request(msg, &tag, &mut p.io),
            Method::Notify => {
                if !p.subs.on_notify(msg, &tag, &mut p.io, &mut p.sender) {
                    respond(
                        msg,
                        481,
                        "Subscription Does Not Exist",
                        &tag,
                        &[],
                        &mut p.io,
                    );
                }
            }
            Method::Options => respond(
                msg,
                200,
                "OK",
                &tag,
                &[
                    ("Allow", ALLOW),
                    ("Accept", "application/sdp"),
                    ("Supported", "outbound"),
                ],
                &mut p.io,
            ),
            _ => respond(
                msg,
                405,
                "Method Not Allowed",
                &tag,
                &[("Allow", ALLOW)],
                &mut p.io,
            ),
        }
        self.reap(now);
    }
}

/// The 481 for a request that matches no dialog or transaction (RFC 3261 12.2.2).
fn no_such_transaction(msg: &Message<'_>, tag: &str, io: &mut Io<'_>) {
    respond(msg, 481, "Call/Transaction Does Not Exist", tag, &[], io);
}
