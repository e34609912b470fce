//! MESSAGE and subscriptions on the `Softphone` class: the commands and their options
//! read from JavaScript (the `message`, `subscription` and `mwi` event objects are in
//! `shapes/presence.rs`).
//!
//! The package entry (pkg-template/index.js) wraps these commands: `sendMessage` into
//! a promise of its outcome, `subscribe` into a handle with the latest state (and
//! `blf`/`watchBlf`/`mwi`/`presence` on top). Every decision (pacing, refresh,
//! retries, the lamp) is the core's; these only carry values across.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::softphone::Softphone;
use crate::core::{MessageOptions, RequestError, SubscribeOptions, SubscriptionId};

#[wasm_bindgen]
impl Softphone {
    /// Sends a MESSAGE and returns its id; the outcome is a `message` event with that
    /// `messageId`. The package entry wraps it into a promise (see `index.d.ts`).
    ///
    /// # Errors
    /// Throws a `SoftphoneRequestError` (`invalidTarget`, `invalidValue`, `notConnected`).
    #[wasm_bindgen(js_name = sendMessage, skip_typescript)]
    pub fn send_message(
        &self,
        target: &str,
        body: &str,
        options: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        let options = message_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| request_error(&e))?;
        self.driver
            .command_or(busy, |ua, now| ua.send_message(target, body, options, now))
            .map(|id| id.0 as f64)
            .map_err(|e| request_error(&e))
    }

    /// Subscribes to the event package `event` of `target` and returns the
    /// subscription's id; what follows comes as `subscription` events with that
    /// `subscriptionId`. The package entry wraps it into a handle (see `index.d.ts`).
    ///
    /// # Errors
    /// Throws a `SoftphoneRequestError` (`invalidTarget`, `invalidValue`).
    #[wasm_bindgen(js_name = subscribe, skip_typescript)]
    pub fn subscribe(
        &self,
        target: &str,
        event: &str,
        options: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        let options = subscribe_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| request_error(&e))?;
        self.driver
            .command_or(busy, |ua, now| ua.subscribe(target, event, options, now))
            .map(|id| id.0 as f64)
            .map_err(|e| request_error(&e))
    }

    /// Ends subscription `id` (`Expires: 0`); an `ended` event follows.
    ///
    /// # Errors
    /// Throws a `SoftphoneRequestError` `noSuchSubscription`.
    #[wasm_bindgen(js_name = unsubscribe, skip_typescript)]
    pub fn unsubscribe(&self, id: f64) -> Result<(), JsValue> {
        if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
            return Err(request_error(&RequestError::NoSuchSubscription));
        }
        self.driver
            .command_or(busy, |ua, now| {
                ua.unsubscribe(SubscriptionId(id as u64), now)
            })
            .map_err(|e| request_error(&e))
    }
}

fn busy() -> RequestError {
    RequestError::InvalidValue("the phone is busy".into())
}

/// A `SoftphoneRequestError` with its `code`.
fn request_error(e: &RequestError) -> JsValue {
    let code = match e {
        RequestError::NotConnected => "notConnected",
        RequestError::InvalidTarget(_) => "invalidTarget",
        RequestError::NoSuchSubscription => "noSuchSubscription",
        _ => "invalidValue",
    };
    super::errors::request_error(code, &e.to_string())
}

fn invalid(what: &str) -> RequestError {
    RequestError::InvalidValue(what.to_string())
}

/// The option keys of `options`, checked against `allowed`.
fn check_keys(options: &JsValue, allowed: &[&str]) -> Result<bool, RequestError> {
    if options.is_undefined() || options.is_null() {
        return Ok(false);
    }
    if !options.is_object() {
        return Err(invalid("options must be an object"));
    }
    for key in Object::keys(options.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(RequestError::InvalidValue(format!(
                "unknown option `{key}`, expected {}",
                allowed.join(" or ")
            )));
        }
    }
    Ok(true)
}

fn get(options: &JsValue, key: &str) -> JsValue {
    Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `options.headers`: an object of strings.
fn headers(options: &JsValue) -> Result<Vec<(String, String)>, RequestError> {
    let headers = get(options, "headers");
    let mut out = Vec::new();
    if headers.is_undefined() {
        return Ok(out);
    }
    if !headers.is_object() || Array::is_array(&headers) {
        return Err(invalid("options.headers must be an object of strings"));
    }
    for entry in Object::entries(headers.unchecked_ref::<Object>()).iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1).as_string().ok_or_else(|| {
            RequestError::InvalidValue(format!("options.headers.{name} must be a string"))
        })?;
        out.push((name, value));
    }
    Ok(out)
}

/// Reads `{ contentType?: string, headers?: Record<string, string> }`.
fn message_options(options: &JsValue) -> Result<MessageOptions, RequestError> {
    let mut out = MessageOptions::default();
    if !check_keys(options, &["contentType", "headers"])? {
        return Ok(out);
    }
    let ct = get(options, "contentType");
    if !ct.is_undefined() {
        out.content_type = ct
            .as_string()
            .ok_or_else(|| invalid("options.contentType must be a string"))?;
    }
    out.headers = headers(options)?;
    Ok(out)
}

/// Reads `{ accept?: string | string[], expires?: number, headers?: Record<string, string> }`.
fn subscribe_options(options: &JsValue) -> Result<SubscribeOptions, RequestError> {
    let mut out = SubscribeOptions::default();
    if !check_keys(options, &["accept", "expires", "headers"])? {
        return Ok(out);
    }
    let accept = get(options, "accept");
    if let Some(one) = accept.as_string() {
        out.accept.push(one);
    } else if Array::is_array(&accept) {
        for a in accept.unchecked_ref::<Array>().iter() {
            out.accept.push(
                a.as_string()
                    .ok_or_else(|| invalid("options.accept must hold strings"))?,
            );
        }
    } else if !accept.is_undefined() {
        return Err(invalid(
            "options.accept must be a string or an array of strings",
        ));
    }
    let expires = get(options, "expires");
    if !expires.is_undefined() {
        let n = expires.as_f64().unwrap_or(-1.0);
        if !(n.is_finite() && (1.0..=u32::MAX as f64).contains(&n) && n.fract() == 0.0) {
            return Err(invalid(
                "options.expires must be a positive whole number of seconds",
            ));
        }
        out.expires = Some(n as u32);
    }
    out.headers = headers(options)?;
    Ok(out)
}
