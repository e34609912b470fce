//! Public types of calls: handles, events, end causes, media actions, errors.

use std::fmt;

use crate::core::Direction;

pub use super::media_types::IceState;
pub use crate::core::ids::CallId;

/// Options for an outgoing call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Offer video as well as audio.
    pub video: bool,
    /// Extra headers for the INVITE (checked as [`ExtraHeaders`](crate::core::ExtraHeaders)
    /// for an INVITE: no CR, LF or NUL, none the stack owns).
    pub headers: Vec<(String, String)>,
    /// Hide who calls: `From: "Anonymous" <sip:anonymous@anonymous.invalid>` and
    /// `Privacy: id` (RFC 3323); digest still answers with the configured user.
    pub anonymous: bool,
    /// The display name of this call's From, instead of the configured one.
    pub display_name: Option<String>,
}

/// Options for answering an incoming call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerOptions {
    /// Send video too (captures the camera). Without it a video offer is answered with
    /// audio only, still receiving the caller's video if it sends any.
    pub video: bool,
    /// Extra headers for the 200 (checked as [`ExtraHeaders`](crate::core::ExtraHeaders)).
    pub headers: Vec<(String, String)>,
}

/// How DTMF digits are played: the mode, each tone's duration and the gap between tones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfOptions {
    /// RFC 4733 in the media, or SIP INFO.
    pub mode: DtmfMode,
    /// How long each tone lasts, in ms (40-6000; 100 by default). INFO sends it as `Duration=`.
    pub duration_ms: u32,
    /// The silence between two tones, in ms (30-6000; 70 by default). INFO waits that
    /// long after a digit's answer before the next.
    pub gap_ms: u32,
}

impl Default for DtmfOptions {
    fn default() -> Self {
        DtmfOptions {
            mode: DtmfMode::Rfc4733,
            duration_ms: 100,
            gap_ms: 70,
        }
    }
}

/// Which header an incoming call's asserted identity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentitySource {
    /// `P-Asserted-Identity` (RFC 3325; Asterisk sends it).
    PAssertedIdentity,
    /// `Remote-Party-ID` (the older draft some PBXs still send).
    RemotePartyId,
}

/// The identity a trusted proxy asserts for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The asserted URI (`sip:` or `tel:`).
    pub uri: String,
    /// Its display name, if given.
    pub display_name: Option<String>,
    /// The header it came from.
    pub source: IdentitySource,
}

/// What an incoming INVITE says beyond its caller, for the application to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingDetails {
    /// The SIP Call-ID.
    pub call_id: String,
    /// Every header of the INVITE, in order, as `(name, value)` (credentials removed).
    pub headers: Vec<(String, String)>,
    /// P-Asserted-Identity (first SIP one), else Remote-Party-ID.
    pub identity: Option<Identity>,
    /// The `Alert-Info` values, in order.
    pub alert_info: Vec<String>,
    /// The `Call-Info` values, in order.
    pub call_info: Vec<String>,
    /// The PBX asks to answer by itself after this many seconds (`answer-after=`
    /// in Call-Info or Alert-Info, `info=alert-autoanswer` or `;intercom` meaning 0).
    pub auto_answer_after: Option<u32>,
}

/// How DTMF digits are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DtmfMode {
    /// In the media, as RFC 4733 telephone-events (the browser's RTCDTMFSender).
    #[default]
    Rfc4733,
    /// As SIP INFO requests with `application/dtmf-relay` bodies.
    Info,
}

/// Which side is on hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HoldState {
    /// We put the call on hold.
    pub local: bool,
    /// The peer put us on hold.
    pub remote: bool,
}

