//! Transfer (RFC 3515): our REFER (blind transfer) with its NOTIFY progress, and the
//! peer's REFER (accepted with a new call whose progress goes back by NOTIFY; a Refer-To
//! carrying `?Replaces=` makes that call's INVITE carry the Replaces header, RFC 5589).
//! Attended transfer and incoming INVITEs with Replaces are in `replaces.rs`.

use super::state::{Phase, TransferOut};
use super::target::normalize_target;
use super::types::{CallError, CallEvent, CallId, CallOptions, EndCause};
use super::Calls;
use crate::core::io::Io;
use crate::core::timer::CallTimer;
use crate::core::transaction::InDialog;
use crate::core::transaction::Sender;
use crate::sip::{Message, Replaces};

impl Calls {
    /// Asks the peer to call `target` instead (blind transfer, REFER).
    pub(crate) fn transfer(
        &mut self,
        id: CallId,
        target: &str,
        headers: Vec<(String, String)>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let uri = normalize_target(target, &self.settings.domain)?;
        let extra = crate::core::headers::ExtraHeaders::new(
            headers,
            crate::core::headers::HeaderTarget::Refer,
        )
        .map_err(|e| CallError::InvalidValue(e.to_string()))?;
        self.transferable(id)?;
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        self.send_refer(i, &format!("<{uri}>"), None, &extra, io, s)
    }

    /// Sends our REFER in call `i`, with the application's `extra` headers, and waits for
    /// its outcome (`consult`: the call an attended transfer replaces).
    pub(crate) fn send_refer(
        &mut self,
        i: usize,
        refer_to: &str,
        consult: Option<CallId>,
        extra: &crate::core::headers::ExtraHeaders,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let referred_by = format!("<{}>", s.local.aor_uri());
        let mut all = vec![
            ("Refer-To", refer_to),
            ("Referred-By", referred_by.as_str()),
        ];
        all.extend(extra.iter());
        self.send_in_dialog(i, InDialog::Refer, &all, None, io, s)?;
        let call = &mut self.calls[i];
        call.transfer_out = Some(TransferOut { consult });
        call.set_timer(CallTimer::TransferTimeout, io.now + TRANSFER_TIMEOUT, io);
        Ok(())
    }

    pub(crate) fn on_refer(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let Some((target, _)) = refer_target(msg) else {
            return self.respond_raw_tagged(msg.as_bytes(), 400, "Bad Refer-To", &tag, &[], io);
        };
        if self.calls[i].refer_in.is_some() {
            return self.respond_raw_tagged(msg.as_bytes(), 491, "Request Pending", &tag, &[], io);
        }
        let call = &mut self.calls[i];
        call.refer_in = Some(msg.as_bytes().to_vec());
        call.set_timer(
            CallTimer::ReferTimeout,
            io.now + std::time::Duration::from_secs(20),
            io,
        );
        call.emit(CallEvent::TransferRequested { target }, io);
    }

    /// Checks that call `id` may start a transfer: connected, and no other of ours under way.
    pub(crate) fn transferable(&mut self, id: CallId) -> Result<(), CallError> {
        let call = self.get(id)?;
        if call.phase != Phase::Confirmed {
            return Err(CallError::InvalidState(
                "only a connected call can be transferred",
            ));
        }
        if call.transfer_out.is_some() {
            return Err(CallError::InvalidState("a transfer is already under way"));
        }
        Ok(())
    }

    /// The peer's REFER the application is answering (its wait is over).
    fn take_refer(&mut self, id: CallId, io: &mut Io<'_>) -> Result<Vec<u8>, CallError> {
        let call = self.get(id)?;
        let raw = call
            .refer_in
            .take()
            .ok_or(CallError::InvalidState("no transfer was requested"))?;
        call.cancel_timer(CallTimer::ReferTimeout, io);
        Ok(raw)
    }

