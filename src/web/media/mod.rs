//! The media of calls: one `RTCPeerConnection` per call, run for the core.
//!
//! The core decides what to do with a call's media and says so with a
//! [`MediaAction`]; a [`Session`] carries it out and reports back through the driver's
//! work queue (never re-entrantly):
//!
//! - `LocalDescription` after `setLocalDescription`, and again after every ICE
//!   candidate (the browser adds them to `localDescription.sdp`), `complete` once
//!   gathering is over;
//! - `IceState` on every `iceconnectionstatechange`;
//! - `MediaFailed` when `getUserMedia`, `createOffer`/`createAnswer` or a
//!   `setRemoteDescription` fails;
//! - `RemoteStream` when the first remote track arrives (the driver tells the app);
//! - `MediaSample` when the core asked for one (`SampleMedia`): `getStats()` read once
//!   for the quality warnings and for the core's media watchdog ([`sample`]).
//!
//! Actions that need the browser's promises (offer, answer, apply an answer, roll
//! back) run one after the other on a queue per call, so that an answer is never
//! applied to an offer that is still being made. `Mute`, `SendDtmf`, `SampleMedia`,
//! `RelayOnly` and `Close` act at once. `Close` stops every local track the session
//! captured (never the application's own, see [`request`]), detaches every listener and
//! closes the peer connection; an operation still waiting on a promise then finds the
//! session closed and stops whatever it obtained.
//!
//! What the application changes without signalling (the microphone by `replaceTrack`,
//! the camera's mute, the codec order and bitrate cap it asked for) is in `control.rs`.

mod control;
pub(crate) mod nat_probe;
mod ops;
mod peer;
pub(crate) mod prewarm;
pub(crate) mod request;
mod sample;
pub(crate) mod stats;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_control;
#[cfg(test)]
mod tests_relay;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use web_sys::{MediaStream, RtcPeerConnection};

use super::work::Work;
use crate::core::{CallId, LogLevel, MediaAction};
use crate::sip::Secret;
use crate::web::ice_servers::IceServersProvider;
use crate::web::quality::watch;
use crate::web::quality::CallQuality;
use sample::ServerLog;

pub(crate) use peer::Listeners;
use prewarm::WarmPool;
use request::MediaRequest;

/// One `iceServers` entry, checked.
#[derive(Clone)]
pub(crate) struct IceServerSpec {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URLs.
    pub(crate) urls: Vec<String>,
    /// The TURN username.
    pub(crate) username: Option<String>,
    /// The TURN credential; never logged.
    pub(crate) credential: Option<Secret>,
}

/// The longest a call placed right after `start()` waits for the first answer of
/// `iceServersUrl`, ms: well inside the 2 s gathering deadline that starts with it.
const FIRST_FETCH_BOUND_MS: u32 = 1_500;

/// How peer connections are configured.
#[derive(Clone, Default)]
pub(crate) struct MediaSettings {
    /// `iceServers`.
    pub(crate) ice_servers: Vec<IceServerSpec>,
    /// `iceTransportPolicy: 'relay'`.
    pub(crate) relay_only: bool,
    /// The servers fetched from `iceServersUrl`, kept fresh (added after `ice_servers`).
    pub(crate) provider: Option<IceServersProvider>,
    /// `prewarm`: keep a warm peer connection for the next audio call (see [`prewarm`]).
    pub(crate) prewarm: bool,
}

/// Where a session reports: the driver's work queue (a test may collect instead).
pub(crate) type Sink = Rc<dyn Fn(Work)>;

/// The peer connection of one call and what belongs to it.
pub(crate) struct Session {
    call: CallId,
    sink: Sink,
    settings: Rc<MediaSettings>,
    /// Where a pre-warmed peer connection may be adopted from.
    pool: Option<Rc<WarmPool>>,
    inner: RefCell<Inner>,
    queue: RefCell<VecDeque<MediaAction>>,
    running: Cell<bool>,
    closed: Cell<bool>,
    /// Quality history for `getStats()` and the `quality` warnings.
    quality: Rc<RefCell<CallQuality>>,
    /// What the core last said is expected: inbound audio, outbound audio.
    expected: Cell<(bool, bool)>,
    /// A sample is being read (one at a time).
    sampling: Cell<bool>,
    /// What the browser said about the STUN/TURN URLs.
    servers: Rc<RefCell<ServerLog>>,
    /// The audio source and preferences the application gave (see [`request`]).
    request: RefCell<MediaRequest>,
    /// Counts changes of the requested audio source, so that a capture that was under
    /// way when the source changed is switched to it once it lands.
    source_changes: Cell<u32>,
    /// The core made the call relay-only before its peer connection existed: it is made
    /// (or adopted) relay-only.
    relay_first: Cell<bool>,
}

