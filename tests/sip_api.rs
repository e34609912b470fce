//! The message layer as the core uses it: build, parse, answer a challenge, log.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

use softphone_core::sip::{
    escape_display_name, redact, Challenge, DigestResponse, HeaderName, Message, Method,
    RequestBuilder, ResponseBuilder, Secret,
};

fn register(auth: Option<&str>) -> Vec<u8> {
    let mut b = RequestBuilder::new(Method::Register, "sip:example.com").unwrap();
    b.header("Via", "SIP/2.0/WSS h.invalid;branch=z9hG4bK77")
        .unwrap()
        .header("Max-Forwards", "70")
        .unwrap()
        .header(
            "From",
            &format!("{} <sip:alice@example.com>;tag=ft", escape_display_name("Alice \"A\"").unwrap()),
        )
        .unwrap()
        .header("To", "<sip:alice@example.com>")
        .unwrap()
        .header("Call-ID", "reg1")
        .unwrap()
        .header("CSeq", "2 REGISTER")
        .unwrap()
        .header(
            "Contact",
            "<sip:x@h.invalid;transport=ws>;+sip.instance=\"<urn:uuid:00000000-0000-4000-8000-000000000000>\";expires=600",
        )
        .unwrap();
    if let Some(a) = auth {
        b.header("Authorization", a).unwrap();
    }
    b.build()
}

#[test]
fn register_challenge_answer_round_trip() {
    let first = register(None);
    let req = Message::parse(&first).unwrap();
    assert_eq!(req.from().display_name().unwrap(), "Alice \"A\"");
    let mut r = ResponseBuilder::new(&req, 401, "Unauthorized").unwrap();
    r.to_tag("srv")
        .header(
            "WWW-Authenticate",
            "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5",
        )
        .unwrap();
    let resp_bytes = r.build();
    let resp = Message::parse(&resp_bytes).unwrap();
    assert_eq!(resp.status(), Some(401));
    assert_eq!(resp.to().tag(), Some("srv"));
    assert_eq!(resp.top_via().branch(), Some("z9hG4bK77"));
    assert_eq!(resp.cseq().method, Method::Register);
    let challenges = resp.www_authenticate();
    assert_eq!(challenges.len(), 1);

    let pw = Secret::new("secret");
    let auth = challenges[0]
        .authorize(&DigestResponse {
            username: "alice",
            password: &pw,
            method: "REGISTER",
            uri: "sip:example.com",
            body: b"",
            nc: 10,
            cnonce: "xyz",
        })
        .unwrap();
    assert!(auth.contains("response=\"db46585ab666d4f7cf3c1177e4cb14ff\""));
    assert!(auth.contains("nc=0000000a"));
    let second = register(Some(&auth));
    let m = Message::parse(&second).unwrap();
    let creds = m.authorization();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].param("nc").as_deref(), Some("0000000a"));
    let c = m.contacts();
    assert_eq!(c[0].expires(), Some(600));
    assert!(m.header(HeaderName::ContentLength).is_some());
    assert!(second.ends_with(b"Content-Length: 0\r\n\r\n"));

    let log = redact(&second);
    assert!(log.contains("Authorization: ***"));
    assert!(!log.contains("db46585ab666d4f7cf3c1177e4cb14ff"));
    assert!(log.contains("Call-ID: reg1"));
}

#[test]
fn secret_never_prints() {
    let s = Secret::new("hunter2");
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "***");
    assert_eq!(s.expose(), "hunter2");
}

#[test]
fn challenge_preference_is_orderable() {
    let a = Challenge::parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256").unwrap();
    let b = Challenge::parse("Digest realm=\"r\", nonce=\"n\"").unwrap();
    let best = [b, a].into_iter().max_by_key(|c| c.algorithm).unwrap();
    assert_eq!(best.algorithm.as_str(), "SHA-256");
}

#[test]
fn binary_body_survives() {
    let body: Vec<u8> = (0..=255u8).chain([b'\r', b'\n', 0, b'\n']).collect();
    let mut b = RequestBuilder::new(Method::Message, "sip:bob@example.com").unwrap();
    b.header("Via", "SIP/2.0/WSS h.invalid;branch=z9hG4bK1")
        .unwrap()
        .header("From", "<sip:a@example.com>;tag=1")
        .unwrap()
        .header("To", "<sip:bob@example.com>")
        .unwrap()
        .header("Call-ID", "m1")
        .unwrap()
        .header("CSeq", "1 MESSAGE")
        .unwrap()
        .body("application/octet-stream", &body)
        .unwrap();
    let bytes = b.build();
    let m = Message::parse(&bytes).unwrap();
    assert_eq!(m.body(), &body[..]);
    assert_eq!(m.to_bytes(), bytes);
    assert_eq!(m.media_type(), Some("application/octet-stream"));
    assert!(redact(&bytes).ends_with("[260 bytes of binary body]"));
}
