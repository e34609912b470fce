//! STUN messages (RFC 5389 / RFC 8489) and the TURN attributes an Allocate needs
//! (RFC 5766 / RFC 8656): encoding, decoding, MESSAGE-INTEGRITY (HMAC-SHA1) and
//! FINGERPRINT (CRC-32). Bytes only; [`client`] is the sans-IO transaction on top.
//!
//! Decoding never panics on hostile input: a short, misframed or non-STUN datagram is
//! a [`StunError`]. The RFC 5769 test vectors are in `tests.rs`.

pub mod client;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;

/// The magic cookie of RFC 5389.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// The length of a STUN header.
pub const HEADER_LEN: usize = 20;

/// Binding (RFC 5389).
pub const BINDING: u16 = 0x001;
/// Allocate (RFC 5766).
pub const ALLOCATE: u16 = 0x003;
/// Refresh (RFC 5766).
pub const REFRESH: u16 = 0x004;

/// Attribute types used here.
pub mod attr {
    /// MAPPED-ADDRESS (RFC 3489 servers still send it).
    pub const MAPPED_ADDRESS: u16 = 0x0001;
    /// USERNAME.
    pub const USERNAME: u16 = 0x0006;
    /// MESSAGE-INTEGRITY (HMAC-SHA1).
    pub const MESSAGE_INTEGRITY: u16 = 0x0008;
    /// ERROR-CODE.
    pub const ERROR_CODE: u16 = 0x0009;
    /// LIFETIME (TURN).
    pub const LIFETIME: u16 = 0x000D;
    /// XOR-RELAYED-ADDRESS (TURN).
    pub const XOR_RELAYED_ADDRESS: u16 = 0x0016;
    /// REQUESTED-TRANSPORT (TURN).
    pub const REQUESTED_TRANSPORT: u16 = 0x0019;
    /// REALM.
    pub const REALM: u16 = 0x0014;
    /// NONCE.
    pub const NONCE: u16 = 0x0015;
    /// XOR-MAPPED-ADDRESS.
    pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
    /// SOFTWARE.
    pub const SOFTWARE: u16 = 0x8022;
    /// FINGERPRINT.
    pub const FINGERPRINT: u16 = 0x8028;
}

/// The class of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A request.
    Request,
    /// An indication.
    Indication,
    /// A success response.
    Success,
    /// An error response.
    Error,
}

/// Why bytes are not a STUN message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StunError(pub String);

impl fmt::Display for StunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StunError {}

/// One STUN message: its type, transaction id and attributes in order (values unpadded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The class.
    pub class: Class,
    /// The method (12 bits).
    pub method: u16,
    /// The 96-bit transaction id.
    pub txid: [u8; 12],
    /// `(type, value)` pairs, MESSAGE-INTEGRITY and FINGERPRINT included when decoded.
    pub attrs: Vec<(u16, Vec<u8>)>,
}

impl Message {
    /// Makes a request of `method` with no attributes.
    pub fn request(method: u16, txid: [u8; 12]) -> Message {
        Message {
            class: Class::Request,
            method,
            txid,
            attrs: Vec::new(),
        }
    }

    /// Appends an attribute.
    pub fn push(&mut self, kind: u16, value: impl Into<Vec<u8>>) -> &mut Self {
        self.attrs.push((kind, value.into()));
        self
    }

