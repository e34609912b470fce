//! The media vocabulary: the ICE state the browser reports ([`IceState`]), what the
//! driver samples from a call's peer connection ([`MediaSample`]), and the evidence a call that lost its media ends with
//! ([`NoMedia`]).
//!
//! Every field is an integer, an enum or text, so that samples compare exactly and a
//! transcript replays bit for bit (audio levels are kept in ten-thousandths).

use std::time::Duration;

/// The ICE connection state the browser reports (`RTCIceConnectionState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceState {
    /// `new`
    New,
    /// `checking`
    Checking,
    /// `connected`
    Connected,
    /// `completed`
    Completed,
    /// `disconnected`: connectivity checks are failing, may come back.
    Disconnected,
    /// `failed`: gave up; needs an ICE restart.
    Failed,
    /// `closed`
    Closed,
}

impl IceState {
    /// The name as the browser spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            IceState::New => "new",
            IceState::Checking => "checking",
            IceState::Connected => "connected",
            IceState::Completed => "completed",
            IceState::Disconnected => "disconnected",
            IceState::Failed => "failed",
            IceState::Closed => "closed",
        }
    }
}

/// The DTLS transport's state (`RTCDtlsTransport.state`, or the `dtlsState` of the
/// `transport` stats entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsState {
    /// `new`
    New,
    /// `connecting`: the handshake has not finished.
    Connecting,
    /// `connected`: SRTP keys are in place.
    Connected,
    /// `closed`
    Closed,
    /// `failed`
    Failed,
}

impl DtlsState {
    /// The name as the browser spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            DtlsState::New => "new",
            DtlsState::Connecting => "connecting",
            DtlsState::Connected => "connected",
            DtlsState::Closed => "closed",
            DtlsState::Failed => "failed",
        }
    }
}

/// A candidate's type (`RTCIceCandidateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    /// `host`
    Host,
    /// `srflx`: the address a STUN server saw.
    Srflx,
    /// `prflx`: learnt from a connectivity check.
    Prflx,
    /// `relay`: an address on a TURN server.
    Relay,
}

impl CandidateKind {
    /// The name as the browser spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateKind::Host => "host",
            CandidateKind::Srflx => "srflx",
            CandidateKind::Prflx => "prflx",
            CandidateKind::Relay => "relay",
        }
    }
}

/// What the browser knows about one STUN or TURN URL of the call's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerOutcome {
    /// Nothing heard yet (gathering may still be running).
    Pending,
    /// A candidate came from it: a relay candidate for TURN, a server-reflexive one
    /// for STUN.
    Allocated,
    /// No answer (`icecandidateerror` 701 saying it timed out).
    TimedOut,
    /// Unreachable otherwise: refused, no route, host not found (701).
    Unreachable,
    /// The TURN server refused our credentials (401).
    AuthFailed,
    /// Another STUN error code (403, 437, 508 ...).
    Error(u16),
}

impl ServerOutcome {
    /// The name JavaScript sees.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerOutcome::Pending => "pending",
            ServerOutcome::Allocated => "allocated",
            ServerOutcome::TimedOut => "timedOut",
            ServerOutcome::Unreachable => "refused",
            ServerOutcome::AuthFailed => "authFailed",
            ServerOutcome::Error(_) => "error",
        }
    }

    /// The server answered with nothing usable, for good.
    pub fn failed(self) -> bool {
        !matches!(self, ServerOutcome::Pending | ServerOutcome::Allocated)
    }
}

/// One STUN or TURN URL and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStatus {
    /// The URL as configured (`turn:turn.example.com:443?transport=tcp`); never the
    /// credentials, which are not part of it.
    pub url: String,
    /// What the browser reported.
    pub outcome: ServerOutcome,
}

impl ServerStatus {
    /// A `turn:` or `turns:` URL.
    pub fn is_turn(&self) -> bool {
        self.url.starts_with("turn:") || self.url.starts_with("turns:")
    }
}

/// An audio level on the browser's linear 0-1 scale, in ten-thousandths
/// (`audioLevel` 0.25 is `AudioLevel(2500)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AudioLevel(pub u16);

