//! MESSAGE (RFC 3428) out of dialog, as transcripts on virtual time: sent with a
//! digest retry and a typed outcome, received with 200, 415 or 413.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    Event, IncomingMessage, MessageEvent, MessageId, MessageOptions, RequestError,
};
use support::*;

fn message_events(h: &mut Harness) -> Vec<MessageEvent> {
    h.take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            // The registration's, already looked at by `register`, and a lost flow's.
            Event::Connection(_) | Event::Registration(_) => None,
            other => panic!("unexpected event {other:?}"),
        })
        .collect()
}

fn body(msg: &[u8]) -> String {
    let text = String::from_utf8_lossy(msg);
    text.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

#[test]
fn a_message_is_challenged_answered_and_delivered_with_202() {
    let mut h = Harness::new(config());
    let mut registrar = h.register(600);
    let id =
        h.ua.send_message("bob", "hello Bob", MessageOptions::default(), h.now)
            .unwrap();
    h.drain();
    let first = h.take();
    assert_eq!(first_line(&first), "MESSAGE sip:bob@softphone.test SIP/2.0");
    assert_header(&first, "To", "<sip:bob@softphone.test>");
    assert!(header(&first, "From").unwrap().contains(";tag="));
    assert_header(&first, "Content-Type", "text/plain");
    assert_eq!(body(&first), "hello Bob");
    assert_eq!(header(&first, "Contact"), None, "MESSAGE makes no dialog");
    assert_eq!(
        header(&first, "Authorization"),
        None,
        "REGISTER credentials stay there"
    );
    // Asterisk challenges every request of an endpoint, MESSAGE included.
    h.deliver(&registrar.challenge(&first, false));
    let second = h.take();
    registrar.check_auth(&second, PASSWORD);
    assert_eq!(header(&second, "Call-ID"), header(&first, "Call-ID"));
    assert_header(&second, "CSeq", "2 MESSAGE");
    assert_eq!(body(&second), "hello Bob");
    h.deliver(&registrar.respond(&second, 202, "Accepted", &[]));
    assert_eq!(
        message_events(&mut h),
        [MessageEvent::Delivered { id, status: 202 }]
    );
    h.assert_idle();
}

#[test]
fn refusals_timeouts_and_lost_flows_fail_with_their_status() {
    let mut h = Harness::new(config());
    let mut registrar = h.register(600);
    let opts = || MessageOptions {
        content_type: "application/json".into(),
        headers: vec![("X-Ticket".into(), "42".into())],
    };
    // 404.
    let a =
        h.ua.send_message("sip:nobody@softphone.test", "{}", opts(), h.now)
            .unwrap();
    h.drain();
    let req = h.take();
    assert_header(&req, "X-Ticket", "42");
    assert_header(&req, "Content-Type", "application/json");
    h.deliver(&registrar.respond(&req, 404, "Not Found", &[]));
    // A second challenge after credentials: the password was refused.
    let b = h.ua.send_message("bob", "x", opts(), h.now).unwrap();
    h.drain();
    let req = h.take();
    h.deliver(&registrar.challenge(&req, false));
    let req = h.take();
    h.deliver(&registrar.challenge(&req, false));
    assert_eq!(
        message_events(&mut h),
        [
            MessageEvent::Failed {
                id: a,
                status: 404,
                reason: "Not Found".into()
            },
            MessageEvent::Failed {
                id: b,
                status: 401,
                reason: "Unauthorized".into()
            }
        ]
    );
    // No answer at all: Timer F.
    let c = h.ua.send_message("bob", "x", opts(), h.now).unwrap();
    h.drain();
    h.take();
    h.advance(secs(33));
    assert_eq!(
        message_events(&mut h),
        [MessageEvent::Failed {
            id: c,
            status: 408,
            reason: "Request Timeout".into()
        }]
    );
    // The flow goes away under it: 503, and the next one needs a connection.
    let d = h.ua.send_message("bob", "x", opts(), h.now).unwrap();
    h.drain();
    h.take();
    h.close(1006);
    assert_eq!(
        message_events(&mut h),
        [MessageEvent::Failed {
            id: d,
            status: 503,
            reason: "Service Unavailable".into()
        }]
    );
    h.assert_idle();
}

#[test]
fn bad_arguments_are_typed_errors() {
    let mut h = Harness::new(config());
    assert_eq!(
        h.ua.send_message("bob", "x", MessageOptions::default(), h.now),
        Err(RequestError::NotConnected)
    );
    h.register(600);
    let bad = |headers: Vec<(&str, &str)>, ct: &str| MessageOptions {
        content_type: ct.into(),
        headers: headers
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    for (target, options) in [
        ("bob", bad(vec![("X-A", "1\r\nVia: x")], "text/plain")),
        ("bob", bad(vec![("Call-ID", "mine")], "text/plain")),
        ("bob", bad(vec![], "text/plain\r\nX: y")),
        ("bob", bad(vec![], "plain")),
        ("bob\r\nVia: x", MessageOptions::default()),
        ("", MessageOptions::default()),
        ("http://example.com", MessageOptions::default()),
    ] {
        let r = h.ua.send_message(target, "x", options, h.now);
        assert!(
            matches!(
                r,
                Err(RequestError::InvalidValue(_) | RequestError::InvalidTarget(_))
            ),
            "{target:?}: {r:?}"
        );
    }
    h.drain();
    h.assert_idle();
}

#[test]
fn a_header_the_stack_writes_is_refused_on_message_with_a_typed_error() {
    let mut h = Harness::new(config());
    h.register(600);
    let with = |name: &str| MessageOptions {
        headers: vec![
            ("X-Ticket".to_string(), "42".to_string()),
            (name.to_string(), "x".to_string()),
        ],
        ..MessageOptions::default()
    };
    // The one validator of every request's extra headers (ExtraHeaders, target
    // Message) says why, and nothing goes out.
    for name in [
        "Content-Type",
        "c",
        "Via",
        "Call-ID",
        "Authorization",
        "Route",
    ] {
        assert_header_refused(h.ua.send_message("bob", "x", with(name), h.now), name);
    }
    h.drain();
    h.assert_idle();
    // Expires is the sender's on a MESSAGE (RFC 3428): it goes out as given.
    h.ua.send_message("bob", "x", with("Expires"), h.now)
        .unwrap();
    h.drain();
    let sent = h.take();
    assert_header(&sent, "X-Ticket", "42");
    assert_header(&sent, "Expires", "x");
    assert_header(&sent, "Content-Type", "text/plain");
}

fn incoming(content_type: Option<&str>, body: &str) -> Vec<u8> {
    let ct = content_type.map_or(String::new(), |c| format!("Content-Type: {c}\r\n"));
    format!(
        "MESSAGE sip:alice@softphone.test SIP/2.0\r\n\
         Via: SIP/2.0/WSS 192.0.2.1:8089;branch=z9hG4bKmsg1\r\n\
         Max-Forwards: 69\r\n\
         From: \"Bob\" <sip:bob@softphone.test>;tag=b1\r\n\
         To: <sip:alice@softphone.test>\r\n\
         Call-ID: msg-1@pbx\r\n\
         CSeq: 3 MESSAGE\r\n\
         X-Ticket: 42\r\n\
         {ct}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn incoming_messages_are_answered_and_reported() {
    let mut h = Harness::new(config());
    h.register(600);
    h.deliver(&incoming(Some("text/plain;charset=UTF-8"), "hi Alice"));
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert!(header(&ok, "To").unwrap().contains(";tag="));
    let events = message_events(&mut h);
    let [MessageEvent::Received(IncomingMessage {
        from,
        display_name,
        to,
        content_type,
        body,
        headers,
    })] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert_eq!(from, "sip:bob@softphone.test");
    assert_eq!(display_name.as_deref(), Some("Bob"));
    assert_eq!(to, "sip:alice@softphone.test");
    assert_eq!(content_type, "text/plain;charset=UTF-8");
    assert_eq!(body, "hi Alice");
    assert!(headers.contains(&("X-Ticket".to_string(), "42".to_string())));

    // A type the application did not allow: 415 with what it accepts.
    h.deliver(&incoming(Some("text/html"), "<b>hi</b>"));
    let refused = h.take();
    assert_eq!(first_line(&refused), "SIP/2.0 415 Unsupported Media Type");
    assert_header(&refused, "Accept", "text/plain");
    // Too big: 413.
    h.deliver(&incoming(Some("text/plain"), &"x".repeat(70_000)));
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 413 Request Entity Too Large"
    );
    assert!(
        message_events(&mut h).is_empty(),
        "refused messages are not reported"
    );
    h.assert_idle();
}

#[test]
fn the_accepted_types_and_the_size_limit_come_from_the_config() {
    let mut c = config();
    c.message_accept = vec!["text/plain".into(), "application/json".into()];
    c.message_max_bytes = 10;
    let mut h = Harness::new(c);
    h.register(600);
    h.deliver_answered(&incoming(Some("Application/JSON"), "{}"));
    h.deliver(&incoming(Some("image/png"), "x"));
    let refused = h.take();
    assert_header(&refused, "Accept", "text/plain, application/json");
    h.deliver(&incoming(Some("text/plain"), "12345678901"));
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 413 Request Entity Too Large"
    );
    let events = message_events(&mut h);
    assert_eq!(events.len(), 1);
    h.assert_idle();
    let _ = MessageId(0);
}
