//! Parse errors.

use std::fmt;

/// What kind of problem a [`ParseError`] reports, so that a user agent can pick its
/// answer (400, 505, or drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The message or value is malformed (answer 400 to a request, drop a response).
    Syntax,
    /// The start line names a SIP version other than 2.0 (answer 505).
    Version,
    /// The message ends early: no empty line after the headers, or fewer body bytes
    /// than Content-Length says (a framing error: discard the message).
    Incomplete,
}

/// Why a message (or a header value) was rejected, and on which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    line: usize,
    reason: String,
    kind: ParseErrorKind,
}

impl ParseError {
    /// Makes an error for 1-based `line` (0 when it is not about a line of a message).
    pub fn new(line: usize, reason: impl Into<String>) -> Self {
        ParseError {
            line,
            reason: reason.into(),
            kind: ParseErrorKind::Syntax,
        }
    }

    /// Makes an error of a given kind.
    pub fn with_kind(line: usize, kind: ParseErrorKind, reason: impl Into<String>) -> Self {
        ParseError {
            line,
            reason: reason.into(),
            kind,
        }
    }

    /// The 1-based line of the message the error is about; 0 for a lone value.
    pub fn line(&self) -> usize {
        self.line
    }

    /// What is wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The kind of problem.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// The same error placed on `line`, for an error found in a header value.
    pub(crate) fn at_line(mut self, line: usize) -> Self {
        self.line = line;
        self
    }
}

/// A syntax error about a lone value (line 0). Cold and out of line, so that the hot
/// parsers carry a call and a `&'static str`, not the making of a `String`.
#[cold]
#[inline(never)]
pub(crate) fn fail(why: &'static str) -> ParseError {
    ParseError::new(0, why)
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "line {}: {}", self.line, self.reason)
        }
    }
}

impl std::error::Error for ParseError {}
