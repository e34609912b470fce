//! softphone-core: a SIP user agent for the browser.
//!
//! - [`sip`]: the message layer (parse, build, digest authentication).
//! - [`core`]: the sans-IO user agent: transactions, registration, keepalive and
//!   reconnect policy, driven by inputs carrying the time.
//! - `web` (wasm32 only): the browser driver and the JavaScript API.

pub mod core;
pub mod sip;
#[cfg(target_arch = "wasm32")]
pub mod web;
