//! Requests from the network: answered correctly, never a panic; secrets stay out of logs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

// The same transcripts run in the browser (wasm-pack test) as on the host.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{Config, Instant, LogLevel, UserAgent};
use support::*;

fn request(method: &str, to_tag: bool) -> Vec<u8> {
    let tag = if to_tag { ";tag=abc" } else { "" };
    format!(
        "{method} sip:x@y.invalid;transport=ws SIP/2.0\r\n\
         Via: SIP/2.0/WSS 192.0.2.1:8089;branch=z9hG4bKq1w2e3\r\n\
         Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKfar\r\n\
         Max-Forwards: 69\r\n\
         From: <sip:pbx@softphone.test>;tag=f1\r\n\
         To: <sip:alice@softphone.test>{tag}\r\n\
         Call-ID: opt-1@pbx\r\n\
         CSeq: 7 {method}\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

#[test]
fn options_out_of_dialog_gets_200_with_allow() {
    let mut h = Harness::new(config());
    h.register(600);
    h.deliver(&request("OPTIONS", false));
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 200 OK");
    assert!(header(&resp, "Allow").unwrap().contains("INVITE"));
    assert_eq!(headers(&resp, "Via").len(), 2, "every Via is copied");
    assert_header(&resp, "CSeq", "7 OPTIONS");
    assert!(header(&resp, "To").unwrap().contains(";tag="));
    h.assert_idle();
}

#[test]
fn unsupported_methods_get_405_with_allow() {
    let mut h = Harness::new(config());
    h.register(600);
    for method in ["PUBLISH", "FROBNICATE", "SUBSCRIBE"] {
        h.deliver(&request(method, false));
        let resp = h.take();
        assert_eq!(
            first_line(&resp),
            "SIP/2.0 405 Method Not Allowed",
            "{method}"
        );
        assert!(header(&resp, "Allow").is_some());
    }
    h.assert_idle();
}

#[test]
fn requests_for_unknown_dialogs_get_481() {
    let mut h = Harness::new(config());
    h.register(600);
    for method in ["BYE", "INFO", "CANCEL"] {
        h.deliver(&request(method, method != "CANCEL"));
        let resp = h.take();
        assert_eq!(
            first_line(&resp),
            "SIP/2.0 481 Call/Transaction Does Not Exist",
            "{method}"
        );
    }
    h.deliver(&request("ACK", true));
    assert!(h.sent.is_empty(), "ACK is never answered");
    h.assert_idle();
}

#[test]
fn garbage_is_dropped_and_the_agent_carries_on() {
    let mut h = Harness::new(config());
    let registrar = h.register(600);
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\x00\x01\x02\xff".to_vec(),
        b"INVITE sip:a SIP/2.0\r\n\r\n".to_vec(),
        b"SIP/2.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec(),
        b"SIP/2.0 200\r\n".to_vec(),
        vec![b'A'; 70_000],
        "REGISTER sip:\u{1F600} SIP/2.0\r\nVia: \r\n\r\n"
            .as_bytes()
            .to_vec(),
    ];
    for input in &inputs {
        h.deliver(input);
    }
    assert!(h.sent.is_empty());
    assert!(h
        .logs
        .iter()
        .any(|(l, m)| *l == LogLevel::Warn && m.contains("malformed")));
    // A stray response and a response with two Vias are dropped too.
    h.deliver(&registrar.respond(&request("OPTIONS", false), 200, "OK", &[]));
    assert!(h.sent.is_empty());
    // Still working.
    h.deliver_answered(&request("OPTIONS", false));
    h.assert_idle();
}

#[test]
fn passwords_and_digests_never_reach_the_logs() {
    let mut h = Harness::new(config());
    let (_, again) = h.stale_refresh();
    let response = digest_param(&header(&again, "Authorization").unwrap(), "response").unwrap();
    assert!(
        h.logs.iter().any(|(l, _)| *l == LogLevel::Trace),
        "trace logging was on"
    );
    for (_, line) in &h.logs {
        assert!(!line.contains(PASSWORD), "password in log: {line}");
        assert!(!line.contains(&response), "digest response in log: {line}");
    }
    let debug = format!("{:?}", config());
    assert!(
        !debug.contains(PASSWORD),
        "Debug of Config shows the password"
    );
    h.assert_idle();
}

#[test]
fn same_seed_same_transcript() {
    // Whole messages, not just first lines: branches, tags, Call-IDs and cnonces come
    // from the seeded generator, and so does the refresh jitter.
    let run = |seed: [u8; 32]| {
        let mut h = Harness::with_seed(config(), seed);
        h.register(60);
        h.advance(secs(200));
        (h.steps, h.wire)
    };
    let (steps, wire) = run([42; 32]);
    // REGISTER, with credentials, the refresh (unanswered: Timer F replaces the flow).
    assert_eq!(wire.len(), 3, "{steps:?}");
    assert_eq!((steps.clone(), wire.clone()), run([42; 32]));
    let (_, other) = run([43; 32]);
    assert_eq!(other.len(), wire.len(), "the same flow");
    for (a, b) in wire.iter().zip(&other) {
        assert_eq!(first_line(a), first_line(b));
        assert_ne!(
            a,
            b,
            "another seed, other branches and tags: {}",
            first_line(a)
        );
    }
}

#[test]
fn config_errors_name_the_field() {
    let check = |c: Config, field: &str| {
        let err = UserAgent::new(c, [0; 32], Instant::ZERO).unwrap_err();
        assert_eq!(err.field, field, "{err}");
    };
    let mut c = config();
    c.aor = "alice@softphone.test".into();
    check(c, "uri");
    let mut c = config();
    c.servers[0].url = "ws://pbx.example.com/ws".into();
    check(c, "servers");
    let mut c = config();
    c.servers.clear();
    check(c, "servers");
    let mut c = config();
    c.display_name = Some("Eve\r\nInjected: yes".into());
    check(c, "displayName");
    let mut c = config();
    c.instance_id = Some("not-a-uuid".into());
    check(c, "instanceId");
}

#[test]
fn a_request_that_does_not_parse_gets_400_when_it_can_be_answered() {
    let mut h = Harness::new(config());
    h.register(600);
    // CSeq method does not match the request method: RFC 4475 section 3.4.1 (mismatch01).
    let bad = String::from_utf8(request("OPTIONS", false))
        .unwrap()
        .replace("CSeq: 7 OPTIONS", "CSeq: 7 INVITE");
    h.deliver(bad.as_bytes());
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 400 Bad Request");
    assert!(header(&resp, "Warning").is_some_and(|w| w.starts_with("399 ")));
    assert_eq!(headers(&resp, "Via").len(), 2);
    let bad = String::from_utf8(request("OPTIONS", false))
        .unwrap()
        .replace("SIP/2.0\r\nVia", "SIP/7.0\r\nVia");
    h.deliver(bad.as_bytes());
    assert_eq!(first_line(&h.take()), "SIP/2.0 505 Version Not Supported");
    h.assert_idle();
}

#[test]
fn requests_the_agent_cannot_serve_are_screened() {
    let mut h = Harness::new(config());
    h.register(600);
    let with = |method: &str, from: &str, to: &str| {
        String::from_utf8(request(method, false))
            .unwrap()
            .replacen(from, to, 1)
            .into_bytes()
    };
    h.deliver(&with(
        "INVITE",
        "INVITE sip:x@y.invalid;transport=ws",
        "INVITE tel:+15550100",
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 416 Unsupported URI Scheme");
    h.deliver(&with(
        "INVITE",
        "Max-Forwards: 69\r\n",
        "Max-Forwards: 69\r\nRequire: 100rel, timer\r\n",
    ));
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 420 Bad Extension");
    assert_header(&resp, "Unsupported", "100rel");
    h.deliver(&with("INVITE", "Max-Forwards: 69", "Max-Forwards: 0"));
    assert_eq!(first_line(&h.take()), "SIP/2.0 483 Too Many Hops");
    h.deliver(&with(
        "INVITE",
        "Content-Length: 0\r\n\r\n",
        "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    ));
    let resp = h.take();
    assert_eq!(first_line(&resp), "SIP/2.0 415 Unsupported Media Type");
    assert_header(&resp, "Accept", "application/sdp");
    assert!(h.ua.calls().is_empty(), "no call was created");
    // OPTIONS with Max-Forwards 0 is still answered as the endpoint.
    h.deliver_answered(&with("OPTIONS", "Max-Forwards: 69", "Max-Forwards: 0"));
    h.assert_idle();
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_rfc4475_torture_messages_never_upset_the_agent() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/rfc4475");
    if !dir.exists() {
        eprintln!("{} is absent: skipped", dir.display());
        return;
    }
    let mut h = Harness::new(config());
    h.auto_pong = true;
    h.register(600);
    let mut delivered = 0;
    for sub in ["valid", "invalid", "extra"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            h.deliver(&bytes);
            delivered += 1;
            // Whatever the agent sends must be a response (or an ACK for one of its own
            // INVITEs, of which there are none here): it never starts anything.
            while let Some(out) = h.sent.pop_front() {
                assert!(
                    out.starts_with(b"SIP/2.0 "),
                    "{}: sent {}",
                    entry.path().display(),
                    first_line(&out)
                );
            }
            // Calls that an INVITE created are rejected so the next file starts clean.
            for call in h.ua.calls() {
                let _ = h.ua.reject(call, 486, h.now);
                let _ = h.ua.hangup(call, h.now);
            }
            h.drain();
            h.sent.clear();
        }
    }
    assert!(delivered >= 49, "{delivered} messages");
    // Still registered and answering.
    h.deliver_answered(&request("OPTIONS", false));
    assert_eq!(h.take_media().1, softphone_core::core::MediaAction::Close);
    assert_eq!(h.take_media().1, softphone_core::core::MediaAction::Close);
    assert_eq!(h.take_media().1, softphone_core::core::MediaAction::Close);
    assert_eq!(h.take_media().1, softphone_core::core::MediaAction::Close);
}
