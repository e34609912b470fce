//! The drain loop: work in, core inputs, outputs carried out, one timer armed.
//!
//! Every entry point (a JavaScript call, a socket or timer callback, a page listener)
//! becomes a [`Work`] pushed through a [`Feeder`]. [`Driver::pump`] queues it and, unless
//! a drain is already on the stack, takes work until none is left: each unit is fed to
//! the core and the core's outputs are drained until `None`. Then the timer is armed
//! for the earliest deadline, and waiting `stop()` promises are settled.

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::calls::{CallTable, SharedInfo};
use super::clock::{random_bytes, wall_ms, Clock};
use super::config::{core_error, Settings};
use super::events::EventBus;
use super::ice_servers::IceServersProvider;
use super::idmap::IdMap;
use super::lifecycle::PageListeners;
use super::log::{to_console, LogFilter};
use super::media::IceServerSpec;
use super::shapes::event::{call_event, log_event, remote_stream_event, to_js};
use super::timer::{Timer, PAUSE_THRESHOLD_MS};
use super::transport::Socket;
use super::work::{Feeder, Pump, Work};
use crate::core::{
    CallError, CallId, Config, ConnectionId, Event, IceServersAction, Input, Instant, LogLevel,
    Output, UserAgent,
};

/// The driver: the core plus everything it must not touch.
pub(crate) struct Driver {
    feeder: Feeder,
    work: RefCell<VecDeque<Work>>,
    state: RefCell<State>,
    bus: Rc<EventBus>,
}

struct State {
    ua: UserAgent,
    config: Config,
    filter: LogFilter,
    clock: Clock,
    sockets: IdMap<ConnectionId, Socket>,
    /// A closed socket or a spent timer whose callback may be the one running: kept
    /// until the next drain. (wasm-bindgen would defer freeing a closure dropped during
    /// its own call anyway; this keeps the order of events obvious.)
    graveyard: Vec<Box<dyn Any>>,
    timer: Timer,
    stop_waiters: Vec<Function>,
    listeners: Option<PageListeners>,
    calls: CallTable,
    /// The configured `iceServers` (for `diagnose()`).
    ice_static: Vec<IceServerSpec>,
    /// The `iceServersUrl` provider: started and stopped with the phone.
    ice_provider: Option<IceServersProvider>,
}

/// The shared parts a drain needs besides the state.
struct Ctx<'a> {
    feeder: &'a Feeder,
    work: &'a RefCell<VecDeque<Work>>,
    bus: &'a Rc<EventBus>,
}

impl Driver {
    /// Makes the driver and its user agent.
    ///
    /// # Errors
    /// No Web Crypto, or the core rejects the configuration (a JavaScript `Error`).
    pub(crate) fn new(settings: Settings, bus: Rc<EventBus>) -> Result<Rc<Driver>, JsValue> {
        let mut clock = Clock::default();
        let now = clock.now();
        let ua = UserAgent::new(settings.core.clone(), seed()?, now).map_err(core_error)?;
        let state = State {
            ua,
            config: settings.core,
            filter: settings.log_filter,
            clock,
            sockets: IdMap::default(),
            graveyard: Vec::new(),
            timer: Timer::default(),
            stop_waiters: Vec::new(),
            listeners: None,
            ice_static: settings.media.ice_servers.clone(),
            ice_provider: settings.media.provider.clone(),
            calls: CallTable::new(settings.media),
        };
        let driver = Rc::new_cyclic(|me| Driver {
            feeder: Feeder::new(me.clone() as Weak<dyn Pump>),
            work: RefCell::new(VecDeque::new()),
            state: RefCell::new(state),
            bus,
        });
        if let Some(provider) = &driver.state.borrow().ice_provider {
            // Its lines arrive from fetch callbacks, outside any drain: queue them as work.
            let f = driver.feeder.clone();
            provider.set_log(Rc::new(move |warn, line| {
                let level = if warn { LogLevel::Warn } else { LogLevel::Info };
                f.feed(Work::Log(level, line.to_owned()));
            }));
            // Each fetch the core asked for (`Output::IceServers`) reports back to it.
            let f = driver.feeder.clone();
            provider.set_on_result(Rc::new(move |outcome| {
                f.feed(Work::IceServersFetched(outcome));
            }));
        }
        Ok(driver)
    }

    /// What `phone.diagnose()` checks: the WebSocket URLs, the address of record, the
    /// configured ICE servers and the `iceServersUrl` provider.
    pub(crate) fn diagnose_targets(
        &self,
    ) -> (
        Vec<String>,
        String,
        Vec<IceServerSpec>,
        Option<IceServersProvider>,
    ) {
        let st = self.state.borrow();
        (
            st.config.servers.iter().map(|s| s.url.clone()).collect(),
            st.config.aor.clone(),
            st.ice_static.clone(),
            st.ice_provider.clone(),
        )
    }

