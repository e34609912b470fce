//! softphone-core: a SIP user agent for the browser.
//!
//! - [`sip`]: the message layer (parse, build, digest authentication).
//! - [`core`]: the sans-IO user agent: transactions, registration, keepalive and
//!   reconnect policy, driven by inputs carrying the time.
//! - `web` (wasm32 only): the browser driver and the JavaScript API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod core;
pub mod sip;
#[cfg(target_arch = "wasm32")]
pub mod web;
