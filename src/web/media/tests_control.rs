//! The media controls in Chrome and Firefox (`wasm-pack test`, fake devices from
//! webdriver.json), on two sessions wired to each other without SIP as in `tests.rs`:
//! switching the microphone with `replaceTrack` while audio keeps flowing, the codec
//! order of offers and answers, the sender's bitrate cap, the application's own stream
//! left running, and `setSinkId` or its `unsupported` error.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MediaStream, MediaStreamTrack, MediaStreamTrackState};

use super::control::audio_transceivers;
use super::request::{AudioSource, MediaRequest};
use super::tests::{complete_sdp, inbound_packets, session, sleep, until, Reports};
use super::Session;
use crate::core::media_prefs::{Codec, MediaPrefs};
use crate::core::{Direction, IceState, MediaAction};

wasm_bindgen_test_configure!(run_in_browser);

type Side = (Rc<Session>, Rc<RefCell<Reports>>);

/// Offer from `a`, answer from `b`, applied on `a`; returns (offer, answer).
async fn connect(a: &Side, b: &Side) -> (String, String) {
    a.0.act(MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: false,
    });
    let offer = complete_sdp(&a.1, 0).await;
    b.0.act(MediaAction::CreateAnswer {
        offer: offer.clone(),
        direction: Direction::SendRecv,
        video: false,
    });
    let answer = complete_sdp(&b.1, 0).await;
    a.0.act(MediaAction::ApplyAnswer {
        answer: answer.clone(),
        provisional: false,
    });
    until("ICE connected on both", 10_000, || {
        let up = |r: &Rc<RefCell<Reports>>| {
            r.borrow()
                .ice
                .iter()
                .any(|s| matches!(s, IceState::Connected | IceState::Completed))
        };
        up(&a.1) && up(&b.1)
    })
    .await;
    (offer, answer)
}

/// The encoding names of the `m=audio` line's payload types, in order.
fn audio_codecs(sdp: &str) -> Vec<String> {
    let lines: Vec<&str> = sdp.lines().collect();
    let m = lines
        .iter()
        .find(|l| l.starts_with("m=audio"))
        .expect("m=audio");
    m.split(' ')
        .skip(3)
        .map(|pt| {
            let prefix = format!("a=rtpmap:{pt} ");
            lines
                .iter()
                .find_map(|l| l.strip_prefix(&prefix))
                .map(|r| r.split('/').next().unwrap_or("").to_owned())
                .unwrap_or_else(|| format!("static {pt}"))
        })
        .collect()
}

fn with_codecs(codecs: &[Codec]) -> MediaRequest {
    MediaRequest {
        prefs: MediaPrefs {
            codecs: codecs.to_vec(),
            opus_max_bitrate: None,
        },
        ..MediaRequest::default()
    }
}

fn sent_track(s: &Session) -> MediaStreamTrack {
    let pc = s.peer_connection().expect("pc");
    audio_transceivers(&pc)[0]
        .sender()
        .track()
        .expect("a track is sent")
}

fn local_audio(s: &Session) -> MediaStreamTrack {
    s.local_stream()
        .expect("local stream")
        .get_audio_tracks()
        .get(0)
        .unchecked_into()
}

async fn fake_microphone() -> MediaStream {
    let devices = web_sys::window()
        .unwrap()
        .navigator()
        .media_devices()
        .unwrap();
    let c = web_sys::MediaStreamConstraints::new();
    c.set_audio_bool(true);
    let p = devices.get_user_media_with_constraints(&c).unwrap();
    JsFuture::from(p).await.unwrap().unchecked_into()
}

/// Packets `b` receives in `ms`.
async fn flowing(b: &Session, ms: i32) -> f64 {
    let before = inbound_packets(b).await;
    sleep(ms).await;
    inbound_packets(b).await - before
}

