//! The scripted peers of the transcript tests: a registrar (digest challenges
//! checked with an independent MD5 computation) and a far end as Kamailio relays it,
//! writing their messages as text, and the SDPs both sides use.

use md5::{Digest, Md5};

use super::{first_line, header, headers};

/// A parameter of a digest header (`name=value` or `name="value"`).
pub fn digest_param(value: &str, name: &str) -> Option<String> {
    let rest = value.trim_start().strip_prefix("Digest")?.trim();
    let mut out = None;
    let mut remaining = rest;
    while !remaining.is_empty() {
        let (key, after) = remaining.split_once('=')?;
        let key = key.trim().trim_start_matches(',').trim();
        let after = after.trim_start();
        let (val, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if key.eq_ignore_ascii_case(name) {
            out = Some(val.to_string());
        }
        remaining = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

pub fn md5_hex(data: &str) -> String {
    let digest = Md5::digest(data.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A scripted registrar for `softphone.test`.
pub struct Registrar {
    pub nonce: String,
    pub to_tag: String,
    nonces: u32,
}

impl Registrar {
    pub fn new() -> Self {
        Registrar {
            nonce: "nonce-1".into(),
            to_tag: "reg-tag".into(),
            nonces: 1,
        }
    }

    /// A response to `req` with `code reason` and extra header lines.
    pub fn respond(&self, req: &[u8], code: u16, reason: &str, extra: &[String]) -> Vec<u8> {
        let mut out = format!("SIP/2.0 {code} {reason}\r\n");
        for via in headers(req, "Via") {
            out.push_str(&format!("Via: {via}\r\n"));
        }
        let to = header(req, "To").expect("To");
        let to = if to.contains(";tag=") {
            to
        } else {
            format!("{to};tag={}", self.to_tag)
        };
        out.push_str(&format!("From: {}\r\n", header(req, "From").expect("From")));
        out.push_str(&format!("To: {to}\r\n"));
        out.push_str(&format!(
            "Call-ID: {}\r\n",
            header(req, "Call-ID").expect("Call-ID")
        ));
        out.push_str(&format!("CSeq: {}\r\n", header(req, "CSeq").expect("CSeq")));
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("Server: scripted-registrar\r\nContent-Length: 0\r\n\r\n");
        out.into_bytes()
    }

    /// A 401 with a fresh (or `stale`) MD5 challenge.
    pub fn challenge(&mut self, req: &[u8], stale: bool) -> Vec<u8> {
        self.nonces += 1;
        self.nonce = format!("nonce-{}", self.nonces);
        let stale = if stale { ", stale=true" } else { "" };
        let www = format!(
            "WWW-Authenticate: Digest realm=\"softphone.test\", nonce=\"{}\", qop=\"auth\", algorithm=MD5{stale}",
            self.nonce
        );
        self.respond(req, 401, "Unauthorized", &[www])
    }

    /// Checks the request's Authorization against `password`, independently of the crate.
    pub fn check_auth(&self, req: &[u8], password: &str) {
        let auth = header(req, "Authorization").expect("the request carries Authorization");
        let p = |n: &str| digest_param(&auth, n).unwrap_or_else(|| panic!("no {n} in {auth}"));
        assert_eq!(p("username"), "alice");
        assert_eq!(p("realm"), "softphone.test");
        assert_eq!(p("nonce"), self.nonce, "answers the latest nonce");
        assert_eq!(p("qop"), "auth");
        assert_eq!(p("nc").len(), 8, "nc is 8 hex digits");
        let method = first_line(req).split(' ').next().unwrap_or("").to_string();
        let ha1 = md5_hex(&format!("alice:softphone.test:{password}"));
        let ha2 = md5_hex(&format!("{method}:{}", p("uri")));
        let expected = md5_hex(&format!(
            "{ha1}:{}:{}:{}:auth:{ha2}",
            p("nonce"),
            p("nc"),
            p("cnonce")
        ));
        assert_eq!(p("response"), expected, "digest response");
    }

    /// A 200 granting the request's Contact for `expires` seconds.
    pub fn ok(&self, req: &[u8], expires: u32) -> Vec<u8> {
        let contact = header(req, "Contact").expect("Contact");
        let contact = match contact.find(";expires=") {
            Some(i) => contact[..i].to_string(),
            None => contact,
        };
        self.respond(
            req,
            200,
            "OK",
            &[format!("Contact: {contact};expires={expires}")],
        )
    }
}

/// An SDP as the browser reports it with host candidates only.
pub const SDP_HOST: &str = "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:lcl1\r\na=ice-pwd:pwpwpwpwpwpwpwpwpwpwpw\r\n\
a=fingerprint:sha-256 00:11\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n\
a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0\r\n";

/// The same with a relay candidate added.
pub fn sdp_with_relay() -> String {
    format!("{SDP_HOST}a=candidate:3 1 udp 41885439 203.0.113.9 60000 typ relay raddr 0.0.0.0 rport 0\r\n")
}

/// An SDP from the far end, with the given direction.
pub fn remote_sdp(direction: &str) -> String {
    format!(
        "v=0\r\no=- 99 1 IN IP4 198.51.100.2\r\ns=-\r\nt=0 0\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n\
c=IN IP4 198.51.100.2\r\na=ice-ufrag:rmt1\r\na={direction}\r\na=rtcp-mux\r\n"
    )
}

/// Ends a message whose start line and headers are in `out`: the `extra` header lines,
/// then the body (`(content type, text)`) with its Content-Length, or none.
fn finish(mut out: String, extra: &[String], body: Option<(&str, &str)>) -> Vec<u8> {
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    match body {
        Some((ct, b)) => out.push_str(&format!(
            "Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        )),
        None => out.push_str("Content-Length: 0\r\n\r\n"),
    }
    out.into_bytes()
}

/// The far end of a call, as Kamailio relays it.
pub struct Peer {
    pub tag: String,
    pub cseq: u32,
    pub call_id: String,
}

impl Peer {
    pub fn new() -> Self {
        Peer {
            tag: "bobtag".into(),
            cseq: 100,
            call_id: "far-call-1@pbx".into(),
        }
    }

    /// A response to `req` from the far end, with To tag, Contact and Record-Route.
    pub fn reply(
        &self,
        req: &[u8],
        code: u16,
        reason: &str,
        sdp: Option<&str>,
        extra: &[String],
    ) -> Vec<u8> {
        let mut out = format!("SIP/2.0 {code} {reason}\r\n");
        for via in headers(req, "Via") {
            out.push_str(&format!("Via: {via}\r\n"));
        }
        if code > 100 && code < 300 {
            out.push_str("Record-Route: <sip:127.0.0.1:5060;lr;r2=on>\r\nRecord-Route: <sip:127.0.0.1:18080;transport=ws;lr;r2=on>\r\n");
        }
        let to = header(req, "To").expect("To");
        let to = if to.contains(";tag=") || code == 100 {
            to
        } else {
            format!("{to};tag={}", self.tag)
        };
        out.push_str(&format!(
            "From: {}\r\nTo: {to}\r\n",
            header(req, "From").unwrap()
        ));
        out.push_str(&format!(
            "Call-ID: {}\r\nCSeq: {}\r\n",
            header(req, "Call-ID").unwrap(),
            header(req, "CSeq").unwrap()
        ));
        if code > 100 && code < 300 {
            out.push_str("Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n");
        }
        finish(out, extra, sdp.map(|sdp| ("application/sdp", sdp)))
    }

    /// A new INVITE from bob to alice.
    pub fn invite(&self, sdp: Option<&str>, extra: &[String]) -> Vec<u8> {
        let out = format!(
            "INVITE sip:x@y.invalid;transport=ws SIP/2.0\r\n\
             Record-Route: <sip:127.0.0.1:18080;transport=ws;lr;r2=on>\r\n\
             Record-Route: <sip:127.0.0.1:5060;lr;r2=on>\r\n\
             Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKinv1\r\n\
             Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKbob1\r\n\
             Max-Forwards: 69\r\n\
             From: \"Bob\" <sip:bob@softphone.test>;tag={}\r\n\
             To: <sip:alice@softphone.test>\r\n\
             Call-ID: {}\r\n\
             CSeq: {} INVITE\r\n\
             Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n\
             Allow: INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY\r\n",
            self.tag, self.call_id, self.cseq
        );
        finish(out, extra, sdp.map(|sdp| ("application/sdp", sdp)))
    }

    /// A request from bob inside the dialog the UA's message `ours` belongs to
    /// (a request we sent, or our response to bob's INVITE).
    pub fn in_dialog(
        &mut self,
        method: &str,
        ours: &[u8],
        body: Option<(&str, &str)>,
        extra: &[String],
    ) -> Vec<u8> {
        self.cseq += 1;
        let ours_is_request = !ours.starts_with(b"SIP/2.0");
        // Our tag is in From of our requests, in To of our responses.
        let (our_addr, their_addr) = if ours_is_request {
            (header(ours, "From").unwrap(), header(ours, "To").unwrap())
        } else {
            (header(ours, "To").unwrap(), header(ours, "From").unwrap())
        };
        let their_addr = if their_addr.contains(";tag=") {
            their_addr
        } else {
            format!("{their_addr};tag={}", self.tag)
        };
        let out = format!(
            "{method} sip:x@y.invalid;transport=ws SIP/2.0\r\n\
             Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKin{}\r\n\
             Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKb{}\r\n\
             Max-Forwards: 69\r\nFrom: {their_addr}\r\nTo: {our_addr}\r\nCall-ID: {}\r\nCSeq: {} {method}\r\n\
             Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n",
            self.cseq, self.cseq, header(ours, "Call-ID").unwrap(), self.cseq
        );
        finish(out, extra, body)
    }

    /// The ACK for our 200 (`ok`) to bob's INVITE.
    pub fn ack(&mut self, ok: &[u8], sdp: Option<&str>) -> Vec<u8> {
        let seq = header(ok, "CSeq")
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        let out = format!(
            "ACK sip:x@y.invalid;transport=ws SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKack{seq}\r\n\
             Max-Forwards: 69\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {seq} ACK\r\n",
            header(ok, "From").unwrap(),
            header(ok, "To").unwrap(),
            header(ok, "Call-ID").unwrap()
        );
        finish(out, &[], sdp.map(|sdp| ("application/sdp", sdp)))
    }
}