    /// The first value of attribute `kind`.
    pub fn get(&self, kind: u16) -> Option<&[u8]> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.as_slice())
    }

    /// Encodes the message; with `key`, MESSAGE-INTEGRITY is appended, then with
    /// `fingerprint` FINGERPRINT (both computed as RFC 5389 sections 15.4 and 15.5 say).
    pub fn encode(&self, key: Option<&[u8]>, fingerprint: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(&message_type(self.class, self.method).to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        out.extend_from_slice(&self.txid);
        for (kind, value) in &self.attrs {
            put_attr(&mut out, *kind, value);
        }
        if let Some(key) = key {
            set_len(&mut out, 24);
            let mac = hmac_sha1(key, &out);
            put_attr(&mut out, attr::MESSAGE_INTEGRITY, &mac);
        }
        if fingerprint {
            set_len(&mut out, 8);
            let crc = crc32fast::hash(&out) ^ 0x5354_554E;
            put_attr(&mut out, attr::FINGERPRINT, &crc.to_be_bytes());
        }
        set_len(&mut out, 0);
        out
    }

    /// Decodes one message that fills `buf` exactly.
    ///
    /// # Errors
    /// Too short, not STUN (first two bits, magic cookie), a length that does not match,
    /// or an attribute running past the end.
    pub fn decode(buf: &[u8]) -> Result<Message, StunError> {
        if buf.len() < HEADER_LEN {
            return Err(StunError("shorter than a STUN header".into()));
        }
        let kind = u16::from_be_bytes([buf[0], buf[1]]);
        if kind & 0xC000 != 0 {
            return Err(StunError("not a STUN message (first bits)".into()));
        }
        let len = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        if u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]) != MAGIC_COOKIE {
            return Err(StunError("no STUN magic cookie".into()));
        }
        if len % 4 != 0 || HEADER_LEN + len != buf.len() {
            return Err(StunError(format!(
                "length {len} does not match {} bytes",
                buf.len()
            )));
        }
        let mut txid = [0; 12];
        txid.copy_from_slice(&buf[8..20]);
        let mut attrs = Vec::new();
        let mut at = HEADER_LEN;
        while at < buf.len() {
            if at + 4 > buf.len() {
                return Err(StunError("truncated attribute header".into()));
            }
            let t = u16::from_be_bytes([buf[at], buf[at + 1]]);
            let l = usize::from(u16::from_be_bytes([buf[at + 2], buf[at + 3]]));
            let end = at + 4 + l;
            if end > buf.len() {
                return Err(StunError(format!("attribute {t:#06x} runs past the end")));
            }
            attrs.push((t, buf[at + 4..end].to_vec()));
            at = end + (4 - l % 4) % 4;
        }
        let (class, method) = split_type(kind);
        Ok(Message {
            class,
            method,
            txid,
            attrs,
        })
    }

    /// The error code and reason phrase of an error response.
    pub fn error_code(&self) -> Option<(u16, String)> {
        let v = self.get(attr::ERROR_CODE)?;
        if v.len() < 4 {
            return None;
        }
        let code = u16::from(v[2] & 0x7) * 100 + u16::from(v[3]);
        Some((code, String::from_utf8_lossy(&v[4..]).into_owned()))
    }

    /// A text attribute (REALM, NONCE, SOFTWARE, USERNAME) as UTF-8, lossy.
    pub fn text(&self, kind: u16) -> Option<String> {
        self.get(kind)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// An XOR-MAPPED-ADDRESS or XOR-RELAYED-ADDRESS, de-XORed.
    pub fn xor_address(&self, kind: u16) -> Option<SocketAddr> {
        let v = self.get(kind)?;
        let mut pad = [0u8; 16];
        pad[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        pad[4..].copy_from_slice(&self.txid);
        let port = u16::from_be_bytes([v.get(2)? ^ pad[0], v.get(3)? ^ pad[1]]);
        let ip = match (v.get(1)?, v.len()) {
            (1, 8) => {
                let b: [u8; 4] = std::array::from_fn(|i| v[4 + i] ^ pad[i]);
                IpAddr::V4(Ipv4Addr::from(b))
            }
            (2, 20) => {
                let b: [u8; 16] = std::array::from_fn(|i| v[4 + i] ^ pad[i]);
                IpAddr::V6(Ipv6Addr::from(b))
            }
            _ => return None,
        };
        Some(SocketAddr::new(ip, port))
    }

    /// The mapped address: XOR-MAPPED-ADDRESS, or the plain MAPPED-ADDRESS of old servers.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        if let Some(a) = self.xor_address(attr::XOR_MAPPED_ADDRESS) {
            return Some(a);
        }
        let v = self.get(attr::MAPPED_ADDRESS)?;
        let port = u16::from_be_bytes([*v.get(2)?, *v.get(3)?]);
        match (v.get(1)?, v.len()) {
            (1, 8) => Some(SocketAddr::new(
                Ipv4Addr::new(v[4], v[5], v[6], v[7]).into(),
                port,
            )),
            _ => None,
        }
    }
}

