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
mod phone;
pub mod verdict;
pub mod ws;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::web::to_promise;

use crate::core::probe::ProbeCredentials;
use crate::sip::Secret;
use crate::web::ice_servers::{parse_ice_servers, IceServer, IceServersProvider, IceUrl};
use ice::IceProbe;
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
        }
        Ok(JsValue::UNDEFINED)
    })
}

/// Runs every probe at once; resolves when all have finished or hit their deadlines.
pub async fn run(targets: Targets) -> (Vec<WsCheck>, Vec<IceCheck>) {
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
    for p in pending {
        let _ = JsFuture::from(p).await;
    }
    let ws = ws_slots.borrow_mut().drain(..).flatten().collect();
    let ice = ice_slots.borrow_mut().drain(..).flatten().collect();
    (ws, ice)
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

/// The whole diagnosis as the `SoftphoneDiagnosis` object.
pub fn to_js(targets: &Targets, ws: &[WsCheck], ice: &[IceCheck], duration_ms: f64) -> JsValue {
    let out = Object::new();
    set(&out, "durationMs", round(duration_ms).into());
    let ws_list: Array = ws.iter().map(ws_to_js).collect();
    set(&out, "websocket", ws_list.into());
    let ice_list: Array = ice.iter().map(ice_to_js).collect();
    set(&out, "ice", ice_list.into());
    let source = Object::new();
    set(
        &source,
        "configured",
        ((targets.ice_servers.len() - targets.fetched) as u32).into(),
    );
    set(&source, "fetched", (targets.fetched as u32).into());
    if let Some(e) = &targets.fetch_error {
        set(&source, "fetchError", e.as_str().into());
    }
    set(&out, "iceServers", source.into());
    let verdicts: Array = verdict::verdicts(ice)
        .into_iter()
        .map(|v| {
            let o = Object::new();
            set(&o, "network", v.network.into());
            set(&o, "ok", v.ok.into());
            set(&o, "message", v.message.as_str().into());
            JsValue::from(o)
        })
        .collect();
    set(&out, "verdicts", verdicts.into());
    // Any SIP answer proves the server speaks SIP, a challenge too (Asterisk challenges
    // OPTIONS); refused credentials do not make a working phone.
    let ok = ws.iter().any(|c| {
        matches!(&c.outcome, WsOutcome::Open { options: Some((o, _)), .. } if !o.credentials_refused())
    }) && (ice.is_empty() || ice.iter().any(IceCheck::ok));
    set(&out, "ok", ok.into());
    out.into()
}

fn ws_to_js(c: &WsCheck) -> JsValue {
    let o = Object::new();
    set(&o, "url", c.url.as_str().into());
    let hints: Vec<String> = match &c.outcome {
        WsOutcome::Open {
            open_ms,
            protocol,
            options,
        } => {
            set(&o, "status", "open".into());
            set(&o, "openMs", round(*open_ms).into());
            set(&o, "protocol", protocol.as_str().into());
            let mut hints = Vec::new();
            if protocol != "sip" {
                hints.push(format!(
                    "the server did not agree to the \"sip\" subprotocol (got {protocol:?}); RFC 7118 servers do"
                ));
            }
            match options {
                Some((outcome, rtt)) => {
                    let opt = Object::new();
                    set(&opt, "status", outcome.status.into());
                    set(&opt, "reason", outcome.reason.as_str().into());
                    set(&opt, "rttMs", round(*rtt).into());
                    set(&opt, "challenged", outcome.challenged.into());
                    set(&opt, "authenticated", outcome.authenticated.into());
                    set(&o, "options", opt.into());
                    if outcome.needs_credentials() {
                        hints.push(format!(
                            "reachable: the server speaks SIP and asks for authentication ({}); phone.diagnose() answers the challenge with the phone's credentials",
                            outcome.status
                        ));
                    } else if outcome.credentials_refused() {
                        hints.push(format!(
                            "the server refused the credentials ({} again after answering its challenge): check the password and authorizationUser; Asterisk answers 401 again, never 403, for a wrong password",
                            outcome.status
                        ));
                    }
                }
                None => hints.push(
                    "the socket opened but no answer to SIP OPTIONS came back: is this a SIP server?".to_owned(),
                ),
            }
            hints
        }
        WsOutcome::ClosedBeforeOpen { after_ms, code } => {
            set(&o, "status", "closedBeforeOpen".into());
            set(&o, "closeCode", (*code).into());
            set(&o, "closedAfterMs", round(*after_ms).into());
            ws::closed_before_open_hints(&c.url, *after_ms)
        }
        WsOutcome::NoAnswer => {
            set(&o, "status", "timeout".into());
            ws::no_answer_hints()
        }
        WsOutcome::Refused { error } => {
            set(&o, "status", "refused".into());
            set(&o, "error", error.as_str().into());
            vec![format!(
                "the browser refused the URL ({error}): check its form (wss://host:port/path); ws:// is blocked from https pages"
            )]
        }
    };
    let hints: Array = hints.iter().map(|h| JsValue::from_str(h)).collect();
    set(&o, "hints", hints.into());
    o.into()
}

fn ice_to_js(c: &IceCheck) -> JsValue {
    let o = Object::new();
    set(&o, "url", c.url.raw.as_str().into());
    set(
        &o,
        "kind",
        (if c.url.scheme.is_turn() {
            "turn"
        } else {
            "stun"
        })
        .into(),
    );
    set(&o, "transport", c.url.transport.as_str().into());
    set(&o, "host", c.url.host.as_str().into());
    set(&o, "port", c.url.port.into());
    if let Some(u) = &c.username {
        set(&o, "username", u.as_str().into());
    }
    set(&o, "status", c.status().into());
    let types: Array = c
        .probe
        .candidate_types
        .iter()
        .map(|t| JsValue::from_str(t))
        .collect();
    set(&o, "candidateTypes", types.into());
    if let Some(ms) = c.probe.first_wanted_ms {
        set(&o, "timeToCandidateMs", round(ms).into());
    }
    if c.probe.no_nat {
        set(&o, "noNat", true.into());
    }
    if let Some(p) = &c.probe.relay_protocol {
        set(&o, "relayProtocol", p.as_str().into());
    }
    let errors: Array = c
        .probe
        .errors
        .iter()
        .map(|(code, text)| {
            let e = Object::new();
            set(&e, "code", (*code).into());
            set(&e, "text", text.as_str().into());
            JsValue::from(e)
        })
        .collect();
    set(&o, "errors", errors.into());
    let hint = match c.status() {
        "ok" => None,
        "authFailed" => Some("the TURN server refused the username/credential (401): expired TURN REST credentials, or a secret that differs from the server's".to_owned()),
        "error" => c.probe.setup_error.clone(),
        _ if c.url.transport == crate::web::ice_servers::IceTransport::Udp => Some(format!(
            "no answer over UDP within the probe time: UDP to port {} is blocked, or the server is down",
            c.url.port
        )),
        _ => Some(format!(
            "no answer over {} to port {}: the port is filtered, or the server does not listen there",
            c.url.transport.as_str().to_ascii_uppercase(),
            c.url.port
        )),
    };
    if let Some(h) = hint {
        set(&o, "hint", h.as_str().into());
    }
    o.into()
}

fn set(o: &Object, k: &str, v: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &k.into(), &v);
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
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
    let (ws, ice) = run(targets.clone()).await;
    Ok(to_js(&targets, &ws, &ice, now_ms() - t0))
}

/// The least time a probe gets, ms, however long the fetch took.
const MIN_PROBE_MS: u32 = 500;

#[wasm_bindgen(typescript_custom_section)]
const TS_DIAGNOSE: &'static str = r#"
import type { SoftphoneDiagnosis, SoftphoneDiagnoseConfig } from './diagnose.js';
"#;
