//! The user agent: inputs in, outputs out.
//!
//! It owns one WebSocket flow at a time (`Conn`), and wires the parts together:
//! the reconnect policy picks servers and backoff, keepalive watches the flow,
//! client transactions match responses, registration keeps the binding.

use std::collections::VecDeque;

use super::auth::Authenticator;
use super::call::{AnswerOptions, CallError, CallOptions, CallSettings, Calls, DtmfMode};
use super::config::ConfigError;
use super::ids::{CallId, ConnectionId};
use super::input::Input;
use super::io::{first_line, Io};
use super::keepalive::{Keepalive, PongOutcome, PING};
use super::local::Local;
use super::output::Output;
use super::reconnect::{Next, Reconnect};
use super::registration::{Outcome, Registration};
use super::rng::Rng;
use super::timer::{TimerKey, TimerName, Timers, UaTimer};
use super::transaction::{respond, ClientTransactions, Purpose, Sender, TxEvent, ALLOW};
use super::{Config, ConnectionEvent, DisconnectReason, Event, Instant, LogLevel};
use crate::sip::{Message, Method};

/// Borrows the I/O context and a request sender from disjoint fields of the user
/// agent, so its other parts (registration, keepalive) stay usable beside them.
macro_rules! split {
    ($ua:ident, $now:expr) => {{
        let flow = $ua.flow();
        let secure = $ua.secure();
        (
            $ua.ctx.io($now, flow),
            Sender {
                local: &$ua.local,
                auth: &mut $ua.auth,
                txs: &mut $ua.txs,
                secure,
                tx_timeout: $ua.config.transaction_timeout,
            },
        )
    }};
}

/// What every input's handling writes to: the generator, timers and outputs.
#[derive(Debug)]
struct Ctx {
    rng: Rng,
    timers: Timers,
    outputs: VecDeque<Output>,
    log_level: LogLevel,
}

impl Ctx {
    fn io(&mut self, now: Instant, flow: Option<ConnectionId>) -> Io<'_> {
        Io {
            now,
            out: &mut self.outputs,
            timers: &mut self.timers,
            rng: &mut self.rng,
            flow,
            log_level: self.log_level,
        }
    }
}

/// The WebSocket flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    /// No socket, and none planned (not started, or stopped).
    None,
    /// Waiting for the Reconnect timer.
    Waiting,
    /// A socket is opening.
    Connecting { id: ConnectionId, server: usize },
    /// The socket is open.
    Open { id: ConnectionId, server: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    Idle,
    Running,
    Stopping,
}

/// A SIP user agent as a sans-IO state machine. See the [module docs](super).
#[derive(Debug)]
pub struct UserAgent {
    config: Config,
    ctx: Ctx,
    local: Local,
    auth: Authenticator,
    txs: ClientTransactions,
    registration: Registration,
    calls: Calls,
    /// Calls were up when a flow was lost: refresh them on the next flow.
    calls_lost_flow: bool,
    keepalive: Keepalive,
    reconnect: Reconnect,
    conn: Conn,
    run: Run,
    next_conn: u64,
    /// Per server: it answered a keepalive ping at least once.
    pongs_seen: Vec<bool>,
    last_received: Instant,
}