/// The long-term credential key of RFC 5389 section 15.4: MD5(username:realm:password).
/// SASLprep is not applied (TURN REST usernames and passwords are ASCII).
pub fn long_term_key(username: &str, realm: &str, password: &str) -> [u8; 16] {
    Md5::digest(format!("{username}:{realm}:{password}").as_bytes()).into()
}

/// Checks the MESSAGE-INTEGRITY of an encoded message against `key`. False when the
/// message has none, or it does not match.
pub fn verify_integrity(buf: &[u8], key: &[u8]) -> bool {
    let Some(at) = find_attr(buf, attr::MESSAGE_INTEGRITY) else {
        return false;
    };
    if at + 24 > buf.len() {
        return false;
    }
    let mut head = buf[..at].to_vec();
    set_len(&mut head, 24);
    hmac_sha1(key, &head)[..] == buf[at + 4..at + 24]
}

/// Checks the FINGERPRINT of an encoded message. False when it has none or it is wrong.
pub fn verify_fingerprint(buf: &[u8]) -> bool {
    let Some(at) = find_attr(buf, attr::FINGERPRINT) else {
        return false;
    };
    if at + 8 != buf.len() {
        return false;
    }
    let crc = crc32fast::hash(&buf[..at]) ^ 0x5354_554E;
    crc.to_be_bytes()[..] == buf[at + 4..at + 8]
}

/// The total length of the message at the start of `buf`, once its header is there:
/// frames STUN over TCP and TLS (RFC 5389 section 7.2.2).
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    (buf.len() >= 4).then(|| HEADER_LEN + usize::from(u16::from_be_bytes([buf[2], buf[3]])))
}

/// An XOR-address attribute value for `addr` (servers' side; used by tests).
pub fn xor_address_value(addr: SocketAddr, txid: &[u8; 12]) -> Vec<u8> {
    let mut pad = [0u8; 16];
    pad[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    pad[4..].copy_from_slice(txid);
    let port = addr.port().to_be_bytes();
    let mut v = vec![0, 0, port[0] ^ pad[0], port[1] ^ pad[1]];
    match addr.ip() {
        IpAddr::V4(ip) => {
            v[1] = 1;
            v.extend(ip.octets().iter().zip(pad).map(|(b, p)| b ^ p));
        }
        IpAddr::V6(ip) => {
            v[1] = 2;
            v.extend(ip.octets().iter().zip(pad).map(|(b, p)| b ^ p));
        }
    }
    v
}

// HMAC takes keys of any length (longer ones are hashed first): new_from_slice cannot
// fail for it, so the expect states a broken invariant, not an input error.
#[allow(clippy::expect_used)]
fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn message_type(class: Class, method: u16) -> u16 {
    let c = match class {
        Class::Request => 0b00,
        Class::Indication => 0b01,
        Class::Success => 0b10,
        Class::Error => 0b11,
    };
    (method & 0x000F)
        | ((method & 0x0070) << 1)
        | ((method & 0x0F80) << 2)
        | ((c & 1) << 4)
        | ((c & 2) << 7)
}

fn split_type(kind: u16) -> (Class, u16) {
    let method = (kind & 0x000F) | ((kind >> 1) & 0x0070) | ((kind >> 2) & 0x0F80);
    let class = match ((kind >> 4) & 1) | ((kind >> 7) & 2) {
        0 => Class::Request,
        1 => Class::Indication,
        2 => Class::Success,
        _ => Class::Error,
    };
    (class, method)
}

fn put_attr(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    // Values longer than 64 kB cannot occur in the attributes this module writes.
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + (4 - value.len() % 4) % 4, 0);
}

/// Sets the header's length to the attributes so far plus `extra`.
fn set_len(out: &mut [u8], extra: usize) {
    let len = (out.len() - HEADER_LEN + extra) as u16;
    out[2..4].copy_from_slice(&len.to_be_bytes());
}

/// The offset of the first attribute `kind` in an encoded message.
fn find_attr(buf: &[u8], kind: u16) -> Option<usize> {
    let mut at = HEADER_LEN;
    while at + 4 <= buf.len() {
        let t = u16::from_be_bytes([buf[at], buf[at + 1]]);
        if t == kind {
            return Some(at);
        }
        let l = usize::from(u16::from_be_bytes([buf[at + 2], buf[at + 3]]));
        at += 4 + l + (4 - l % 4) % 4;
    }
    None
}
