//! A small virtual network between the user agent and its scripted peers, on the
//! harness's virtual time: every message takes `delay` plus up to `jitter` (drawn
//! per message, so later messages may overtake earlier ones), may be lost, and an
//! outage cuts the WebSocket at its start and refuses new ones until its end.
//!
//! Deterministic: the draws come from a seeded generator of the test's own (not the
//! crate's), so one seed gives one transcript.
//!
//! With a `Net` in [`Harness::net`], what the user agent sends arrives in
//! [`Harness::sent`] after its delay, [`Harness::transmit`] sends a peer's message
//! towards the user agent, sockets the user agent asks for open by themselves after
//! a round trip (or fail with 1006 during an outage), and [`Harness::advance`] runs
//! the network's events in time order with the timers.

use std::time::Duration;

use softphone_core::core::{ConnectionId, Input, Instant};

use super::Harness;

/// One message on its way.
#[derive(Debug)]
struct Flight {
    at: Instant,
    /// Ties broken by sending order.
    seq: u64,
    socket: ConnectionId,
    data: Vec<u8>,
}

/// The network. See the [module docs](self).
#[derive(Debug)]
pub struct Net {
    state: u64,
    /// One-way delay of every message.
    pub delay: Duration,
    /// Up to this much more, drawn per message.
    pub jitter: Duration,
    /// Of every 1000 messages towards the user agent, how many are lost.
    pub loss_to_ua: u32,
    /// Of every 1000 messages towards the peers, how many are lost.
    pub loss_to_peers: u32,
    /// Messages lost so far.
    pub lost: usize,
    outages: Vec<(Instant, Instant)>,
    /// Outages whose start has cut the flow.
    cut: usize,
    to_ua: Vec<Flight>,
    to_peers: Vec<Flight>,
    /// A socket the user agent asked for, and when its open (or failure) is reported.
    opening: Option<(Instant, ConnectionId)>,
    /// The socket messages travel on.
    open: Option<ConnectionId>,
    seq: u64,
}

impl Net {
    /// A network with no delay, loss or outage yet; `seed` drives jitter and loss.
    pub fn new(seed: u64) -> Self {
        Net {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss_to_ua: 0,
            loss_to_peers: 0,
            lost: 0,
            outages: Vec::new(),
            cut: 0,
            to_ua: Vec::new(),
            to_peers: Vec::new(),
            opening: None,
            open: None,
            seq: 0,
        }
    }

    /// Sets the one-way delay and jitter.
    pub fn delay(mut self, delay: Duration, jitter: Duration) -> Self {
        self.delay = delay;
        self.jitter = jitter;
        self
    }

    /// Adds an outage from `from` until `until` (outages must come in time order).
    pub fn outage(mut self, from: Instant, until: Instant) -> Self {
        self.outages.push((from, until));
        self
    }

    /// The socket `id` is already open (the network is put under a running flow).
    pub fn with_open(mut self, id: ConnectionId) -> Self {
        self.open = Some(id);
        self
    }

