//! softphone-core: a SIP user agent for the browser.
//!
//! - [`sip`]: the message layer (parse, build, digest authentication).
//! - [`core`]: the sans-IO user agent: transactions, registration, keepalive and
//!   reconnect policy, driven by inputs carrying the time.
//! - `web` (wasm32 only): the browser driver and the JavaScript API.
//! - `native` (not on wasm32): a tokio driver for the same core, a WebSocket connect
//!   that shows a refused upgrade, and a sans-IO STUN/TURN client; `softphone-doctor`
//!   is built on it.

pub mod core;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod sip;
#[cfg(target_arch = "wasm32")]
pub mod web;
