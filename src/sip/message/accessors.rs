//! Typed accessors for the headers beyond the mandatory ones.

use std::borrow::Cow;

use super::Message;
use crate::sip::text::{parse_u32, parse_usize, trim_lws, CommaIter};
use crate::sip::{Credentials, HeaderName, NameAddr, ParseError, Reason, Replaces, SessionExpires};

impl<'a> Message<'a> {
    /// Every Route value, in order.
    ///
    /// # Errors
    /// A malformed value.
    pub fn route(&self) -> Result<Vec<NameAddr<'a>>, ParseError> {
        self.list(HeaderName::Route, NameAddr::parse)
    }
    /// The Content-Type value (media type and parameters), unfolded.
    pub fn content_type(&self) -> Option<Cow<'a, str>> {
        self.header(HeaderName::ContentType)
    }
    /// The media type of Content-Type, without parameters (`application/sdp`).
    pub fn media_type(&self) -> Option<&'a str> {
        let h = self.headers_named(HeaderName::ContentType).next()?;
        let v = trim_lws(h.raw_value);
        Some(trim_lws(v.split(';').next().unwrap_or_default()))
    }
    /// The Content-Length (checked by `parse` when present).
    pub fn content_length(&self) -> Option<usize> {
        self.header(HeaderName::ContentLength)
            .and_then(|v| parse_usize(&v))
    }
    /// The Max-Forwards value (checked by `parse` when present).
    pub fn max_forwards(&self) -> Option<u32> {
        self.header(HeaderName::MaxForwards)
            .and_then(|v| parse_u32(&v))
    }
    /// The tokens of every Allow header, in order.
    pub fn allow(&self) -> Vec<&'a str> {
        self.tokens(HeaderName::Allow)
    }
    /// The option tags of every Supported header, in order.
    pub fn supported(&self) -> Vec<&'a str> {
        self.tokens(HeaderName::Supported)
    }
    /// The option tags of every Require header, in order.
    pub fn require(&self) -> Vec<&'a str> {
        self.tokens(HeaderName::Require)
    }
    /// The Session-Expires header, if present and well formed.
    pub fn session_expires(&self) -> Option<SessionExpires<'a>> {
        let h = self.headers_named(HeaderName::SessionExpires).next()?;
        SessionExpires::parse(h.raw_value).ok()
    }
    /// The Min-SE header's seconds, if present and well formed.
    pub fn min_se(&self) -> Option<u32> {
        let h = self.headers_named(HeaderName::MinSe).next()?;
        SessionExpires::parse(h.raw_value).ok().map(|s| s.seconds)
    }
    /// The Refer-To address, if present.
    ///
    /// # Errors
    /// A malformed value.
    pub fn refer_to(&self) -> Result<Option<NameAddr<'a>>, ParseError> {
        Ok(self
            .list(HeaderName::ReferTo, NameAddr::parse)?
            .into_iter()
            .next())
    }
    /// The Referred-By address, if present.
    ///
    /// # Errors
    /// A malformed value.
    pub fn referred_by(&self) -> Result<Option<NameAddr<'a>>, ParseError> {
        Ok(self
            .list(HeaderName::ReferredBy, NameAddr::parse)?
            .into_iter()
            .next())
    }
    /// The Replaces header (RFC 3891), if present.
    ///
    /// # Errors
    /// A malformed value, or more than one Replaces header (which RFC 3891 section 3
    /// answers with 400, like a malformed one).
    pub fn replaces(&self) -> Result<Option<Replaces<'a>>, ParseError> {
        let mut all = self.headers_named(HeaderName::Replaces);
        let Some(h) = all.next() else {
            return Ok(None);
        };
        if all.next().is_some() {
            return Err(ParseError::new(0, "more than one Replaces header"));
        }
        Replaces::parse(h.raw_value).map(Some)
    }
    /// Every Reason value that parses, in order (`SIP;cause=200;text="..."`).
    pub fn reasons(&self) -> Vec<Reason<'a>> {
        self.headers_named(HeaderName::Reason)
            .flat_map(|h| CommaIter::new(h.raw_value).map_while(Result::ok))
            .filter_map(|v| Reason::parse(v).ok())
            .collect()
    }
    /// Every Authorization value that parses, in order.
    pub fn authorization(&self) -> Vec<Credentials<'a>> {
        self.credentials(HeaderName::Authorization)
    }
    /// Every Proxy-Authorization value that parses, in order.
    pub fn proxy_authorization(&self) -> Vec<Credentials<'a>> {
        self.credentials(HeaderName::ProxyAuthorization)
    }

    fn credentials(&self, name: HeaderName) -> Vec<Credentials<'a>> {
        self.headers_named(name)
            .filter_map(|h| Credentials::parse(h.raw_value).ok())
            .collect()
    }

    fn tokens(&self, name: HeaderName) -> Vec<&'a str> {
        self.headers_named(name)
            .flat_map(|h| h.raw_value.split(','))
            .map(trim_lws)
            .filter(|t| !t.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::sip::{Algorithm, Message};

    const RESP: &[u8] = b"SIP/2.0 407 Proxy Authentication Required\r\n\
Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\n\
From: <sip:a@example.com>;tag=1\r\n\
To: <sip:b@example.com>;tag=2\r\n\
Call-ID: c\r\n\
CSeq: 7 INVITE\r\n\
Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"\r\n\
Proxy-Authenticate: Digest realm=\"example.com\",\r\n nonce=\"n2\", algorithm=MD5, qop=\"auth\"\r\n\
Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n3\", algorithm=SHA-512-256\r\n\
WWW-Authenticate: Basic realm=\"x\"\r\n\
Allow: INVITE, ACK,BYE , CANCEL\r\n\
Allow: OPTIONS\r\n\
Supported: replaces, timer\r\n\
Require: 100rel\r\n\
Session-Expires: 1800;refresher=uas\r\n\
Min-SE: 90\r\n\
Expires: 3600\r\n\
Min-Expires: 60\r\n\
Retry-After: 30;duration=10\r\n\
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n\
Record-Route: <sip:p3.example.com;lr>\r\n\
Route: <sip:r.example.com;lr>\r\n\
Refer-To: <sip:c@example.com?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n\
Replaces: abc;to-tag=1;from-tag=2\r\n\
Reason: SIP;cause=487;text=\"Request Terminated\", Q.850;cause=16\r\n\
Content-Type: application/sdp ; charset=x\r\n\
Max-Forwards: 70\r\n\
Content-Length: 0\r\n\r\n";

    #[test]
    fn typed_accessors() {
        let m = Message::parse(RESP).unwrap();
        let ch = m.proxy_authenticate();
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].algorithm, Algorithm::Sha256);
        assert_eq!(ch[1].nonce, "n2");
        assert!(m.www_authenticate().is_empty());
        assert_eq!(m.allow(), vec!["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS"]);
        assert_eq!(m.supported(), vec!["replaces", "timer"]);
        assert_eq!(m.require(), vec!["100rel"]);
        let se = m.session_expires().unwrap();
        assert_eq!((se.seconds, se.refresher), (1800, Some("uas")));
        assert_eq!(m.min_se(), Some(90));
        assert_eq!(m.expires(), Some(3600));
        assert_eq!(m.min_expires(), Some(60));
        let ra = m.retry_after().unwrap();
        assert_eq!((ra.seconds, ra.duration), (30, Some(10)));
        let rr = m.record_route().unwrap();
        assert_eq!(rr.len(), 3);
        assert_eq!(rr[2].uri().host(), "p3.example.com");
        assert_eq!(m.route().unwrap()[0].uri().param("lr"), Some(None));
        let rt = m.refer_to().unwrap().unwrap();
        assert_eq!(
            rt.uri().headers(),
            Some("Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2")
        );
        let r = m.replaces().unwrap().unwrap();
        assert_eq!((r.call_id, r.to_tag, r.from_tag), ("abc", "1", "2"));
        let reasons = m.reasons();
        assert_eq!(reasons.len(), 2);
        assert_eq!(reasons[0].cause, Some(487));
        assert_eq!(reasons[1].protocol, "Q.850");
        assert_eq!(m.media_type(), Some("application/sdp"));
        assert_eq!(m.content_type().unwrap(), "application/sdp ; charset=x");
        assert_eq!(m.max_forwards(), Some(70));
        assert_eq!(m.content_length(), Some(0));
        assert_eq!(m.status(), Some(407));
        assert_eq!(m.to_bytes(), RESP.to_vec());
    }
}
