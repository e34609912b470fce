//! Transcript tests of the application's headers both ways: extra headers on the
//! INVITE, its 200, the hold re-INVITE, REFER, INFO, BYE, CANCEL and rejections (checked:
//! none the stack owns), the incoming INVITE's headers, asserted identity and
//! auto-answer hints, `Reason` on hang-up and rejection, anonymous calls and a per-call
//! display name, generic INFO both ways.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    AnswerOptions, CallError, CallEvent, CallId, CallOptions, EndCause, EndOptions, Event,
    IdentitySource, ReasonHeader, ReasonProtocol,
};
use support::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Registers, then calls bob with `options`; returns the call and its INVITE.
fn invite_with(h: &mut Harness, options: CallOptions) -> (CallId, Vec<u8>) {
    h.register(600);
    let call = h.ua.call("bob", options, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, SDP_HOST, false);
    (call, h.take())
}

#[test]
fn extra_headers_on_the_invite_and_refused_ones() {
    let mut h = Harness::new(config());
    h.register(600);
    for (name, value) in [
        ("Via", "SIP/2.0/WS evil.invalid"),
        ("i", "a-second-call-id"),
        ("Authorization", "Digest x"),
        ("Content-Type", "text/plain"),
        ("Session-Expires", "90"),
        ("X-Ok", "a\r\nVia: injected"),
        ("Bad Name", "x"),
    ] {
        let options = CallOptions {
            headers: pairs(&[(name, value)]),
            ..CallOptions::default()
        };
        assert!(
            matches!(
                h.ua.call("bob", options, h.now),
                Err(CallError::InvalidValue(_))
            ),
            "{name} refused"
        );
    }
    h.drain();
    assert!(h.sent.is_empty() && h.media.is_empty(), "nothing happened");
    let options = CallOptions {
        headers: pairs(&[("X-Account", "42"), ("X-Queue", "sales")]),
        display_name: Some("Desk \"7\"".into()),
        ..CallOptions::default()
    };
    let call = h.ua.call("bob", options, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, SDP_HOST, false);
    let invite = h.take();
    assert_header(&invite, "X-Account", "42");
    assert_header(&invite, "X-Queue", "sales");
    assert!(header(&invite, "From")
        .unwrap()
        .starts_with("\"Desk \\\"7\\\"\" <sip:alice@softphone.test>;tag="));
    assert_eq!(
        h.call_events(call),
        vec![CallEvent::Calling {
            target: "sip:bob@softphone.test".into(),
            call_id: header(&invite, "Call-ID").unwrap(),
        }]
    );
    h.assert_idle();
}

#[test]
fn anonymous_call_hides_the_from_but_digest_uses_the_auth_user() {
    let mut h = Harness::new(config());
    let options = CallOptions {
        anonymous: true,
        ..CallOptions::default()
    };
    let (call, invite) = invite_with(&mut h, options);
    let from = header(&invite, "From").unwrap();
    assert!(
        from.starts_with("\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag="),
        "{from}"
    );
    assert_header(&invite, "Privacy", "id");
    let peer = Peer::new();
    let challenge = "Proxy-Authenticate: Digest realm=\"softphone.test\", nonce=\"n-inv\", qop=\"auth\", algorithm=MD5";
    h.deliver(&peer.reply(
        &invite,
        407,
        "Proxy Authentication Required",
        None,
        &[challenge.into()],
    ));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "));
    let again = h.take();
    assert!(again.starts_with(b"INVITE "));
    let auth = header(&again, "Proxy-Authorization").unwrap();
    assert_eq!(digest_param(&auth, "username").unwrap(), "alice");
    assert_eq!(
        header(&again, "From"),
        header(&invite, "From"),
        "still anonymous"
    );
    assert_header(&again, "Privacy", "id");
    assert!(matches!(
        h.call_events(call)[..],
        [CallEvent::Calling { .. }]
    ));
    h.assert_idle();
}

