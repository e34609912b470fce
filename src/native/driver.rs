//! A native driver for the sans-IO [`UserAgent`]: tokio time, WebSocket over
//! [`super::ws`], randomness from the OS.
//!
//! It does what the browser driver does and nothing more: every [`Output`] is executed
//! (open, send, close, events are recorded), every socket happening becomes an
//! [`Input`], and the one timer the core asks for is armed. No protocol decision lives
//! here: digest, retries and refreshes are the core's.

use std::time::Duration;

use tokio::time::Instant as TokioInstant;

use super::ws::{self, Received, WsSocket, WsUrl};
use crate::core::{
    Config, ConfigError, ConnectionId, Event, Input, Instant, LogLevel, Output, UserAgent,
};

/// One thing the driver saw, at ms since it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// An event from the core.
    Event(Event),
    /// The first line of a SIP message sent (`true`) or received (`false`).
    Line(bool, String),
    /// A log line from the core (Info and more severe).
    Log(LogLevel, String),
}

/// Drives one user agent. See the module docs.
#[derive(Debug)]
pub struct Driver {
    ua: UserAgent,
    origin: TokioInstant,
    insecure: bool,
    step_timeout: Duration,
    socket: Option<(ConnectionId, WsSocket)>,
    /// Everything seen, with ms since the driver was made.
    pub seen: Vec<(f64, Seen)>,
    /// Keep the first lines of SIP messages in [`Driver::seen`] (off for load runs).
    pub record_lines: bool,
}

impl Driver {
    /// Makes a user agent for `config`, seeded from the OS. `insecure` accepts a
    /// certificate TLS verification refused; `step_timeout` bounds each connect step.
    ///
    /// # Errors
    /// The config's first invalid field.
    pub fn new(
        config: Config,
        insecure: bool,
        step_timeout: Duration,
    ) -> Result<Driver, ConfigError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| ConfigError::new("seed", e.to_string()))?;
        Ok(Driver {
            ua: UserAgent::new(config, seed, Instant::ZERO)?,
            origin: TokioInstant::now(),
            insecure,
            step_timeout,
            socket: None,
            seen: Vec::new(),
            record_lines: true,
        })
    }

    /// The core's time now.
    fn now(&self) -> Instant {
        Instant::from_millis(self.origin.elapsed().as_millis() as u64)
    }

    fn at(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1000.0
    }

    /// Starts the user agent (connect, register).
    pub fn start(&mut self) {
        let now = self.now();
        self.ua.start(now);
    }

    /// Asks the user agent to stop (unregister, close).
    pub fn stop(&mut self) {
        let now = self.now();
        self.ua.stop(now);
    }

    /// Whether the user agent has stopped.
    pub fn is_stopped(&self) -> bool {
        self.ua.is_stopped()
    }

    /// Runs until `done` says so for an event just seen, the user agent has stopped
    /// (after [`Driver::stop`]), or `deadline` passes. True when `done` ended it.
    pub async fn run(
        &mut self,
        deadline: TokioInstant,
        mut done: impl FnMut(&Event) -> bool,
    ) -> bool {
        loop {
            if self.drain(&mut done).await {
                return true;
            }
            if self.ua.is_stopped() || TokioInstant::now() >= deadline {
                return false;
            }
            let wake = self
                .ua
                .poll_timeout()
                .map(|(at, _)| self.origin + Duration::from_millis(at.as_millis()))
                .map_or(deadline, |t| t.min(deadline));
            let received = match &mut self.socket {
                Some((id, socket)) => {
                    let id = *id;
                    tokio::select! {
                        r = socket.recv() => Some((id, r)),
                        () = tokio::time::sleep_until(wake) => None,
                    }
                }
                None => {
                    tokio::time::sleep_until(wake).await;
                    None
                }
            };
            let now = self.now();
            match received {
                Some((id, Received::Data(data))) => {
                    if self.record_lines {
                        self.line(false, &data);
                    }
                    self.ua
                        .handle_input(Input::Received { id, data: &data }, now);
                }
                Some((id, Received::Closed { code, reason })) => {
                    self.socket = None;
                    self.ua.handle_input(
                        Input::Closed {
                            id,
                            code,
                            reason: &reason,
                        },
                        now,
                    );
                }
                None => {
                    if self.ua.poll_timeout().is_some_and(|(at, _)| at <= now) {
                        self.ua.handle_input(Input::Timeout, now);
                    }
                }
            }
        }
    }

    /// Executes the outputs until there are none; true when `done` matched an event.
    async fn drain(&mut self, done: &mut impl FnMut(&Event) -> bool) -> bool {
        let mut matched = false;
        while let Some(out) = self.ua.poll_output() {
            match out {
                Output::Connect { id, url } => self.connect(id, &url).await,
                Output::Send { id, data } => {
                    if self.record_lines {
                        self.line(true, &data);
                    }
                    let failed = match &mut self.socket {
                        Some((open, socket)) if *open == id => socket.send(data).await.is_err(),
                        _ => false,
                    };
                    if failed {
                        self.socket = None;
                        let now = self.now();
                        self.ua.handle_input(
                            Input::Closed {
                                id,
                                code: 1006,
                                reason: "",
                            },
                            now,
                        );
                    }
                }
                Output::Close { id } => {
                    if self.socket.as_ref().is_some_and(|(open, _)| *open == id) {
                        if let Some((_, socket)) = self.socket.take() {
                            socket.close().await;
                        }
                    }
                }
                // No calls here, and the doctor's config does not pre-warm. A NAT probe
                // goes unanswered: it only chooses the ICE policy of calls, and the
                // doctor checks the NAT itself (with two STUN endpoints).
                Output::Media { .. }
                | Output::Prewarm(_)
                | Output::ProbeNat { .. }
                | Output::IceServers(_) => {}
                Output::Event(event) => {
                    matched |= done(&event);
                    let at = self.at();
                    self.seen.push((at, Seen::Event(event)));
                }
                Output::Log { level, message } => {
                    if level <= LogLevel::Info && self.record_lines {
                        let at = self.at();
                        self.seen.push((at, Seen::Log(level, message)));
                    }
                }
            }
        }
        matched
    }

    async fn connect(&mut self, id: ConnectionId, url: &str) {
        let opened = match WsUrl::parse(url) {
            Ok(url) => ws::open(&url, self.insecure, self.step_timeout).await.1,
            Err(_) => None,
        };
        let now = self.now();
        match opened {
            Some(socket) => {
                self.socket = Some((id, socket));
                self.ua.handle_input(Input::Opened { id }, now);
            }
            None => self.ua.handle_input(
                Input::Closed {
                    id,
                    code: 1006,
                    reason: "",
                },
                now,
            ),
        }
    }

    fn line(&mut self, sent: bool, data: &[u8]) {
        if data.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            return;
        }
        let end = data
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(data.len());
        let line = String::from_utf8_lossy(&data[..end.min(200)]).into_owned();
        let at = self.at();
        self.seen.push((at, Seen::Line(sent, line)));
    }
}
