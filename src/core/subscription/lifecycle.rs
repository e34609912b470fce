//! Ending subscriptions and following the flow: unsubscribe, stop, a flow that is up
//! and registered, a flow that is lost.

use super::{emit, InFlight, Phase, SubscriptionEvent, Subscriptions, END_GUARD};
use crate::core::ids::SubscriptionId;
use crate::core::io::Io;
use crate::core::request::{OutOfDialog, RequestError};
use crate::core::timer::{SubTimer, TimerKey, UaTimer};
use crate::core::transaction::{Purpose, Sender};
use crate::core::Event;

impl Subscriptions {
    /// Ends a subscription: `Expires: 0` in its dialog, or at once when it has none.
    pub(crate) fn unsubscribe(
        &mut self,
        id: SubscriptionId,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), RequestError> {
        let i = self.index(id).ok_or(RequestError::NoSuchSubscription)?;
        let sub = &mut self.subs[i];
        if sub.phase == Phase::Ending {
            return Ok(());
        }
        io.timers.cancel_sub(id);
        self.queue.retain(|q| *q != id);
        let sub = &mut self.subs[i];
        match (sub.dialog.is_some(), sub.in_flight) {
            (true, _) if io.flow.is_some() => {
                // A refresh still out would answer for the unsubscribe.
                s.txs.abandon(Purpose::Subscribe(id), io);
                let sub = &mut self.subs[i];
                sub.phase = Phase::Ending;
                self.send_unsubscribe(i, io, s);
                io.timers
                    .set(TimerKey::Sub(id, SubTimer::EndGuard), io.now + END_GUARD);
            }
            (false, Some(InFlight::Initial)) => {
                sub.stop_when_up = true;
                sub.phase = Phase::Ending;
                io.timers
                    .set(TimerKey::Sub(id, SubTimer::EndGuard), io.now + END_GUARD);
            }
            _ => self.end(i, None, "unsubscribed", io, s),
        }
        Ok(())
    }

    /// `stop`: every dialog is unsubscribed at once (no pacing: the flow closes
    /// next), and every subscription ends.
    pub(crate) fn stop_all(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.queue.clear();
        for i in 0..self.subs.len() {
            if self.subs[i].dialog.is_some() && io.flow.is_some() {
                self.send_unsubscribe(i, io, s);
            }
        }
        for sub in std::mem::take(&mut self.subs) {
            io.timers.cancel_sub(sub.id);
            s.txs.abandon(Purpose::Subscribe(sub.id), io);
            io.event(Event::Subscription {
                id: sub.id,
                event: SubscriptionEvent::Ended {
                    status: None,
                    reason: "stopped".into(),
                },
            });
        }
        self.ready = false;
    }

    /// A flow is up and registered: subscriptions waiting for one start, paced.
    pub(crate) fn signalling_up(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.ready = true;
        let waiting: Vec<SubscriptionId> = (self.subs.iter())
            .filter(|sub| sub.phase == Phase::Waiting)
            .map(|sub| sub.id)
            .collect();
        for id in waiting {
            self.enqueue(id, io, s);
        }
    }

    /// The flow is gone, and every dialog with it: each subscription waits for the
    /// next flow (an unsubscribed one just ends).
    pub(crate) fn flow_down(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.ready = false;
        self.queue.clear();
        io.cancel_timer(UaTimer::SubscribePace);
        let mut i = 0;
        while i < self.subs.len() {
            let sub = &mut self.subs[i];
            let was_sent = sub.in_flight.take().is_some();
            if sub.phase == Phase::Ending {
                self.end(i, None, "unsubscribed", io, s);
                continue;
            }
            let had_dialog = sub.dialog.take().is_some();
            if had_dialog || was_sent {
                // The notifier may hold a subscription made by what it last received: the
                // next SUBSCRIBE starts a dialog of its own, never a second one under the
                // same Call-ID and From tag.
                let target = sub.req.target.clone();
                sub.req = OutOfDialog::new(target, io);
            }
            sub.blf = None;
            io.timers.cancel(TimerKey::Sub(sub.id, SubTimer::Refresh));
            if sub.phase != Phase::RetryWait {
                sub.phase = Phase::Waiting;
            }
            if had_dialog || sub.state.is_some() {
                sub.state = None;
                let id = sub.id;
                emit(
                    io,
                    id,
                    SubscriptionEvent::Interrupted {
                        status: None,
                        reason: "connection lost".into(),
                        retry_in: None,
                    },
                );
            }
            i += 1;
        }
    }
}
