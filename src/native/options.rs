//! A SIP OPTIONS probe as a small sans-IO state machine, built with [`crate::sip`].
//!
//! [`OptionsProbe::new`] makes the request; every message received goes to
//! [`OptionsProbe::on_message`], which answers a 401/407 once when credentials are
//! given (digest from [`crate::sip::Challenge`]) and otherwise ends the probe at the
//! first final response to it. A challenge still proves the server speaks SIP.
//! (A temporary home: the core is getting a probe of its own in `core/probe.rs`.)

use crate::sip::{Challenge, DigestResponse, Message, Method, RequestBuilder, Secret, StartLine};

/// Credentials to answer a challenge with.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The digest user name.
    pub user: String,
    /// The password; prints as `***`.
    pub password: Secret,
}

/// A final answer to the probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// `Server` or `User-Agent` of the answer.
    pub server: Option<String>,
    /// The response before this one was a challenge that was answered.
    pub after_challenge: Option<u16>,
}

/// One OPTIONS round trip. See the module docs.
#[derive(Debug)]
pub struct OptionsProbe {
    uri: String,
    from: String,
    call_id: String,
    tag: String,
    via_host: String,
    branch_seed: String,
    transport: &'static str,
    cseq: u32,
    credentials: Option<Credentials>,
    challenged: Option<u16>,
    answer: Option<Answer>,
}

impl OptionsProbe {
    /// Makes the probe and its first request, for `domain` (`sip:<domain>`), `from`
    /// (a SIP URI) over WS or WSS. `token` is random text (Call-ID, tag, branch).
    ///
    /// # Errors
    /// The request could not be built from `domain` and `from` (as a sentence).
    pub fn new(
        domain: &str,
        from: &str,
        secure: bool,
        token: &str,
        credentials: Option<Credentials>,
    ) -> Result<(OptionsProbe, Vec<u8>), String> {
        let mut probe = OptionsProbe {
            uri: format!("sip:{domain}"),
            from: from.to_owned(),
            call_id: format!("doctor-{token}"),
            tag: token.chars().rev().collect(),
            via_host: format!("{}.invalid", token.to_ascii_lowercase()),
            branch_seed: token.to_owned(),
            transport: if secure { "WSS" } else { "WS" },
            cseq: 0,
            credentials,
            challenged: None,
            answer: None,
        };
        let request = probe.request(None)?;
        Ok((probe, request))
    }

    /// The final answer, once it came.
    pub fn answer(&self) -> Option<&Answer> {
        self.answer.as_ref()
    }

    /// Feeds a received message; returns a request to send (the challenge answered).
    pub fn on_message(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let msg = Message::parse(data).ok()?;
        let StartLine::Response { code, reason, .. } = msg.start_line() else {
            return None;
        };
        let (code, reason) = (*code, reason.to_string());
        if self.answer.is_some()
            || msg.call_id() != self.call_id
            || msg.cseq().seq != self.cseq
            || code < 200
        {
            return None;
        }
        if matches!(code, 401 | 407) && self.challenged.is_none() {
            if let Some(creds) = self.credentials.clone() {
                let challenges = if code == 401 {
                    msg.www_authenticate()
                } else {
                    msg.proxy_authenticate()
                };
                if let Some(request) = challenges
                    .first()
                    .and_then(|c| self.answer_challenge(c, code, &creds))
                {
                    self.challenged = Some(code);
                    return Some(request);
                }
            }
        }
        let server = msg
            .header_by_name("Server")
            .or_else(|| msg.header_by_name("User-Agent"))
            .map(|s| s.into_owned());
        self.answer = Some(Answer {
            status: code,
            reason,
            server,
            after_challenge: self.challenged,
        });
        None
    }

