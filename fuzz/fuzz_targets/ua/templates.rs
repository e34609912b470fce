//! The messages the UA fuzzer's scripted peers send: the registrar's and the far
//! end's responses, and the far end's requests, written as text after the
//! transcript tests' scripted peers (`tests/support/`).
//!
//! A template is filled in from what the user agent sent last (its Call-IDs, tags,
//! branches and CSeqs), so that most generated messages match a transaction or a
//! dialog and reach the deep states; the fuzzer then mutates the bytes.

use std::collections::VecDeque;

/// The value of the first header called `name` (case-insensitive).
pub fn header<'a>(msg: &'a str, name: &'a str) -> Option<&'a str> {
    headers(msg, name).next()
}

/// Every header line called `name`, in order.
pub fn headers<'a>(msg: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    // Lines split on the byte, not on "\r\n": this runs for every template, and a
    // substring search costs the fuzzer a third of its time.
    msg.split('\n')
        .skip(1)
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .take_while(|line| !line.is_empty())
        .filter_map(move |line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

/// The method of a request, `None` for a response.
pub fn method(msg: &str) -> Option<&str> {
    (!msg.starts_with("SIP/2.0")).then(|| msg.split(' ').next().unwrap_or(""))
}

/// The CSeq number of a message.
fn cseq_number(msg: &str) -> u32 {
    header(msg, "CSeq")
        .and_then(|c| c.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// An SDP from the far end, in the given direction.
pub fn remote_sdp(direction: &str) -> String {
    format!(
        "v=0\r\no=- 99 1 IN IP4 198.51.100.2\r\ns=-\r\nt=0 0\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n\
c=IN IP4 198.51.100.2\r\na=ice-ufrag:rmt1\r\na={direction}\r\na=rtcp-mux\r\n"
    )
}

/// A local description as the browser reports it: host only, with a relay, or junk.
pub fn local_sdp(kind: u8) -> &'static str {
    match kind % 4 {
        0 => "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
c=IN IP4 0.0.0.0\r\na=ice-ufrag:lcl1\r\na=ice-pwd:pwpwpwpwpwpwpwpwpwpwpw\r\na=setup:actpass\r\na=mid:0\r\n\
a=sendrecv\r\na=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0\r\n",
        1 => "v=0\r\no=- 4611 3 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
c=IN IP4 0.0.0.0\r\na=ice-ufrag:lcl2\r\na=sendrecv\r\n\
a=candidate:3 1 udp 41885439 203.0.113.9 60000 typ relay raddr 0.0.0.0 rport 0\r\n",
        2 => "v=0\r\no=- 4611 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
        _ => "not an sdp",
    }
}

/// What the scripted peers remember of the user agent's messages.
#[derive(Debug, Default)]
pub struct Peers {
    /// The user agent's last SIP messages, newest last.
    pub recent: VecDeque<String>,
    /// The far end's CSeq for in-dialog requests.
    cseq: u32,
}

const RECENT: usize = 24;

impl Peers {
    /// Remembers a SIP message the user agent sent.
    pub fn sent(&mut self, msg: String) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(msg);
    }

    /// The `pick`-th newest message the user agent sent that `filter` accepts.
    fn find(&self, pick: u8, filter: impl Fn(&str) -> bool) -> Option<&str> {
        let matching: Vec<&str> = self
            .recent
            .iter()
            .rev()
            .map(String::as_str)
            .filter(|m| filter(m))
            .collect();
        // Mostly the newest: that is the one a transaction or dialog waits on.
        let i = if pick < 192 { 0 } else { usize::from(pick) };
        matching.get(i % matching.len().max(1)).copied()
    }

    /// Builds the message of template `which` (`arg` fills in its details), or `None`
    /// when the user agent has sent nothing it could answer.
    pub fn build(&mut self, which: u8, arg: u8, pick: u8) -> Option<String> {
        let is = |m: &'static str| move |msg: &str| method(msg) == Some(m);
        Some(match which % 40 {
            // The registrar, on a REGISTER.
            0 => challenge(self.find(pick, is("REGISTER"))?, 401, arg, false),
            1 => challenge(self.find(pick, is("REGISTER"))?, 401, arg, true),
            2 => {
                let req = self.find(pick, is("REGISTER"))?;
                let expires = [0, 1, 60, 600, 3600, 86400][usize::from(arg) % 6];
                let contact = header(req, "Contact").unwrap_or("<sip:x@y>");
                let contact = contact.split(";expires=").next().unwrap_or(contact);
                response(
                    req,
                    200,
                    &[&format!("Contact: {contact};expires={expires}")],
                    None,
                )
            }
            3 => {
                let req = self.find(pick, is("REGISTER"))?;
                // RFC 5626 outbound: the registrar asks for keepalives.
                let contact = format!("Contact: {}", header(req, "Contact").unwrap_or("<sip:x@y>"));
                let extra = [
                    contact.as_str(),
                    "Require: outbound",
                    "Flow-Timer: 25",
                    "Path: <sip:edge.invalid;lr;ob>",
                ];
                response(req, 200, &extra, None)
            }
            4 => response(
                self.find(pick, is("REGISTER"))?,
                423,
                &["Min-Expires: 1200"],
                None,
            ),
            5 => {
                let after = format!("Retry-After: {}", arg % 40);
                response(self.find(pick, is("REGISTER"))?, 503, &[&after], None)
            }
            6 => response(self.find(pick, is("REGISTER"))?, 403, &[], None),
            7 => response(self.find(pick, is("REGISTER"))?, 100, &[], None),
            8 => challenge(self.find(pick, is("REGISTER"))?, 407, arg, false),
            // The far end, on our INVITE (initial or re-INVITE).
            9 => response(self.find(pick, is("INVITE"))?, 100, &[], None),
            10 => response(self.find(pick, is("INVITE"))?, 180, &[], None),
            11 => {
                let sdp = remote_sdp("sendrecv");
                response(self.find(pick, is("INVITE"))?, 183, &[], Some(&sdp))
            }
            12 => {
                let dir = ["sendrecv", "recvonly", "sendonly", "inactive"][usize::from(arg) % 4];
                let sdp = remote_sdp(dir);
                response(
                    self.find(pick, is("INVITE"))?,
                    200,
                    &["Allow: INVITE, ACK, BYE, UPDATE"],
                    Some(&sdp),
                )
            }
            13 => response(self.find(pick, is("INVITE"))?, 200, &[], None),
            14 => {
                let code = [486, 487, 603, 480, 404, 500, 488, 408][usize::from(arg) % 8];
                response(self.find(pick, is("INVITE"))?, code, &[], None)
            }
            15 => challenge(
                self.find(pick, is("INVITE"))?,
                407 - 6 * u16::from(arg & 1),
                arg,
                false,
            ),
            16 => response(self.find(pick, is("INVITE"))?, 491, &[], None),
            17 => response(self.find(pick, is("INVITE"))?, 422, &["Min-SE: 1800"], None),
            18 => {
                let sdp = remote_sdp("sendrecv");
                let se = [
                    "Session-Expires: 90;refresher=uac",
                    "Session-Expires: 1800;refresher=uas",
                ][usize::from(arg & 1)];
                response(
                    self.find(pick, is("INVITE"))?,
                    200,
                    &[se, "Require: timer"],
                    Some(&sdp),
                )
            }
            19 => {
                // A forked provisional response from a second branch of the far end.
                response_tagged(self.find(pick, is("INVITE"))?, 180, "fork2", &[], None)
            }
            // The far end, on our other requests (BYE, CANCEL, INFO, REFER, UPDATE, NOTIFY).
            20..=23 => {
                let req = self.find(pick, |m| {
                    !matches!(method(m), None | Some("REGISTER" | "INVITE" | "ACK"))
                })?;
                let code = [200, 202, 481, 408, 491, 500, 100, 403][usize::from(arg) % 8];
                if code == 481 && which % 2 == 0 {
                    challenge(req, 401, arg, false)
                } else {
                    response(req, code, &[], None)
                }
            }
            // The far end's requests outside any dialog.
            24 => self.invite(arg, Some(&remote_sdp("sendrecv")), &[]),
            // An INVITE with Replaces naming one of our dialogs (RFC 3891), as the target
            // of an attended transfer gets it; `early-only` sometimes.
            25 if arg & 4 != 0 => self.replacing_invite(arg, pick)?,
            25 => self.invite(arg, None, &[]),
            26 => self.invite(
                arg,
                Some(&remote_sdp("sendrecv")),
                &["Session-Expires: 120;refresher=uac", "Supported: timer"],
            ),
            27 => {
                let invite = self.invite(arg, None, &[]);
                let first = invite
                    .split("\r\n")
                    .next()
                    .unwrap_or("")
                    .replace("INVITE", "CANCEL");
                let head: Vec<&str> = invite
                    .split("\r\n")
                    .filter(|l| {
                        l.starts_with("Via")
                            || l.starts_with("From")
                            || l.starts_with("To:")
                            || l.starts_with("Call-ID")
                    })
                    .collect();
                format!("{first}\r\n{}\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", head.join("\r\n"))
            }
            28 => out_of_dialog("OPTIONS", arg),
            29 => out_of_dialog("MESSAGE", arg),
            // The far end's requests inside a dialog of ours.
            30 => self.in_dialog("INVITE", pick, Some(&remote_sdp("sendonly")), &[])?,
            31 => self.in_dialog(
                "INVITE",
                pick,
                Some(&remote_sdp(["sendrecv", "inactive"][usize::from(arg & 1)])),
                &[],
            )?,
            32 => self.in_dialog("INVITE", pick, None, &[])?,
            33 => {
                let sdp = remote_sdp("sendrecv");
                self.in_dialog("UPDATE", pick, (arg & 1 == 0).then_some(sdp.as_str()), &[])?
            }
            34 => self.in_dialog("BYE", pick, None, &[])?,
            35 => self.in_dialog(
                "REFER",
                pick,
                None,
                &[
                    [
                        "Refer-To: <sip:carol@softphone.test>",
                        "Refer-To: <sip:carol@softphone.test?Replaces=c1%40pbx%3Bto-tag%3Da%3Bfrom-tag%3Db>",
                        "Refer-To: <sip:carol@softphone.test?Replaces=c1%3Bto-tag%3Da>",
                    ][usize::from(arg) % 3],
                    "Referred-By: <sip:bob@softphone.test>",
                ],
            )?,
            36 => {
                let frag = [
                    "SIP/2.0 100 Trying",
                    "SIP/2.0 180 Ringing",
                    "SIP/2.0 200 OK",
                    "SIP/2.0 503 Unavailable",
                ][usize::from(arg) % 4];
                let state = if arg % 4 >= 2 {
                    "terminated;reason=noresource"
                } else {
                    "active;expires=60"
                };
                let state = format!("Subscription-State: {state}");
                let body = format!("{frag}\r\n");
                self.in_dialog_body(
                    "NOTIFY",
                    pick,
                    Some(("message/sipfrag", &body)),
                    &["Event: refer", &state],
                )?
            }
            37 => {
                let digit = ["1", "#", "*", "A", "x"][usize::from(arg) % 5];
                let body = format!("Signal={digit}\r\nDuration=160\r\n");
                self.in_dialog_body("INFO", pick, Some(("application/dtmf-relay", &body)), &[])?
            }
            38 => self.in_dialog("OPTIONS", pick, None, &[])?,
            _ => {
                let sdp = remote_sdp("sendrecv");
                self.ack(pick, (arg & 1 == 1).then_some(sdp.as_str()))?
            }
        })
    }

    /// A new INVITE from the far end; `arg` picks one of a few Call-IDs, so that
    /// retransmissions and CANCELs match.
    fn invite(&self, arg: u8, sdp: Option<&str>, extra: &[&str]) -> String {
        let n = arg % 3;
        let mut out = format!(
            "INVITE sip:alice@softphone.test;transport=ws SIP/2.0\r\n\
             Record-Route: <sip:127.0.0.1:18080;transport=ws;lr;r2=on>\r\n\
             Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKinv{n}\r\n\
             Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKbob{n}\r\n\
             Max-Forwards: 69\r\n\
             From: \"Bob\" <sip:bob@softphone.test>;tag=bob{n}\r\n\
             To: <sip:alice@softphone.test>\r\n\
             Call-ID: far-call-{n}@pbx\r\n\
             CSeq: 1 INVITE\r\n\
             Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n\
             Allow: INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY\r\n"
        );
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        with_body(out, sdp.map(|b| ("application/sdp", b)))
    }

    /// A request from the far end inside the dialog of one of the user agent's
    /// messages: a request it sent, or its response to an INVITE.
    /// A new INVITE whose Replaces names the dialog of one of our messages.
    fn replacing_invite(&self, arg: u8, pick: u8) -> Option<String> {
        let ours = self.find(pick, |m| header(m, "Call-ID").is_some())?;
        let (local, remote) = if self::method(ours).is_some() {
            (header(ours, "From")?, header(ours, "To")?)
        } else {
            (header(ours, "To")?, header(ours, "From")?)
        };
        let tag = |h: &str| {
            h.split(";tag=")
                .nth(1)
                .map(|t| t.split(';').next().unwrap_or("").to_string())
        };
        let early = if arg & 8 != 0 { ";early-only" } else { "" };
        let replaces = format!(
            "Replaces: {};to-tag={};from-tag={}{early}",
            header(ours, "Call-ID")?,
            tag(local)?,
            tag(remote).unwrap_or_else(|| "bobtag".into())
        );
        Some(self.invite(arg, Some(&remote_sdp("sendrecv")), &[&replaces]))
    }

    fn in_dialog(
        &mut self,
        method: &str,
        pick: u8,
        sdp: Option<&str>,
        extra: &[&str],
    ) -> Option<String> {
        self.in_dialog_body(method, pick, sdp.map(|b| ("application/sdp", b)), extra)
    }

    /// As [`Peers::in_dialog`], with a body of any type.
    fn in_dialog_body(
        &mut self,
        method: &str,
        pick: u8,
        body: Option<(&str, &str)>,
        extra: &[&str],
    ) -> Option<String> {
        let ours = self.find(pick, |m| {
            header(m, "To").is_some_and(|t| t.contains("tag=")) || self::method(m) == Some("INVITE")
        })?;
        let (local, remote) = if self::method(ours).is_some() {
            (header(ours, "From")?, header(ours, "To")?)
        } else {
            (header(ours, "To")?, header(ours, "From")?)
        };
        let remote = if remote.contains("tag=") {
            remote.to_string()
        } else {
            format!("{remote};tag=bobtag")
        };
        let call_id = header(ours, "Call-ID")?.to_string();
        let local = local.to_string();
        self.cseq += 1;
        let seq = 100 + self.cseq;
        let mut out = format!(
            "{method} sip:alice@192.0.2.10;transport=ws SIP/2.0\r\n\
             Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKin{seq}\r\n\
             Max-Forwards: 69\r\nFrom: {remote}\r\nTo: {local}\r\nCall-ID: {call_id}\r\nCSeq: {seq} {method}\r\n\
             Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n"
        );
        for line in extra {
            out.push_str(line);
            out.push_str("\r\n");
        }
        Some(with_body(out, body))
    }

    /// The far end's ACK for the user agent's 2xx to an INVITE.
    fn ack(&self, pick: u8, sdp: Option<&str>) -> Option<String> {
        let ok = self.find(pick, |m| {
            m.starts_with("SIP/2.0 2") && header(m, "CSeq").is_some_and(|c| c.ends_with("INVITE"))
        })?;
        let seq = cseq_number(ok);
        let out = format!(
            "ACK sip:alice@192.0.2.10;transport=ws SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKack{seq}\r\n\
             Max-Forwards: 69\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {seq} ACK\r\n",
            header(ok, "From")?,
            header(ok, "To")?,
            header(ok, "Call-ID")?
        );
        Some(with_body(out, sdp.map(|b| ("application/sdp", b))))
    }
}

/// A request from somewhere outside any dialog.
fn out_of_dialog(method: &str, arg: u8) -> String {
    let out = format!(
        "{method} sip:alice@softphone.test SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bKood{arg}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@softphone.test>;tag=p{arg}\r\nTo: <sip:alice@softphone.test>\r\n\
         Call-ID: ood-{arg}@pbx\r\nCSeq: 7 {method}\r\n"
    );
    with_body(
        out,
        (method == "MESSAGE").then_some(("text/plain", "hello")),
    )
}

/// A response to `req` with the far end's To tag.
fn response(req: &str, code: u16, extra: &[&str], sdp: Option<&str>) -> String {
    response_tagged(req, code, "bobtag", extra, sdp)
}

fn response_tagged(req: &str, code: u16, tag: &str, extra: &[&str], sdp: Option<&str>) -> String {
    let mut out = format!("SIP/2.0 {code} Reason\r\n");
    for via in headers(req, "Via") {
        out.push_str(&format!("Via: {via}\r\n"));
    }
    let dialog = code > 100 && code < 300 && method(req) != Some("REGISTER");
    if dialog {
        out.push_str("Record-Route: <sip:127.0.0.1:18080;transport=ws;lr;r2=on>\r\n");
    }
    let to = header(req, "To").unwrap_or("<sip:x@y>");
    let to = if to.contains("tag=") || code == 100 {
        to.to_string()
    } else {
        format!("{to};tag={tag}")
    };
    let from = header(req, "From").unwrap_or("<sip:x@y>;tag=x");
    let call_id = header(req, "Call-ID").unwrap_or("x");
    let cseq = header(req, "CSeq").unwrap_or("1 INVITE");
    out.push_str(&format!(
        "From: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq}\r\n"
    ));
    if dialog {
        out.push_str("Contact: <sip:bob@198.51.100.2:5060;transport=udp>\r\n");
    }
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    with_body(out, sdp.map(|b| ("application/sdp", b)))
}

/// A 401 or 407 with an MD5 challenge (`arg` picks the nonce).
fn challenge(req: &str, code: u16, arg: u8, stale: bool) -> String {
    let name = if code == 407 {
        "Proxy-Authenticate"
    } else {
        "WWW-Authenticate"
    };
    let stale = if stale { ", stale=true" } else { "" };
    let line = format!(
        "{name}: Digest realm=\"softphone.test\", nonce=\"n{}\", qop=\"auth\", algorithm=MD5{stale}",
        arg % 4
    );
    response(req, code, &[&line], None)
}

/// Appends Content-Type, Content-Length and the body.
fn with_body(mut out: String, body: Option<(&str, &str)>) -> String {
    match body {
        Some((ct, b)) => {
            out.push_str(&format!("Content-Type: {ct}\r\n"));
            out.push_str(&format!("Content-Length: {}\r\n\r\n{b}", b.len()));
        }
        None => out.push_str("Content-Length: 0\r\n\r\n"),
    }
    out
}
