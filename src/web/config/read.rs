//! Typed reads of the fields of one JavaScript object of the configuration.
//!
//! Written by hand rather than with serde: serde, serde-wasm-bindgen and
//! serde_path_to_error cost about 70 kB of wasm (their deserializers and the float
//! formatter their error messages pull in), more than the rest of the driver. Every
//! error names the field as the application wrote it (`servers[1].uri`) and never quotes
//! a value that might be a secret.

use std::time::Duration;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::web::number_text;

/// One object of the configuration, and the path that names it in errors (`""` for the
/// root, `servers[0]`, `reconnect`).
pub(super) struct Fields<'a> {
    value: &'a JsValue,
    path: String,
}

impl<'a> Fields<'a> {
    /// Reads `value` as a plain object (`what` describes it in the error) that holds no
    /// key but `allowed`, so that a typo such as `regiserExpires` is not silently ignored.
    ///
    /// # Errors
    /// A `SoftphoneConfigError` naming the object, or the first unknown key.
    pub(super) fn new(
        value: &'a JsValue,
        path: String,
        what: &str,
        allowed: &[&str],
    ) -> Result<Fields<'a>, JsValue> {
        if !value.is_object() || Array::is_array(value) {
            return Err(type_error(&path, what, value));
        }
        for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                let reason = format!(
                    "unknown field `{key}`, expected one of {}",
                    allowed.join(", ")
                );
                return Err(config_error(&join(&path, &key), &reason));
            }
        }
        Ok(Fields { value, path })
    }

    /// The name of the field `key` in errors.
    pub(super) fn name(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of `key`; `None` when it is absent, `undefined` or `null`.
    pub(super) fn get(&self, key: &str) -> Option<JsValue> {
        let v = Reflect::get(self.value, &key.into()).unwrap_or(JsValue::UNDEFINED);
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    /// A field that must be present.
    ///
    /// # Errors
    /// When it is absent.
    pub(super) fn required(&self, key: &str) -> Result<JsValue, JsValue> {
        self.get(key)
            .ok_or_else(|| config_error(&self.name(key), "is required"))
    }

    /// An optional string.
    ///
    /// # Errors
    /// When the value is not a string (the value itself is not quoted: it may be a password).
    pub(super) fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        self.get(key)
            .map(|v| string(&v, &self.name(key)))
            .transpose()
    }

    /// An optional boolean.
    ///
    /// # Errors
    /// When the value is not a boolean.
    pub(super) fn boolean(&self, key: &str) -> Result<Option<bool>, JsValue> {
        self.get(key)
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| type_error(&self.name(key), "a boolean", &v))
            })
            .transpose()
    }

    /// An optional whole number that fits in 32 bits.
    ///
    /// # Errors
    /// When the value is not a number, has a fraction or is out of range.
    pub(super) fn uint(&self, key: &str) -> Result<Option<u32>, JsValue> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
                Ok(Some(n as u32))
            }
            Some(_) => Err(config_error(
                &self.name(key),
                "must be a whole number from 0 to 4294967295",
            )),
            None => Err(type_error(&self.name(key), "a whole number", &v)),
        }
    }

    /// An optional, non-negative, finite number of seconds (fractions allowed), at most a day.
    ///
    /// # Errors
    /// When the value is not a number or is out of range.
    pub(super) fn seconds(&self, key: &str) -> Result<Option<Duration>, JsValue> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.as_f64() {
            Some(n) if (0.0..=86_400.0).contains(&n) => {
                // Rounded to the nearest ns (0.3 s is 300 ms, not 299.999999): at most
                // 8.64e13 ns, exact in an f64 and far inside a u64. Smaller wasm than
                // Duration::from_secs_f64, whose range checks the guard above repeats.
                Ok(Some(Duration::from_nanos((n * 1e9 + 0.5) as u64)))
            }
            Some(n) => {
                let reason = format!(
                    "must be a number of seconds between 0 and 86400, not {}",
                    number_text(n)
                );
                Err(config_error(&self.name(key), &reason))
            }
            None => Err(type_error(&self.name(key), "a number of seconds", &v)),
        }
    }

    /// An optional string out of `names`; returns its index.
    ///
    /// # Errors
    /// When the value is not one of `names`.
    pub(super) fn choice(&self, key: &str, names: &[&str]) -> Result<Option<usize>, JsValue> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let name = self.name(key);
        let text = string(&v, &name)?;
        names
            .iter()
            .position(|n| *n == text)
            .map(Some)
            .ok_or_else(|| {
                let reason = format!("must be one of '{}'", names.join("', '"));
                config_error(&name, &reason)
            })
    }

    /// An optional array; each element is given with the name of its field (`iceServers[2]`).
    ///
    /// # Errors
    /// When the value is not an array (`what` describes one), or the first error of `each`.
    pub(super) fn array<T>(
        &self,
        key: &str,
        what: &str,
        mut each: impl FnMut(&JsValue, String) -> Result<T, JsValue>,
    ) -> Result<Option<Vec<T>>, JsValue> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let name = self.name(key);
        elements(&v, &name, what, |e, field| each(e, field)).map(Some)
    }
}

/// Reads every element of an array, each with the name of its field (`urls[1]`).
///
/// # Errors
/// When `value` is not an array (`what` describes one), or the first error of `each`.
pub(super) fn elements<T>(
    value: &JsValue,
    name: &str,
    what: &str,
    mut each: impl FnMut(&JsValue, String) -> Result<T, JsValue>,
) -> Result<Vec<T>, JsValue> {
    if !Array::is_array(value) {
        return Err(type_error(name, what, value));
    }
    let list: &Array = value.unchecked_ref();
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, e) in list.iter().enumerate() {
        out.push(each(&e, format!("{name}[{i}]"))?);
    }
    Ok(out)
}

/// A string.
///
/// # Errors
/// When the value is not a string; the value is not quoted.
pub(super) fn string(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| type_error(name, "a string", value))
}

/// `must be <what>, not <the JavaScript type of value>`: the value itself is never quoted.
pub(super) fn type_error(name: &str, what: &str, value: &JsValue) -> JsValue {
    let got = if Array::is_array(value) {
        "an array".to_owned()
    } else if value.is_null() {
        "null".to_owned()
    } else {
        let t = value.js_typeof().as_string().unwrap_or_default();
        let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {t}")
    };
    config_error(name, &format!("must be {what}, not {got}"))
}

/// A JavaScript `Error` named `SoftphoneConfigError`: `invalid config: <field>: <reason>`,
/// with the field also in its `field` property (empty for the configuration itself).
pub(crate) fn config_error(field: &str, reason: &str) -> JsValue {
    let message = if field.is_empty() {
        format!("invalid config: {reason}")
    } else {
        format!("invalid config: {field}: {reason}")
    };
    crate::web::errors::error("invalidConfig", &message, &[("field", field.into())])
}

/// `path.key`, or `key` at the root.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}
