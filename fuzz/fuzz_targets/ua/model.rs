//! The invariants the UA fuzzer checks, from outside: what the user agent sent
//! and reported, against what its public API (`calls()`, `poll_timeout()`) says.
//!
//! Every check is a property the core promises, not a guess about its internals:
//! - **One REGISTER in flight** (RFC 3261 section 10.2: no new REGISTER before the
//!   previous one has a final response or timed out). A REGISTER transaction ends
//!   with a final response matched the way the core matches it (one Via, its
//!   branch, CSeq method REGISTER), when its Timer F can have fired, when the flow
//!   is closed, or when the application calls `stop` (whose un-REGISTER replaces a
//!   REGISTER in flight on purpose). The model only ever ends a transaction
//!   *earlier* than the core could, so a violation is never a model artefact.
//! - **A response to a superseded REGISTER is ignored**: no registration event.
//! - **Calls**: a call is announced once (`Calling`, `Incoming` or `Replacing`), ends with
//!   exactly one `Ended`, nothing is reported or asked of its media after that,
//!   and `calls()` lists exactly the announced calls that have not ended.
//! - **No call timer without a call**: the next deadline is a call's timer only
//!   while a call is live, except Timer B (of its INVITE or re-INVITE) and the ACK
//!   wait that a call which just ended keeps while it owes a last message (an ACK or
//!   a BYE).
//! - **One `iceServersUrl` fetch at a time**: no `IceServersAction::Fetch` while the
//!   last one has no outcome (the fuzzer feeds outcomes at random; a start resets).
//! - **Idle after a drain**: once drained, no output appears by itself; after a
//!   `Timeout` nothing is due any more (the driver would spin otherwise).

use std::collections::BTreeMap;
use std::time::Duration;

use softphone_core::core::{
    CallEvent, CallId, Event, IceServersAction, Instant, MediaAction, Output, TimerName, UserAgent,
};
use softphone_core::sip::Message;

/// What the model knows of one call.
#[derive(Debug, Default)]
struct CallSeen {
    ended: bool,
    closed: bool,
    /// Announced after `stop` was called.
    while_stopping: bool,
}

/// The REGISTER the user agent waits on.
#[derive(Debug)]
struct Register {
    branch: String,
    sent_at: Instant,
}

/// The state the checks need, updated from every output.
#[derive(Debug)]
pub struct Model {
    tx_timeout: Duration,
    register: Option<Register>,
    /// Branches of REGISTERs that are no longer in flight.
    old_branches: Vec<String>,
    calls: BTreeMap<CallId, CallSeen>,
    /// The application called `stop`, and has not called `start` since.
    stopping: bool,
    /// Registration events since the last delivery.
    registration_events: usize,
    /// An `iceServersUrl` fetch was asked for and its outcome not yet given.
    ice_fetch_out: bool,
}

impl Model {
    pub fn new(tx_timeout: Duration) -> Self {
        Model {
            tx_timeout,
            register: None,
            old_branches: Vec::new(),
            calls: BTreeMap::new(),
            stopping: false,
            registration_events: 0,
            ice_fetch_out: false,
        }
    }

    fn end_register(&mut self) {
        if let Some(tx) = self.register.take() {
            self.old_branches.push(tx.branch);
        }
    }

    /// The application calls `stop`: its un-REGISTER replaces any REGISTER in flight.
    /// A second `stop` before `start` does nothing, so it replaces nothing.
    pub fn on_stop(&mut self) {
        if !self.stopping {
            self.end_register();
        }
        self.stopping = true;
    }

    /// The application calls `start`.
    pub fn on_start(&mut self) {
        self.stopping = false;
        self.ice_fetch_out = false;
    }

    /// The driver reports the outcome of an `iceServersUrl` fetch.
    pub fn on_ice_outcome(&mut self) {
        self.ice_fetch_out = false;
    }

    /// Checks and records one output of the user agent at `now`.
    pub fn on_output(&mut self, out: &Output, now: Instant) {
        match out {
            Output::Send { data, .. } if data.starts_with(b"REGISTER ") => {
                let msg = Message::parse(data).expect("the user agent sends valid REGISTERs");
                let branch = msg.top_via().branch().unwrap_or("").to_string();
                if let Some(tx) = &self.register {
                    let timed_out = now >= tx.sent_at + self.tx_timeout;
                    assert!(
                        timed_out,
                        "a second REGISTER while {} is in flight (sent at {:?}, now {now:?})",
                        tx.branch, tx.sent_at
                    );
                }
                self.end_register();
                self.register = Some(Register {
                    branch,
                    sent_at: now,
                });
            }
            Output::Close { .. } => self.end_register(),
            Output::IceServers(IceServersAction::Fetch) => {
                assert!(
                    !self.ice_fetch_out,
                    "a second iceServersUrl fetch while one is out"
                );
                self.ice_fetch_out = true;
            }
            Output::Event(Event::Registration(_)) => self.registration_events += 1,
            Output::Event(Event::Call { call, event }) => self.on_call_event(*call, event),
            Output::Media { call, action } => {
                let seen = self
                    .calls
                    .get_mut(call)
                    .unwrap_or_else(|| panic!("media action {action:?} for unannounced {call:?}"));
                assert!(
                    !seen.closed || allowed("media-after-close"),
                    "media action {action:?} for {call:?} after Close"
                );
                seen.closed = *action == MediaAction::Close;
            }
            _ => {}
        }
    }

