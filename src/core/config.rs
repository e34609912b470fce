//! Configuration of the user agent, validated before anything is sent.

use std::fmt;
use std::time::Duration;

use super::LogLevel;
use crate::sip::{Secret, Uri};

/// One WebSocket server the user agent may connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// `wss://host[:port]/path`; `ws://` is accepted only for `localhost`, `127.0.0.1` and `[::1]`.
    pub url: String,
    /// Higher weights are tried first; servers of equal weight are tried in random order.
    pub weight: u32,
}

/// Everything the user agent needs to connect and register.
#[derive(Debug, Clone)]
pub struct Config {
    /// Servers to connect to, in any order (see [`ServerConfig::weight`]).
    pub servers: Vec<ServerConfig>,
    /// The address of record, `sip:alice@example.com`.
    pub aor: String,
    /// The display name put in From headers, if any.
    pub display_name: Option<String>,
    /// The digest username, when it differs from the user part of the AOR.
    pub auth_username: Option<String>,
    /// The digest password.
    pub password: Option<Secret>,
    /// Instead of the password: HA1 = MD5(user:realm:password), 32 hex digits.
    pub ha1: Option<Secret>,
    /// Extra headers for every REGISTER (checked as [`ExtraHeaders`](crate::core::ExtraHeaders)).
    pub register_headers: Vec<(String, String)>,
    /// The content types of incoming INFO the application takes (others get 415);
    /// empty takes any. DTMF INFO is always taken.
    pub info_content_types: Vec<String>,
    /// Whether to register at all.
    pub register: bool,
    /// Requested registration lifetime in seconds.
    pub register_expires: u32,
    /// A stable UUID identifying this device (RFC 5626 `+sip.instance`), without `urn:uuid:`.
    pub instance_id: Option<String>,
    /// The RFC 5626 `reg-id` of the flow.
    pub reg_id: u32,
    /// The `User-Agent` header value.
    pub user_agent: String,
    /// Interval between double-CRLF keepalive pings; zero disables them.
    pub keepalive_interval: Duration,
    /// How long to wait for the CRLF pong before the flow is declared dead.
    pub keepalive_timeout: Duration,
    /// How long a WebSocket may take to open.
    pub connect_timeout: Duration,
    /// Backoff of the first reconnect attempt (jittered down to half of it).
    pub reconnect_base: Duration,
    /// The longest backoff between reconnect attempts.
    pub reconnect_max: Duration,
    /// RFC 3261 Timer F (and B): how long a client transaction waits for a final response.
    pub transaction_timeout: Duration,
    /// TURN servers are configured: an offer waits for a relay candidate (or the deadline).
    pub ice_has_turn: bool,
    /// STUN servers are configured: without TURN, an offer waits for a server-reflexive candidate.
    pub ice_has_stun: bool,
    /// An `iceServersUrl` is configured: the core schedules its fetches and refreshes
    /// (`Output::IceServers`, see `core::ice_refresh`).
    pub ice_servers_url: bool,
    /// The longest an offer or answer waits for good-enough ICE candidates.
    pub ice_gathering_timeout: Duration,
    /// How long a call's ICE may stay `disconnected` before it is restarted.
    pub ice_disconnected_grace: Duration,
    /// How long a call tries to recover its media (ICE restarts) before it ends.
    pub ice_recovery_limit: Duration,
    /// The media watchdog's timings (see `core::call` and `docs/connectivity.md`).
    pub media_watchdog: WatchdogConfig,
    /// RFC 4028 session interval to ask for, in seconds; zero disables session timers.
    pub session_expires: u32,
    /// The smallest session interval accepted (Min-SE), in seconds; at least 90.
    pub min_se: u32,
    /// How long an incoming call rings before it is answered with 480.
    pub no_answer_timeout: Duration,
    /// Keep an idle peer connection gathering candidates for the next call (see
    /// `core::prewarm`); only with STUN or TURN servers (`ice_has_stun`/`ice_has_turn`).
    pub prewarm: bool,
    /// The most verbose log level the core formats ([`LogLevel::Trace`] logs whole
    /// messages, credentials redacted).
    pub log_level: LogLevel,
    /// Content types an incoming MESSAGE may carry (RFC 3428); others get `415` with
    /// these in `Accept`. Compared without parameters, case-insensitively.
    pub message_accept: Vec<String>,
    /// The largest incoming MESSAGE body accepted, in bytes; a larger one gets `413`.
    pub message_max_bytes: usize,
    /// How many SUBSCRIBEs that start a subscription may go out per second (a BLF
    /// panel of 100 lamps starts over 10 s at 10/s, so a PBX's flood limits hold).
    pub subscribe_rate: u32,
    /// Requested subscription lifetime in seconds (the notifier may grant less).
    pub subscribe_expires: u32,
}

