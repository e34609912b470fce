//! The browser driver and JavaScript API (wasm32 only).
