//! Transfer (RFC 3515): our REFER (blind transfer) with its NOTIFY progress, and the
//! peer's REFER (accepted with a new call whose progress goes back by NOTIFY).

use super::state::Phase;
use super::target::normalize_target;
use super::types::{CallError, CallEvent, CallId, CallOptions, EndCause};
use super::Calls;
use crate::core::io::Io;
use crate::core::timer::CallTimer;
use crate::core::transaction::InDialog;
use crate::core::transaction::Sender;
use crate::sip::Message;

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
        let call = self.get(id)?;
        if call.phase != Phase::Confirmed {
            return Err(CallError::InvalidState(
                "only a connected call can be transferred",
            ));
        }
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        let refer_to = format!("<{uri}>");
        let referred_by = format!("<{}>", s.local.aor_uri());
        let mut all = vec![
            ("Refer-To", refer_to.as_str()),
            ("Referred-By", &referred_by),
        ];
        all.extend(extra.iter());
        self.send_in_dialog(i, InDialog::Refer, &all, None, io, s)
    }

    pub(crate) fn on_refer(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let target = match msg.refer_to() {
            Ok(Some(addr)) => addr.uri().as_str().to_string(),
            _ => {
                return self.respond_raw_tagged(msg.as_bytes(), 400, "Bad Refer-To", &tag, &[], io)
            }
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

    /// Accepts the peer's REFER: 202, then a new call to the target whose progress
    /// is reported back with NOTIFY. Returns the new call.
    pub(crate) fn accept_transfer(
        &mut self,
        id: CallId,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<CallId, CallError> {
        let call = self.get(id)?;
        let raw = call
            .refer_in
            .take()
            .ok_or(CallError::InvalidState("no transfer was requested"))?;
        call.cancel_timer(CallTimer::ReferTimeout, io);
        let target = Message::parse(&raw)
            .ok()
            .and_then(|m| {
                m.refer_to()
                    .ok()
                    .flatten()
                    .map(|a| a.uri().as_str().to_string())
            })
            .ok_or(CallError::InvalidState("the REFER has no target"))?;
        self.respond_raw(&raw, 202, "Accepted", &[], io);
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        self.notify_refer(i, 100, "Trying", io, s);
        let new = self.call(&target, CallOptions::default(), io, s)?;
        if let Some(j) = self.index(new) {
            self.calls[j].referred_by = Some(id);
        }
        Ok(new)
    }

    /// Declines the peer's REFER.
    pub(crate) fn decline_transfer(
        &mut self,
        id: CallId,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let call = self.get(id)?;
        let raw = call
            .refer_in
            .take()
            .ok_or(CallError::InvalidState("no transfer was requested"))?;
        call.cancel_timer(CallTimer::ReferTimeout, io);
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
            self.calls[i].transferred = true;
            self.send_bye(i, io, s);
            self.calls[i].end(EndCause::Transferred, io);
        }
    }
}

/// The status line of a `message/sipfrag` body.
fn sipfrag_status(body: &str) -> Option<(u16, String)> {
    let line = body.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0 ")?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((code.parse().ok()?, reason.to_string()))
}