/// Something that happened to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallEvent {
    /// A new incoming call: answer or reject it.
    Incoming {
        /// The caller's URI.
        from: String,
        /// The caller's display name, if given.
        display_name: Option<String>,
        /// The URI that was called.
        to: String,
        /// The rest of the INVITE: Call-ID, headers, identity, auto-answer hints.
        details: Box<IncomingDetails>,
    },
    /// An outgoing call is being set up.
    Calling {
        /// The URI called.
        target: String,
        /// The SIP Call-ID of the INVITE.
        call_id: String,
    },
    /// A new incoming call that replaces call `replaces` (an INVITE with Replaces,
    /// RFC 3891, matching that call's dialog: the last step of an attended transfer or
    /// a call pickup). It is answered at once, without ringing; `replaces` ends as
    /// [`EndCause::Replaced`] once this call is connected.
    Replacing {
        /// The caller's URI.
        from: String,
        /// The caller's display name, if given.
        display_name: Option<String>,
        /// The URI that was called.
        to: String,
        /// The rest of the INVITE: Call-ID, headers, identity, auto-answer hints.
        details: Box<IncomingDetails>,
        /// The call this one replaces.
        replaces: CallId,
    },
    /// The far end is ringing (180).
    Ringing,
    /// The far end sends early media (183 with SDP): play the remote stream.
    EarlyMedia,
    /// Both sides are in the call (again, after `Reconnecting`).
    Connected,
    /// Media was lost (ICE disconnected or failed, or the network changed): the call
    /// is restarting ICE and stays up until the recovery limit.
    Reconnecting,
    /// The hold state changed.
    Hold(HoldState),
    /// The local microphone was muted or unmuted.
    Muted(bool),
    /// The peer sent a DTMF digit by SIP INFO.
    DtmfReceived(char),
    /// The peer sent an INFO that is not DTMF (answered 200).
    Info {
        /// Its Content-Type (empty when it had no body).
        content_type: String,
        /// Its body, as text (invalid UTF-8 replaced).
        body: String,
        /// Its headers, in order.
        headers: Vec<(String, String)>,
    },
    /// The answer to an INFO the application sent with `send_info`.
    InfoResponse {
        /// The final status (408 with no answer).
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// The peer asks us to call `target` (incoming REFER): accept or decline it.
    TransferRequested {
        /// The Refer-To URI.
        target: String,
    },
    /// Progress of a transfer we asked for: the answer to the REFER (202), then the
    /// status lines of the NOTIFYs. A 2xx ends the transfer well (the call, and in an
    /// attended transfer the consultation call, end as `Transferred`); a status of 300
    /// or more, or 408 when no outcome came within 60 s, means it failed and every call
    /// stays as it was.
    TransferProgress {
        /// The status code reported.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// The call is over.
    Ended(EndCause),
}

/// Why a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndCause {
    /// We hung up an established call.
    LocalHangup,
    /// The peer hung up (BYE).
    RemoteHangup,
    /// The callee was busy (486, 600).
    Busy,
    /// The callee declined (603).
    Declined,
    /// The call was cancelled before it was answered: by us (outgoing) or by the
    /// caller (incoming, a missed call).
    Cancelled,
    /// Nobody answered in time (408, 480, or our own no-answer timeout).
    NoAnswer,
    /// We rejected an incoming call with this status.
    Rejected(u16),
    /// Any other failure.
    Failed {
        /// The SIP status (408 for a timeout, 503 for a transport failure).
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// Media could not be set up or was lost for good.
    MediaFailure {
        /// What the browser reported.
        reason: String,
    },
    /// The session timer expired without a refresh (RFC 4028).
    SessionExpired,
    /// Our session refresh was refused (or got no answer) every time it was tried, up
    /// to 2 s before the far end would hang up at the session's expiry.
    SessionRefreshFailed {
        /// The status of the last refusal (408 when no answer came).
        status: u16,
        /// Its reason phrase (`Missing Contact header`, ...).
        reason: String,
    },
    /// The call was transferred away (REFER succeeded); in an attended transfer, both
    /// the transferred call and the consultation call end so.
    Transferred,
    /// The media watchdog found no media (never started, or lost) and recovery (ICE
    /// restarts, relay-only among them when that could help) did not bring it back:
    /// what happened, for how long it was tried, and the browser's evidence.
    NoMedia(Box<super::media_types::NoMedia>),
    /// An incoming INVITE with Replaces (RFC 3891) took this call's place: the new call
    /// came with [`CallEvent::Replacing`].
    Replaced,
}

impl EndCause {
    /// The cause in a log line: the variant's name and fields, peer text escaped.
    /// Written out rather than derived `Debug`, whose struct builders cost 2 kB of wasm.
    pub(crate) fn log_text(&self) -> String {
        let name = match self {
            EndCause::LocalHangup => "LocalHangup",
            EndCause::RemoteHangup => "RemoteHangup",
            EndCause::Busy => "Busy",
            EndCause::Declined => "Declined",
            EndCause::Cancelled => "Cancelled",
            EndCause::NoAnswer => "NoAnswer",
            EndCause::Rejected(status) => return format!("Rejected ({status})"),
            EndCause::Failed { status, reason } => {
                return format!("Failed (status {status}, reason {reason:?})")
            }
            EndCause::MediaFailure { reason } => return format!("MediaFailure ({reason:?})"),
            EndCause::SessionExpired => "SessionExpired",
            EndCause::SessionRefreshFailed { status, reason } => {
                return format!("SessionRefreshFailed (status {status}, reason {reason:?})")
            }
            EndCause::Transferred => "Transferred",
            EndCause::NoMedia(n) => {
                return format!(
                    "NoMedia ({}, {}, {} restarts in {} ms: {:?})",
                    n.loss.as_str(),
                    n.why.as_str(),
                    n.restarts,
                    n.tried.as_millis(),
                    n.reason
                )
            }
            EndCause::Replaced => "Replaced",
        };
        name.to_owned()
    }
}

/// What the driver must do with a call's media (the RTCPeerConnection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaAction {
    /// Make an offer (creating the peer connection and capturing audio if this is the
    /// first), set it as local description and report it, and every update as
    /// candidates are gathered, with `Input::LocalDescription`.
    CreateOffer {
        /// The direction for the transceivers before the offer is made.
        direction: Direction,
        /// Restart ICE (new credentials).
        ice_restart: bool,
        /// Offer video as well.
        video: bool,
    },
    /// Apply the peer's offer, make an answer, set it and report it like an offer.
    CreateAnswer {
        /// The peer's SDP offer.
        offer: String,
        /// The direction for the transceivers before the answer is made.
        direction: Direction,
        /// Send video as well (capture the camera).
        video: bool,
    },
    /// Apply the peer's answer to our offer (`pranswer` when provisional).
    ApplyAnswer {
        /// The peer's SDP answer.
        answer: String,
        /// A provisional (early media) answer; a final one follows.
        provisional: bool,
    },
    /// Abandon the local offer (`setLocalDescription({type: 'rollback'})`).
    Rollback,
    /// Mute or unmute the local audio track.
    Mute(bool),
    /// Play DTMF tones with the RTCDTMFSender (`insertDTMF(tones, duration, gap)`).
    SendDtmf {
        /// Digits `0-9*#A-D`, `,` for a pause.
        tones: String,
        /// Each tone's duration, in ms.
        duration_ms: u32,
        /// The gap between tones, in ms.
        gap_ms: u32,
    },
    /// Close the peer connection and stop the local tracks.
    Close,
    /// Read the call's media now (states, `getStats()`, ICE server errors) and report
    /// it with `Input::MediaSample`; the quality warnings are updated from the same
    /// reading.
    SampleMedia {
        /// Inbound audio is expected now (the call is up and nobody holds it): the
        /// no-inbound-audio and far-end-silence warnings count only then.
        expect_inbound: bool,
        /// Outbound audio is expected (not muted, not held): the silent-microphone
        /// warning counts only then.
        expect_outbound: bool,
    },
    /// From now on this call gathers relay candidates only
    /// (`pc.setConfiguration({...current, iceTransportPolicy: 'relay'})`); an
    /// ICE-restart offer follows.
    RelayOnly,
}

/// A call operation the application asked for could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// No call has this id (it may have ended).
    NoSuchCall,
    /// The operation does not fit the call's state.
    InvalidState(&'static str),
    /// The target is not a SIP URI, a user name or a number.
    InvalidTarget(String),
    /// A value holds characters that cannot go into a message.
    InvalidValue(String),
    /// The user agent has no connection to send the request on.
    NotConnected,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NoSuchCall => write!(f, "no such call"),
            CallError::InvalidState(why) => write!(f, "not possible now: {why}"),
            CallError::InvalidTarget(why) => write!(f, "invalid target: {why}"),
            CallError::InvalidValue(why) => write!(f, "invalid value: {why}"),
            CallError::NotConnected => write!(f, "not connected to the SIP server"),
        }
    }
}

impl std::error::Error for CallError {}
