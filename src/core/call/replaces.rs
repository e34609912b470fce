//! Replaces (RFC 3891) both ways: our attended transfer (RFC 5589: a REFER on one call
//! whose Refer-To names the other call's party and carries `?Replaces=` with the other
//! dialog's ids), and an incoming INVITE with Replaces, which takes the place of the
//! call whose dialog it names.
//!
//! Matching follows RFC 3891 section 3: a confirmed dialog is replaced (unless the
//! INVITE says `early-only`: 486), an early dialog only when we initiated it (our
//! outgoing call, which is cancelled); an early dialog we did not initiate (a call
//! ringing here) and an unknown dialog get 481, an ended one 603, and a malformed or
//! repeated Replaces 400.

use super::state::Phase;
use super::types::{AnswerOptions, CallError, CallEvent, CallId, EndCause};
use super::Calls;
use crate::core::headers::{ExtraHeaders, HeaderTarget};
use crate::core::io::Io;
use crate::core::transaction::Sender;
use crate::core::LogLevel;
use crate::sip::{Message, NameAddr, Replaces, Uri};

/// Why an INVITE with Replaces is refused: status and reason phrase.
type Refusal = (u16, &'static str);

impl Calls {
    /// Attended transfer: asks the peer of call `id` to call the party of call `other`
    /// with an INVITE that replaces our dialog with that party.
    pub(crate) fn attended_transfer(
        &mut self,
        id: CallId,
        other: CallId,
        headers: Vec<(String, String)>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let extra = ExtraHeaders::new(headers, HeaderTarget::Refer)
            .map_err(|e| CallError::InvalidValue(e.to_string()))?;
        if id == other {
            return Err(CallError::InvalidValue(
                "a call cannot be transferred to itself".into(),
            ));
        }
        self.transferable(id)?;
        let consult = self.calls.iter().find(|c| c.id == other && !c.is_over());
        let consult = consult.ok_or(CallError::NoSuchCall)?;
        if consult.phase != Phase::Confirmed || self.is_consulted(other) {
            return Err(CallError::InvalidState(
                "the call to replace must be connected and not in another transfer",
            ));
        }
        let dialog = consult
            .dialog
            .as_ref()
            .ok_or(CallError::InvalidState("the call to replace has no dialog"))?;
        // The other party's address of record, not its Contact: a browser's Contact
        // (`sip:x@y.invalid;transport=ws`) is reachable only through its own proxy's
        // alias, and a proxy refuses to relay an initial request to it. The Replaces
        // header makes the AOR exact: a fork without the dialog answers 481.
        let party = NameAddr::parse(&dialog.remote_header)
            .ok()
            .map(|a| a.uri().without_headers().to_string())
            .ok_or(CallError::InvalidState(
                "the call to replace has no address",
            ))?;
        // To-tag and from-tag as the party sees its dialog: its tag is the to-tag.
        let replaces = Replaces {
            call_id: &dialog.call_id,
            to_tag: &dialog.remote_tag,
            from_tag: &dialog.local_tag,
            early_only: false,
        };
        let target = format!("{party}?Replaces={}", replaces.to_uri_header_value());
        // Checked as the peer will parse it (the tags are tokens, the Call-ID a word).
        Uri::parse(&target)
            .map_err(|e| CallError::InvalidValue(format!("cannot refer to {party}: {e}")))?;
        let refer_to = format!("<{target}>");
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        self.send_refer(i, &refer_to, Some(other), &extra, io, s)
    }

    /// Whether call `id` is the consultation call of an attended transfer under way
    /// (asked of a live call whose outcome is still awaited).
    pub(crate) fn is_consulted(&self, id: CallId) -> bool {
        self.calls
            .iter()
            .any(|c| !c.is_over() && c.transfer_out.is_some_and(|t| t.consult == Some(id)))
    }

    /// An INVITE outside any dialog that carries Replaces: refused here (`Some` with
    /// status and reason), or accepted as replacing the call returned.
    pub(crate) fn match_replaces(&self, msg: &Message<'_>) -> Result<Option<CallId>, Refusal> {
        let replaces = match msg.replaces() {
            Ok(None) => return Ok(None),
            Ok(Some(r)) => r,
            Err(_) => return Err((400, "Bad Replaces Header")),
        };
        let Some(call) = self.calls.iter().find(|c| {
            c.dialog.as_ref().is_some_and(|d| {
                d.call_id == replaces.call_id
                    && d.local_tag == replaces.to_tag
                    && d.remote_tag == replaces.from_tag
            })
        }) else {
            return Err((481, "Call/Transaction Does Not Exist"));
        };
        match call.phase {
            Phase::Terminated => Err((603, "Declined")),
            Phase::Confirmed | Phase::AwaitingAck if replaces.early_only => Err((486, "Busy Here")),
            Phase::Confirmed | Phase::AwaitingAck | Phase::Early { .. } => Ok(Some(call.id)),
            // An early dialog we did not initiate (ringing here) is not ours to replace.
            Phase::Ringing | Phase::Answering | Phase::Offering | Phase::Inviting => {
                Err((481, "Call/Transaction Does Not Exist"))
            }
        }
    }

    /// The new call `i` replaces call `old`: announced as such and answered at once.
    pub(crate) fn start_replacing(
        &mut self,
        i: usize,
        old: CallId,
        event: CallEvent,
        io: &mut Io<'_>,
    ) {
        let video = self.index(old).is_some_and(|j| self.calls[j].video);
        let call = &mut self.calls[i];
        call.replacing = Some(old);
        let id = call.id;
        let CallEvent::Incoming {
            from,
            display_name,
            to,
            details,
        } = event
        else {
            return;
        };
        call.emit(
            CallEvent::Replacing {
                from,
                display_name,
                to,
                details,
                replaces: old,
            },
            io,
        );
        io.log(LogLevel::Info, || {
            format!("call {} replaces call {}", id.0, old.0)
        });
        if self
            .answer(
                id,
                AnswerOptions {
                    video,
                    headers: Vec::new(),
                },
                io,
            )
            .is_err()
        {
            // The call was made ringing just now, so answering it cannot fail.
            self.calls[i].end(EndCause::Rejected(500), io);
        }
    }

    /// The call that replaces `old` is connected: `old` is hung up as `Replaced` (BYE
    /// when confirmed, CANCEL when it was our early call).
    pub(crate) fn end_replaced(&mut self, old: CallId, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let Some(j) = self.index(old).filter(|j| !self.calls[*j].is_over()) else {
            return;
        };
        let linger = self.settings.invite_timeout;
        match self.calls[j].phase {
            Phase::Early { .. } | Phase::Inviting => {
                self.calls[j].end_by_cancel(EndCause::Replaced, linger, io);
            }
            Phase::AwaitingAck => {
                self.calls[j].end_before_ack(EndCause::Replaced, linger, io);
            }
            _ => {
                self.send_bye(j, io, s);
                self.calls[j].end(EndCause::Replaced, io);
            }
        }
    }
}
