//! What MESSAGE and SUBSCRIBE share: building a request outside any dialog, and
//! answering digest challenges within a bounded number of tries. Their extra headers
//! are checked like every other request's, as [`ExtraHeaders`](super::ExtraHeaders).

use std::fmt;

use super::auth::{Authenticator, Scope};
use super::io::Io;
use super::local::new_branch;
use super::transaction::Sender;
use crate::sip::{BuildError, Message, Method, RequestBuilder};

/// A MESSAGE or subscription operation the application asked for could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The user agent has no connection to send the request on.
    NotConnected,
    /// The target is not a SIP URI, a user name or a number.
    InvalidTarget(String),
    /// A value (a header, a content type, an event package) cannot go into a message.
    InvalidValue(String),
    /// No subscription has this id (it may have ended).
    NoSuchSubscription,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::NotConnected => write!(f, "not connected to the SIP server"),
            RequestError::InvalidTarget(why) => write!(f, "invalid target: {why}"),
            RequestError::InvalidValue(why) => write!(f, "invalid value: {why}"),
            RequestError::NoSuchSubscription => write!(f, "no such subscription"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Makes `input` (a SIP URI, a user name or a number) a Request-URI in `domain`.
pub(crate) fn target_uri(input: &str, domain: &str) -> Result<String, RequestError> {
    use super::call::types::CallError;
    super::call::target::normalize_target(input, domain).map_err(|e| match e {
        CallError::InvalidValue(why) => RequestError::InvalidValue(why),
        CallError::InvalidTarget(why) => RequestError::InvalidTarget(why),
        other => RequestError::InvalidTarget(other.to_string()),
    })
}

/// The identity of requests sent outside a dialog, or starting one: the same Call-ID
/// and From tag across a digest retry, with the CSeq going up (RFC 3261 section 8.1.3.5).
#[derive(Debug, Clone)]
pub(crate) struct OutOfDialog {
    /// The Request-URI and the To URI.
    pub(crate) target: String,
    pub(crate) call_id: String,
    pub(crate) from_tag: String,
    pub(crate) cseq: u32,
}

impl OutOfDialog {
    /// A new request identity toward `target`.
    pub(crate) fn new(target: String, io: &mut Io<'_>) -> Self {
        OutOfDialog {
            target,
            call_id: io.rng.token(22),
            from_tag: io.rng.token(10),
            cseq: 1,
        }
    }

    /// Starts the next request: Via, Max-Forwards, From, To, Call-ID, CSeq (the
    /// counter goes up for every request after the first). Returns it and its branch.
    pub(crate) fn start(
        &mut self,
        method: Method<'_>,
        first: bool,
        io: &mut Io<'_>,
        s: &Sender<'_>,
    ) -> Result<(RequestBuilder, String), BuildError> {
        if !first {
            self.cseq += 1;
        }
        let branch = new_branch(io.rng);
        let mut b = RequestBuilder::new(method, &self.target)?;
        b.header("Via", &s.local.via(s.secure, &branch))?
            .header("Max-Forwards", "70")?
            .header(
                "From",
                &format!("{};tag={}", s.local.from_addr, self.from_tag),
            )?
            .header("To", &format!("<{}>", self.target))?
            .header("Call-ID", &self.call_id)?
            .header("CSeq", &format!("{} {}", self.cseq, method.as_str()))?;
        Ok((b, branch))
    }
}

/// Adds the call-scope credentials cached from earlier challenges (MESSAGE and
/// SUBSCRIBE go where INVITEs go, through the same proxy, so they share the scope).
pub(crate) fn add_credentials(
    b: &mut RequestBuilder,
    method: &str,
    uri: &str,
    body: &[u8],
    io: &mut Io<'_>,
    auth: &mut Authenticator,
) -> Result<(), BuildError> {
    for (name, value) in auth.headers(Scope::Call, method, uri, body, io.rng) {
        b.header(name, &value)?;
    }
    Ok(())
}

/// How many challenges one request may answer: one, or up to two more when the
/// server says the nonce was `stale` (as registration allows).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AuthRetry {
    tries: u8,
    stale: u8,
}

impl AuthRetry {
    /// Takes a 401/407: returns whether to send the request again with credentials.
    pub(crate) fn retry(&mut self, msg: &Message<'_>, auth: &mut Authenticator) -> bool {
        match auth.challenged(Scope::Call, msg) {
            Ok(true) if self.stale < 2 => {
                self.stale += 1;
                true
            }
            Ok(_) if self.tries == 0 => {
                self.tries += 1;
                true
            }
            _ => false,
        }
    }

    /// The request succeeded or failed: the next one starts with a fresh allowance.
    pub(crate) fn reset(&mut self) {
        *self = AuthRetry::default();
    }
}
