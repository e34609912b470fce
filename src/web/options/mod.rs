//! Reading the JavaScript options of the parity features (issue 14): extra headers,
//! how a call ends (status, reason phrase, `Reason`), DTMF timing, INFO, credentials.
//! Each reader checks the shape only (types, known keys); the core checks the values
//! (header names, what the stack owns, ranges), so the rules live in one place.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::{
    CallError, CallOptions, Credential, DtmfMode, DtmfOptions, EndOptions, ReasonHeader,
    ReasonProtocol,
};
use crate::sip::Secret;

fn invalid(why: impl Into<String>) -> CallError {
    CallError::InvalidValue(why.into())
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Fails on a key of `object` outside `known`.
pub(crate) fn known_keys(object: &JsValue, known: &[&str], what: &str) -> Result<(), CallError> {
    if !object.is_object() || Array::is_array(object) {
        return Err(invalid(format!("{what} must be an object")));
    }
    for key in Object::keys(object.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(invalid(format!(
                "unknown option `{key}` in {what}, expected one of {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// Whether `options` is absent (`undefined` or `null`).
fn absent(options: &JsValue) -> bool {
    options.is_undefined() || options.is_null()
}

/// Reads headers given as `Record<string, string>` or as `[name, value][]` (which keeps
/// the order and allows a name twice). `field` names them in errors.
pub(crate) fn headers(value: &JsValue, field: &str) -> Result<Vec<(String, String)>, CallError> {
    if absent(value) {
        return Ok(Vec::new());
    }
    let entries: Array = if Array::is_array(value) {
        value.clone().unchecked_into()
    } else if value.is_object() {
        Object::entries(value.unchecked_ref::<Object>())
    } else {
        return Err(invalid(format!(
            "{field} must be an object of strings or an array of [name, value]"
        )));
    };
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let pair = entry
            .dyn_ref::<Array>()
            .filter(|p| p.length() == 2)
            .ok_or_else(|| invalid(format!("{field}[{i}] must be [name, value]")))?;
        let name = pair
            .get(0)
            .as_string()
            .ok_or_else(|| invalid(format!("{field}[{i}]: the name must be a string")))?;
        let value = pair
            .get(1)
            .as_string()
            .ok_or_else(|| invalid(format!("{field}.{name} must be a string")))?;
        out.push((name, value));
    }
    Ok(out)
}

/// Reads `{ headers? }` (the options of hold, resume, transfer).
pub(crate) fn headers_only(
    options: &JsValue,
    what: &str,
) -> Result<Vec<(String, String)>, CallError> {
    if absent(options) {
        return Ok(Vec::new());
    }
    known_keys(options, &["headers"], what)?;
    headers(&get(options, "headers"), "options.headers")
}

/// The parity keys of `phone.call()`'s options: `anonymous` and `displayName`.
pub(crate) const CALL_KEYS: &[&str] = &["anonymous", "displayName"];

/// Reads `anonymous?: boolean` and `displayName?: string` into `out`.
pub(crate) fn call_parity(options: &JsValue, out: &mut CallOptions) -> Result<(), CallError> {
    let anonymous = get(options, "anonymous");
    if !anonymous.is_undefined() {
        out.anonymous = anonymous
            .as_bool()
            .ok_or_else(|| invalid("options.anonymous must be a boolean"))?;
    }
    let name = get(options, "displayName");
    if !name.is_undefined() {
        out.display_name = Some(
            name.as_string()
                .ok_or_else(|| invalid("options.displayName must be a string"))?,
        );
    }
    Ok(())
}

/// Reads how a call ends: a status number (reject), or `{ status?, reasonPhrase?,
/// reason?: { protocol: 'SIP' | 'Q.850', cause, text? }, headers? }`.
pub(crate) fn end_options(options: &JsValue) -> Result<EndOptions, CallError> {
    let mut out = EndOptions::default();
    if absent(options) {
        return Ok(out);
    }
    if let Some(status) = options.as_f64() {
        out.status = Some(status_number(status)?);
        return Ok(out);
    }
    known_keys(
        options,
        &["status", "reasonPhrase", "reason", "headers"],
        "the options",
    )?;
    let status = get(options, "status");
    if !status.is_undefined() {
        let n = status
            .as_f64()
            .ok_or_else(|| invalid("options.status must be a number"))?;
        out.status = Some(status_number(n)?);
    }
    let phrase = get(options, "reasonPhrase");
    if !phrase.is_undefined() {
        out.reason_phrase = Some(
            phrase
                .as_string()
                .ok_or_else(|| invalid("options.reasonPhrase must be a string"))?,
        );
    }
    let reason = get(options, "reason");
    if !reason.is_undefined() {
        out.reason = Some(reason_header(&reason)?);
    }
    out.headers = headers(&get(options, "headers"), "options.headers")?;
    Ok(out)
}

fn status_number(n: f64) -> Result<u16, CallError> {
    if n.fract() == 0.0 && (100.0..=699.0).contains(&n) {
        Ok(n as u16)
    } else {
        Err(invalid("the status must be an integer 300-699"))
    }
}

fn reason_header(value: &JsValue) -> Result<ReasonHeader, CallError> {
    known_keys(value, &["protocol", "cause", "text"], "options.reason")?;
    let protocol = match get(value, "protocol").as_string().as_deref() {
        Some("SIP") | None => ReasonProtocol::Sip,
        Some("Q.850") => ReasonProtocol::Q850,
        Some(other) => {
            return Err(invalid(format!(
                "options.reason.protocol must be 'SIP' or 'Q.850', not {other:?}"
            )))
        }
    };
    let cause = get(value, "cause")
        .as_f64()
        .filter(|c| c.fract() == 0.0 && (0.0..=699.0).contains(c))
        .ok_or_else(|| invalid("options.reason.cause must be an integer"))? as u16;
    let text = get(value, "text");
    let text = if text.is_undefined() {
        None
    } else {
        Some(
            text.as_string()
                .ok_or_else(|| invalid("options.reason.text must be a string"))?,
        )
    };
    Ok(ReasonHeader {
        protocol,
        cause,
        text,
    })
}

/// Reads `{ mode?: 'rfc4733' | 'info', duration?: ms, interToneGap?: ms }`.
pub(crate) fn dtmf_options(options: &JsValue) -> Result<DtmfOptions, CallError> {
    let mut out = DtmfOptions::default();
    if absent(options) {
        return Ok(out);
    }
    known_keys(
        options,
        &["mode", "duration", "interToneGap"],
        "the options",
    )?;
    let mode = get(options, "mode");
    if !mode.is_undefined() {
        out.mode = match mode.as_string().as_deref() {
            Some("rfc4733") => DtmfMode::Rfc4733,
            Some("info") => DtmfMode::Info,
            _ => return Err(invalid("options.mode must be 'rfc4733' or 'info'")),
        };
    }
    let ms = |key: &str| -> Result<Option<u32>, CallError> {
        let v = get(options, key);
        if v.is_undefined() {
            return Ok(None);
        }
        v.as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 60_000.0)
            .map(|n| Some(n as u32))
            .ok_or_else(|| invalid(format!("options.{key} must be a whole number of ms")))
    };
    if let Some(d) = ms("duration")? {
        out.duration_ms = d;
    }
    if let Some(g) = ms("interToneGap")? {
        out.gap_ms = g;
    }
    Ok(out)
}

/// Reads `setCredentials({ password } | { ha1 }, authUser?)` as one object
/// `{ password?, ha1?, authUser? }`: exactly one of `password` and `ha1`.
pub(crate) fn credentials(value: &JsValue) -> Result<(Credential, Option<String>), CallError> {
    known_keys(value, &["password", "ha1", "authUser"], "the credentials")?;
    let text = |key: &str| -> Result<Option<String>, CallError> {
        let v = get(value, key);
        if v.is_undefined() {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| invalid(format!("{key} must be a string")))
    };
    let credential = match (text("password")?, text("ha1")?) {
        (Some(p), None) => Credential::Password(Secret::new(p)),
        (None, Some(h)) => Credential::Ha1(Secret::new(h)),
        _ => return Err(invalid("give exactly one of password and ha1")),
    };
    Ok((credential, text("authUser")?))
}