impl Config {
    /// Makes a configuration with the default timers for `aor` and one server.
    pub fn new(aor: impl Into<String>, server_url: impl Into<String>) -> Self {
        Config {
            servers: vec![ServerConfig {
                url: server_url.into(),
                weight: 0,
            }],
            aor: aor.into(),
            display_name: None,
            auth_username: None,
            password: None,
            ha1: None,
            register_headers: Vec::new(),
            info_content_types: Vec::new(),
            register: true,
            register_expires: 600,
            instance_id: None,
            reg_id: 1,
            user_agent: concat!("softphone-core/", env!("CARGO_PKG_VERSION")).to_string(),
            keepalive_interval: Duration::from_secs(25),
            keepalive_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            reconnect_base: Duration::from_millis(1000),
            reconnect_max: Duration::from_secs(30),
            transaction_timeout: Duration::from_secs(32),
            ice_has_turn: false,
            ice_has_stun: false,
            ice_servers_url: false,
            ice_gathering_timeout: Duration::from_secs(2),
            ice_disconnected_grace: Duration::from_secs(2),
            ice_recovery_limit: Duration::from_secs(30),
            media_watchdog: WatchdogConfig::default(),
            session_expires: 1800,
            min_se: 90,
            no_answer_timeout: Duration::from_secs(60),
            prewarm: false,
            log_level: LogLevel::Info,
            message_accept: vec!["text/plain".to_string()],
            message_max_bytes: 65_536,
            subscribe_rate: 10,
            subscribe_expires: 600,
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// Returns a [`ConfigError`] naming the first field that is missing or malformed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.servers.is_empty() {
            return Err(ConfigError::new("servers", "at least one server is needed"));
        }
        for server in &self.servers {
            check_ws_url(&server.url).map_err(|reason| ConfigError::new("servers", reason))?;
        }
        check_text("uri", &self.aor)?;
        let aor = Uri::parse(&self.aor)
            .map_err(|e| ConfigError::new("uri", format!("not a SIP URI: {e}")))?;
        if !matches!(aor.scheme(), "sip" | "sips") || aor.user().is_none() {
            return Err(ConfigError::new("uri", "must look like sip:user@domain"));
        }
        if let Some(name) = &self.display_name {
            check_text("displayName", name)?;
        }
        if let Some(user) = &self.auth_username {
            check_text("authorizationUser", user)?;
            if user.is_empty() {
                return Err(ConfigError::new("authorizationUser", "is empty"));
            }
        }
        if let Some(ha1) = &self.ha1 {
            if self.password.is_some() {
                return Err(ConfigError::new(
                    "ha1",
                    "give either password or ha1, not both",
                ));
            }
            check_ha1(ha1).map_err(|why| ConfigError::new("ha1", why))?;
        }
        super::headers::ExtraHeaders::new(
            self.register_headers.clone(),
            super::headers::HeaderTarget::Register,
        )
        .map_err(|e| ConfigError::new("registerHeaders", e.to_string()))?;
        for t in &self.info_content_types {
            if !t.contains('/') || t.chars().any(|c| c.is_control() || c == ',') {
                return Err(ConfigError::new(
                    "infoContentTypes",
                    "each must look like type/subtype",
                ));
            }
        }
        if let Some(id) = &self.instance_id {
            if !is_uuid(id) {
                return Err(ConfigError::new(
                    "instanceId",
                    "must be a UUID like 8f7e...-....",
                ));
            }
        }
        if self.register && self.register_expires == 0 {
            return Err(ConfigError::new(
                "registerExpires",
                "must be at least 1 second",
            ));
        }
        check_text("userAgent", &self.user_agent)?;
        if !self.keepalive_interval.is_zero() && self.keepalive_timeout.is_zero() {
            return Err(ConfigError::new("keepaliveTimeout", "must be positive"));
        }
        if self.connect_timeout.is_zero() {
            return Err(ConfigError::new("connectTimeout", "must be positive"));
        }
        if self.reconnect_base.is_zero() || self.reconnect_max < self.reconnect_base {
            return Err(ConfigError::new(
                "reconnect",
                "base must be positive and not above max",
            ));
        }
        if self.session_expires != 0 && self.session_expires < 90 {
            return Err(ConfigError::new(
                "sessionExpires",
                "must be 0 (off) or at least 90 seconds",
            ));
        }
        if self.min_se < 90 {
            return Err(ConfigError::new(
                "minSe",
                "must be at least 90 seconds (RFC 4028)",
            ));
        }
        if self.ice_recovery_limit.is_zero() {
            return Err(ConfigError::new("iceRecoveryLimit", "must be positive"));
        }
        self.media_watchdog.validate()?;
        if self.no_answer_timeout.is_zero() {
            return Err(ConfigError::new("noAnswerTimeout", "must be positive"));
        }
        if self.transaction_timeout.is_zero() {
            return Err(ConfigError::new("transactionTimeout", "must be positive"));
        }
        for accept in &self.message_accept {
            check_text("messageAccept", accept)?;
            if !accept.contains('/') || accept.contains([',', ';', ' ']) {
                return Err(ConfigError::new(
                    "messageAccept",
                    "each entry must be a media type like text/plain",
                ));
            }
        }
        if self.subscribe_rate == 0 {
            return Err(ConfigError::new(
                "subscribeRate",
                "must be at least 1 per second",
            ));
        }
        if self.subscribe_expires < 60 {
            return Err(ConfigError::new(
                "subscribeExpires",
                "must be at least 60 seconds",
            ));
        }
        Ok(())
    }
}

