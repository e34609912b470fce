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
