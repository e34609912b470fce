//! Messages shaped like what registrars and PBXes really send to browser user agents.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

use softphone_core::sip::{Algorithm, Contact, HeaderName, Message, Qop};

#[test]
fn kamailio_register_ok() {
    let raw = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/WSS 8mhj2k4s6p0e.invalid;rport=50912;received=127.0.0.1;branch=z9hG4bK5913046\r\n\
To: <sip:alice@example.com>;tag=a6a1c5f60faecf035a1ae5b6e96e979a-7c4a\r\n\
From: <sip:alice@example.com>;tag=0hbd4u3kq6\r\n\
Call-ID: 9o5k9hbnve3r5qhh5qfl3l\r\n\
CSeq: 2 REGISTER\r\n\
Contact: <sip:q5mfo1ff@8mhj2k4s6p0e.invalid;transport=ws;alias=127.0.0.1~50912~6>;expires=600;+sip.instance=\"<urn:uuid:0b7e3f1c-8e76-4d45-a8a5-2b3c4d5e6f70>\";reg-id=1;received=\"sip:127.0.0.1:50912;transport=ws\", <sip:old@8mhj2k4s6p0e.invalid;transport=ws>;expires=12\r\n\
Server: kamailio (5.6.3 (x86_64/linux))\r\n\
Content-Length: 0\r\n\r\n";
    let m = Message::parse(raw).unwrap();
    let v = m.top_via();
    assert_eq!(v.param("rport"), Some(Some("50912")));
    assert_eq!(v.param("received"), Some(Some("127.0.0.1")));
    let cs = m.contacts();
    assert_eq!(cs.len(), 2);
    let Contact::Addr(a) = &cs[0] else { panic!() };
    assert_eq!(a.uri().param("alias"), Some(Some("127.0.0.1~50912~6")));
    assert_eq!(
        a.param("+sip.instance"),
        Some(Some("\"<urn:uuid:0b7e3f1c-8e76-4d45-a8a5-2b3c4d5e6f70>\""))
    );
    assert_eq!(cs[0].expires(), Some(600));
    assert_eq!(cs[1].expires(), Some(12));
    assert_eq!(
        m.header(HeaderName::Server).unwrap(),
        "kamailio (5.6.3 (x86_64/linux))"
    );
}

#[test]
fn asterisk_challenge_with_empty_opaque() {
    let raw = b"SIP/2.0 401 Unauthorized\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;rport=56312;received=192.0.2.7;branch=z9hG4bK8840537\r\n\
Call-ID: 5h1a9nm7r1kd0ev3qq6f\r\n\
From: \"Alice\" <sip:alice@pbx.example.com>;tag=3hfhb0pb9n\r\n\
To: <sip:alice@pbx.example.com>;tag=z9hG4bK8840537\r\n\
CSeq: 1 REGISTER\r\n\
WWW-Authenticate: Digest realm=\"asterisk\",nonce=\"1700000000/0a1b2c3d4e5f\",opaque=\"\",algorithm=md5,qop=\"auth\"\r\n\
Server: Asterisk PBX 20.5.0\r\n\
Content-Length:  0\r\n\r\n";
    let m = Message::parse(raw).unwrap();
    let ch = m.www_authenticate();
    assert_eq!(ch.len(), 1);
    assert_eq!(ch[0].opaque.as_deref(), Some(""));
    assert_eq!(ch[0].algorithm, Algorithm::Md5);
    assert_eq!(ch[0].qop, vec![Qop::Auth]);
    assert_eq!(ch[0].nonce, "1700000000/0a1b2c3d4e5f");
    assert_eq!(m.from().display_name().unwrap(), "Alice");
}

#[test]
fn incoming_invite_via_proxy() {
    let sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    let raw = format!(
        "INVITE sip:q5mfo1ff@8mhj2k4s6p0e.invalid;transport=ws SIP/2.0\r\n\
Record-Route: <sip:127.0.0.1:8080;transport=ws;r2=on;lr=on;ftag=as5f>\r\n\
Record-Route: <sip:127.0.0.1;r2=on;lr=on;ftag=as5f>\r\n\
Via: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bK1234.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5060;received=192.0.2.20;rport=5060;branch=z9hG4bKabc\r\n\
Max-Forwards: 69\r\n\
From: \"Bob \\\"the builder\\\"\" <sip:bob@example.com>;tag=as5f\r\n\
To: <sip:alice@example.com>\r\n\
Contact: <sip:bob@192.0.2.20:5060>\r\n\
Call-ID: 3c26700b5e5b-[2001:db8::1]\r\n\
CSeq: 102 INVITE\r\n\
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER\r\n\
Supported: replaces, timer\r\n\
Session-Expires: 1800;refresher=uac\r\n\
P-Asserted-Identity: \"Bob\" <sip:bob@example.com>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    let m = Message::parse(raw.as_bytes()).unwrap();
    assert_eq!(
        m.request_uri().unwrap().param("transport"),
        Some(Some("ws"))
    );
    assert_eq!(m.vias().len(), 2);
    assert_eq!(m.vias()[1].port(), Some(5060));
    let rr = m.record_route().unwrap();
    assert_eq!(rr[0].uri().port(), Some(8080));
    assert_eq!(rr[0].uri().param("lr"), Some(Some("on")));
    assert_eq!(m.from().display_name().unwrap(), "Bob \"the builder\"");
    assert_eq!(m.call_id(), "3c26700b5e5b-[2001:db8::1]");
    assert_eq!(m.session_expires().unwrap().refresher, Some("uac"));
    assert_eq!(
        m.header_by_name("p-asserted-identity").unwrap(),
        "\"Bob\" <sip:bob@example.com>"
    );
    assert_eq!(m.body(), sdp.as_bytes());
    assert_eq!(m.to_bytes(), raw.as_bytes());
}
