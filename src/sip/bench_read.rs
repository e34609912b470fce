//! The work both parser benchmarks time: the browser's (`src/web/bench.rs`) and the native
//! one for callgrind (`benches/sip_parse.rs`). One definition, so that the instruction
//! counts stay a proxy for the browser figure.

use super::{Challenge, HeaderName, Message};

/// Parses `bytes` and reads what a user agent acts on, as JsSIP's parser does eagerly: the
/// typed Via, From, To, Call-ID, CSeq and Contact headers (checked by `Message::parse`
/// itself), the Record-Route set, the Content-Type, the digest challenge of a 401 or 407
/// and the body. Returns a checksum of what it read, so that the optimiser cannot drop the
/// work; `None` when the message does not parse. For benchmarks only.
#[doc(hidden)]
pub fn parse_and_read(bytes: &[u8]) -> Option<u64> {
    let Ok(msg) = Message::parse(bytes) else {
        return None;
    };
    let mut sum = u64::from(msg.cseq().seq);
    sum = sum.wrapping_add(msg.call_id().len() as u64);
    sum = sum.wrapping_add(msg.from().uri().as_str().len() as u64);
    sum = sum.wrapping_add(msg.to().uri().as_str().len() as u64);
    sum = sum.wrapping_add(msg.vias().len() as u64);
    sum = sum.wrapping_add(msg.record_route().ok()?.len() as u64);
    sum = sum.wrapping_add(msg.contacts().len() as u64);
    sum = sum.wrapping_add(msg.content_type().map_or(0, |c| c.len() as u64));
    for name in [HeaderName::WwwAuthenticate, HeaderName::ProxyAuthenticate] {
        for h in msg.headers_named(name) {
            let c = Challenge::parse(&h.value()).ok()?;
            sum = sum.wrapping_add(c.realm.len() as u64);
        }
    }
    sum = sum.wrapping_add(msg.body().len() as u64);
    Some(sum)
}
