//! RFC 5769 test vectors (written out from the RFC's text), and the probe's
//! transcripts on virtual time against a scripted TURN server.

use std::net::SocketAddr;

use super::client::{Outcome, Probe, Request};
use super::*;

/// Parses the RFC's hex dump layout: hex pairs, anything else ignored.
fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|b| (b as char).to_digit(16).unwrap() as u8)
        .collect();
    digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
}

/// RFC 5769 section 2.1: sample request (short-term credential).
const REQUEST: &str = "
00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
00 24 00 04 6e 00 01 ff
80 29 00 08 93 2f f9 b1 51 26 3b 36
00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
80 28 00 04 e5 7a 3b cf";
const SHORT_TERM_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

/// RFC 5769 section 2.2: sample IPv4 response.
const RESPONSE_V4: &str = "
01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
00 20 00 08 00 01 a1 47 e1 12 a6 43
00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
80 28 00 04 c0 7d 4c 96";

/// RFC 5769 section 2.3: sample IPv6 response.
const RESPONSE_V6: &str = "
01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
80 28 00 04 c8 fb 0b 4c";

/// RFC 5769 section 2.4: sample request with the long-term credential.
const LONG_TERM_REQUEST: &str = "
00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

#[test]
fn rfc5769_request_integrity_and_fingerprint() {
    let buf = hex(REQUEST);
    let msg = Message::decode(&buf).unwrap();
    assert_eq!((msg.class, msg.method), (Class::Request, BINDING));
    assert_eq!(msg.text(attr::USERNAME).unwrap(), "evtj:h6vY");
    assert_eq!(msg.text(attr::SOFTWARE).unwrap(), "STUN test client");
    assert!(verify_integrity(&buf, SHORT_TERM_PASSWORD.as_bytes()));
    assert!(!verify_integrity(&buf, b"wrong"));
    assert!(verify_fingerprint(&buf));
}

