//! The media actions that wait on the browser's promises: offer, answer, apply an
//! answer, roll back. Each returns the reason to report as `MediaFailed` when it fails.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcOfferOptions, RtcPeerConnection,
    RtcSdpType, RtcSessionDescriptionInit, RtcSignalingState,
};

use super::peer::set_directions;
use super::request::AudioSource;
use super::{stop_tracks, Session};
use crate::core::{Direction, LogLevel, MediaAction};
use crate::web::error_name;
use crate::web::work::Work;

/// Carries out one queued action.
pub(super) async fn perform(s: &Rc<Session>, action: MediaAction) -> Result<(), String> {
    match action {
        MediaAction::CreateOffer {
            direction,
            ice_restart,
            video,
        } => offer(s, direction, ice_restart, video).await,
        MediaAction::CreateAnswer {
            offer,
            direction,
            video,
        } => answer(s, &offer, direction, video).await,
        MediaAction::ApplyAnswer {
            answer,
            provisional,
        } => apply_answer(s, &answer, provisional).await,
        MediaAction::Rollback => {
            rollback(s).await;
            Ok(())
        }
        // Done at once by `Session::act`.
        MediaAction::Mute(_)
        | MediaAction::SendDtmf { .. }
        | MediaAction::SampleMedia { .. }
        | MediaAction::RelayOnly
        | MediaAction::Close => Ok(()),
    }
}

async fn offer(
    s: &Rc<Session>,
    direction: Direction,
    ice_restart: bool,
    video: bool,
) -> Result<(), String> {
    let pc = s.ready_pc(video).await?;
    ensure_local(s, &pc, video).await?;
    set_directions(&pc, direction);
    let options = RtcOfferOptions::new();
    if ice_restart {
        options.set_ice_restart(true);
    }
    let offer = wait(
        pc.create_offer_with_rtc_offer_options(&options),
        "createOffer",
    )
    .await?;
    set_local(s, &pc, RtcSdpType::Offer, &sdp_of(&offer)).await
}

async fn answer(
    s: &Rc<Session>,
    offer: &str,
    direction: Direction,
    video: bool,
) -> Result<(), String> {
    // The transport (bundle policy) follows what the offer carries; capturing the
    // camera is the application's choice.
    let pc = s.ready_pc(offer.contains("\nm=video")).await?;
    set_remote(&pc, RtcSdpType::Offer, offer).await?;
    check_open(s)?;
    ensure_local(s, &pc, video).await?;
    set_directions(&pc, direction);
    let answer = wait(pc.create_answer(), "createAnswer").await?;
    set_local(s, &pc, RtcSdpType::Answer, &sdp_of(&answer)).await?;
    s.apply_bitrate(&pc).await;
    Ok(())
}

async fn apply_answer(s: &Rc<Session>, answer: &str, provisional: bool) -> Result<(), String> {
    let Some(pc) = s.peer_connection() else {
        return Err("an answer arrived for a call without a peer connection".into());
    };
    let kind = if provisional {
        RtcSdpType::Pranswer
    } else {
        RtcSdpType::Answer
    };
    set_remote(&pc, kind, answer).await?;
    s.apply_bitrate(&pc).await;
    Ok(())
}

/// Abandons our offer. Nothing to abandon (already stable) is not a failure.
async fn rollback(s: &Rc<Session>) {
    let Some(pc) = s.peer_connection() else {
        return;
    };
    if pc.signaling_state() == RtcSignalingState::Stable {
        return;
    }
    let init = RtcSessionDescriptionInit::new(RtcSdpType::Rollback);
    if let Err(e) = wait(pc.set_local_description(&init), "rollback").await {
        s.feed(Work::Log(LogLevel::Warn, e));
    }
}

/// Gets the call's local tracks the first time (captured, or the application's
/// `stream`) and adds them to `pc`, then applies the codec order.
async fn ensure_local(s: &Rc<Session>, pc: &RtcPeerConnection, video: bool) -> Result<(), String> {
    if s.inner.borrow().local.is_some() {
        return Ok(());
    }
    let source = s.request.borrow().audio.clone();
    let changes = s.source_changes.get();
    let (stream, owned) = match source {
        AudioSource::Stream(app) => {
            // A stream of our own over the application's tracks: switching the microphone
            // later changes ours, never the application's.
            let stream = MediaStream::new_with_tracks(&app.get_tracks())
                .map_err(|e| format!("MediaStream() failed: {}", error_name(&e)))?;
            (stream, false)
        }
        AudioSource::Capture(audio) => (capture(&audio, video).await?, true),
    };
    if s.closed.get() {
        // The call ended while the user was being asked: give the devices back.
        if owned {
            stop_tracks(&stream);
        }
        return Err("the call ended".into());
    }
    let (muted, video_muted) = {
        let inner = s.inner.borrow();
        (inner.muted, inner.video_muted)
    };
    let mut tracks = Vec::new();
    for track in stream.get_tracks().iter() {
        let track: MediaStreamTrack = track.unchecked_into();
        if track.kind() == "audio" {
            track.set_enabled(!muted);
        } else {
            track.set_enabled(!video_muted);
        }
        pc.add_track_0(&track, &stream);
        tracks.push(track);
    }
    {
        let mut inner = s.inner.borrow_mut();
        inner.local = Some(stream);
        if owned {
            inner.owned = tracks;
        }
    }
    s.apply_codec_order(pc);
    s.follow_source(changes);
    Ok(())
}

/// `getUserMedia({ audio, video })`.
async fn capture(audio: &Option<JsValue>, video: bool) -> Result<MediaStream, String> {
    let devices = web_sys::window()
        .ok_or("no window: media needs a page")?
        .navigator()
        .media_devices()
        .map_err(|_| "navigator.mediaDevices is not available (not a secure context?)")?;
    let constraints = MediaStreamConstraints::new();
    match audio {
        Some(audio) => constraints.set_audio(audio),
        None => constraints.set_audio_bool(true),
    }
    constraints.set_video_bool(video);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| format!("getUserMedia failed: {}", error_name(&e)))?;
    Ok(wait(promise, "getUserMedia").await?.unchecked_into())
}

async fn set_local(
    s: &Rc<Session>,
    pc: &RtcPeerConnection,
    kind: RtcSdpType,
    sdp: &str,
) -> Result<(), String> {
    check_open(s)?;
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(sdp);
    wait(pc.set_local_description(&init), "setLocalDescription").await?;
    check_open(s)?;
    s.report_local_set();
    Ok(())
}

async fn set_remote(pc: &RtcPeerConnection, kind: RtcSdpType, sdp: &str) -> Result<(), String> {
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(sdp);
    wait(pc.set_remote_description(&init), "setRemoteDescription").await?;
    Ok(())
}

fn check_open(s: &Session) -> Result<(), String> {
    if s.closed.get() {
        Err("the call ended".into())
    } else {
        Ok(())
    }
}

/// Awaits a browser promise; a rejection becomes "what: ErrorName (message)". The
/// messages of these APIs describe SDP or devices, never credentials.
async fn wait(promise: js_sys::Promise, what: &str) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| {
        let message = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        format!("{what} failed: {} {message}", error_name(&e))
            .trim_end()
            .to_owned()
    })
}

/// The `sdp` of an `RTCSessionDescriptionInit`-like object.
fn sdp_of(desc: &JsValue) -> String {
    js_sys::Reflect::get(desc, &"sdp".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}
