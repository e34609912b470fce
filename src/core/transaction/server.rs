//! Non-INVITE server transactions (RFC 3261 section 17.2.2) on a reliable flow:
//! Timer J is zero, so the transaction ends when its final response is sent and a
//! retransmitted request (which a reliable transport does not produce) would be a
//! new one. What is left is building the response correctly.

use crate::core::io::Io;
use crate::core::LogLevel;
use crate::sip::{Message, ResponseBuilder};

/// Sends a response to `request`, with `to_tag` added to To unless it has one.
pub(crate) fn respond(
    request: &Message<'_>,
    code: u16,
    reason: &str,
    to_tag: &str,
    headers: &[(&str, &str)],
    io: &mut Io<'_>,
) {
    if let Some(bytes) = build_response(request, code, reason, to_tag, headers, io) {
        io.send(bytes);
    }
}

/// Builds a response to `request` as [`respond`] sends it; a failure is logged.
pub(crate) fn build_response(
    request: &Message<'_>,
    code: u16,
    reason: &str,
    to_tag: &str,
    headers: &[(&str, &str)],
    io: &mut Io<'_>,
) -> Option<Vec<u8>> {
    let built = ResponseBuilder::new(request, code, reason).and_then(|mut builder| {
        builder.to_tag(to_tag);
        for (name, value) in headers {
            builder.header(name, value)?;
        }
        Ok(builder.build())
    });
    match built {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            io.log(LogLevel::Error, || {
                format!("cannot build a {code} response: {e}")
            });
            None
        }
    }
}
