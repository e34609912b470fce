//! Requests inside a dialog, in both directions: the dispatch of the peer's requests,
//! BYE, and the non-INVITE requests we send (with the answers they get). Re-INVITE and
//! UPDATE live in `reinvite.rs`, INFO DTMF in `dtmf.rs`, REFER and NOTIFY in
//! `transfer.rs`.

use super::outgoing::build_bye;
use super::types::{CallError, CallEvent, CallId, EndCause};
use super::Calls;
use crate::core::io::Io;
use crate::core::transaction::{InDialog, Purpose};
use crate::core::transaction::{Sender, ALLOW};
use crate::core::LogLevel;
use crate::sip::{BuildError, Message, Method};

impl Calls {
    /// A request with a To tag. Returns false when no dialog matches (the caller answers 481).
    pub(crate) fn on_in_dialog_request(
        &mut self,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> bool {
        if msg.method() == Method::Ack {
            self.on_ack(msg, io, s);
            return true;
        }
        let Some(i) = self.calls.iter().position(|c| {
            !c.is_over() && c.dialog.as_ref().is_some_and(|d| d.matches_request(msg))
        }) else {
            return false;
        };
        if let Some(tx) = self.calls[i]
            .server_reinvite
            .as_ref()
            .filter(|tx| msg.method() == Method::Invite && tx.matches(msg))
        {
            // A retransmission of a re-INVITE (its CSeq is not new): the transaction
            // answers it with its last response, if it has one (RFC 3261 section 17.2.1).
            tx.on_retransmission(io);
            return true;
        }
        let tag = self.calls[i].local_tag.clone();
        let in_order = self.calls[i]
            .dialog
            .as_mut()
            .is_some_and(|d| d.accept_remote_seq(msg));
        if !in_order {
            self.respond_raw_tagged(
                msg.as_bytes(),
                500,
                "Server Internal Error",
                &tag,
                &[("Retry-After", "1")],
                io,
            );
            return true;
        }
        match msg.method() {
            Method::Bye => {
                self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
                // The consultation call of our attended transfer: the target hangs it up
                // once the transferee's INVITE with Replaces has taken its place.
                let cause = if self.is_consulted(self.calls[i].id) {
                    EndCause::Transferred
                } else {
                    EndCause::RemoteHangup
                };
                let call = &mut self.calls[i];
                call.ok_retransmit = None;
                call.end(cause, io);
            }
            Method::Invite => self.on_reinvite_request(i, msg, io),
            Method::Update => self.on_update_request(i, msg, io, s),
            Method::Info => self.on_info(i, msg, io),
            Method::Refer => self.on_refer(i, msg, io),
            Method::Notify => self.on_notify(i, msg, io, s),
            Method::Options => {
                self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[("Allow", ALLOW)], io)
            }
            _ => self.respond_raw_tagged(
                msg.as_bytes(),
                405,
                "Method Not Allowed",
                &tag,
                &[("Allow", ALLOW)],
                io,
            ),
        }
        true
    }

    /// Sends BYE in call `i`'s dialog, if it has one.
    pub(crate) fn send_bye(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let ready = io.flow.is_some() && self.signalling_ready;
        let call = &mut self.calls[i];
        let id = call.id;
        if !ready {
            // No way to the peer now: the BYE goes when the flow is back.
            call.owe_bye();
            return;
        }
        let Some(dialog) = &mut call.dialog else {
            return;
        };
        match build_bye(dialog, &call.end_headers, io, s) {
            Ok((bytes, branch)) => {
                if io.send(bytes) {
                    s.txs.start(
                        &branch,
                        "BYE",
                        Purpose::Call {
                            call: id,
                            kind: InDialog::Bye,
                        },
                        s.tx_timeout,
                        io,
                    );
                }
            }
            Err(e) => io.log(LogLevel::Error, || format!("cannot build BYE: {e}")),
        }
    }

    /// Sends a non-INVITE request in call `i`'s dialog.
    pub(crate) fn send_in_dialog(
        &mut self,
        i: usize,
        kind: InDialog,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let method = kind.method();
        let call = &mut self.calls[i];
        let id = call.id;
        let Some(dialog) = &mut call.dialog else {
            return Err(CallError::InvalidState("no dialog yet"));
        };
        let built = (|| -> Result<(Vec<u8>, String), BuildError> {
            let (mut b, branch, _) = dialog.request(method, None, s.local, s.secure, io.rng)?;
            for (name, value) in headers {
                b.header(name, value)?;
            }
            if let Some((content_type, body)) = body {
                b.body(content_type, body)?;
            }
            Ok((b.build(), branch))
        })();
        let (bytes, branch) = built.map_err(|e| CallError::InvalidValue(e.to_string()))?;
        if !io.send(bytes) {
            return Err(CallError::NotConnected);
        }
        s.txs.start(
            &branch,
            method.as_str(),
            Purpose::Call { call: id, kind },
            s.tx_timeout,
            io,
        );
        Ok(())
    }

    /// A final response to a non-INVITE request we sent in call `id`.
    pub(crate) fn on_in_dialog_final(
        &mut self,
        id: CallId,
        kind: InDialog,
        msg: Option<&Message<'_>>,
        status: u16,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Some(i) = self.index(id) else {
            return;
        };
        let reason = msg
            .and_then(|m| m.reason())
            .unwrap_or("Request Timeout")
            .to_string();
        match kind {
            InDialog::Bye | InDialog::Notify => {}
            InDialog::Info => {
                self.dtmf_answered(i, io);
                self.pump_dtmf(i, io, s);
            }
            InDialog::AppInfo => {
                if !self.calls[i].is_over() {
                    let reason = reason.clone();
                    self.calls[i].emit(CallEvent::InfoResponse { status, reason }, io);
                }
            }
            InDialog::Refer => {
                if !self.calls[i].is_over() {
                    self.calls[i].emit(
                        CallEvent::TransferProgress {
                            status,
                            reason: reason.clone(),
                        },
                        io,
                    );
                    if status >= 300 {
                        self.transfer_failed(i, io);
                    }
                }
            }
            // UPDATE is only sent to refresh the session; an ended call has none.
            InDialog::Update if self.calls[i].is_over() => {}
            InDialog::Update => match msg {
                Some(m) if (200..300).contains(&status) => self.session_refreshed_by_us(i, m, io),
                // The flow went down under it: the target refresh on the next flow
                // refreshes the session too.
                None if status == 503 => {}
                _ if status == 481 => {}
                _ => {
                    // A peer that refused an UPDATE gets re-INVITEs from now on (RFC 4028
                    // section 9 lets the refresher use either).
                    self.calls[i].peer_allows_update &= msg.is_none();
                    self.session_refresh_refused(i, status, &reason, msg, io, s);
                }
            },
        }
        // Only a 481 ends the call: the dialog is gone. A lost request (Timer F, a
        // dropped flow) does not prove the media dead; the ICE and session-timer
        // policies decide that.
        if status == 481 && !self.calls[i].is_over() && kind != InDialog::Bye {
            self.calls[i].end(EndCause::Failed { status, reason }, io);
        }
    }
}
