//! Events the core reports to the application, through the driver.

use std::time::Duration;

use super::call::types::CallEvent;
use super::ids::{CallId, SubscriptionId};
use super::message::types::MessageEvent;
use super::subscription::bodies::MessageSummary;
use super::subscription::types::SubscriptionEvent;

/// Something the application should know about. Losing the connection or the
/// registration is an event, not an error: the core keeps recovering on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The state of the WebSocket flow to the SIP server changed.
    Connection(ConnectionEvent),
    /// The state of the registration changed.
    Registration(RegistrationEvent),
    /// Something happened to a call.
    Call {
        /// The call.
        call: CallId,
        /// What happened.
        event: CallEvent,
    },
    /// A MESSAGE was delivered or failed, or one arrived (RFC 3428).
    Message(MessageEvent),
    /// Something happened to a subscription (RFC 6665).
    Subscription {
        /// The subscription.
        id: SubscriptionId,
        /// What happened.
        event: SubscriptionEvent,
    },
    /// A message summary (MWI) the PBX sent with no subscription (Asterisk does, for
    /// an endpoint with a mailbox) while the application has no `message-summary`
    /// subscription; with one, it comes as that subscription's NOTIFY.
    MessageWaiting(MessageSummary),
}

/// Connection states, in the order they usually happen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// A WebSocket to `url` is being opened; `attempt` counts consecutive tries (0 first).
    Connecting {
        /// The server URL being opened.
        url: String,
        /// Consecutive failed attempts before this one.
        attempt: u32,
    },
    /// The WebSocket to `url` is open.
    Connected {
        /// The server URL that answered.
        url: String,
    },
    /// The WebSocket to `url` is gone.
    Disconnected {
        /// The server URL that was lost.
        url: String,
        /// Why it was lost.
        reason: DisconnectReason,
    },
    /// The next attempt starts after `delay`.
    Reconnecting {
        /// Time until the next attempt.
        delay: Duration,
        /// Consecutive failed attempts so far.
        attempt: u32,
    },
}

/// Why a WebSocket flow ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The socket closed before it opened (the browser reports 1006 and hides the
    /// HTTP status: a wrong path such as `/ws`, a TLS failure, a tunnel with no origin).
    OpenFailed {
        /// The WebSocket close code.
        code: u16,
    },
    /// The socket did not open within the connect timeout.
    ConnectTimeout,
    /// An open socket closed.
    Closed {
        /// The WebSocket close code.
        code: u16,
        /// The close reason given by the peer, possibly empty.
        reason: String,
    },
    /// The server stopped answering keepalive pings (RFC 5626 section 4.4.1).
    KeepaliveTimeout,
    /// The driver reported a network change and the flow was replaced.
    NetworkChange,
    /// The application stopped the user agent.
    Stopped,
}

impl DisconnectReason {
    /// The reason in a log line: the variant's name and fields, peer text escaped.
    /// Written out rather than derived `Debug`, whose struct builders cost 2 kB of wasm.
    pub(crate) fn log_text(&self) -> String {
        match self {
            DisconnectReason::OpenFailed { code } => format!("OpenFailed (code {code})"),
            DisconnectReason::ConnectTimeout => "ConnectTimeout".to_owned(),
            DisconnectReason::Closed { code, reason } => {
                format!("Closed (code {code}, reason {reason:?})")
            }
            DisconnectReason::KeepaliveTimeout => "KeepaliveTimeout".to_owned(),
            DisconnectReason::NetworkChange => "NetworkChange".to_owned(),
            DisconnectReason::Stopped => "Stopped".to_owned(),
        }
    }
}

/// Registration states.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationEvent {
    /// A REGISTER is in flight.
    Registering,
    /// The registrar accepted the binding for `expires` seconds.
    Registered {
        /// Seconds the binding lasts, as granted by the registrar.
        expires: u32,
    },
    /// The binding was removed (after `stop`) or lapsed.
    Unregistered,
    /// The registrar refused, or did not answer. With `retry_in` the core tries again
    /// by itself; without it (403, 404, a rejected password) it waits for the application.
    Failed {
        /// The SIP status code (408 for a timeout, 503 for a transport failure).
        status: u16,
        /// The reason phrase.
        reason: String,
        /// When the core will try again on its own, if it will.
        retry_in: Option<Duration>,
    },
}

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something unexpected that the core recovered from.
    Warn,
    /// State changes.
    Info,
    /// Messages sent and received (first lines only).
    Debug,
    /// Whole messages, with credentials redacted.
    Trace,
}
