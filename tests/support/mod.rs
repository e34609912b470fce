//! A harness for transcript tests: drives a `UserAgent` on virtual time and plays
//! a scripted registrar. Responses are written as text here, and digest
//! responses are checked with an independent MD5 computation, so the tests do not
//! lean on the crate's own builder or digest code.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use md5::{Digest, Md5};
use softphone_core::core::{
    Config, ConnectionEvent, ConnectionId, Event, Input, Instant, LogLevel, Output,
    RegistrationEvent, UserAgent,
};
use softphone_core::sip::Secret;

pub const PASSWORD: &str = "s3cret-Pa55";
pub const AOR: &str = "sip:alice@softphone.test";
pub const URL: &str = "wss://pbx.example.com/ws";
pub const INSTANCE: &str = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6";

/// A configuration as the tests use it: one server, a password, an instance id.
pub fn config() -> Config {
    let mut c = Config::new(AOR, URL);
    c.password = Some(Secret::new(PASSWORD));
    c.instance_id = Some(INSTANCE.into());
    c.log_level = LogLevel::Trace;
    c
}

/// Everything the user agent did, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Connect(String),
    Close,
    Send(String),
    Ping,
    Pong,
    Event(Event),
}

pub struct Harness {
    pub ua: UserAgent,
    pub now: Instant,
    /// SIP messages sent and not yet taken.
    pub sent: VecDeque<Vec<u8>>,
    pub events: Vec<Event>,
    pub logs: Vec<(LogLevel, String)>,
    pub steps: Vec<Step>,
    pub pings: usize,
    /// The last socket the user agent asked for.
    pub socket: Option<ConnectionId>,
    pub connects: Vec<String>,
    pub closes: usize,
    /// Answer every keepalive ping with a pong, as a server supporting RFC 5626 does.
    pub auto_pong: bool,
    pending_pongs: usize,
}

impl Harness {
    pub fn new(config: Config) -> Self {
        Self::with_seed(config, [42; 32])
    }

    pub fn with_seed(config: Config, seed: [u8; 32]) -> Self {
        Harness {
            ua: UserAgent::new(config, seed, Instant::ZERO).expect("valid config"),
            now: Instant::ZERO,
            sent: VecDeque::new(),
            events: Vec::new(),
            logs: Vec::new(),
            steps: Vec::new(),
            pings: 0,
            socket: None,
            connects: Vec::new(),
            closes: 0,
            auto_pong: false,
            pending_pongs: 0,
        }
    }

    /// Drains every output, as a driver must after each input.
    pub fn drain(&mut self) {
        while let Some(out) = self.ua.poll_output() {
            match out {
                Output::Connect { id, url } => {
                    self.socket = Some(id);
                    self.connects.push(url.clone());
                    self.steps.push(Step::Connect(url));
                }
                Output::Close { .. } => {
                    self.closes += 1;
                    self.steps.push(Step::Close);
                }
                Output::Send { data, .. } => {
                    if data == b"\r\n\r\n" {
                        self.pings += 1;
                        self.pending_pongs += usize::from(self.auto_pong);
                        self.steps.push(Step::Ping);
                    } else if data == b"\r\n" {
                        self.steps.push(Step::Pong);
                    } else {
                        self.steps.push(Step::Send(first_line(&data)));
                        self.sent.push_back(data);
                    }
                }
                Output::Event(e) => {
                    self.steps.push(Step::Event(e.clone()));
                    self.events.push(e);
                }
                Output::Log { level, message } => self.logs.push((level, message)),
            }
        }
    }

    pub fn input(&mut self, input: Input<'_>) {
        self.ua.handle_input(input, self.now);
        self.drain();
        while self.pending_pongs > 0 {
            self.pending_pongs -= 1;
            if let Some(id) = self.socket {
                self.ua
                    .handle_input(Input::Received { id, data: b"\r\n" }, self.now);
                self.drain();
            }
        }
    }

    pub fn start(&mut self) {
        self.ua.start(self.now);
        self.drain();
    }

    pub fn stop(&mut self) {
        self.ua.stop(self.now);
        self.drain();
    }

    /// The driver reports the socket open.
    pub fn open(&mut self) {
        let id = self.socket.expect("a socket was requested");
        self.input(Input::Opened { id });
    }

    /// The driver reports the socket closed with `code`.
    pub fn close(&mut self, code: u16) {
        let id = self.socket.expect("a socket was requested");
        self.input(Input::Closed {
            id,
            code,
            reason: "",
        });
    }

    /// Delivers one WebSocket message from the server.
    pub fn deliver(&mut self, data: &[u8]) {
        let id = self.socket.expect("a socket was requested");
        self.input(Input::Received { id, data });
    }

    /// Moves virtual time forward by `d`, firing every timer due on the way, each at
    /// its own deadline (as a browser timer would).
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        let mut fired = 0;
        while let Some((at, _)) = self.ua.poll_timeout() {
            if at > target {
                break;
            }
            fired += 1;
            assert!(fired < 100_000, "timers keep firing: a loop?");
            self.now = self.now.max(at);
            self.input(Input::Timeout);
        }
        self.now = target;
    }

    /// Advances until the user agent sends a SIP message, at most `limit`.
    pub fn advance_until_sent(&mut self, limit: Duration) -> Vec<u8> {
        let end = self.now + limit;
        while self.sent.is_empty() {
            let Some((at, _)) = self.ua.poll_timeout() else {
                panic!("nothing sent and no timer armed");
            };
            assert!(at <= end, "nothing sent within {limit:?}");
            self.now = self.now.max(at);
            self.input(Input::Timeout);
        }
        self.take()
    }

    /// Takes the oldest SIP message sent.
    pub fn take(&mut self) -> Vec<u8> {
        self.sent.pop_front().expect("a SIP message was sent")
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Starts, opens the socket and completes a digest registration granting `expires` s.
    pub fn register(&mut self, expires: u32) -> Registrar {
        self.start();
        self.open();
        let mut registrar = Registrar::new();
        let first = self.take();
        self.deliver(&registrar.challenge(&first, false));
        let second = self.take();
        registrar.check_auth(&second, PASSWORD);
        self.deliver(&registrar.ok(&second, expires));
        registrar
    }
}

