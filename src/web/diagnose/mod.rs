//! `diagnose()`: can this browser, on this network, reach the SIP servers and the
//! STUN/TURN servers, and what does that mean for calls.
//!
//! Every WebSocket server gets a throwaway socket and a SIP OPTIONS ([`ws`]); every
//! STUN/TURN URL gets a throwaway `RTCPeerConnection` that knows only that URL
//! ([`ice`]). All probes run at once and each stops at its own deadline, so the whole
//! diagnosis takes at most `timeout` seconds (10 by default) plus a few ms. The
//! verdicts per class of network come from [`verdict`]. Nothing here touches a running
//! phone: no registration, no call.
//!
//! The result is plain data (`SoftphoneDiagnosis` in `diagnose.d.ts`); credentials are
//! never part of it (TURN URLs and usernames are).

pub mod ice;
pub mod nat;
mod phone;
mod result;
pub mod verdict;
pub mod ws;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::web::to_promise;

use crate::core::nat::{Mapping, NatMapping, NatObservation};
use crate::core::probe::ProbeCredentials;
use crate::sip::Secret;
use crate::web::ice_servers::{parse_ice_servers, IceServer, IceServersProvider, IceUrl};
use ice::IceProbe;
use result::to_js;
use ws::WsOutcome;

/// The default bound of the whole diagnosis, ms.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// The default bound of one ICE probe, ms (a relay candidate usually takes 150-250 ms).
pub const DEFAULT_ICE_TIMEOUT_MS: u32 = 5_000;

/// What to diagnose.
#[derive(Debug, Clone)]
pub struct Targets {
    /// WebSocket server URLs.
    pub servers: Vec<String>,
    /// The SIP domain the OPTIONS is addressed to.
    pub domain: String,
    /// The From URI of the OPTIONS.
    pub from: String,
    /// Credentials to answer a challenge to the OPTIONS with (the phone's own, or a
    /// `password` in the argument).
    pub credentials: Option<ProbeCredentials>,
    /// STUN/TURN servers.
    pub ice_servers: Vec<IceServer>,
    /// Why fetching `iceServersUrl` failed, if it did.
    pub fetch_error: Option<String>,
    /// How many servers came from `iceServersUrl`.
    pub fetched: usize,
    /// Bound of the whole run, ms.
    pub timeout_ms: u32,
    /// Bound of one ICE probe, ms.
    pub ice_timeout_ms: u32,
}

/// One WebSocket server's result.
#[derive(Debug, Clone)]
pub struct WsCheck {
    /// The URL.
    pub url: String,
    /// What happened.
    pub outcome: WsOutcome,
}

/// One STUN/TURN URL's result.
#[derive(Debug, Clone)]
pub struct IceCheck {
    /// The URL.
    pub url: IceUrl,
    /// The TURN username (TURN REST: `<expiry>:<id>`), never the credential.
    pub username: Option<String>,
    /// What the probe saw.
    pub probe: IceProbe,
}

impl IceCheck {
    /// Whether the URL gave the candidate it is for (srflx for STUN, relay for TURN).
    pub fn ok(&self) -> bool {
        self.probe.reachable()
    }

    /// `ok`, `authFailed`, `unreachable`, or `error`.
    pub fn status(&self) -> &'static str {
        if self.ok() {
            "ok"
        } else if self.probe.setup_error.is_some() {
            "error"
        } else if self.probe.auth_failed() {
            "authFailed"
        } else {
            "unreachable"
        }
    }
}

/// One probe of [`run`], and the slot its result goes to.
enum Probe {
    Ws {
        slots: Rc<RefCell<Vec<Option<WsCheck>>>>,
        i: usize,
        url: String,
        domain: String,
        from: String,
        credentials: Option<ProbeCredentials>,
        budget: u32,
    },
    Ice {
        slots: Rc<RefCell<Vec<Option<IceCheck>>>>,
        i: usize,
        server: IceServer,
        url: IceUrl,
        budget: u32,
    },
    Nat {
        slot: Rc<RefCell<Vec<Mapping>>>,
        endpoints: Vec<(String, u16)>,
        budget: u32,
    },
}

