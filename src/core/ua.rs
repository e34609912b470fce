//! The user agent: inputs in, outputs out.
//! (Contract stub: the implementation lands with the core.)

use std::collections::VecDeque;

use super::{Config, ConfigError, Event, Instant, LogLevel};

/// Identifies one WebSocket the driver opened on the core's request. Inputs carrying
/// the id of a socket the core has already given up on are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

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
    /// The deadline returned by [`UserAgent::poll_timeout`] has passed.
    Timeout,
    /// The browser reported that the network came back (`online`).
    NetworkOnline,
    /// The browser reported that the network is gone (`offline`).
    NetworkOffline,
    /// The page woke after a long pause (laptop sleep, a frozen tab): timers ran late.
    Resumed,
}

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

/// Why a deadline was armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerName {
    /// Waiting before the next connection attempt.
    Reconnect,
    /// A WebSocket is taking too long to open.
    ConnectTimeout,
    /// Time to send the next keepalive ping.
    KeepalivePing,
    /// A keepalive pong is overdue.
    KeepalivePong,
    /// Time to refresh the registration.
    RegisterRefresh,
    /// Time to retry a failed registration.
    RegisterRetry,
    /// RFC 3261 Timer F: a non-INVITE client transaction timed out.
    TransactionF,
    /// How long `stop` waits for the un-REGISTER before closing.
    StopGuard,
}

/// A SIP user agent as a sans-IO state machine. See the [module docs](super).
#[derive(Debug)]
pub struct UserAgent {
    config: Config,
    outputs: VecDeque<Output>,
}

impl UserAgent {
    /// Makes a user agent; nothing happens until [`UserAgent::start`].
    ///
    /// # Errors
    /// Returns the first invalid field of `config`.
    pub fn new(config: Config, seed: [u8; 32], now: Instant) -> Result<Self, ConfigError> {
        config.validate()?;
        let _ = (seed, now);
        Ok(UserAgent {
            config,
            outputs: VecDeque::new(),
        })
    }

    /// Connects and registers; calling it while running does nothing.
    pub fn start(&mut self, now: Instant) {
        let _ = (now, &self.config);
    }

    /// Unregisters (Expires: 0), then closes the connection. Completion is reported
    /// by [`UserAgent::is_stopped`] turning true (and the events before it).
    pub fn stop(&mut self, now: Instant) {
        let _ = now;
    }

    /// Whether the user agent is idle: never started, or fully stopped.
    pub fn is_stopped(&self) -> bool {
        true
    }

    /// Feeds one input. Drain [`UserAgent::poll_output`] afterwards.
    pub fn handle_input(&mut self, input: Input<'_>, now: Instant) {
        let _ = (input, now);
    }

    /// Returns the next thing for the driver to do, or `None` when there is nothing.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Returns the earliest deadline and why it was armed.
    pub fn poll_timeout(&self) -> Option<(Instant, TimerName)> {
        None
    }
}