    /// The phone's digest credentials for `diagnose()`'s OPTIONS, if it has a password:
    /// `authorizationUser`, else the user part of the AOR.
    pub(crate) fn diagnose_credentials(&self) -> Option<crate::core::probe::ProbeCredentials> {
        let st = self.state.borrow();
        let password = st.config.password.clone()?;
        let username = st.config.auth_username.clone().or_else(|| {
            let aor = crate::sip::Uri::parse(&st.config.aor).ok()?;
            aor.user().map(str::to_owned)
        })?;
        Some(crate::core::probe::ProbeCredentials { username, password })
    }

    /// The configured instance id (`+sip.instance`).
    pub(crate) fn instance_id(&self) -> String {
        self.state
            .borrow()
            .config
            .instance_id
            .clone()
            .unwrap_or_default()
    }

    /// Queues `work` and runs the drain loop unless it is already running.
    pub(crate) fn pump(&self, work: Work) {
        self.work.borrow_mut().push_back(work);
        // Busy means a drain further up the stack: it takes this work before returning.
        let Ok(mut st) = self.state.try_borrow_mut() else {
            return;
        };
        st.graveyard.clear();
        self.run(&mut st);
    }

    /// Takes work until none is left, then arms the timer and settles `stop()`.
    fn run(&self, st: &mut State) {
        let ctx = self.ctx();
        let mut now = st.clock.now();
        loop {
            let next = self.work.borrow_mut().pop_front();
            let Some(work) = next else { break };
            now = st.clock.now();
            st.apply(work, now, &ctx);
            st.drain(&ctx);
        }
        st.settle(now, &ctx);
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            feeder: &self.feeder,
            work: &self.work,
            bus: &self.bus,
        }
    }

    /// Runs a call command of the application on the core (`ua.hold(...)`), then
    /// carries out its outputs like any other work. Events it causes are delivered
    /// after the caller returns.
    ///
    /// # Errors
    /// The core's error; `InvalidState` if called while the driver is busy (cannot
    /// happen from JavaScript, whose handlers run after the drain).
    pub(crate) fn command<T>(
        &self,
        f: impl FnOnce(&mut UserAgent, Instant) -> Result<T, CallError>,
    ) -> Result<T, CallError> {
        self.command_or(|| CallError::InvalidState("the phone is busy"), f)
    }

    /// As [`Driver::command`], for commands with their own error type; `busy` makes
    /// the error of a call made from inside the driver.
    pub(crate) fn command_or<T, E>(
        &self,
        busy: impl FnOnce() -> E,
        f: impl FnOnce(&mut UserAgent, Instant) -> Result<T, E>,
    ) -> Result<T, E> {
        let Ok(mut st) = self.state.try_borrow_mut() else {
            return Err(busy());
        };
        st.graveyard.clear();
        let now = st.clock.now();
        let result = f(&mut st.ua, now);
        st.drain(&self.ctx());
        self.run(&mut st);
        result
    }

    /// Reads the core (`None` while the driver is busy).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&UserAgent) -> T) -> Option<T> {
        self.state.try_borrow().ok().map(|st| f(&st.ua))
    }

    /// Rotates the digest credentials in the core, and in the copy `diagnose()` uses.
    pub(crate) fn set_credentials(
        &self,
        credential: crate::core::Credential,
        auth_user: Option<String>,
    ) -> Result<(), CallError> {
        let (c, u) = (credential.clone(), auth_user.clone());
        self.command(|ua, now| {
            ua.set_credentials(c, u, now)
                .map_err(|e| CallError::InvalidValue(format!("{}: {}", e.field, e.reason)))
        })?;
        if let Ok(mut st) = self.state.try_borrow_mut() {
            st.config.password = match credential {
                crate::core::Credential::Password(p) => Some(p),
                // The OPTIONS probe answers with a password only.
                crate::core::Credential::Ha1(_) => None,
            };
            if auth_user.is_some() {
                st.config.auth_username = auth_user;
            }
        }
        Ok(())
    }

    /// The bus events are delivered on (for `call.on`).
    pub(crate) fn bus(&self) -> &Rc<EventBus> {
        &self.bus
    }

    /// The live calls, oldest first (empty while the driver is busy).
    pub(crate) fn live_calls(&self) -> Vec<SharedInfo> {
        self.state
            .try_borrow()
            .map(|st| st.calls.live())
            .unwrap_or_default()
    }

    /// One live call.
    pub(crate) fn call_info(&self, id: CallId) -> Option<SharedInfo> {
        self.state.try_borrow().ok().and_then(|st| st.calls.get(id))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let st = self.state.get_mut();
        st.listeners = None;
        st.timer.cancel();
        st.sockets.clear();
        // Every call's peer connection and microphone go with the phone.
        drop(st.calls.close_all());
        st.graveyard.clear();
        for resolve in st.stop_waiters.drain(..) {
            self.bus.resolve_later(resolve);
        }
    }
}