#[test]
fn rfc5769_responses_decode_the_mapped_address() {
    for (dump, want) in [
        (RESPONSE_V4, "192.0.2.1:32853"),
        (RESPONSE_V6, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
    ] {
        let buf = hex(dump);
        let msg = Message::decode(&buf).unwrap();
        assert_eq!((msg.class, msg.method), (Class::Success, BINDING));
        assert_eq!(
            msg.mapped_address().unwrap(),
            want.parse::<SocketAddr>().unwrap()
        );
        assert!(verify_integrity(&buf, SHORT_TERM_PASSWORD.as_bytes()));
        assert!(verify_fingerprint(&buf));
    }
}

#[test]
fn rfc5769_long_term_credential() {
    let buf = hex(LONG_TERM_REQUEST);
    let msg = Message::decode(&buf).unwrap();
    let user = msg.text(attr::USERNAME).unwrap();
    assert_eq!(user, "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}");
    assert_eq!(msg.text(attr::REALM).unwrap(), "example.org");
    assert_eq!(
        msg.text(attr::NONCE).unwrap(),
        "f//499k954d6OL34oL9FSTvy64sA"
    );
    // The password "The\u{AD}M\u{AA}tr\u{2168}" after SASLprep.
    let key = long_term_key(&user, "example.org", "TheMatrIX");
    assert!(verify_integrity(&buf, &key));
}

#[test]
fn encode_reproduces_the_rfc_long_term_request() {
    // Section 2.4 pads with zeros, as this encoder does, so re-signing the decoded
    // attributes must give the RFC's bytes exactly.
    let buf = hex(LONG_TERM_REQUEST);
    let mut msg = Message::decode(&buf).unwrap();
    msg.attrs.retain(|(k, _)| *k != attr::MESSAGE_INTEGRITY);
    let user = msg.text(attr::USERNAME).unwrap();
    let key = long_term_key(&user, "example.org", "TheMatrIX");
    assert_eq!(msg.encode(Some(&key), false), buf);
}

#[test]
fn hostile_bytes_are_errors() {
    for bad in [&b""[..], &[0u8; 19], &[0xC0; 20], &hex(REQUEST)[..30]] {
        assert!(Message::decode(bad).is_err());
    }
    let mut buf = hex(REQUEST);
    buf[2] = 0xFF;
    assert!(Message::decode(&buf).is_err());
}

/// A scripted TURN server's answer to `request`.
fn answer(request: &[u8], class: Class, attrs: &[(u16, Vec<u8>)], key: Option<&[u8]>) -> Vec<u8> {
    let req = Message::decode(request).unwrap();
    let mut msg = Message {
        class,
        method: req.method,
        txid: req.txid,
        attrs: attrs.to_vec(),
    };
    msg.attrs.push((attr::SOFTWARE, b"scripted".to_vec()));
    msg.encode(key, false)
}

fn error(code: u16, reason: &str) -> (u16, Vec<u8>) {
    let mut v = vec![0, 0, (code / 100) as u8, (code % 100) as u8];
    v.extend_from_slice(reason.as_bytes());
    (attr::ERROR_CODE, v)
}

fn allocate() -> Request {
    Request::Allocate {
        username: "1700000000:alice".into(),
        password: "secret".into(),
    }
}

fn challenge(nonce: &str) -> Vec<(u16, Vec<u8>)> {
    vec![
        error(401, "Unauthorized"),
        (attr::REALM, b"softphone.test".to_vec()),
        (attr::NONCE, nonce.as_bytes().to_vec()),
    ]
}

#[test]
fn allocate_answers_the_challenge_then_releases_the_allocation() {
    let mut p = Probe::new(allocate(), [1; 12], true, 0, 5_000);
    let first = p.poll_transmit().unwrap();
    assert!(Message::decode(&first)
        .unwrap()
        .get(attr::USERNAME)
        .is_none());
    p.handle_input(&answer(&first, Class::Error, &challenge("n1"), None), 10);
    let second = p.poll_transmit().unwrap();
    let msg = Message::decode(&second).unwrap();
    assert_eq!(msg.text(attr::NONCE).unwrap(), "n1");
    let key = long_term_key("1700000000:alice", "softphone.test", "secret");
    assert!(verify_integrity(&second, &key));
    let relayed: SocketAddr = "192.0.2.7:50000".parse().unwrap();
    let ok = answer(
        &second,
        Class::Success,
        &[
            (
                attr::XOR_RELAYED_ADDRESS,
                xor_address_value(relayed, &msg.txid),
            ),
            (attr::LIFETIME, 600u32.to_be_bytes().to_vec()),
        ],
        Some(&key),
    );
    p.handle_input(&ok, 20);
    assert_eq!(
        p.outcome(),
        Some(&Outcome::Relayed {
            relayed,
            mapped: None,
            lifetime: Some(600)
        })
    );
    let refresh = Message::decode(&p.poll_transmit().unwrap()).unwrap();
    assert_eq!(refresh.method, REFRESH);
    assert_eq!(refresh.get(attr::LIFETIME).unwrap(), &[0, 0, 0, 0]);
}

#[test]
fn a_second_401_is_bad_credentials_and_438_is_retried() {
    let mut p = Probe::new(allocate(), [2; 12], true, 0, 5_000);
    let first = p.poll_transmit().unwrap();
    p.handle_input(&answer(&first, Class::Error, &challenge("n1"), None), 1);
    let second = p.poll_transmit().unwrap();
    let stale = vec![error(438, "Stale Nonce"), (attr::NONCE, b"n2".to_vec())];
    p.handle_input(&answer(&second, Class::Error, &stale, None), 2);
    let third = p.poll_transmit().unwrap();
    assert_eq!(
        Message::decode(&third).unwrap().text(attr::NONCE).unwrap(),
        "n2"
    );
    p.handle_input(&answer(&third, Class::Error, &challenge("n3"), None), 3);
    assert!(
        matches!(p.outcome(), Some(Outcome::AuthFailed { realm, .. }) if realm == "softphone.test")
    );
}

#[test]
fn udp_retransmits_with_doubling_rto_then_times_out() {
    let mut p = Probe::new(Request::Binding, [3; 12], false, 0, 2_000);
    assert!(p.poll_transmit().is_some());
    let mut sends = 1;
    let mut now = 0;
    for _ in 0..10 {
        let Some(at) = p.poll_timeout() else { break };
        now = at;
        p.handle_timeout(now);
        if p.poll_transmit().is_some() {
            sends += 1;
        }
    }
    // 0, 500, 1500: the next (3500) is past the 2 s deadline.
    assert_eq!(sends, 3);
    assert_eq!(now, 2_000);
    assert_eq!(p.outcome(), Some(&Outcome::Timeout));
}

#[test]
fn stray_answers_are_ignored_and_binding_reads_the_mapped_address() {
    let mut p = Probe::new(Request::Binding, [4; 12], true, 0, 1_000);
    let req = p.poll_transmit().unwrap();
    let mut other = req.clone();
    other[19] ^= 0xFF;
    let mapped: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let txid = Message::decode(&req).unwrap().txid;
    let mut wrong_txid = Message::decode(&other).unwrap();
    wrong_txid.class = Class::Success;
    p.handle_input(&wrong_txid.encode(None, false), 1);
    assert!(p.outcome().is_none());
    let ok = answer(
        &req,
        Class::Success,
        &[(attr::XOR_MAPPED_ADDRESS, xor_address_value(mapped, &txid))],
        None,
    );
    p.handle_input(&ok, 2);
    assert_eq!(p.outcome(), Some(&Outcome::Mapped { mapped }));
}
