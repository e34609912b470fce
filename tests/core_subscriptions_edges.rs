//! SUBSCRIBE/NOTIFY (RFC 6665) transcripts beyond the life of one subscription
//! (`core_subscriptions.rs`): many lamps paced, bad NOTIFYs, a flow lost under the
//! first SUBSCRIBE, 423 Interval Too Brief, an early unsubscribe, typed errors for bad
//! arguments, against the scripted notifier of `support/notifier.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::subscription::{DialogInfo, LampState};
use softphone_core::core::{
    NotifyBody, SubscribeOptions, SubscriptionEvent, SubscriptionId, SubscriptionState,
};
use support::*;

#[test]
fn a_hundred_lamps_start_paced_at_the_configured_rate() {
    let mut c = config();
    c.subscribe_rate = 10;
    let mut h = Harness::new(c);
    h.register(600);
    let start = h.now;
    let ids: Vec<SubscriptionId> = (0..100)
        .map(|i| {
            h.ua.subscribe(
                &format!("{}", 2000 + i),
                "dialog",
                SubscribeOptions::default(),
                h.now,
            )
            .unwrap()
        })
        .collect();
    h.drain();
    let mut sent_at = Vec::new();
    let mut targets = Vec::new();
    while sent_at.len() < 100 {
        let req = h.advance_until_sent(secs(20));
        sent_at.push((h.now - start).as_millis() as u64);
        targets.push(first_line(&req));
        let n = Notifier::new(&req, "t");
        h.deliver(&n.ok(&req, 600));
    }
    // One every 100 ms, in the order asked for: never more than 10 in any second.
    for (k, at) in sent_at.iter().enumerate() {
        assert_eq!(*at, k as u64 * 100, "SUBSCRIBE {k}");
        let in_window = sent_at
            .iter()
            .filter(|t| **t >= *at && **t < at + 1000)
            .count();
        assert!(
            in_window <= 10,
            "{in_window} SUBSCRIBEs in the second from {at} ms"
        );
    }
    assert_eq!(targets[0], "SUBSCRIBE sip:2000@softphone.test SIP/2.0");
    assert_eq!(targets[99], "SUBSCRIBE sip:2099@softphone.test SIP/2.0");
    assert_eq!(h.ua.subscriptions(), ids);
    // stop: every dialog is unsubscribed at once, before the un-REGISTER.
    h.stop();
    let mut unsubscribes = 0;
    while let Some(msg) = h.sent.pop_front() {
        if msg.starts_with(b"SUBSCRIBE ") {
            assert_header(&msg, "Expires", "0");
            unsubscribes += 1;
        } else {
            assert!(msg.starts_with(b"REGISTER "), "{}", first_line(&msg));
        }
    }
    assert_eq!(unsubscribes, 100);
    let ended = sub_events(&mut h)
        .iter()
        .filter(|(_, e)| matches!(e, SubscriptionEvent::Ended { .. }))
        .count();
    assert_eq!(ended, 100);
    h.assert_idle();
}

#[test]
fn bad_notifies_never_panic_and_are_answered() {
    let mut h = Harness::new(config());
    let (_, mut n, _) = active_blf(&mut h);
    let bodies = [
        "<dialog-info",
        "<dialog-info version=\"9\" state=\"full\"><dialog id=\"x\"><state>early</dialog></dialog-info>",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><dialog-info/>",
        "\u{0}\u{1}<<<>>>",
    ];
    for body in bodies {
        h.deliver(&n.notify("dialog", "active;expires=600", Some((DIALOG_XML, body))));
        assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    }
    let malformed = sub_events(&mut h)
        .iter()
        .filter(|(_, e)| matches!(e, SubscriptionEvent::Notify(NotifyBody::Malformed { .. })))
        .count();
    assert_eq!(malformed, bodies.len());
    // No Subscription-State: 400.
    let text = String::from_utf8(n.notify("dialog", "active", None)).unwrap();
    let without = text.replace("Subscription-State: active\r\n", "");
    h.deliver(without.as_bytes());
    assert!(first_line(&h.take()).starts_with("SIP/2.0 400"));
    let _ = DialogInfo::parse("<x/>");
    h.assert_idle();
}

