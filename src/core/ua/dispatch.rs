//! Inputs taken apart: timers, messages received, responses routed to their
//! transactions, requests to calls or answered here.

use super::{Conn, Run, UserAgent};
use crate::core::ids::ConnectionId;
use crate::core::io::first_line;
use crate::core::keepalive::{PongOutcome, PING};
use crate::core::output::Output;
use crate::core::registration::Outcome;
use crate::core::timer::{TimerKey, UaTimer};
use crate::core::transaction::{respond, Purpose, Sender, TxEvent, ALLOW};
use crate::core::{DisconnectReason, Instant, LogLevel};
use crate::sip::{Message, Method};

impl UserAgent {
    pub(super) fn on_timeout(&mut self, now: Instant) {
        while let Some(key) = self.ctx.timers.pop_due(now) {
            match key {
                TimerKey::Ua(timer) => self.on_ua_timer(timer, now),
                TimerKey::Tx(id) => {
                    if let Some(purpose) = self.txs.on_timeout(id) {
                        let (mut io, mut sender) = split!(self, now);
                        io.log(LogLevel::Warn, || "request timed out (Timer F)".into());
                        let outcome = match purpose {
                            Purpose::Call { call, kind } => {
                                self.calls.on_in_dialog_final(
                                    call,
                                    kind,
                                    None,
                                    408,
                                    &mut io,
                                    &mut sender,
                                );
                                Outcome::Nothing
                            }
                            Purpose::Register | Purpose::Unregister => {
                                self.registration.on_timeout(purpose, &mut io)
                            }
                            Purpose::Message(id) => {
                                self.messages.on_final(id, None, 408, &mut io, &mut sender);
                                Outcome::Nothing
                            }
                            Purpose::Subscribe(id) => {
                                self.subs.on_final(id, None, 408, &mut io, &mut sender);
                                Outcome::Nothing
                            }
                        };
                        self.after(outcome, now);
                    }
                }
                TimerKey::Call(call, timer) => {
                    let (mut io, mut sender) = split!(self, now);
                    self.calls.on_timer(timer, call, &mut io, &mut sender);
                }
                TimerKey::Sub(id, timer) => {
                    let (mut io, mut sender) = split!(self, now);
                    self.subs.on_timer(id, timer, &mut io, &mut sender);
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
                let (mut io, _) = split!(self, now);
                self.keepalive.ping(&mut io);
            }
            UaTimer::KeepalivePong => {
                // A server index is always one of `config.servers` (see on_keepalive).
                let expected = self.server().is_some_and(|s| self.pongs_seen[s])
                    || self.registration.outbound_required();
                let (mut io, _) = split!(self, now);
                if self.keepalive.pong_overdue(expected, &mut io) == PongOutcome::Dead {
                    self.flow_lost(DisconnectReason::KeepaliveTimeout, false, now);
                }
            }
            UaTimer::RegisterRefresh | UaTimer::RegisterRetry => {
                let (mut io, mut sender) = split!(self, now);
                self.registration.on_timer(&mut io, &mut sender);
            }
            UaTimer::PrewarmRotate => {
                let (mut io, _) = split!(self, now);
                self.calls.prewarm.on_rotate(&mut io);
            }
            UaTimer::SubscribePace => {
                let (mut io, mut sender) = split!(self, now);
                self.subs.on_pace(&mut io, &mut sender);
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
                    let (mut io, _) = split!(self, now);
                    self.keepalive
                        .limit_interval(std::time::Duration::from_secs(seconds.into()), &mut io);
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
        let (mut io, _) = split!(self, now);
        self.keepalive.pong(&mut io);
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
        let (mut io, mut sender) = split!(self, now);
        if matches!(msg.cseq().method, Method::Invite | Method::Cancel)
            && self.calls.on_invite_response(msg, &mut io, &mut sender)
        {
            self.reap(now);
            return;
        }
        let event = sender.txs.on_response(&branch, method, status, &mut io);
        let outcome = match event {
            TxEvent::Final(Purpose::Call { call, kind }) => {
                self.calls
                    .on_in_dialog_final(call, kind, Some(msg), status, &mut io, &mut sender);
                self.reap(now);
                Outcome::Nothing
            }
            TxEvent::Final(purpose @ (Purpose::Register | Purpose::Unregister)) => self
                .registration
                .on_final(msg, purpose, &mut io, &mut sender),
            TxEvent::Final(Purpose::Message(id)) => {
                self.messages
                    .on_final(id, Some(msg), status, &mut io, &mut sender);
                Outcome::Nothing
            }
            TxEvent::Final(Purpose::Subscribe(id)) => {
                self.subs
                    .on_final(id, Some(msg), status, &mut io, &mut sender);
                Outcome::Nothing
            }
            TxEvent::Provisional(_) => Outcome::Nothing,
            TxEvent::Stray => {
                io.log(LogLevel::Debug, || {
                    format!("dropped a stray {status} response")
                });
                Outcome::Nothing
            }
        };
        self.after(outcome, now);
    }

    pub(super) fn on_request(&mut self, msg: &Message<'_>, now: Instant) {
        let tag = self.ctx.rng.token(10);
        let (mut io, mut sender) = split!(self, now);
        if let Some(refusal) = crate::core::screen::screen(msg) {
            let headers: Vec<(&str, &str)> = refusal
                .headers
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .collect();
            return respond(msg, refusal.code, refusal.reason, &tag, &headers, &mut io);
        }
        let in_dialog = msg.to().tag().is_some();
        match msg.method() {
            Method::Ack => {
                self.calls.on_in_dialog_request(msg, &mut io, &mut sender);
            }
            Method::Cancel => {
                if !self.calls.on_cancel(msg, &mut io) {
                    respond(
                        msg,
                        481,
                        "Call/Transaction Does Not Exist",
                        &tag,
                        &[],
                        &mut io,
                    );
                }
            }
            _ if in_dialog => {
                let handled = self.calls.on_in_dialog_request(msg, &mut io, &mut sender)
                    || (msg.method() == Method::Notify
                        && self.subs.on_notify(msg, &tag, &mut io, &mut sender));
                if !handled {
                    respond(
                        msg,
                        481,
                        "Call/Transaction Does Not Exist",
                        &tag,
                        &[],
                        &mut io,
                    );
                }
            }
            Method::Invite => {
                if self.run == Run::Running {
                    self.calls.on_new_invite(msg, &mut io);
                } else {
                    respond(msg, 480, "Temporarily Unavailable", &tag, &[], &mut io);
                }
            }
            Method::Message => self.messages.on_request(msg, &tag, &mut io),
            Method::Notify => {
                if !self.subs.on_notify(msg, &tag, &mut io, &mut sender) {
                    respond(msg, 481, "Subscription Does Not Exist", &tag, &[], &mut io);
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
                &mut io,
            ),
            _ => respond(
                msg,
                405,
                "Method Not Allowed",
                &tag,
                &[("Allow", ALLOW)],
                &mut io,
            ),
        }
        self.reap(now);
    }
}