/// Starts a probe; the promise resolves when its result is in its slot. One async body
/// for both kinds: each async body is a state machine of its own in the wasm.
fn spawn_probe(probe: Probe) -> Promise {
    to_promise(async move {
        match probe {
            Probe::Ws {
                slots,
                i,
                url,
                domain,
                from,
                credentials,
                budget,
            } => {
                // The probe's tags and branches need only be unique to its throwaway
                // socket; `crypto.getRandomValues` is there wherever WebSocket is.
                let mut seed = [0u8; 32];
                let _ = crate::web::clock::random_bytes(&mut seed);
                let outcome = ws::probe(&url, &domain, &from, credentials, seed, budget).await;
                slots.borrow_mut()[i] = Some(WsCheck { url, outcome });
            }
            Probe::Ice {
                slots,
                i,
                server,
                url,
                budget,
            } => {
                let probe = ice::probe(&server, &url, budget).await;
                slots.borrow_mut()[i] = Some(IceCheck {
                    url,
                    username: server.username.clone(),
                    probe,
                });
            }
            Probe::Nat {
                slot,
                endpoints,
                budget,
            } => {
                let found = nat::probe(&endpoints, budget).await;
                *slot.borrow_mut() = found;
            }
        }
        Ok(JsValue::UNDEFINED)
    })
}

/// What every probe found.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// The WebSocket servers.
    pub ws: Vec<WsCheck>,
    /// The STUN/TURN URLs, each alone.
    pub ice: Vec<IceCheck>,
    /// The server-reflexive mappings one socket got from every UDP endpoint at once.
    pub mappings: Vec<Mapping>,
}

impl Findings {
    /// The NAT's mapping behaviour: the mappings of one socket, and how many distinct UDP
    /// endpoints answered their own probe (a STUN URL's srflx, a TURN-over-UDP URL's
    /// relay: both mean the server answered over UDP from this network).
    pub fn nat(&self) -> NatMapping {
        let mut answered: Vec<(&str, u16)> = Vec::new();
        let mut no_nat = false;
        for c in self.ice.iter().filter(|c| c.ok()) {
            if c.url.transport != crate::web::ice_servers::IceTransport::Udp {
                continue;
            }
            no_nat |= c.probe.no_nat;
            let key = (c.url.host.as_str(), c.url.port);
            if !answered.contains(&key) {
                answered.push(key);
            }
        }
        crate::core::nat::classify(&NatObservation {
            answered: answered.len(),
            mappings: self.mappings.clone(),
            no_nat,
        })
    }
}

/// Runs every probe at once; resolves when all have finished or hit their deadlines.
pub async fn run(targets: Targets) -> Findings {
    let ws_slots: Rc<RefCell<Vec<Option<WsCheck>>>> =
        Rc::new(RefCell::new(vec![None; targets.servers.len()]));
    let mut pending: Vec<Promise> = Vec::new();
    for (i, url) in targets.servers.iter().enumerate() {
        let (slots, url) = (Rc::clone(&ws_slots), url.clone());
        let (domain, from, budget) = (
            targets.domain.clone(),
            targets.from.clone(),
            targets.timeout_ms,
        );
        pending.push(spawn_probe(Probe::Ws {
            slots,
            i,
            url,
            domain,
            from,
            credentials: targets.credentials.clone(),
            budget,
        }));
    }
    let urls: Vec<(IceServer, IceUrl)> = targets
        .ice_servers
        .iter()
        .flat_map(|s| s.urls.iter().map(move |u| (s.clone(), u.clone())))
        .collect();
    let ice_slots: Rc<RefCell<Vec<Option<IceCheck>>>> =
        Rc::new(RefCell::new(vec![None; urls.len()]));
    let ice_budget = targets.ice_timeout_ms.min(targets.timeout_ms);
    for (i, (server, url)) in urls.into_iter().enumerate() {
        let slots = Rc::clone(&ice_slots);
        pending.push(spawn_probe(Probe::Ice {
            slots,
            i,
            server,
            url,
            budget: ice_budget,
        }));
    }
    let mapping_slot: Rc<RefCell<Vec<Mapping>>> = Rc::default();
    pending.push(spawn_probe(Probe::Nat {
        slot: Rc::clone(&mapping_slot),
        endpoints: nat::udp_endpoints(&targets.ice_servers),
        budget: ice_budget,
    }));
    for p in pending {
        let _ = JsFuture::from(p).await;
    }
    let ws = ws_slots.borrow_mut().drain(..).flatten().collect();
    let ice = ice_slots.borrow_mut().drain(..).flatten().collect();
    let mappings = std::mem::take(&mut *mapping_slot.borrow_mut());
    Findings { ws, ice, mappings }
}

