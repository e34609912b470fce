//! The answer of `iceServersUrl`, in the shapes real providers return:
//!
//! - `{ iceServers: [...], ttl? }`, the shape this package documents;
//! - a bare `RTCIceServer[]`;
//! - `{ iceServers: { urls, username, credential } }`: one object, not an array, as
//!   Cloudflare's TURN API answers;
//! - Twilio's Network Traversal token: `{ ice_servers: [...], ttl: "86400", ... }`, whose
//!   entries carry the legacy `url` beside `urls` and whose `ttl` is a string.
//!
//! Each entry keeps `urls` (or `url` when `urls` is absent), `username`, `credential`
//! and `credentialType`; the other fields providers add (`account_sid`, `date_created`...)
//! are ignored. The entries are then checked as configured `iceServers` are.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::{parse_ice_servers, IceServer};

const KEPT: [&str; 4] = ["urls", "username", "credential", "credentialType"];

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn present(v: &JsValue) -> bool {
    !(v.is_undefined() || v.is_null())
}

/// One provider entry reduced to the fields of `RTCIceServer`.
fn normalize(entry: &JsValue) -> JsValue {
    if !entry.is_object() || Array::is_array(entry) {
        // Left as it is: the check below reports it.
        return entry.clone();
    }
    let out = Object::new();
    for key in KEPT {
        let v = get(entry, key);
        if present(&v) {
            // Setting a property on a fresh object cannot fail.
            let _ = Reflect::set(&out, &key.into(), &v);
        }
    }
    let url = get(entry, "url");
    if !present(&get(entry, "urls")) && present(&url) {
        let _ = Reflect::set(&out, &"urls".into(), &url);
    }
    out.into()
}

/// Reads an answer of `iceServersUrl` into its servers and `ttl` (seconds, optional).
///
/// # Errors
/// What is wrong with the answer, credentials never quoted.
pub fn parse_answer(body: &JsValue) -> Result<(Vec<IceServer>, Option<f64>), String> {
    let (servers, ttl, field) = if Array::is_array(body) {
        (body.clone(), JsValue::UNDEFINED, "")
    } else if body.is_object() {
        let camel = get(body, "iceServers");
        if present(&camel) {
            (camel, get(body, "ttl"), "iceServers")
        } else {
            let snake = get(body, "ice_servers");
            if !present(&snake) {
                return Err("the answer has no iceServers (nor Twilio's ice_servers)".to_owned());
            }
            (snake, get(body, "ttl"), "ice_servers")
        }
    } else {
        return Err("the answer is not an object { iceServers, ttl } nor an array".to_owned());
    };
    let normalized: JsValue = if Array::is_array(&servers) {
        servers
            .unchecked_ref::<Array>()
            .iter()
            .map(|e| normalize(&e))
            .collect::<Array>()
            .into()
    } else {
        normalize(&servers)
    };
    let servers = parse_ice_servers(&normalized).map_err(|e| format!("{field}{e}"))?;
    Ok((servers, read_ttl(&ttl)?))
}

/// `ttl` as a number of seconds or a numeric string (Twilio), or absent.
fn read_ttl(ttl: &JsValue) -> Result<Option<f64>, String> {
    if !present(ttl) {
        return Ok(None);
    }
    // A numeric string goes through JavaScript's Number(): Rust's float parser would add
    // kilobytes of wasm for this one field.
    let seconds = ttl.as_f64().or_else(|| {
        ttl.as_string()
            .map(|s| js_sys::Number::parse_float(s.trim()))
    });
    match seconds {
        Some(t) if t.is_finite() && t > 0.0 => Ok(Some(t)),
        _ => Err("ttl: must be a positive number of seconds".to_owned()),
    }
}
