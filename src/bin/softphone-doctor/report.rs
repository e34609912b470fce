//! The report: steps with a status, a time, a verdict and hints, printed for a person
//! or as one JSON object.
//!
//! # JSON schema (`--json`)
//!
//! ```text
//! {
//!   "url": string,                    the WebSocket URL probed
//!   "ok": bool,                       no step failed (exit code 0)
//!   "exitCode": 0 | 1,
//!   "steps": [{
//!     "name": "dns" | "tcp" | "tls" | "upgrade" | "options" | "register" | "unregister"
//!           | "iceServers" | "ice" | "mapping" | "load",
//!     "status": "ok" | "warn" | "fail" | "skip",
//!     "ms": number | null,            how long the step took
//!     "verdict": string,              one sentence
//!     "hints": [string],              what to check, most likely first
//!     "facts": object                 per step, below
//!   }],
//!   "verdicts": [{ "network": "thisNetwork" | "homeNat" | "udpBlocked" | "tcp443Only"
//!                  | "symmetricNat", "ok": bool, "message": string }]
//! }
//! ```
//!
//! Facts: `dns` {host, addresses}; `tcp` {address}; `tls` {protocol, subject, issuer,
//! names, notBefore, notAfter, daysLeft, selfSigned, refused, error}; `upgrade`
//! {statusLine, status, headers: [[name, value]], body, protocol}; `options` {status,
//! reason, server, challenged, authenticated}; `register` {status, reason, expires, transcript:
//! \[string\]}; `unregister` {status}; `iceServers` {source, count}; `ice` {url, scheme,
//! transport, address, username, result: "ok" | "authFailed" | "refused" | "timeout" |
//! "error", mapped, relayed, lifetime, code, reason}; `mapping` {mappings: [{server,
//! mapped}]}; `load` {uas, registered, failures: {"401" | "noWebSocket" | "noAnswer"...:
//! count}, registerMs: {p50, p95, max}, cpuMs, cpuMsPerUaPerMinute, durationS}. Passwords
//! and TURN credentials are never in it.

use serde_json::{json, Map, Value};

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Works.
    Ok,
    /// Works, with something to know.
    Warn,
    /// Does not work.
    Fail,
    /// Not run (an earlier step failed, or not asked for).
    Skip,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }

    fn mark(self) -> &'static str {
        match self {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        }
    }
}

/// One step of the report.
#[derive(Debug, Clone)]
pub struct Step {
    /// The step's name (see the schema).
    pub name: &'static str,
    /// How it went.
    pub status: Status,
    /// How long it took, ms.
    pub ms: Option<f64>,
    /// One sentence.
    pub verdict: String,
    /// What to check.
    pub hints: Vec<String>,
    /// The facts, for the JSON and the detail lines.
    pub facts: Map<String, Value>,
    /// Detail lines for a person (headers as received, certificate...).
    pub details: Vec<String>,
}

impl Step {
    /// A step with no facts, hints or details yet.
    pub fn new(
        name: &'static str,
        status: Status,
        ms: Option<f64>,
        verdict: impl Into<String>,
    ) -> Step {
        Step {
            name,
            status,
            ms,
            verdict: verdict.into(),
            hints: Vec::new(),
            facts: Map::new(),
            details: Vec::new(),
        }
    }

    /// Adds a fact.
    pub fn fact(mut self, key: &str, value: impl Into<Value>) -> Step {
        self.facts.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Step {
        self.hints.push(hint.into());
        self
    }
}

/// One verdict for a class of network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `homeNat`, `udpBlocked`, `tcp443Only`, `symmetricNat`, or `thisNetwork`.
    pub network: &'static str,
    /// Whether calls from such a network are expected to work.
    pub ok: bool,
    /// One sentence.
    pub message: String,
}

/// The whole report.
#[derive(Debug, Default)]
pub struct Report {
    /// The URL probed.
    pub url: String,
    /// The steps in order.
    pub steps: Vec<Step>,
    /// The ICE verdicts.
    pub verdicts: Vec<Verdict>,
}

impl Report {
    /// Whether every step works (none failed).
    pub fn ok(&self) -> bool {
        self.steps.iter().all(|s| s.status != Status::Fail)
    }

    /// The process exit code: 0 or 1.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.ok())
    }

    /// The JSON object of the schema above.
    pub fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "status": s.status.as_str(),
                    "ms": s.ms,
                    "verdict": s.verdict,
                    "hints": s.hints,
                    "facts": s.facts,
                })
            })
            .collect();
        let verdicts: Vec<Value> = self
            .verdicts
            .iter()
            .map(|v| json!({"network": v.network, "ok": v.ok, "message": v.message}))
            .collect();
        json!({
            "url": self.url,
            "ok": self.ok(),
            "exitCode": self.exit_code(),
            "steps": steps,
            "verdicts": verdicts,
        })
    }

    /// The report for a person.
    pub fn to_text(&self) -> String {
        let mut out = format!("softphone-doctor {}\n", self.url);
        for s in &self.steps {
            let ms = s.ms.map_or(String::new(), |ms| format!(" ({ms:.0} ms)"));
            out += &format!("[{}] {:<10} {}{ms}\n", s.status.mark(), s.name, s.verdict);
            for d in &s.details {
                out += &format!("         | {d}\n");
            }
            for h in &s.hints {
                out += &format!("         hint: {h}\n");
            }
        }
        if !self.verdicts.is_empty() {
            out += "networks:\n";
            for v in &self.verdicts {
                out += &format!("  [{}] {}\n", if v.ok { "ok  " } else { "FAIL" }, v.message);
            }
        }
        out += if self.ok() {
            "result: everything needed for calls works\n"
        } else {
            "result: something needed for calls does not work (see FAIL above)\n"
        };
        out
    }
}
