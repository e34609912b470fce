//! The ICE servers a call's `RTCPeerConnection` uses: the configured `iceServers`, plus
//! those fetched from `iceServersUrl` and kept fresh.
//!
//! `iceServersUrl` is the application's own endpoint (`GET /api/ice` answering
//! `{ iceServers, ttl }`), which mints short-lived TURN credentials (coturn's TURN REST
//! scheme, Cloudflare or Twilio tokens) on the server side. When to refresh and retry,
//! and when a list may no longer be used, is the core's schedule
//! ([`crate::core::ice_refresh::IceRefresh`], on virtual time); the provider does the
//! fetching and arms its timer. It
//!
//! - fetches it at `start()`, so a list is in hand before the first call;
//! - refreshes it at 80 % of `ttl`, and again when [`IceServersProvider::current`] finds
//!   it stale (a laptop that slept past the timer);
//! - retries a failed fetch with backoff (1 s doubling to 60 s), keeping the last
//!   list that has not expired;
//! - never makes a call wait: [`IceServersProvider::current`] returns what is in hand.
//!   Only the very first fetch may be waited for, bounded, with
//!   [`IceServersProvider::first_fetch`].
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
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::core::ice_refresh::IceRefresh;
use crate::core::Instant;
use crate::web::number_text;
use crate::web::timer::{after, Deadline};
use std::time::Duration;

pub use url::{
    describe, parse_ice_servers, Credential, IceScheme, IceServer, IceTransport, IceUrl,
};

/// How long one fetch may take, ms.
pub const FETCH_TIMEOUT_MS: u32 = 5_000;

/// What the provider reports for the log: a level (`true` = warning) and a line free of
/// credentials.
pub type LogSink = Rc<dyn Fn(bool, &str)>;

/// Where the provider stands with `iceServersUrl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchState {
    /// No `iceServersUrl`, or not started.
    Idle,
    /// A fetch is in flight.
    Fetching,
    /// The last fetch succeeded.
    Fresh,
    /// The last fetch failed; a retry is scheduled.
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
    /// When to fetch again and when the fetched list expires, on the wall clock.
    schedule: IceRefresh,
    state: FetchState,
    running: bool,
    fetches: u32,
    /// Bumped by `stop()`, so that a fetch in flight then is ignored.
    generation: u32,
    /// The next fetch, at the core's [`IceRefresh::next_fetch`].
    timer: Option<Deadline>,
    /// Resolve functions of `first_fetch()` promises.
    waiters: Vec<Function>,
    log: Option<LogSink>,
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
                schedule: IceRefresh::new(),
                state: FetchState::Idle,
                running: false,
                fetches: 0,
                generation: 0,
                timer: None,
                waiters: Vec::new(),
                log: None,
            })),
        }
    }

    /// Sends the provider's log lines (`true` for warnings) to `sink`.
    pub fn set_log(&self, sink: LogSink) {
        self.inner.borrow_mut().log = Some(sink);
    }

    /// Starts fetching `iceServersUrl` (if any) and keeping it fresh. Does nothing when
    /// already running.
    pub fn start(&self) {
        let go = {
            let mut inner = self.inner.borrow_mut();
            if inner.running {
                false
            } else {
                inner.running = true;
                inner.url.is_some()
            }
        };
        if go {
            self.fetch_now();
        }
    }

    /// Stops refreshing; the list in hand stays usable. Pending `first_fetch()` promises
    /// resolve.
    pub fn stop(&self) {
        let waiters = {
            let mut inner = self.inner.borrow_mut();
            inner.running = false;
            inner.generation = inner.generation.wrapping_add(1);
            inner.timer = None;
            if inner.state == FetchState::Fetching {
                inner.state = FetchState::Idle;
            }
            std::mem::take(&mut inner.waiters)
        };
        resolve_all(waiters);
    }

    /// The `RTCIceServer` list for a new `RTCPeerConnection`: the configured servers,
    /// then the fetched ones unless their `ttl` has run out. Never waits; when the
    /// fetched list is stale (timers were paused), a refresh starts.
    pub fn current(&self) -> Array {
        self.refresh_if_stale();
        self.servers().iter().map(IceServer::to_js).collect()
    }

    /// The usable servers, parsed (configured first, then unexpired fetched ones).
    pub fn servers(&self) -> Vec<IceServer> {
        let inner = self.inner.borrow();
        let mut out = inner.configured.clone();
        if !inner.schedule.expired(wall_now()) {
            out.extend(inner.fetched.iter().cloned());
        }
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
        self.inner.borrow().schedule.failures()
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
            && inner.schedule.failures() == 0;
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

    fn refresh_if_stale(&self) {
        let stale = {
            let inner = self.inner.borrow();
            let now = wall_now();
            inner.running
                && inner.url.is_some()
                && inner.state == FetchState::Fresh
                && inner.schedule.stale(now)
        };
        if stale {
            self.fetch_now();
        }
    }

    fn fetch_now(&self) {
        let (url, generation) = {
            let mut inner = self.inner.borrow_mut();
            let Some(url) = inner.url.clone() else { return };
            inner.state = FetchState::Fetching;
            inner.timer = None;
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
        let now = wall_now();
        let (line, warn, waiters) = {
            let mut inner = self.inner.borrow_mut();
            if inner.generation != generation || !inner.running {
                return;
            }
            let (line, warn, next) = match result {
                Ok((servers, ttl)) => {
                    inner.fetches += 1;
                    inner.state = FetchState::Fresh;
                    let line = format!(
                        "ICE servers fetched (ttl {}): {}",
                        ttl.map_or("none".to_owned(), |t| format!("{} s", number_text(t))),
                        describe(&servers)
                    );
                    inner.fetched = servers;
                    // `ttl` was read as a non-negative finite number of seconds.
                    let ttl = ttl.map(|t| Duration::from_millis((t * 1000.0) as u64));
                    (line, false, inner.schedule.fetched(now, ttl))
                }
                Err(why) => {
                    inner.state = FetchState::Failing;
                    let next = inner.schedule.failed(now);
                    let keep = if inner.schedule.expired(now) || inner.fetched.is_empty() {
                        "no fetched servers in hand"
                    } else {
                        "keeping the last list until it expires"
                    };
                    let line = format!(
                        "fetching ICE servers failed ({why}); retry in {} s, {keep}",
                        (next - now).as_secs()
                    );
                    (line, true, Some(next))
                }
            };
            let delay_ms = next.map(|at| (at - now).as_millis() as f64);
            if let Some(delay) = delay_ms {
                // The when is the core's (`IceRefresh`, on virtual time); this only arms
                // it. Not in the user agent's table: `diagnose()` fetches without one, and
                // the schedule counts on the wall clock, through a laptop's sleep.
                let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
                let delay = delay.min(f64::from(i32::MAX)) as u32;
                inner.timer = Some(after(delay, move || {
                    if let Some(inner) = weak.upgrade() {
                        IceServersProvider { inner }.fetch_now();
                    }
                }));
            }
            (line, warn, std::mem::take(&mut inner.waiters))
        };
        let sink = self.inner.borrow().log.clone();
        if let Some(sink) = sink {
            sink(warn, &line);
        }
        resolve_all(waiters);
    }
}

/// The wall clock as the core's `Instant`: the schedule must keep counting while a
/// laptop sleeps, which `performance.now()` may not.
fn wall_now() -> Instant {
    Instant::from_millis(crate::web::clock::wall_ms().max(0.0) as u64)
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
