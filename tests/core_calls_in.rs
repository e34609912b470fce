//! Transcript tests of incoming calls: 180 and the incoming event, answer with the
//! browser's answer, 2xx retransmission until ACK, offerless INVITE, reject,
//! CANCEL, retransmitted INVITE, no-answer timeout, a second call while in one.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallError, CallEvent, Direction, EndCause, Event, MediaAction};
use support::*;

#[test]
fn incoming_call_transcript() {
    let mut h = Harness::new(config());
    let mut peer = Peer::new();
    let (call, ringing) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    assert_eq!(first_line(&ringing), "SIP/2.0 180 Ringing");
    assert!(header(&ringing, "To").unwrap().contains(";tag="));
    assert_eq!(headers(&ringing, "Record-Route").len(), 2);
    assert_eq!(headers(&ringing, "Via").len(), 2);
    assert!(
        header(&ringing, "Contact")
            .unwrap()
            .ends_with(".invalid;transport=ws>"),
        "no ;ob in a dialog's Contact"
    );
    match &h.call_events(call)[..] {
        [CallEvent::Incoming {
            from,
            display_name,
            to,
            details,
        }] => {
            assert_eq!(from, "sip:bob@softphone.test");
            assert_eq!(display_name.as_deref(), Some("Bob"));
            assert_eq!(to, "sip:alice@softphone.test");
            assert_eq!(Some(details.call_id.clone()), header(&ringing, "Call-ID"));
            assert_eq!(details.identity, None);
        }
        other => panic!("expected one Incoming event, got {other:?}"),
    }
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    assert_eq!(
        h.take_media().1,
        MediaAction::CreateAnswer {
            offer: remote_sdp("sendrecv"),
            direction: Direction::SendRecv,
            video: false
        }
    );
    h.local_description(call, SDP_HOST, false);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_eq!(
        header(&ok, "To"),
        header(&ringing, "To"),
        "same tag as the 180"
    );
    assert!(String::from_utf8_lossy(&ok).ends_with(SDP_HOST));
    // No ACK yet: retransmit at T1, 2*T1, 4*T1 ... capped at T2.
    h.advance(ms(500));
    assert_eq!(h.take(), ok);
    h.advance(ms(1000));
    assert_eq!(h.take(), ok);
    h.advance(ms(1999));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    assert_eq!(h.take(), ok);
    h.deliver(&peer.ack(&ok, None));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.advance(secs(10));
    assert!(h.sent.is_empty(), "no retransmission after the ACK");
    // Bob hangs up.
    let bye = peer.in_dialog("BYE", &ok, None, &[]);
    h.deliver(&bye);
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 200 OK");
    assert_header(&resp, "CSeq", "101 BYE");
    h.assert_ended(call, EndCause::RemoteHangup);
    assert!(h.ua.calls().is_empty());
    h.assert_idle();
}

#[test]
fn a_200_never_acked_is_given_up_with_bye() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let peer = Peer::new();
    let (call, _) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    let mut copies = 0;
    let start = h.now;
    while h.now < start + secs(32) {
        h.advance(ms(100));
        while let Some(m) = h.sent.pop_front() {
            if m == ok {
                copies += 1;
            } else {
                assert!(m.starts_with(b"BYE "), "{}", first_line(&m));
                assert!(h.now >= start + secs(32));
            }
        }
    }
    assert!(
        (9..=12).contains(&copies),
        "{copies} retransmissions in 32 s"
    );
    assert!(matches!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::Failed { status: 408, .. }))
    ));
}

