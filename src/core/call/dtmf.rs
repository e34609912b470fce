//! DTMF: RFC 4733 in the media (the browser's RTCDTMFSender), or SIP INFO with
//! `application/dtmf-relay` bodies, one digit in flight at a time and the inter-tone gap
//! waited between them; digits received by INFO. Generic INFO both ways: the
//! application's own (any content type) and the peer's, reported as `Info` events.

use std::time::Duration;

use super::state::Phase;
use super::types::{CallError, CallEvent, CallId, DtmfMode, DtmfOptions, MediaAction};
use super::Calls;
use crate::core::headers::{ExtraHeaders, HeaderTarget};
use crate::core::io::Io;
use crate::core::timer::CallTimer;
use crate::core::transaction::InDialog;
use crate::core::transaction::Sender;
use crate::sip::{HeaderName, Message};

impl Calls {
    /// Sends DTMF `tones` in the media (RFC 4733) or by SIP INFO.
    pub(crate) fn send_dtmf(
        &mut self,
        id: CallId,
        tones: &str,
        options: DtmfOptions,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let tones = tones.to_ascii_uppercase();
        if tones.is_empty()
            || tones.len() > 256
            || !tones
                .chars()
                .all(|c| c.is_ascii_digit() || "*#ABCD,".contains(c))
        {
            return Err(CallError::InvalidValue(
                "DTMF tones are 0-9, *, #, A-D and ',' (at most 256)".into(),
            ));
        }
        // The RTCDTMFSender's own limits (WebRTC 1.0 section 7.2).
        if !(40..=6000).contains(&options.duration_ms) || !(30..=6000).contains(&options.gap_ms) {
            return Err(CallError::InvalidValue(
                "DTMF duration is 40-6000 ms and the gap 30-6000 ms".into(),
            ));
        }
        let call = self.get(id)?;
        if !matches!(call.phase, Phase::Confirmed | Phase::Early { .. }) {
            return Err(CallError::InvalidState(
                "DTMF needs an answered call or early media",
            ));
        }
        match options.mode {
            DtmfMode::Rfc4733 => call.media(
                MediaAction::SendDtmf {
                    tones,
                    duration_ms: options.duration_ms,
                    gap_ms: options.gap_ms,
                },
                io,
            ),
            DtmfMode::Info => {
                let (d, g) = (options.duration_ms, options.gap_ms);
                call.dtmf_queue
                    .extend(tones.chars().filter(|c| *c != ',').map(|c| (c, d, g)));
                let i = self.index(id).ok_or(CallError::NoSuchCall)?;
                self.pump_dtmf(i, io, s);
            }
        }
        Ok(())
    }

    /// Sends the next queued INFO digit once the previous one is answered and its gap
    /// is over.
    pub(crate) fn pump_dtmf(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.calls[i].dtmf_in_flight || self.calls[i].dtmf_gap.is_some() {
            return;
        }
        let Some((digit, duration, gap)) = self.calls[i].dtmf_queue.pop_front() else {
            return;
        };
        let body = format!("Signal={digit}\r\nDuration={duration}\r\n");
        if self
            .send_in_dialog(
                i,
                InDialog::Info,
                &[],
                Some(("application/dtmf-relay", body.as_bytes())),
                io,
                s,
            )
            .is_ok()
        {
            self.calls[i].dtmf_in_flight = true;
            self.calls[i].dtmf_gap = Some(gap);
        }
    }

    /// The INFO of a digit was answered: the next one waits for the gap.
    pub(crate) fn dtmf_answered(&mut self, i: usize, io: &mut Io<'_>) {
        let call = &mut self.calls[i];
        call.dtmf_in_flight = false;
        let gap = call.dtmf_gap.unwrap_or(0);
        if call.dtmf_queue.is_empty() || call.is_over() {
            call.dtmf_gap = None;
            return;
        }
        let at = io.now + Duration::from_millis(u64::from(gap));
        call.set_timer(CallTimer::DtmfGap, at, io);
    }

    /// The gap after a digit is over.
    pub(crate) fn on_dtmf_gap(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.calls[i].dtmf_gap = None;
        self.pump_dtmf(i, io, s);
    }

    /// Sends an INFO with the application's body (any content type) in the call's
    /// dialog; its answer comes as an `InfoResponse` event.
    pub(crate) fn send_info(
        &mut self,
        id: CallId,
        content_type: &str,
        body: &str,
        headers: Vec<(String, String)>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let headers = ExtraHeaders::new(headers, HeaderTarget::WithBody)
            .map_err(|e| CallError::InvalidValue(e.to_string()))?;
        let valid_type = content_type.contains('/')
            && content_type.len() <= 256
            && !content_type.chars().any(|c| c.is_control());
        if !valid_type {
            return Err(CallError::InvalidValue(
                "the content type must look like type/subtype".into(),
            ));
        }
        if body.len() > 64 * 1024 {
            return Err(CallError::InvalidValue(
                "an INFO body is at most 64 kB".into(),
            ));
        }
        let call = self.get(id)?;
        if !matches!(call.phase, Phase::Confirmed | Phase::Early { .. }) {
            return Err(CallError::InvalidState(
                "INFO needs an answered call or an early dialog",
            ));
        }
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        self.send_in_dialog(
            i,
            InDialog::AppInfo,
            &pairs,
            Some((content_type, body.as_bytes())),
            io,
            s,
        )
    }

    pub(crate) fn on_info(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let media_type = msg.media_type().unwrap_or("").to_ascii_lowercase();
        let dtmf = media_type == "application/dtmf-relay" || media_type == "application/dtmf";
        if !dtmf && !msg.body().is_empty() && !self.settings.info_accepts(&media_type) {
            let accept = self.settings.info_accept.join(", ");
            return self.respond_raw_tagged(
                msg.as_bytes(),
                415,
                "Unsupported Media Type",
                &tag,
                &[("Accept", &accept)],
                io,
            );
        }
        self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        if msg.body().is_empty() {
            // An INFO without a body (some PBXs probe the dialog so) says nothing.
            return;
        }
        if !dtmf {
            let event = CallEvent::Info {
                content_type: msg
                    .content_type()
                    .map(|c| c.into_owned())
                    .unwrap_or_default(),
                body: String::from_utf8_lossy(msg.body()).into_owned(),
                headers: header_pairs(msg),
            };
            return self.calls[i].emit(event, io);
        }
        let body = String::from_utf8_lossy(msg.body());
        let digit = body
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Signal=")
                    .or_else(|| l.trim().strip_prefix("Signal ="))
            })
            .or_else(|| (media_type == "application/dtmf").then_some(body.trim()))
            .and_then(|v| v.trim().chars().next())
            .filter(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(*c));
        if let Some(digit) = digit {
            self.calls[i].emit(CallEvent::DtmfReceived(digit.to_ascii_uppercase()), io);
        }
    }
}

/// Every header of `msg` in order, as `(name, value)`, with credentials removed.
pub(crate) fn header_pairs(msg: &Message<'_>) -> Vec<(String, String)> {
    msg.headers()
        .iter()
        .map(|h| {
            let secret = matches!(
                h.known(),
                Some(HeaderName::Authorization | HeaderName::ProxyAuthorization)
            );
            let value = if secret {
                "***".to_string()
            } else {
                h.value().into_owned()
            };
            (h.name.to_string(), value)
        })
        .collect()
}
