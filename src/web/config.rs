//! The JavaScript configuration object: read with serde-wasm-bindgen, checked, and
//! turned into the core's [`Config`].
//!
//! Every error becomes a JavaScript `Error` whose message and `field` property name the
//! offending field, as the application wrote it (`servers[1].uri`, `registerExpires`).
//! Unknown fields are rejected so that a typo is not silently ignored.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

use super::clock::random_uuid;
use super::ice_servers::IceServersProvider;
use super::log::LogFilter;
use super::media::{IceServerSpec, MediaSettings};
use super::INSTANCE_ID_STORAGE_KEY;
use crate::core::{Config, ConfigError, ServerConfig};
use crate::sip::Secret;

/// The configuration as the application writes it (see `SoftphoneConfig` in the
/// TypeScript declarations). No `Debug`: it holds the password.
#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a configuration object"
)]
struct JsConfig {
    servers: Servers,
    uri: String,
    password: Option<Password>,
    authorization_user: Option<String>,
    display_name: Option<String>,
    register: Option<bool>,
    register_expires: Option<u32>,
    instance_id: Option<String>,
    keepalive_interval: Option<Seconds>,
    keepalive_timeout: Option<Seconds>,
    connect_timeout: Option<Seconds>,
    reconnect: Option<Reconnect>,
    log_level: Option<LogFilter>,
    user_agent: Option<String>,
    ice_servers: Option<Vec<IceServer>>,
    ice_servers_url: Option<String>,
    ice_transport_policy: Option<IcePolicy>,
    ice_gathering_timeout: Option<Seconds>,
    ice_disconnected_grace: Option<Seconds>,
    ice_recovery_limit: Option<Seconds>,
    session_expires: Option<u32>,
    no_answer_timeout: Option<Seconds>,
    /// Gather ICE candidates before the user dials (default `true`).
    prewarm: Option<bool>,
}

/// One entry of `iceServers`, as `RTCIceServer` has it.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an object { urls, username?, credential? }"
)]
struct IceServer {
    urls: Urls,
    username: Option<String>,
    credential: Option<Password>,
}

/// `urls`: one URL or several.
#[derive(Deserialize)]
#[serde(untagged, expecting = "a URL or an array of URLs")]
enum Urls {
    One(String),
    Many(Vec<String>),
}

/// `iceTransportPolicy`.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum IcePolicy {
    All,
    Relay,
}

