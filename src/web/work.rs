//! The driver's unit of work ([`Work`]) and the handle ([`Feeder`]) through which every
//! callback (a socket, the timer, a page listener, a media session) hands it over. A leaf:
//! the parts that produce work know nothing of the driver that takes it.

use std::rc::Weak;

use js_sys::Function;

use crate::core::nat::NatObservation;
use crate::core::{CallId, ConnectionId, IceState, LogLevel, MediaSample};

/// One thing for the driver to do.
pub(crate) enum Work {
    /// `start()`.
    Start,
    /// `stop()`, with the resolve function of its promise.
    Stop(Function),
    /// A socket opened.
    Opened(ConnectionId),
    /// A socket closed or failed to open.
    Closed {
        /// The socket.
        id: ConnectionId,
        /// The WebSocket close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// A message arrived.
    Received {
        /// The socket.
        id: ConnectionId,
        /// The message bytes.
        data: Vec<u8>,
    },
    /// The timer fired; it was due at `wall_deadline` (`Date.now()` ms).
    TimerFired {
        /// When it should have fired, by the wall clock.
        wall_deadline: f64,
    },
    /// `online`.
    Online,
    /// `offline`.
    Offline,
    /// The page became visible.
    PageVisible,
    /// The page was hidden.
    PageHidden,
    /// The page was restored from the back/forward cache or unfrozen.
    PageResumed,
    /// A media action could not be carried out.
    MediaFailed {
        /// The call.
        call: CallId,
        /// Why, for the core's log and the call's end.
        reason: String,
    },
    /// The call's local description, after an offer or answer and each ICE candidate.
    LocalDescription {
        /// The call.
        call: CallId,
        /// `localDescription.sdp`.
        sdp: String,
        /// ICE gathering is complete.
        complete: bool,
    },
    /// The call's ICE connection state changed.
    IceState {
        /// The call.
        call: CallId,
        /// The new state.
        state: IceState,
    },
    /// The outcome of a fetch of `iceServersUrl` the core asked for: the list's `ttl`,
    /// or `Err` when it failed.
    IceServersFetched(Result<Option<std::time::Duration>, ()>),
    /// What the NAT probe number `probe` saw.
    NatObserved {
        /// The probe's number (from `Output::ProbeNat`).
        probe: u32,
        /// The server-reflexive mappings seen.
        observation: NatObservation,
    },
    /// A reading of the call's media, which the core asked for.
    MediaSample {
        /// The call.
        call: CallId,
        /// The reading.
        sample: MediaSample,
    },
    /// The call's first remote track arrived: `call.remoteStream` is set.
    RemoteStream {
        /// The call.
        call: CallId,
    },
    /// A line for the log, from a media session.
    Log(LogLevel, String),
    /// A call's quality warning was raised or cleared.
    Quality {
        /// The call.
        call: CallId,
        /// What changed.
        change: crate::core::quality::WarningChange,
    },
}

/// What takes work: the driver. A trait, so that the parts that hand it work (sockets,
/// the timer, page listeners, media sessions) need not know the driver itself.
pub(crate) trait Pump {
    /// Queues `work` and runs the drain loop unless it is already running.
    fn pump(&self, work: Work);
}

/// A weak handle through which callbacks hand work to the driver. Weak, so that
/// callbacks owned by the driver make no reference cycle; after `free()` it does nothing.
#[derive(Clone)]
pub(crate) struct Feeder(Weak<dyn Pump>);

impl Feeder {
    /// A handle on `pump`.
    pub(crate) fn new(pump: Weak<dyn Pump>) -> Self {
        Feeder(pump)
    }

    /// Hands `work` to the driver, if it still exists.
    pub(crate) fn feed(&self, work: Work) {
        if let Some(pump) = self.0.upgrade() {
            pump.pump(work);
        }
    }
}