#[wasm_bindgen_test]
async fn the_microphone_is_switched_without_renegotiation_and_audio_keeps_flowing() {
    let a = session(11);
    let b = session(12);
    connect(&a, &b).await;
    let first = local_audio(&a.0);
    assert!(flowing(&b.0, 1_000).await > 20.0, "audio before the switch");
    let offers = a.1.borrow().local.len();

    // A new capture: the sender carries it, the old captured track is stopped.
    a.0.act(MediaAction::Mute(true));
    Rc::clone(&a.0)
        .switch_input(AudioSource::Capture(None))
        .await
        .expect("switch");
    let second = sent_track(&a.0);
    assert_ne!(second.id(), first.id());
    assert_eq!(local_audio(&a.0).id(), second.id(), "localStream follows");
    assert_eq!(first.ready_state(), MediaStreamTrackState::Ended);
    assert!(!second.enabled(), "mute carries over");
    a.0.act(MediaAction::Mute(false));
    assert!(flowing(&b.0, 1_000).await > 20.0, "audio after the switch");

    // The application's own track: sent, and never stopped by the call.
    let app = fake_microphone().await;
    let app_track: MediaStreamTrack = app.get_audio_tracks().get(0).unchecked_into();
    Rc::clone(&a.0)
        .switch_input(AudioSource::Stream(Clone::clone(&app)))
        .await
        .expect("replace with the app's track");
    assert_eq!(sent_track(&a.0).id(), app_track.id());
    assert_eq!(second.ready_state(), MediaStreamTrackState::Ended);
    assert!(
        flowing(&b.0, 1_000).await > 20.0,
        "audio from the app's track"
    );
    Rc::clone(&a.0)
        .switch_input(AudioSource::Capture(None))
        .await
        .expect("back to a capture");
    assert_eq!(app_track.ready_state(), MediaStreamTrackState::Live);
    assert_eq!(
        app.get_audio_tracks().length(),
        1,
        "the app's stream is untouched"
    );

    // No new offer or answer was made for any of it, and nothing failed.
    assert_eq!(a.1.borrow().local.len(), offers, "no renegotiation");
    assert!(a.1.borrow().failed.is_empty(), "{:?}", a.1.borrow().failed);
    let last = sent_track(&a.0);
    a.0.act(MediaAction::Close);
    b.0.act(MediaAction::Close);
    assert_eq!(last.ready_state(), MediaStreamTrackState::Ended);
    assert_eq!(app_track.ready_state(), MediaStreamTrackState::Live);
    app_track.stop();

    // After the end: noSuchCall.
    let err = Rc::clone(&a.0)
        .switch_input(AudioSource::Capture(None))
        .await
        .expect_err("ended");
    assert_eq!(Reflect::get(&err, &"code".into()).unwrap(), "noSuchCall");
}

#[wasm_bindgen_test]
async fn a_call_on_the_applications_stream_never_stops_it() {
    let app = fake_microphone().await;
    let track: MediaStreamTrack = app.get_audio_tracks().get(0).unchecked_into();
    let a = session(13);
    a.0.set_request(MediaRequest {
        audio: AudioSource::Stream(Clone::clone(&app)),
        ..MediaRequest::default()
    });
    let b = session(14);
    connect(&a, &b).await;
    assert_eq!(sent_track(&a.0).id(), track.id());
    assert!(flowing(&b.0, 1_000).await > 20.0);
    a.0.act(MediaAction::Close);
    b.0.act(MediaAction::Close);
    assert_eq!(track.ready_state(), MediaStreamTrackState::Live);
    track.stop();
}

#[wasm_bindgen_test]
async fn codec_preferences_order_the_offer_and_the_answer() {
    let a = session(15);
    a.0.set_request(with_codecs(&[Codec::Pcmu, Codec::G722]));
    let b = session(16);
    b.0.set_request(with_codecs(&[Codec::Pcma]));
    let (offer, answer) = connect(&a, &b).await;
    let offered = audio_codecs(&offer);
    assert_eq!(offered[..3], ["PCMU", "G722", "opus"], "offer: {offered:?}");
    assert!(
        offered.iter().any(|c| c == "telephone-event"),
        "{offered:?}"
    );
    let answered = audio_codecs(&answer);
    assert_eq!(answered[0], "PCMA", "answer: {answered:?}");
    // Audio flows with the negotiated codec.
    assert!(flowing(&a.0, 1_000).await > 20.0);
    assert!(a.1.borrow().logs.is_empty(), "{:?}", a.1.borrow().logs);
    a.0.act(MediaAction::Close);
    b.0.act(MediaAction::Close);
}