    fn on_call_event(&mut self, call: CallId, event: &CallEvent) {
        match event {
            CallEvent::Calling { .. }
            | CallEvent::Incoming { .. }
            | CallEvent::Replacing { .. } => {
                let seen = CallSeen {
                    while_stopping: self.stopping,
                    ..CallSeen::default()
                };
                let fresh = self.calls.insert(call, seen).is_none();
                assert!(fresh, "{call:?} announced twice: {event:?}");
            }
            _ => {
                let seen = self
                    .calls
                    .get_mut(&call)
                    .unwrap_or_else(|| panic!("{event:?} for unannounced {call:?}"));
                assert!(!seen.ended, "{event:?} for {call:?} after it ended");
                seen.ended = matches!(event, CallEvent::Ended(_));
            }
        }
    }

    /// Before `data` is delivered: ends the REGISTER transaction it answers, and
    /// says whether it answers a superseded REGISTER (then it must be ignored).
    pub fn before_delivery(&mut self, data: &[u8]) -> bool {
        self.registration_events = 0;
        let Ok(msg) = Message::parse(data) else {
            return false;
        };
        let (Some(status), [via]) = (msg.status(), msg.vias()) else {
            return false;
        };
        if msg.cseq().method.as_str() != "REGISTER" {
            return false;
        }
        let branch = via.branch().unwrap_or("");
        let current = self.register.as_ref().is_some_and(|tx| tx.branch == branch);
        if current && status >= 200 {
            self.end_register();
        }
        !current && self.old_branches.iter().any(|b| b == branch)
    }

    /// After a superseded REGISTER's response was delivered and drained.
    pub fn after_stale_delivery(&self) {
        assert_eq!(
            self.registration_events, 0,
            "a response to a superseded REGISTER changed the registration"
        );
    }

    /// After the user agent was drained at `now`; `timeout` when the input was a timeout.
    pub fn after_drain(&self, ua: &mut UserAgent, now: Instant, timeout: bool) {
        assert!(
            ua.poll_output().is_none(),
            "an output appeared after the drain"
        );
        let mut live = ua.calls();
        live.sort();
        let expected: Vec<CallId> = self
            .calls
            .iter()
            .filter(|(_, c)| !c.ended)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            live, expected,
            "calls() against the announced calls not ended"
        );
        if let Some((at, name)) = ua.poll_timeout() {
            assert!(
                !timeout || at > now,
                "{name:?} due at {at:?} is still armed after a timeout at {now:?}"
            );
            let lingering = matches!(
                name,
                TimerName::CallInviteTimeout
                    | TimerName::CallReinviteTimeout
                    | TimerName::CallAckTimeout
            );
            assert!(
                !is_call_timer(name)
                    || lingering
                    || !live.is_empty()
                    || allowed("timer-without-call"),
                "{name:?} armed with no live call"
            );
        }
    }

    /// After `stop`, the drain and every timer: nothing left.
    pub fn after_stop(&self, ua: &UserAgent) {
        assert!(ua.is_stopped(), "stop did not complete");
        assert_eq!(ua.poll_timeout(), None, "a timer is armed after stop");
        for (id, call) in &self.calls {
            let tolerated = call.while_stopping && allowed("call-survives-stop");
            assert!(
                call.ended || tolerated,
                "{id:?} never ended (live after stop: {:?})",
                ua.calls()
            );
        }
    }
}

/// Whether the known finding `name` is tolerated in this run (`UA_FUZZ_ALLOW`, a
/// comma-separated list), so that a long run can look past a bug already reported.
/// Unset, every check holds: that is how CI and a plain `cargo fuzz run` see it.
pub fn allowed(name: &str) -> bool {
    static ALLOW: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ALLOW
        .get_or_init(|| std::env::var("UA_FUZZ_ALLOW").unwrap_or_default())
        .split(',')
        .any(|a| a == name)
}

/// Whether `name` is one of a call's timers (`TimerName` is `#[non_exhaustive]`: the
/// user agent's own timers, and any new one, are not).
fn is_call_timer(name: TimerName) -> bool {
    use TimerName as T;
    matches!(
        name,
        T::CallGather
            | T::CallInviteTimeout
            | T::CallReinviteTimeout
            | T::CallOkRetransmit
            | T::CallAckTimeout
            | T::CallNoAnswer
            | T::CallGlareRetry
            | T::CallSessionRefresh
            | T::CallSessionExpire
            | T::CallReferTimeout
            | T::CallIceGrace
            | T::CallIceRetry
            | T::CallIceGiveUp
            | T::CallTransferTimeout
            | T::CallMediaSample
            | T::CallDtmfGap
    )
}
