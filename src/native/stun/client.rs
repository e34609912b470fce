//! One STUN Binding or TURN Allocate, as a sans-IO client transaction.
//!
//! The driver sends what [`Probe::poll_transmit`] returns, feeds every datagram (or
//! TCP/TLS frame) to [`Probe::handle_input`], and calls [`Probe::handle_timeout`] when
//! [`Probe::poll_timeout`] passes; [`Probe::outcome`] is set once it is over. Time is an
//! argument (ms since any origin), so tests run on virtual time.
//!
//! An Allocate goes as TURN clients do it: first without credentials, then, on the 401
//! that names the realm and nonce, again with USERNAME, REALM, NONCE and
//! MESSAGE-INTEGRITY (the long-term credential). A 401 to the authenticated request means
//! the credentials are wrong; a 438 (stale nonce) is retried with the new nonce, at most
//! twice. A success is followed by a Refresh with LIFETIME 0, so the probe leaves no
//! allocation behind. Over UDP requests are retransmitted (RTO 500 ms, doubling, RFC
//! 5389 section 7.2.1); over TCP and TLS they are sent once.

use std::net::SocketAddr;

use super::{attr, long_term_key, verify_integrity, Class, Message, ALLOCATE, BINDING, REFRESH};

const SOFTWARE: &str = concat!("softphone-doctor/", env!("CARGO_PKG_VERSION"));
/// The first retransmission timeout over UDP, ms.
pub const RTO_MS: u64 = 500;
/// Stale-nonce retries allowed.
const MAX_STALE: u8 = 2;

/// What to ask for.
#[derive(Clone, PartialEq, Eq)]
pub enum Request {
    /// A Binding: what is my address as the server sees it.
    Binding,
    /// A TURN Allocate with the long-term credential.
    Allocate {
        /// The TURN username (TURN REST: `<expiry>:<id>`).
        username: String,
        /// The TURN password; never printed.
        password: String,
    },
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Request::Binding => f.write_str("Binding"),
            Request::Allocate { username, .. } => write!(f, "Allocate({username}, ***)"),
        }
    }
}

/// How the probe ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A Binding succeeded.
    Mapped {
        /// The address the server saw.
        mapped: SocketAddr,
    },
    /// An Allocate succeeded.
    Relayed {
        /// The relayed transport address.
        relayed: SocketAddr,
        /// The mapped address the server reported with it.
        mapped: Option<SocketAddr>,
        /// The allocation's lifetime, s.
        lifetime: Option<u32>,
    },
    /// The server refused the credentials (401 to an authenticated Allocate).
    AuthFailed {
        /// The realm the server named.
        realm: String,
        /// The reason phrase.
        reason: String,
    },
    /// Another error response.
    Error {
        /// The STUN error code.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
    /// An answer that makes no sense (no address in a success, a challenge without a
    /// nonce, a bad MESSAGE-INTEGRITY).
    Malformed(String),
    /// No answer before the deadline.
    Timeout,
}

/// One probe. See the module docs.
#[derive(Debug)]
pub struct Probe {
    request: Request,
    reliable: bool,
    txid: [u8; 12],
    attempt: u8,
    stale: u8,
    auth: Option<(String, String, [u8; 16])>,
    pending: Option<Vec<u8>>,
    last: Vec<u8>,
    next_retransmit: Option<u64>,
    rto: u64,
    deadline: u64,
    outcome: Option<Outcome>,
    refresh_sent: bool,
}

impl Probe {
    /// Starts a probe at `now` that gives up at `now + timeout_ms`. `txid` comes from
    /// the driver's random source; retries derive theirs from it. `reliable` is true
    /// over TCP and TLS (no retransmissions).
    pub fn new(
        request: Request,
        txid: [u8; 12],
        reliable: bool,
        now: u64,
        timeout_ms: u64,
    ) -> Probe {
        let mut probe = Probe {
            request,
            reliable,
            txid,
            attempt: 0,
            stale: 0,
            auth: None,
            pending: None,
            last: Vec::new(),
            next_retransmit: None,
            rto: RTO_MS,
            deadline: now + timeout_ms,
            outcome: None,
            refresh_sent: false,
        };
        probe.send(now);
        probe
    }