/// Reads the `diagnose()` argument: `{ servers, uri?, iceServers?, iceServersUrl?,
/// timeout?, iceTimeout? }` (a `SoftphoneConfig` works: other fields are ignored).
///
/// # Errors
/// A `TypeError` naming the bad field.
pub async fn targets_from_js(config: &JsValue) -> Result<Targets, JsValue> {
    let bad = |field: &str, why: &str| -> JsValue {
        js_sys::TypeError::new(&format!("diagnose: {field}: {why}")).into()
    };
    if !config.is_object() {
        return Err(bad("config", "must be an object"));
    }
    let get = |k: &str| Reflect::get(config, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let servers_value = get("servers");
    let mut servers = Vec::new();
    if let Some(one) = servers_value.as_string() {
        servers.push(one);
    } else if Array::is_array(&servers_value) {
        for entry in servers_value.unchecked_ref::<Array>().iter() {
            let url = entry
                .as_string()
                .or_else(|| Reflect::get(&entry, &"uri".into()).ok()?.as_string())
                .ok_or_else(|| bad("servers", "each entry must be a URL or { uri }"))?;
            servers.push(url);
        }
    } else if !servers_value.is_undefined() {
        return Err(bad("servers", "a WebSocket URL or an array of { uri }"));
    }
    let uri = get("uri").as_string();
    let domain = match &uri {
        Some(u) => domain_of(u).ok_or_else(|| bad("uri", "not a sip: URI"))?,
        None => servers.first().map(|s| host_of(s)).unwrap_or_default(),
    };
    let from = match &uri {
        Some(u) => u.clone(),
        None => format!("sip:diagnose@{domain}"),
    };
    // A `SoftphoneConfig` carries its password: the OPTIONS may answer a challenge with
    // it. The digest username is `authorizationUser`, else the AOR's user part.
    let credentials = match (get("password").as_string(), &uri) {
        (Some(password), Some(u)) => {
            let user = crate::sip::Uri::parse(u)
                .ok()
                .and_then(|uri| uri.user().map(str::to_owned));
            get("authorizationUser")
                .as_string()
                .or(user)
                .map(|username| ProbeCredentials {
                    username,
                    password: Secret::new(password),
                })
        }
        _ => None,
    };
    let seconds = |k: &str, default: u32| -> Result<u32, JsValue> {
        let v = get(k);
        if v.is_undefined() {
            return Ok(default);
        }
        match v.as_f64() {
            Some(s) if s.is_finite() && s > 0.0 && s <= 120.0 => Ok((s * 1000.0) as u32),
            _ => Err(bad(k, "must be a number of seconds between 0 and 120")),
        }
    };
    let timeout_ms = seconds("timeout", DEFAULT_TIMEOUT_MS)?;
    let ice_timeout_ms = seconds("iceTimeout", DEFAULT_ICE_TIMEOUT_MS)?;
    let configured = match get("iceServers") {
        v if v.is_undefined() || v.is_null() => Vec::new(),
        v => parse_ice_servers(&v).map_err(|e| bad("iceServers", &e))?,
    };
    let url = get("iceServersUrl").as_string();
    let mut ice_servers = configured.clone();
    let mut fetch_error = None;
    let mut fetched = 0;
    if let Some(url) = url {
        let provider = IceServersProvider::new(Vec::new(), Some(url));
        let error: Rc<RefCell<Option<String>>> = Rc::default();
        let sink = Rc::clone(&error);
        provider.set_log(Rc::new(move |warn, line| {
            if warn {
                *sink.borrow_mut() = Some(line.to_owned());
            }
        }));
        provider.start();
        provider.fetch();
        let _ = JsFuture::from(provider.first_fetch(timeout_ms / 2)).await;
        provider.stop();
        let got = provider.servers();
        fetched = got.len();
        ice_servers.extend(got);
        if fetched == 0 {
            fetch_error = Some(
                error
                    .borrow()
                    .clone()
                    .unwrap_or_else(|| "iceServersUrl: no answer in time".to_owned()),
            );
        }
    }
    Ok(Targets {
        servers,
        domain,
        from,
        credentials,
        ice_servers,
        fetch_error,
        fetched,
        timeout_ms,
        ice_timeout_ms,
    })
}

fn domain_of(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))?;
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split([';', '?', '>']).next()?;
    (!host.is_empty()).then(|| host.to_owned())
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_owned()
}

