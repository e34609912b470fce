//! The user agent: inputs in, outputs out.
//!
//! It owns one WebSocket flow at a time (`Conn`), and wires the parts together:
//! the reconnect policy picks servers and backoff, keepalive watches the flow,
//! client transactions match responses, registration keeps the binding.

use std::collections::VecDeque;

use super::auth::{Authenticator, Credential};
use super::call::{CallSettings, Calls};
use super::config::ConfigError;
use super::ice_refresh::IceFetch;
use super::ids::ConnectionId;
use super::input::Input;
use super::io::Io;
use super::keepalive::Keepalive;
use super::local::Local;
use super::message::Messages;
use super::output::Output;
use super::reconnect::Reconnect;
use super::registration::Registration;
use super::rng::Rng;
use super::subscription::Subscriptions;
use super::timer::{TimerKey, TimerName, Timers, UaTimer};
use super::transaction::{ClientTransactions, Sender};
use super::{Config, Instant, LogLevel};

mod commands;
mod control;

pub use control::ConnectionState;
mod dispatch;
mod flow;
mod subs;

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

/// The user agent borrowed apart for one step of an input: the I/O context, a
/// request sender, and the parts that take them. A plain method cannot hand out
/// `Io` and `Sender` and leave `self.calls` usable beside them (the borrow checker
/// sees only `&mut self`); a struct of disjoint borrows can, with no macro.
struct Parts<'a> {
    io: Io<'a>,
    sender: Sender<'a>,
    calls: &'a mut Calls,
    registration: &'a mut Registration,
    keepalive: &'a mut Keepalive,
    messages: &'a mut Messages,
    subs: &'a mut Subscriptions,
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
    messages: Messages,
    subs: Subscriptions,
    /// Calls were up when a flow was lost: refresh them on the next flow.
    calls_lost_flow: bool,
    /// The fetching of `iceServersUrl`.
    ice_fetch: IceFetch,
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
            config.register_headers.clone(),
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
            prewarm: config.prewarm && (config.ice_has_turn || config.ice_has_stun),
            watchdog: config.media_watchdog,
            info_accept: config
                .info_content_types
                .iter()
                .map(|t| t.trim().to_ascii_lowercase())
                .collect(),
        });
        let key = match (&config.password, &config.ha1) {
            (Some(p), _) => Some(Credential::Password(p.clone())),
            (None, Some(h)) => Some(Credential::Ha1(h.clone())),
            (None, None) => None,
        };
        let domain = domain_of(&local.registrar);
        Ok(UserAgent {
            messages: Messages::new(
                config.message_accept.clone(),
                config.message_max_bytes,
                domain.clone(),
            ),
            subs: Subscriptions::new(config.subscribe_rate, config.subscribe_expires, domain),
            auth: Authenticator::new(local.auth_user.clone(), key),
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
            ice_fetch: IceFetch::new(config.ice_servers_url),
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

    /// Connects and registers (also after [`UserAgent::unregister`]: a stopped phone that
    /// starts again registers). Calling it while running does nothing, except after a
    /// registration refused for good (403, a rejected password...): then it tries again.
    pub fn start(&mut self, now: Instant) {
        match self.run {
            Run::Running => {
                let mut p = self.parts(now);
                p.registration.retry_now(&mut p.io, &mut p.sender);
            }
            Run::Idle | Run::Stopping => {
                if self.run == Run::Stopping {
                    self.finish_stop(now);
                }
                self.registration.unpause();
                self.run = Run::Running;
                let mut io = self.ctx.io(now, None);
                self.ice_fetch.start(&mut io);
                let server = self.reconnect.start_round(&mut self.ctx.rng);
                self.connect(server, now);
            }
        }
        self.sync_prewarm(now);
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
        {
            let mut p = self.parts(now);
            p.subs.stop_all(&mut p.io, &mut p.sender);
        }
        self.run = Run::Stopping;
        self.ctx.timers.cancel(TimerKey::Ua(UaTimer::Reconnect));
        {
            let mut p = self.parts(now);
            p.calls.prewarm.stop(&mut p.io);
        }
        let sent = match self.conn {
            Conn::Open { .. } => {
                let mut p = self.parts(now);
                p.registration.unregister(&mut p.io, &mut p.sender)
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
        let network_change = match input {
            Input::NetworkOnline => Some("the network changed (online)"),
            Input::NetworkOffline => Some("the network went offline"),
            // A laptop that slept may wake on another network.
            Input::Resumed => Some("the page was paused"),
            _ => None,
        };
        if let Some(reason) = network_change {
            let flow = self.flow();
            let mut io = self.ctx.io(now, flow);
            self.calls.prewarm.network_changed(reason, &mut io);
        }
        self.dispatch_input(input, now);
        self.sync_prewarm(now);
        if network_change.is_some() {
            // After the flow was replaced (or kept): warm again only if still registered.
            let flow = self.flow();
            let mut io = self.ctx.io(now, flow);
            self.calls.prewarm.refill(&mut io);
        }
    }

    fn dispatch_input(&mut self, input: Input<'_>, now: Instant) {
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
            Input::Resumed => {
                if self.run == Run::Running {
                    let mut io = self.ctx.io(now, None);
                    self.ice_fetch.resumed(&mut io);
                }
                self.on_network_change(now, false);
            }
            Input::PageHidden | Input::PageVisible => {
                let mut p = self.parts(now);
                let hidden = input == Input::PageHidden;
                p.calls.prewarm.set_hidden(hidden, &mut p.io);
            }
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
            Input::NatObserved { probe, observation } => {
                let mut p = self.parts(now);
                p.calls.prewarm.nat_observed(probe, observation, &mut p.io);
            }
            Input::MediaSample { call, sample } => self.with_calls(now, |calls, io, s| {
                calls.on_media_sample(call, sample, io, s)
            }),
            Input::IceServersFetched { ttl } => {
                let mut io = self.ctx.io(now, None);
                self.ice_fetch.on_fetched(ttl, &mut io);
            }
            Input::IceServersFailed => {
                let mut io = self.ctx.io(now, None);
                self.ice_fetch.on_failed(&mut io);
            }
        }
    }

    /// Returns the next thing for the driver to do, or `None` when there is nothing.
    #[must_use = "every output must be carried out: drain until None after each input"]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.ctx.outputs.pop_front()
    }

    /// Returns the earliest deadline and why it was armed.
    #[must_use = "the driver arms one timer for this deadline"]
    pub fn poll_timeout(&self) -> Option<(Instant, TimerName)> {
        self.ctx.timers.next().map(|(at, key)| (at, key.name()))
    }

    /// Drops the calls that are over (see `Calls::reap`).
    fn reap(&mut self, now: Instant) {
        let flow = self.flow();
        let mut io = self.ctx.io(now, flow);
        self.calls.reap(&mut io);
    }

    /// Pre-warming follows the registration (or, without one, the flow): checked at
    /// the end of every input and command, whatever changed it.
    fn sync_prewarm(&mut self, now: Instant) {
        let flow = self.flow();
        let up = self.run == Run::Running
            && flow.is_some()
            && (!self.config.register || self.registration.is_registered());
        let mut io = self.ctx.io(now, flow);
        self.calls
            .prewarm
            .set_registered(up, flow.is_none(), &mut io);
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

    /// Borrows the user agent apart (see [`Parts`]). While the parts are held,
    /// only the fields outside them (`run`, `conn`, `reconnect` ...) can be read, so
    /// read those first.
    fn parts(&mut self, now: Instant) -> Parts<'_> {
        let flow = self.flow();
        let secure = self.secure();
        Parts {
            io: self.ctx.io(now, flow),
            sender: Sender {
                local: &self.local,
                auth: &mut self.auth,
                txs: &mut self.txs,
                secure,
                tx_timeout: self.config.transaction_timeout,
            },
            calls: &mut self.calls,
            registration: &mut self.registration,
            keepalive: &mut self.keepalive,
            messages: &mut self.messages,
            subs: &mut self.subs,
        }
    }

    fn io(&mut self, now: Instant) -> Io<'_> {
        let flow = self.flow();
        self.ctx.io(now, flow)
    }
}

/// The host (and port) of a `sip:host[:port]` URI.
fn domain_of(registrar: &str) -> String {
    registrar
        .split_once(':')
        .map_or(registrar, |(_, rest)| rest)
        .to_string()
}
