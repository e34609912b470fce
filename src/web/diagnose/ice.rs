//! Probing one STUN or TURN URL: a throwaway `RTCPeerConnection` that knows only that
//! server (relay-only for TURN) gathers candidates for a bounded time.
//!
//! What counts: a server-reflexive candidate from STUN, a relay candidate from TURN,
//! and `icecandidateerror` events (401: the TURN credentials were refused; 701: the
//! server could not be reached). A UDP server that never answers keeps Chromium
//! `gathering` for about 40 s and a TCP one whose SYNs are dropped forever, so the
//! probe stops at its deadline and reports what it has: no wanted candidate by then is
//! "unreachable".

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

use super::{now_ms, resolver};
use crate::web::error_name;
use crate::web::ice_servers::{IceServer, IceUrl};

/// What one URL gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IceProbe {
    /// Candidate types seen (`host`, `srflx`, `relay` ...), each once, in order.
    pub candidate_types: Vec<String>,
    /// ms from the start of gathering to the first candidate of the wanted type.
    pub first_wanted_ms: Option<f64>,
    /// `relayProtocol` of the first relay candidate, when the browser tells it.
    pub relay_protocol: Option<String>,
    /// `icecandidateerror` events: `(errorCode, errorText)`.
    pub errors: Vec<(u16, String)>,
    /// Gathering completed before the deadline.
    pub completed: bool,
    /// A STUN server answered with this machine's own address (no NAT on the way), so
    /// no separate server-reflexive candidate appeared.
    pub no_nat: bool,
    /// The peer connection could not be made or gathering could not start.
    pub setup_error: Option<String>,
}

impl IceProbe {
    /// Whether the wanted candidate type arrived.
    pub fn reachable(&self) -> bool {
        self.first_wanted_ms.is_some()
    }

    /// Whether the server refused the credentials (error 401).
    pub fn auth_failed(&self) -> bool {
        self.errors.iter().any(|(code, _)| *code == 401)
    }
}

struct Shared {
    probe: IceProbe,
    t0: f64,
    wanted: &'static str,
    done: bool,
    resolve: Function,
}