impl State {
    fn apply(&mut self, work: Work, now: Instant, ctx: &Ctx<'_>) {
        match work {
            Work::Start => {
                // A start supersedes a stop still in progress.
                for resolve in self.stop_waiters.drain(..) {
                    ctx.bus.resolve_later(resolve);
                }
                if self.listeners.is_none() {
                    self.listeners = Some(PageListeners::attach(ctx.feeder));
                }
                // The core asks for the first fetch as it starts (`Output::IceServers`).
                if let Some(provider) = &self.ice_provider {
                    provider.start();
                }
                self.ua.start(now);
            }
            Work::Stop(resolve) => {
                self.stop_waiters.push(resolve);
                if !self.ua.is_stopped() {
                    // The core's `stop` ends the calls first (BYE, CANCEL) while the flow
                    // is still there, then unregisters, and bounds the wait itself
                    // (`UaTimer::StopGuard`, tests/core_stop_bound.rs): nothing to decide
                    // or time here. The promise resolves in `settle` once it is idle.
                    self.ua.stop(now);
                }
            }
            Work::Opened(id) => self.ua.handle_input(Input::Opened { id }, now),
            Work::Closed { id, code, reason } => {
                if let Some(socket) = self.sockets.remove(id) {
                    self.graveyard.push(Box::new(socket));
                }
                let input = Input::Closed {
                    id,
                    code,
                    reason: &reason,
                };
                self.ua.handle_input(input, now);
            }
            Work::Received { id, data } => self
                .ua
                .handle_input(Input::Received { id, data: &data }, now),
            Work::TimerFired { wall_deadline } => {
                let due = self.timer.describe();
                bury(&mut self.graveyard, self.timer.take());
                if wall_ms() - wall_deadline > PAUSE_THRESHOLD_MS {
                    self.log(LogLevel::Info, "timer fired late: the page was paused", ctx);
                    self.ua.handle_input(Input::Resumed, now);
                }
                // A timer may fire a hair early by `performance.now()`; it is re-armed then.
                if due.is_some_and(|(deadline, _)| now >= deadline) {
                    self.ua.handle_input(Input::Timeout, now);
                }
            }
            Work::Online => self.ua.handle_input(Input::NetworkOnline, now),
            Work::Offline => self.ua.handle_input(Input::NetworkOffline, now),
            Work::PageHidden => self.ua.handle_input(Input::PageHidden, now),
            Work::PageVisible => {
                self.ua.handle_input(Input::PageVisible, now);
                if self.timer.overdue() {
                    self.log(LogLevel::Info, "page visible after a pause", ctx);
                    self.ua.handle_input(Input::Resumed, now);
                }
            }
            Work::PageResumed => self.ua.handle_input(Input::Resumed, now),
            Work::MediaFailed { call, reason } => {
                let input = Input::MediaFailed {
                    call,
                    reason: &reason,
                };
                self.ua.handle_input(input, now);
            }
            Work::LocalDescription {
                call,
                sdp,
                complete,
            } => {
                let input = Input::LocalDescription {
                    call,
                    sdp: &sdp,
                    complete,
                };
                self.ua.handle_input(input, now);
            }
            Work::IceState { call, state } => {
                self.ua.handle_input(Input::IceState { call, state }, now)
            }
            Work::IceServersFetched(outcome) => {
                let input = match outcome {
                    Ok(ttl) => Input::IceServersFetched { ttl },
                    Err(()) => Input::IceServersFailed,
                };
                self.ua.handle_input(input, now);
            }
            Work::NatObserved { probe, observation } => {
                let input = Input::NatObserved {
                    probe,
                    observation: &observation,
                };
                self.ua.handle_input(input, now);
            }
            Work::MediaSample { call, sample } => {
                let input = Input::MediaSample {
                    call,
                    sample: &sample,
                };
                self.ua.handle_input(input, now);
            }
            Work::RemoteStream { call } => {
                if self.calls.get(call).is_some() {
                    ctx.bus.emit("call", remote_stream_event(call));
                }
            }
            Work::Log(level, message) => self.log(level, &message, ctx),
            Work::Quality { call, change } => {
                ctx.bus.emit(
                    "quality",
                    crate::web::quality::quality_event(call.0, &change),
                );
            }
        }
    }

