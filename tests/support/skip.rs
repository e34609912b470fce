//! Reporting a test that cannot run here, so that a reader of the test command's
//! summary sees it (`scripts/test.sh` counts these lines as `N skipped`).

use std::io::Write;

/// Reports `test` as skipped for `reason`, as the line `SKIPPED: <test> (<reason>)`.
///
/// The line is written to the process's stderr directly: libtest captures what
/// `print!` and `eprint!` write in a passing test and never shows it, but not what
/// is written to `std::io::stderr()` itself. On wasm32 there is no stderr; the
/// write fails quietly and the browser runs simply pass.
pub fn skipped(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test} ({reason})");
}