/// `servers`: one URL, or a list of `{ uri, weight? }`.
enum Servers {
    One(String),
    Many(Vec<ServerEntry>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object { uri, weight? }")]
struct ServerEntry {
    uri: String,
    weight: Option<u32>,
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object { baseMs?, maxMs? }"
)]
struct Reconnect {
    base_ms: Option<u32>,
    max_ms: Option<u32>,
}

/// A password that never prints.
struct Password(Secret);

/// A non-negative, finite number of seconds (fractions allowed).
struct Seconds(Duration);

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Servers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a WebSocket URL or an array of { uri, weight? }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Servers, E> {
                Ok(Servers::One(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Servers, E> {
                Ok(Servers::One(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Servers, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = seq.next_element::<ServerEntry>()? {
                    out.push(entry);
                }
                Ok(Servers::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde's type error would quote a numeric password; say only what is wrong.
        String::deserialize(d)
            .map(|s| Password(Secret::new(s)))
            .map_err(|_| de::Error::custom("must be a string"))
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if !(0.0..=86_400.0).contains(&v) {
            return Err(de::Error::custom(format!(
                "must be a number of seconds between 0 and 86400, not {v}"
            )));
        }
        Ok(Seconds(Duration::from_secs_f64(v)))
    }
}

/// What the driver needs from the configuration.
pub(crate) struct Settings {
    /// The core's configuration, validated.
    pub(crate) core: Config,
    /// Which log lines reach the console and `log` handlers.
    pub(crate) log_filter: LogFilter,
    /// How calls' peer connections are configured.
    pub(crate) media: MediaSettings,
}

/// Reads and validates the application's configuration object.
///
/// # Errors
/// A JavaScript `Error` naming the first bad field (also in its `field` property).
pub(crate) fn parse(value: JsValue) -> Result<Settings, JsValue> {
    check_unknown_keys(&value)?;
    let de = serde_wasm_bindgen::Deserializer::from(value);
    let js: JsConfig = serde_path_to_error::deserialize(de).map_err(serde_error)?;

    let servers = match js.servers {
        Servers::One(url) => vec![ServerConfig { url, weight: 0 }],
        Servers::Many(list) => list
            .into_iter()
            .map(|s| ServerConfig {
                url: s.uri,
                weight: s.weight.unwrap_or(0),
            })
            .collect(),
    };
    let mut core = Config::new(js.uri, String::new());
    core.servers = servers;
    core.password = js.password.map(|p| p.0);
    core.auth_username = js.authorization_user;
    core.display_name = js.display_name;
    if let Some(register) = js.register {
        core.register = register;
    }
    if let Some(expires) = js.register_expires {
        core.register_expires = expires;
    }
    core.instance_id = Some(match js.instance_id {
        Some(id) => id,
        None => stored_instance_id()?,
    });
    if let Some(Seconds(d)) = js.keepalive_interval {
        core.keepalive_interval = d;
    }
    if let Some(Seconds(d)) = js.keepalive_timeout {
        core.keepalive_timeout = d;
    }
    if let Some(Seconds(d)) = js.connect_timeout {
        core.connect_timeout = d;
    }
    if let Some(r) = js.reconnect {
        if let Some(ms) = r.base_ms {
            core.reconnect_base = Duration::from_millis(ms.into());
        }
        if let Some(ms) = r.max_ms {
            core.reconnect_max = Duration::from_millis(ms.into());
        }
    }
    if let Some(ua) = js.user_agent {
        core.user_agent = ua;
    }
    let mut media = MediaSettings::default();
    if let Some(servers) = js.ice_servers {
        media.ice_servers = ice_servers(servers)?;
    }
    media.relay_only = js.ice_transport_policy == Some(IcePolicy::Relay);
    media.prewarm = js.prewarm.unwrap_or(true);
    if let Some(url) = js.ice_servers_url {
        // The endpoint is there to hand out TURN credentials: wait for a relay candidate
        // (bounded by iceGatheringTimeout) even before its first answer arrives.
        core.ice_has_turn = true;
        media.provider = Some(IceServersProvider::new(Vec::new(), Some(url)));
    }
    for server in &media.ice_servers {
        for url in &server.urls {
            core.ice_has_turn |= url.starts_with("turn:") || url.starts_with("turns:");
            core.ice_has_stun |= url.starts_with("stun:") || url.starts_with("stuns:");
        }
    }
    if let Some(Seconds(d)) = js.ice_gathering_timeout {
        core.ice_gathering_timeout = d;
    }
    if let Some(Seconds(d)) = js.ice_disconnected_grace {
        core.ice_disconnected_grace = d;
    }
    if let Some(Seconds(d)) = js.ice_recovery_limit {
        core.ice_recovery_limit = d;
    }
    if let Some(s) = js.session_expires {
        core.session_expires = s;
    }
    if let Some(Seconds(d)) = js.no_answer_timeout {
        core.no_answer_timeout = d;
    }
    let log_filter = js.log_level.unwrap_or(LogFilter::Warn);
    core.log_level = log_filter.core_level();
    core.validate().map_err(core_error)?;
    Ok(Settings {
        core,
        log_filter,
        media,
    })
}

/// Checks the URLs of `iceServers` and keeps them for the peer connections.
fn ice_servers(list: Vec<IceServer>) -> Result<Vec<IceServerSpec>, JsValue> {
    let mut out = Vec::with_capacity(list.len());
    for (i, server) in list.into_iter().enumerate() {
        let urls = match server.urls {
            Urls::One(url) => vec![url],
            Urls::Many(urls) => urls,
        };
        let field = format!("iceServers[{i}].urls");
        if urls.is_empty() {
            return Err(config_error(
                &field,
                &format!("invalid config: {field}: is empty"),
            ));
        }
        for url in &urls {
            let known = ["stun:", "stuns:", "turn:", "turns:"]
                .iter()
                .any(|p| url.starts_with(p));
            if !known || url.contains(['\r', '\n', '\0', ' ']) {
                let message = format!(
                    "invalid config: {field}: {url:?} must start with stun:, stuns:, turn: or turns:"
                );
                return Err(config_error(&field, &message));
            }
        }
        out.push(IceServerSpec {
            urls,
            username: server.username,
            credential: server.credential.map(|p| p.0),
        });
    }
    Ok(out)
}

/// Turns the core's validation error into a JavaScript `Error`; the core names
/// fields as the JavaScript configuration does.
pub(crate) fn core_error(e: ConfigError) -> JsValue {
    config_error(
        e.field,
        &format!("invalid config: {}: {}", e.field, e.reason),
    )
}

fn serde_error(e: serde_path_to_error::Error<serde_wasm_bindgen::Error>) -> JsValue {
    let path = e.path().to_string();
    let inner = e.inner().to_string();
    // serde-wasm-bindgen errors print as JavaScript errors do.
    let inner = inner.strip_prefix("Error: ").unwrap_or(&inner).to_owned();
    // serde names a missing or unknown key in its message, not in the path.
    let key = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| inner.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    let field = match (path.as_str(), key) {
        (".", Some(k)) => k.to_owned(),
        (p, Some(k)) if !p.ends_with(k) => format!("{p}.{k}"),
        (".", None) => String::new(),
        (p, _) => p.to_owned(),
    };
    let message = if field.is_empty() || path == "." {
        format!("invalid config: {inner}")
    } else {
        format!("invalid config: {field}: {inner}")
    };
    config_error(&field, &message)
}

fn config_error(field: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("SoftphoneConfigError");
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&err, &"field".into(), &field.into());
    err.into()
}

/// The keys of [`JsConfig`], [`ServerEntry`] and [`Reconnect`] as JavaScript spells them.
const CONFIG_KEYS: &[&str] = &[
    "servers",
    "uri",
    "password",
    "authorizationUser",
    "displayName",
    "register",
    "registerExpires",
    "instanceId",
    "keepaliveInterval",
    "keepaliveTimeout",
    "connectTimeout",
    "reconnect",
    "logLevel",
    "userAgent",
    "iceServers",
    "iceServersUrl",
    "iceTransportPolicy",
    "iceGatheringTimeout",
    "iceDisconnectedGrace",
    "iceRecoveryLimit",
    "sessionExpires",
    "noAnswerTimeout",
    "prewarm",
];
const ICE_SERVER_KEYS: &[&str] = &["urls", "username", "credential"];
const SERVER_KEYS: &[&str] = &["uri", "weight"];
const RECONNECT_KEYS: &[&str] = &["baseMs", "maxMs"];

/// Rejects keys the configuration does not know (a typo such as `regiserExpires`).
/// serde-wasm-bindgen reads only the fields a struct declares, so serde's
/// `deny_unknown_fields` never sees the others; this looks at the object itself.
fn check_unknown_keys(value: &JsValue) -> Result<(), JsValue> {
    fn check(value: &JsValue, path: &str, allowed: &[&str]) -> Result<(), JsValue> {
        if !value.is_object() || js_sys::Array::is_array(value) {
            return Ok(()); // serde reports the wrong type
        }
        for key in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                let field = format!("{path}{key}");
                let message = format!(
                    "invalid config: {field}: unknown field `{key}`, expected one of {}",
                    allowed.join(", ")
                );
                return Err(config_error(&field, &message));
            }
        }
        Ok(())
    }
    check(value, "", CONFIG_KEYS)?;
    let get = |k: &str| js_sys::Reflect::get(value, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let servers = get("servers");
    if js_sys::Array::is_array(&servers) {
        let list: &js_sys::Array = servers.unchecked_ref();
        for (i, entry) in list.iter().enumerate() {
            check(&entry, &format!("servers[{i}]."), SERVER_KEYS)?;
        }
    }
    let ice = get("iceServers");
    if js_sys::Array::is_array(&ice) {
        let list: &js_sys::Array = ice.unchecked_ref();
        for (i, entry) in list.iter().enumerate() {
            check(&entry, &format!("iceServers[{i}]."), ICE_SERVER_KEYS)?;
        }
    }
    check(&get("reconnect"), "reconnect.", RECONNECT_KEYS)
}

/// Returns the instance id kept in `sessionStorage`, making and storing one on first use.
///
/// `sessionStorage` belongs to one tab and survives its reloads. `localStorage` would
/// give every tab of the origin the same `+sip.instance` and `reg-id`, and by RFC 5626
/// each tab's REGISTER would replace the other's binding: only the last tab would get
/// calls. Without storage (a worker, storage disabled), a fresh id is used.
fn stored_instance_id() -> Result<String, JsValue> {
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    if let Some(storage) = &storage {
        if let Ok(Some(id)) = storage.get_item(INSTANCE_ID_STORAGE_KEY) {
            if looks_like_uuid(&id) {
                return Ok(id);
            }
        }
    }
    let id = random_uuid()?;
    if let Some(storage) = &storage {
        // A full or disabled storage only costs the id's stability.
        let _ = storage.set_item(INSTANCE_ID_STORAGE_KEY, &id);
    }
    Ok(id)
}

/// Whether a stored value is still a UUID (storage is shared with other scripts).
fn looks_like_uuid(s: &str) -> bool {
    let lens = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == lens.len()
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
