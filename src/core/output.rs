//! What the core asks of the driver: [`Output`].

use super::call::types::MediaAction;
use super::event::{Event, LogLevel};
use super::ids::{CallId, ConnectionId};

/// Something the driver must do, or tell the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a WebSocket (subprotocol `sip`) to `url` and report it as `id`.
    Connect {
        /// The id to report the socket's inputs with.
        id: ConnectionId,
        /// The server URL.
        url: String,
    },
    /// Close the WebSocket `id`; no input is expected for it afterwards.
    Close {
        /// The socket.
        id: ConnectionId,
    },
    /// Send `data` as one WebSocket message on `id` (text when it is UTF-8).
    Send {
        /// The socket.
        id: ConnectionId,
        /// One SIP message, or a keepalive.
        data: Vec<u8>,
    },
    /// Do something with a call's peer connection.
    Media {
        /// The call.
        call: CallId,
        /// What to do.
        action: MediaAction,
    },
    /// Do something with the idle, pre-warmed peer connection (see `core::prewarm`).
    Prewarm(PrewarmAction),
    /// Find out how the NAT maps this machine's sockets: gather server-reflexive
    /// candidates from one local socket towards every UDP STUN endpoint the ICE servers
    /// name (TURN-over-UDP URLs asked as STUN), and report what was seen with
    /// `Input::NatObserved` (an empty observation when there are fewer than two
    /// endpoints, or nothing answered). See `core::prewarm`: a symmetric NAT makes calls
    /// start relay-only.
    ProbeNat {
        /// The probe's number, given back in `Input::NatObserved`.
        probe: u32,
    },
    /// Fetch `iceServersUrl`, or stop using what was fetched (see `core::ice_refresh`).
    IceServers(IceServersAction),
    /// Tell the application.
    Event(Event),
    /// A log line; credentials are already removed.
    Log {
        /// Severity.
        level: LogLevel,
        /// The text.
        message: String,
    },
}

/// What the driver must do with the pre-warmed peer connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrewarmAction {
    /// Make an idle peer connection with the calls' configuration (and
    /// `iceCandidatePoolSize: 1`) that gathers candidates for the next call.
    Warm {
        /// Made with `iceTransportPolicy: 'relay'`: the NAT is symmetric, so the next
        /// call starts relay-only and must adopt a relay-only peer connection.
        relay_only: bool,
    },
    /// Close it.
    Discard {
        /// Why, for the log.
        reason: &'static str,
    },
    /// Give it to `call`, whose first media action follows: the call's offer or answer
    /// is made on it (when it is still usable, else on a fresh one).
    Adopt {
        /// The call.
        call: CallId,
    },
}

/// What the driver must do with the ICE servers of `iceServersUrl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceServersAction {
    /// Fetch the list now (one fetch, bounded), then report `Input::IceServersFetched`
    /// with its `ttl` or `Input::IceServersFailed`. The list in hand stays in use
    /// meanwhile.
    Fetch,
    /// The fetched list's `ttl` ran out: new peer connections no longer get it (the
    /// configured `iceServers` stay).
    Expire,
}
