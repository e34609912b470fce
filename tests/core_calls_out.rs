//! Transcript tests of outgoing calls: INVITE, provisional and final responses,
//! ACK, CANCEL (and its race with 200), digest retry, Timer B, ICE readiness.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallError, CallEvent, CallId, CallOptions, Direction, EndCause, Input, MediaAction,
};
use support::*;

#[test]
fn outgoing_call_transcript() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    assert_eq!(first_line(&invite), "INVITE sip:bob@softphone.test SIP/2.0");
    assert_header(&invite, "CSeq", "1 INVITE");
    assert_header(&invite, "Content-Type", "application/sdp");
    assert!(
        header(&invite, "Contact")
            .unwrap()
            .ends_with(".invalid;transport=ws>"),
        "no ;ob in a dialog's Contact"
    );
    assert!(header(&invite, "Supported").unwrap().contains("timer"));
    assert_header(&invite, "Session-Expires", "1800");
    assert!(
        header(&invite, "Authorization").is_none(),
        "the registrar's credentials stay on REGISTER: a proxy would pass them to the callee"
    );
    assert!(String::from_utf8_lossy(&invite).ends_with(SDP_HOST));
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 100, "Trying", None, &[]));
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Ringing));
    h.deliver(&peer.reply(
        &invite,
        200,
        "OK",
        Some(&remote_sdp("sendrecv")),
        &["Allow: INVITE, ACK, BYE, UPDATE".into()],
    ));
    let ack = h.take();
    assert_eq!(
        first_line(&ack),
        "ACK sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_header(&ack, "CSeq", "1 ACK");
    assert_eq!(
        headers(&ack, "Route"),
        vec![
            "<sip:127.0.0.1:18080;transport=ws;lr;r2=on>",
            "<sip:127.0.0.1:5060;lr;r2=on>"
        ],
        "the route set is the Record-Route reversed"
    );
    assert!(header(&ack, "To").unwrap().ends_with(";tag=bobtag"));
    assert_ne!(
        header(&ack, "Via"),
        header(&invite, "Via"),
        "the ACK of a 2xx is a new transaction"
    );
    let (_, action) = h.take_media();
    assert_eq!(
        action,
        MediaAction::ApplyAnswer {
            answer: remote_sdp("sendrecv"),
            provisional: false
        }
    );
    assert_eq!(
        h.call_events(call),
        vec![
            CallEvent::Calling {
                target: "sip:bob@softphone.test".into(),
                call_id: header(&invite, "Call-ID").unwrap(),
            },
            CallEvent::Ringing,
            CallEvent::Connected
        ]
    );
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    let bye = h.take();
    assert_eq!(
        first_line(&bye),
        "BYE sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_header(&bye, "CSeq", "2 BYE");
    assert_eq!(headers(&bye, "Route").len(), 2);
    h.assert_ended(call, EndCause::LocalHangup);
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
    assert!(h.sent.is_empty());
    h.assert_idle();
}

/// Bob's 183 with an SDP answer (early media).
fn session_progress(peer: &Peer, invite: &[u8]) -> Vec<u8> {
    let sdp = remote_sdp("sendrecv");
    peer.reply(invite, 183, "Session Progress", Some(&sdp), &[])
}

#[test]
fn early_media_is_applied_as_a_provisional_answer() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    h.deliver(&session_progress(&peer, &invite));
    assert_eq!(h.last_call_event(call), Some(CallEvent::EarlyMedia));
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: remote_sdp("sendrecv"),
            provisional: true
        }
    );
    // DTMF may go into early media (IVRs).
    h.ua.send_dtmf(call, "1", Default::default(), h.now)
        .unwrap();
    h.drain();
    assert_eq!(
        h.take_media().1,
        MediaAction::SendDtmf {
            tones: "1".into(),
            duration_ms: 100,
            gap_ms: 70
        }
    );
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: remote_sdp("sendrecv"),
            provisional: false
        }
    );
    assert!(h.take().starts_with(b"ACK "));
    h.assert_idle();
}

