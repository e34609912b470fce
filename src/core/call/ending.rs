//! How the application ends a call: CANCEL before an answer, BYE after, a rejection
//! while it rings, each with the application's status, reason phrase, RFC 3326
//! `Reason` and extra headers ([`EndOptions`]).

use super::incoming::reason_phrase;
use super::state::{Call, Phase};
use super::types::{CallError, CallId, EndCause};
use super::Calls;
use crate::core::headers::{check_phrase, EndOptions, ExtraHeaders, HeaderTarget};
use crate::core::io::Io;
use crate::core::transaction::Sender;

/// The checked headers of `options` for a BYE, CANCEL or rejection: the extra ones,
/// then `Reason` when given.
fn end_headers(options: &EndOptions) -> Result<Vec<(String, String)>, CallError> {
    let invalid = |e: crate::core::HeaderError| CallError::InvalidValue(e.to_string());
    let mut all: Vec<(String, String)> =
        ExtraHeaders::new(options.headers.clone(), HeaderTarget::End)
            .map_err(invalid)?
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
    if let Some(reason) = &options.reason {
        all.push(("Reason".into(), reason.value().map_err(invalid)?));
    }
    Ok(all)
}

impl Calls {
    /// Hangs up: CANCEL before an answer, BYE after, a rejection while ringing (the
    /// status of `options`, 486 by default).
    pub(crate) fn hangup(
        &mut self,
        id: CallId,
        options: &EndOptions,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        if self.calls[i].is_over() {
            return Err(CallError::NoSuchCall);
        }
        if matches!(self.calls[i].phase, Phase::Ringing | Phase::Answering) {
            return self.reject(id, options, io);
        }
        self.calls[i].end_headers = end_headers(options)?;
        match self.calls[i].phase {
            Phase::Offering => self.calls[i].end(EndCause::Cancelled, io),
            Phase::Inviting | Phase::Early { .. } => {
                let linger = self.settings.invite_timeout;
                self.calls[i].end_by_cancel(EndCause::Cancelled, linger, io);
            }
            Phase::AwaitingAck => {
                let linger = self.settings.invite_timeout;
                self.calls[i].end_before_ack(EndCause::LocalHangup, linger, io);
            }
            Phase::Confirmed => {
                self.send_bye(i, io, s);
                self.calls[i].end(EndCause::LocalHangup, io);
            }
            Phase::Ringing | Phase::Answering | Phase::Terminated => {
                return Err(CallError::NoSuchCall)
            }
        }
        Ok(())
    }

    /// Rejects a ringing incoming call with the status of `options` (486 by default;
    /// 603 declines, 480 ...), its reason phrase, `Reason` and extra headers.
    pub(crate) fn reject(
        &mut self,
        id: CallId,
        options: &EndOptions,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let status = options.status.unwrap_or(486);
        if !(300..=699).contains(&status) {
            return Err(CallError::InvalidValue(format!(
                "{status} is not a rejection status (300-699)"
            )));
        }
        if let Some(phrase) = &options.reason_phrase {
            check_phrase(phrase).map_err(|e| CallError::InvalidValue(e.to_string()))?;
        }
        let headers = end_headers(options)?;
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        let call = &self.calls[i];
        if call.is_over() {
            return Err(CallError::NoSuchCall);
        }
        if !matches!(call.phase, Phase::Ringing | Phase::Answering) {
            return Err(CallError::InvalidState(
                "only an unanswered incoming call can be rejected",
            ));
        }
        let phrase = options
            .reason_phrase
            .clone()
            .unwrap_or_else(|| reason_phrase(status).to_string());
        self.respond_invite_with(i, status, &phrase, &headers, io);
        self.calls[i].end(EndCause::Rejected(status), io);
        Ok(())
    }
}

impl Call {
    /// Sends the CANCEL of our INVITE if a provisional response to it has come (RFC
    /// 3261 section 9.1), and says whether it could go. It carries the application's
    /// headers and `Reason`, or `Reason: SIP;cause=487`.
    pub(crate) fn send_cancel(&self, io: &mut Io<'_>) -> bool {
        let Some(invite) = self.invite.as_ref().filter(|inv| inv.tx.can_cancel()) else {
            return false;
        };
        invite
            .tx
            .cancel(&self.local_header, &self.call_id, &self.end_headers, io);
        true
    }
}
