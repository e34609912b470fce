//! Drives the whole user agent with a sequence of inputs decoded from the fuzzer's
//! bytes, and checks the core's invariants after every step (see `ua/model.rs`).
//!
//! The first byte picks a configuration; then each action is an opcode byte and
//! its arguments: a message from the scripted peers (`ua/templates.rs`: built from
//! the user agent's last messages, so it matches a transaction or a dialog, then
//! mutated: a byte flipped, the message cut, a header line doubled or dropped), a
//! user command, a timeout (the next deadline, or a jump), the socket opening or
//! closing, a media event, or a network change. At most `MAX_ACTIONS` actions; at
//! the end the user agent is stopped and run until nothing is armed.
//!
//! Seed corpus: `fuzz/seed.sh` writes a few action scripts (a registration, a call
//! out and in, hold, transfer) to `fuzz/corpus/ua`.
//!
//! Long runs: `cargo +nightly fuzz run -s none --no-trace-compares ua corpus/ua`
//! executes about five times as many inputs per second as the default build (the
//! crate has no unsafe code for AddressSanitizer to watch, and the comparison
//! tracing costs most of the time); the templates already put the Call-IDs, tags
//! and branches in place that comparison tracing would otherwise have to guess.
#![no_main]

#[path = "ua/model.rs"]
mod model;
#[path = "ua/templates.rs"]
mod templates;

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use softphone_core::core::{
    CallId, CallOptions, CandidateKind, Config, ConnectionId, DtlsState, DtmfMode, IceState, Input,
    Instant, LogLevel, MediaSample, Output, ServerConfig, ServerOutcome, ServerStatus, UserAgent,
};
use softphone_core::sip::Secret;

use model::Model;
use templates::{local_sdp, Peers};

const MAX_ACTIONS: usize = 96;
/// More timers than this in one advance is a timer loop.
const MAX_TIMERS: usize = 200_000;

/// `UA_FUZZ_TRACE=1` prints every output: how a reproducer is read.
fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("UA_FUZZ_TRACE").is_some())
}

/// The fuzzer's bytes, read from the front; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A configuration: `bits` choose registration, ICE servers, a second server,
/// short session timers and the log level.
fn config(bits: u8) -> Config {
    let mut c = Config::new("sip:alice@softphone.test", "wss://pbx.example.com/ws");
    c.password = Some(Secret::new("s3cret"));
    c.instance_id = Some("f81d4fae-7dec-11d0-a765-00a0c91e6bf6".into());
    c.register = bits & 1 == 0;
    c.ice_has_turn = bits & 2 != 0;
    // An `iceServersUrl` comes with TURN (as `web::config` sets it).
    c.ice_servers_url = bits & 2 != 0;
    c.ice_has_stun = bits & 4 != 0;
    if bits & 8 != 0 {
        c.servers.push(ServerConfig {
            url: "wss://pbx2.example.com/ws".into(),
            weight: 0,
        });
    }
    if bits & 16 != 0 {
        c.session_expires = 90;
        c.min_se = 90;
    }
    c.log_level = if bits & 96 == 96 {
        LogLevel::Trace
    } else {
        LogLevel::Warn
    };
    c
}

struct Driver {
    ua: UserAgent,
    now: Instant,
    model: Model,
    peers: Peers,
    /// The last socket the user agent asked for, and the one before.
    socket: Option<ConnectionId>,
    old_socket: Option<ConnectionId>,
    /// Call ids handed out, most recent last, for the commands to pick from.
    calls: Vec<CallId>,
}

impl Driver {
    fn new(config: Config) -> Self {
        let tx_timeout = config.transaction_timeout;
        Driver {
            ua: UserAgent::new(config, [7; 32], Instant::ZERO).expect("valid config"),
            now: Instant::ZERO,
            model: Model::new(tx_timeout),
            peers: Peers::default(),
            socket: None,
            old_socket: None,
            calls: Vec::new(),
        }
    }