#[test]
fn failures_are_acked_and_end_with_a_cause() {
    for (code, reason, cause) in [
        (486, "Busy Here", EndCause::Busy),
        (600, "Busy Everywhere", EndCause::Busy),
        (603, "Decline", EndCause::Declined),
        (480, "Temporarily Unavailable", EndCause::NoAnswer),
        (
            404,
            "Not Found",
            EndCause::Failed {
                status: 404,
                reason: "Not Found".into(),
            },
        ),
        (
            488,
            "Not Acceptable Here",
            EndCause::Failed {
                status: 488,
                reason: "Not Acceptable Here".into(),
            },
        ),
    ] {
        let mut h = Harness::new(config());
        let (call, invite) = h.outgoing_invite();
        let peer = Peer::new();
        h.deliver(&peer.reply(&invite, code, reason, None, &[]));
        let ack = h.take();
        assert_eq!(first_line(&ack), "ACK sip:bob@softphone.test SIP/2.0");
        assert_eq!(
            header(&ack, "Via"),
            header(&invite, "Via"),
            "same branch as the INVITE"
        );
        assert_header(&ack, "CSeq", "1 ACK");
        assert!(header(&ack, "To").unwrap().ends_with(";tag=bobtag"));
        assert_eq!(h.last_call_event(call), Some(CallEvent::Ended(cause)));
        assert!(h.ua.calls().is_empty());
    }
}

#[test]
fn proxy_challenge_is_answered_once() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let mut registrar = Registrar::new();
    let challenge = registrar
        .challenge(&invite, false)
        .iter()
        .map(|b| *b as char)
        .collect::<String>()
        .replace(
            "SIP/2.0 401 Unauthorized",
            "SIP/2.0 407 Proxy Authentication Required",
        )
        .replace("WWW-Authenticate", "Proxy-Authenticate");
    h.deliver(challenge.as_bytes());
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "));
    let retry = h.take();
    assert_header(&retry, "CSeq", "2 INVITE");
    assert_eq!(header(&retry, "Call-ID"), header(&invite, "Call-ID"));
    assert_eq!(header(&retry, "From"), header(&invite, "From"));
    let auth = header(&retry, "Proxy-Authorization").expect("Proxy-Authorization");
    assert_eq!(
        digest_param(&auth, "uri").unwrap(),
        "sip:bob@softphone.test"
    );
    assert_eq!(digest_param(&auth, "nonce").unwrap(), registrar.nonce);
    assert!(header(&retry, "Authorization").is_none());
    // A second challenge ends the call: no loop.
    h.deliver(challenge.replace("z9hG4bK", "zz").as_bytes());
    let retry_via = header(&retry, "Via").unwrap();
    let second = String::from_utf8_lossy(
        &Peer::new().reply(
            &retry,
            407,
            "Proxy Authentication Required",
            None,
            &[
                "Proxy-Authenticate: Digest realm=\"softphone.test\", nonce=\"n2\", qop=\"auth\""
                    .to_string(),
            ],
        ),
    )
    .into_owned();
    assert!(second.contains(&retry_via));
    h.deliver(second.as_bytes());
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.sent.is_empty());
    assert!(matches!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::Failed { status: 407, .. }))
    ));
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn cancel_waits_for_a_provisional_response() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert!(
        h.sent.is_empty(),
        "no CANCEL before a provisional response (RFC 3261 9.1)"
    );
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::Cancelled))
    );
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    let cancel = h.take();
    assert_eq!(first_line(&cancel), "CANCEL sip:bob@softphone.test SIP/2.0");
    assert_eq!(header(&cancel, "Via"), header(&invite, "Via"));
    assert_header(&cancel, "CSeq", "1 CANCEL");
    assert_eq!(
        header(&cancel, "To").unwrap(),
        header(&invite, "To").unwrap(),
        "no To tag"
    );
    h.deliver(&peer.reply(&cancel, 200, "OK", None, &[]));
    h.deliver(&peer.reply(&invite, 487, "Request Terminated", None, &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.ua.calls().is_empty());
    assert_eq!(
        h.call_events(call)
            .iter()
            .filter(|e| matches!(e, CallEvent::Ended(_)))
            .count(),
        1
    );
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn a_200_crossing_the_cancel_is_acked_and_byed() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    let cancel = h.take();
    assert!(cancel.starts_with(b"CANCEL "));
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    let ack = h.take();
    assert!(
        ack.starts_with(b"ACK sip:bob@198.51.100.2"),
        "{}",
        first_line(&ack)
    );
    let bye = h.take();
    assert!(
        bye.starts_with(b"BYE sip:bob@198.51.100.2"),
        "{}",
        first_line(&bye)
    );
    assert_eq!(
        h.call_events(call).last(),
        Some(&CallEvent::Ended(EndCause::Cancelled))
    );
    assert!(
        !h.call_events(call).contains(&CallEvent::Connected),
        "never reported connected"
    );
    h.deliver(&peer.reply(&cancel, 481, "Call/Transaction Does Not Exist", None, &[]));
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.sent.is_empty());
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn no_response_at_all_fails_with_408() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let (call, _invite) = h.outgoing_invite();
    h.advance(secs(31));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Calling {
            target: "sip:bob@softphone.test".into(),
            call_id: header(&_invite, "Call-ID").unwrap(),
        })
    );
    h.advance(secs(1));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::Failed {
            status: 408,
            reason: "Request Timeout".into()
        }))
    );
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn a_ringing_call_does_not_time_out() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let (call, invite) = h.outgoing_invite();
    h.deliver(&Peer::new().reply(&invite, 180, "Ringing", None, &[]));
    h.advance(secs(120));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Ringing));
    h.assert_idle();
}

