//! Making a peer connection, its listeners, and small helpers over it.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{
    MediaStream, RtcBundlePolicy, RtcConfiguration, RtcIceConnectionState, RtcIceGatheringState,
    RtcIceServer, RtcIceTransportPolicy, RtcPeerConnection, RtcPeerConnectionIceEvent,
    RtcRtpSender, RtcTrackEvent,
};

use super::{MediaSettings, Session};
use crate::core::{Direction, IceState};
use crate::web::work::Work;

/// The listeners attached to a peer connection; dropped after it is closed.
pub(crate) struct Listeners {
    _on_candidate: Closure<dyn FnMut(RtcPeerConnectionIceEvent)>,
    _on_gathering: Closure<dyn FnMut(web_sys::Event)>,
    _on_ice_state: Closure<dyn FnMut(web_sys::Event)>,
    _on_track: Closure<dyn FnMut(RtcTrackEvent)>,
    _on_candidate_error: Closure<dyn FnMut(web_sys::Event)>,
}

/// The `RTCConfiguration`: RTCP muxed, the configured ICE servers and policy, and one
/// transport for everything.
///
/// A call with video uses `max-bundle`: one set of candidates (one TURN allocation) for
/// audio and video. An audio-only call uses `balanced`, which with a single m-line
/// gathers exactly the same one transport, but also accepts an answer from a peer that
/// does not know BUNDLE: Chrome refuses such an answer under `max-bundle` ("Answer
/// cannot remove m= section with mid='0' from already-established BUNDLE group"), and
/// plain SIP phones (baresip 1.0, checked in tests/e2e/baresip.test.mjs) answer without
/// `a=group` and `a=mid`.
pub(super) fn configuration(settings: &MediaSettings, video: bool) -> RtcConfiguration {
    let config = RtcConfiguration::new();
    config.set_bundle_policy(if video {
        RtcBundlePolicy::MaxBundle
    } else {
        RtcBundlePolicy::Balanced
    });
    // `rtcpMuxPolicy` is not in web-sys' dictionary; `require` is every browser's default
    // and the only value Chrome accepts, but say it.
    let _ = js_sys::Reflect::set(&config, &"rtcpMuxPolicy".into(), &"require".into());
    let servers = js_sys::Array::new();
    for s in &settings.ice_servers {
        let server = RtcIceServer::new();
        let urls: js_sys::Array = s.urls.iter().map(|u| JsValue::from_str(u)).collect();
        server.set_urls(&urls);
        if let Some(user) = &s.username {
            server.set_username(user);
        }
        if let Some(credential) = &s.credential {
            server.set_credential(credential.expose());
        }
        servers.push(&server);
    }
    if let Some(provider) = &settings.provider {
        // The fetched list as it is now: never waits for a fetch.
        for server in provider.current().iter() {
            servers.push(&server);
        }
    }
    config.set_ice_servers(&servers);
    if settings.relay_only {
        config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
    }
    config
}

impl Session {
    /// The call's peer connection, made (with its listeners) on first use, or the one the
    /// core had it adopt from the [`WarmPool`](super::prewarm::WarmPool); `video`:
    /// the call is to carry video (see [`configuration`]).
    pub(super) fn ensure_pc(self: &Rc<Self>, video: bool) -> Result<RtcPeerConnection, String> {
        if let Some(pc) = &self.inner.borrow().pc {
            return Ok(pc.clone());
        }
        let warm = self
            .pool
            .as_ref()
            .and_then(|pool| pool.take_for(self.call, video, self.relay_first.get()));
        let pc = match warm {
            Some(pc) => pc,
            None => {
                let config = configuration(&self.settings, video);
                if self.relay_first.get() {
                    config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
                }
                RtcPeerConnection::new_with_configuration(&config).map_err(|e| {
                    format!(
                        "RTCPeerConnection refused the configuration: {}",
                        crate::web::error_name(&e)
                    )
                })?
            }
        };
        let listeners = self.attach(&pc);
        let mut inner = self.inner.borrow_mut();
        inner.pc = Some(pc.clone());
        inner.listeners = Some(listeners);
        Ok(pc)
    }

