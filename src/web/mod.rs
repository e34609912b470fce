//! The browser driver and JavaScript API (wasm32 only).
//!
//! [`Softphone`] is the class JavaScript sees. Behind it, a driver owns everything the
//! sans-IO [`core`](crate::core) must not touch: WebSockets, one timer, the clock, the
//! random seed, page lifecycle listeners and the application's event handlers. It makes
//! no protocol decision; it only moves inputs in and outputs out:
//!
//! 1. Something happens (a JavaScript call, a socket event, the timer, `online` /
//!    `offline`, the page waking up). The driver turns it into one unit of work.
//! 2. It feeds the work to the core with `now` (`performance.now()` in whole ms), then
//!    drains [`UserAgent::poll_output`](crate::core::UserAgent::poll_output) until
//!    `None`, carrying out each output (open, send on, close a socket; queue an event;
//!    log a line).
//! 3. When no work is left it arms one timer for
//!    [`UserAgent::poll_timeout`](crate::core::UserAgent::poll_timeout).
//! 4. Events for the application are queued and delivered from a microtask, after the
//!    Rust call has returned, so a handler may call back into the phone (`stop()`, even
//!    `free()`) without meeting a borrowed `RefCell`.
//!
//! Work that arrives while a drain is running (a socket that fails synchronously) is
//! queued and taken by the drain already on the stack, never run re-entrantly.

#[cfg(feature = "bench")]
mod bench;
mod call;
mod call_details;
mod call_events;
mod call_media;
mod calls;
mod clock;
mod config;
mod device_watch;
pub(crate) mod devices;
pub mod diagnose;
mod driver;
mod errors;
mod events;
mod hand_over;
pub mod ice_servers;
mod idmap;
mod lifecycle;
mod log;
mod media;
mod options;
mod presence;
pub mod quality;
mod shapes;
mod softphone;
mod timer;
mod transport;
mod types;
mod utf8;
mod work;

use wasm_bindgen::JsValue;

pub use call::SoftphoneCall;

/// The allocator: talc instead of std's dlmalloc, for size (about 6 kB less wasm).
/// Single-threaded wasm32, as this crate is built (no `atomics` target feature).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
pub use softphone::Softphone;

/// The `sessionStorage` key under which a generated `instanceId` is kept: each tab has
/// its own (two tabs sharing one would replace each other's registration, RFC 5626),
/// and a tab keeps it across reloads.
pub const INSTANCE_ID_STORAGE_KEY: &str = "softphone-core:instance-id";

/// A number as JavaScript prints it (`1.5`, `1e+21`, `NaN`). Log lines and error messages
/// use this rather than Rust's float formatting, which costs about 16 kB of wasm.
pub(crate) fn number_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// `future_to_promise` through one boxed future type: each distinct future type would
/// instantiate its machinery again (about 1 kB of wasm each).
pub(crate) fn to_promise(
    future: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    let future: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> =
        Box::pin(future);
    wasm_bindgen_futures::future_to_promise(future)
}

/// The `name` of a JavaScript exception (`SyntaxError`), never its message, which may
/// quote a URL.
pub(crate) fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| "error".to_owned())
}
