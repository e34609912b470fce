//! Reading `softphone-doctor --json` reports, for the doctor's two test files (they
//! include this file by path: the transcript harness in `mod.rs` is not theirs).

use serde_json::Value;

/// The report's steps named `name`, in order.
pub fn steps<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["steps"]
        .as_array()
        .expect("a steps array")
        .iter()
        .filter(|s| s["name"] == name)
        .collect()
}

/// The first step named `name`.
pub fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    steps(report, name)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no step {name} in {report}"))
}

/// A step's hints, one a line.
pub fn hints(step: &Value) -> String {
    step["hints"]
        .as_array()
        .expect("a hints array")
        .iter()
        .map(|h| h.as_str().expect("a hint is text"))
        .collect::<Vec<_>>()
        .join("\n")
}