    /// Accepts the peer's REFER: 202, then a new call to the target whose progress
    /// is reported back with NOTIFY. Returns the new call.
    pub(crate) fn accept_transfer(
        &mut self,
        id: CallId,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<CallId, CallError> {
        let raw = self.take_refer(id, io)?;
        let (target, replaces) = Message::parse(&raw)
            .ok()
            .and_then(|m| refer_target(&m))
            .ok_or(CallError::InvalidState("the REFER has no target"))?;
        self.respond_raw(&raw, 202, "Accepted", &[], io);
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        self.notify_refer(i, 100, "Trying", io, s);
        let new = self.call(&target, CallOptions::default(), io, s)?;
        if let Some(j) = self.index(new) {
            let call = &mut self.calls[j];
            call.referred_by = Some(id);
            if let Some(replaces) = replaces {
                // Checked by `refer_target`, and kept apart from the application's
                // headers: the stack owns Replaces.
                call.extra_headers.push(("Replaces".into(), replaces));
            }
        }
        Ok(new)
    }

    /// Declines the peer's REFER.
    pub(crate) fn decline_transfer(
        &mut self,
        id: CallId,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let raw = self.take_refer(id, io)?;
        self.respond_raw(&raw, 603, "Declined", &[], io);
        Ok(())
    }

    /// Reports the progress of a call made for a REFER to the call that received it.
    pub(crate) fn notify_refer(
        &mut self,
        i: usize,
        status: u16,
        reason: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let state = if status >= 200 {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        };
        let body = format!("SIP/2.0 {status} {reason}\r\n");
        let _ = self.send_in_dialog(
            i,
            InDialog::Notify,
            &[("Event", "refer"), ("Subscription-State", state)],
            Some(("message/sipfrag;version=2.0", body.as_bytes())),
            io,
            s,
        );
    }

    pub(crate) fn on_notify(
        &mut self,
        i: usize,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let tag = self.calls[i].local_tag.clone();
        self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        let is_refer = msg
            .header_by_name("Event")
            .is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("refer"));
        if !is_refer {
            return;
        }
        let body = String::from_utf8_lossy(msg.body());
        let Some((status, reason)) = sipfrag_status(&body) else {
            return;
        };
        self.calls[i].emit(CallEvent::TransferProgress { status, reason }, io);
        if (200..300).contains(&status) {
            self.transfer_succeeded(i, io, s);
        } else if status >= 300 {
            self.transfer_failed(i, io);
        } else if self.calls[i].transfer_out.is_some() {
            // Still going (ringing): the outcome may take as long again.
            self.calls[i].set_timer(CallTimer::TransferTimeout, io.now + TRANSFER_TIMEOUT, io);
        }
    }

    /// The target took the call (a 2xx NOTIFY): this call, and the consultation call of
    /// an attended transfer, are hung up as `Transferred`.
    fn transfer_succeeded(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let out = self.calls[i].transfer_out.take();
        self.send_bye(i, io, s);
        self.calls[i].end(EndCause::Transferred, io);
        let consult = out.and_then(|o| o.consult).and_then(|c| self.index(c));
        if let Some(j) = consult.filter(|j| !self.calls[*j].is_over()) {
            self.send_bye(j, io, s);
            self.calls[j].end(EndCause::Transferred, io);
        }
    }

    /// The transfer failed (a refused REFER, a failure NOTIFY, no outcome in time):
    /// every call stays as it was, a held one still held.
    pub(crate) fn transfer_failed(&mut self, i: usize, io: &mut Io<'_>) {
        let call = &mut self.calls[i];
        call.cancel_timer(CallTimer::TransferTimeout, io);
        call.transfer_out = None;
    }

    /// No outcome in time: reported as a 408, and the transfer is given up.
    pub(crate) fn transfer_timed_out(&mut self, i: usize, io: &mut Io<'_>) {
        if self.calls[i].transfer_out.is_none() {
            return;
        }
        let reason = "Transfer Timed Out".to_string();
        self.calls[i].emit(
            CallEvent::TransferProgress {
                status: 408,
                reason,
            },
            io,
        );
        self.transfer_failed(i, io);
    }
}

/// How long a transfer we asked for may go without an outcome (after the REFER, or
/// after the last provisional NOTIFY).
const TRANSFER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The target of a REFER: the Refer-To URI without its headers, and the Replaces value
/// carried in them (`?Replaces=...`, decoded and checked). `None` when the Refer-To is
/// missing or malformed, or its Replaces is.
fn refer_target(msg: &Message<'_>) -> Option<(String, Option<String>)> {
    let addr = msg.refer_to().ok().flatten()?;
    let uri = addr.uri();
    let replaces = match uri.header("Replaces") {
        None => None,
        Some(value) => Some(Replaces::parse(&value).ok()?.to_string()),
    };
    Some((uri.without_headers().to_string(), replaces))
}

/// The status line of a `message/sipfrag` body.
fn sipfrag_status(body: &str) -> Option<(u16, String)> {
    let line = body.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0 ")?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((code.parse().ok()?, reason.to_string()))
}