    /// Drains every output, checking each; then the idle checks.
    fn drain(&mut self, timeout: bool) {
        while let Some(out) = self.ua.poll_output() {
            if trace() {
                match &out {
                    Output::Send { data, .. } => {
                        let text = String::from_utf8_lossy(data);
                        let via = templates::header(&text, "Via").unwrap_or("");
                        let cseq = templates::header(&text, "CSeq").unwrap_or("");
                        let first = text.lines().next().unwrap_or("");
                        eprintln!("{:>8} send {first} | {via} | {cseq}", self.now.as_millis());
                    }
                    other => eprintln!("{:>8} {other:?}", self.now.as_millis()),
                }
            }
            self.model.on_output(&out, self.now);
            match out {
                Output::Connect { id, .. } => {
                    self.old_socket = self.socket.replace(id);
                }
                Output::Send { data, .. } if !data.starts_with(b"\r\n") => {
                    self.peers
                        .sent(String::from_utf8(data).expect("the user agent sends UTF-8"));
                }
                Output::Event(softphone_core::core::Event::Call { call, .. }) => {
                    if !self.calls.contains(&call) {
                        self.calls.push(call);
                    }
                }
                _ => {}
            }
        }
        self.model.after_drain(&mut self.ua, self.now, timeout);
    }

    fn input(&mut self, input: Input<'_>) {
        let timeout = input == Input::Timeout;
        self.ua.handle_input(input, self.now);
        self.drain(timeout);
    }

    /// Fires the next deadline, if it is before `limit`; returns whether one fired.
    fn fire_next(&mut self, limit: Instant) -> bool {
        match self.ua.poll_timeout() {
            Some((at, _)) if at <= limit => {
                self.now = self.now.max(at);
                self.input(Input::Timeout);
                true
            }
            _ => false,
        }
    }

    fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        let mut fired = 0;
        while self.fire_next(target) {
            fired += 1;
            assert!(fired < MAX_TIMERS, "timers keep firing: a loop");
        }
        self.now = target;
    }

    fn pick_call(&self, b: u8) -> CallId {
        // Mostly a real call, the newest first; sometimes one that never existed.
        match self.calls.len() {
            0 => CallId(u64::from(b % 4)),
            n if b < 224 => self.calls[n - 1 - usize::from(b) % n.min(3)],
            _ => CallId(u64::from(b)),
        }
    }

    fn deliver(&mut self, data: &[u8], stale_socket: bool) {
        if trace() {
            let text = String::from_utf8_lossy(data);
            let via = templates::header(&text, "Via").unwrap_or("");
            let cseq = templates::header(&text, "CSeq").unwrap_or("");
            let first = text.lines().next().unwrap_or("");
            eprintln!(
                "{:>8} deliver {first} | {via} | {cseq}",
                self.now.as_millis()
            );
        }
        let socket = if stale_socket {
            self.old_socket
        } else {
            self.socket
        };
        let Some(id) = socket else { return };
        let stale = self.model.before_delivery(data) && !stale_socket;
        self.input(Input::Received { id, data });
        if stale {
            self.model.after_stale_delivery();
        }
    }

    /// One action; its arguments come from `b`.
    fn step(&mut self, b: &mut Bytes<'_>) {
        let now = self.now;
        match b.byte() % 25 {
            0..=5 => {
                let (which, arg, pick, mutation) = (b.byte(), b.byte(), b.byte(), b.byte());
                if let Some(msg) = self.peers.build(which, arg, pick) {
                    let msg = mutate(msg.into_bytes(), mutation, b);
                    self.deliver(&msg, false);
                }
            }
            6 | 7 => {
                self.fire_next(Instant::from_millis(u64::MAX));
            }
            8 => {
                let ms = u64::from(b.byte()) * u64::from(b.byte()) * 20;
                self.advance(Duration::from_millis(ms));
            }
            9 => match b.byte() % 8 {
                0 => {
                    self.model.on_start();
                    self.ua.start(now);
                }
                1 => {
                    self.model.on_stop();
                    self.ua.stop(now);
                }
                2 => self.ua.handle_input(Input::NetworkOnline, now),
                3 => self.ua.handle_input(Input::NetworkOffline, now),
                4 => self.ua.handle_input(Input::Resumed, now),
                6 => {
                    let ttl = match b.byte() {
                        0 => None,
                        n => Some(Duration::from_secs(u64::from(n) * 4)),
                    };
                    self.model.on_ice_outcome();
                    self.ua.handle_input(Input::IceServersFetched { ttl }, now)
                }
                7 => {
                    self.model.on_ice_outcome();
                    self.ua.handle_input(Input::IceServersFailed, now)
                }
                _ => {
                    let data: &[u8] = if b.byte() & 1 == 0 {
                        b"\r\n"
                    } else {
                        b"\r\n\r\n"
                    };
                    self.deliver(data, false);
                }
            },
            10 => {
                if let Some(id) = if b.byte() < 224 {
                    self.socket
                } else {
                    self.old_socket
                } {
                    self.ua.handle_input(Input::Opened { id }, now);
                }
            }
            11 => {
                let code = [1000, 1006, 1001, 4000][usize::from(b.byte()) % 4];
                if let Some(id) = if b.byte() < 224 {
                    self.socket
                } else {
                    self.old_socket
                } {
                    self.ua.handle_input(
                        Input::Closed {
                            id,
                            code,
                            reason: "gone",
                        },
                        now,
                    );
                }
            }
            12 => {
                let target = [
                    "bob",
                    "sip:carol@softphone.test",
                    "+1 555 0100",
                    "sip:bad uri",
                    "",
                ][usize::from(b.byte()) % 5];
                let options = CallOptions {
                    video: b.byte() & 1 == 1,
                    ..Default::default()
                };
                if let Ok(call) = self.ua.call(target, options, now) {
                    self.calls.push(call);
                }
            }
            13..=15 => {
                let (call, kind, complete) =
                    (self.pick_call(b.byte()), b.byte(), b.byte() & 1 == 1);
                let sdp = local_sdp(kind);
                self.ua.handle_input(
                    Input::LocalDescription {
                        call,
                        sdp,
                        complete,
                    },
                    now,
                );
            }
            16 => {
                let call = self.pick_call(b.byte());
                let state = [
                    IceState::New,
                    IceState::Checking,
                    IceState::Connected,
                    IceState::Completed,
                    IceState::Disconnected,
                    IceState::Failed,
                    IceState::Closed,
                ][usize::from(b.byte()) % 7];
                self.ua.handle_input(Input::IceState { call, state }, now);
            }
            17 => {
                let call = self.pick_call(b.byte());
                self.ua.handle_input(
                    Input::MediaFailed {
                        call,
                        reason: "NotAllowedError",
                    },
                    now,
                );
            }
            24 => {
                // A media sample for the watchdog: counters that rise, stall or go back,
                // any ICE/DTLS state, a selected pair, a TURN URL in any state.
                let call = self.pick_call(b.byte());
                let (a, c) = (b.byte(), b.byte());
                let ice = [
                    IceState::Checking,
                    IceState::Connected,
                    IceState::Disconnected,
                ];
                let dtls = [DtlsState::New, DtlsState::Connecting, DtlsState::Connected];
                let kinds = [
                    CandidateKind::Host,
                    CandidateKind::Prflx,
                    CandidateKind::Relay,
                ];
                let outcomes = [
                    ServerOutcome::Pending,
                    ServerOutcome::Allocated,
                    ServerOutcome::TimedOut,
                    ServerOutcome::AuthFailed,
                ];
                let sample = MediaSample {
                    ice: Some(ice[usize::from(a) % 3]),
                    dtls: Some(dtls[usize::from(a / 3) % 3]),
                    local_candidate: Some(kinds[usize::from(a / 9) % 3]),
                    remote_candidate: Some(CandidateKind::Host),
                    packets_received: u64::from(c) * 10,
                    packets_sent: u64::from(c),
                    servers: vec![ServerStatus {
                        url: "turn:turn.softphone.test:3478".into(),
                        outcome: outcomes[usize::from(a / 27) % 4],
                    }],
                    relay_policy: a & 128 != 0,
                    ..MediaSample::default()
                };
                self.ua.handle_input(
                    Input::MediaSample {
                        call,
                        sample: &sample,
                    },
                    now,
                );
            }
            op => {
                let call = self.pick_call(b.byte());
                let arg = b.byte();
                let _ = match (op, arg % 4) {
                    (18, _) => self.ua.answer(call, Default::default(), now),
                    (19, 0) => {
                        self.ua
                            .reject(call, [486, 603, 200, 700][usize::from(arg / 4) % 4], now)
                    }
                    (19, _) => self.ua.hangup(call, now),
                    (20, 0) => self.ua.hold(call, now),
                    (20, 1) => self.ua.resume(call, now),
                    (20, _) => self.ua.set_muted(call, arg & 4 != 0, now),
                    (21, _) => {
                        let mode = if arg & 4 == 0 {
                            DtmfMode::Info
                        } else {
                            DtmfMode::Rfc4733
                        };
                        self.ua.send_dtmf(
                            call,
                            ["1", "#*", "12,3", "x"][usize::from(arg % 4)],
                            mode,
                            now,
                        )
                    }
                    (22, 3) => {
                        let other = self.pick_call(arg / 4);
                        self.ua.attended_transfer(call, other, now)
                    }
                    (22, _) => self.ua.transfer(
                        call,
                        ["dave", "sip:dave@softphone.test", "<>"][usize::from(arg % 3)],
                        now,
                    ),
                    _ if arg & 1 == 0 => self
                        .ua
                        .accept_transfer(call, now)
                        .map(|call| self.calls.push(call)),
                    _ => self.ua.decline_transfer(call, now),
                };
            }
        }
        self.drain(false);
    }

    /// Stops the user agent and runs it until nothing is armed.
    fn finish(&mut self) {
        self.model.on_stop();
        self.ua.stop(self.now);
        self.drain(false);
        let mut fired = 0;
        while self.fire_next(Instant::from_millis(u64::MAX)) {
            fired += 1;
            assert!(fired < MAX_TIMERS, "timers keep firing after stop: a loop");
        }
        self.model.after_stop(&self.ua);
    }
}