impl AudioLevel {
    /// From the browser's linear level (clamped to 0-1; NaN counts as silence).
    pub fn from_linear(level: f64) -> AudioLevel {
        let v = if level.is_finite() {
            level.clamp(0.0, 1.0)
        } else {
            0.0
        };
        AudioLevel((v * 10_000.0).round() as u16)
    }

    /// Back on the linear 0-1 scale.
    pub fn linear(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

/// One reading of a call's media, taken by the driver when the core asks for it
/// (`MediaAction::SampleMedia`), from the peer connection's states, `getStats()` and
/// the `icecandidateerror` events. Counters are cumulative, as WebRTC reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaSample {
    /// `iceConnectionState`.
    pub ice: Option<IceState>,
    /// The DTLS transport's state.
    pub dtls: Option<DtlsState>,
    /// The selected candidate pair's local candidate type.
    pub local_candidate: Option<CandidateKind>,
    /// The selected candidate pair's remote candidate type.
    pub remote_candidate: Option<CandidateKind>,
    /// Inbound audio RTP packets received so far.
    pub packets_received: u64,
    /// Outbound audio RTP packets sent so far.
    pub packets_sent: u64,
    /// The far end's audio level (`inbound-rtp` `audioLevel`).
    pub inbound_level: Option<AudioLevel>,
    /// The microphone's level (`media-source` `audioLevel`).
    pub outbound_level: Option<AudioLevel>,
    /// Every STUN and TURN URL of the call's configuration.
    pub servers: Vec<ServerStatus>,
    /// The peer connection gathers relay candidates only already
    /// (`iceTransportPolicy: 'relay'`): a relay-only restart would change nothing.
    pub relay_policy: bool,
}

/// Whether a call's media never started or was lost after it flowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaLoss {
    /// No inbound audio ever arrived (or DTLS never connected) after the answer.
    NeverStarted,
    /// Inbound audio flowed, then stopped.
    Lost,
}

impl MediaLoss {
    /// The name JavaScript sees.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaLoss::NeverStarted => "neverStarted",
            MediaLoss::Lost => "lost",
        }
    }
}

/// Why, as far as the evidence tells, media could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoMediaWhy {
    /// TURN is configured, no TURN URL gave a relay (each timed out, was refused, or
    /// never answered through a whole recovery), and no direct path worked: the network
    /// blocks TURN on every port.
    TurnUnreachable,
    /// A TURN server refused the credentials (401) and no other path worked.
    TurnAuthFailed,
    /// ICE connected but DTLS never did (a symmetric NAT where the far end only
    /// accepts the path it was offered, a middlebox eating DTLS).
    DtlsFailed,
    /// No candidate pair worked (ICE never connected, or stayed disconnected).
    IceFailed,
    /// The path is up (ICE and DTLS connected) but the far end sends no audio.
    NoInboundPackets,
}

impl NoMediaWhy {
    /// The name JavaScript sees.
    pub fn as_str(self) -> &'static str {
        match self {
            NoMediaWhy::TurnUnreachable => "turnUnreachable",
            NoMediaWhy::TurnAuthFailed => "turnAuthFailed",
            NoMediaWhy::DtlsFailed => "dtlsFailed",
            NoMediaWhy::IceFailed => "iceFailed",
            NoMediaWhy::NoInboundPackets => "noInboundPackets",
        }
    }
}

/// How a call ended for lack of media: what happened, how long recovery was tried and
/// the browser's evidence (see `docs/connectivity.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoMedia {
    /// Never started, or lost after flowing.
    pub loss: MediaLoss,
    /// The verdict drawn from the evidence.
    pub why: NoMediaWhy,
    /// A sentence for people ("media never started: every TURN URL timed out or was
    /// refused (your network blocks TURN on every port)").
    pub reason: String,
    /// How long recovery was tried, from the moment media was found missing.
    pub tried: Duration,
    /// ICE restarts made.
    pub restarts: u32,
    /// A relay-only restart was among them.
    pub relay_only: bool,
    /// The last sample's states, selected pair and per-URL outcomes.
    pub evidence: MediaSample,
}