#[test]
fn a_flow_lost_under_the_first_subscribe_subscribes_again_once_registered() {
    let mut h = Harness::new(config());
    let registrar = h.register(3600);
    let id =
        h.ua.subscribe("1002", "dialog", SubscribeOptions::default(), h.now)
            .unwrap();
    h.drain();
    let lost = h.take();
    assert!(lost.starts_with(b"SUBSCRIBE "));
    h.close(1006);
    // No dialog yet, so nothing to report but the wait; the new flow brings it back.
    assert!(sub_events(&mut h).is_empty());
    h.advance(secs(2));
    h.open();
    let reg = h.take();
    h.deliver(&registrar.ok(&reg, 3600));
    let again = h.take();
    assert_eq!(
        first_line(&again),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    assert_ne!(
        header(&again, "Call-ID"),
        header(&lost, "Call-ID"),
        "the PBX may have seen the first: a dialog of its own"
    );
    let mut n = Notifier::new(&again, "ast-r");
    h.deliver(&n.ok(&again, 600));
    h.deliver(&n.notify("dialog", "pending;expires=600", None));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert_eq!(
        sub_events(&mut h),
        [(
            id,
            SubscriptionEvent::State {
                state: SubscriptionState::Pending,
                expires: 600
            }
        )]
    );
    h.assert_idle();
}

#[test]
fn interval_too_brief_is_retried_with_min_expires_and_an_early_unsubscribe_waits_for_the_2xx() {
    let mut h = Harness::new(config());
    h.register(3600);
    let options = SubscribeOptions {
        expires: Some(60),
        ..SubscribeOptions::default()
    };
    let id = h.ua.subscribe("1002", "presence", options, h.now).unwrap();
    h.drain();
    let first = h.take();
    assert_header(&first, "Expires", "60");
    h.deliver(&Registrar::new().respond(
        &first,
        423,
        "Interval Too Brief",
        &["Min-Expires: 120".into()],
    ));
    let second = h.take();
    assert_header(&second, "Expires", "120");
    assert_header(&second, "CSeq", "2 SUBSCRIBE");
    // The application stops it before the answer: unsubscribed as soon as the dialog exists.
    h.ua.unsubscribe(id, h.now).unwrap();
    h.drain();
    assert!(h.sent.is_empty(), "no dialog to unsubscribe in yet");
    let mut n = Notifier::new(&second, "ast-u");
    h.deliver(&n.ok(&second, 120));
    let unsub = h.take();
    assert_header(&unsub, "Expires", "0");
    assert!(header(&unsub, "To").unwrap().contains(";tag=ast-u"));
    h.deliver(&n.ok(&unsub, 0));
    // No final NOTIFY: the end guard ends it 5 s later.
    h.advance(secs(5));
    assert_unsubscribed(&mut h, id);
    assert!(matches!(
        h.ua.unsubscribe(id, h.now),
        Err(softphone_core::core::RequestError::NoSuchSubscription)
    ));
    let _ = n.notify("presence", "terminated", None);
    h.assert_idle();
}

#[test]
fn bad_subscribe_arguments_are_typed_errors() {
    use softphone_core::core::RequestError;
    let mut h = Harness::new(config());
    let bad = |accept: &[&str], headers: &[(&str, &str)], expires: Option<u32>| SubscribeOptions {
        accept: accept.iter().map(|s| s.to_string()).collect(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        expires,
    };
    for (target, package, options) in [
        ("1002", "dia log", SubscribeOptions::default()),
        ("1002", "", SubscribeOptions::default()),
        ("1002", "dialog", bad(&["text"], &[], None)),
        ("1002", "dialog", bad(&["a/b\r\nX: y"], &[], None)),
        ("1002", "dialog", bad(&[], &[("Event", "presence")], None)),
        ("1002", "dialog", bad(&[], &[], Some(0))),
        ("", "dialog", SubscribeOptions::default()),
        ("1002\r\n", "dialog", SubscribeOptions::default()),
    ] {
        let r = h.ua.subscribe(target, package, options, h.now);
        assert!(
            matches!(
                r,
                Err(RequestError::InvalidValue(_) | RequestError::InvalidTarget(_))
            ),
            "{target:?} {package:?}: {r:?}"
        );
    }
    // Before start: accepted, and sent once registered.
    let id =
        h.ua.subscribe("1002", "dialog", SubscribeOptions::default(), h.now)
            .unwrap();
    h.register(3600);
    let sub = h.take();
    assert!(sub.starts_with(b"SUBSCRIBE sip:1002@softphone.test "));
    assert_eq!(h.ua.subscriptions(), [id]);
    h.assert_idle();
}

#[test]
fn the_answer_to_a_refresh_of_an_ended_dialog_does_not_answer_for_the_new_one() {
    let mut h = Harness::new(config());
    let (id, mut n, _) = active_blf(&mut h);
    let refresh = h.advance_until_sent(secs(600));
    assert!(header(&refresh, "To").unwrap().contains(";tag=ast-1"));
    // The notifier ends the dialog while the refresh is out; a new SUBSCRIBE follows.
    h.deliver(&n.notify("dialog", "terminated;reason=timeout", None));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    let fresh = h.advance_until_sent(ms(100));
    assert!(!header(&fresh, "To").unwrap().contains("tag="));
    // The old refresh's 200 comes late: dropped as stray.
    h.deliver(&n.ok(&refresh, 600));
    assert!(h.sent.is_empty());
    let mut m = Notifier::new(&fresh, "ast-new");
    h.deliver(&m.ok(&fresh, 600));
    h.deliver(&m.notify(
        "dialog",
        "active;expires=600",
        Some((DIALOG_XML, &dialog_body(0, "early"))),
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    let events = sub_events(&mut h);
    assert!(matches!(
        events[0],
        (_, SubscriptionEvent::Interrupted { .. })
    ));
    assert_eq!(lamp(&events.last().unwrap().1), LampState::Ringing);
    // The next refresh goes in the new dialog.
    let next = h.advance_until_sent(secs(600));
    assert!(
        header(&next, "To").unwrap().contains(";tag=ast-new"),
        "{}",
        header(&next, "To").unwrap()
    );
    let _ = id;
    h.sent.clear();
    h.assert_idle();
}

#[test]
fn a_header_the_stack_writes_is_refused_on_subscribe_with_a_typed_error() {
    let mut h = Harness::new(config());
    h.register(3600);
    let with = |name: &str| SubscribeOptions {
        headers: vec![
            ("X-Panel".to_string(), "7".to_string()),
            (name.to_string(), "x".to_string()),
        ],
        ..SubscribeOptions::default()
    };
    // Event, Expires and Accept come from the package, the lifetime and `accept`;
    // the rest every request owns. The one validator (ExtraHeaders, target
    // Subscribe) names the header, and no subscription is made.
    for name in [
        "Event", "o", "Expires", "Accept", "Contact", "CSeq", "Route",
    ] {
        assert_header_refused(h.ua.subscribe("1002", "dialog", with(name), h.now), name);
    }
    h.drain();
    assert!(h.ua.subscriptions().is_empty());
    h.assert_idle();
    // An application header goes out on the SUBSCRIBE.
    h.ua.subscribe("1002", "dialog", with("X-Desk"), h.now)
        .unwrap();
    h.drain();
    let sub = h.take();
    assert!(sub.starts_with(b"SUBSCRIBE sip:1002@softphone.test "));
    assert_header(&sub, "X-Panel", "7");
    assert_header(&sub, "X-Desk", "x");
    assert_header(&sub, "Event", "dialog");
}