/// The first line of a message.
pub fn first_line(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    text.lines().next().unwrap_or("").to_string()
}

/// The value of the first header called `name` (case-insensitive), unfolded.
pub fn header(msg: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(msg);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Every header line called `name`.
pub fn headers(msg: &[u8], name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(msg);
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_string();
    head.split("\r\n")
        .skip(1)
        .filter_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
        .collect()
}

/// A parameter of a digest header (`name=value` or `name="value"`).
pub fn digest_param(value: &str, name: &str) -> Option<String> {
    let rest = value.trim_start().strip_prefix("Digest")?.trim();
    let mut out = None;
    let mut remaining = rest;
    while !remaining.is_empty() {
        let (key, after) = remaining.split_once('=')?;
        let key = key.trim().trim_start_matches(',').trim();
        let after = after.trim_start();
        let (val, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if key.eq_ignore_ascii_case(name) {
            out = Some(val.to_string());
        }
        remaining = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

fn md5_hex(data: &str) -> String {
    let digest = Md5::digest(data.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A scripted registrar for `softphone.test`.
pub struct Registrar {
    pub nonce: String,
    pub to_tag: String,
    nonces: u32,
}

impl Registrar {
    pub fn new() -> Self {
        Registrar {
            nonce: "nonce-1".into(),
            to_tag: "reg-tag".into(),
            nonces: 1,
        }
    }

    /// A response to `req` with `code reason` and extra header lines.
    pub fn respond(&self, req: &[u8], code: u16, reason: &str, extra: &[String]) -> Vec<u8> {
        let mut out = format!("SIP/2.0 {code} {reason}\r\n");
        for via in headers(req, "Via") {
            out.push_str(&format!("Via: {via}\r\n"));
        }
        let to = header(req, "To").expect("To");
        let to = if to.contains(";tag=") {
            to
        } else {
            format!("{to};tag={}", self.to_tag)
        };
        out.push_str(&format!("From: {}\r\n", header(req, "From").expect("From")));
        out.push_str(&format!("To: {to}\r\n"));
        out.push_str(&format!(
            "Call-ID: {}\r\n",
            header(req, "Call-ID").expect("Call-ID")
        ));
        out.push_str(&format!("CSeq: {}\r\n", header(req, "CSeq").expect("CSeq")));
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("Server: scripted-registrar\r\nContent-Length: 0\r\n\r\n");
        out.into_bytes()
    }

    /// A 401 with a fresh (or `stale`) MD5 challenge.
    pub fn challenge(&mut self, req: &[u8], stale: bool) -> Vec<u8> {
        self.nonces += 1;
        self.nonce = format!("nonce-{}", self.nonces);
        let stale = if stale { ", stale=true" } else { "" };
        let www = format!(
            "WWW-Authenticate: Digest realm=\"softphone.test\", nonce=\"{}\", qop=\"auth\", algorithm=MD5{stale}",
            self.nonce
        );
        self.respond(req, 401, "Unauthorized", &[www])
    }

    /// Checks the request's Authorization against `password`, independently of the crate.
    pub fn check_auth(&self, req: &[u8], password: &str) {
        let auth = header(req, "Authorization").expect("the request carries Authorization");
        let p = |n: &str| digest_param(&auth, n).unwrap_or_else(|| panic!("no {n} in {auth}"));
        assert_eq!(p("username"), "alice");
        assert_eq!(p("realm"), "softphone.test");
        assert_eq!(p("nonce"), self.nonce, "answers the latest nonce");
        assert_eq!(p("qop"), "auth");
        assert_eq!(p("nc").len(), 8, "nc is 8 hex digits");
        let method = first_line(req).split(' ').next().unwrap_or("").to_string();
        let ha1 = md5_hex(&format!("alice:softphone.test:{password}"));
        let ha2 = md5_hex(&format!("{method}:{}", p("uri")));
        let expected = md5_hex(&format!(
            "{ha1}:{}:{}:{}:auth:{ha2}",
            p("nonce"),
            p("nc"),
            p("cnonce")
        ));
        assert_eq!(p("response"), expected, "digest response");
    }

    /// A 200 granting the request's Contact for `expires` seconds.
    pub fn ok(&self, req: &[u8], expires: u32) -> Vec<u8> {
        let contact = header(req, "Contact").expect("Contact");
        let contact = match contact.find(";expires=") {
            Some(i) => contact[..i].to_string(),
            None => contact,
        };
        self.respond(
            req,
            200,
            "OK",
            &[format!("Contact: {contact};expires={expires}")],
        )
    }
}

/// Shorthand for durations in tests.
pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

/// The registration events, in order.
pub fn registration_events(events: &[Event]) -> Vec<RegistrationEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Registration(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// The connection events, in order.
pub fn connection_events(events: &[Event]) -> Vec<ConnectionEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Connection(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
