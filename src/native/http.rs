//! HTTP/1.1 by hand, as much as a WebSocket upgrade and a JSON GET need: the request
//! line and headers out, the status line and headers back exactly as received.
//!
//! A browser hides the answer to a refused upgrade; this module keeps it whole
//! ([`Head`]), so the doctor can read a `404` and its `Server:` header.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::net::Stream;

/// The most bytes of head read before giving up (servers send a few hundred).
const MAX_HEAD: usize = 16 * 1024;
/// The most body bytes kept from an error answer (an HTML page, for the report).
const MAX_ERROR_BODY: usize = 2 * 1024;
/// The most body bytes a GET reads.
pub const MAX_BODY: usize = 1024 * 1024;

/// A status line and headers, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// The status line, e.g. `HTTP/1.1 404 Not Found`.
    pub status_line: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The first bytes of the body of a non-101 answer (lossy UTF-8), if any came.
    pub body: String,
}

impl Head {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why no HTTP answer was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// Nothing (or not all of the head) came within the time allowed.
    Timeout,
    /// The server closed the connection before a complete head.
    Closed {
        /// The bytes that did come (lossy, shortened).
        got: String,
    },
    /// What came is not HTTP.
    NotHttp {
        /// The first bytes (lossy, shortened).
        got: String,
    },
    /// A socket error.
    Io(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Timeout => f.write_str("no HTTP answer in time"),
            HttpError::Closed { got } if got.is_empty() => {
                f.write_str("the server closed the connection without an answer")
            }
            HttpError::Closed { got } => {
                write!(f, "the server closed the connection mid-answer: {got:?}")
            }
            HttpError::NotHttp { got } => write!(f, "not an HTTP answer: {got:?}"),
            HttpError::Io(e) => f.write_str(e),
        }
    }
}

/// Sends `request` and reads the answer's head (and, for a non-101, up to 2 kB of body
/// that arrives within a short grace) within `timeout`. Bytes after the head of a 101
/// are returned too (a server may speak first).
///
/// # Errors
/// See [`HttpError`].
pub async fn exchange(
    stream: &mut Stream,
    request: &[u8],
    timeout: Duration,
) -> Result<(Head, Vec<u8>), HttpError> {
    let (mut head, mut rest) = exchange_keep_body(stream, request, timeout).await?;
    if head.status != 101 {
        let want = head
            .header("Content-Length")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(MAX_ERROR_BODY)
            .min(MAX_ERROR_BODY);
        let _ = tokio::time::timeout(Duration::from_millis(300), async {
            while rest.len() < want {
                let mut chunk = [0u8; 2048];
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => rest.extend_from_slice(&chunk[..n]),
                }
            }
        })
        .await;
        rest.truncate(MAX_ERROR_BODY);
        head.body = String::from_utf8_lossy(&rest).into_owned();
        rest.clear();
    }
    Ok((head, rest))
}

/// Sends `request` and reads the answer's head within `timeout`; the bytes read past
/// the head come back beside it (for [`read_body`]).
///
/// # Errors
/// See [`HttpError`].
pub async fn exchange_keep_body(
    stream: &mut Stream,
    request: &[u8],
    timeout: Duration,
) -> Result<(Head, Vec<u8>), HttpError> {
    let io = |e: std::io::Error| HttpError::Io(e.to_string());
    stream.write_all(request).await.map_err(io)?;
    stream.flush().await.map_err(io)?;
    let mut buf = Vec::with_capacity(1024);
    let end = tokio::time::timeout(timeout, async {
        loop {
            if let Some(end) = find(&buf, b"\r\n\r\n") {
                return Ok(end + 4);
            }
            if buf.len() > MAX_HEAD {
                return Err(HttpError::NotHttp { got: short(&buf) });
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.map_err(io)?;
            if n == 0 {
                return Err(HttpError::Closed { got: short(&buf) });
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() >= 5 && !buf.starts_with(b"HTTP/") {
                return Err(HttpError::NotHttp { got: short(&buf) });
            }
        }
    })
    .await
    .map_err(|_| HttpError::Timeout)??;
    let head = parse_head(&buf[..end]).ok_or_else(|| HttpError::NotHttp { got: short(&buf) })?;
    Ok((head, buf[end..].to_vec()))
}

/// Reads a whole body after `head` (Content-Length, chunked, or to EOF), at most
/// [`MAX_BODY`] bytes, within `timeout`.
///
/// # Errors
/// A socket error, a timeout or a malformed chunked encoding, as a sentence.
pub async fn read_body(
    stream: &mut Stream,
    head: &Head,
    mut have: Vec<u8>,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let chunked = head
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = head
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<usize>().ok());
    tokio::time::timeout(timeout, async {
        loop {
            if let Some(n) = length {
                if have.len() >= n {
                    have.truncate(n);
                    return Ok(have);
                }
            }
            if chunked {
                if let Some(body) = dechunk(&have)? {
                    return Ok(body);
                }
            }
            if have.len() > MAX_BODY {
                return Err("the body is larger than 1 MB".to_owned());
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return match (length, chunked) {
                    (None, false) => Ok(have),
                    _ => Err(
                        "the server closed the connection before the end of the body".to_owned(),
                    ),
                };
            }
            have.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .map_err(|_| "the body did not arrive in time".to_owned())?
}

/// A complete chunked body, `None` while incomplete.
fn dechunk(buf: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let Some(line_end) = find(&buf[at..], b"\r\n") else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&buf[at..at + line_end]);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        at += line_end + 2;
        if size == 0 {
            return Ok(Some(out));
        }
        if buf.len() < at + size + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&buf[at..at + size]);
        at += size + 2;
    }
}

/// Parses a status line and headers (the bytes up to and including the blank line).
pub fn parse_head(bytes: &[u8]) -> Option<Head> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?.to_owned();
    let mut parts = status_line.splitn(3, ' ');
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    let reason = parts.next().unwrap_or("").to_owned();
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Head {
        status_line,
        status,
        reason,
        headers,
        body: String::new(),
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn short(buf: &[u8]) -> String {
    String::from_utf8_lossy(&buf[..buf.len().min(120)]).into_owned()
}

/// Standard base64 with padding (for `Sec-WebSocket-Key` and `-Accept`).
pub fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn head_and_chunks() {
        let head = parse_head(
            b"HTTP/1.1 404 Not Found\r\nServer: Asterisk/18.19.0\r\nContent-Length: 3\r\n\r\n",
        )
        .unwrap();
        assert_eq!((head.status, head.reason.as_str()), (404, "Not Found"));
        assert_eq!(head.header("server"), Some("Asterisk/18.19.0"));
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .unwrap()
                .unwrap(),
            b"abcde"
        );
        assert_eq!(dechunk(b"3\r\nab").unwrap(), None);
        assert!(dechunk(b"zz\r\n").is_err());
    }
}