/// A registered user agent with TURN configured, calling bob: the offer is asked for,
/// no candidate has come yet.
fn gathering_with_turn() -> (Harness, CallId) {
    let mut c = config();
    c.ice_has_turn = true;
    let mut h = Harness::new(c);
    h.register(600);
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    h.take_media();
    (h, call)
}

#[test]
fn invite_waits_for_a_relay_candidate_when_turn_is_configured() {
    let (mut h, call) = gathering_with_turn();
    h.local_description(call, SDP_HOST, false);
    h.advance(ms(300));
    assert!(
        h.sent.is_empty(),
        "host candidates are not enough with TURN"
    );
    h.local_description(call, &sdp_with_relay(), false);
    let invite = h.take();
    assert!(String::from_utf8_lossy(&invite).contains("typ relay"));
    // Later candidates do not send anything more.
    h.local_description(call, &sdp_with_relay(), true);
    assert!(h.sent.is_empty());
}

#[test]
fn invite_goes_at_the_gathering_deadline_with_what_there_is() {
    let (mut h, call) = gathering_with_turn();
    h.local_description(call, SDP_HOST, false);
    h.advance(ms(1999));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    let invite = h.take();
    assert!(String::from_utf8_lossy(&invite).contains("typ host"));
}

#[test]
fn invite_goes_when_gathering_completes() {
    let (mut h, call) = gathering_with_turn();
    h.local_description(call, SDP_HOST, true);
    assert!(h.take().starts_with(b"INVITE "));
}

#[test]
fn media_failure_before_the_invite_ends_the_call() {
    let mut h = Harness::new(config());
    h.register(600);
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    h.input(Input::MediaFailed {
        call,
        reason: "NotAllowedError: Permission denied",
    });
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::MediaFailure {
            reason: "NotAllowedError: Permission denied".into()
        }))
    );
    assert!(h.sent.is_empty());
}

