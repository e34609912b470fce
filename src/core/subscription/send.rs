//! The SUBSCRIBEs of a subscription (initial, refresh, unsubscribe) and what their
//! final responses do.

use std::time::Duration;

use super::{refresh_at, InFlight, Phase, Sub, Subscriptions};
use crate::core::call::dialog::Dialog;
use crate::core::io::Io;
use crate::core::request::add_credentials;
use crate::core::timer::{SubTimer, TimerKey};
use crate::core::transaction::{Purpose, Sender};
use crate::core::LogLevel;
use crate::sip::{BuildError, Message, Method, RequestBuilder};

impl Subscriptions {
    /// The SUBSCRIBE that starts a dialog (or its retry with credentials).
    pub(super) fn send_initial(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let sub = &mut self.subs[i];
        sub.phase = Phase::Subscribing;
        let first = sub.in_flight.is_none();
        let built = sub
            .req
            .start(Method::Subscribe, first, io, s)
            .and_then(|(mut b, branch)| {
                let uri = sub.req.target.clone();
                finish(&mut b, sub, sub.expires, &uri, io, s)?;
                Ok((b.build(), branch))
            });
        sub.in_flight = Some(InFlight::Initial);
        transmit(sub, built, io, s);
    }

    /// A SUBSCRIBE in the dialog renewing it.
    pub(super) fn send_refresh(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let sub = &mut self.subs[i];
        let expires = sub.expires;
        sub.in_flight = Some(InFlight::Refresh);
        let built = in_dialog(sub, expires, io, s);
        transmit(sub, built, io, s);
    }

    /// `Expires: 0` in the dialog.
    pub(super) fn send_unsubscribe(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let sub = &mut self.subs[i];
        sub.in_flight = Some(InFlight::Unsubscribe);
        let built = in_dialog(sub, 0, io, s);
        transmit(sub, built, io, s);
    }

    /// The final response to a SUBSCRIBE of `id`; `msg` is `None` for Timer F (408).
    pub(crate) fn on_final(
        &mut self,
        id: crate::core::ids::SubscriptionId,
        msg: Option<&Message<'_>>,
        status: u16,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Some(i) = self.index(id) else { return };
        let Some(kind) = self.subs[i].in_flight else {
            return;
        };
        let reason = msg
            .and_then(|m| m.reason())
            .unwrap_or(if status == 408 { "Request Timeout" } else { "" })
            .to_string();
        if let Some(msg) = msg {
            if matches!(status, 401 | 407) && self.subs[i].auth.retry(msg, s.auth) {
                return self.resend(i, kind, io, s);
            }
            if status == 423 && !self.subs[i].min_expires_tried {
                if let Some(min) = msg.min_expires().filter(|m| *m > 0) {
                    let sub = &mut self.subs[i];
                    sub.min_expires_tried = true;
                    sub.expires = min.max(sub.expires);
                    return self.resend(i, kind, io, s);
                }
            }
        }
        let sub = &mut self.subs[i];
        sub.in_flight = None;
        sub.auth.reset();
        let ok = (200..300).contains(&status);
        if kind == InFlight::Unsubscribe || sub.phase == Phase::Ending && !sub.stop_when_up {
            if !ok || sub.dialog.is_none() {
                return self.end(i, Some(status), "unsubscribed", io, s);
            }
            return; // the final NOTIFY (or the end guard) ends it
        }
        if ok {
            sub.min_expires_tried = false;
            if sub.dialog.is_none() {
                let local = format!("{};tag={}", s.local.from_addr, sub.req.from_tag);
                // `msg` is there: a 2xx is never synthetic.
                sub.dialog =
                    msg.and_then(|m| Dialog::as_caller(&local, &sub.req.from_tag, sub.req.cseq, m));
            }
            if sub.dialog.is_none() {
                io.log(LogLevel::Warn, || "a SUBSCRIBE 2xx without To tag".into());
                return self.interrupted(i, Some(status), "no dialog", None, io, s);
            }
            let granted = msg
                .and_then(|m| m.expires())
                .unwrap_or(sub.expires)
                .min(sub.expires);
            sub.phase = Phase::Established;
            if sub.stop_when_up {
                sub.phase = Phase::Ending;
                return self.send_unsubscribe(i, io, s);
            }
            if granted == 0 {
                // Accepted and ended at once: the NOTIFY will say why; wait for it.
                return;
            }
            let id = sub.id;
            io.timers.set(
                TimerKey::Sub(id, SubTimer::Refresh),
                refresh_at(io.now, granted),
            );
            return;
        }
        if sub.stop_when_up {
            return self.end(i, Some(status), "unsubscribed", io, s);
        }
        let retry_after = msg
            .and_then(|m| m.retry_after())
            .map(|r| Duration::from_secs(u64::from(r.seconds)));
        match status {
            481 if kind == InFlight::Refresh => {
                self.interrupted(i, Some(status), &reason, Some(Duration::ZERO), io, s)
            }
            408 | 480 | 481 | 500..=599 => {
                self.interrupted(i, Some(status), &reason, retry_after, io, s)
            }
            _ if kind == InFlight::Refresh && !matches!(status, 403 | 404 | 489 | 600..) => {
                self.interrupted(i, Some(status), &reason, retry_after, io, s)
            }
            _ => {
                io.log(LogLevel::Info, || {
                    format!("subscription refused: {status} {reason}")
                });
                self.end(i, Some(status), &reason, io, s)
            }
        }
    }

