//! SUBSCRIBE/NOTIFY (RFC 6665) as transcripts on virtual time, against a scripted
//! notifier shaped like Asterisk 18's res_pjsip_pubsub: SUBSCRIBE challenged with 401,
//! `200 OK` with Expires, an immediate NOTIFY with the full state, NOTIFYs on changes
//! with a rising version, `Subscription-State: active;expires=N`, and termination
//! (the notifier is `support/notifier.rs`). Pacing, bad input and edge cases:
//! `core_subscriptions_edges.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::subscription::{LampState, MessageSummary};
use softphone_core::core::{Event, NotifyBody, SubscribeOptions, SubscriptionEvent};
use support::*;

#[test]
fn blf_lamp_follows_notifies_and_the_subscription_is_refreshed_in_its_dialog() {
    let mut h = Harness::new(config());
    let (id, mut n, mut registrar) = active_blf(&mut h);
    h.deliver(&n.notify(
        "dialog",
        "active;expires=590",
        Some((DIALOG_XML, &dialog_body(1, "early"))),
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    h.deliver(&n.notify(
        "dialog",
        "active;expires=580",
        Some((DIALOG_XML, &dialog_body(2, "confirmed"))),
    ));
    h.take();
    // An old version changes nothing: no Notify event.
    h.deliver(&n.notify(
        "dialog",
        "active;expires=570",
        Some((DIALOG_XML, &dialog_body(1, "early"))),
    ));
    h.take();
    let lamps: Vec<LampState> = sub_events(&mut h)
        .iter()
        .filter(|(_, e)| matches!(e, SubscriptionEvent::Notify(_)))
        .map(|(_, e)| lamp(e))
        .collect();
    assert_eq!(lamps, [LampState::Ringing, LampState::Busy]);
    // Refreshed before the 570 s last granted run out: a tenth early (57 s).
    let refresh = h.advance_until_sent(secs(600));
    assert_eq!(h.now.as_millis(), 513_000, "570 - 57 s");
    assert_eq!(
        first_line(&refresh),
        "SUBSCRIBE sip:asterisk@192.0.2.10:5060;transport=ws SIP/2.0"
    );
    assert!(header(&refresh, "To").unwrap().contains(";tag=ast-1"));
    assert_header(&refresh, "CSeq", "3 SUBSCRIBE");
    assert_header(&refresh, "Expires", "600");
    assert!(
        header(&refresh, "Authorization").is_some(),
        "cached credentials"
    );
    // Challenged again (a new nonce): answered.
    h.deliver(&registrar.challenge(&refresh, false));
    let again = h.take();
    registrar.check_auth(&again, PASSWORD);
    h.deliver(&n.ok(&again, 600));
    assert!(sub_events(&mut h).is_empty());
    // Next refresh 540 s later.
    h.advance_until_sent(secs(600));
    assert_eq!(h.now.as_millis(), 513_000 + 540_000);
    let _ = id;
    h.sent.clear();
    h.assert_idle();
}

#[test]
fn a_notify_before_the_2xx_makes_the_dialog_and_a_second_fork_gets_481() {
    let mut h = Harness::new(config());
    h.register(600);
    let id =
        h.ua.subscribe(
            "sip:1002@softphone.test",
            "presence",
            SubscribeOptions::default(),
            h.now,
        )
        .unwrap();
    h.drain();
    let sub = h.take();
    assert_header(&sub, "Accept", "application/pidf+xml");
    let mut a = Notifier::new(&sub, "fork-a");
    let pidf = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence entity=\"sip:1002@softphone.test\" \
        xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" \
        xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"><note>On the phone</note><tuple id=\"1002\">\
        <status><basic>open</basic></status></tuple><dm:person><rpid:activities><rpid:on-the-phone/>\
        </rpid:activities></dm:person></presence>";
    h.deliver(&a.notify(
        "presence",
        "active;expires=600",
        Some(("application/pidf+xml", pidf)),
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    let mut b = Notifier::new(&sub, "fork-b");
    h.deliver(&b.notify("presence", "active;expires=600", None));
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 481 Subscription Does Not Exist"
    );
    h.deliver(&a.ok(&sub, 600));
    let events = sub_events(&mut h);
    assert_eq!(events.len(), 2, "{events:?}");
    let SubscriptionEvent::Notify(NotifyBody::Presence(p)) = &events[1].1 else {
        panic!("{events:?}")
    };
    assert!(p.open);
    assert_eq!(p.notes, ["On the phone"]);
    assert_eq!(p.activities, ["on-the-phone"]);
    // The dialog is fork A's: unsubscribe goes there.
    h.ua.unsubscribe(id, h.now).unwrap();
    h.drain();
    let unsub = h.take();
    assert!(header(&unsub, "To").unwrap().contains(";tag=fork-a"));
    assert_header(&unsub, "Expires", "0");
    h.deliver(&a.ok(&unsub, 0));
    h.deliver(&a.notify("presence", "terminated;reason=timeout", None));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert_unsubscribed(&mut h, id);
    h.assert_idle();
}

#[test]
fn terminations_resubscribe_or_give_up_by_reason() {
    let mut h = Harness::new(config());
    let (id, mut n, _) = active_blf(&mut h);
    let call_id = header(&n.subscribe, "Call-ID").unwrap();
    // timeout: subscribe again at once, in a new dialog.
    h.deliver(&n.notify("dialog", "terminated;reason=timeout", None));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    // At once, within the pacing: 100 ms after the last SUBSCRIBE at 10/s.
    let again = h.advance_until_sent(ms(100));
    assert_eq!(
        first_line(&again),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    assert_ne!(header(&again, "Call-ID").unwrap(), call_id);
    assert!(!header(&again, "To").unwrap().contains("tag="));
    assert_eq!(
        sub_events(&mut h),
        [(
            id,
            SubscriptionEvent::Interrupted {
                status: None,
                reason: "timeout".into(),
                retry_in: Some(secs(0))
            }
        )]
    );
    // probation with retry-after: after that long.
    let mut n = Notifier::new(&again, "ast-2");
    h.deliver(&n.ok(&again, 600));
    h.deliver(&n.notify("dialog", "terminated;reason=probation;retry-after=30", None));
    h.take();
    let before = h.now;
    let third = h.advance_until_sent(secs(60));
    assert_eq!((h.now - before).as_secs(), 30);
    assert_eq!(
        first_line(&third),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    // rejected: over for good, nothing more is sent.
    let mut n = Notifier::new(&third, "ast-3");
    h.deliver(&n.ok(&third, 600));
    h.deliver(&n.notify("dialog", "terminated;reason=rejected", None));
    h.take();
    let events = sub_events(&mut h);
    assert_eq!(
        events.last().unwrap(),
        &(
            id,
            SubscriptionEvent::Ended {
                status: None,
                reason: "rejected".into()
            }
        )
    );
    h.advance(secs(3000)); // short of the registration's refresh
    assert!(h.sent.is_empty());
    assert!(h.ua.subscriptions().is_empty());
    h.assert_idle();
}

#[test]
fn a_refresh_answered_481_starts_a_new_dialog_and_refusals_end_it() {
    let mut h = Harness::new(config());
    let (id, n, _) = active_blf(&mut h);
    let refresh = h.advance_until_sent(secs(600));
    h.deliver(&Registrar::new().respond(&refresh, 481, "Call/Transaction Does Not Exist", &[]));
    let fresh = h.take();
    assert_eq!(
        first_line(&fresh),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    assert_ne!(header(&fresh, "Call-ID"), header(&n.subscribe, "Call-ID"));
    assert!(matches!(
        sub_events(&mut h)[..],
        [(
            _,
            SubscriptionEvent::Interrupted {
                status: Some(481),
                ..
            }
        )]
    ));
    // 503 with Retry-After: wait that long.
    h.deliver(&Registrar::new().respond(
        &fresh,
        503,
        "Service Unavailable",
        &["Retry-After: 20".into()],
    ));
    let before = h.now;
    let next = h.advance_until_sent(secs(60));
    assert_eq!((h.now - before).as_secs(), 20);
    // 489 Bad Event: ended.
    h.deliver(&Registrar::new().respond(&next, 489, "Bad Event", &[]));
    let events = sub_events(&mut h);
    assert_eq!(
        events.last().unwrap(),
        &(
            id,
            SubscriptionEvent::Ended {
                status: Some(489),
                reason: "Bad Event".into()
            }
        )
    );
    h.assert_idle();
}

#[test]
fn subscriptions_start_again_after_a_reconnect() {
    let mut h = Harness::new(config());
    let (id, _, registrar) = active_blf(&mut h);
    h.close(1006);
    assert_eq!(
        sub_events(&mut h),
        [(
            id,
            SubscriptionEvent::Interrupted {
                status: None,
                reason: "connection lost".into(),
                retry_in: None
            }
        )]
    );
    // Nothing is sent before the new flow is registered.
    h.advance(secs(2));
    h.open();
    let reg = h.take();
    assert!(reg.starts_with(b"REGISTER "));
    h.deliver(&registrar.ok(&reg, 600));
    let sub = h.take();
    assert_eq!(
        first_line(&sub),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    assert!(header(&sub, "Authorization").is_some());
    let mut n = Notifier::new(&sub, "ast-9");
    h.deliver(&n.ok(&sub, 600));
    h.deliver(&n.notify(
        "dialog",
        "active;expires=600",
        Some((DIALOG_XML, &dialog_body(0, "confirmed"))),
    ));
    h.take();
    let events = sub_events(&mut h);
    assert_eq!(lamp(&events[1].1), LampState::Busy);
    h.assert_idle();
}

#[test]
fn unknown_notifies_get_481_and_unsolicited_mwi_is_reported() {
    let mut h = Harness::new(config());
    h.register(600);
    let fake = Vec::from(
        &b"SUBSCRIBE sip:1002@softphone.test SIP/2.0\r\nFrom: <sip:alice@softphone.test>;tag=nope\r\n\
           To: <sip:1002@softphone.test>\r\nCall-ID: unknown-1\r\n\r\n"[..],
    );
    let mut stranger = Notifier::new(&fake, "x");
    h.deliver(&stranger.notify("dialog", "active", None));
    assert!(first_line(&h.take()).starts_with("SIP/2.0 481 "));
    // Asterisk's MWI for an endpoint with a mailbox: out of any dialog, no To tag.
    let mwi = "Messages-Waiting: yes\r\nMessage-Account: sip:*97@softphone.test\r\nVoice-Message: 2/5 (1/0)\r\n";
    let out_of_dialog = |n: &mut Notifier| {
        let text = String::from_utf8(n.notify(
            "message-summary",
            "active",
            Some(("application/simple-message-summary", mwi)),
        ))
        .unwrap();
        text.replace(
            "To: <sip:alice@softphone.test>;tag=nope",
            "To: <sip:alice@softphone.test>",
        )
        .into_bytes()
    };
    h.deliver_answered(&out_of_dialog(&mut stranger));
    let expected = MessageSummary::parse(mwi).unwrap();
    assert_eq!(
        h.take_events().last().unwrap(),
        &Event::MessageWaiting(expected.clone())
    );
    // With an MWI subscription, the same NOTIFY comes as that subscription's.
    let id =
        h.ua.subscribe(
            "sip:alice@softphone.test",
            "message-summary",
            SubscribeOptions::default(),
            h.now,
        )
        .unwrap();
    h.drain();
    let sub = h.take();
    assert_header(&sub, "Accept", "application/simple-message-summary");
    h.deliver_answered(&out_of_dialog(&mut stranger));
    assert_eq!(
        sub_events(&mut h),
        [(
            id,
            SubscriptionEvent::Notify(NotifyBody::MessageSummary(expected))
        )]
    );
    h.assert_idle();
}