    /// Carries out every output of the core.
    fn drain(&mut self, ctx: &Ctx<'_>) {
        while let Some(out) = self.ua.poll_output() {
            match out {
                Output::Connect { id, url } => match Socket::open(&url, id, ctx.feeder) {
                    Ok(socket) => {
                        self.sockets.insert(id, socket);
                    }
                    Err(e) => {
                        let why = super::error_name(&e);
                        self.log(
                            LogLevel::Warn,
                            &format!("the browser refused to open WebSocket {}: {why}", id.0),
                            ctx,
                        );
                        // Reported like any socket that failed to open, after this drain.
                        ctx.work.borrow_mut().push_back(Work::Closed {
                            id,
                            code: 1006,
                            reason: String::new(),
                        });
                    }
                },
                Output::Close { id } => {
                    if let Some(socket) = self.sockets.remove(id) {
                        socket.close();
                        self.graveyard.push(Box::new(socket));
                    }
                }
                Output::Send { id, data } => match self.sockets.get(id) {
                    Some(socket) => {
                        if let Err(e) = socket.send(&data) {
                            let why = super::error_name(&e);
                            let line = format!("send on WebSocket {} failed: {why}", id.0);
                            self.log(LogLevel::Warn, &line, ctx);
                        }
                    }
                    None => {
                        let line = format!("send on WebSocket {} dropped: not open", id.0);
                        self.log(LogLevel::Debug, &line, ctx);
                    }
                },
                Output::Media { call, action } => {
                    let leftover = self.calls.media(call, action, ctx.feeder);
                    bury(&mut self.graveyard, leftover);
                }
                Output::Event(Event::Call { call, event }) => {
                    // The handles' state first, so that a handler reads it up to date.
                    self.calls.on_event(call, &event);
                    ctx.bus.emit("call", call_event(call, &event));
                }
                Output::Prewarm(action) => self.calls.pool(ctx.feeder).act(action),
                Output::ProbeNat { probe } => self.calls.pool(ctx.feeder).probe_nat(probe),
                Output::IceServers(action) => {
                    if let Some(provider) = &self.ice_provider {
                        match action {
                            IceServersAction::Fetch => provider.fetch(),
                            IceServersAction::Expire => provider.expire(),
                        }
                    }
                }
                Output::Event(event) => {
                    let (kind, value) = to_js(&event);
                    ctx.bus.emit(kind, value);
                }
                Output::Log { level, message } => self.log(level, &message, ctx),
            }
        }
    }

    /// Arms the timer and settles `stop()` promises once the core is idle.
    fn settle(&mut self, now: Instant, ctx: &Ctx<'_>) {
        self.timer.arm(self.ua.poll_timeout(), now, ctx.feeder);
        if !self.stop_waiters.is_empty() && self.ua.is_stopped() {
            for resolve in self.stop_waiters.drain(..) {
                ctx.bus.resolve_later(resolve);
            }
            // Dropped now, so nothing reaches a stopped phone. Should one of these be the
            // callback running right now, wasm-bindgen frees it when the call returns.
            self.listeners = None;
            self.timer.cancel();
            if let Some(provider) = &self.ice_provider {
                provider.stop();
            }
            // Calls were hung up before the stop; should media be left, release it.
            let leftovers = self.calls.close_all();
            self.graveyard.extend(leftovers);
            for (_, socket) in std::mem::take(&mut self.sockets) {
                socket.close();
                self.graveyard.push(Box::new(socket));
            }
        }
    }

    /// Writes a line to the console and as a `log` event, if the filter lets it through.
    fn log(&self, level: LogLevel, message: &str, ctx: &Ctx<'_>) {
        if self.filter.allows(level) {
            to_console(level, message);
            ctx.bus.emit("log", log_event(level, message));
        }
    }
}

/// Keeps `thing` alive until the next drain: its callback may be running now.
fn bury<T: 'static>(graveyard: &mut Vec<Box<dyn Any>>, thing: Option<T>) {
    if let Some(thing) = thing {
        graveyard.push(Box::new(thing));
    }
}

impl Pump for Driver {
    fn pump(&self, work: Work) {
        Driver::pump(self, work);
    }
}

/// 32 bytes from `crypto.getRandomValues` for the core's generator.
fn seed() -> Result<[u8; 32], JsValue> {
    let mut seed = [0u8; 32];
    random_bytes(&mut seed)?;
    Ok(seed)
}