    fn attach(self: &Rc<Self>, pc: &RtcPeerConnection) -> Listeners {
        // Weak: the peer connection holds the closures; the session must not be kept
        // alive by them.
        let me = Rc::downgrade(self);
        let on_candidate = Closure::<dyn FnMut(RtcPeerConnectionIceEvent)>::new(
            move |e: RtcPeerConnectionIceEvent| {
                if let Some(s) = me.upgrade() {
                    s.servers.borrow_mut().on_candidate(&e);
                    s.report_local(e.candidate().is_none());
                }
            },
        );
        let me = Rc::downgrade(self);
        let on_gathering = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            if let Some(s) = me.upgrade() {
                let complete = s
                    .peer_connection()
                    .is_some_and(|pc| pc.ice_gathering_state() == RtcIceGatheringState::Complete);
                if complete {
                    s.report_local(true);
                }
            }
        });
        let me = Rc::downgrade(self);
        let on_ice_state = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            if let Some(s) = me.upgrade() {
                if let Some(pc) = s.peer_connection() {
                    if let Some(state) = ice_state(pc.ice_connection_state()) {
                        s.feed(Work::IceState {
                            call: s.call,
                            state,
                        });
                    }
                }
            }
        });
        let me = Rc::downgrade(self);
        let on_track = Closure::<dyn FnMut(RtcTrackEvent)>::new(move |e: RtcTrackEvent| {
            if let Some(s) = me.upgrade() {
                s.on_track(&e);
            }
        });
        let servers = Rc::clone(&self.servers);
        let on_candidate_error =
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                servers.borrow_mut().on_error(&e);
            });
        // `onicecandidateerror` is not in web-sys' bindings: set as a property.
        let _ = js_sys::Reflect::set(
            pc,
            &"onicecandidateerror".into(),
            on_candidate_error.as_ref(),
        );
        pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        pc.set_onicegatheringstatechange(Some(on_gathering.as_ref().unchecked_ref()));
        pc.set_oniceconnectionstatechange(Some(on_ice_state.as_ref().unchecked_ref()));
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        Listeners {
            _on_candidate: on_candidate,
            _on_gathering: on_gathering,
            _on_ice_state: on_ice_state,
            _on_track: on_track,
            _on_candidate_error: on_candidate_error,
        }
    }

    /// Reports `localDescription.sdp` to the core, if there is one.
    pub(super) fn report_local(&self, gathering_done: bool) {
        self.report_sdp(|pc| {
            gathering_done || pc.ice_gathering_state() == RtcIceGatheringState::Complete
        });
    }

    /// Reports the description `setLocalDescription` just took. Complete only when it
    /// holds a candidate: after an ICE restart (new ufrag) Chromium still says
    /// `iceGatheringState: 'complete'` from the previous round while the description
    /// has no candidate yet (`c=0.0.0.0`, port 9); reported as complete, the core sent
    /// a re-INVITE the far end could not reach (baresip: "no remote candidates found").
    /// The new round's candidates and its `complete` follow as events; the core's
    /// gathering deadline bounds the wait.
    pub(super) fn report_local_set(&self) {
        self.report_sdp(|pc| {
            pc.ice_gathering_state() == RtcIceGatheringState::Complete
                && pc
                    .local_description()
                    .is_some_and(|d| d.sdp().contains("\na=candidate:"))
        });
    }

    fn report_sdp(&self, complete: impl FnOnce(&RtcPeerConnection) -> bool) {
        if self.closed.get() {
            return;
        }
        let Some(pc) = self.peer_connection() else {
            return;
        };
        let Some(desc) = pc.local_description() else {
            return;
        };
        let complete = complete(&pc);
        self.feed(Work::LocalDescription {
            call: self.call,
            sdp: desc.sdp(),
            complete,
        });
    }

    fn on_track(&self, e: &RtcTrackEvent) {
        if self.closed.get() {
            return;
        }
        let track = e.track();
        let first = {
            let mut inner = self.inner.borrow_mut();
            let first = inner.remote.is_none();
            let remote = inner.remote.get_or_insert_with(|| {
                MediaStream::new().expect_throw("MediaStream() cannot fail")
            });
            if remote.get_track_by_id(&track.id()).is_none() {
                remote.add_track(&track);
            }
            first
        };
        if first {
            self.feed(Work::RemoteStream { call: self.call });
        }
    }
}

/// Removes every listener from `pc` (before it is closed).
pub(super) fn detach(pc: &RtcPeerConnection) {
    pc.set_onicecandidate(None);
    pc.set_onicegatheringstatechange(None);
    pc.set_oniceconnectionstatechange(None);
    pc.set_ontrack(None);
    let _ = js_sys::Reflect::set(pc, &"onicecandidateerror".into(), &JsValue::NULL);
}

/// The sender of the first audio transceiver that has a track.
pub(super) fn audio_sender(pc: &RtcPeerConnection) -> Option<RtcRtpSender> {
    pc.get_senders()
        .iter()
        .map(RtcRtpSender::from)
        .find(|s| s.track().is_some_and(|t| t.kind() == "audio"))
}

/// Sets the direction of every transceiver that is not stopped. Reflect is used so that
/// a stopped transceiver (which throws) is skipped rather than trapping.
pub(super) fn set_directions(pc: &RtcPeerConnection, direction: Direction) {
    let value = transceiver_direction(direction);
    for t in pc.get_transceivers().iter() {
        let _ = js_sys::Reflect::set(&t, &"direction".into(), &value.into());
    }
}

/// `RTCRtpTransceiverDirection` values are spelled as the SDP attributes.
fn transceiver_direction(direction: Direction) -> &'static str {
    direction.as_str()
}

/// The core's view of `iceConnectionState`.
pub(super) fn ice_state(state: RtcIceConnectionState) -> Option<IceState> {
    Some(match state {
        RtcIceConnectionState::New => IceState::New,
        RtcIceConnectionState::Checking => IceState::Checking,
        RtcIceConnectionState::Connected => IceState::Connected,
        RtcIceConnectionState::Completed => IceState::Completed,
        RtcIceConnectionState::Disconnected => IceState::Disconnected,
        RtcIceConnectionState::Failed => IceState::Failed,
        RtcIceConnectionState::Closed => IceState::Closed,
        _ => return None,
    })
}