#[test]
fn bad_input_from_the_app_is_an_error_and_sends_nothing() {
    let mut h = Harness::new(config());
    assert_eq!(
        h.ua.call("bob", CallOptions::default(), h.now),
        Err(CallError::NotConnected)
    );
    h.register(600);
    for target in ["", "bob smith", "bob\r\nX: 1", "<sip:bob@x>", "http://x"] {
        assert!(
            h.ua.call(target, CallOptions::default(), h.now).is_err(),
            "{target:?}"
        );
    }
    let options = CallOptions {
        headers: vec![("X-Evil".into(), "a\r\nInjected: 1".into())],
        ..Default::default()
    };
    assert!(matches!(
        h.ua.call("bob", options, h.now),
        Err(CallError::InvalidValue(_))
    ));
    let options = CallOptions {
        headers: vec![("Bad Name".into(), "x".into())],
        ..Default::default()
    };
    assert!(h.ua.call("bob", options, h.now).is_err());
    h.drain();
    assert!(h.sent.is_empty());
    assert!(h.media.is_empty());
    let ghost = softphone_core::core::CallId(999);
    assert_eq!(h.ua.hangup(ghost, h.now), Err(CallError::NoSuchCall));
    assert_eq!(h.ua.hold(ghost, h.now), Err(CallError::NoSuchCall));
    assert!(h
        .ua
        .send_dtmf(ghost, "1", Default::default(), h.now)
        .is_err());
    h.assert_idle();
}

#[test]
fn extra_headers_and_video_are_passed_on() {
    let mut h = Harness::new(config());
    h.register(600);
    let options = CallOptions {
        video: true,
        headers: vec![("X-Ticket".into(), "42".into())],
        ..CallOptions::default()
    };
    let call = h.ua.call("sip:carol@example.com", options, h.now).unwrap();
    h.drain();
    assert_eq!(
        h.take_media(),
        (
            call,
            MediaAction::CreateOffer {
                direction: Direction::SendRecv,
                ice_restart: false,
                video: true
            }
        )
    );
    h.local_description(call, SDP_HOST, true);
    let invite = h.take();
    assert_eq!(first_line(&invite), "INVITE sip:carol@example.com SIP/2.0");
    assert_header(&invite, "X-Ticket", "42");
}

#[test]
fn a_provisional_overtaken_by_the_200_is_ignored() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    // A UDP leg reordered them: the 180 arrives after the 200.
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.deliver(&session_progress(&peer, &invite));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.media.clear();
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"BYE "), "a BYE, not a CANCEL");
    h.assert_ended(call, EndCause::LocalHangup);
    h.assert_idle();
}

#[test]
fn a_retransmitted_200_is_acked_again_and_the_call_stays() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    let ok = peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]);
    h.deliver(&ok);
    let first_ack = h.take();
    h.deliver(&ok);
    let second_ack = h.take();
    assert_eq!(first_line(&second_ack), first_line(&first_ack));
    assert_eq!(header(&second_ack, "CSeq"), header(&first_ack, "CSeq"));
    assert!(h.sent.is_empty(), "no BYE for a retransmission");
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    // A 200 from another fork (another To tag) is taken down.
    let other = String::from_utf8_lossy(&ok).replace("bobtag", "forktag");
    h.deliver(other.as_bytes());
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.take().starts_with(b"BYE "));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    // One answer applied, not one per retransmission or fork.
    assert!(matches!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            provisional: false,
            ..
        }
    ));
    h.assert_idle();
}

#[test]
fn stop_hangs_up_live_calls_before_unregistering() {
    let mut h = Harness::new(config());
    let (call, _peer) = h.connected_call(&[]);
    h.stop();
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "), "{}", first_line(&bye));
    let unregister = h.take();
    assert!(unregister.starts_with(b"REGISTER "));
    assert_header(&unregister, "Expires", "0");
    h.assert_ended(call, EndCause::LocalHangup);
    h.assert_idle();
}
