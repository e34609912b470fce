//! Header names: the known ones in long and compact form, and comparison.

use crate::sip::text::eq_ignore_case;

/// Header names the parser knows, long and compact forms alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum HeaderName {
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    MaxForwards,
    Route,
    RecordRoute,
    WwwAuthenticate,
    ProxyAuthenticate,
    Authorization,
    ProxyAuthorization,
    ContentType,
    ContentLength,
    Expires,
    MinExpires,
    RetryAfter,
    Allow,
    Supported,
    Require,
    SessionExpires,
    MinSe,
    ReferTo,
    ReferredBy,
    Replaces,
    Reason,
    Event,
    SubscriptionState,
    UserAgent,
    Server,
    Accept,
}

/// How many variants `HeaderName` has.
pub(crate) const KNOWN_COUNT: usize = 32;

/// Each known header: its canonical long form and its compact form, if any.
pub(super) const NAMES: [(HeaderName, &str, Option<&str>); KNOWN_COUNT] = [
    (HeaderName::Via, "Via", Some("v")),
    (HeaderName::From, "From", Some("f")),
    (HeaderName::To, "To", Some("t")),
    (HeaderName::CallId, "Call-ID", Some("i")),
    (HeaderName::CSeq, "CSeq", None),
    (HeaderName::Contact, "Contact", Some("m")),
    (HeaderName::MaxForwards, "Max-Forwards", None),
    (HeaderName::Route, "Route", None),
    (HeaderName::RecordRoute, "Record-Route", None),
    (HeaderName::WwwAuthenticate, "WWW-Authenticate", None),
    (HeaderName::ProxyAuthenticate, "Proxy-Authenticate", None),
    (HeaderName::Authorization, "Authorization", None),
    (HeaderName::ProxyAuthorization, "Proxy-Authorization", None),
    (HeaderName::ContentType, "Content-Type", Some("c")),
    (HeaderName::ContentLength, "Content-Length", Some("l")),
    (HeaderName::Expires, "Expires", None),
    (HeaderName::MinExpires, "Min-Expires", None),
    (HeaderName::RetryAfter, "Retry-After", None),
    (HeaderName::Allow, "Allow", None),
    (HeaderName::Supported, "Supported", Some("k")),
    (HeaderName::Require, "Require", None),
    (HeaderName::SessionExpires, "Session-Expires", Some("x")),
    (HeaderName::MinSe, "Min-SE", None),
    (HeaderName::ReferTo, "Refer-To", Some("r")),
    (HeaderName::ReferredBy, "Referred-By", Some("b")),
    (HeaderName::Replaces, "Replaces", None),
    (HeaderName::Reason, "Reason", None),
    (HeaderName::Event, "Event", Some("o")),
    (HeaderName::SubscriptionState, "Subscription-State", None),
    (HeaderName::UserAgent, "User-Agent", None),
    (HeaderName::Server, "Server", None),
    (HeaderName::Accept, "Accept", None),
];

/// Compact forms of headers this crate has no variant for (RFC 3261, 3265, 3841,
/// 4474, 3892...), so that [`crate::sip::Message::header_by_name`] still finds them.
const OTHER_COMPACT: [(&str, &str); 8] = [
    ("s", "Subject"),
    ("e", "Content-Encoding"),
    ("u", "Allow-Events"),
    ("a", "Accept-Contact"),
    ("j", "Reject-Contact"),
    ("d", "Request-Disposition"),
    ("y", "Identity"),
    ("n", "Identity-Info"),
];

/// Whether `name` is `known` but for the case of letters, where `known` is made of
/// letters and `-` only (a header name of [`NAMES`]).
///
/// Eight (or four) bytes at a time: the bytes may differ in bit 0x20 alone, and only
/// where `known` has a letter (bit 0x40, which `-` lacks). Short names overlap their
/// last word with the first. About a third of a byte loop for the usual names.
pub(super) fn eq_known(name: &[u8], known: &[u8]) -> bool {
    const L: u64 = 0x4040_4040_4040_4040;
    let n = known.len();
    if name.len() != n {
        return false;
    }
    if n < 4 {
        return name
            .iter()
            .zip(known)
            .all(|(&x, &y)| (x ^ y) & !((y & 0x40) >> 1) == 0);
    }
    let mut diff = 0;
    let mut i = 0;
    while i < n {
        // The word at `i`, or the last whole one; a name of 4 to 7 bytes is read as its
        // first and last four.
        let j = i.min(n.saturating_sub(8));
        let (x, y) = (word(name, j), word(known, j));
        diff |= (x ^ y) & !((y & L) >> 1);
        i += 8;
    }
    diff == 0
}