    /// The next bytes to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.pending.take()
    }

    /// When [`Probe::handle_timeout`] is due, or `None` once the probe is over.
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.outcome.is_some() {
            return None;
        }
        Some(
            self.next_retransmit
                .map_or(self.deadline, |t| t.min(self.deadline)),
        )
    }

    /// How the probe ended, once it has.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// A deadline passed: retransmit over UDP, or give up.
    pub fn handle_timeout(&mut self, now: u64) {
        if self.outcome.is_some() {
            return;
        }
        if now >= self.deadline {
            self.outcome = Some(Outcome::Timeout);
            return;
        }
        if self.next_retransmit.is_some_and(|t| now >= t) {
            self.pending = Some(self.last.clone());
            self.rto *= 2;
            self.next_retransmit = Some(now + self.rto);
        }
    }

    /// A datagram or frame arrived. Anything that is not an answer to the current
    /// transaction is ignored.
    pub fn handle_input(&mut self, data: &[u8], now: u64) {
        if self.outcome.is_some() {
            return;
        }
        let Ok(msg) = Message::decode(data) else {
            return;
        };
        if msg.txid != self.txid || matches!(msg.class, Class::Request | Class::Indication) {
            return;
        }
        if let Some((_, _, key)) = &self.auth {
            if msg.get(attr::MESSAGE_INTEGRITY).is_some() && !verify_integrity(data, key) {
                self.outcome = Some(Outcome::Malformed(
                    "the answer's MESSAGE-INTEGRITY does not match the credentials".into(),
                ));
                return;
            }
        }
        match msg.class {
            Class::Success => self.on_success(&msg, now),
            _ => self.on_error(&msg, now),
        }
    }

    fn on_success(&mut self, msg: &Message, now: u64) {
        self.outcome = Some(match self.request {
            Request::Binding => match msg.mapped_address() {
                Some(mapped) => Outcome::Mapped { mapped },
                None => Outcome::Malformed("a Binding success without a mapped address".into()),
            },
            Request::Allocate { .. } => match msg.xor_address(attr::XOR_RELAYED_ADDRESS) {
                Some(relayed) => {
                    self.send_refresh_zero(now);
                    Outcome::Relayed {
                        relayed,
                        mapped: msg.xor_address(attr::XOR_MAPPED_ADDRESS),
                        lifetime: msg
                            .get(attr::LIFETIME)
                            .and_then(|v| v.try_into().ok())
                            .map(u32::from_be_bytes),
                    }
                }
                None => Outcome::Malformed("an Allocate success without a relayed address".into()),
            },
        });
    }

    fn on_error(&mut self, msg: &Message, now: u64) {
        let Some((code, reason)) = msg.error_code() else {
            self.outcome = Some(Outcome::Malformed(
                "an error response without ERROR-CODE".into(),
            ));
            return;
        };
        let Request::Allocate { username, password } = &self.request else {
            self.outcome = Some(Outcome::Error { code, reason });
            return;
        };
        let nonce = msg.text(attr::NONCE);
        match (code, nonce) {
            (401, Some(nonce)) if self.auth.is_none() => {
                let Some(realm) = msg.text(attr::REALM) else {
                    self.outcome = Some(Outcome::Malformed("a 401 without REALM".into()));
                    return;
                };
                let key = long_term_key(username, &realm, password);
                self.auth = Some((realm, nonce, key));
                self.send(now);
            }
            (401, _) => {
                let realm = self.auth.as_ref().map(|a| a.0.clone()).unwrap_or_default();
                self.outcome = Some(Outcome::AuthFailed { realm, reason });
            }
            (438, Some(nonce)) if self.auth.is_some() && self.stale < MAX_STALE => {
                self.stale += 1;
                if let Some(auth) = &mut self.auth {
                    auth.1 = nonce;
                }
                self.send(now);
            }
            _ => self.outcome = Some(Outcome::Error { code, reason }),
        }
    }

    fn next_txid(&mut self) -> [u8; 12] {
        self.attempt += 1;
        let mut txid = self.txid;
        txid[11] ^= self.attempt;
        txid
    }

    fn send(&mut self, now: u64) {
        if self.attempt > 0 || !self.last.is_empty() {
            self.txid = self.next_txid();
        }
        let mut msg = Message::request(
            match self.request {
                Request::Binding => BINDING,
                Request::Allocate { .. } => ALLOCATE,
            },
            self.txid,
        );
        msg.push(attr::SOFTWARE, SOFTWARE.as_bytes());
        if matches!(self.request, Request::Allocate { .. }) {
            // 17: UDP, the only transport a browser's relay uses.
            msg.push(attr::REQUESTED_TRANSPORT, [17, 0, 0, 0]);
        }
        let bytes = self.signed(msg);
        self.last = bytes.clone();
        self.pending = Some(bytes);
        self.rto = RTO_MS;
        self.next_retransmit = (!self.reliable).then_some(now + self.rto);
    }

    /// Adds the credential attributes and MESSAGE-INTEGRITY when authenticated.
    fn signed(&self, mut msg: Message) -> Vec<u8> {
        match (&self.auth, &self.request) {
            (Some((realm, nonce, key)), Request::Allocate { username, .. }) => {
                msg.push(attr::USERNAME, username.as_bytes())
                    .push(attr::REALM, realm.as_bytes())
                    .push(attr::NONCE, nonce.as_bytes());
                msg.encode(Some(key), true)
            }
            _ => msg.encode(None, true),
        }
    }

    fn send_refresh_zero(&mut self, _now: u64) {
        if self.refresh_sent {
            return;
        }
        self.refresh_sent = true;
        let txid = self.next_txid();
        let mut msg = Message::request(REFRESH, txid);
        msg.push(attr::LIFETIME, 0u32.to_be_bytes());
        self.pending = Some(self.signed(msg));
    }
}
