//! The JavaScript configuration object: read field by field (see [`read`]), checked,
//! and turned into the core's [`Config`].
//!
//! Every error becomes a JavaScript `Error` whose message and `field` property name the
//! offending field, as the application wrote it (`servers[1].uri`, `registerExpires`).
//! Unknown fields are rejected so that a typo is not silently ignored.

mod read;

use std::time::Duration;

use wasm_bindgen::JsValue;

use self::read::{config_error, elements, string, type_error, Fields};
use super::clock::random_uuid;
use super::ice_servers::IceServersProvider;
use super::log::LogFilter;
use super::media::{IceServerSpec, MediaSettings};
use super::INSTANCE_ID_STORAGE_KEY;
use crate::core::{Config, ConfigError, ServerConfig};
use crate::sip::Secret;

/// What the driver needs from the configuration.
pub(crate) struct Settings {
    /// The core's configuration, validated.
    pub(crate) core: Config,
    /// Which log lines reach the console and `log` handlers.
    pub(crate) log_filter: LogFilter,
    /// How calls' peer connections are configured.
    pub(crate) media: MediaSettings,
}

/// The keys of the configuration object (`SoftphoneConfig`) as JavaScript spells them.
const CONFIG_KEYS: &[&str] = &[
    "servers",
    "uri",
    "password",
    "ha1",
    "authorizationUser",
    "registerHeaders",
    "infoContentTypes",
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
    "mediaWatchdog",
    "sessionExpires",
    "noAnswerTimeout",
    "prewarm",
    "messageAccept",
    "messageMaxBytes",
    "subscribeRate",
    "subscribeExpires",
];
const ICE_SERVER_KEYS: &[&str] = &["urls", "username", "credential"];
const SERVER_KEYS: &[&str] = &["uri", "weight"];
const RECONNECT_KEYS: &[&str] = &["baseMs", "maxMs"];
const WATCHDOG_KEYS: &[&str] = &[
    "enabled",
    "startTimeout",
    "stallTimeout",
    "restartWait",
    "restarts",
];
/// `iceTransportPolicy`: `relay` sends media only through TURN.
const ICE_POLICIES: &[&str] = &["all", "relay"];

/// Reads and validates the application's configuration object.
///
/// # Errors
/// A JavaScript `Error` naming the first bad field (also in its `field` property).
pub(crate) fn parse(value: JsValue) -> Result<Settings, JsValue> {
    let js = Fields::new(&value, String::new(), "a configuration object", CONFIG_KEYS)?;

    let servers = js.required("servers")?;
    let servers = match servers.as_string() {
        Some(url) => vec![ServerConfig { url, weight: 0 }],
        None => elements(
            &servers,
            "servers",
            "a WebSocket URL or an array of { uri, weight? }",
            server_entry,
        )?,
    };
    let uri = string(&js.required("uri")?, "uri")?;
    let mut core = Config::new(uri, String::new());
    core.servers = servers;
    core.password = js.string("password")?.map(Secret::new);
    core.ha1 = js.string("ha1")?.map(Secret::new);
    if let Some(headers) = js.get("registerHeaders") {
        core.register_headers = super::options::headers(&headers, "registerHeaders")
            .map_err(|e| config_error("registerHeaders", &e.to_string()))?;
    }
    if let Some(types) = js.array(
        "infoContentTypes",
        "an array of content types",
        |v, name| string(v, &name),
    )? {
        core.info_content_types = types;
    }
    core.auth_username = js.string("authorizationUser")?;
    core.display_name = js.string("displayName")?;
    if let Some(register) = js.boolean("register")? {
        core.register = register;
    }
    if let Some(expires) = js.uint("registerExpires")? {
        core.register_expires = expires;
    }
    let instance_id = js.string("instanceId")?;
    set(
        &mut core.keepalive_interval,
        js.seconds("keepaliveInterval")?,
    );
    set(&mut core.keepalive_timeout, js.seconds("keepaliveTimeout")?);
    set(&mut core.connect_timeout, js.seconds("connectTimeout")?);
    if let Some(r) = js.get("reconnect") {
        let r = Fields::new(
            &r,
            js.name("reconnect"),
            "an object { baseMs?, maxMs? }",
            RECONNECT_KEYS,
        )?;
        if let Some(ms) = r.uint("baseMs")? {
            core.reconnect_base = Duration::from_millis(ms.into());
        }
        if let Some(ms) = r.uint("maxMs")? {
            core.reconnect_max = Duration::from_millis(ms.into());
        }
    }
    let log_filter = match js.choice("logLevel", LogFilter::NAMES)? {
        Some(i) => LogFilter::ALL[i],
        None => LogFilter::Warn,
    };
    if let Some(ua) = js.string("userAgent")? {
        core.user_agent = ua;
    }
    let mut media = MediaSettings::default();
    if let Some(servers) = js.array(
        "iceServers",
        "an array of { urls, username?, credential? }",
        ice_server,
    )? {
        media.ice_servers = servers;
    }
    if let Some(url) = js.string("iceServersUrl")? {
        // The endpoint is there to hand out TURN credentials: wait for a relay candidate
        // (bounded by iceGatheringTimeout) even before its first answer arrives.
        core.ice_has_turn = true;
        core.ice_servers_url = true;
        media.provider = Some(IceServersProvider::new(Vec::new(), Some(url)));
    }
    media.relay_only = js.choice("iceTransportPolicy", ICE_POLICIES)? == Some(1);
    for server in &media.ice_servers {
        for url in &server.urls {
            core.ice_has_turn |= url.starts_with("turn:") || url.starts_with("turns:");
            core.ice_has_stun |= url.starts_with("stun:") || url.starts_with("stuns:");
        }
    }
    set(
        &mut core.ice_gathering_timeout,
        js.seconds("iceGatheringTimeout")?,
    );
    set(
        &mut core.ice_disconnected_grace,
        js.seconds("iceDisconnectedGrace")?,
    );
    set(
        &mut core.ice_recovery_limit,
        js.seconds("iceRecoveryLimit")?,
    );
    if let Some(w) = js.get("mediaWatchdog") {
        let w = Fields::new(
            &w,
            js.name("mediaWatchdog"),
            "an object { enabled?, startTimeout?, stallTimeout?, restartWait?, restarts? }",
            WATCHDOG_KEYS,
        )?;
        let dog = &mut core.media_watchdog;
        if let Some(on) = w.boolean("enabled")? {
            dog.enabled = on;
        }
        set(&mut dog.start_timeout, w.seconds("startTimeout")?);
        set(&mut dog.stall_timeout, w.seconds("stallTimeout")?);
        set(&mut dog.restart_wait, w.seconds("restartWait")?);
        if let Some(n) = w.uint("restarts")? {
            dog.restarts = n;
        }
    }
    if let Some(s) = js.uint("sessionExpires")? {
        core.session_expires = s;
    }
    set(&mut core.no_answer_timeout, js.seconds("noAnswerTimeout")?);
    media.prewarm = js.boolean("prewarm")?.unwrap_or(true);
    core.prewarm = media.prewarm;
    if let Some(types) = js.array("messageAccept", "an array of media types", |v, f| {
        string(v, &f)
    })? {
        core.message_accept = types;
    }
    if let Some(max) = js.uint("messageMaxBytes")? {
        core.message_max_bytes = max as usize;
    }
    if let Some(rate) = js.uint("subscribeRate")? {
        core.subscribe_rate = rate;
    }
    if let Some(expires) = js.uint("subscribeExpires")? {
        core.subscribe_expires = expires;
    }

    core.instance_id = Some(match instance_id {
        Some(id) => id,
        None => stored_instance_id()?,
    });
    core.log_level = log_filter.core_level();
    core.validate().map_err(core_error)?;
    Ok(Settings {
        core,
        log_filter,
        media,
    })
}

