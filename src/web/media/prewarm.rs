//! Pre-warming: ICE candidates gathered before the user dials.
//!
//! A [`WarmPool`] keeps at most one idle `RTCPeerConnection`, made with the calls'
//! audio configuration plus `iceCandidatePoolSize: 1`, so that the browser gathers host,
//! server-reflexive and relay candidates (one TURN allocation per TURN URL) while nobody
//! is calling. The next audio call (placed or answered) adopts it: its offer or answer
//! then has the pooled candidates at once, and the core's readiness rule (a relay
//! candidate when TURN is configured) is met without a TURN round trip.
//!
//! Warm state goes stale, and a stale peer connection is closed rather than adopted:
//!
//! - after [`MAX_AGE_MS`] (a minute): it is replaced then, so that a phone that sits
//!   registered always has one less than a minute old;
//! - when the ICE server list it was made with is no longer the list in hand: a refreshed
//!   `iceServersUrl` answer (new TURN credentials), or fetched credentials past their ttl
//!   (checked on adoption, and made fresh at the next replacement);
//! - when the network may have changed: `online`/`offline`, or the WebSocket flow lost
//!   (the driver calls [`WarmPool::discard`], and warms again once registered);
//! - when the page is hidden (a background tab holds no TURN allocations) or the phone
//!   stops.
//!
//! Video calls do not adopt it: they use `bundlePolicy: 'max-bundle'`, the warm one is
//! made for audio (`balanced`, see `peer::configuration`); it stays for the next audio
//! call. Without any STUN or TURN server there is nothing to warm (host candidates are
//! gathered in a millisecond), and nothing is made.
//!
//! After an adoption the pool stays empty until no call is left, so that a call in
//! progress does not pay for a second set of TURN allocations it may never use.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use web_sys::{RtcIceConnectionState, RtcPeerConnection, RtcSignalingState};

use super::peer::configuration;
use super::{MediaSettings, Sink, FIRST_FETCH_BOUND_MS};
use crate::core::LogLevel;
use crate::web::work::Work;

/// The age after which a warm peer connection is replaced, ms.
pub(crate) const MAX_AGE_MS: u32 = 60_000;

/// The idle peer connection, if any, and what it was made with.
struct Warm {
    pc: RtcPeerConnection,
    /// `Date.now()` when it was made.
    made_at: f64,
    /// [`servers_fingerprint`] of the ICE servers it was made with.
    servers: u64,
    /// Replaces it when it is [`MAX_AGE_MS`] old.
    rotate: Timeout,
}

/// Keeps one warm peer connection for the next audio call. See the module docs.
pub(crate) struct WarmPool {
    settings: Rc<MediaSettings>,
    sink: Sink,
    warm: RefCell<Option<Warm>>,
    /// Registered (and not stopped): warming is wanted unless the page is hidden.
    registered: Cell<bool>,
    /// The page is hidden.
    hidden: Cell<bool>,
    /// The rotation timer whose callback may be running: kept until the next one.
    spent: RefCell<Option<Timeout>>,
    /// The first `iceServersUrl` answer was waited for once (later warm-ups use what is
    /// in hand, as calls do).
    waited: Cell<bool>,
    /// A warm-up waits for the first `iceServersUrl` answer.
    pending: Cell<bool>,
    me: Weak<WarmPool>,
}

impl WarmPool {
    /// A pool for peer connections made with `settings`; lines for the log go to `sink`.
    /// Nothing is made before [`WarmPool::want`].
    pub(crate) fn new(settings: Rc<MediaSettings>, sink: Sink) -> Rc<WarmPool> {
        Rc::new_cyclic(|me| WarmPool {
            settings,
            sink,
            warm: RefCell::new(None),
            registered: Cell::new(false),
            hidden: Cell::new(false),
            spent: RefCell::new(None),
            waited: Cell::new(false),
            pending: Cell::new(false),
            me: me.clone(),
        })
    }

    /// Whether pre-warming is configured and there is something to warm.
    fn enabled(&self) -> bool {
        let s = &self.settings;
        s.prewarm && (!s.ice_servers.is_empty() || s.provider.is_some())
    }

    /// The phone registered (`true`), or it unregistered, failed, lost its flow or
    /// stopped (`false`, with `why` for the log): warms or discards.
    pub(crate) fn set_registered(&self, registered: bool, why: &str) {
        self.registered.set(registered);
        if registered {
            self.fill();
        } else {
            self.discard(why);
        }
    }

    /// The page was hidden (discards) or became visible again (warms).
    pub(crate) fn set_hidden(&self, hidden: bool) {
        self.hidden.set(hidden);
        if hidden {
            self.discard("the page is hidden");
        } else {
            self.fill();
        }
    }

    /// The network may have changed (`online`, `offline`): the candidates gathered may
    /// be gone; gather again (when still wanted).
    pub(crate) fn network_changed(&self, why: &str) {
        self.discard(why);
        self.fill();
    }

