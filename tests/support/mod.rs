//! A harness for transcript tests: drives a `UserAgent` on virtual time and plays
//! a scripted registrar. Responses are written as text here, and digest
//! responses are checked with an independent MD5 computation, so the tests do not
//! lean on the crate's own builder or digest code.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use md5::{Digest, Md5};
use softphone_core::core::{
    CallEvent, CallId, Config, ConnectionEvent, ConnectionId, Event, Input, Instant, LogLevel,
    MediaAction, Output, PrewarmAction, RegistrationEvent, UserAgent,
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
    Media(CallId, MediaAction),
    Prewarm(PrewarmAction),
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
    /// Media actions asked of the driver, not yet taken.
    pub media: VecDeque<(CallId, MediaAction)>,
    pub first_invite: Option<Vec<u8>>,
    /// Pre-warming actions asked of the driver, in order.
    pub prewarm: Vec<PrewarmAction>,
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
            media: VecDeque::new(),
            first_invite: None,
            prewarm: Vec::new(),
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
                Output::Prewarm(action) => {
                    self.steps.push(Step::Prewarm(action.clone()));
                    self.prewarm.push(action);
                }
                Output::Media { call, action } => {
                    self.steps.push(Step::Media(call, action.clone()));
                    self.media.push_back((call, action));
                }
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

pub fn md5_hex(data: &str) -> String {
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

/// An SDP as the browser reports it with host candidates only.
pub const SDP_HOST: &str = "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:lcl1\r\na=ice-pwd:pwpwpwpwpwpwpwpwpwpwpw\r\n\
a=fingerprint:sha-256 00:11\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n\
a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0\r\n";

/// The same with a relay candidate added.
pub fn sdp_with_relay() -> String {
    format!("{SDP_HOST}a=candidate:3 1 udp 41885439 203.0.113.9 60000 typ relay raddr 0.0.0.0 rport 0\r\n")
}

/// An SDP from the far end, with the given direction.
pub fn remote_sdp(direction: &str) -> String {
    format!(
        "v=0\r\no=- 99 1 IN IP4 198.51.100.2\r\ns=-\r\nt=0 0\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n\
c=IN IP4 198.51.100.2\r\na=ice-ufrag:rmt1\r\na={direction}\r\na=rtcp-mux\r\n"
    )
}

impl Harness {
    /// The driver reports the call's local description.
    pub fn local_description(&mut self, call: CallId, sdp: &str, complete: bool) {
        self.input(Input::LocalDescription {
            call,
            sdp,
            complete,
        });
    }

    /// Takes the oldest media action.
    pub fn take_media(&mut self) -> (CallId, MediaAction) {
        self.media
            .pop_front()
            .expect("a media action was asked for")
    }

    /// The events of one call, in order.
    pub fn call_events(&self, call: CallId) -> Vec<CallEvent> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Call { call: c, event } if *c == call => Some(event.clone()),
                _ => None,
            })
            .collect()
    }

    /// The last event of one call.
    pub fn last_call_event(&self, call: CallId) -> Option<CallEvent> {
        self.call_events(call).pop()
    }

    /// Registers, calls `bob`, sends the INVITE (host candidates) and returns it.
    pub fn outgoing_invite(&mut self) -> (CallId, Vec<u8>) {
        self.register(600);
        let call = self
            .ua
            .call("bob", Default::default(), self.now)
            .expect("call");
        self.drain();
        let (_, action) = self.take_media();
        assert!(
            matches!(action, MediaAction::CreateOffer { .. }),
            "{action:?}"
        );
        self.local_description(call, SDP_HOST, false);
        (call, self.take())
    }

    /// The INVITE of the call made by `connected_call` (its From/To/Call-ID).
    pub fn sent_log_first_invite(&self) -> Vec<u8> {
        self.first_invite.clone().expect("connected_call ran")
    }

    /// A connected outgoing call: INVITE, 180, 200 with Record-Route, ACK.
    pub fn connected_call(&mut self, extra: &[String]) -> (CallId, Peer) {
        let (call, invite) = self.outgoing_invite();
        self.first_invite = Some(invite.clone());
        let peer = Peer::new();
        self.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
        self.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), extra));
        let ack = self.take();
        assert!(
            ack.starts_with(b"ACK sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"),
            "{}",
            first_line(&ack)
        );
        self.media.clear();
        (call, peer)
    }
}

/// The far end of a call, as Kamailio relays it.
pub struct Peer {
    pub tag: String,
    pub cseq: u32,
    pub call_id: String,
}

impl Peer {
    pub fn new() -> Self {
        Peer {
            tag: "bobtag".into(),
            cseq: 100,
            call_id: "far-call-1@pbx".into(),
        }
    }