#[test]
fn an_invite_without_sdp_gets_our_offer_and_the_ack_carries_the_answer() {
    let mut h = Harness::new(config());
    let mut peer = Peer::new();
    let (call, _) = h.incoming_call(&peer, None);
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    assert!(matches!(
        h.take_media().1,
        MediaAction::CreateOffer {
            ice_restart: false,
            ..
        }
    ));
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert!(String::from_utf8_lossy(&ok).ends_with(SDP_HOST));
    h.deliver(&peer.ack(&ok, Some(&remote_sdp("sendrecv"))));
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: remote_sdp("sendrecv"),
            provisional: false
        }
    );
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn reject_sends_the_status_and_absorbs_the_ack() {
    let mut h = Harness::new(config());
    let mut peer = Peer::new();
    let (call, _) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    assert!(matches!(
        h.ua.reject(call, 200, h.now),
        Err(CallError::InvalidValue(_))
    ));
    h.ua.reject(call, 603, h.now).unwrap();
    h.drain();
    let decline = h.take();
    assert_eq!(first_line(&decline), "SIP/2.0 603 Decline");
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::Rejected(603)))
    );
    h.deliver(&peer.ack(&decline, None));
    assert!(h.sent.is_empty(), "an ACK is never answered");
    assert_eq!(
        h.ua.answer(call, Default::default(), h.now),
        Err(CallError::NoSuchCall)
    );
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn the_caller_cancels() {
    let mut h = Harness::new(config());
    let peer = Peer::new();
    let (call, _) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    let invite = peer.invite(Some(&remote_sdp("sendrecv")), &[]);
    let cancel = String::from_utf8_lossy(&invite)
        .replacen("INVITE sip:", "CANCEL sip:", 1)
        .replace("INVITE\r\n", "CANCEL\r\n")
        .split("Content-Type")
        .next()
        .unwrap()
        .to_string()
        + "Content-Length: 0\r\n\r\n";
    h.deliver(cancel.as_bytes());
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_header(&ok, "CSeq", "100 CANCEL");
    let terminated = h.take();
    assert_eq!(first_line(&terminated), "SIP/2.0 487 Request Terminated");
    assert_header(&terminated, "CSeq", "100 INVITE");
    h.assert_ended(call, EndCause::Cancelled);
    h.assert_idle();
}

#[test]
fn a_retransmitted_invite_gets_the_same_response_and_no_second_call() {
    let mut h = Harness::new(config());
    let peer = Peer::new();
    let (call, ringing_resp) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    h.deliver(&peer.invite(Some(&remote_sdp("sendrecv")), &[]));
    assert_eq!(h.take(), ringing_resp);
    assert_eq!(h.ua.calls(), vec![call]);
    let incoming = h
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Call {
                    event: CallEvent::Incoming { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(incoming, 1);
}

#[test]
fn an_unanswered_call_stops_ringing_after_the_timeout() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let peer = Peer::new();
    let (call, _) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    h.advance(secs(60));
    assert_eq!(first_line(&h.take()), "SIP/2.0 480 Temporarily Unavailable");
    h.assert_ended(call, EndCause::NoAnswer);
    h.assert_idle();
}

#[test]
fn a_second_call_rings_while_the_first_is_held() {
    let mut h = Harness::new(config());
    let (first, _peer) = h.connected_call(&[]);
    h.ua.hold(first, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(first, SDP_HOST, true);
    let reinvite = h.take();
    h.deliver(&Peer::new().reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    h.take(); // ACK
    let mut carol = Peer::new();
    carol.tag = "caroltag".into();
    carol.call_id = "carol-call@pbx".into();
    h.deliver(&carol.invite(Some(&remote_sdp("sendrecv")), &[]));
    let ringing = h.take();
    assert_eq!(first_line(&ringing), "SIP/2.0 180 Ringing");
    let second = *h.ua.calls().last().unwrap();
    assert_ne!(first, second);
    h.ua.answer(second, Default::default(), h.now).unwrap();
    h.drain();
    h.media.clear();
    h.local_description(second, SDP_HOST, true);
    let ok = h.take();
    h.deliver(&carol.ack(&ok, None));
    assert_eq!(h.last_call_event(second), Some(CallEvent::Connected));
    assert_eq!(h.ua.calls().len(), 2, "both calls live");
    assert_eq!(
        h.last_call_event(first),
        Some(CallEvent::Hold(softphone_core::core::HoldState {
            local: true,
            remote: false
        }))
    );
    h.assert_idle();
}

#[test]
fn an_invite_with_too_small_a_session_interval_gets_422() {
    let mut h = Harness::new(config());
    h.register(600);
    h.deliver(&Peer::new().invite(
        Some(&remote_sdp("sendrecv")),
        &["Session-Expires: 30".into()],
    ));
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 422 Session Interval Too Small");
    assert_header(&resp, "Min-SE", "90");
    assert!(h.ua.calls().is_empty());
    h.assert_idle();
}

#[test]
fn answering_with_video_is_the_applications_choice() {
    let mut h = Harness::new(config());
    let peer = Peer::new();
    let (call, _) = h.incoming_call(&peer, Some(&remote_sdp("sendrecv")));
    h.ua.answer(
        call,
        softphone_core::core::AnswerOptions {
            video: true,
            ..Default::default()
        },
        h.now,
    )
    .unwrap();
    h.drain();
    assert!(matches!(
        h.take_media().1,
        MediaAction::CreateAnswer { video: true, .. }
    ));
}