impl UserAgent {
    /// Makes a user agent; nothing happens until [`UserAgent::start`].
    ///
    /// `seed` feeds the generator of branches, tags, Call-IDs, cnonces and jitter:
    /// give it 32 bytes from a cryptographic source.
    ///
    /// # Errors
    /// Returns the first invalid field of `config`.
    pub fn new(config: Config, seed: [u8; 32], now: Instant) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut rng = Rng::new(seed);
        let local =
            Local::new(&config, &mut rng).map_err(|e| ConfigError::new("uri", e.to_string()))?;
        let registration = Registration::new(
            config.register,
            config.register_expires,
            rng.token(22),
            rng.token(10),
        );
        let calls = Calls::new(CallSettings {
            session_expires: config.session_expires,
            min_se: config.min_se,
            no_answer_timeout: config.no_answer_timeout,
            gather_timeout: config.ice_gathering_timeout,
            has_turn: config.ice_has_turn,
            has_stun: config.ice_has_stun,
            invite_timeout: config.transaction_timeout,
            domain: domain_of(&local.registrar),
            contact: local.dialog_contact_uri(),
            ice_grace: config.ice_disconnected_grace,
            ice_recovery_limit: config.ice_recovery_limit,
        });
        Ok(UserAgent {
            auth: Authenticator::new(local.auth_user.clone(), config.password.clone()),
            keepalive: Keepalive::new(config.keepalive_interval, config.keepalive_timeout),
            reconnect: Reconnect::new(
                config.servers.clone(),
                config.reconnect_base,
                config.reconnect_max,
            ),
            pongs_seen: vec![false; config.servers.len()],
            ctx: Ctx {
                rng,
                timers: Timers::default(),
                outputs: VecDeque::new(),
                log_level: config.log_level,
            },
            config,
            local,
            txs: ClientTransactions::default(),
            registration,
            calls,
            calls_lost_flow: false,
            conn: Conn::None,
            run: Run::Idle,
            next_conn: 0,
            last_received: now,
        })
    }

    /// Connects and registers. Calling it while running does nothing, except after a
    /// registration refused for good (403, a rejected password...): then it tries again.
    pub fn start(&mut self, now: Instant) {
        match self.run {
            Run::Running => {
                let (mut io, mut sender) = split!(self, now);
                self.registration.retry_now(&mut io, &mut sender);
            }
            Run::Idle | Run::Stopping => {
                if self.run == Run::Stopping {
                    self.finish_stop(now);
                }
                self.run = Run::Running;
                let server = self.reconnect.start_round(&mut self.ctx.rng);
                self.connect(server, now);
            }
        }
    }

    /// Unregisters (Expires: 0), then closes the connection. Completion is reported
    /// by [`UserAgent::is_stopped`] turning true (and the events before it).
    pub fn stop(&mut self, now: Instant) {
        if self.run != Run::Running {
            return;
        }
        // Calls first: their BYEs (or CANCELs) go out while the flow is still registered.
        for call in self.calls.ids() {
            let _ = self.hangup(call, now);
        }
        self.run = Run::Stopping;
        self.ctx.timers.cancel(TimerKey::Ua(UaTimer::Reconnect));
        let sent = match self.conn {
            Conn::Open { .. } => {
                let (mut io, mut sender) = split!(self, now);
                self.registration.unregister(&mut io, &mut sender)
            }
            _ => false,
        };
        if sent {
            let guard = self
                .config
                .transaction_timeout
                .min(std::time::Duration::from_secs(4));
            self.ctx
                .timers
                .set(TimerKey::Ua(UaTimer::StopGuard), now + guard);
        } else {
            self.finish_stop(now);
        }
    }

    /// Whether the user agent is idle: never started, or fully stopped.
    pub fn is_stopped(&self) -> bool {
        self.run == Run::Idle
    }

    /// Feeds one input. Drain [`UserAgent::poll_output`] afterwards.
    pub fn handle_input(&mut self, input: Input<'_>, now: Instant) {
        match input {
            Input::Opened { id } => self.on_opened(id, now),
            Input::Closed { id, code, reason } => self.on_closed(id, code, reason, now),
            Input::Received { id, data } => self.on_received(id, data, now),
            Input::Timeout => self.on_timeout(now),
            Input::NetworkOnline => self.on_network_change(now, true),
            Input::NetworkOffline => {
                self.io(now)
                    .log(LogLevel::Info, || "network offline".into());
            }
            Input::Resumed => self.on_network_change(now, false),
            Input::LocalDescription {
                call,
                sdp,
                complete,
            } => self.with_calls(now, |calls, io, s| {
                calls.on_local_description(call, sdp, complete, io, s)
            }),
            Input::IceState { call, state } => {
                self.with_calls(now, |calls, io, s| calls.on_ice_state(call, state, io, s))
            }
            Input::MediaFailed { call, reason } => self.with_calls(now, |calls, io, s| {
                calls.on_media_failed(call, reason, io, s)
            }),
        }
    }

    /// Returns the next thing for the driver to do, or `None` when there is nothing.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.ctx.outputs.pop_front()
    }

    /// Returns the earliest deadline and why it was armed.
    pub fn poll_timeout(&self) -> Option<(Instant, TimerName)> {
        self.ctx.timers.next().map(|(at, key)| (at, key.name()))
    }

    fn flow(&self) -> Option<ConnectionId> {
        match self.conn {
            Conn::Open { id, .. } => Some(id),
            _ => None,
        }
    }

    fn server(&self) -> Option<usize> {
        match self.conn {
            Conn::Open { server, .. } | Conn::Connecting { server, .. } => Some(server),
            _ => None,
        }
    }

    fn secure(&self) -> bool {
        self.server()
            .is_some_and(|s| self.reconnect.url(s).starts_with("wss:"))
    }

    fn io(&mut self, now: Instant) -> Io<'_> {
        let flow = self.flow();
        self.ctx.io(now, flow)
    }

    fn connect(&mut self, server: usize, now: Instant) {
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

    fn on_opened(&mut self, id: ConnectionId, now: Instant) {
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
        if !self.config.register {
            self.reconnect.succeeded();
        }
        let url = self.reconnect.url(server).to_string();
        let mut io = self.io(now);
        io.log(LogLevel::Info, || format!("connected to {url}"));
        io.event(Event::Connection(ConnectionEvent::Connected { url }));
        let (mut io, mut sender) = split!(self, now);
        self.keepalive.flow_opened(&mut io);
        self.registration.flow_up(&mut io, &mut sender);
        if !self.config.register {
            self.signalling_up(now);
        }
    }

    /// A flow is up and registered: calls may signal again. After a lost flow,
    /// every call re-INVITEs, which refreshes its route at the far end and
    /// restarts ICE (the network under it likely changed too).
    fn signalling_up(&mut self, now: Instant) {
        let new_flow = std::mem::take(&mut self.calls_lost_flow);
        let (mut io, mut sender) = split!(self, now);
        self.calls
            .signalling_restored(new_flow, &mut io, &mut sender);
        self.calls.reap(&mut self.ctx.timers);
    }

    fn on_closed(&mut self, id: ConnectionId, code: u16, reason: &str, now: Instant) {
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
    fn drop_flow(&mut self, reason: DisconnectReason, now: Instant) {
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
        let (mut io, sender) = split!(self, now);
        self.keepalive.flow_closed(&mut io);
        for purpose in sender.txs.fail_all(&mut io) {
            if let Purpose::Call { call, kind } = purpose {
                let mut sender = sender_again(
                    &self.local,
                    &mut self.auth,
                    &mut self.txs,
                    self.config.transaction_timeout,
                );
                self.calls
                    .on_in_dialog_final(call, kind, None, 503, &mut io, &mut sender);
            }
        }
        self.calls.flow_lost(&mut io);
        self.calls.reap(io.timers);
        self.calls_lost_flow |= !self.calls.ids().is_empty();
        self.registration.flow_down(&mut io);
    }

    /// The flow ended (closed, failed, dead, or replaced). `immediate` skips the
    /// backoff: the network changed, so the old flow's failure says nothing.
    fn flow_lost(&mut self, reason: DisconnectReason, immediate: bool, now: Instant) {
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

    fn finish_stop(&mut self, now: Instant) {
        if self.registration.is_registered() {
            let mut io = self.ctx.io(now, None);
            self.registration.flow_down(&mut io);
        }
        self.drop_flow(DisconnectReason::Stopped, now);
        self.ctx.timers = Timers::default();
        self.conn = Conn::None;
        self.run = Run::Idle;
    }

    fn on_network_change(&mut self, now: Instant, online: bool) {
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
                    let (mut io, _) = split!(self, now);
                    self.keepalive.ping(&mut io);
                }
            }
            _ => {}
        }
    }

    fn on_timeout(&mut self, now: Instant) {
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
                        };
                        self.after(outcome, now);
                    }
                }
                TimerKey::Call(call, timer) => {
                    let (mut io, mut sender) = split!(self, now);
                    self.calls.on_timer(timer, call, &mut io, &mut sender);
                }
            }
        }
    }

    fn on_ua_timer(&mut self, timer: UaTimer, now: Instant) {
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
            UaTimer::StopGuard => {
                if self.run == Run::Stopping {
                    self.finish_stop(now);
                }
            }
        }
    }

    fn after(&mut self, outcome: Outcome, now: Instant) {
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

    fn on_received(&mut self, id: ConnectionId, data: &[u8], now: Instant) {
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

    fn on_keepalive(&mut self, data: &[u8], now: Instant) {
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
            self.pongs_seen[server] = true;
        }
        let (mut io, _) = split!(self, now);
        self.keepalive.pong(&mut io);
    }

    fn on_response(&mut self, msg: &Message<'_>, now: Instant) {
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
            self.calls.reap(&mut self.ctx.timers);
            return;
        }
        let event = sender.txs.on_response(&branch, method, status, &mut io);
        let outcome = match event {
            TxEvent::Final(Purpose::Call { call, kind }) => {
                self.calls
                    .on_in_dialog_final(call, kind, Some(msg), status, &mut io, &mut sender);
                self.calls.reap(&mut self.ctx.timers);
                Outcome::Nothing
            }
            TxEvent::Final(purpose @ (Purpose::Register | Purpose::Unregister)) => self
                .registration
                .on_final(msg, purpose, &mut io, &mut sender),
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

    fn on_request(&mut self, msg: &Message<'_>, now: Instant) {
        let tag = self.ctx.rng.token(10);
        let (mut io, mut sender) = split!(self, now);
        if let Some(refusal) = super::screen::screen(msg) {
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
                if !self.calls.on_in_dialog_request(msg, &mut io, &mut sender) {
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
        self.calls.reap(&mut self.ctx.timers);
    }

    fn with_calls<T>(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut Calls, &mut Io<'_>, &mut Sender<'_>) -> T,
    ) -> T {
        let (mut io, mut sender) = split!(self, now);
        let result = f(&mut self.calls, &mut io, &mut sender);
        self.calls.reap(&mut self.ctx.timers);
        result
    }

    /// Calls `target`: a SIP URI, a user name or a number in the AOR's domain.
    ///
    /// The call asks the driver for an offer ([`MediaAction::CreateOffer`]) and
    /// sends the INVITE once the offer's candidates are good enough.
    ///
    /// # Errors
    /// An invalid target or extra header, or no connection to the server.
    pub fn call(
        &mut self,
        target: &str,
        options: CallOptions,
        now: Instant,
    ) -> Result<CallId, CallError> {
        self.with_calls(now, |calls, io, s| calls.call(target, options, io, s))
    }

    /// Answers a ringing incoming call.
    ///
    /// # Errors
    /// No such call, or it is not ringing.
    pub fn answer(
        &mut self,
        call: CallId,
        options: AnswerOptions,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.answer(call, options, io))
    }

    /// Rejects a ringing incoming call with `status` (486 busy, 603 decline, 480...).
    ///
    /// # Errors
    /// No such call, it is not ringing, or `status` is not 300-699.
    pub fn reject(&mut self, call: CallId, status: u16, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.reject(call, status, io))
    }

    /// Ends a call: CANCEL before an answer, BYE after, 486 while an incoming call rings.
    ///
    /// # Errors
    /// No such call.
    pub fn hangup(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| calls.hangup(call, io, s))
    }

    /// Puts a connected call on hold (re-INVITE with `sendonly`).
    ///
    /// # Errors
    /// No such call, not connected, or a re-negotiation is under way.
    pub fn hold(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.set_hold(call, true, io))
    }

    /// Takes a held call off hold (re-INVITE with `sendrecv`).
    ///
    /// # Errors
    /// As for [`UserAgent::hold`].
    pub fn resume(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.set_hold(call, false, io))
    }

    /// Mutes or unmutes the microphone of a call (no signalling).
    ///
    /// # Errors
    /// No such call.
    pub fn set_muted(&mut self, call: CallId, muted: bool, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.set_muted(call, muted, io))
    }

    /// Sends DTMF tones (`0-9*#A-D`, `,` for a pause).
    ///
    /// # Errors
    /// No such call, not answered, or invalid tones.
    pub fn send_dtmf(
        &mut self,
        call: CallId,
        tones: &str,
        mode: DtmfMode,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| {
            calls.send_dtmf(call, tones, mode, io, s)
        })
    }

    /// Transfers a connected call to `target` (blind transfer by REFER). Progress
    /// comes as `TransferProgress` events; on success the call ends as `Transferred`.
    ///
    /// # Errors
    /// No such call, not connected, or an invalid target.
    pub fn transfer(&mut self, call: CallId, target: &str, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| calls.transfer(call, target, io, s))
    }

    /// Accepts a transfer the peer asked for: calls its target and returns the new call.
    ///
    /// # Errors
    /// No transfer pending on `call`.
    pub fn accept_transfer(&mut self, call: CallId, now: Instant) -> Result<CallId, CallError> {
        self.with_calls(now, |calls, io, s| calls.accept_transfer(call, io, s))
    }

    /// Declines a transfer the peer asked for (603).
    ///
    /// # Errors
    /// No transfer pending on `call`.
    pub fn decline_transfer(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.decline_transfer(call, io))
    }

    /// The live calls.
    pub fn calls(&self) -> Vec<CallId> {
        self.calls.ids()
    }
}

/// The host (and port) of a `sip:host[:port]` URI.
fn domain_of(registrar: &str) -> String {
    registrar
        .split_once(':')
        .map_or(registrar, |(_, rest)| rest)
        .to_string()
}

/// A sender with no flow, for reporting failed in-dialog requests.
fn sender_again<'a>(
    local: &'a Local,
    auth: &'a mut Authenticator,
    txs: &'a mut ClientTransactions,
    tx_timeout: std::time::Duration,
) -> Sender<'a> {
    Sender {
        local,
        auth,
        txs,
        secure: false,
        tx_timeout,
    }
}
