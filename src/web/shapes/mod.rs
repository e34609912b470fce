//! The JavaScript shapes of the core's values: plain objects and arrays built from Rust
//! data, with the builders they share.
//!
//! A leaf of the driver: these files name core types and `js_sys` only, never a driver
//! type (`Driver`, `Softphone`, `SoftphoneCall`), so that the event bus, the classes and
//! the drain loop can all use them without reaching each other.

pub(crate) mod event;
pub(crate) mod no_media;
pub(crate) mod presence;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::core::{Identity, IdentitySource};

/// A plain object from key/value pairs.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in pairs {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj.into()
}

/// A JavaScript number.
pub(crate) fn num(n: impl Into<f64>) -> JsValue {
    JsValue::from_f64(n.into())
}

/// A duration as a number of milliseconds.
pub(crate) fn ms(d: std::time::Duration) -> JsValue {
    JsValue::from_f64(d.as_millis() as f64)
}

/// Adds `key: v` to `pairs` when `v` is present.
pub(crate) fn opt_str(
    pairs: &mut Vec<(&'static str, JsValue)>,
    key: &'static str,
    v: &Option<String>,
) {
    if let Some(v) = v {
        pairs.push((key, v.into()));
    }
}

/// `[[name, value], ...]`, in order.
pub(crate) fn pairs(headers: &[(String, String)]) -> JsValue {
    let out = Array::new();
    for (name, value) in headers {
        let pair = Array::new();
        pair.push(&name.into());
        pair.push(&value.into());
        out.push(&pair);
    }
    out.into()
}

/// `string[]`.
pub(crate) fn strings(values: &[String]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from_str(v))
        .collect::<Array>()
        .into()
}

/// `{ uri, displayName?, source: 'pAssertedIdentity' | 'remotePartyId' }`.
pub(crate) fn identity(identity: &Identity) -> JsValue {
    let o = Object::new();
    // Setting properties on a fresh object cannot fail.
    let _ = Reflect::set(&o, &"uri".into(), &identity.uri.as_str().into());
    if let Some(name) = &identity.display_name {
        let _ = Reflect::set(&o, &"displayName".into(), &name.as_str().into());
    }
    let source = match identity.source {
        IdentitySource::PAssertedIdentity => "pAssertedIdentity",
        IdentitySource::RemotePartyId => "remotePartyId",
    };
    let _ = Reflect::set(&o, &"source".into(), &source.into());
    o.into()
}
