//! The OPTIONS probe of `diagnose()` against a server that challenges OPTIONS as
//! Asterisk does (`401`, realm `asterisk`, `qop="auth"`, an opaque): reachable without
//! credentials, answered with them, refused credentials told apart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::probe::{OptionsProbe, ProbeCredentials, ProbeOutcome, ProbeStep};
use softphone_core::sip::Secret;
use support::{digest_param, first_line, header, headers, md5_hex};

const PASSWORD: &str = "pbx-Pa55";

/// Asterisk's answer to `req`: `401` with its challenge, or `code` with no auth header.
fn asterisk(req: &[u8], code: u16, reason: &str) -> Vec<u8> {
    let mut out = format!("SIP/2.0 {code} {reason}\r\n");
    for via in headers(req, "Via") {
        out.push_str(&format!("Via: {via};received=127.0.0.1\r\n"));
    }
    out.push_str(&format!(
        "Call-ID: {}\r\nFrom: {}\r\nTo: {};tag=z9hG4bK.asterisk\r\nCSeq: {}\r\n",
        header(req, "Call-ID").unwrap(),
        header(req, "From").unwrap(),
        header(req, "To").unwrap(),
        header(req, "CSeq").unwrap()
    ));
    if code == 401 {
        out.push_str("WWW-Authenticate: Digest realm=\"asterisk\",nonce=\"1764770000/4f2a1c0d9e8b7a6f5e4d3c2b1a098765\",opaque=\"6d1a2b3c4d5e6f70\",algorithm=MD5,qop=\"auth\"\r\n");
    }
    out.push_str("Server: FPBX-16.0.40(18.19.0)\r\nContent-Length:  0\r\n\r\n");
    out.into_bytes()
}

fn probe(credentials: Option<&str>) -> OptionsProbe {
    let credentials = credentials.map(|p| ProbeCredentials {
        username: "1001".into(),
        password: Secret::new(p),
    });
    OptionsProbe::new(
        "pbx.example.com",
        "sip:1001@pbx.example.com",
        credentials,
        true,
        [11; 32],
    )
}

fn done(step: Option<ProbeStep>) -> ProbeOutcome {
    match step {
        Some(ProbeStep::Done(outcome)) => outcome,
        other => panic!("expected the end of the probe, got {other:?}"),
    }
}

#[test]
fn without_credentials_a_challenge_means_reachable_and_asking_for_them() {
    let mut p = probe(None);
    let req = p.request().unwrap();
    assert_eq!(first_line(&req), "OPTIONS sip:pbx.example.com SIP/2.0");
    assert!(header(&req, "Via").unwrap().starts_with("SIP/2.0/WSS "));
    assert_eq!(
        p.on_message(b"\r\n\r\n"),
        None,
        "a keepalive is not the answer"
    );
    let outcome = done(p.on_message(&asterisk(&req, 401, "Unauthorized")));
    assert_eq!(outcome.status, 401);
    assert!(outcome.challenged && !outcome.authenticated);
    assert!(outcome.needs_credentials() && !outcome.credentials_refused());
}

#[test]
fn with_credentials_the_challenge_is_answered_once() {
    let mut p = probe(Some(PASSWORD));
    let first = p.request().unwrap();
    assert!(header(&first, "Authorization").is_none());
    let Some(ProbeStep::Send(second)) = p.on_message(&asterisk(&first, 401, "Unauthorized")) else {
        panic!("the challenge is answered");
    };
    assert_eq!(header(&second, "Call-ID"), header(&first, "Call-ID"));
    assert_eq!(header(&second, "CSeq").unwrap(), "2 OPTIONS");
    assert_ne!(
        header(&second, "Via"),
        header(&first, "Via"),
        "a new branch"
    );
    let auth = header(&second, "Authorization").expect("Authorization");
    let param = |n: &str| digest_param(&auth, n).unwrap_or_else(|| panic!("no {n} in {auth}"));
    assert_eq!(param("username"), "1001");
    assert_eq!(param("realm"), "asterisk");
    assert_eq!(param("opaque"), "6d1a2b3c4d5e6f70", "the opaque is echoed");
    assert_eq!(param("qop"), "auth");
    let ha1 = md5_hex(&format!("1001:asterisk:{PASSWORD}"));
    let ha2 = md5_hex(&format!("OPTIONS:{}", param("uri")));
    let expected = md5_hex(&format!(
        "{ha1}:{}:{}:{}:auth:{ha2}",
        param("nonce"),
        param("nc"),
        param("cnonce")
    ));
    assert_eq!(param("response"), expected);
    // A late answer to the first request is not the answer to the second.
    assert_eq!(p.on_message(&asterisk(&first, 200, "OK")), None);
    let outcome = done(p.on_message(&asterisk(&second, 200, "OK")));
    assert_eq!(outcome.status, 200);
    assert!(outcome.challenged && outcome.authenticated);
    assert!(!outcome.needs_credentials() && !outcome.credentials_refused());
}

#[test]
fn a_second_challenge_means_the_credentials_were_refused() {
    let mut p = probe(Some("wrong"));
    let first = p.request().unwrap();
    let Some(ProbeStep::Send(second)) = p.on_message(&asterisk(&first, 401, "Unauthorized")) else {
        panic!("the challenge is answered");
    };
    let outcome = done(p.on_message(&asterisk(&second, 401, "Unauthorized")));
    assert!(outcome.credentials_refused(), "{outcome:?}");
}

#[test]
fn a_server_that_does_not_challenge_answers_at_once() {
    let mut p = probe(Some(PASSWORD));
    let req = p.request().unwrap();
    let outcome = done(p.on_message(&asterisk(&req, 200, "OK")));
    assert_eq!(
        outcome,
        ProbeOutcome {
            status: 200,
            reason: "OK".into(),
            challenged: false,
            authenticated: false,
            server: Some("FPBX-16.0.40(18.19.0)".into())
        }
    );
    let mut p = probe(None);
    let req = p.request().unwrap();
    let outcome = done(p.on_message(&asterisk(&req, 404, "Not Found")));
    assert_eq!(
        outcome.status, 404,
        "any answer proves the server speaks SIP"
    );
}
