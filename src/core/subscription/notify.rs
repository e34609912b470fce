//! NOTIFYs: matched to their subscription (Call-ID, our From tag, Event), answered,
//! their `Subscription-State` acted on and their body reported.

use std::time::Duration;

use super::bodies;
use super::{emit, refresh_at, Phase, Sub, Subscriptions};
use super::{NotifyBody, SubscriptionEvent, SubscriptionState};
use crate::core::call::dialog::{contact_uri, Dialog};
use crate::core::io::Io;
use crate::core::timer::{SubTimer, TimerKey};
use crate::core::transaction::{respond, Sender};
use crate::core::{Event, LogLevel};
use crate::sip::{HeaderName, Message};

/// A parsed `Subscription-State` header (RFC 6665 section 8.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
struct SubState {
    state: String,
    expires: Option<u32>,
    reason: Option<String>,
    retry_after: Option<u32>,
}

fn sub_state(value: &str) -> SubState {
    let mut parts = value.split(';');
    let state = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let mut out = SubState {
        state,
        expires: None,
        reason: None,
        retry_after: None,
    };
    for p in parts {
        let (name, v) = p.split_once('=').unwrap_or((p, ""));
        let v = v.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "expires" => out.expires = v.parse().ok(),
            "reason" => out.reason = Some(v.to_ascii_lowercase()),
            "retry-after" => out.retry_after = v.parse().ok(),
            _ => {}
        }
    }
    out
}

