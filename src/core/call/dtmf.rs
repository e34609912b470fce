//! DTMF: RFC 4733 in the media (the browser's RTCDTMFSender), or SIP INFO with
//! `application/dtmf-relay` bodies, one digit in flight at a time; digits received by INFO.

use super::state::Phase;
use super::types::{CallError, CallEvent, CallId, DtmfMode, MediaAction};
use super::Calls;
use crate::core::io::Io;
use crate::core::transaction::InDialog;
use crate::core::transaction::Sender;
use crate::sip::Message;

impl Calls {
    /// Sends DTMF `tones` in the media (RFC 4733) or by SIP INFO.
    pub(crate) fn send_dtmf(
        &mut self,
        id: CallId,
        tones: &str,
        mode: DtmfMode,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let tones = tones.to_ascii_uppercase();
        if tones.is_empty()
            || !tones
                .chars()
                .all(|c| c.is_ascii_digit() || "*#ABCD,".contains(c))
        {
            return Err(CallError::InvalidValue(
                "DTMF tones are 0-9, *, #, A-D and ','".into(),
            ));
        }
        let call = self.get(id)?;
        if !matches!(call.phase, Phase::Confirmed | Phase::Early) {
            return Err(CallError::InvalidState(
                "DTMF needs an answered call or early media",
            ));
        }
        match mode {
            DtmfMode::Rfc4733 => call.media(MediaAction::SendDtmf { tones }, io),
            DtmfMode::Info => {
                call.dtmf_queue.extend(tones.chars().filter(|c| *c != ','));
                let i = self.index(id).ok_or(CallError::NoSuchCall)?;
                self.pump_dtmf(i, io, s);
            }
        }
        Ok(())
    }

    /// Sends the next queued INFO digit once the previous one is answered.
    pub(crate) fn pump_dtmf(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.calls[i].dtmf_in_flight {
            return;
        }
        let Some(digit) = self.calls[i].dtmf_queue.pop_front() else {
            return;
        };
        let body = format!("Signal={digit}\r\nDuration=160\r\n");
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
        }
    }

    pub(crate) fn on_info(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let media_type = msg.media_type().unwrap_or("").to_ascii_lowercase();
        if msg.body().is_empty() {
            return self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        }
        if media_type != "application/dtmf-relay" && media_type != "application/dtmf" {
            return self.respond_raw_tagged(
                msg.as_bytes(),
                415,
                "Unsupported Media Type",
                &tag,
                &[("Accept", "application/dtmf-relay")],
                io,
            );
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
        self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        if let Some(digit) = digit {
            self.calls[i].emit(CallEvent::DtmfReceived(digit.to_ascii_uppercase()), io);
        }
    }
}
