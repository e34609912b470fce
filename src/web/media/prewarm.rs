//! Pre-warming, carried out: the idle `RTCPeerConnection` the core asks for.
//!
//! The policy (when to warm, when to drop it, which call adopts it) is the core's
//! (`core::prewarm`, on virtual time); this module only does what its
//! [`PrewarmAction`]s say. A [`WarmPool`] keeps at most one idle peer connection, made
//! with the calls' audio configuration plus `iceCandidatePoolSize: 1`, so that the
//! browser gathers host, server-reflexive and relay candidates (one TURN allocation per
//! TURN URL) while nobody is calling. The call the core names in `Adopt` gets it for its
//! first offer or answer, which then has the pooled candidates at once.
//!
//! Two facts are checked here, when the call takes it: the peer connection must still
//! be usable (untouched, not failed), and it must have been made with the ICE servers now
//! in hand (a refreshed `iceServersUrl` answer brings new TURN credentials). Otherwise it
//! is closed and the call makes a fresh one. Right after `start()` the first
//! `iceServersUrl` answer may not be in yet; a warm-up waits for it (bounded), since a
//! peer connection made without its TURN servers would be of no use.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use web_sys::{RtcIceConnectionState, RtcPeerConnection, RtcSignalingState};

use super::peer::configuration;
use super::{MediaSettings, Sink, FIRST_FETCH_BOUND_MS};
use crate::core::{CallId, LogLevel, PrewarmAction};
use crate::web::work::Work;

/// The idle peer connection, the fingerprint of the ICE servers it was made with, and
/// whether it is relay-only.
struct Warm {
    pc: RtcPeerConnection,
    servers: u64,
    relay_only: bool,
}

/// Keeps the warm peer connection the core asked for. See the module docs.
pub(crate) struct WarmPool {
    settings: Rc<MediaSettings>,
    sink: Sink,
    warm: RefCell<Option<Warm>>,
    /// The warm peer connection handed to a call, until its session takes it.
    adopted: RefCell<Option<(CallId, Warm)>>,
    /// The first `iceServersUrl` answer was waited for once (later warm-ups use what is
    /// in hand, as calls do).
    waited: Cell<bool>,
    /// A warm-up waits for the first `iceServersUrl` answer.
    pending: Cell<bool>,
    /// The core discarded while the warm-up was pending: do not make it.
    cancelled: Cell<bool>,
    /// The ICE policy of the warm-up asked for: relay-only.
    relay_only: Cell<bool>,
    me: Weak<WarmPool>,
}

impl WarmPool {
    /// A pool for peer connections made with `settings`; lines for the log go to `sink`.
    pub(crate) fn new(settings: Rc<MediaSettings>, sink: Sink) -> Rc<WarmPool> {
        Rc::new_cyclic(|me| WarmPool {
            settings,
            sink,
            warm: RefCell::new(None),
            adopted: RefCell::new(None),
            waited: Cell::new(false),
            pending: Cell::new(false),
            cancelled: Cell::new(false),
            relay_only: Cell::new(false),
            me: me.clone(),
        })
    }

    /// Carries out one of the core's pre-warming actions.
    pub(crate) fn act(&self, action: PrewarmAction) {
        match action {
            PrewarmAction::Warm { relay_only } => {
                self.relay_only.set(relay_only);
                self.warm();
            }
            PrewarmAction::Discard { reason } => self.discard(reason),
            PrewarmAction::Adopt { call } => {
                let warm = self.warm.borrow_mut().take();
                let stale = self.adopted.borrow_mut().take();
                if let Some((_, stale)) = stale {
                    stale.pc.close();
                }
                if let Some(warm) = warm {
                    *self.adopted.borrow_mut() = Some((call, warm));
                }
            }
        }
    }

    /// Starts NAT probe number `probe` (see [`super::nat_probe`]).
    pub(crate) fn probe_nat(&self, probe: u32) {
        super::nat_probe::start(Rc::clone(&self.settings), probe, Rc::clone(&self.sink));
    }

    /// Makes a warm peer connection unless there is one (or one is on its way).
    fn warm(&self) {
        self.cancelled.set(false);
        if self.warm.borrow().is_some() || self.pending.get() {
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
                        if !pool.cancelled.get() {
                            pool.warm();
                        }
                    }
                });
                return;
            }
        }
        self.make();
    }

    fn make(&self) {
        let relay_only = self.relay_only.get();
        let config = configuration(&self.settings, false);
        if relay_only {
            config.set_ice_transport_policy(web_sys::RtcIceTransportPolicy::Relay);
        }
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
        *self.warm.borrow_mut() = Some(Warm {
            pc,
            servers: servers_fingerprint(&self.settings),
            relay_only,
        });
        let line = if relay_only {
            "pre-warming: gathering relay candidates only (symmetric NAT)"
        } else {
            "pre-warming: gathering ICE candidates"
        };
        self.log(LogLevel::Debug, line);
    }

    /// The peer connection adopted for `call`, when it is still usable and was made
    /// with the ICE servers in hand and the call's policy (`relay_only`); `video` calls
    /// never take it. Otherwise it is closed and the call makes its own.
    pub(crate) fn take_for(
        &self,
        call: CallId,
        video: bool,
        relay_only: bool,
    ) -> Option<RtcPeerConnection> {
        let (for_call, warm) = self.adopted.borrow_mut().take()?;
        if for_call != call {
            *self.adopted.borrow_mut() = Some((for_call, warm));
            return None;
        }
        let stale = if video {
            Some("a video call needs its own")
        } else if warm.servers != servers_fingerprint(&self.settings) {
            Some("the ICE servers changed")
        } else if warm.relay_only != relay_only {
            Some("made with another ICE policy")
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
        self.log(LogLevel::Debug, "call uses the pre-warmed peer connection");
        Some(warm.pc)
    }

    /// Closes the warm peer connection, if any (`why` goes to the log).
    fn discard(&self, why: &str) {
        self.cancelled.set(true);
        let warm = self.warm.borrow_mut().take();
        if let Some(warm) = warm {
            warm.pc.close();
            self.log(
                LogLevel::Debug,
                &format!("pre-warmed peer connection dropped: {why}"),
            );
        }
    }

    /// Closes everything (the phone is being dropped or stopped).
    pub(crate) fn close(&self) {
        self.discard("the phone stopped");
        if let Some((_, warm)) = self.adopted.borrow_mut().take() {
            warm.pc.close();
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
        if let Some((_, warm)) = self.adopted.get_mut().take() {
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
