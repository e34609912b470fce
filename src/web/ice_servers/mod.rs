//! The ICE servers a call's `RTCPeerConnection` uses: the configured `iceServers`, plus
//! those fetched from `iceServersUrl`.
//!
//! `iceServersUrl` is the application's own endpoint (`GET /api/ice` answering
//! `{ iceServers, ttl }`), which mints short-lived TURN credentials (coturn's TURN REST
//! scheme, Cloudflare or Twilio tokens) on the server side. When to fetch, refresh and
//! retry, and when a list may no longer be used, is the core's
//! ([`crate::core::ice_refresh`], in the user agent's timer table, on virtual time): the
//! driver carries out `Output::IceServers` with [`IceServersProvider::fetch`] and
//! [`IceServersProvider::expire`], and reports each outcome back through the callback of
//! [`IceServersProvider::set_on_result`]. The provider
//!
//! - fetches when told, one fetch at a time, each bounded by [`FETCH_TIMEOUT_MS`];
//! - keeps the last list through failed fetches, until the core says it expired;
//! - never makes a call wait: [`IceServersProvider::current`] returns what is in hand.
//!   Only the very first fetch may be waited for, bounded, with
//!   [`IceServersProvider::first_fetch`].
//!
//! `diagnose()` uses a provider of its own for one fetch, with no schedule.
//!
//! Every URL and transport is kept: a dead one costs no time because the core's
//! readiness policy sends the offer as soon as a relay candidate exists (or, with STUN
//! only, a server-reflexive one), and after `iceGatheringTimeout` (2 s) at worst.
//!
//! Credentials are never logged: [`describe`] prints URLs and usernames only.

mod answer;
mod url;

pub use answer::parse_answer;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::web::number_text;
use crate::web::timer::after;
use std::time::Duration;

pub use url::{
    describe, parse_ice_servers, Credential, IceScheme, IceServer, IceTransport, IceUrl,
};

/// How long one fetch may take, ms.
pub const FETCH_TIMEOUT_MS: u32 = 5_000;

/// What the provider reports for the log: a level (`true` = warning) and a line free of
/// credentials.
pub type LogSink = Rc<dyn Fn(bool, &str)>;

/// Where the outcome of each fetch goes: the list's `ttl` (when the endpoint gave one),
/// or `Err` for a failed fetch.
pub type ResultSink = Rc<dyn Fn(Result<Option<Duration>, ()>)>;

/// Where the provider stands with `iceServersUrl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchState {
    /// No `iceServersUrl`, or not started.
    Idle,
    /// A fetch is in flight.
    Fetching,
    /// The last fetch succeeded.
    Fresh,
    /// The last fetch failed (the core schedules the retry).
    Failing,
}

/// Keeps the list of ICE servers for calls. Cheap to clone (shared state).
#[derive(Clone)]
pub struct IceServersProvider {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    configured: Vec<IceServer>,
    url: Option<String>,
    fetched: Vec<IceServer>,
    state: FetchState,
    running: bool,
    fetches: u32,
    /// Failed fetches in a row.
    failures: u32,
    /// Bumped by `stop()`, so that a fetch in flight then is ignored.
    generation: u32,
    /// Resolve functions of `first_fetch()` promises.
    waiters: Vec<Function>,
    log: Option<LogSink>,
    on_result: Option<ResultSink>,
}

impl IceServersProvider {
    /// Makes a provider for the configured `iceServers` and optional `iceServersUrl`.
    /// Nothing is fetched before [`IceServersProvider::start`].
    pub fn new(configured: Vec<IceServer>, url: Option<String>) -> IceServersProvider {
        IceServersProvider {
            inner: Rc::new(RefCell::new(Inner {
                configured,
                url,
                fetched: Vec::new(),
                state: FetchState::Idle,
                running: false,
                fetches: 0,
                failures: 0,
                generation: 0,
                waiters: Vec::new(),
                log: None,
                on_result: None,
            })),
        }
    }

    /// Sends the provider's log lines (`true` for warnings) to `sink`.
    pub fn set_log(&self, sink: LogSink) {
        self.inner.borrow_mut().log = Some(sink);
    }

    /// Sends the outcome of every fetch to `sink` (the driver feeds it to the core).
    pub fn set_on_result(&self, sink: ResultSink) {
        self.inner.borrow_mut().on_result = Some(sink);
    }