#[derive(Default)]
struct Inner {
    pc: Option<RtcPeerConnection>,
    listeners: Option<Listeners>,
    local: Option<MediaStream>,
    remote: Option<MediaStream>,
    /// The local tracks this session captured, and so must stop; the application's own
    /// tracks (`stream`, `replaceAudioTrack`) are never stopped.
    owned: Vec<web_sys::MediaStreamTrack>,
    muted: bool,
    video_muted: bool,
}

impl Session {
    /// A session for `call`; the peer connection is made by the first offer or answer.
    #[cfg(test)]
    pub(crate) fn new(call: CallId, settings: Rc<MediaSettings>, sink: Sink) -> Rc<Session> {
        Session::pooled(call, settings, None, sink)
    }

    /// A session for `call` whose first offer or answer adopts a warm peer connection
    /// from `pool` when it has a fresh one, and makes one otherwise.
    pub(crate) fn pooled(
        call: CallId,
        settings: Rc<MediaSettings>,
        pool: Option<Rc<WarmPool>>,
        sink: Sink,
    ) -> Rc<Session> {
        Rc::new(Session {
            call,
            sink,
            settings,
            pool,
            inner: RefCell::default(),
            queue: RefCell::default(),
            running: Cell::new(false),
            closed: Cell::new(false),
            quality: Rc::default(),
            expected: Cell::new((true, true)),
            sampling: Cell::new(false),
            servers: Rc::default(),
            request: RefCell::default(),
            source_changes: Cell::new(0),
            relay_first: Cell::new(false),
        })
    }

    /// Carries out `action`. Returns what must outlive the current callback (the
    /// listeners of a closed session, one of which may be running now).
    pub(crate) fn act(self: &Rc<Self>, action: MediaAction) -> Option<Box<dyn Any>> {
        if self.closed.get() {
            return None;
        }
        match action {
            MediaAction::Close => return self.close(),
            MediaAction::Mute(muted) => self.set_muted(muted),
            MediaAction::SendDtmf {
                tones,
                duration_ms,
                gap_ms,
            } => self.send_dtmf(&tones, duration_ms, gap_ms),
            MediaAction::SampleMedia {
                expect_inbound,
                expect_outbound,
            } => {
                self.expected.set((expect_inbound, expect_outbound));
                self.sample();
            }
            MediaAction::RelayOnly => {
                let result = match self.peer_connection() {
                    Some(pc) => sample::relay_only(&pc).map(|()| "relay-only from now on"),
                    None => {
                        // Before the first offer or answer: made relay-only (peer.rs).
                        self.relay_first.set(true);
                        Ok("relay-only from the start")
                    }
                };
                let line = match result {
                    Ok(what) => (LogLevel::Info, what.to_string()),
                    Err(e) => (LogLevel::Warn, format!("relay-only refused: {e}")),
                };
                self.feed(Work::Log(line.0, line.1));
            }
            action => {
                self.queue.borrow_mut().push_back(action);
                if !self.running.replace(true) {
                    let me = Rc::clone(self);
                    wasm_bindgen_futures::spawn_local(async move { me.run().await });
                }
            }
        }
        None
    }