/// The media watchdog: how often a call's media is sampled, how long silence is
/// allowed, and how recovery escalates (see `docs/connectivity.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchdogConfig {
    /// Watch calls' media at all. Off, calls are sampled for quality only and recover
    /// on ICE states alone.
    pub enabled: bool,
    /// How often the driver samples a call's media (`getStats()`).
    pub sample_interval: Duration,
    /// Media never started: no inbound audio (or DTLS not connected) this long after
    /// the answer.
    pub start_timeout: Duration,
    /// Media stopped: no inbound audio for this long after it flowed.
    pub stall_timeout: Duration,
    /// How long the first ICE restart has to bring audio back; each next one gets
    /// twice as long.
    pub restart_wait: Duration,
    /// ICE restarts (the second one relay-only, when that can help) before the call
    /// ends with `EndCause::NoMedia`.
    pub restarts: u32,
}

impl Default for WatchdogConfig {
    fn default() -> Self {
        WatchdogConfig {
            enabled: true,
            sample_interval: Duration::from_secs(1),
            start_timeout: Duration::from_secs(3),
            stall_timeout: Duration::from_secs(3),
            restart_wait: Duration::from_secs(4),
            restarts: 3,
        }
    }
}

impl WatchdogConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let field = "mediaWatchdog";
        if self.sample_interval < Duration::from_millis(100) {
            return Err(ConfigError::new(
                field,
                "sampleInterval must be at least 100 ms",
            ));
        }
        if self.start_timeout < self.sample_interval || self.stall_timeout < self.sample_interval {
            return Err(ConfigError::new(
                field,
                "startTimeout and stallTimeout must not be shorter than sampleInterval",
            ));
        }
        if self.restart_wait < self.sample_interval {
            return Err(ConfigError::new(
                field,
                "restartWait must not be shorter than sampleInterval",
            ));
        }
        if self.restarts == 0 || self.restarts > 10 {
            return Err(ConfigError::new(field, "restarts must be 1-10"));
        }
        Ok(())
    }
}

/// Checks an HA1: 32 hex digits (an MD5).
pub(crate) fn check_ha1(ha1: &Secret) -> Result<(), &'static str> {
    let h = ha1.expose();
    if h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err("must be 32 hex digits: MD5(user:realm:password)")
    }
}

/// A configuration field that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The field, named as in the JavaScript configuration object (`uri` for the AOR).
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            field,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid config: {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ConfigError {}

fn check_text(field: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(ConfigError::new(field, "contains CR, LF or NUL"));
    }
    Ok(())
}

/// Accepts `wss://` anywhere and `ws://` only on the local machine.
fn check_ws_url(url: &str) -> Result<(), String> {
    if url.contains(['\r', '\n', '\0', ' ']) {
        return Err(format!("{url:?} contains whitespace or control characters"));
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("wss://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("ws://") {
        (false, rest)
    } else {
        return Err(format!(
            "{url:?} must start with wss:// (or ws:// on localhost)"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    if !secure && !matches!(host, "localhost" | "127.0.0.1" | "::1") {
        return Err(format!(
            "{url:?}: ws:// is allowed only for localhost; use wss://"
        ));
    }
    Ok(())
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_only_on_loopback() {
        assert!(check_ws_url("wss://pbx.example.com/ws").is_ok());
        assert!(check_ws_url("ws://127.0.0.1:8080/ws").is_ok());
        assert!(check_ws_url("ws://localhost/ws").is_ok());
        assert!(check_ws_url("ws://[::1]:80/ws").is_ok());
        assert!(check_ws_url("ws://pbx.example.com/ws").is_err());
        assert!(check_ws_url("https://pbx.example.com/ws").is_err());
        assert!(check_ws_url("wss:///ws").is_err());
    }

    #[test]
    fn uuid_shape() {
        assert!(is_uuid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
        assert!(!is_uuid("f81d4fae7dec11d0a76500a0c91e6bf6"));
    }
}
