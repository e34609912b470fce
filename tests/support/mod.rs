//! A harness for transcript tests: drives a `UserAgent` on virtual time against
//! scripted peers (`peers.rs`: a registrar and a far end, whose messages are written
//! as text and whose digest checks are computed independently, so the tests do not
//! lean on the crate's own builder or digest code), directly or through a virtual
//! network (`net.rs`: delay, loss, reorder, outages).
//!
//! A transcript ends with [`Harness::assert_idle`]: every message, media action and
//! event the user agent produced was taken and looked at.
#![allow(dead_code)]

mod asserts;
mod calls;
mod media_sim;
mod net;
mod notifier;
mod peers;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

// Not every test binary uses them (each includes this module on its own).
#[allow(unused_imports)]
pub use asserts::*;
#[allow(unused_imports)] // only the watchdog transcripts use it
pub use media_sim::*;
pub use net::Net;
#[allow(unused_imports)] // only the subscription transcripts use it
pub use notifier::*;
pub use peers::*;
use softphone_core::core::{
    CallEvent, CallId, Config, ConnectionEvent, ConnectionId, Event, IceServersAction, Input,
    Instant, LogLevel, MediaAction, Output, PrewarmAction, RegistrationEvent, UserAgent,
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
    /// SIP messages sent (and, through a [`Net`], arrived) and not yet taken.
    pub sent: VecDeque<Vec<u8>>,
    /// Every SIP message the user agent sent, whole, in order.
    pub wire: Vec<Vec<u8>>,
    pub events: Vec<Event>,
    /// Which of `events` the test has looked at: read through
    /// [`Harness::call_events`] or [`Harness::last_call_event`] (taken ones are gone).
    events_seen: RefCell<Vec<bool>>,
    /// The network between the user agent and its peers; `None`: messages go
    /// straight through, as in most transcripts.
    pub net: Option<Net>,
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
    /// NAT probes asked of the driver (`Output::ProbeNat`), by number, in order; kept
    /// out of `steps` like the media samples.
    pub nat_probes: Vec<u32>,
    /// What was asked of the driver about `iceServersUrl`
    /// (`Output::IceServers`), in order.
    pub ice_servers: Vec<IceServersAction>,
    /// Media samples the core asked for (`MediaAction::SampleMedia`), in order: kept
    /// apart from `media`, since the watchdog asks every second of every call and
    /// transcripts of other policies do not answer them (then it never acts).
    pub sample_requests: Vec<(CallId, MediaAction)>,
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
            wire: Vec::new(),
            events: Vec::new(),
            events_seen: RefCell::new(Vec::new()),
            net: None,
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
            nat_probes: Vec::new(),
            ice_servers: Vec::new(),
            sample_requests: Vec::new(),
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
                    if let Some(net) = &mut self.net {
                        net.connect(id, self.now);
                    }
                }
                Output::Close { id } => {
                    if let Some(net) = &mut self.net {
                        net.closed(id);
                    }
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
                        self.wire.push(data.clone());
                        match &mut self.net {
                            Some(net) => net.toward_peers(data, self.now),
                            None => self.sent.push_back(data),
                        }
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
                Output::ProbeNat { probe } => self.nat_probes.push(probe),
                Output::IceServers(action) => self.ice_servers.push(action),
                Output::Media {
                    call,
                    action: action @ MediaAction::SampleMedia { .. },
                } => self.sample_requests.push((call, action)),
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

    /// The next thing due: the user agent's deadline or the network's next event.
    fn next_due(&self) -> Option<Instant> {
        let timer = self.ua.poll_timeout().map(|(at, _)| at);
        let net = self.net.as_ref().and_then(Net::next_at);
        match (timer, net) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs what is due at `at`: the network's events, then the timers.
    fn run_due(&mut self, at: Instant) {
        self.now = self.now.max(at);
        if self.net.is_some() {
            self.run_net();
        }
        if self.ua.poll_timeout().is_some_and(|(t, _)| t <= self.now) {
            self.input(Input::Timeout);
        }
    }

    /// Moves virtual time forward by `d`, firing every timer due on the way, each at
    /// its own deadline (as a browser timer would), and delivering what the network
    /// carries when it arrives.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        let mut fired = 0;
        while let Some(at) = self.next_due() {
            if at > target {
                break;
            }
            fired += 1;
            assert!(fired < 100_000, "timers keep firing: a loop?");
            self.run_due(at);
        }
        self.now = target;
    }

    /// Advances until the user agent sends a SIP message (through a [`Net`]: until
    /// one arrives), at most `limit`.
    pub fn advance_until_sent(&mut self, limit: Duration) -> Vec<u8> {
        let end = self.now + limit;
        while self.sent.is_empty() {
            let Some(at) = self.next_due() else {
                panic!("nothing sent and no timer armed");
            };
            assert!(at <= end, "nothing sent within {limit:?}");
            self.run_due(at);
        }
        self.take()
    }

    /// Fails unless the transcript took everything the user agent produced: every
    /// SIP message sent (and nothing still in the network), every media action,
    /// every event (taken, or read through `call_events`/`last_call_event`).
    #[track_caller]
    pub fn assert_idle(&self) {
        let first_lines: Vec<String> = self.sent.iter().map(|m| first_line(m)).collect();
        assert!(
            first_lines.is_empty(),
            "SIP messages left untaken: {first_lines:?}"
        );
        assert!(
            self.media.is_empty(),
            "media actions left untaken: {:?}",
            self.media
        );
        let seen = self.events_seen.borrow();
        let unseen: Vec<&Event> = (self.events.iter().enumerate())
            .filter(|(i, _)| !seen.get(*i).copied().unwrap_or(false))
            .map(|(_, e)| e)
            .collect();
        assert!(unseen.is_empty(), "events left untaken: {unseen:?}");
        if let Some(net) = &self.net {
            assert!(net.is_empty(), "messages still in the network: {net:?}");
        }
    }

    /// Takes the oldest SIP message sent.
    pub fn take(&mut self) -> Vec<u8> {
        self.sent.pop_front().expect("a SIP message was sent")
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        self.events_seen.borrow_mut().clear();
        std::mem::take(&mut self.events)
    }

    /// Starts, opens the socket and completes a digest registration granting `expires` s.
    /// Its events (connecting, connected, registering, registered) count as looked at.
    pub fn register(&mut self, expires: u32) -> Registrar {
        let from = self.events.len();
        let (registrar, second) = self.challenged();
        registrar.check_auth(&second, PASSWORD);
        self.deliver(&registrar.ok(&second, expires));
        assert_eq!(
            registration_events(&self.events[from..]).last(),
            Some(&RegistrationEvent::Registered { expires }),
            "registered"
        );
        self.mark_seen(from);
        registrar
    }

    /// Starts and opens the socket; returns a fresh registrar and the first REGISTER.
    pub fn first_register(&mut self) -> (Registrar, Vec<u8>) {
        self.start();
        self.open();
        (Registrar::new(), self.take())
    }

    /// Starts, opens the socket, and answers the first REGISTER with a challenge;
    /// returns the registrar and the REGISTER that answers it (not yet answered).
    pub fn challenged(&mut self) -> (Registrar, Vec<u8>) {
        let (mut registrar, first) = self.first_register();
        self.deliver(&registrar.challenge(&first, false));
        (registrar, self.take())
    }

    /// Registers for 600 s, lets the refresh go at 540 s and challenges it with a
    /// stale nonce; returns the registrar and the REGISTER that answers it.
    pub fn stale_refresh(&mut self) -> (Registrar, Vec<u8>) {
        let mut registrar = self.register(600);
        self.advance(Duration::from_secs(540));
        let refresh = self.take();
        self.deliver(&registrar.challenge(&refresh, true));
        (registrar, self.take())
    }

    /// The events from index `from` on count as looked at.
    fn mark_seen(&self, from: usize) {
        let mut seen = self.events_seen.borrow_mut();
        seen.resize(self.events.len(), false);
        seen[from..].fill(true);
    }

    /// Every event so far, which then counts as looked at.
    pub fn events(&self) -> &[Event] {
        self.mark_seen(0);
        &self.events
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

    /// The events of one call, in order (they count as looked at).
    pub fn call_events(&self, call: CallId) -> Vec<CallEvent> {
        let mut seen = self.events_seen.borrow_mut();
        seen.resize(self.events.len(), false);
        (self.events.iter().enumerate())
            .filter_map(|(i, e)| match e {
                Event::Call { call: c, event } if *c == call => {
                    seen[i] = true;
                    Some(event.clone())
                }
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
        assert!(
            matches!(self.call_events(call)[..], [CallEvent::Calling { .. }]),
            "calling"
        );
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
        assert_eq!(
            self.call_events(call)[1..],
            [CallEvent::Ringing, CallEvent::Connected],
            "connected"
        );
        (call, peer)
    }
}
