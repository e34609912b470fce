//! The driver's table of calls: what `SoftphoneCall` handles read (updated from the
//! core's call events), and each call's media session.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::idmap::IdMap;
use super::media::prewarm::WarmPool;
use super::media::request::MediaRequest;
use super::media::{MediaSettings, Session, Sink};
use super::work::Feeder;
use crate::core::{CallError, CallEvent, CallId, HoldState, IncomingDetails, MediaAction};

/// What a call handle shows; shared between the driver and the handles.
pub(crate) struct CallInfo {
    /// The call.
    pub(crate) id: CallId,
    /// We placed it.
    pub(crate) outgoing: bool,
    /// The other side's URI.
    pub(crate) remote_uri: String,
    /// The other side's display name, if given.
    pub(crate) display_name: Option<String>,
    /// `SoftphoneCallState`.
    pub(crate) state: &'static str,
    /// Who holds the call.
    pub(crate) hold: HoldState,
    /// The microphone is muted.
    pub(crate) muted: bool,
    /// The camera is muted (`muteVideo()`; no signalling, so the driver keeps it).
    pub(crate) video_muted: bool,
    /// `Date.now()` when first connected.
    pub(crate) connected_at: Option<f64>,
    /// The media session, until the call ends.
    pub(crate) session: Option<Rc<Session>>,
    /// The SIP Call-ID.
    pub(crate) sip_call_id: String,
    /// What the incoming INVITE said (headers, identity, hints); `None` for outgoing calls.
    pub(crate) details: Option<Rc<IncomingDetails>>,
    /// The media options given before the session exists, handed to it when it is made.
    pub(crate) media: Option<MediaRequest>,
}

/// A shared, mutable call info.
pub(crate) type SharedInfo = Rc<RefCell<CallInfo>>;

/// The live calls, oldest first (call ids grow).
pub(crate) struct CallTable {
    infos: IdMap<CallId, SharedInfo>,
    settings: Rc<MediaSettings>,
    /// The warm peer connection for the next audio call; made on first use.
    pool: Option<Rc<WarmPool>>,
}

impl CallTable {
    /// An empty table; peer connections get `settings`.
    pub(crate) fn new(settings: MediaSettings) -> CallTable {
        CallTable {
            infos: IdMap::default(),
            settings: Rc::new(settings),
            pool: None,
        }
    }

    /// The pre-warming pool, made on first use (its log lines go to `feeder`).
    pub(crate) fn pool(&mut self, feeder: &Feeder) -> &Rc<WarmPool> {
        self.pool.get_or_insert_with(|| {
            let f = feeder.clone();
            WarmPool::new(Rc::clone(&self.settings), Rc::new(move |work| f.feed(work)))
        })
    }

    /// The live calls, oldest first.
    pub(crate) fn live(&self) -> Vec<SharedInfo> {
        self.infos.values().cloned().collect()
    }

    /// One live call.
    pub(crate) fn get(&self, id: CallId) -> Option<SharedInfo> {
        self.infos.get(id).cloned()
    }

    /// Applies a call event to the call's info (making it for `Incoming` and
    /// `Calling`). Returns the info, if the call is known.
    pub(crate) fn on_event(&mut self, id: CallId, event: &CallEvent) -> Option<SharedInfo> {
        let info = match event {
            CallEvent::Incoming {
                from,
                display_name,
                details,
                ..
            }
            | CallEvent::Replacing {
                from,
                display_name,
                details,
                ..
            } => {
                let info = self.entry(id, false);
                {
                    let mut i = info.borrow_mut();
                    i.remote_uri = from.clone();
                    i.display_name = display_name.clone();
                    i.state = "incoming";
                    i.sip_call_id = details.call_id.clone();
                    i.details = Some(Rc::new((**details).clone()));
                }
                info
            }
            CallEvent::Calling { target, call_id } => {
                let info = self.entry(id, true);
                {
                    let mut i = info.borrow_mut();
                    i.remote_uri = target.clone();
                    i.state = "calling";
                    i.sip_call_id = call_id.clone();
                }
                info
            }
            _ => self.infos.get(id)?.clone(),
        };
        {
            let mut i = info.borrow_mut();
            match event {
                CallEvent::Ringing => i.state = "ringing",
                CallEvent::EarlyMedia => i.state = "earlyMedia",
                CallEvent::Connected => {
                    i.state = "connected";
                    i.connected_at.get_or_insert_with(super::clock::wall_ms);
                }
                CallEvent::Reconnecting => i.state = "reconnecting",
                CallEvent::Hold(h) => i.hold = *h,
                CallEvent::Muted(m) => i.muted = *m,
                CallEvent::Ended(_) => {
                    i.state = "ended";
                    i.session = None;
                }
                _ => {}
            }
        }
        if matches!(event, CallEvent::Ended(_)) {
            self.infos.remove(id);
        }
        Some(info)
    }