    /// A response to `req` from the far end, with To tag, Contact and Record-Route.
    pub fn reply(
        &self,
        req: &[u8],
        code: u16,
        reason: &str,
        sdp: Option<&str>,
        extra: &[String],
    ) -> Vec<u8> {
        let mut out = format!("SIP/2.0 {code} {reason}\r\n");
        for via in headers(req, "Via") {
            out.push_str(&format!("Via: {via}\r\n"));
        }
        if code > 100 && code < 300 {
            out.push_str("Record-Route: <sip:127.0.0.1:5060;lr;r2=on>\r\nRecord-Route: <sip:127.0.0.1:18080;transport=ws;lr;r2=on>\r\n");
        }
        let to = header(req, "To").expect("To");
        let to = if to.contains(";tag=") || code == 100 {
            to
        } else {
            format!("{to};tag={}", self.tag)
        };
        out.push_str(&format!(
            "From: {}\r\nTo: {to}\r\n",
            header(req, "From").unwrap()
        ));
        out.push_str(&format!(
            "Call-ID: {}\r\nCSeq: {}\r\n",
            header(req, "Call-ID").unwrap(),
            header(req, "CSeq").unwrap()
        ));
        if code > 100 && code < 300 {
            out.push_str("Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n");
        }
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        match sdp {
            Some(sdp) => out.push_str(&format!(
                "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
                sdp.len()
            )),
            None => out.push_str("Content-Length: 0\r\n\r\n"),
        }
        out.into_bytes()
    }

    /// A new INVITE from bob to alice.
    pub fn invite(&self, sdp: Option<&str>, extra: &[String]) -> Vec<u8> {
        let mut out = format!(
            "INVITE sip:x@y.invalid;transport=ws SIP/2.0\r\n\
             Record-Route: <sip:127.0.0.1:18080;transport=ws;lr;r2=on>\r\n\
             Record-Route: <sip:127.0.0.1:5060;lr;r2=on>\r\n\
             Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKinv1\r\n\
             Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKbob1\r\n\
             Max-Forwards: 69\r\n\
             From: \"Bob\" <sip:bob@softphone.test>;tag={}\r\n\
             To: <sip:alice@softphone.test>\r\n\
             Call-ID: {}\r\n\
             CSeq: {} INVITE\r\n\
             Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n\
             Allow: INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY\r\n",
            self.tag, self.call_id, self.cseq
        );
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        match sdp {
            Some(sdp) => out.push_str(&format!(
                "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
                sdp.len()
            )),
            None => out.push_str("Content-Length: 0\r\n\r\n"),
        }
        out.into_bytes()
    }

    /// A request from bob inside the dialog the UA's message `ours` belongs to
    /// (a request we sent, or our response to bob's INVITE).
    pub fn in_dialog(
        &mut self,
        method: &str,
        ours: &[u8],
        body: Option<(&str, &str)>,
        extra: &[String],
    ) -> Vec<u8> {
        self.cseq += 1;
        let ours_is_request = !ours.starts_with(b"SIP/2.0");
        // Our tag is in From of our requests, in To of our responses.
        let (our_addr, their_addr) = if ours_is_request {
            (header(ours, "From").unwrap(), header(ours, "To").unwrap())
        } else {
            (header(ours, "To").unwrap(), header(ours, "From").unwrap())
        };
        let their_addr = if their_addr.contains(";tag=") {
            their_addr
        } else {
            format!("{their_addr};tag={}", self.tag)
        };
        let mut out = format!(
            "{method} sip:x@y.invalid;transport=ws SIP/2.0\r\n\
             Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKin{}\r\n\
             Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKb{}\r\n\
             Max-Forwards: 69\r\nFrom: {their_addr}\r\nTo: {our_addr}\r\nCall-ID: {}\r\nCSeq: {} {method}\r\n\
             Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n",
            self.cseq, self.cseq, header(ours, "Call-ID").unwrap(), self.cseq
        );
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        match body {
            Some((ct, b)) => out.push_str(&format!(
                "Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            )),
            None => out.push_str("Content-Length: 0\r\n\r\n"),
        }
        out.into_bytes()
    }

    /// The ACK for our 200 (`ok`) to bob's INVITE.
    pub fn ack(&mut self, ok: &[u8], sdp: Option<&str>) -> Vec<u8> {
        let seq = header(ok, "CSeq")
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        let mut out = format!(
            "ACK sip:x@y.invalid;transport=ws SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKack{seq}\r\n\
             Max-Forwards: 69\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {seq} ACK\r\n",
            header(ok, "From").unwrap(),
            header(ok, "To").unwrap(),
            header(ok, "Call-ID").unwrap()
        );
        match sdp {
            Some(sdp) => out.push_str(&format!(
                "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
                sdp.len()
            )),
            None => out.push_str("Content-Length: 0\r\n\r\n"),
        }
        out.into_bytes()
    }
}