/// A promise and its resolve function.
pub(crate) fn resolver() -> (Promise, Function) {
    let mut resolve_fn = None;
    let promise = Promise::new(&mut |resolve, _| resolve_fn = Some(resolve));
    // The executor runs synchronously inside `new Promise`.
    let resolve = resolve_fn.unwrap_or_else(|| Function::new_no_args(""));
    (promise, resolve)
}

/// `performance.now()`.
pub(crate) fn now_ms() -> f64 {
    crate::web::clock::perf_now_ms()
}

/// Diagnoses connectivity to the SIP servers and the STUN/TURN servers of `config`
/// (a `SoftphoneConfig`, or `{ servers, uri?, iceServers?, iceServersUrl?, timeout?,
/// iceTimeout? }`). Usable before any phone exists, for a "test my connection" page.
/// Resolves with a `SoftphoneDiagnosis`; never rejects for an unreachable server.
///
/// # Errors
/// The promise rejects with a `TypeError` for a malformed argument.
#[wasm_bindgen(js_name = diagnose, unchecked_return_type = "Promise<SoftphoneDiagnosis>")]
pub fn diagnose(
    #[wasm_bindgen(unchecked_param_type = "SoftphoneDiagnoseConfig")] config: JsValue,
) -> Promise {
    to_promise(run_js(config, None))
}

/// Reads the argument, fetches `iceServersUrl` if given, runs the probes within what is
/// left of `timeout`, and builds the result.
/// `credentials` (the phone's own) take the place of a `password` in `config`.
pub(crate) async fn run_js(
    config: JsValue,
    credentials: Option<ProbeCredentials>,
) -> Result<JsValue, JsValue> {
    let t0 = now_ms();
    let mut targets = targets_from_js(&config).await?;
    if credentials.is_some() {
        targets.credentials = credentials;
    }
    // The fetch of `iceServersUrl` counts against the total bound.
    let spent = (now_ms() - t0).max(0.0) as u32;
    targets.timeout_ms = targets.timeout_ms.saturating_sub(spent).max(MIN_PROBE_MS);
    let found = run(targets.clone()).await;
    Ok(to_js(&targets, &found, now_ms() - t0))
}

/// The least time a probe gets, ms, however long the fetch took.
const MIN_PROBE_MS: u32 = 500;

#[wasm_bindgen(typescript_custom_section)]
const TS_DIAGNOSE: &'static str = r#"
import type { SoftphoneDiagnosis, SoftphoneDiagnoseConfig } from './diagnose.js';
"#;
