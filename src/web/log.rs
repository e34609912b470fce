//! Log levels, the `logLevel` filter and the console.
//!
//! Lines come from the core (already free of credentials) or from the driver itself,
//! which never formats the configuration or a message body into a line.

use wasm_bindgen::JsValue;

use crate::core::LogLevel;

/// The `logLevel` option: the most verbose level that is shown, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LogFilter {
    /// Nothing.
    Off,
    /// Errors only.
    Error,
    /// Errors and warnings (the default).
    Warn,
    /// State changes too.
    Info,
    /// First lines of messages too.
    Debug,
    /// Everything, whole messages with credentials redacted.
    Trace,
}

impl LogFilter {
    /// Every filter, in the order of [`LogFilter::NAMES`].
    pub(crate) const ALL: [LogFilter; 6] = [
        LogFilter::Off,
        LogFilter::Error,
        LogFilter::Warn,
        LogFilter::Info,
        LogFilter::Debug,
        LogFilter::Trace,
    ];
    /// The names the `logLevel` option accepts, in the order of [`LogFilter::ALL`].
    pub(crate) const NAMES: &'static [&'static str] =
        &["off", "error", "warn", "info", "debug", "trace"];

    /// The most verbose level the core should bother to format (it formats nothing it
    /// would not show; `off` still leaves errors to the driver's filter).
    pub(crate) fn core_level(self) -> LogLevel {
        match self {
            LogFilter::Off | LogFilter::Error => LogLevel::Error,
            LogFilter::Warn => LogLevel::Warn,
            LogFilter::Info => LogLevel::Info,
            LogFilter::Debug => LogLevel::Debug,
            LogFilter::Trace => LogLevel::Trace,
        }
    }

    /// Whether a line at `level` passes.
    pub(crate) fn allows(self, level: LogLevel) -> bool {
        let rank = match level {
            LogLevel::Error => LogFilter::Error,
            LogLevel::Warn => LogFilter::Warn,
            LogLevel::Info => LogFilter::Info,
            LogLevel::Debug => LogFilter::Debug,
            LogLevel::Trace => LogFilter::Trace,
        };
        self != LogFilter::Off && rank <= self
    }
}

/// The level's name in events and the TypeScript types.
pub(crate) fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace => "trace",
    }
}

/// Writes one line to the browser console with the matching method.
pub(crate) fn to_console(level: LogLevel, message: &str) {
    let line = JsValue::from_str(&format!("[softphone] {message}"));
    match level {
        LogLevel::Error => web_sys::console::error_1(&line),
        LogLevel::Warn => web_sys::console::warn_1(&line),
        LogLevel::Info => web_sys::console::info_1(&line),
        LogLevel::Debug | LogLevel::Trace => web_sys::console::debug_1(&line),
    }
}