/// The eight bytes at `j` of `s`, or for `s` of 4 to 7 bytes its first and last four.
#[inline(always)]
fn word(s: &[u8], j: usize) -> u64 {
    match s.get(j..).and_then(<[u8]>::first_chunk::<8>) {
        Some(w) => u64::from_le_bytes(*w),
        None => half(s, 0) | half(s, s.len().saturating_sub(4)) << 32,
    }
}

/// The four bytes at `i` of `s` (0 past the end).
#[inline(always)]
fn half(s: &[u8], i: usize) -> u64 {
    s.get(i..)
        .and_then(<[u8]>::first_chunk::<4>)
        .map_or(0, |w| u64::from(u32::from_le_bytes(*w)))
}

impl HeaderName {
    /// Recognises a header name, case-insensitively, including compact forms (`v`, `i`, `m`...).
    pub fn parse(name: &str) -> Option<HeaderName> {
        use HeaderName as H;
        let b = name.as_bytes();
        let first = b.first()? | 0x20;
        let last = b.last()? | 0x20;
        // Length, first and last letter pick the one candidate; one comparison confirms it.
        let candidate = match (b.len(), first, last) {
            (1, ..) => {
                return match first {
                    b'v' => Some(H::Via),
                    b'f' => Some(H::From),
                    b't' => Some(H::To),
                    b'i' => Some(H::CallId),
                    b'm' => Some(H::Contact),
                    b'c' => Some(H::ContentType),
                    b'l' => Some(H::ContentLength),
                    b'k' => Some(H::Supported),
                    b'x' => Some(H::SessionExpires),
                    b'r' => Some(H::ReferTo),
                    b'b' => Some(H::ReferredBy),
                    b'o' => Some(H::Event),
                    _ => None,
                }
            }
            (2, b't', _) => H::To,
            (3, b'v', _) => H::Via,
            (4, b'f', _) => H::From,
            (4, b'c', _) => H::CSeq,
            (5, b'r', _) => H::Route,
            (5, b'a', _) => H::Allow,
            (5, b'e', _) => H::Event,
            (6, b'm', _) => H::MinSe,
            (6, b'r', _) => H::Reason,
            (6, b's', _) => H::Server,
            (6, b'a', _) => H::Accept,
            (7, b'c', b'd') => H::CallId,
            (7, b'c', _) => H::Contact,
            (7, b'e', _) => H::Expires,
            (7, b'r', _) => H::Require,
            (8, b'r', b'o') => H::ReferTo,
            (8, b'r', _) => H::Replaces,
            (9, b's', _) => H::Supported,
            (10, b'u', _) => H::UserAgent,
            (11, b'm', _) => H::MinExpires,
            (11, b'r', b'r') => H::RetryAfter,
            (11, b'r', _) => H::ReferredBy,
            (12, b'm', _) => H::MaxForwards,
            (12, b'r', _) => H::RecordRoute,
            (12, b'c', _) => H::ContentType,
            (13, b'a', _) => H::Authorization,
            (14, b'c', _) => H::ContentLength,
            (15, b's', _) => H::SessionExpires,
            (16, b'w', _) => H::WwwAuthenticate,
            (18, b'p', _) => H::ProxyAuthenticate,
            (18, b's', _) => H::SubscriptionState,
            (19, b'p', _) => H::ProxyAuthorization,
            _ => return None,
        };
        eq_known(b, candidate.as_str().as_bytes()).then_some(candidate)
    }
    /// The canonical long form, as this crate writes it (`Call-ID`, `CSeq`, `WWW-Authenticate`).
    pub fn as_str(&self) -> &'static str {
        // NAMES is in declaration order (a test checks it).
        NAMES.get(*self as usize).map_or("", |(_, long, _)| long)
    }
    /// Whether RFC 3261 (or the header's RFC) allows only one value of it in a message,
    /// so that a second one makes the message malformed.
    pub fn is_single(&self) -> bool {
        matches!(
            self,
            HeaderName::From
                | HeaderName::To
                | HeaderName::CallId
                | HeaderName::CSeq
                | HeaderName::MaxForwards
                | HeaderName::ContentType
                | HeaderName::ContentLength
                | HeaderName::Expires
                | HeaderName::MinExpires
                | HeaderName::RetryAfter
                | HeaderName::SessionExpires
                | HeaderName::MinSe
                | HeaderName::ReferTo
                | HeaderName::Replaces
        )
    }
}

/// Whether two header names designate the same header: case-insensitive, with
/// compact forms understood.
pub(crate) fn same_header_name(a: &str, b: &str) -> bool {
    if eq_ignore_case(a, b) {
        return true;
    }
    if let (Some(x), Some(y)) = (HeaderName::parse(a), HeaderName::parse(b)) {
        return x == y;
    }
    let long = |n: &str| {
        OTHER_COMPACT
            .iter()
            .find(|(s, _)| eq_ignore_case(n, s))
            .map_or("", |(_, l)| *l)
    };
    eq_ignore_case(long(a), b) || eq_ignore_case(long(b), a)
}
