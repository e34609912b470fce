//! The command line. Parsed by hand: a dozen flags do not need a parser crate.

use std::time::Duration;

use softphone_core::sip::Secret;

/// The usage text (`--help`, and after a usage error).
pub const USAGE: &str = "\
usage: softphone-doctor <ws-or-wss-url> [options]

  --uri sip:1001@pbx.example.com   the account: REGISTER (with a password) and the OPTIONS domain
  --auth-user U                    the digest user name, when it differs from the URI's user
  --password-env VAR               read the SIP password from environment variable VAR
  --ice-servers-url URL            fetch { iceServers, ttl } (or an array) over http(s)
  --ice-servers JSON               the RTCIceServer array (or one object) itself
  --insecure                       go on past a TLS certificate that does not verify
  --timeout S                      bound of each step, seconds (default 5)
  --json                           print one JSON object instead of the report
  --load N                         register N user agents at once (sizing a PBX)
  --accounts FILE                  --load: accounts from a JSON file ([{uri|user, password, authUser?}]
                                   or {\"accounts\": [...]}, as .run/env.json); else user{i} with
                                   --uri's domain and --password-env's password
  --duration S                     --load: how long to stay registered (default 30, at most 3600)

exit codes: 0 everything needed for calls works, 1 something does not, 2 usage error";

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Args {
    /// The WebSocket URL.
    pub url: String,
    /// `--uri`.
    pub uri: Option<String>,
    /// `--auth-user`.
    pub auth_user: Option<String>,
    /// The password read from `--password-env`.
    pub password: Option<Secret>,
    /// `--ice-servers-url`.
    pub ice_servers_url: Option<String>,
    /// `--ice-servers`.
    pub ice_servers: Option<String>,
    /// `--insecure`.
    pub insecure: bool,
    /// `--timeout`.
    pub timeout: Duration,
    /// `--json`.
    pub json: bool,
    /// `--load`.
    pub load: Option<usize>,
    /// `--accounts`.
    pub accounts: Option<String>,
    /// `--duration`.
    pub duration: Duration,
}

/// The most user agents `--load` runs.
pub const MAX_LOAD: usize = 10_000;

/// Parses the arguments (without the program name); `Err` is the usage error's text,
/// `Ok(None)` is `--help`.
pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut url = None;
    let mut a = Args {
        url: String::new(),
        uri: None,
        auth_user: None,
        password: None,
        ice_servers_url: None,
        ice_servers: None,
        insecure: false,
        timeout: Duration::from_secs(5),
        json: false,
        load: None,
        accounts: None,
        duration: Duration::from_secs(30),
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--uri" => a.uri = Some(value("--uri")?),
            "--auth-user" => a.auth_user = Some(value("--auth-user")?),
            "--password-env" => {
                let var = value("--password-env")?;
                let pw = std::env::var(&var)
                    .map_err(|_| format!("--password-env {var}: the variable is not set"))?;
                a.password = Some(Secret::new(pw));
            }
            "--ice-servers-url" => a.ice_servers_url = Some(value("--ice-servers-url")?),
            "--ice-servers" => a.ice_servers = Some(value("--ice-servers")?),
            "--insecure" => a.insecure = true,
            "--json" => a.json = true,
            "--timeout" => a.timeout = seconds("--timeout", &value("--timeout")?, 0.1, 120.0)?,
            "--duration" => a.duration = seconds("--duration", &value("--duration")?, 1.0, 3600.0)?,
            "--load" => {
                let n = value("--load")?;
                a.load = Some(
                    n.parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_LOAD).contains(n))
                        .ok_or_else(|| format!("--load {n}: a count from 1 to {MAX_LOAD}"))?,
                );
            }
            "--accounts" => a.accounts = Some(value("--accounts")?),
            f if f.starts_with('-') => return Err(format!("unknown option {f}")),
            _ if url.is_none() => url = Some(arg),
            _ => return Err(format!("one URL only (got {arg:?} too)")),
        }
    }
    a.url = url.ok_or("the WebSocket URL is missing")?;
    if a.ice_servers.is_some() && a.ice_servers_url.is_some() {
        return Err("--ice-servers and --ice-servers-url: give one".into());
    }
    if a.load.is_some() && a.accounts.is_none() && (a.uri.is_none() || a.password.is_none()) {
        return Err(
            "--load needs --accounts FILE, or --uri (for the domain) and --password-env".into(),
        );
    }
    Ok(Some(a))
}

fn seconds(flag: &str, text: &str, min: f64, max: f64) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && (min..=max).contains(s))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{flag} {text}: seconds from {min} to {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_and_errors() {
        let a = args(&["wss://h/ws", "--timeout=2", "--json", "--uri", "sip:a@h"])
            .unwrap()
            .unwrap();
        assert_eq!(
            (a.url.as_str(), a.timeout, a.json),
            ("wss://h/ws", Duration::from_secs(2), true)
        );
        assert!(args(&["--help"]).unwrap().is_none());
        assert!(args(&[]).is_err());
        assert!(args(&["u", "v"]).is_err());
        assert!(args(&["u", "--bogus"]).is_err());
        assert!(args(&["u", "--timeout", "0"]).is_err());
        assert!(args(&["u", "--load", "5"]).is_err());
        assert!(args(&["u", "--password-env", "SOFTPHONE_DOCTOR_SURELY_UNSET"]).is_err());
    }
}