    /// Lets [`IceServersProvider::fetch`] fetch, until [`IceServersProvider::stop`].
    pub fn start(&self) {
        self.inner.borrow_mut().running = true;
    }

    /// Fetches `iceServersUrl` now (`IceServersAction::Fetch`), unless there is none,
    /// the provider is stopped, or a fetch is in flight (its outcome answers this one).
    pub fn fetch(&self) {
        let go = {
            let inner = self.inner.borrow();
            inner.running && inner.url.is_some() && inner.state != FetchState::Fetching
        };
        if go {
            self.fetch_now();
        }
    }

    /// The fetched list ran out (`IceServersAction::Expire`): new peer connections
    /// get the configured servers only, until the next fetch succeeds.
    pub fn expire(&self) {
        self.inner.borrow_mut().fetched.clear();
    }

    /// Stops fetching; the list in hand stays usable. Pending `first_fetch()` promises
    /// resolve.
    pub fn stop(&self) {
        let waiters = {
            let mut inner = self.inner.borrow_mut();
            inner.running = false;
            inner.generation = inner.generation.wrapping_add(1);
            if inner.state == FetchState::Fetching {
                inner.state = FetchState::Idle;
            }
            std::mem::take(&mut inner.waiters)
        };
        resolve_all(waiters);
    }

    /// The `RTCIceServer` list for a new `RTCPeerConnection`: the configured servers,
    /// then the fetched ones (until the core expires them). Never waits.
    pub fn current(&self) -> Array {
        self.servers().iter().map(IceServer::to_js).collect()
    }

    /// The usable servers, parsed (configured first, then the fetched ones).
    pub fn servers(&self) -> Vec<IceServer> {
        let inner = self.inner.borrow();
        let mut out = inner.configured.clone();
        out.extend(inner.fetched.iter().cloned());
        out
    }

    /// Whether the usable list has a TURN URL (the core then waits for a relay
    /// candidate before sending an offer).
    pub fn has_turn(&self) -> bool {
        self.servers().iter().any(IceServer::has_turn)
    }

    /// Whether the usable list has a STUN URL.
    pub fn has_stun(&self) -> bool {
        self.servers().iter().any(IceServer::has_stun)
    }

    /// Whether `iceServersUrl` is configured: TURN is then expected even before the
    /// first answer arrives.
    pub fn has_url(&self) -> bool {
        self.inner.borrow().url.is_some()
    }

    /// The `iceServersUrl`, if any.
    pub fn url(&self) -> Option<String> {
        self.inner.borrow().url.clone()
    }

    /// Where the fetching stands.
    pub fn state(&self) -> FetchState {
        self.inner.borrow().state
    }

    /// How many fetches succeeded so far.
    pub fn fetches(&self) -> u32 {
        self.inner.borrow().fetches
    }

    /// How many fetches failed in a row.
    pub fn failures(&self) -> u32 {
        self.inner.borrow().failures
    }

    /// A promise that resolves (to `undefined`) once the first fetch has succeeded or
    /// failed, at once when there is nothing to wait for, and after `bound_ms` at the
    /// latest. Only for the very first call right after `start()`: later calls use
    /// what is in hand.
    pub fn first_fetch(&self, bound_ms: u32) -> Promise {
        let mut resolve_fn = None;
        let promise = Promise::new(&mut |resolve, _| resolve_fn = Some(resolve));
        let Some(resolve) = resolve_fn else {
            return promise; // the executor runs synchronously; cannot happen
        };
        let mut inner = self.inner.borrow_mut();
        let waiting = inner.running
            && inner.state == FetchState::Fetching
            && inner.fetches == 0
            && inner.failures == 0;
        if waiting {
            inner.waiters.push(resolve.clone());
            // I/O mechanics: how long one call's media set-up waits for this one answer
            // (the caller's bound), not a decision of when to fetch.
            after(bound_ms, move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            })
            .forget(); // resolving twice is harmless; the timeout is short-lived
        } else {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
        promise
    }

