//! A SIP OPTIONS probe of one server, sans-IO: `diagnose()` asks whether a WebSocket
//! server speaks SIP, and (when the phone's credentials are known) whether they work.
//!
//! Any response proves the server speaks SIP. PBXs challenge OPTIONS like any request
//! from an endpoint (Asterisk answers `401` with a digest challenge): without
//! credentials that is the verdict "reachable, asks for authentication"; with them the
//! challenge is answered once, and a second 401/407 means the credentials were refused.
//!
//! ```
//! use softphone_core::core::probe::{OptionsProbe, ProbeStep};
//!
//! let mut probe = OptionsProbe::new("pbx.example.com", "sip:1001@pbx.example.com", None, false, [3; 32]);
//! let request = probe.request().unwrap();
//! assert!(request.starts_with(b"OPTIONS sip:pbx.example.com SIP/2.0\r\n"));
//! // The driver sends it, and hands every message received on the socket back:
//! assert_eq!(probe.on_message(b"\r\n"), None); // a keepalive: not ours
//! ```

use super::auth::{Authenticator, Scope};
use super::rng::Rng;
use crate::sip::{BuildError, Message, Method, RequestBuilder, Secret, StartLine};

/// The digest credentials the probe may answer a challenge with.
#[derive(Debug, Clone)]
pub struct ProbeCredentials {
    /// The digest username.
    pub username: String,
    /// The password (never logged: `Secret` prints `***`).
    pub password: Secret,
}

/// What the probe learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// The status of the last response.
    pub status: u16,
    /// Its reason phrase.
    pub reason: String,
    /// The server asked for authentication (401/407) at least once.
    pub challenged: bool,
    /// The probe answered a challenge with credentials.
    pub authenticated: bool,
    /// The `Server` (or `User-Agent`) header of the last answer, if any.
    pub server: Option<String>,
}

impl ProbeOutcome {
    /// Still challenged after credentials were sent: the server refused them.
    pub fn credentials_refused(&self) -> bool {
        self.authenticated && matches!(self.status, 401 | 407 | 403)
    }

    /// The server speaks SIP but wants credentials the probe did not have.
    pub fn needs_credentials(&self) -> bool {
        !self.authenticated && matches!(self.status, 401 | 407)
    }
}

/// What to do after a message arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeStep {
    /// Send this request (the OPTIONS again, with credentials) and keep listening.
    Send(Vec<u8>),
    /// The probe is over.
    Done(ProbeOutcome),
}

/// One OPTIONS round trip, answering at most one digest challenge.
#[derive(Debug)]
pub struct OptionsProbe {
    domain: String,
    from: String,
    secure: bool,
    call_id: String,
    from_tag: String,
    host: String,
    cseq: u32,
    branch: String,
    rng: Rng,
    auth: Option<Authenticator>,
    challenged: bool,
    authenticated: bool,
}

impl OptionsProbe {
    /// A probe of the server of `domain`, from the AOR `from`; `secure` for `wss://`.
    /// `seed` feeds the generator of the Call-ID, tags, branches and cnonces.
    pub fn new(
        domain: &str,
        from: &str,
        credentials: Option<ProbeCredentials>,
        secure: bool,
        seed: [u8; 32],
    ) -> Self {
        let mut rng = Rng::new(seed);
        OptionsProbe {
            domain: domain.to_owned(),
            from: from.to_owned(),
            secure,
            call_id: format!("diagnose-{}", rng.token(16)),
            from_tag: rng.token(10),
            host: format!("{}.invalid", rng.token(12).to_ascii_lowercase()),
            cseq: 0,
            branch: String::new(),
            auth: credentials.map(|c| {
                Authenticator::new(
                    c.username,
                    Some(super::auth::Credential::Password(c.password)),
                )
            }),
            rng,
            challenged: false,
            authenticated: false,
        }
    }

    /// The Call-ID of the probe's requests.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The first OPTIONS.
    ///
    /// # Errors
    /// The domain or From URI cannot make a request (a character no URI may hold).
    pub fn request(&mut self) -> Result<Vec<u8>, BuildError> {
        self.build(false)
    }

    fn build(&mut self, with_auth: bool) -> Result<Vec<u8>, BuildError> {
        self.cseq += 1;
        self.branch = format!("z9hG4bK{}", self.rng.token(16));
        let uri = format!("sip:{}", self.domain);
        let transport = if self.secure { "WSS" } else { "WS" };
        let mut b = RequestBuilder::new(Method::Options, &uri)?;
        b.header(
            "Via",
            &format!("SIP/2.0/{transport} {};branch={}", self.host, self.branch),
        )?
        .header("Max-Forwards", "70")?
        .header("To", &format!("<sip:{}>", self.domain))?
        .header("From", &format!("<{}>;tag={}", self.from, self.from_tag))?
        .header("Call-ID", &self.call_id)?
        .header("CSeq", &format!("{} OPTIONS", self.cseq))?
        .header("Accept", "application/sdp")?
        .header(
            "User-Agent",
            concat!("softphone-core/", env!("CARGO_PKG_VERSION"), " diagnose"),
        )?;
        if with_auth {
            if let Some(auth) = &mut self.auth {
                for (name, value) in
                    auth.headers(Scope::Register, "OPTIONS", &uri, b"", &mut self.rng)
                {
                    b.header(name, &value)?;
                }
            }
        }
        Ok(b.build())
    }

    /// A message from the socket. Returns `None` when it is not the answer to the
    /// probe's latest request (a keepalive, a request, another Call-ID, a provisional).
    pub fn on_message(&mut self, data: &[u8]) -> Option<ProbeStep> {
        let msg = Message::parse(data).ok()?;
        let StartLine::Response { code, reason } = msg.start_line() else {
            return None;
        };
        let (code, reason) = (*code, reason.to_string());
        let server = msg
            .header_by_name("Server")
            .or_else(|| msg.header_by_name("User-Agent"))
            .map(|v| v.trim().to_owned());
        if msg.call_id() != self.call_id
            || msg.cseq().seq != self.cseq
            || msg.top_via().branch() != Some(self.branch.as_str())
            || code < 200
        {
            return None;
        }
        let done = |probe: &Self| {
            Some(ProbeStep::Done(ProbeOutcome {
                status: code,
                reason: reason.clone(),
                challenged: probe.challenged,
                authenticated: probe.authenticated,
                server: server.clone(),
            }))
        };
        if !matches!(code, 401 | 407) {
            return done(self);
        }
        self.challenged = true;
        if self.authenticated {
            return done(self);
        }
        let Some(auth) = &mut self.auth else {
            return done(self);
        };
        if auth.challenged(Scope::Register, &msg).is_err() {
            return done(self);
        }
        self.authenticated = true;
        match self.build(true) {
            Ok(bytes) => Some(ProbeStep::Send(bytes)),
            Err(_) => done(self),
        }
    }
}
