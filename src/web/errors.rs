//! The errors the JavaScript API throws, made as instances of the package's exported
//! classes when the package entry has registered them.
//!
//! Every error has a `code` from one union (`SoftphoneErrorCode` in
//! `types/connection.d.ts`). The npm
//! entry (`pkg-template/index.js`) defines `SoftphoneError` and its subclasses
//! (`ConfigError`, `CallError`, `RequestError`, `DeviceError`, `UnsupportedError`) and hands this module a
//! factory when it loads the WebAssembly, so `e instanceof CallError` holds for what a
//! method throws. Without the entry (the driver's own tests load the glue directly) the
//! same errors are plain `Error`s with the same `name`, `code` and fields.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    /// `(code, message, fields, kind) => Error`, from the package entry.
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by the package entry with its error factory:
/// `(code, message, fields, kind) => SoftphoneError` (`kind` is `'request'` for
/// MESSAGE and subscription errors). Not part of the public API.
#[wasm_bindgen(js_name = __setErrorFactory, skip_typescript)]
pub fn set_error_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// The `name` of the errors with `code`, as thrown without the package entry (and as the
/// entry's classes are named). `request`: thrown by MESSAGE and subscription methods,
/// whose codes overlap the call methods'.
fn name_of(code: &str, request: bool) -> &'static str {
    match code {
        _ if request => "SoftphoneRequestError",
        "invalidConfig" => "SoftphoneConfigError",
        "unsupported" => "NotSupportedError",
        "deviceFailed" => "SoftphoneDeviceError",
        _ => "SoftphoneCallError",
    }
}

/// An error with `code`, `message` and extra `fields` (`field` of a configuration error,
/// `browserError` of a device error: the browser's exception name).
pub(crate) fn error(code: &str, message: &str, fields: &[(&str, JsValue)]) -> JsValue {
    make(code, message, fields, false)
}

/// A `RequestError` (MESSAGE and subscriptions) with `code` and `message`.
pub(crate) fn request_error(code: &str, message: &str) -> JsValue {
    make(code, message, &[], true)
}

fn make(code: &str, message: &str, fields: &[(&str, JsValue)], request: bool) -> JsValue {
    let extra = Object::new();
    for (k, v) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&extra, &(*k).into(), v);
    }
    let made = FACTORY.with(|f| {
        f.borrow().as_ref().and_then(|f| {
            let kind = JsValue::from_str(if request { "request" } else { "" });
            let args = js_sys::Array::of4(&code.into(), &message.into(), &extra, &kind);
            f.apply(&JsValue::UNDEFINED, &args).ok()
        })
    });
    if let Some(made) = made.filter(|e| e.is_object()) {
        return made;
    }
    let err = js_sys::Error::new(message);
    err.set_name(name_of(code, request));
    let _ = Reflect::set(&err, &"code".into(), &code.into());
    let _ = Object::assign(&err, &extra);
    err.into()
}

/// `unsupported`: the browser lacks `what`.
pub(crate) fn unsupported(what: &str) -> JsValue {
    error(
        "unsupported",
        &format!("this browser does not support {what}"),
        &[("feature", what.into())],
    )
}

/// `deviceFailed`: a browser media call failed; `browserError` is its exception's name
/// (`NotFoundError`, `NotAllowedError` ...), never a message that could hold anything else.
pub(crate) fn device_failed(what: &str, exception: &JsValue) -> JsValue {
    let cause = super::error_name(exception);
    error(
        "deviceFailed",
        &format!("{what} failed: {cause}"),
        &[("browserError", cause.into())],
    )
}