    /// splitmix64: small, and good enough to pick delays and losses.
    fn draw(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn arrival(&mut self, now: Instant, extra: Duration) -> Instant {
        let jitter = u64::try_from(self.jitter.as_millis()).unwrap_or(0);
        let j = if jitter == 0 {
            0
        } else {
            self.draw() % (jitter + 1)
        };
        now + self.delay + extra + Duration::from_millis(j)
    }

    fn lose(&mut self, per_mille: u32) -> bool {
        per_mille > 0 && self.draw() % 1000 < u64::from(per_mille)
    }

    fn down(&self, at: Instant) -> bool {
        self.outages
            .iter()
            .any(|(from, until)| *from <= at && at < *until)
    }

    /// The user agent asked for socket `id`.
    pub(super) fn connect(&mut self, id: ConnectionId, now: Instant) {
        // A WebSocket opens after a round trip (TCP, TLS and the upgrade: call it two).
        self.opening = Some((now + self.delay * 2, id));
    }

    /// The user agent closed socket `id`.
    pub(super) fn closed(&mut self, id: ConnectionId) {
        if self.open == Some(id) {
            self.open = None;
        }
        if self.opening.is_some_and(|(_, o)| o == id) {
            self.opening = None;
        }
    }

    /// The user agent sent `data`.
    pub(super) fn toward_peers(&mut self, data: Vec<u8>, now: Instant) {
        let Some(socket) = self.open else { return };
        if self.down(now) || self.lose(self.loss_to_peers) {
            self.lost += 1;
            return;
        }
        let at = self.arrival(now, Duration::ZERO);
        self.seq += 1;
        let seq = self.seq;
        self.to_peers.push(Flight {
            at,
            seq,
            socket,
            data,
        });
    }

    /// A peer sent `data`, to arrive `extra` later than the network alone would make it.
    fn toward_ua(&mut self, data: &[u8], now: Instant, extra: Duration) {
        let Some(socket) = self.open else { return };
        if self.down(now) || self.lose(self.loss_to_ua) {
            self.lost += 1;
            return;
        }
        let at = self.arrival(now, extra);
        self.seq += 1;
        let seq = self.seq;
        self.to_ua.push(Flight {
            at,
            seq,
            socket,
            data: data.to_vec(),
        });
    }

    /// When the network next has something to do.
    pub(super) fn next_at(&self) -> Option<Instant> {
        let flights = self.to_ua.iter().chain(&self.to_peers).map(|f| f.at);
        let cut = self.outages.get(self.cut).map(|(from, _)| *from);
        let opening = self.opening.map(|(at, _)| at);
        flights.chain(cut).chain(opening).min()
    }

    /// Nothing is on its way.
    pub(super) fn is_empty(&self) -> bool {
        self.to_ua.is_empty() && self.to_peers.is_empty()
    }
}

/// Takes the earliest flight due at `now`, if any.
fn pop_due(flights: &mut Vec<Flight>, now: Instant) -> Option<Flight> {
    let i = (0..flights.len())
        .filter(|i| flights[*i].at <= now)
        .min_by_key(|i| (flights[*i].at, flights[*i].seq))?;
    Some(flights.remove(i))
}

impl Harness {
    /// A peer sends `data` to the user agent: through the network when there is
    /// one, at once otherwise.
    pub fn transmit(&mut self, data: &[u8]) {
        self.transmit_late(data, Duration::ZERO);
    }

    /// As [`Harness::transmit`], held back `extra` longer by the network (a message
    /// that took a slower path, to be overtaken by the next).
    pub fn transmit_late(&mut self, data: &[u8], extra: Duration) {
        let now = self.now;
        match &mut self.net {
            Some(net) => net.toward_ua(data, now, extra),
            None => self.deliver(data),
        }
    }

    /// Runs every network event due at `self.now`, in time order.
    pub(super) fn run_net(&mut self) {
        loop {
            let now = self.now;
            let Some(net) = self.net.as_mut() else { return };
            if let Some((from, _)) = net.outages.get(net.cut).copied() {
                if from <= now {
                    // The outage cuts the flow: whatever was on its way is gone.
                    net.cut += 1;
                    net.lost += net.to_ua.len() + net.to_peers.len();
                    net.to_ua.clear();
                    net.to_peers.clear();
                    if let Some(id) = net.open.take() {
                        self.input(Input::Closed {
                            id,
                            code: 1006,
                            reason: "",
                        });
                    }
                    continue;
                }
            }
            if net.opening.is_some_and(|(at, _)| at <= now) {
                let (_, id) = net.opening.take().expect("checked");
                if net.down(now) {
                    self.input(Input::Closed {
                        id,
                        code: 1006,
                        reason: "",
                    });
                } else {
                    net.open = Some(id);
                    self.input(Input::Opened { id });
                }
                continue;
            }
            if let Some(flight) = pop_due(&mut net.to_peers, now) {
                self.sent.push_back(flight.data);
                continue;
            }
            if let Some(flight) = pop_due(&mut net.to_ua, now) {
                // A message for a socket the user agent has replaced is lost with it.
                if Some(flight.socket) == self.socket {
                    self.input(Input::Received {
                        id: flight.socket,
                        data: &flight.data,
                    });
                }
                continue;
            }
            return;
        }
    }
}