impl Shared {
    fn finish(&mut self) {
        if !self.done {
            self.done = true;
            let _ = self.resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Gathers with only `url` of `server` for at most `budget_ms`.
pub async fn probe(server: &IceServer, url: &IceUrl, budget_ms: u32) -> IceProbe {
    let wanted = if url.scheme.is_turn() {
        "relay"
    } else {
        "srflx"
    };
    let config = Object::new();
    let servers: Array = std::iter::once(server.to_js_for(url)).collect();
    let _ = Reflect::set(&config, &"iceServers".into(), &servers);
    let policy = if url.scheme.is_turn() { "relay" } else { "all" };
    let _ = Reflect::set(&config, &"iceTransportPolicy".into(), &policy.into());
    // A fresh pool each time: no candidates left over from an earlier probe.
    let _ = Reflect::set(&config, &"iceCandidatePoolSize".into(), &0.into());
    let pc = match RtcPeerConnection::new_with_configuration(config.unchecked_ref()) {
        Ok(pc) => pc,
        Err(e) => {
            return IceProbe {
                setup_error: Some(format!(
                    "RTCPeerConnection refused the server: {}",
                    error_name(&e)
                )),
                ..IceProbe::default()
            }
        }
    };
    let (promise, resolve) = resolver();
    let shared = Rc::new(RefCell::new(Shared {
        probe: IceProbe::default(),
        t0: now_ms(),
        wanted,
        done: false,
        resolve,
    }));

    let on_candidate = {
        let shared = Rc::clone(&shared);
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let mut sh = shared.borrow_mut();
            let candidate = Reflect::get(&e, &"candidate".into()).unwrap_or(JsValue::NULL);
            if candidate.is_null() || candidate.is_undefined() {
                sh.probe.completed = true;
                // Without a NAT the server-reflexive address equals the host address and
                // the browser drops that candidate: a STUN server that answered shows only
                // as gathering that completed with no error (one that did not answer keeps
                // gathering for ~40 s).
                if sh.wanted == "srflx"
                    && sh.probe.first_wanted_ms.is_none()
                    && sh.probe.errors.is_empty()
                {
                    sh.probe.first_wanted_ms = Some(now_ms() - sh.t0);
                    sh.probe.no_nat = true;
                }
                sh.finish();
                return;
            }
            let Some(kind) = candidate_type(&candidate) else {
                return;
            };
            if !sh.probe.candidate_types.contains(&kind) {
                sh.probe.candidate_types.push(kind.clone());
            }
            if kind == sh.wanted && sh.probe.first_wanted_ms.is_none() {
                sh.probe.first_wanted_ms = Some(now_ms() - sh.t0);
                if kind == "relay" {
                    sh.probe.relay_protocol = Reflect::get(&candidate, &"relayProtocol".into())
                        .ok()
                        .and_then(|p| p.as_string());
                }
                // Enough to judge the server: stop here rather than wait for the rest.
                sh.finish();
            }
        })
    };
    let on_error = {
        let shared = Rc::clone(&shared);
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let code = Reflect::get(&e, &"errorCode".into())
                .ok()
                .and_then(|c| c.as_f64())
                .unwrap_or(0.0) as u16;
            let text = Reflect::get(&e, &"errorText".into())
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            let mut sh = shared.borrow_mut();
            // Not the end of the probe: another allocation attempt may still succeed.
            if !sh
                .probe
                .errors
                .iter()
                .any(|(c, t)| *c == code && *t == text)
            {
                sh.probe.errors.push((code, text));
            }
        })
    };
    let _ =
        pc.add_event_listener_with_callback("icecandidate", on_candidate.as_ref().unchecked_ref());
    let _ =
        pc.add_event_listener_with_callback("icecandidateerror", on_error.as_ref().unchecked_ref());

    // I/O mechanics: the probe's own time budget (diagnose()'s `iceTimeout`), no policy.
    let timer = {
        let shared = Rc::clone(&shared);
        crate::web::timer::after(budget_ms, move || shared.borrow_mut().finish())
    };
    if let Err(e) = start_gathering(&pc).await {
        let mut sh = shared.borrow_mut();
        sh.probe.setup_error = Some(format!("gathering did not start: {e}"));
        sh.finish();
    }
    let _ = JsFuture::from(promise).await;
    drop(timer);
    let _ = pc
        .remove_event_listener_with_callback("icecandidate", on_candidate.as_ref().unchecked_ref());
    let _ = pc.remove_event_listener_with_callback(
        "icecandidateerror",
        on_error.as_ref().unchecked_ref(),
    );
    pc.close();
    drop((on_candidate, on_error));
    let probe = shared.borrow().probe.clone();
    probe
}

/// A data channel gives the offer a transport; `setLocalDescription` starts gathering.
pub(super) async fn start_gathering(pc: &RtcPeerConnection) -> Result<(), String> {
    let call = |name: &str, args: &Array| -> Result<JsValue, String> {
        let f = Reflect::get(pc, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| format!("no {name}()"))?;
        Reflect::apply(&f, pc, args).map_err(|e| error_name(&e))
    };
    call("createDataChannel", &Array::of1(&"diagnose".into()))?;
    let offer = call("createOffer", &Array::new())?;
    let offer = JsFuture::from(Promise::from(offer))
        .await
        .map_err(|e| error_name(&e))?;
    let set = call("setLocalDescription", &Array::of1(&offer))?;
    JsFuture::from(Promise::from(set))
        .await
        .map_err(|e| error_name(&e))?;
    Ok(())
}

/// `candidate.type`, or `typ X` from the candidate line (older browsers).
fn candidate_type(candidate: &JsValue) -> Option<String> {
    if let Some(t) = Reflect::get(candidate, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
    {
        return Some(t);
    }
    let line = Reflect::get(candidate, &"candidate".into())
        .ok()?
        .as_string()?;
    let mut words = line.split_whitespace();
    while let Some(w) = words.next() {
        if w == "typ" {
            return words.next().map(str::to_owned);
        }
    }
    None
}