/// The event package of an `Event` header, lower-case, without parameters.
fn package(msg: &Message<'_>) -> String {
    msg.header(HeaderName::Event)
        .map(|e| {
            e.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

impl Subscriptions {
    /// A NOTIFY. Returns false when no subscription matches (the caller answers 481).
    pub(crate) fn on_notify(
        &mut self,
        msg: &Message<'_>,
        tag: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> bool {
        let pkg = package(msg);
        let to_tag = msg.to().tag();
        let Some(i) = self.subs.iter().position(|sub| {
            sub.req.call_id == msg.call_id()
                && Some(sub.req.from_tag.as_str()) == to_tag
                && sub.package == pkg
        }) else {
            if pkg == "message-summary" && to_tag.is_none() {
                self.on_unsolicited_mwi(msg, tag, io);
                return true;
            }
            return false;
        };
        let from_tag = msg.from().tag().unwrap_or("").to_string();
        let sub = &mut self.subs[i];
        if sub
            .dialog
            .as_ref()
            .is_some_and(|d| d.remote_tag != from_tag)
        {
            // Another fork of our SUBSCRIBE: one dialog is enough, and 481 ends the
            // fork's subscription (RFC 6665 section 4.1.2.4).
            respond(msg, 481, "Subscription Does Not Exist", tag, &[], io);
            return true;
        }
        if sub.dialog.is_none() {
            sub.dialog = dialog_from_notify(sub, msg, s);
        }
        let Some(dialog) = sub.dialog.as_mut() else {
            respond(msg, 400, "Bad Request", tag, &[], io);
            return true;
        };
        if !dialog.accept_remote_seq(msg) {
            respond(
                msg,
                500,
                "Server Internal Error",
                tag,
                &[("Retry-After", "1")],
                io,
            );
            return true;
        }
        dialog.refresh_target(msg);
        let Some(state) = msg
            .header(HeaderName::SubscriptionState)
            .map(|v| sub_state(&v))
        else {
            respond(msg, 400, "Missing Subscription-State", tag, &[], io);
            return true;
        };
        respond(msg, 200, "OK", tag, &[], io);
        let id = sub.id;
        if sub.phase == Phase::Subscribing {
            sub.phase = Phase::Established;
        }
        if matches!(state.state.as_str(), "active" | "pending") && sub.phase != Phase::Ending {
            let now = if state.state == "active" {
                sub.failures = 0;
                SubscriptionState::Active
            } else {
                SubscriptionState::Pending
            };
            let expires = state.expires.unwrap_or(sub.expires).min(sub.expires);
            sub.state = Some(now);
            if expires > 0 && sub.in_flight.is_none() {
                io.timers.set(
                    TimerKey::Sub(id, SubTimer::Refresh),
                    refresh_at(io.now, expires),
                );
            }
            emit(
                io,
                id,
                SubscriptionEvent::State {
                    state: now,
                    expires,
                },
            );
        }
        if let Some(body) = body_of(sub, msg) {
            emit(io, id, SubscriptionEvent::Notify(body));
        }
        if state.state == "terminated" {
            self.terminated(i, &state, io, s);
        }
        true
    }

    /// The notifier ended subscription `i`: subscribe again or give up, by reason.
    fn terminated(&mut self, i: usize, state: &SubState, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let reason = state.reason.clone().unwrap_or_default();
        if self.subs[i].phase == Phase::Ending {
            return self.end(i, None, "unsubscribed", io, s);
        }
        let retry = state
            .retry_after
            .map(|secs| Duration::from_secs(u64::from(secs)));
        let shown = if reason.is_empty() {
            "terminated"
        } else {
            &reason
        };
        match reason.as_str() {
            "rejected" | "noresource" | "invariant" => self.end(i, None, shown, io, s),
            "deactivated" | "timeout" => {
                let delay = retry.unwrap_or(Duration::ZERO);
                self.interrupted(i, None, shown, Some(delay), io, s)
            }
            _ => self.interrupted(i, None, shown, retry, io, s),
        }
    }

    /// A message-summary NOTIFY of no subscription: MWI the PBX sends on its own.
    fn on_unsolicited_mwi(&mut self, msg: &Message<'_>, tag: &str, io: &mut Io<'_>) {
        respond(msg, 200, "OK", tag, &[], io);
        let media = msg.media_type().unwrap_or("").trim().to_ascii_lowercase();
        let content_type = msg
            .content_type()
            .map(|c| c.to_string())
            .unwrap_or_default();
        let body = bodies::parse(&media, &content_type, msg.body());
        let mwi = self
            .subs
            .iter()
            .find(|sub| sub.package == "message-summary");
        match (mwi, body) {
            (Some(sub), Some(body)) => {
                let id = sub.id;
                emit(io, id, SubscriptionEvent::Notify(body));
            }
            (None, Some(NotifyBody::MessageSummary(summary))) => {
                io.event(Event::MessageWaiting(summary));
            }
            _ => io.log(LogLevel::Info, || {
                "an unsolicited message-summary NOTIFY without a valid summary".into()
            }),
        }
    }
}

/// The body of a NOTIFY, typed; dialog-info merged into the subscription's state.
/// `None`: no body, or a dialog-info older than what is known (nothing changed).
fn body_of(sub: &mut Sub, msg: &Message<'_>) -> Option<NotifyBody> {
    let media = msg.media_type().unwrap_or("").trim().to_ascii_lowercase();
    let content_type = msg
        .content_type()
        .map(|c| c.to_string())
        .unwrap_or_default();
    match bodies::parse(&media, &content_type, msg.body())? {
        NotifyBody::Dialog(info) => {
            let merged = match sub.blf.as_mut() {
                Some(known) => known.merge(info).then(|| known.clone()),
                None => {
                    sub.blf = Some(info.clone());
                    Some(info)
                }
            };
            merged.map(NotifyBody::Dialog)
        }
        other => Some(other),
    }
}

/// The dialog a NOTIFY creates when it comes before the SUBSCRIBE's 2xx.
fn dialog_from_notify(sub: &Sub, msg: &Message<'_>, s: &Sender<'_>) -> Option<Dialog> {
    let from = msg
        .headers()
        .iter()
        .find(|h| h.known() == Some(HeaderName::From))?
        .value()
        .into_owned();
    let route_set = msg
        .record_route()
        .ok()?
        .iter()
        .map(|a| format!("<{}>{}", a.uri().as_str(), a.params()))
        .collect();
    Some(Dialog {
        call_id: sub.req.call_id.clone(),
        local_tag: sub.req.from_tag.clone(),
        remote_tag: msg.from().tag().unwrap_or("").to_string(),
        local_header: format!("{};tag={}", s.local.from_addr, sub.req.from_tag),
        remote_header: from,
        local_seq: sub.req.cseq,
        remote_seq: None,
        remote_target: contact_uri(msg).unwrap_or_default(),
        route_set,
        we_called: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_state_values() {
        let s = sub_state("active;expires=599");
        assert_eq!((s.state.as_str(), s.expires), ("active", Some(599)));
        let t = sub_state("Terminated; reason=Timeout ;retry-after=30");
        assert_eq!(t.state, "terminated");
        assert_eq!(t.reason.as_deref(), Some("timeout"));
        assert_eq!(t.retry_after, Some(30));
        let odd = sub_state(";;expires=x;=;reason");
        assert_eq!((odd.state.as_str(), odd.expires), ("", None));
    }
}