    fn entry(&mut self, id: CallId, outgoing: bool) -> SharedInfo {
        self.infos
            .get_or_insert_with(id, || {
                Rc::new(RefCell::new(CallInfo {
                    id,
                    outgoing,
                    remote_uri: String::new(),
                    display_name: None,
                    state: if outgoing { "calling" } else { "incoming" },
                    hold: HoldState::default(),
                    muted: false,
                    video_muted: false,
                    connected_at: None,
                    session: None,
                    sip_call_id: String::new(),
                    details: None,
                    media: None,
                }))
            })
            .clone()
    }

    /// Hands a media action to the call's session, making the session for an offer or
    /// an answer. Returns what must be dropped later (listeners of a closed session).
    pub(crate) fn media(
        &mut self,
        id: CallId,
        action: MediaAction,
        feeder: &Feeder,
    ) -> Option<Box<dyn Any>> {
        let info = self.infos.get(id)?;
        let session = {
            let mut i = info.borrow_mut();
            // RelayOnly before the first offer or answer (a symmetric NAT) makes the
            // session too: its peer connection is then made relay-only.
            let makes = matches!(
                action,
                MediaAction::CreateOffer { .. }
                    | MediaAction::CreateAnswer { .. }
                    | MediaAction::RelayOnly
            );
            match &i.session {
                Some(s) => Rc::clone(s),
                None if makes => {
                    let f = feeder.clone();
                    let sink: Sink = Rc::new(move |work| f.feed(work));
                    let pool = self.pool.clone();
                    let s = Session::pooled(id, Rc::clone(&self.settings), pool, sink);
                    if let Some(request) = i.media.take() {
                        s.set_request(request);
                    }
                    if i.video_muted {
                        s.set_video_muted(true);
                    }
                    i.session = Some(Rc::clone(&s));
                    s
                }
                None => return None,
            }
        };
        let closing = action == MediaAction::Close;
        let leftover = session.act(action);
        if closing {
            info.borrow_mut().session = None;
        }
        leftover
    }

    /// Closes every call's media (the phone is being dropped).
    pub(crate) fn close_all(&mut self) -> Vec<Box<dyn Any>> {
        let mut leftovers = Vec::new();
        for info in self.infos.values() {
            let session = info.borrow_mut().session.take();
            if let Some(s) = session {
                leftovers.extend(s.close());
            }
            info.borrow_mut().state = "ended";
        }
        self.infos.clear();
        if let Some(pool) = &self.pool {
            pool.close();
        }
        leftovers
    }
}

/// Makes the `SoftphoneCallError` thrown by call methods (a `CallError` of the package
/// entry): an `Error` named `SoftphoneCallError` with a `code`.
pub(crate) fn call_error(e: &CallError) -> JsValue {
    let code = match e {
        CallError::NoSuchCall => "noSuchCall",
        CallError::InvalidState(_) => "invalidState",
        CallError::InvalidTarget(_) => "invalidTarget",
        CallError::InvalidValue(_) => "invalidValue",
        CallError::NotConnected => "notConnected",
    };
    super::errors::error(code, &e.to_string(), &[])
}