#[wasm_bindgen_test]
async fn the_bitrate_cap_is_set_on_the_audio_sender() {
    let a = session(17);
    a.0.set_request(MediaRequest {
        prefs: MediaPrefs {
            codecs: Vec::new(),
            opus_max_bitrate: Some(16_000),
        },
        ..MediaRequest::default()
    });
    let b = session(18);
    connect(&a, &b).await;
    let sender = audio_transceivers(&a.0.peer_connection().unwrap())[0].sender();
    let params = Reflect::get(&sender, &"getParameters".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>()
        .call0(&sender)
        .unwrap();
    let encodings: js_sys::Array = Reflect::get(&params, &"encodings".into())
        .unwrap()
        .unchecked_into();
    assert!(encodings.length() > 0);
    let max = Reflect::get(&encodings.get(0), &"maxBitrate".into()).unwrap();
    assert_eq!(max.as_f64(), Some(16_000.0));
    assert!(a.1.borrow().logs.is_empty(), "{:?}", a.1.borrow().logs);
    a.0.act(MediaAction::Close);
    b.0.act(MediaAction::Close);

    // G.711 negotiated: no cap (Chrome would refuse the answer under one), and the call
    // connects with audio.
    let a = session(19);
    a.0.set_request(MediaRequest {
        prefs: MediaPrefs {
            codecs: vec![Codec::Pcmu],
            opus_max_bitrate: Some(16_000),
        },
        ..MediaRequest::default()
    });
    let b = session(20);
    connect(&a, &b).await;
    assert!(a.1.borrow().failed.is_empty(), "{:?}", a.1.borrow().failed);
    let sender = audio_transceivers(&a.0.peer_connection().unwrap())[0].sender();
    let params = Reflect::get(&sender, &"getParameters".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>()
        .call0(&sender)
        .unwrap();
    let encodings: js_sys::Array = Reflect::get(&params, &"encodings".into())
        .unwrap()
        .unchecked_into();
    let max = Reflect::get(&encodings.get(0), &"maxBitrate".into()).unwrap();
    assert!(max.is_undefined(), "{max:?}");
    assert!(flowing(&b.0, 1_000).await > 20.0);
    a.0.act(MediaAction::Close);
    b.0.act(MediaAction::Close);
}

fn code_of(e: &JsValue) -> String {
    Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_output_device_is_set_or_reported_unsupported() {
    // Not a media element (or a browser without setSinkId): unsupported, named so.
    let err = JsFuture::from(crate::web::devices::set_sink(
        &js_sys::Object::new().into(),
        "",
    ))
    .await
    .expect_err("no setSinkId");
    assert_eq!(code_of(&err), "unsupported");
    assert_eq!(
        Reflect::get(&err, &"name".into()).unwrap(),
        "NotSupportedError"
    );
    // `document.createElement('audio')` (web-sys' Element is not a feature of this crate).
    let document: JsValue = web_sys::window().unwrap().document().unwrap().into();
    let element = Reflect::get(&document, &"createElement".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>()
        .call1(&document, &"audio".into())
        .unwrap();
    let has = Reflect::has(&element, &"setSinkId".into()).unwrap();
    let default = JsFuture::from(crate::web::devices::set_sink(&element, "")).await;
    if has {
        default.expect("the default device");
        let err = JsFuture::from(crate::web::devices::set_sink(&element, "no-such-device"))
            .await
            .expect_err("an unknown device");
        assert_eq!(code_of(&err), "deviceFailed");
        let cause = Reflect::get(&err, &"browserError".into()).unwrap();
        assert!(
            cause.as_string().is_some_and(|c| c.ends_with("Error")),
            "{cause:?}"
        );
    } else {
        assert_eq!(code_of(&default.expect_err("unsupported")), "unsupported");
    }
}

#[wasm_bindgen_test]
async fn the_camera_is_muted_without_signalling() {
    let (a, ra) = session(21);
    // Muted before the media exists: the camera starts disabled.
    a.set_video_muted(true);
    a.act(MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: true,
    });
    let offer = complete_sdp(&ra, 0).await;
    assert!(offer.contains("m=video"), "a video offer");
    let video = || -> MediaStreamTrack {
        a.local_stream()
            .expect("local stream")
            .get_video_tracks()
            .get(0)
            .unchecked_into()
    };
    assert!(!video().enabled());
    a.set_video_muted(false);
    assert!(video().enabled());
    a.set_video_muted(true);
    assert!(!video().enabled());
    assert!(
        local_audio(&a).enabled(),
        "the microphone is not the camera"
    );
    let camera = video();
    a.act(MediaAction::Close);
    assert_eq!(camera.ready_state(), MediaStreamTrackState::Ended);
}

#[wasm_bindgen_test]
async fn a_source_chosen_while_the_first_capture_is_under_way_wins() {
    let app = fake_microphone().await;
    let app_track: MediaStreamTrack = app.get_audio_tracks().get(0).unchecked_into();
    let (a, ra) = session(22);
    a.act(MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: false,
    });
    // One task later the session's getUserMedia is under way.
    sleep(0).await;
    Rc::clone(&a)
        .switch_input(AudioSource::Stream(Clone::clone(&app)))
        .await
        .expect("recorded for the capture");
    complete_sdp(&ra, 0).await;
    until("the chosen track is sent", 5_000, || {
        a.peer_connection()
            .and_then(|pc| {
                audio_transceivers(&pc)
                    .first()
                    .and_then(|t| t.sender().track())
            })
            .is_some_and(|t| t.id() == app_track.id())
    })
    .await;
    assert_eq!(local_audio(&a).id(), app_track.id());
    assert!(ra.borrow().logs.is_empty(), "{:?}", ra.borrow().logs);
    a.act(MediaAction::Close);
    assert_eq!(app_track.ready_state(), MediaStreamTrackState::Live);
    app_track.stop();
}