    fn resend(&mut self, i: usize, kind: InFlight, io: &mut Io<'_>, s: &mut Sender<'_>) {
        match kind {
            InFlight::Initial => self.send_initial(i, io, s),
            InFlight::Refresh => self.send_refresh(i, io, s),
            InFlight::Unsubscribe => self.send_unsubscribe(i, io, s),
        }
    }
}

/// A SUBSCRIBE in the subscription's dialog asking for `expires` seconds.
fn in_dialog(
    sub: &mut Sub,
    expires: u32,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) -> Result<(Vec<u8>, String), BuildError> {
    let Some(dialog) = sub.dialog.as_mut() else {
        return Err(BuildError::InvalidUri {
            field: "Request-URI".into(),
            reason: "the subscription has no dialog".into(),
        });
    };
    let (mut b, branch, _) = dialog.request(Method::Subscribe, None, s.local, s.secure, io.rng)?;
    let uri = if dialog.remote_target.is_empty() {
        sub.req.target.clone()
    } else {
        dialog.remote_target.clone()
    };
    finish(&mut b, sub, expires, &uri, io, s)?;
    Ok((b.build(), branch))
}

/// The headers every SUBSCRIBE carries after the dialog's own.
fn finish(
    b: &mut RequestBuilder,
    sub: &Sub,
    expires: u32,
    uri: &str,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) -> Result<(), BuildError> {
    if sub.dialog.is_none() {
        b.header("Contact", &format!("<{}>", s.local.dialog_contact_uri()))?;
    }
    b.header("Event", &sub.package)?;
    for accept in &sub.accept {
        b.header("Accept", accept)?;
    }
    b.header("Expires", &expires.to_string())?;
    b.header("Allow", crate::core::transaction::ALLOW)?;
    for (name, value) in sub.headers.iter() {
        b.header(name, value)?;
    }
    b.header("User-Agent", &s.local.user_agent)?;
    add_credentials(b, "SUBSCRIBE", uri, b"", io, s.auth)
}

/// Sends a built SUBSCRIBE and starts its transaction.
fn transmit(
    sub: &mut Sub,
    built: Result<(Vec<u8>, String), BuildError>,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) {
    match built {
        Ok((bytes, branch)) => {
            if io.send(bytes) {
                s.txs.start(
                    &branch,
                    "SUBSCRIBE",
                    Purpose::Subscribe(sub.id),
                    s.tx_timeout,
                    io,
                );
            } else {
                sub.in_flight = None;
            }
        }
        Err(e) => {
            // Every value was checked when the subscription was made: a bug, which
            // must not take the user agent down. The subscription just goes quiet.
            sub.in_flight = None;
            io.log(LogLevel::Error, || format!("cannot build SUBSCRIBE: {e}"));
        }
    }
}
