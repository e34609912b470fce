//! The little the core reads from SDP (RFC 8866): the media direction (for hold),
//! the ICE credentials (to spot an ICE restart) and which candidate types were
//! gathered (to decide when an offer is good enough to send). The SDP itself is
//! made and applied by the browser; the core never rewrites it.

/// Media direction (RFC 3264 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `a=sendrecv` (the default).
    SendRecv,
    /// `a=sendonly`: this side puts the other on hold.
    SendOnly,
    /// `a=recvonly`
    RecvOnly,
    /// `a=inactive`
    Inactive,
}

impl Direction {
    /// The attribute's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Whether an offer with this direction puts the answerer on hold.
    pub fn is_hold(self) -> bool {
        matches!(self, Direction::SendOnly | Direction::Inactive)
    }
}

/// Candidate types seen in an SDP, in `a=candidate` lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Candidates {
    /// `typ host`
    pub host: bool,
    /// `typ srflx`
    pub srflx: bool,
    /// `typ relay`
    pub relay: bool,
}

/// What the core reads from one SDP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdpSummary {
    /// Direction of the first audio (or else first) media section.
    pub direction: Option<Direction>,
    /// `a=ice-ufrag` of the first media section (or the session level).
    pub ice_ufrag: Option<String>,
    /// Candidate types present.
    pub candidates: Candidates,
    /// Number of `m=` lines.
    pub media_count: usize,
}

impl SdpSummary {
    /// Reads an SDP leniently: unknown or malformed lines are skipped.
    pub fn read(sdp: &str) -> SdpSummary {
        let mut summary = SdpSummary::default();
        let mut session_direction = None;
        let mut session_ufrag = None;
        let mut first_audio_seen = false;
        let mut in_chosen = false;
        for line in sdp.lines() {
            let line = line.trim_end_matches('\r');
            if let Some(media) = line.strip_prefix("m=") {
                summary.media_count += 1;
                let audio = media.starts_with("audio");
                in_chosen = (audio && !first_audio_seen) || summary.media_count == 1;
                if audio && !first_audio_seen {
                    first_audio_seen = true;
                    summary.direction = None;
                    summary.ice_ufrag = None;
                }
                continue;
            }
            let Some(attr) = line.strip_prefix("a=") else {
                continue;
            };
            let direction = match attr {
                "sendrecv" => Some(Direction::SendRecv),
                "sendonly" => Some(Direction::SendOnly),
                "recvonly" => Some(Direction::RecvOnly),
                "inactive" => Some(Direction::Inactive),
                _ => None,
            };
            if let Some(d) = direction {
                if summary.media_count == 0 {
                    session_direction = Some(d);
                } else if in_chosen && summary.direction.is_none() {
                    summary.direction = Some(d);
                }
            } else if let Some(ufrag) = attr.strip_prefix("ice-ufrag:") {
                if summary.media_count == 0 {
                    session_ufrag = Some(ufrag.trim().to_string());
                } else if in_chosen && summary.ice_ufrag.is_none() {
                    summary.ice_ufrag = Some(ufrag.trim().to_string());
                }
            } else if let Some(candidate) = attr.strip_prefix("candidate:") {
                let mut words = candidate.split_ascii_whitespace();
                while let Some(word) = words.next() {
                    if word == "typ" {
                        match words.next() {
                            Some("host") => summary.candidates.host = true,
                            Some("srflx") | Some("prflx") => summary.candidates.srflx = true,
                            Some("relay") => summary.candidates.relay = true,
                            _ => {}
                        }
                        break;
                    }
                }
            }
        }
        if summary.direction.is_none() {
            summary.direction = session_direction.or(Some(Direction::SendRecv));
        }
        if summary.ice_ufrag.is_none() {
            summary.ice_ufrag = session_ufrag;
        }
        if summary.media_count == 0 {
            summary.direction = None;
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:x\r\n\
a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0\r\n\
a=candidate:2 1 udp 1686052607 198.51.100.7 50000 typ srflx raddr 192.0.2.10 rport 50000\r\n\
a=sendonly\r\na=rtcp-mux\r\n";

    #[test]
    fn reads_direction_ufrag_and_candidates() {
        let s = SdpSummary::read(OFFER);
        assert_eq!(s.direction, Some(Direction::SendOnly));
        assert_eq!(s.ice_ufrag.as_deref(), Some("abcd"));
        assert_eq!(
            s.candidates,
            Candidates {
                host: true,
                srflx: true,
                relay: false
            }
        );
        assert_eq!(s.media_count, 1);
    }

    #[test]
    fn defaults_and_session_level() {
        let s = SdpSummary::read("v=0\r\na=inactive\r\na=ice-ufrag:top\r\nm=audio 9 RTP/AVP 0\r\n");
        assert_eq!(s.direction, Some(Direction::Inactive));
        assert_eq!(s.ice_ufrag.as_deref(), Some("top"));
        let s = SdpSummary::read("v=0\nm=audio 9 RTP/AVP 0\na=candidate:1 1 udp 1 10.0.0.1 9 typ relay raddr 0.0.0.0 rport 0\n");
        assert_eq!(s.direction, Some(Direction::SendRecv));
        assert!(s.candidates.relay);
        assert_eq!(SdpSummary::read("garbage\u{0}\u{ffff}").direction, None);
    }
}
