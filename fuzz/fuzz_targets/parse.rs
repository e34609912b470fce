//! Parses arbitrary bytes as a SIP message; when that succeeds, serializes, re-parses
//! (which must succeed and give the same bytes) and calls every typed accessor.
//! Also feeds the bytes to the stand-alone value parsers and to `redact`.
//!
//! Seed corpus: `fuzz/seed.sh` copies the RFC 4475 messages into `fuzz/corpus/parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use softphone_core::sip::{
    error_response, redact, Challenge, Contact, Credentials, DigestResponse, Message, NameAddr,
    Reason, Replaces, RetryAfter, Secret, SessionExpires, Uri, Via,
};

fn exercise(m: &Message<'_>) {
    let _ = (m.start_line(), m.is_request(), m.method().as_str());
    let _ = (m.request_uri(), m.status(), m.reason(), m.body());
    let v = m.top_via();
    let _ = (
        v.transport(),
        v.host(),
        v.port(),
        v.branch(),
        v.param("rport"),
    );
    for v in m.vias() {
        let _ = (v.host(), v.branch());
    }
    for a in [m.from(), m.to()] {
        let _ = (a.display_name(), a.tag(), a.param("x"));
        let u = a.uri();
        let _ = (
            u.scheme(),
            u.user(),
            u.host(),
            u.port(),
            u.param("transport"),
        );
    }
    let _ = (m.call_id(), m.cseq());
    for c in m.contacts() {
        let _ = c.expires();
        if let Contact::Addr(a) = c {
            let _ = (a.display_name(), a.param("+sip.instance"));
        }
    }
    let _ = (m.record_route(), m.route(), m.expires(), m.min_expires());
    let _ = (m.retry_after(), m.content_type(), m.media_type());
    let _ = (
        m.content_length(),
        m.max_forwards(),
        m.allow(),
        m.supported(),
    );
    let _ = (m.require(), m.session_expires(), m.min_se(), m.refer_to());
    let _ = (m.referred_by(), m.replaces(), m.reasons());
    let _ = (m.authorization(), m.proxy_authorization());
    let pw = Secret::new("pw");
    for c in m.www_authenticate().iter().chain(&m.proxy_authenticate()) {
        let _ = c.authorize(&DigestResponse {
            username: "u",
            password: &pw,
            method: m.method().as_str(),
            uri: "sip:x",
            body: m.body(),
            nc: u32::MAX,
            cnonce: "c",
        });
    }
    for h in m.headers() {
        let _ = (h.known(), h.value());
        let _ = m.header_by_name(h.name);
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = redact(data);
    let parsed = Message::parse(data);
    if let Err(e) = &parsed {
        let _ = error_response(data, e, "tag");
    }
    if let Ok(m) = parsed {
        exercise(&m);
        let out = m.to_bytes();
        let again = Message::parse(&out).expect("serialized message re-parses");
        assert_eq!(again.to_bytes(), out, "serialization is stable");
        assert_eq!(again.body(), m.body());
        assert_eq!(again.headers().len(), m.headers().len());
        exercise(&again);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = Uri::parse(s).map(|u| (u.param("a"), u.user(), u.headers()));
        let _ = NameAddr::parse(s).map(|a| (a.display_name(), a.tag()));
        let _ = Via::parse(s).map(|v| v.branch());
        let _ = Challenge::parse(s);
        let _ = RetryAfter::parse(s);
        let _ = Credentials::parse(s).map(|c| c.param("nonce"));
        let _ = (
            SessionExpires::parse(s),
            Replaces::parse(s),
            Reason::parse(s),
        );
    }
});