    fn answer_challenge(
        &mut self,
        c: &Challenge,
        code: u16,
        creds: &Credentials,
    ) -> Option<Vec<u8>> {
        let cnonce: String = self.branch_seed.chars().rev().chain("c0".chars()).collect();
        let value = c
            .authorize(&DigestResponse {
                username: &creds.user,
                password: &creds.password,
                method: "OPTIONS",
                uri: &self.uri,
                body: b"",
                nc: 1,
                cnonce: &cnonce,
            })
            .ok()?;
        let name = if code == 401 {
            "Authorization"
        } else {
            "Proxy-Authorization"
        };
        self.request(Some((name, value))).ok()
    }

    fn request(&mut self, auth: Option<(&str, String)>) -> Result<Vec<u8>, String> {
        self.cseq += 1;
        let e = |e: crate::sip::BuildError| e.to_string();
        let mut b = RequestBuilder::new(Method::Options, &self.uri).map_err(e)?;
        b.header(
            "Via",
            &format!(
                "SIP/2.0/{} {};branch=z9hG4bK{}{}",
                self.transport, self.via_host, self.branch_seed, self.cseq
            ),
        )
        .map_err(e)?
        .header("Max-Forwards", "70")
        .map_err(e)?
        .header("To", &format!("<{}>", self.uri))
        .map_err(e)?
        .header("From", &format!("<{}>;tag={}", self.from, self.tag))
        .map_err(e)?
        .header("Call-ID", &self.call_id)
        .map_err(e)?
        .header("CSeq", &format!("{} OPTIONS", self.cseq))
        .map_err(e)?
        .header("Accept", "application/sdp")
        .map_err(e)?
        .header(
            "User-Agent",
            concat!("softphone-doctor/", env!("CARGO_PKG_VERSION")),
        )
        .map_err(e)?;
        if let Some((name, value)) = auth {
            b.header(name, &value).map_err(e)?;
        }
        Ok(b.build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(request: &[u8], status: &str, extra: &str) -> Vec<u8> {
        let req = Message::parse(request).unwrap();
        let mut out = format!("SIP/2.0 {status}\r\n");
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            out += &format!("{name}: {}\r\n", req.header_by_name(name).unwrap());
        }
        out += extra;
        out += "Content-Length: 0\r\n\r\n";
        out.into_bytes()
    }

    #[test]
    fn a_challenge_without_credentials_ends_the_probe() {
        let (mut p, req) = OptionsProbe::new(
            "softphone.test",
            "sip:doctor@softphone.test",
            true,
            "abc123",
            None,
        )
        .unwrap();
        assert!(req.starts_with(
            b"OPTIONS sip:softphone.test SIP/2.0\r\nVia: SIP/2.0/WSS abc123.invalid;"
        ));
        let challenge = "WWW-Authenticate: Digest realm=\"asterisk\",nonce=\"1/ab\",algorithm=MD5,qop=\"auth\"\r\nServer: FPBX-16.0.40(18.19.0)\r\n";
        assert!(p
            .on_message(&reply(&req, "401 Unauthorized", challenge))
            .is_none());
        let a = p.answer().unwrap();
        assert_eq!(
            (a.status, a.server.as_deref(), a.after_challenge),
            (401, Some("FPBX-16.0.40(18.19.0)"), None)
        );
    }

    #[test]
    fn credentials_answer_the_challenge_once() {
        let creds = Credentials {
            user: "1001".into(),
            password: Secret::new("pw"),
        };
        let (mut p, req) =
            OptionsProbe::new("pbx", "sip:1001@pbx", false, "t0k", Some(creds)).unwrap();
        let challenge =
            "WWW-Authenticate: Digest realm=\"asterisk\",nonce=\"1/ab\",qop=\"auth\"\r\n";
        let again = p
            .on_message(&reply(&req, "401 Unauthorized", challenge))
            .unwrap();
        let text = String::from_utf8(again.clone()).unwrap();
        assert!(
            text.contains("CSeq: 2 OPTIONS")
                && text.contains("Authorization: Digest username=\"1001\"")
        );
        assert!(!text.contains("pw\""));
        assert!(p
            .on_message(&reply(&again, "401 Unauthorized", challenge))
            .is_none());
        assert_eq!(p.answer().unwrap().after_challenge, Some(401));
    }
}
