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
//!
//! ## Symmetric NAT: calls start relay-only
//!
//! Behind a symmetric NAT (a new public port per destination) direct media fails: ICE
//! may connect on a peer-reflexive pair while the far end refuses DTLS from an address
//! it was not offered, and many far ends (baresip, some PBXs) do not take an ICE restart,
//! so the media watchdog's relay-only restart comes too late to help. So the phone finds
//! out before the first call: once registered on a visible page, with TURN configured, it
//! asks the driver to probe the NAT ([`Output::ProbeNat`], answered by
//! `Input::NatObserved` and judged by [`crate::core::nat::classify`]), once per network
//! (again after `online`, `offline` or a resumed page). A call's own local description
//! is evidence too: two server-reflexive mappings of one socket in it mean the same.
//!
//! Once the NAT is known to be symmetric, every new call starts relay-only
//! (`MediaAction::RelayOnly` before its first offer or answer), the warm peer connection
//! is replaced by a relay-only one ([`PrewarmAction::Warm`] `{ relay_only: true }`), and
//! a call adopts a warm peer connection only when it was made with the call's policy.
//! Without TURN nothing changes: there is no relay to go to, and the watchdog's give-up
//! names the cause.

use std::time::Duration;

use super::ids::CallId;
use super::io::Io;
use super::nat::{classify, NatMapping, NatObservation};
use super::output::{Output, PrewarmAction};
use super::timer::UaTimer;
use super::{Instant, LogLevel};

/// The age at which a warm peer connection is replaced.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// What is known of the NAT's mapping on the current network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nat {
    /// Not probed on this network yet.
    Unknown,
    /// The probe with this number was asked for.
    Probing(u32),
    /// Probed: not a symmetric NAT, or nothing conclusive.
    NotSymmetric,
    /// A symmetric NAT: direct media fails, calls need a relay.
    Symmetric,
}

/// The pre-warming state of the user agent.
#[derive(Debug, Clone)]
pub(crate) struct Prewarm {
    /// `prewarm` is configured and there are STUN or TURN servers to warm with.
    enabled: bool,
    /// TURN is configured: a relay can carry the calls a symmetric NAT would break, so
    /// the NAT is probed.
    turn: bool,
    nat: Nat,
    /// Numbers the NAT probes, so that an answer to one asked on another network is
    /// told apart.
    probes: u32,
    /// The warm peer connection (if any) was made relay-only.
    warm_relay_only: bool,
    registered: bool,
    hidden: bool,
    /// A call is live (or was, until the last one ended): warm nothing.
    held: bool,
    /// When the warm peer connection was asked for, if there is one.
    warm_since: Option<Instant>,
}

impl Prewarm {
    /// Pre-warming when `enabled`; NAT probing (and relay-only calls behind a symmetric
    /// NAT) when `turn` is configured.
    pub(crate) fn new(enabled: bool, turn: bool) -> Self {
        Prewarm {
            enabled,
            turn,
            nat: Nat::Unknown,
            probes: 0,
            warm_relay_only: false,
            registered: false,
            hidden: false,
            held: false,
            warm_since: None,
        }
    }

    fn wanted(&self) -> bool {
        self.enabled && self.registered && !self.hidden && !self.held
    }

    /// Whether new calls start relay-only: the NAT is symmetric and there is a relay.
    pub(crate) fn relay_only_calls(&self) -> bool {
        self.turn && self.nat == Nat::Symmetric
    }

    /// Asks for a NAT probe when the NAT is not known on this network, and for a warm
    /// peer connection when one is wanted and there is none.
    fn fill(&mut self, io: &mut Io<'_>) {
        if self.turn && self.registered && !self.hidden && !self.held && self.nat == Nat::Unknown {
            self.probes = self.probes.wrapping_add(1);
            self.nat = Nat::Probing(self.probes);
            io.out.push_back(Output::ProbeNat { probe: self.probes });
        }
        if !self.wanted() || self.warm_since.is_some() {
            return;
        }
        self.warm_since = Some(io.now);
        self.warm_relay_only = self.relay_only_calls();
        io.set_timer(UaTimer::PrewarmRotate, io.now + MAX_AGE);
        io.out.push_back(Output::Prewarm(PrewarmAction::Warm {
            relay_only: self.warm_relay_only,
        }));
    }

    /// The answer to NAT probe `probe`. An answer to a probe asked before the network
    /// changed (not the one awaited) is dropped.
    pub(crate) fn nat_observed(&mut self, probe: u32, seen: &NatObservation, io: &mut Io<'_>) {
        if self.nat != Nat::Probing(probe) {
            io.log(LogLevel::Debug, || {
                format!("NAT probe {probe} answered late (the network changed): ignored")
            });
            return;
        }
        match classify(seen) {
            NatMapping::Symmetric { mapped } => self.learn_symmetric(&mapped, io),
            other => {
                self.nat = Nat::NotSymmetric;
                io.log(LogLevel::Debug, || {
                    format!("NAT probe: {}", crate::core::nat::message(&other, None))
                });
            }
        }
    }

    /// A call's local description: its server-reflexive candidates may show a symmetric
    /// NAT (two public ports for one socket); nothing else is concluded from them.
    pub(crate) fn local_candidates(&mut self, sdp: &str, io: &mut Io<'_>) {
        if self.nat == Nat::Symmetric || !sdp.contains("typ srflx") {
            return;
        }
        let seen = crate::core::nat::sdp_observation(sdp);
        if let NatMapping::Symmetric { mapped } = classify(&seen) {
            self.learn_symmetric(&mapped, io);
        }
    }

    /// The NAT is symmetric: from now on calls start relay-only (when TURN is
    /// configured), and a warm peer connection that is not is replaced.
    fn learn_symmetric(&mut self, mapped: &[String], io: &mut Io<'_>) {
        self.nat = Nat::Symmetric;
        let turn = self.turn;
        io.log(LogLevel::Info, || {
            let then = if turn {
                "new calls start relay-only (TURN)"
            } else {
                "no TURN server is configured, so direct media will likely fail"
            };
            format!(
                "symmetric NAT: one local socket was seen as {}; {then}",
                mapped.join(", ")
            )
        });
        if self.relay_only_calls() && self.warm_since.is_some() && !self.warm_relay_only {
            self.discard("the NAT is symmetric: warming relay-only", io);
            self.fill(io);
        }
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
        // Another network may have another NAT: probed again by the refill.
        self.nat = Nat::Unknown;
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

    /// A call needs its peer connection: an audio call adopts the warm one when it was
    /// made with the call's ICE policy. Either way nothing is warmed again until no call
    /// is left. Returns whether the call starts relay-only (see the module docs).
    pub(crate) fn call_starts(&mut self, call: CallId, video: bool, io: &mut Io<'_>) -> bool {
        self.held = true;
        let relay_only = self.relay_only_calls();
        if video {
            return relay_only;
        }
        let Some(since) = self.warm_since.take() else {
            return relay_only;
        };
        io.cancel_timer(UaTimer::PrewarmRotate);
        let age = io.now - since;
        if age >= MAX_AGE {
            // Its rotation timer ran late (a paused page): too old to trust.
            io.out.push_back(Output::Prewarm(PrewarmAction::Discard {
                reason: "too old",
            }));
            return relay_only;
        }
        if self.warm_relay_only != relay_only {
            io.out.push_back(Output::Prewarm(PrewarmAction::Discard {
                reason: "made with another ICE policy than the call's",
            }));
            return relay_only;
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
        relay_only
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
