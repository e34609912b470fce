//! What the driver reports to the core: [`Input`].

use std::time::Duration;

use super::call::media_types::MediaSample;
use super::call::types::IceState;
use super::ids::{CallId, ConnectionId};
use super::nat::NatObservation;

/// Something that happened, reported by the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<'a> {
    /// The WebSocket `id` opened.
    Opened {
        /// The socket.
        id: ConnectionId,
    },
    /// The WebSocket `id` closed, or failed to open (code 1006).
    Closed {
        /// The socket.
        id: ConnectionId,
        /// The WebSocket close code.
        code: u16,
        /// The close reason, possibly empty.
        reason: &'a str,
    },
    /// A WebSocket message arrived on `id` (text or binary, as bytes).
    Received {
        /// The socket.
        id: ConnectionId,
        /// The message.
        data: &'a [u8],
    },
    /// The deadline returned by [`UserAgent::poll_timeout`](super::UserAgent::poll_timeout) has passed.
    Timeout,
    /// The browser reported that the network came back (`online`).
    NetworkOnline,
    /// The browser reported that the network is gone (`offline`).
    NetworkOffline,
    /// The page woke after a long pause (laptop sleep, a frozen tab): timers ran late.
    Resumed,
    /// The page was hidden (`visibilitychange`).
    PageHidden,
    /// The page became visible again.
    PageVisible,
    /// The call's local description, after `CreateOffer` or `CreateAnswer`, and again
    /// after every ICE candidate gathered (the browser adds them to it).
    LocalDescription {
        /// The call.
        call: CallId,
        /// `localDescription.sdp`
        sdp: &'a str,
        /// ICE gathering is complete.
        complete: bool,
    },
    /// The call's ICE connection state changed (`iceconnectionstatechange`).
    IceState {
        /// The call.
        call: CallId,
        /// The new state.
        state: IceState,
    },
    /// A media action of the call failed (no microphone, SDP refused...).
    MediaFailed {
        /// The call.
        call: CallId,
        /// What the browser said.
        reason: &'a str,
    },
    /// What the NAT probe the core asked for (`Output::ProbeNat`) saw.
    NatObserved {
        /// The number `Output::ProbeNat` gave.
        probe: u32,
        /// The server-reflexive mappings of one local socket, and how many endpoints
        /// answered (0 when the probe does not count them).
        observation: &'a NatObservation,
    },
    /// The fetch of `iceServersUrl` the core asked for
    /// (`Output::IceServers(IceServersAction::Fetch)`) brought a list, valid for `ttl`
    /// when the endpoint gave one.
    IceServersFetched {
        /// The list's `ttl`.
        ttl: Option<Duration>,
    },
    /// That fetch failed (network, HTTP status, a malformed answer, its time bound).
    IceServersFailed,
    /// A reading of the call's media, taken because the core asked for one
    /// (`MediaAction::SampleMedia`): what the media watchdog decides on.
    MediaSample {
        /// The call.
        call: CallId,
        /// The reading.
        sample: &'a MediaSample,
    },
}