#[test]
fn incoming_headers_identity_hints_answer_headers_and_reason_on_bye() {
    let mut h = Harness::new(config());
    h.register(600);
    h.take_events();
    let mut peer = Peer::new();
    h.deliver(&peer.invite(
        Some(&remote_sdp("sendrecv")),
        &[
            "P-Asserted-Identity: \"Reception, Desk\" <sip:200@pbx.test>, <tel:+15550100>".into(),
            "Alert-Info: <http://www.notused.com>;info=alert-autoanswer;delay=0".into(),
            "Call-Info: <sip:pbx.test>;answer-after=3".into(),
            "X-Ticket: T-1".into(),
        ],
    ));
    let ringing = h.take();
    let (call, details) = h
        .events
        .iter()
        .find_map(|e| match e {
            Event::Call {
                call,
                event: CallEvent::Incoming { details, .. },
            } => Some((*call, details.clone())),
            _ => None,
        })
        .unwrap();
    h.call_events(call);
    assert_eq!(details.call_id, "far-call-1@pbx");
    let identity = details.identity.unwrap();
    assert_eq!(identity.uri, "sip:200@pbx.test");
    assert_eq!(identity.display_name.as_deref(), Some("Reception, Desk"));
    assert_eq!(identity.source, IdentitySource::PAssertedIdentity);
    assert_eq!(
        details.alert_info,
        vec!["<http://www.notused.com>;info=alert-autoanswer;delay=0".to_string()]
    );
    assert_eq!(
        details.call_info,
        vec!["<sip:pbx.test>;answer-after=3".to_string()]
    );
    assert_eq!(details.auto_answer_after, Some(3), "Call-Info first");
    // Every header, in order, as the INVITE had them.
    let names: Vec<&str> = details.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[..3], ["Record-Route", "Record-Route", "Via"]);
    assert!(details.headers.contains(&("X-Ticket".into(), "T-1".into())));
    // The answer carries the app's headers, checked like any.
    let refused = AnswerOptions {
        headers: pairs(&[("Contact", "<sip:evil@x>")]),
        ..AnswerOptions::default()
    };
    assert!(h.ua.answer(call, refused, h.now).is_err());
    let options = AnswerOptions {
        headers: pairs(&[("X-Agent", "7")]),
        ..AnswerOptions::default()
    };
    h.ua.answer(call, options, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_header(&ok, "X-Agent", "7");
    assert_eq!(header(&ok, "To"), header(&ringing, "To"));
    h.deliver(&peer.ack(&ok, None));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    // Hold with headers: they ride on the re-INVITE.
    h.ua.hold_with(call, pairs(&[("X-Hold", "music")]), h.now)
        .unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, SDP_HOST, true);
    let reinvite = h.take();
    assert!(reinvite.starts_with(b"INVITE "));
    assert_header(&reinvite, "X-Hold", "music");
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    h.take_media();
    // Hang up with a Q.850 Reason and a header.
    let bad = EndOptions {
        headers: pairs(&[("Reason", "SIP;cause=200")]),
        ..EndOptions::default()
    };
    assert!(
        h.ua.hangup_with(call, &bad, h.now).is_err(),
        "Reason goes apart"
    );
    let end = EndOptions {
        reason: Some(ReasonHeader {
            protocol: ReasonProtocol::Q850,
            cause: 16,
            text: Some("Normal Clearing".into()),
        }),
        headers: pairs(&[("X-Wrapup", "done")]),
        ..EndOptions::default()
    };
    h.ua.hangup_with(call, &end, h.now).unwrap();
    h.drain();
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "));
    assert_eq!(
        header(&bye, "Reason").unwrap(),
        "Q.850;cause=16;text=\"Normal Clearing\""
    );
    assert_header(&bye, "X-Wrapup", "done");
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    h.take_media();
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::LocalHangup))
    );
    h.assert_idle();
}

#[test]
fn reject_with_status_phrase_reason_and_headers() {
    let mut h = Harness::new(config());
    h.register(600);
    h.take_events();
    let peer = Peer::new();
    h.deliver(&peer.invite(Some(&remote_sdp("sendrecv")), &[]));
    h.take();
    let call = h.ua.calls()[0];
    h.call_events(call);
    let options = EndOptions {
        status: Some(603),
        reason_phrase: Some("Agent Away".into()),
        reason: Some(ReasonHeader {
            protocol: ReasonProtocol::Sip,
            cause: 603,
            text: Some("Declined by agent".into()),
        }),
        headers: pairs(&[("X-Why", "break")]),
    };
    let bad = EndOptions {
        status: Some(200),
        ..EndOptions::default()
    };
    assert!(h.ua.reject_with(call, &bad, h.now).is_err());
    let bad = EndOptions {
        reason_phrase: Some("a\r\nb".into()),
        ..EndOptions::default()
    };
    assert!(h.ua.reject_with(call, &bad, h.now).is_err());
    h.ua.reject_with(call, &options, h.now).unwrap();
    h.drain();
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 603 Agent Away");
    assert_eq!(
        header(&resp, "Reason").unwrap(),
        "SIP;cause=603;text=\"Declined by agent\""
    );
    assert_header(&resp, "X-Why", "break");
    h.take_media();
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::Rejected(603)))
    );
    h.assert_idle();
}