/// Applies mutation `kind` to a template's bytes (most are left alone, so that the
/// dialogs move on); positions come from `b`.
fn mutate(mut msg: Vec<u8>, kind: u8, b: &mut Bytes<'_>) -> Vec<u8> {
    if msg.is_empty() {
        return msg;
    }
    let at = (usize::from(b.byte()) << 8 | usize::from(b.byte())) % msg.len();
    match kind {
        0..=191 => {}
        192..=207 => msg[at] ^= 1 << (kind % 8),
        208..=215 => msg.truncate(at),
        216..=223 => msg[at] = b.byte(),
        224..=239 => {
            // Double (or, for odd kinds, drop) the header line at `at`.
            let start = msg[..at]
                .windows(2)
                .rposition(|w| w == b"\r\n")
                .map_or(0, |p| p + 2);
            let end = msg[at..]
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(msg.len(), |p| at + p + 2);
            if start > 0 && start < end {
                let line = msg[start..end].to_vec();
                if kind & 1 == 0 {
                    msg.splice(start..start, line);
                } else {
                    msg.drain(start..end);
                }
            }
        }
        _ => {
            let n = usize::from(b.byte() % 8);
            let bytes: Vec<u8> = (0..n).map(|_| b.byte()).collect();
            msg.splice(at..at, bytes);
        }
    }
    msg
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let mut driver = Driver::new(config(b.byte()));
    for _ in 0..MAX_ACTIONS {
        if b.is_empty() {
            break;
        }
        driver.step(&mut b);
    }
    driver.finish();
});
