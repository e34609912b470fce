//! Tests of the typed header views.

use super::name::{eq_known, NAMES};
use super::*;
use crate::sip::Method;

#[test]
fn header_names_long_and_compact() {
    assert_eq!(HeaderName::parse("v"), Some(HeaderName::Via));
    assert_eq!(HeaderName::parse("CALL-id"), Some(HeaderName::CallId));
    assert_eq!(HeaderName::parse("i"), Some(HeaderName::CallId));
    assert_eq!(HeaderName::parse("M"), Some(HeaderName::Contact));
    assert_eq!(
        HeaderName::parse("www-authenticate"),
        Some(HeaderName::WwwAuthenticate)
    );
    assert_eq!(HeaderName::parse("X-Foo"), None);
    assert_eq!(HeaderName::parse("C%6Fntact"), None);
    for (i, (h, long, short)) in NAMES.into_iter().enumerate() {
        assert_eq!(h as usize, i, "NAMES is in declaration order");
        assert_eq!(HeaderName::parse(long), Some(h));
        assert_eq!(HeaderName::parse(&long.to_uppercase()), Some(h));
        assert_eq!(HeaderName::parse(&long.to_lowercase()), Some(h));
        assert_eq!(HeaderName::parse(&format!("{long}x")), None);
        assert_eq!(h.as_str(), long);
        if let Some(c) = short {
            assert_eq!(HeaderName::parse(c), Some(h));
            assert_eq!(HeaderName::parse(&c.to_uppercase()), Some(h));
        }
    }
    assert!(same_header_name("s", "subject"));
    assert!(same_header_name("l", "Content-Length"));
    assert!(!same_header_name("s", "To"));
}

#[test]
fn known_names_compare_as_eq_ignore_case() {
    for (_, long, _) in NAMES {
        let long = long.as_bytes();
        let mut variants = vec![
            long.to_vec(),
            long.to_ascii_lowercase(),
            long.to_ascii_uppercase(),
            long[1..].to_vec(),
            [long, b"x"].concat(),
        ];
        for i in 0..long.len() {
            for c in [
                0u8, b'-', b'\r', b'\x0d', b'_', b'@', b'`', b'[', b'{', 0x80, 0xc0, 0xe0,
            ] {
                let mut v = long.to_vec();
                v[i] = c;
                variants.push(v.clone());
                v[i] = long[i] ^ 0x20;
                variants.push(v.clone());
                v[i] = long[i] ^ 0x60;
                variants.push(v);
            }
        }
        for v in variants {
            let want = v.eq_ignore_ascii_case(long);
            assert_eq!(eq_known(&v, long), want, "{v:?} {long:?}");
        }
    }
}

#[test]
fn name_addr_forms() {
    let a = NameAddr::parse(r#" "Alice \"A\"" <sip:alice@example.com;transport=ws>;tag=abc ;x"#)
        .unwrap();
    assert_eq!(a.display_name().unwrap(), r#"Alice "A""#);
    assert_eq!(a.uri().host(), "example.com");
    assert_eq!(a.uri().param("transport"), Some(Some("ws")));
    assert_eq!(a.tag(), Some("abc"));
    assert_eq!(a.param("x"), Some(None));
    assert!(a.as_str().starts_with("\"Alice") && a.as_str().ends_with(";x"));

    let b = NameAddr::parse("sip:bob@example.com;tag=1").unwrap();
    assert_eq!(b.display_name(), None);
    assert_eq!(b.tag(), Some("1"));
    assert_eq!(b.uri().as_str(), "sip:bob@example.com");

    let c = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
    assert_eq!(c.display_name().unwrap(), "caller");

    let d = NameAddr::parse(
        "<sip:a@192.0.2.1;transport=ws>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=600",
    )
    .unwrap();
    assert_eq!(
        d.param("+sip.instance"),
        Some(Some("\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""))
    );
    assert_eq!(Contact::Addr(d).expires(), Some(600));
}

#[test]
fn name_addr_rejects() {
    for bad in [
        "\"Mr. J. User <sip:j.user@example.com>",
        "Bell, Alexander <sip:a.g.bell@bell-tel.com>;tag=43",
        "\"Watson\" < sip:t.watson@example.org >",
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
        "<sip:a@b",
        "\"Joe\" <sip:joe@example.org>;;;;",
        "",
    ] {
        assert!(NameAddr::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn via_forms() {
    let v = Via::parse("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw").unwrap();
    assert_eq!(v.transport(), "UDP");
    assert_eq!(v.host(), "192.0.2.2");
    assert_eq!(v.branch(), Some("390skdjuw"));
    let v = Via::parse("SIP/2.0/WSS [2001:db8::9]:443;rport;branch=z9hG4bK1;received=2001:db8::1")
        .unwrap();
    assert_eq!(v.host(), "[2001:db8::9]");
    assert_eq!(v.port(), Some(443));
    assert_eq!(v.param("rport"), Some(None));
    assert_eq!(v.param("received"), Some(Some("2001:db8::1")));
    assert!(Via::parse("SIP/2.0/UDP 192.0.2.15;;").is_err());
    assert!(Via::parse("SIP/3.0/UDP h").is_err());
    assert!(Via::parse("SIP/2.0/UDP").is_err());
    assert!(Via::parse("SIP/2.0/UDP h:70000").is_err());
}

#[test]
fn cseq_and_retry_after() {
    let c = CSeq::parse(" 0009\r\n  INVITE").unwrap();
    assert_eq!((c.seq, c.method), (9, Method::Invite));
    assert!(CSeq::parse("2147483648 INVITE").is_err());
    assert_eq!(CSeq::parse("2147483647 X").unwrap().seq, 2_147_483_647);
    assert!(CSeq::parse("1").is_err());
    assert!(CSeq::parse("INVITE").is_err());
    let r = RetryAfter::parse("18000;duration=3600").unwrap();
    assert_eq!((r.seconds, r.duration), (18000, Some(3600)));
    let r = RetryAfter::parse("120 (I'm in a (meeting))").unwrap();
    assert_eq!((r.seconds, r.duration), (120, None));
    assert!(RetryAfter::parse("949302838503028349304023988").is_err());
    assert!(RetryAfter::parse("5 (open").is_err());
}