    fn fetch_now(&self) {
        let (url, generation) = {
            let mut inner = self.inner.borrow_mut();
            let Some(url) = inner.url.clone() else { return };
            inner.state = FetchState::Fetching;
            (url, inner.generation)
        };
        let weak = Rc::downgrade(&self.inner);
        wasm_bindgen_futures::spawn_local(async move {
            let result = fetch_list(&url).await;
            if let Some(inner) = weak.upgrade() {
                IceServersProvider { inner }.fetched(result, generation);
            }
        });
    }

    fn fetched(&self, result: Result<(Vec<IceServer>, Option<f64>), String>, generation: u32) {
        let (line, warn, outcome, waiters, on_result) = {
            let mut inner = self.inner.borrow_mut();
            if inner.generation != generation || !inner.running {
                return;
            }
            let (line, warn, outcome) = match result {
                Ok((servers, ttl)) => {
                    inner.fetches += 1;
                    inner.failures = 0;
                    inner.state = FetchState::Fresh;
                    let line = format!(
                        "ICE servers fetched (ttl {}): {}",
                        ttl.map_or("none".to_owned(), |t| format!("{} s", number_text(t))),
                        describe(&servers)
                    );
                    inner.fetched = servers;
                    // `ttl` was read as a non-negative finite number of seconds.
                    let ttl = ttl.map(|t| Duration::from_millis((t * 1000.0) as u64));
                    (line, false, Ok(ttl))
                }
                Err(why) => {
                    inner.failures = inner.failures.saturating_add(1);
                    inner.state = FetchState::Failing;
                    (
                        format!("fetching ICE servers failed ({why})"),
                        true,
                        Err(()),
                    )
                }
            };
            let waiters = std::mem::take(&mut inner.waiters);
            (line, warn, outcome, waiters, inner.on_result.clone())
        };
        let sink = self.inner.borrow().log.clone();
        if let Some(sink) = sink {
            sink(warn, &line);
        }
        if let Some(on_result) = on_result {
            on_result(outcome);
        }
        resolve_all(waiters);
    }
}

fn resolve_all(waiters: Vec<Function>) {
    for resolve in waiters {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}

/// GETs `url` and reads `{ iceServers, ttl }` (`ttl` in seconds, optional).
async fn fetch_list(url: &str) -> Result<(Vec<IceServer>, Option<f64>), String> {
    let global = js_sys::global();
    let fetch = Reflect::get(&global, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or("no fetch() here")?;
    let controller = Reflect::get(&global, &"AbortController".into())
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok())
        .and_then(|c| Reflect::construct(&c, &Array::new()).ok());
    let init = js_sys::Object::new();
    let _ = Reflect::set(&init, &"cache".into(), &"no-store".into());
    let _ = Reflect::set(&init, &"credentials".into(), &"same-origin".into());
    let mut _abort_timer = None;
    if let Some(controller) = &controller {
        if let Ok(signal) = Reflect::get(controller, &"signal".into()) {
            let _ = Reflect::set(&init, &"signal".into(), &signal);
        }
        let c = controller.clone();
        // I/O mechanics: one fetch's deadline (the browser has no fetch timeout of its own).
        _abort_timer = Some(after(FETCH_TIMEOUT_MS, move || {
            if let Ok(abort) = Reflect::get(&c, &"abort".into()) {
                if let Some(abort) = abort.dyn_ref::<Function>() {
                    let _ = abort.call0(&c);
                }
            }
        }));
    }
    let promise = fetch
        .call2(&global, &url.into(), &init)
        .map_err(|e| crate::web::error_name(&e))?;
    let response =
        JsFuture::from(Promise::from(promise)).await.map_err(
            |e| match crate::web::error_name(&e).as_str() {
                "AbortError" => format!("no answer within {} s", FETCH_TIMEOUT_MS / 1000),
                name => format!("network error ({name})"),
            },
        )?;
    let status = Reflect::get(&response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0);
    // data: and blob: URLs answer with status 200 too; 0 means an opaque answer.
    if !(200.0..300.0).contains(&status) {
        return Err(format!("HTTP {}", number_text(status)));
    }
    let json = Reflect::get(&response, &"json".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or("not a Response")?
        .call0(&response)
        .map_err(|e| crate::web::error_name(&e))?;
    let body = JsFuture::from(Promise::from(json))
        .await
        .map_err(|_| "the answer is not JSON".to_owned())?;
    parse_answer(&body)
}
