//! SUBSCRIBE/NOTIFY (RFC 6665) as transcripts on virtual time, against a scripted
//! notifier shaped like Asterisk 18's res_pjsip_pubsub: SUBSCRIBE challenged with 401,
//! `200 OK` with Expires, an immediate NOTIFY with the full state, NOTIFYs on changes
//! with a rising version, `Subscription-State: active;expires=N`, and termination.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::subscription::{DialogInfo, LampState, MessageSummary};
use softphone_core::core::{
    Event, NotifyBody, SubscribeOptions, SubscriptionEvent, SubscriptionId, SubscriptionState,
};
use support::*;

/// The scripted notifier's side of one subscription dialog.
struct Notifier {
    tag: String,
    cseq: u32,
    /// The SUBSCRIBE that made the dialog (its From, Call-ID).
    subscribe: Vec<u8>,
}

const CONTACT: &str = "<sip:asterisk@192.0.2.10:5060;transport=ws>";

impl Notifier {
    fn new(subscribe: &[u8], tag: &str) -> Self {
        Notifier {
            tag: tag.into(),
            cseq: 100,
            subscribe: subscribe.to_vec(),
        }
    }

    /// The 200 to a SUBSCRIBE of this dialog, granting `expires`.
    fn ok(&self, req: &[u8], expires: u32) -> Vec<u8> {
        let mut registrar = Registrar::new();
        registrar.to_tag = self.tag.clone();
        registrar.respond(
            req,
            200,
            "OK",
            &[format!("Contact: {CONTACT}"), format!("Expires: {expires}")],
        )
    }

    /// A NOTIFY in the dialog.
    fn notify(&mut self, event: &str, state: &str, body: Option<(&str, &str)>) -> Vec<u8> {
        self.cseq += 1;
        let sub = &self.subscribe;
        let to = header(sub, "From").unwrap();
        let from = header(sub, "To").unwrap();
        let from = match from.find(";tag=") {
            Some(i) => from[..i].to_string(),
            None => from,
        };
        let (ct, body) = match body {
            Some((ct, b)) => (format!("Content-Type: {ct}\r\n"), b.to_string()),
            None => (String::new(), String::new()),
        };
        format!(
            "NOTIFY sip:x@y.invalid;transport=ws SIP/2.0\r\n\
             Via: SIP/2.0/WS 127.0.0.1:8088;rport;branch=z9hG4bKPj{}{};alias\r\n\
             From: {from};tag={}\r\n\
             To: {to}\r\n\
             Contact: {CONTACT}\r\n\
             Call-ID: {}\r\n\
             CSeq: {} NOTIFY\r\n\
             Event: {event}\r\n\
             Subscription-State: {state}\r\n\
             Allow-Events: presence, dialog, message-summary, refer\r\n\
             Max-Forwards: 70\r\n\
             User-Agent: FPBX-16.0.40(18.19.0)\r\n\
             {ct}Content-Length:  {}\r\n\r\n{body}",
            self.tag,
            self.cseq,
            self.tag,
            header(sub, "Call-ID").unwrap(),
            self.cseq,
            body.len()
        )
        .into_bytes()
    }
}

/// Asterisk's dialog-info document for extension 1002.
fn dialog_body(version: u32, state: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"{version}\" state=\"full\" entity=\"sip:1002@softphone.test\">\n \
         <dialog id=\"1002\">\n  <state>{state}</state>\n </dialog>\n</dialog-info>\n"
    )
}

const DIALOG_XML: &str = "application/dialog-info+xml";

fn sub_events(h: &mut Harness) -> Vec<(SubscriptionId, SubscriptionEvent)> {
    h.take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Subscription { id, event } => Some((id, event)),
            Event::Connection(_) | Event::Registration(_) => None,
            other => panic!("unexpected event {other:?}"),
        })
        .collect()
}

/// Asserts that the only new subscription event is `id` ending as unsubscribed, and
/// that no subscription is left.
fn assert_unsubscribed(h: &mut Harness, id: SubscriptionId) {
    let ended = SubscriptionEvent::Ended {
        status: None,
        reason: "unsubscribed".into(),
    };
    assert_eq!(sub_events(h), [(id, ended)]);
    assert!(h.ua.subscriptions().is_empty());
}

fn lamp(event: &SubscriptionEvent) -> LampState {
    match event {
        SubscriptionEvent::Notify(NotifyBody::Dialog(info)) => info.lamp(),
        other => panic!("not a dialog NOTIFY: {other:?}"),
    }
}

/// Registers, subscribes to BLF of 1002 through a challenge, and gets it active
/// and idle. Returns the subscription, the notifier, and the registrar.
fn active_blf(h: &mut Harness) -> (SubscriptionId, Notifier, Registrar) {
    // An hour: the registration's refreshes stay out of the way of the transcripts.
    let mut registrar = h.register(3600);
    let id =
        h.ua.subscribe("1002", "dialog", SubscribeOptions::default(), h.now)
            .unwrap();
    h.drain();
    let first = h.take();
    assert_eq!(
        first_line(&first),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    assert_header(&first, "Event", "dialog");
    assert_eq!(header(&first, "Accept").unwrap(), DIALOG_XML);
    assert_header(&first, "Expires", "600");
    assert!(header(&first, "Contact")
        .unwrap()
        .contains(".invalid;transport=ws>"));
    h.deliver(&registrar.challenge(&first, false));
    let second = h.take();
    registrar.check_auth(&second, PASSWORD);
    assert_eq!(header(&second, "Call-ID"), header(&first, "Call-ID"));
    assert_header(&second, "CSeq", "2 SUBSCRIBE");
    let mut n = Notifier::new(&second, "ast-1");
    h.deliver(&n.ok(&second, 600));
    h.deliver(&n.notify(
        "dialog",
        "active;expires=600",
        Some((DIALOG_XML, &dialog_body(0, "terminated"))),
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    let events = sub_events(h);
    assert_eq!(
        events[0],
        (
            id,
            SubscriptionEvent::State {
                state: SubscriptionState::Active,
                expires: 600
            }
        )
    );
    assert_eq!(lamp(&events[1].1), LampState::Idle);
    assert_eq!(events.len(), 2);
    (id, n, registrar)
}

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
