//! The NAT-mapping probe of `diagnose()`: one throwaway `RTCPeerConnection` that knows
//! every UDP STUN endpoint at once (STUN URLs, and TURN-over-UDP URLs asked as STUN:
//! TURN servers answer binding requests), so that the browser asks all of them from the
//! *same* local socket. The server-reflexive candidates it reports are then the NAT's
//! mappings of that one socket towards each server; [`crate::core::nat::classify`]
//! decides what they mean.
//!
//! The browser drops a server-reflexive candidate identical to one it has, so an
//! endpoint-independent NAT shows one candidate; the number of endpoints that answered
//! comes from the per-URL probes ([`super::ice`]).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

use super::ice::start_gathering;
use super::resolver;
use crate::core::nat::{srflx_mapping, Mapping};
use crate::web::ice_servers::{IceServer, IceTransport};

/// The distinct UDP endpoints (`host`, `port`) of the configured STUN/TURN URLs.
pub fn udp_endpoints(servers: &[IceServer]) -> Vec<(String, u16)> {
    let mut out: Vec<(String, u16)> = Vec::new();
    for url in servers.iter().flat_map(|s| s.urls.iter()) {
        if url.transport == IceTransport::Udp
            && !out.iter().any(|(h, p)| *h == url.host && *p == url.port)
        {
            out.push((url.host.clone(), url.port));
        }
    }
    out
}

struct Shared {
    mappings: Vec<Mapping>,
    done: bool,
    resolve: Function,
}

/// Gathers with every endpoint of `endpoints` as a STUN server, for at most `budget_ms`
/// (gathering completes early when every server answered). Empty when fewer than two
/// endpoints are given: one mapping cannot tell a symmetric NAT.
pub async fn probe(endpoints: &[(String, u16)], budget_ms: u32) -> Vec<Mapping> {
    if endpoints.len() < 2 {
        return Vec::new();
    }
    let urls: Array = endpoints
        .iter()
        .map(|(h, p)| {
            let host = if h.contains(':') {
                format!("[{h}]")
            } else {
                h.clone()
            };
            JsValue::from_str(&format!("stun:{host}:{p}"))
        })
        .collect();
    let server = Object::new();
    let _ = Reflect::set(&server, &"urls".into(), &urls);
    let config = Object::new();
    let _ = Reflect::set(&config, &"iceServers".into(), &Array::of1(&server));
    let _ = Reflect::set(&config, &"iceCandidatePoolSize".into(), &0.into());
    let Ok(pc) = RtcPeerConnection::new_with_configuration(config.unchecked_ref()) else {
        return Vec::new();
    };
    let (promise, resolve) = resolver();
    let shared = Rc::new(RefCell::new(Shared {
        mappings: Vec::new(),
        done: false,
        resolve,
    }));
    let on_candidate = {
        let shared = Rc::clone(&shared);
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let mut sh = shared.borrow_mut();
            let candidate = Reflect::get(&e, &"candidate".into()).unwrap_or(JsValue::NULL);
            if candidate.is_null() || candidate.is_undefined() {
                if !sh.done {
                    sh.done = true;
                    let _ = sh.resolve.call0(&JsValue::UNDEFINED);
                }
                return;
            }
            let server = Reflect::get(&e, &"url".into())
                .ok()
                .and_then(|u| u.as_string());
            if let Some(m) = mapping_of(&candidate, server) {
                sh.mappings.push(m);
            }
        })
    };
    let _ =
        pc.add_event_listener_with_callback("icecandidate", on_candidate.as_ref().unchecked_ref());
    // I/O mechanics: the probe's own time budget (diagnose()'s `iceTimeout`), no policy.
    let timer = {
        let shared = Rc::clone(&shared);
        crate::web::timer::after(budget_ms, move || {
            let mut sh = shared.borrow_mut();
            if !sh.done {
                sh.done = true;
                let _ = sh.resolve.call0(&JsValue::UNDEFINED);
            }
        })
    };
    if start_gathering(&pc).await.is_ok() {
        let _ = JsFuture::from(promise).await;
    }
    drop(timer);
    let _ = pc
        .remove_event_listener_with_callback("icecandidate", on_candidate.as_ref().unchecked_ref());
    pc.close();
    drop(on_candidate);
    let mappings = shared.borrow().mappings.clone();
    mappings
}

/// A server-reflexive candidate's mapping ([`srflx_mapping`] reads its line).
fn mapping_of(candidate: &JsValue, server: Option<String>) -> Option<Mapping> {
    let line = Reflect::get(candidate, &"candidate".into())
        .ok()?
        .as_string()?;
    srflx_mapping(&line, server)
}