    /// Takes queued actions one at a time until the queue is empty or the session closes.
    async fn run(self: Rc<Self>) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(action) = next else { break };
            if self.closed.get() {
                break;
            }
            if let Err(reason) = ops::perform(&self, action).await {
                if !self.closed.get() {
                    self.feed(Work::MediaFailed {
                        call: self.call,
                        reason,
                    });
                }
            }
        }
        self.running.set(false);
    }

    /// The remote stream, once a remote track has arrived.
    pub(crate) fn remote_stream(&self) -> Option<MediaStream> {
        self.inner.borrow().remote.clone()
    }

    /// The local (microphone) stream, once captured.
    pub(crate) fn local_stream(&self) -> Option<MediaStream> {
        self.inner.borrow().local.clone()
    }

    /// The peer connection, once made and while open.
    pub(crate) fn peer_connection(&self) -> Option<RtcPeerConnection> {
        self.inner.borrow().pc.clone()
    }

    fn set_muted(&self, muted: bool) {
        let mut inner = self.inner.borrow_mut();
        inner.muted = muted;
        if let Some(local) = &inner.local {
            for track in local.get_audio_tracks().iter() {
                let track: web_sys::MediaStreamTrack = track.into();
                track.set_enabled(!muted);
            }
        }
    }

    fn send_dtmf(&self, tones: &str, duration_ms: u32, gap_ms: u32) {
        let sender = self.inner.borrow().pc.as_ref().and_then(peer::audio_sender);
        let dtmf = sender.and_then(|s| s.dtmf());
        let result = match dtmf {
            Some(dtmf) if dtmf_can_insert(&dtmf) => insert_dtmf(&dtmf, tones, duration_ms, gap_ms),
            Some(_) => Err("DTMF cannot be sent now (the audio is not sending)".into()),
            None => Err("DTMF cannot be sent: no audio sender".into()),
        };
        if let Err(message) = result {
            self.feed(Work::Log(LogLevel::Warn, message));
        }
    }

    /// Where quality warnings go: one `Work::Quality` per change.
    fn quality_emit(&self) -> watch::Emit {
        let (sink, call) = (Rc::clone(&self.sink), self.call);
        Rc::new(move |changes| {
            for change in changes {
                sink(Work::Quality { call, change });
            }
        })
    }

    /// The peer connection, made on first use; a call placed right after `start()` first
    /// waits (at most [`FIRST_FETCH_BOUND_MS`]) for the first answer of `iceServersUrl`,
    /// so that its TURN servers are in it. Later calls never wait.
    pub(super) async fn ready_pc(
        self: &Rc<Self>,
        video: bool,
    ) -> Result<RtcPeerConnection, String> {
        if self.inner.borrow().pc.is_none() {
            if let Some(provider) = &self.settings.provider {
                let _ = wasm_bindgen_futures::JsFuture::from(
                    provider.first_fetch(FIRST_FETCH_BOUND_MS),
                )
                .await;
            }
        }
        self.ensure_pc(video)
    }

    /// Reads the statistics once: the quality warnings are updated and the core gets
    /// the sample. A reading still running when the next is asked for is not doubled.
    fn sample(self: &Rc<Self>) {
        let Some(pc) = self.peer_connection() else {
            return;
        };
        if self.sampling.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let emit = me.quality_emit();
            let expected = me.expected.get();
            let ok = watch::sample(&pc, &me.quality, &emit, expected)
                .await
                .is_ok();
            me.sampling.set(false);
            if !ok || me.closed.get() {
                return; // a closed connection rejects: the call is ending anyway
            }
            let sample = match me.quality.borrow().last() {
                Some((report, estimate)) => {
                    sample::media_sample(&pc, report, estimate, &me.servers.borrow())
                }
                None => return,
            };
            me.feed(Work::MediaSample {
                call: me.call,
                sample,
            });
        });
    }

    /// `call.getStats()`: the counters, the selected pair and the quality figures; the
    /// warnings this reading changes are emitted like the periodic ones.
    ///
    /// # Errors
    /// The browser's rejection of `getStats()`.
    pub(crate) async fn stats(self: Rc<Self>) -> Result<JsValue, JsValue> {
        match self.peer_connection() {
            Some(pc) => {
                let expected = self.expected.get();
                watch::sample(&pc, &self.quality, &self.quality_emit(), expected).await
            }
            None => Ok(stats::summarize(&[])),
        }
    }

    /// Closes everything; returns the listeners for the caller to drop later.
    pub(crate) fn close(&self) -> Option<Box<dyn Any>> {
        if self.closed.replace(true) {
            return None;
        }
        self.queue.borrow_mut().clear();
        let mut inner = self.inner.borrow_mut();
        inner.local = None;
        for track in inner.owned.drain(..) {
            track.stop();
        }
        inner.remote = None;
        if let Some(pc) = inner.pc.take() {
            peer::detach(&pc);
            pc.close();
        }
        inner
            .listeners
            .take()
            .map(|listeners| Box::new(listeners) as Box<dyn Any>)
    }

    fn feed(&self, work: Work) {
        (self.sink)(work);
    }
}

/// `RTCDTMFSender.canInsertDTMF` (missing in older browsers: assume yes).
fn dtmf_can_insert(dtmf: &web_sys::RtcdtmfSender) -> bool {
    js_sys::Reflect::get(dtmf, &"canInsertDTMF".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// `insertDTMF(tones, duration, interToneGap)`, called so that an exception (bad tones)
/// is returned, not thrown through the drain.
fn insert_dtmf(
    dtmf: &web_sys::RtcdtmfSender,
    tones: &str,
    duration_ms: u32,
    gap_ms: u32,
) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let insert = js_sys::Reflect::get(dtmf, &"insertDTMF".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("RTCDTMFSender.insertDTMF is missing")?;
    insert
        .call3(
            dtmf,
            &tones.into(),
            &f64::from(duration_ms).into(),
            &f64::from(gap_ms).into(),
        )
        .map(|_| ())
        .map_err(|e| format!("insertDTMF failed: {}", super::error_name(&e)))
}

/// Stops every track of `stream` (the camera and microphone lights go off).
pub(crate) fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        let track: web_sys::MediaStreamTrack = track.into();
        track.stop();
    }
}
