//! The application's commands on calls.

use super::{Run, UserAgent};
use crate::core::call::{AnswerOptions, CallError, CallOptions, Calls, DtmfMode, DtmfOptions};
use crate::core::headers::EndOptions;
use crate::core::ids::CallId;
use crate::core::io::Io;
use crate::core::transaction::Sender;
use crate::core::Instant;

impl UserAgent {
    pub(super) fn with_calls<T>(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut Calls, &mut Io<'_>, &mut Sender<'_>) -> T,
    ) -> T {
        let mut p = self.parts(now);
        let result = f(p.calls, &mut p.io, &mut p.sender);
        self.reap(now);
        result
    }

    /// Calls `target`: a SIP URI, a user name or a number in the AOR's domain.
    ///
    /// The call asks the driver for an offer ([`MediaAction::CreateOffer`](crate::core::MediaAction::CreateOffer)) and
    /// sends the INVITE once the offer's candidates are good enough.
    ///
    /// # Errors
    /// An invalid target or extra header, or no connection to the server.
    pub fn call(
        &mut self,
        target: &str,
        options: CallOptions,
        now: Instant,
    ) -> Result<CallId, CallError> {
        // A stopping user agent makes no call: stop() already ended its calls, and one
        // made now would outlive it with no flow and no end.
        if self.run != Run::Running {
            return Err(CallError::NotConnected);
        }
        self.with_calls(now, |calls, io, s| calls.call(target, options, io, s))
    }

    /// Answers a ringing incoming call.
    ///
    /// # Errors
    /// No such call, or it is not ringing.
    pub fn answer(
        &mut self,
        call: CallId,
        options: AnswerOptions,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.answer(call, options, io))
    }

    /// Rejects a ringing incoming call with `status` (486 busy, 603 decline, 480...).
    ///
    /// # Errors
    /// No such call, it is not ringing, or `status` is not 300-699.
    pub fn reject(&mut self, call: CallId, status: u16, now: Instant) -> Result<(), CallError> {
        let options = EndOptions {
            status: Some(status),
            ..EndOptions::default()
        };
        self.reject_with(call, &options, now)
    }

    /// Rejects a ringing incoming call with the status (486 by default), reason phrase,
    /// RFC 3326 `Reason` and extra headers of `options`.
    ///
    /// # Errors
    /// No such call, it is not ringing, a status outside 300-699, or a bad phrase,
    /// `Reason` or header.
    pub fn reject_with(
        &mut self,
        call: CallId,
        options: &EndOptions,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.reject(call, options, io))
    }

    /// Ends a call: CANCEL before an answer, BYE after, 486 while an incoming call rings.
    ///
    /// # Errors
    /// No such call.
    pub fn hangup(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.hangup_with(call, &EndOptions::default(), now)
    }

    /// Ends a call as [`UserAgent::hangup`] does, the BYE or CANCEL carrying the `Reason`
    /// and extra headers of `options` (a ringing incoming call is rejected with them).
    ///
    /// # Errors
    /// No such call, or a bad `Reason` or header.
    pub fn hangup_with(
        &mut self,
        call: CallId,
        options: &EndOptions,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| calls.hangup(call, options, io, s))
    }

    /// Puts a connected call on hold (re-INVITE with `sendonly`).
    ///
    /// # Errors
    /// No such call, not connected, or a re-negotiation is under way.
    pub fn hold(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.hold_with(call, Vec::new(), now)
    }

    /// Puts a call on hold, the re-INVITE carrying extra `headers`.
    ///
    /// # Errors
    /// As for [`UserAgent::hold`], and a bad header.
    pub fn hold_with(
        &mut self,
        call: CallId,
        headers: Vec<(String, String)>,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.set_hold(call, true, headers, io))
    }

    /// Takes a held call off hold (re-INVITE with `sendrecv`).
    ///
    /// # Errors
    /// As for [`UserAgent::hold`].
    pub fn resume(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.resume_with(call, Vec::new(), now)
    }

    /// Takes a call off hold, the re-INVITE carrying extra `headers`.
    ///
    /// # Errors
    /// As for [`UserAgent::hold_with`].
    pub fn resume_with(
        &mut self,
        call: CallId,
        headers: Vec<(String, String)>,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.set_hold(call, false, headers, io))
    }

    /// Mutes or unmutes the microphone of a call (no signalling).
    ///
    /// # Errors
    /// No such call.
    pub fn set_muted(&mut self, call: CallId, muted: bool, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.set_muted(call, muted, io))
    }

    /// Sends DTMF tones (`0-9*#A-D`, `,` for a pause).
    ///
    /// # Errors
    /// No such call, not answered, or invalid tones.
    pub fn send_dtmf(
        &mut self,
        call: CallId,
        tones: &str,
        mode: DtmfMode,
        now: Instant,
    ) -> Result<(), CallError> {
        let options = DtmfOptions {
            mode,
            ..DtmfOptions::default()
        };
        self.send_dtmf_with(call, tones, options, now)
    }

    /// Sends DTMF tones with a tone duration and inter-tone gap (see [`DtmfOptions`]).
    ///
    /// # Errors
    /// No such call, not answered, invalid tones, or a duration or gap out of range.
    pub fn send_dtmf_with(
        &mut self,
        call: CallId,
        tones: &str,
        options: DtmfOptions,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| {
            calls.send_dtmf(call, tones, options, io, s)
        })
    }

    /// Sends an INFO in the call's dialog with `body` of `content_type` and extra
    /// `headers`; its answer comes as an `InfoResponse` event.
    ///
    /// # Errors
    /// No such call, no dialog yet, a bad content type or header, a body over 64 kB,
    /// or no connection.
    pub fn send_info(
        &mut self,
        call: CallId,
        content_type: &str,
        body: &str,
        headers: Vec<(String, String)>,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| {
            calls.send_info(call, content_type, body, headers, io, s)
        })
    }

    /// Transfers a connected call to `target` (blind transfer by REFER). Progress
    /// comes as `TransferProgress` events; on success the call ends as `Transferred`.
    ///
    /// # Errors
    /// No such call, not connected, an invalid target, or a transfer already under way.
    pub fn transfer(&mut self, call: CallId, target: &str, now: Instant) -> Result<(), CallError> {
        self.transfer_with(call, target, Vec::new(), now)
    }

    /// Transfers as [`UserAgent::transfer`] does, the REFER carrying extra `headers`.
    ///
    /// # Errors
    /// As for [`UserAgent::transfer`], and a bad header.
    pub fn transfer_with(
        &mut self,
        call: CallId,
        target: &str,
        headers: Vec<(String, String)>,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| {
            calls.transfer(call, target, headers, io, s)
        })
    }

    /// Attended transfer (RFC 5589): asks the peer of `call` to call the party of
    /// `replaces` (another connected call, usually the consultation call made while
    /// `call` was held) with an INVITE that replaces our dialog with that party. The
    /// REFER's `Refer-To` is that party's address with `?Replaces=` naming the dialog.
    /// Progress comes as `TransferProgress` events on `call`; on success both calls end
    /// as `Transferred`; on failure (a status of 300 or more, or 408 when no outcome
    /// came in time) both stay as they were.
    ///
    /// # Errors
    /// No such call, either call not connected, the same call twice, a transfer
    /// already under way on `call`, or `replaces` already part of another transfer.
    pub fn attended_transfer(
        &mut self,
        call: CallId,
        replaces: CallId,
        now: Instant,
    ) -> Result<(), CallError> {
        self.attended_transfer_with(call, replaces, Vec::new(), now)
    }

    /// Attended transfer as [`UserAgent::attended_transfer`] does, the REFER carrying
    /// extra `headers`.
    ///
    /// # Errors
    /// As for [`UserAgent::attended_transfer`], and a bad header.
    pub fn attended_transfer_with(
        &mut self,
        call: CallId,
        replaces: CallId,
        headers: Vec<(String, String)>,
        now: Instant,
    ) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, s| {
            calls.attended_transfer(call, replaces, headers, io, s)
        })
    }

    /// Accepts a transfer the peer asked for: calls its target and returns the new call.
    /// When the Refer-To carries `?Replaces=` (an attended transfer), the new call's
    /// INVITE carries that Replaces header.
    ///
    /// # Errors
    /// No transfer pending on `call`.
    pub fn accept_transfer(&mut self, call: CallId, now: Instant) -> Result<CallId, CallError> {
        if self.run != Run::Running {
            return Err(CallError::NotConnected);
        }
        self.with_calls(now, |calls, io, s| calls.accept_transfer(call, io, s))
    }

    /// Declines a transfer the peer asked for (603).
    ///
    /// # Errors
    /// No transfer pending on `call`.
    pub fn decline_transfer(&mut self, call: CallId, now: Instant) -> Result<(), CallError> {
        self.with_calls(now, |calls, io, _| calls.decline_transfer(call, io))
    }

    /// The live calls.
    pub fn calls(&self) -> Vec<CallId> {
        self.calls.ids()
    }
}
