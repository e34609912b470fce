//! Instant messages outside any dialog (RFC 3428).
//!
//! Sending: one non-INVITE client transaction per message, answering a digest
//! challenge like every other request (once, or twice more for a `stale` nonce). Any
//! 2xx means delivered (Asterisk answers `202 Accepted`, a proxy-relayed UA `200 OK`);
//! anything else, Timer F (408) or a lost flow (503), means failed. The outcome comes
//! as one [`MessageEvent`] for the [`MessageId`] `send_message` returned.
//!
//! Receiving: a MESSAGE whose body's type the application allows
//! (`Config::message_accept`, `text/plain` by default) and whose size is within
//! `Config::message_max_bytes` is answered `200 OK` and reported as
//! [`MessageEvent::Received`]; another type gets `415 Unsupported Media Type` with
//! `Accept`, a larger body `413 Request Entity Too Large`.

pub(crate) mod types;

pub use types::{IncomingMessage, MessageEvent, MessageOptions};

use super::headers::{ExtraHeaders, HeaderTarget};
use super::ids::MessageId;
use super::io::Io;
use super::request::{add_credentials, AuthRetry, OutOfDialog, RequestError};
use super::transaction::{respond, Purpose, Sender};
use super::{Event, LogLevel};
use crate::sip::{BuildError, HeaderName, Message, Method};

#[derive(Debug, Clone)]
struct Outgoing {
    id: MessageId,
    req: OutOfDialog,
    content_type: String,
    body: String,
    headers: ExtraHeaders,
    auth: AuthRetry,
}

/// The MESSAGEs in flight and the settings for incoming ones.
#[derive(Debug, Clone)]
pub(crate) struct Messages {
    sending: Vec<Outgoing>,
    next_id: u64,
    accept: Vec<String>,
    max_bytes: usize,
    domain: String,
}

impl Messages {
    pub(crate) fn new(accept: Vec<String>, max_bytes: usize, domain: String) -> Self {
        Messages {
            sending: Vec::new(),
            next_id: 0,
            accept,
            max_bytes,
            domain,
        }
    }

    /// Sends a MESSAGE to `target` (a URI, a user or a number in the AOR's domain).
    pub(crate) fn send(
        &mut self,
        target: &str,
        body: &str,
        options: MessageOptions,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<MessageId, RequestError> {
        if io.flow.is_none() {
            return Err(RequestError::NotConnected);
        }
        let uri = super::request::target_uri(target, &self.domain)?;
        let headers = ExtraHeaders::new(options.headers, HeaderTarget::Message)
            .map_err(|e| RequestError::InvalidValue(e.to_string()))?;
        let content_type = options.content_type.trim().to_string();
        if content_type.is_empty()
            || !content_type.contains('/')
            || content_type.contains(['\r', '\n', '\0'])
        {
            return Err(RequestError::InvalidValue(format!(
                "{content_type:?} is not a media type"
            )));
        }
        self.next_id += 1;
        let id = MessageId(self.next_id);
        let mut msg = Outgoing {
            id,
            req: OutOfDialog::new(uri, io),
            content_type,
            body: body.to_string(),
            headers,
            auth: AuthRetry::default(),
        };
        match transmit(&mut msg, true, io, s) {
            Ok(()) => {
                self.sending.push(msg);
                Ok(id)
            }
            Err(e) => Err(RequestError::InvalidValue(e.to_string())),
        }
    }

    /// The final response (or 408/503 without a message) to MESSAGE `id`.
    pub(crate) fn on_final(
        &mut self,
        id: MessageId,
        msg: Option<&Message<'_>>,
        status: u16,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Some(i) = self.sending.iter().position(|m| m.id == id) else {
            return;
        };
        if let Some(msg) = msg.filter(|_| matches!(status, 401 | 407)) {
            let out = &mut self.sending[i];
            if out.auth.retry(msg, s.auth) && transmit(out, false, io, s).is_ok() {
                return;
            }
        }
        let out = self.sending.remove(i);
        let event = if (200..300).contains(&status) {
            MessageEvent::Delivered { id: out.id, status }
        } else {
            let reason = match msg.and_then(|m| m.reason()) {
                Some(reason) => reason.to_string(),
                None if status == 408 => "Request Timeout".to_string(),
                None => "Service Unavailable".to_string(),
            };
            io.log(LogLevel::Info, || {
                format!("MESSAGE failed: {status} {reason}")
            });
            MessageEvent::Failed {
                id: out.id,
                status,
                reason,
            }
        };
        io.event(Event::Message(event));
    }

    /// A MESSAGE outside a dialog: answered here, and reported when accepted.
    pub(crate) fn on_request(&mut self, msg: &Message<'_>, tag: &str, io: &mut Io<'_>) {
        let body = msg.body();
        let content_type = msg
            .content_type()
            .map(|c| c.trim().to_string())
            .unwrap_or_default();
        let media = msg.media_type().unwrap_or("").trim();
        if body.len() > self.max_bytes {
            io.log(LogLevel::Info, || {
                format!("refused a MESSAGE of {} bytes", body.len())
            });
            return respond(msg, 413, "Request Entity Too Large", tag, &[], io);
        }
        let allowed = self.accept.iter().any(|a| a.eq_ignore_ascii_case(media));
        if !body.is_empty() && !allowed {
            let accept = self.accept.join(", ");
            return respond(
                msg,
                415,
                "Unsupported Media Type",
                tag,
                &[("Accept", accept.as_str())],
                io,
            );
        }
        respond(msg, 200, "OK", tag, &[], io);
        let from = msg.from();
        let headers = msg
            .headers()
            .iter()
            .filter(|h| {
                !matches!(
                    h.known(),
                    Some(HeaderName::Authorization | HeaderName::ProxyAuthorization)
                )
            })
            .map(|h| (h.name.to_string(), h.value().into_owned()))
            .collect();
        io.event(Event::Message(MessageEvent::Received(IncomingMessage {
            from: from.uri().as_str().to_string(),
            display_name: from.display_name().map(|d| d.into_owned()),
            to: msg.to().uri().as_str().to_string(),
            content_type,
            body: String::from_utf8_lossy(body).into_owned(),
            headers,
        })));
    }
}

/// Builds and sends one MESSAGE (the first, or a retry with credentials).
fn transmit(
    out: &mut Outgoing,
    first: bool,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) -> Result<(), BuildError> {
    let (mut b, branch) = out.req.start(Method::Message, first, io, s)?;
    for (name, value) in out.headers.iter() {
        b.header(name, value)?;
    }
    b.header("User-Agent", &s.local.user_agent)?;
    let target = out.req.target.clone();
    add_credentials(&mut b, "MESSAGE", &target, out.body.as_bytes(), io, s.auth)?;
    b.body(&out.content_type, out.body.as_bytes())?;
    if io.send(b.build()) {
        s.txs.start(
            &branch,
            "MESSAGE",
            Purpose::Message(out.id),
            s.tx_timeout,
            io,
        );
    }
    Ok(())
}