/// Overwrites a default with the configured value, if any.
fn set(slot: &mut Duration, value: Option<Duration>) {
    if let Some(d) = value {
        *slot = d;
    }
}

/// One entry of `servers`: `{ uri, weight? }`.
fn server_entry(value: &JsValue, name: String) -> Result<ServerConfig, JsValue> {
    let entry = Fields::new(value, name, "an object { uri, weight? }", SERVER_KEYS)?;
    Ok(ServerConfig {
        url: string(&entry.required("uri")?, &entry.name("uri"))?,
        weight: entry.uint("weight")?.unwrap_or(0),
    })
}

/// One entry of `iceServers`, as `RTCIceServer` has it: its URLs are checked and kept
/// for the peer connections.
fn ice_server(value: &JsValue, name: String) -> Result<IceServerSpec, JsValue> {
    let server = Fields::new(
        value,
        name,
        "an object { urls, username?, credential? }",
        ICE_SERVER_KEYS,
    )?;
    let field = server.name("urls");
    let urls_value = server.required("urls")?;
    let urls = match urls_value.as_string() {
        Some(url) => vec![url],
        None if js_sys::Array::is_array(&urls_value) => {
            elements(&urls_value, &field, "", |v, n| string(v, &n))?
        }
        None => return Err(type_error(&field, "a URL or an array of URLs", &urls_value)),
    };
    if urls.is_empty() {
        return Err(config_error(&field, "is empty"));
    }
    for url in &urls {
        let known = ["stun:", "stuns:", "turn:", "turns:"]
            .iter()
            .any(|p| url.starts_with(p));
        if !known || url.contains(['\r', '\n', '\0', ' ']) {
            let reason = format!("{url:?} must start with stun:, stuns:, turn: or turns:");
            return Err(config_error(&field, &reason));
        }
    }
    Ok(IceServerSpec {
        urls,
        username: server.string("username")?,
        credential: server.string("credential")?.map(Secret::new),
    })
}

/// Turns the core's validation error into a JavaScript `Error`; the core names
/// fields as the JavaScript configuration does.
pub(crate) fn core_error(e: ConfigError) -> JsValue {
    config_error(e.field, &e.reason)
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
