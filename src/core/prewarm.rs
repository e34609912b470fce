//! Pre-warming policy: when the driver keeps an idle `RTCPeerConnection` gathering ICE
//! candidates for the next call, when it drops it, and which call adopts it.
//!
//! A registered phone on a visible page, with STUN or TURN servers, keeps one warm
//! peer connection ([`PrewarmAction::Warm`]), so the next audio call's offer or answer
//! has its relay candidate at once instead of after a TURN round trip. Warm state goes
//! stale and is then dropped ([`PrewarmAction::Discard`]):
//!
//! - after [`MAX_AGE`] (a minute), when it is replaced, so a phone that sits registered
//!   always has one less than a minute old;
//! - when the network may have changed (`online`, `offline`, a resumed page) or the
//!   flow or registration is lost, and when the phone stops;
//! - when the page is hidden: a background tab holds no TURN allocations.
//!
//! The next audio call adopts it ([`PrewarmAction::Adopt`], emitted before the call's
//! first media action); video calls do not (they use another bundle policy). From the
//! first call on, nothing is warmed until no call is left, so a call in progress does not
//! pay for a second set of TURN allocations it may never use.
//!
//! Whether the warm peer connection can still carry a call (not failed, made with the
//! ICE servers now in hand) is a fact the driver checks when it adopts: it makes a fresh
//! one instead when not.

use std::time::Duration;

use super::ids::CallId;
use super::io::Io;
use super::output::{Output, PrewarmAction};
use super::timer::UaTimer;
use super::{Instant, LogLevel};

/// The age at which a warm peer connection is replaced.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The pre-warming state of the user agent.
#[derive(Debug, Clone)]
pub(crate) struct Prewarm {
    /// `prewarm` is configured and there are STUN or TURN servers to warm with.
    enabled: bool,
    registered: bool,
    hidden: bool,
    /// A call is live (or was, until the last one ended): warm nothing.
    held: bool,
    /// When the warm peer connection was asked for, if there is one.
    warm_since: Option<Instant>,
}

impl Prewarm {
    pub(crate) fn new(enabled: bool) -> Self {
        Prewarm {
            enabled,
            registered: false,
            hidden: false,
            held: false,
            warm_since: None,
        }
    }

    fn wanted(&self) -> bool {
        self.enabled && self.registered && !self.hidden && !self.held
    }

    /// Asks for a warm peer connection when one is wanted and there is none.
    fn fill(&mut self, io: &mut Io<'_>) {
        if !self.wanted() || self.warm_since.is_some() {
            return;
        }
        self.warm_since = Some(io.now);
        io.set_timer(UaTimer::PrewarmRotate, io.now + MAX_AGE);
        io.out.push_back(Output::Prewarm(PrewarmAction::Warm));
    }

    /// Drops the warm peer connection, if any.
    fn discard(&mut self, reason: &'static str, io: &mut Io<'_>) {
        if self.warm_since.take().is_some() {
            io.cancel_timer(UaTimer::PrewarmRotate);
            io.out
                .push_back(Output::Prewarm(PrewarmAction::Discard { reason }));
        }
    }

    /// Follows the registration: warms once registered, discards when it (or the flow
    /// under it, `flow_lost`) is gone.
    pub(crate) fn set_registered(&mut self, registered: bool, flow_lost: bool, io: &mut Io<'_>) {
        if self.registered == registered {
            return;
        }
        self.registered = registered;
        if registered {
            self.fill(io);
        } else if flow_lost {
            self.discard("the connection to the SIP server was lost", io);
        } else {
            self.discard("not registered", io);
        }
    }

    /// The page was hidden (discards) or shown again (warms).
    pub(crate) fn set_hidden(&mut self, hidden: bool, io: &mut Io<'_>) {
        self.hidden = hidden;
        if hidden {
            self.discard("the page is hidden", io);
        } else {
            self.fill(io);
        }
    }

    /// The network may have changed: the candidates gathered may be gone. Dropped now;
    /// the user agent calls [`Prewarm::refill`] once it has dealt with the change (which
    /// may replace the flow, and then warming waits for the new registration).
    pub(crate) fn network_changed(&mut self, reason: &'static str, io: &mut Io<'_>) {
        self.discard(reason, io);
    }

    /// Warms if wanted and there is nothing warm.
    pub(crate) fn refill(&mut self, io: &mut Io<'_>) {
        self.fill(io);
    }

    /// The warm peer connection is a minute old: replaced.
    pub(crate) fn on_rotate(&mut self, io: &mut Io<'_>) {
        self.discard("a minute old", io);
        self.fill(io);
    }

    /// A call needs its peer connection: an audio call adopts the warm one. Either way
    /// nothing is warmed again until no call is left.
    pub(crate) fn call_starts(&mut self, call: CallId, video: bool, io: &mut Io<'_>) {
        self.held = true;
        if video {
            return;
        }
        let Some(since) = self.warm_since.take() else {
            return;
        };
        io.cancel_timer(UaTimer::PrewarmRotate);
        let age = io.now - since;
        if age >= MAX_AGE {
            // Its rotation timer ran late (a paused page): too old to trust.
            io.out.push_back(Output::Prewarm(PrewarmAction::Discard {
                reason: "too old",
            }));
            return;
        }
        io.log(LogLevel::Debug, || {
            format!(
                "call {} adopts the pre-warmed peer connection ({} ms old)",
                call.0,
                age.as_millis() as u64
            )
        });
        io.out
            .push_back(Output::Prewarm(PrewarmAction::Adopt { call }));
    }

    /// No call is left: warm for the next one.
    pub(crate) fn calls_gone(&mut self, io: &mut Io<'_>) {
        if self.held {
            self.held = false;
            self.fill(io);
        }
    }

    /// The phone stops.
    pub(crate) fn stop(&mut self, io: &mut Io<'_>) {
        self.registered = false;
        self.discard("the phone stopped", io);
    }
}