    /// Makes a warm peer connection if warming is wanted and there is none.
    pub(crate) fn fill(&self) {
        let wanted = self.registered.get() && !self.hidden.get();
        if !self.enabled() || !wanted || self.pending.get() {
            return;
        }
        if self.warm.borrow().is_some() {
            return;
        }
        // Right after start() the iceServersUrl answer may not be in yet: a peer
        // connection made now would lack its TURN servers. Wait for it, bounded.
        if let Some(provider) = &self.settings.provider {
            if provider.fetches() == 0 && !self.waited.replace(true) {
                self.pending.set(true);
                let first = provider.first_fetch(FIRST_FETCH_BOUND_MS);
                let me = self.me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(first).await;
                    if let Some(pool) = me.upgrade() {
                        pool.pending.set(false);
                        pool.fill();
                    }
                });
                return;
            }
        }
        self.make();
    }

    fn make(&self) {
        let config = configuration(&self.settings, false);
        // Not in web-sys' dictionary. One component: RTP and RTCP are muxed.
        let _ = js_sys::Reflect::set(&config, &"iceCandidatePoolSize".into(), &1.into());
        let pc = match RtcPeerConnection::new_with_configuration(&config) {
            Ok(pc) => pc,
            Err(e) => {
                let why = crate::web::error_name(&e);
                self.log(LogLevel::Warn, &format!("pre-warming failed: {why}"));
                return;
            }
        };
        let me = self.me.clone();
        let rotate = Timeout::new(MAX_AGE_MS, move || {
            if let Some(pool) = me.upgrade() {
                pool.discard("a minute old");
                pool.fill();
            }
        });
        *self.warm.borrow_mut() = Some(Warm {
            pc,
            made_at: crate::web::clock::wall_ms(),
            servers: servers_fingerprint(&self.settings),
            rotate,
        });
        self.log(LogLevel::Debug, "pre-warming: gathering ICE candidates");
    }

    /// The warm peer connection for a call, if it is fresh and the call is audio-only.
    /// A stale one is closed. The pool stays empty until [`WarmPool::fill`].
    pub(crate) fn take(&self, video: bool) -> Option<RtcPeerConnection> {
        if video {
            return None;
        }
        let warm = self.warm.borrow_mut().take()?;
        let age = crate::web::clock::wall_ms() - warm.made_at;
        let stale = if age >= f64::from(MAX_AGE_MS) {
            Some("too old")
        } else if warm.servers != servers_fingerprint(&self.settings) {
            Some("the ICE servers changed")
        } else if !usable(&warm.pc) {
            Some("it failed")
        } else {
            None
        };
        if let Some(why) = stale {
            self.log(
                LogLevel::Debug,
                &format!("pre-warmed peer connection dropped: {why}"),
            );
            warm.pc.close();
            return None;
        }
        let line = format!(
            "call adopts the pre-warmed peer connection ({} ms old)",
            age as u64
        );
        self.log(LogLevel::Debug, &line);
        Some(warm.pc)
    }

    /// Closes the warm peer connection, if any (`why` goes to the log).
    pub(crate) fn discard(&self, why: &str) {
        let warm = self.warm.borrow_mut().take();
        if let Some(warm) = warm {
            warm.pc.close();
            // This may be the timer's own callback: its closure is freed later.
            *self.spent.borrow_mut() = Some(warm.rotate);
            self.log(
                LogLevel::Debug,
                &format!("pre-warmed peer connection dropped: {why}"),
            );
        }
    }

    fn log(&self, level: LogLevel, line: &str) {
        (self.sink)(Work::Log(level, line.to_owned()));
    }
}

impl Drop for WarmPool {
    fn drop(&mut self) {
        if let Some(warm) = self.warm.get_mut().take() {
            warm.pc.close();
        }
    }
}

/// Whether `pc` can still carry a call: untouched and not failed or closed.
fn usable(pc: &RtcPeerConnection) -> bool {
    pc.signaling_state() == RtcSignalingState::Stable
        && pc.local_description().is_none()
        && !matches!(
            pc.ice_connection_state(),
            RtcIceConnectionState::Failed | RtcIceConnectionState::Closed
        )
}

/// A fingerprint (FNV-1a) of the ICE servers a peer connection made now would get:
/// URLs, usernames and credentials, so that new TURN credentials change it. Only the
/// fingerprint is kept, never the credentials.
fn servers_fingerprint(settings: &MediaSettings) -> u64 {
    let mut h = Fnv::default();
    for s in &settings.ice_servers {
        for u in &s.urls {
            h.write(u.as_bytes());
        }
        h.write(s.username.as_deref().unwrap_or("").as_bytes());
        h.write(s.credential.as_ref().map_or("", |c| c.expose()).as_bytes());
    }
    if let Some(provider) = &settings.provider {
        for server in provider.servers() {
            server.fingerprint_into(&mut |bytes| h.write(bytes));
        }
    }
    h.0
}

/// 64-bit FNV-1a, with a separator after each field.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().chain(std::iter::once(&0xff)) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