#[test]
fn cancel_carries_the_reason_and_headers() {
    let mut h = Harness::new(config());
    let (call, invite) = invite_with(&mut h, CallOptions::default());
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    let end = EndOptions {
        reason: Some(ReasonHeader {
            protocol: ReasonProtocol::Sip,
            cause: 200,
            text: Some("Call completed elsewhere".into()),
        }),
        headers: pairs(&[("X-Cancel", "1")]),
        ..EndOptions::default()
    };
    h.ua.hangup_with(call, &end, h.now).unwrap();
    h.drain();
    let cancel = h.take();
    assert!(cancel.starts_with(b"CANCEL "));
    assert_eq!(
        headers(&cancel, "Reason"),
        vec!["SIP;cause=200;text=\"Call completed elsewhere\"".to_string()],
        "the app's Reason replaces the default one"
    );
    assert_header(&cancel, "X-Cancel", "1");
    h.take_media();
    h.deliver(&peer.reply(&cancel, 200, "OK", None, &[]));
    h.deliver(&peer.reply(&invite, 487, "Request Terminated", None, &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert_eq!(
        h.call_events(call)[1..],
        [CallEvent::Ringing, CallEvent::Ended(EndCause::Cancelled)]
    );
    h.assert_idle();
}

#[test]
fn refer_and_info_with_headers_and_info_both_ways() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    // INFO out: any content type, the app's headers, the answer as an event.
    assert!(h
        .ua
        .send_info(
            call,
            "application/json",
            "{}",
            pairs(&[("Content-Type", "x/y")]),
            h.now
        )
        .is_err());
    assert!(h.ua.send_info(call, "json", "{}", vec![], h.now).is_err());
    h.ua.send_info(
        call,
        "application/x-crm+json",
        "{\"ticket\":1}",
        pairs(&[("X-Info", "crm")]),
        h.now,
    )
    .unwrap();
    h.drain();
    let info = h.take();
    assert!(info.starts_with(b"INFO "));
    assert_header(&info, "Content-Type", "application/x-crm+json");
    assert_header(&info, "X-Info", "crm");
    assert!(info.ends_with(b"{\"ticket\":1}"));
    h.deliver(&peer.reply(&info, 200, "OK", None, &[]));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::InfoResponse {
            status: 200,
            reason: "OK".into()
        })
    );
    // INFO in: answered 200, reported with its headers.
    h.deliver(&peer.in_dialog(
        "INFO",
        &invite,
        Some(("application/broadsoft", "event flashhook")),
        &["X-From-Pbx: 1".into()],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    match h.last_call_event(call) {
        Some(CallEvent::Info {
            content_type,
            body,
            headers,
        }) => {
            assert_eq!(content_type, "application/broadsoft");
            assert_eq!(body, "event flashhook");
            assert!(headers.contains(&("X-From-Pbx".into(), "1".into())));
        }
        other => panic!("expected Info, got {other:?}"),
    }
    // REFER with the app's headers; Refer-To stays the stack's.
    assert!(h
        .ua
        .transfer_with(call, "carol", pairs(&[("Refer-To", "<sip:x@y>")]), h.now)
        .is_err());
    h.ua.transfer_with(call, "carol", pairs(&[("X-Transfer", "blind")]), h.now)
        .unwrap();
    h.drain();
    let refer = h.take();
    assert!(refer.starts_with(b"REFER "));
    assert_header(&refer, "Refer-To", "<sip:carol@softphone.test>");
    assert_header(&refer, "X-Transfer", "blind");
    h.deliver(&peer.reply(&refer, 202, "Accepted", None, &[]));
    assert_eq!(h.last_call_event(call), Some(progress(202, "Accepted")));
    h.assert_idle();
}

#[test]
fn info_content_types_policy_answers_415_to_others() {
    let mut c = config();
    c.info_content_types = vec!["application/x-crm+json".into()];
    let mut h = Harness::new(c);
    let (call, mut peer, invite) = h.connected_dialog();
    h.deliver(&peer.in_dialog("INFO", &invite, Some(("text/plain", "hi")), &[]));
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 415 Unsupported Media Type");
    assert_header(&resp, "Accept", "application/x-crm+json");
    h.deliver_answered(&peer.dtmf_info(&invite, '5', 100));
    assert_eq!(h.last_call_event(call), Some(CallEvent::DtmfReceived('5')));
    h.assert_idle();
}
