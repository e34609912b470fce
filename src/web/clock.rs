//! The clock and the random source, read from the JavaScript global scope: the only
//! place the driver reads time or randomness (`clippy.toml` forbids `Date.now`,
//! `Math.random` and `performance.now` everywhere else).
//!
//! Both are looked up on `globalThis` rather than `window`, so the driver also works
//! in a worker.
#![allow(clippy::disallowed_methods)]

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::Instant;

/// Milliseconds since the page's time origin (`performance.now()`), monotonic.
pub(crate) fn perf_now_ms() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
    match performance {
        Some(p) => p.now(),
        // Every browser has `performance`; this keeps an odd host working.
        None => js_sys::Date::now(),
    }
}

/// Wall-clock milliseconds (`Date.now()`). Unlike `performance.now()` it keeps counting
/// while the machine sleeps, which is how a pause is noticed.
pub(crate) fn wall_ms() -> f64 {
    js_sys::Date::now()
}

/// Hands out instants that never go backwards.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    last: u64,
}

impl Clock {
    /// Returns `performance.now()` rounded to whole milliseconds, never below the
    /// previous reading.
    pub(crate) fn now(&mut self) -> Instant {
        let ms = perf_now_ms().round();
        let ms = if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        };
        self.last = self.last.max(ms);
        Instant::from_millis(self.last)
    }
}

/// Fills `buf` from `crypto.getRandomValues`.
///
/// # Errors
/// Returns the JavaScript exception when the host has no Web Crypto.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let crypto: web_sys::Crypto = crypto
        .dyn_into()
        .map_err(|_| js_sys::Error::new("crypto.getRandomValues is not available"))?;
    crypto.get_random_values_with_u8_array(buf)?;
    Ok(())
}

/// Returns a random (version 4) UUID in lower case.
///
/// # Errors
/// Returns the JavaScript exception when the host has no Web Crypto.
pub(crate) fn random_uuid() -> Result<String, JsValue> {
    let mut b = [0u8; 16];
    random_bytes(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}
