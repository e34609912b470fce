//! Two media sessions in one page, wired to each other without SIP: the offer of one is
//! the other's `CreateAnswer`, as the core would pass them. Runs in Chrome and Firefox
//! (`wasm-pack test`) with the fake microphone of webdriver.json.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MediaStreamTrack, RtcSignalingState};

use super::{stats, MediaSettings, Session, Sink};
use crate::core::{
    CallId, CandidateKind, Direction, DtlsState, IceState, MediaAction, MediaSample,
};
use crate::web::work::Work;

wasm_bindgen_test_configure!(run_in_browser);

/// What a session reported, in order.
#[derive(Default)]
struct Reports {
    local: Vec<(String, bool)>,
    ice: Vec<IceState>,
    failed: Vec<String>,
    remote_stream: usize,
    logs: Vec<String>,
    samples: Vec<MediaSample>,
}

fn session(id: u64) -> (Rc<Session>, Rc<RefCell<Reports>>) {
    let reports = Rc::new(RefCell::new(Reports::default()));
    let r = Rc::clone(&reports);
    let sink: Sink = Rc::new(move |work| {
        let mut r = r.borrow_mut();
        match work {
            Work::LocalDescription { sdp, complete, .. } => r.local.push((sdp, complete)),
            Work::IceState { state, .. } => r.ice.push(state),
            Work::MediaFailed { reason, .. } => r.failed.push(reason),
            Work::RemoteStream { .. } => r.remote_stream += 1,
            Work::Log(_, line) => r.logs.push(line),
            Work::MediaSample { sample, .. } => r.samples.push(sample),
            _ => {}
        }
    });
    let settings = Rc::new(MediaSettings::default());
    (Session::new(CallId(id), settings, sink), reports)
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Waits until `check` holds, at most `ms`.
async fn until(what: &str, ms: i32, mut check: impl FnMut() -> bool) {
    let mut waited = 0;
    while !check() {
        assert!(waited < ms, "{what}: not within {ms} ms");
        sleep(20).await;
        waited += 20;
    }
}

/// The latest local description once gathering is complete.
async fn complete_sdp(r: &Rc<RefCell<Reports>>, after: usize) -> String {
    until("gathering complete", 10_000, || {
        r.borrow().local.iter().skip(after).any(|(_, c)| *c) || !r.borrow().failed.is_empty()
    })
    .await;
    assert!(r.borrow().failed.is_empty(), "{:?}", r.borrow().failed);
    r.borrow().local.last().unwrap().0.clone()
}

/// Offer from `a`, answer from `b`, answer applied on `a`.
async fn negotiate(
    (a, ra): (&Rc<Session>, &Rc<RefCell<Reports>>),
    (b, rb): (&Rc<Session>, &Rc<RefCell<Reports>>),
    direction: Direction,
) {
    let (na, nb) = (ra.borrow().local.len(), rb.borrow().local.len());
    a.act(MediaAction::CreateOffer {
        direction,
        ice_restart: false,
        video: false,
    });
    let offer = complete_sdp(ra, na).await;
    assert!(offer.contains("a=candidate:"), "no candidate in the offer");
    b.act(MediaAction::CreateAnswer {
        offer,
        direction: Direction::SendRecv,
        video: false,
    });
    let answer = complete_sdp(rb, nb).await;
    a.act(MediaAction::ApplyAnswer {
        answer,
        provisional: false,
    });
}

async fn inbound_packets(s: &Session) -> f64 {
    let stats = stats::read(s.peer_connection()).await.expect("getStats");
    let inbound = js_sys::Reflect::get(&stats, &"inbound".into()).unwrap();
    js_sys::Reflect::get(&inbound, &"packets".into())
        .unwrap()
        .as_f64()
        .unwrap()
}

fn directions(s: &Session) -> Vec<String> {
    let pc = s.peer_connection().expect("pc");
    pc.get_transceivers()
        .iter()
        .map(|t| {
            js_sys::Reflect::get(&t, &"currentDirection".into())
                .unwrap()
                .as_string()
                .unwrap_or_default()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn two_sessions_connect_hold_and_close() {
    let (a, ra) = session(1);
    let (b, rb) = session(2);
    negotiate((&a, &ra), (&b, &rb), Direction::SendRecv).await;

    until("ICE connected on both", 10_000, || {
        let up = |r: &Rc<RefCell<Reports>>| {
            r.borrow()
                .ice
                .iter()
                .any(|s| matches!(s, IceState::Connected | IceState::Completed))
        };
        up(&ra) && up(&rb)
    })
    .await;
    until("remote streams", 5_000, || {
        ra.borrow().remote_stream == 1 && rb.borrow().remote_stream == 1
    })
    .await;
    assert!(a.remote_stream().is_some() && a.local_stream().is_some());

    // Audio flows both ways.
    let (a0, b0) = (inbound_packets(&a).await, inbound_packets(&b).await);
    sleep(1_500).await;
    let (a1, b1) = (inbound_packets(&a).await, inbound_packets(&b).await);
    assert!(a1 - a0 > 20.0, "a receives: {a0} -> {a1}");
    assert!(b1 - b0 > 20.0, "b receives: {b0} -> {b1}");

    // Mute switches the track off; DTMF goes into the sender without a complaint.
    a.act(MediaAction::Mute(true));
    let track: MediaStreamTrack = a
        .local_stream()
        .unwrap()
        .get_audio_tracks()
        .get(0)
        .unchecked_into();
    assert!(!track.enabled());
    a.act(MediaAction::Mute(false));
    assert!(track.enabled());
    a.act(MediaAction::SendDtmf { tones: "1#".into() });
    assert!(ra.borrow().logs.is_empty(), "{:?}", ra.borrow().logs);

    // Hold: a re-offer with sendonly.
    negotiate((&a, &ra), (&b, &rb), Direction::SendOnly).await;
    until("a is sendonly", 5_000, || directions(&a) == ["sendonly"]).await;
    assert_eq!(directions(&b), ["recvonly"]);

    // An offer rolled back leaves the connection stable.
    let before = ra.borrow().local.len();
    a.act(MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: false,
    });
    a.act(MediaAction::Rollback);
    let pc = a.peer_connection().unwrap();
    until("rolled back", 5_000, || {
        pc.signaling_state() == RtcSignalingState::Stable && ra.borrow().local.len() > before
    })
    .await;

    // Close: the connection and the microphone are released.
    let (pa, pb) = (a.peer_connection().unwrap(), b.peer_connection().unwrap());
    assert!(a.act(MediaAction::Close).is_some(), "listeners handed back");
    b.act(MediaAction::Close);
    assert_eq!(pa.signaling_state(), RtcSignalingState::Closed);
    assert_eq!(pb.signaling_state(), RtcSignalingState::Closed);
    assert_eq!(track.ready_state(), web_sys::MediaStreamTrackState::Ended);
    assert!(a.peer_connection().is_none() && a.remote_stream().is_none());
    // Nothing after the close.
    let reported = ra.borrow().local.len();
    a.act(MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: false,
    });
    sleep(200).await;
    assert_eq!(ra.borrow().local.len(), reported);
    assert!(ra.borrow().failed.is_empty(), "{:?}", ra.borrow().failed);
}

/// An answer that is not SDP is reported as a media failure, not thrown.
#[wasm_bindgen_test]
async fn a_bad_remote_description_is_reported() {
    let (a, ra) = session(3);
    a.act(MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: false,
    });
    until("offer", 5_000, || !ra.borrow().local.is_empty()).await;
    a.act(MediaAction::ApplyAnswer {
        answer: "not sdp".into(),
        provisional: false,
    });
    until("failure", 5_000, || !ra.borrow().failed.is_empty()).await;
    assert!(
        ra.borrow().failed[0].starts_with("setRemoteDescription failed"),
        "{:?}",
        ra.borrow().failed
    );
    a.act(MediaAction::Close);
}

/// What the core's watchdog gets when it asks for a sample, and the relay-only switch.
#[wasm_bindgen_test]
async fn samples_report_the_media_and_relay_only_changes_the_policy() {
    let (a, ra) = session(4);
    let (b, rb) = session(5);
    negotiate((&a, &ra), (&b, &rb), Direction::SendRecv).await;
    let sample = |s: &Rc<Session>| {
        s.act(MediaAction::SampleMedia {
            expect_inbound: true,
            expect_outbound: true,
        })
    };
    // Asked every 200 ms until audio shows in a sample.
    let mut flowing = false;
    for _ in 0..50 {
        sample(&a);
        sleep(200).await;
        flowing = ra
            .borrow()
            .samples
            .last()
            .is_some_and(|s| s.packets_received > 10);
        if flowing {
            break;
        }
    }
    assert!(flowing, "{:?}", ra.borrow().samples.last());
    let last = ra.borrow().samples.last().cloned().unwrap();
    assert!(
        matches!(last.ice, Some(IceState::Connected | IceState::Completed)),
        "{last:?}"
    );
    assert_eq!(last.dtls, Some(DtlsState::Connected), "{last:?}");
    assert_eq!(last.local_candidate, Some(CandidateKind::Host), "{last:?}");
    assert!(last.packets_sent > 10, "{last:?}");
    assert!(last.servers.is_empty(), "no STUN/TURN configured: {last:?}");
    // Relay-only from now on: the policy changes, nothing fails.
    a.act(MediaAction::RelayOnly);
    let pc = a.peer_connection().unwrap();
    let config = js_sys::Reflect::get(&pc, &"getConfiguration".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>()
        .call0(&pc)
        .unwrap();
    let policy = js_sys::Reflect::get(&config, &"iceTransportPolicy".into()).unwrap();
    assert_eq!(policy.as_string().as_deref(), Some("relay"));
    assert!(
        ra.borrow()
            .logs
            .iter()
            .any(|l| l == "relay-only from now on"),
        "{:?}",
        ra.borrow().logs
    );
    a.act(MediaAction::Close);
    b.act(MediaAction::Close);
    // A sample asked of a closed session is never reported.
    let n = ra.borrow().samples.len();
    sample(&a);
    sleep(200).await;
    assert_eq!(ra.borrow().samples.len(), n);
}
