//! Small scanning helpers shared by the parsers: character classes, linear
//! whitespace, quoted strings, comma-separated values and `;name=value` parameters.
//!
//! Every position handed to [`sub`] is the index of an ASCII byte or the end of the
//! text, so slices always fall on character boundaries; `sub` still uses `get`, so a
//! mistake yields an empty string rather than a panic.

/// Character classes, one bit each, looked up in [`CLASS`].
pub(crate) const TOKEN: u8 = 1;
/// Linear whitespace: SP, HT, CR, LF.
pub(crate) const LWS: u8 = 2;
/// Characters of a SIP URI's user part and password (see `uri.rs`).
pub(crate) const USERINFO: u8 = 4;
/// Characters of a SIP URI's parameters and headers (see `uri.rs`).
pub(crate) const URI_PARAM: u8 = 8;
/// Characters of a host name or IPv4 address.
pub(crate) const HOST: u8 = 16;
/// The characters of [`URI_PARAM`] but `%`, `?` and `;`: the ones a URI's parameters
/// and headers hold without a further check (see `uri.rs`).
pub(crate) const URI_PLAIN: u8 = 32;
/// The bytes [`CommaIter`] stops at: `"`, `<`, `>` and `,`.
const LIST_DELIM: u8 = 64;
/// Characters of an unquoted parameter value in [`ParamIter`]: not whitespace, a
/// control character, `;`, `,`, a quote or an angle bracket.
const PARAM_VALUE: u8 = 128;

/// The class bits of every byte: one table lookup replaces a chain of comparisons in
/// the per-byte loops of the parser (256 bytes of data).
static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        // `i` is below 256, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        let mut c = 0;
        if alnum
            || matches!(
                b,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            )
        {
            c |= TOKEN;
        }
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            c |= LWS;
        }
        let unreserved = alnum
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' | b'%'
            );
        if unreserved
            || matches!(
                b,
                b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/' | b':'
            )
        {
            c |= USERINFO;
        }
        if unreserved
            || matches!(
                b,
                b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$' | b'=' | b'?' | b';' | b',' | b'@'
            )
        {
            c |= URI_PARAM;
        }
        if alnum || matches!(b, b'-' | b'.' | b'_') {
            c |= HOST;
        }
        if c & URI_PARAM != 0 && !matches!(b, b'%' | b'?' | b';') {
            c |= URI_PLAIN;
        }
        if matches!(b, b'"' | b'<' | b'>' | b',') {
            c |= LIST_DELIM;
        }
        if b > b' ' && !matches!(b, b';' | b',' | b'"' | b'<' | b'>') {
            c |= PARAM_VALUE;
        }
        // `i < 256` by the loop's condition, and `t` has 256 entries.
        t[i] = c;
        i += 1;
    }
    t
}

/// Whether `b` is in any of the classes of `mask`.
#[inline(always)]
pub(crate) fn is(b: u8, mask: u8) -> bool {
    CLASS[usize::from(b)] & mask != 0
}

/// `token` characters of RFC 3261.
#[inline(always)]
pub(crate) fn is_token_char(b: u8) -> bool {
    is(b, TOKEN)
}

/// Whether `s` is a non-empty token.
#[inline]
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && all(s, TOKEN)
}

/// Whether every byte of `s` is in a class of `mask`.
#[inline]
pub(crate) fn all(s: &str, mask: u8) -> bool {
    skip_class(s, 0, mask) == s.len()
}

/// ASCII case-insensitive equality, as `str::eq_ignore_ascii_case` but a plain loop
/// that takes the common case (same spelling) at one comparison per byte: the
/// standard one was 100-160 instructions for a header name at opt-level "z".
#[inline]
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| {
            // Equal, or differing only in bit 0x20 where that bit is a letter's case.
            let d = x ^ y;
            d == 0 || (d == 0x20 && (x | 0x20).wrapping_sub(b'a') < 26)
        })
}

/// Linear whitespace, folding included (the message parser has checked that every
/// line break inside a value is followed by SP or HT).
#[inline(always)]
pub(crate) fn is_lws(b: u8) -> bool {
    is(b, LWS)
}

/// Trims linear whitespace on both sides.
#[inline]
pub(crate) fn trim_lws(s: &str) -> &str {
    let b = s.as_bytes();
    let mut start = 0;
    let mut end = b.len();
    while start < end && b.get(start).is_some_and(|&c| is_lws(c)) {
        start += 1;
    }
    while end > start && b.get(end - 1).is_some_and(|&c| is_lws(c)) {
        end -= 1;
    }
    if start == 0 && end == b.len() {
        return s;
    }
    sub(s, start, end)
}

/// A panic-free slice.
#[inline(never)]
pub(crate) fn sub(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or("")
}

/// The byte at `i`, or 0 past the end.
#[inline(always)]
pub(crate) fn at(s: &str, i: usize) -> u8 {
    s.as_bytes().get(i).copied().unwrap_or(0)
}

/// The first position at or after `i` that is not linear whitespace.
#[inline]
pub(crate) fn skip_lws(s: &str, mut i: usize) -> usize {
    // Usually skips nothing or one space: a loop of its own, not a call to skip_class.
    while matches!(s.as_bytes().get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// As [`skip_lws`], with a look at the byte first: parameters rarely hold whitespace,
/// and the look spares most calls.
#[inline(always)]
fn lws_at(s: &str, i: usize) -> usize {
    if is_lws(at(s, i)) {
        skip_lws(s, i)
    } else {
        i
    }
}

/// The first position at or after `i` whose byte is in none of the classes of `mask`.
#[inline]
pub(crate) fn skip_class(s: &str, mut i: usize, mask: u8) -> usize {
    while s.as_bytes().get(i).is_some_and(|&b| is(b, mask)) {
        i += 1;
    }
    i
}

/// The first position at or after `i` whose byte does not satisfy `f`.
#[inline]
pub(crate) fn skip_while(s: &str, mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    while s.as_bytes().get(i).is_some_and(|&b| f(b)) {
        i += 1;
    }
    i
}

/// The position of the first `c` at or after `i`, if any.
#[inline]
pub(crate) fn find_byte(s: &str, i: usize, c: u8) -> Option<usize> {
    let j = skip_while(s, i, |b| b != c);
    (j < s.len()).then_some(j)
}

/// Given `s[i] == '"'`, the position just after the closing quote, or `None` when
/// the quote is never closed. `\` escapes the next byte.
pub(crate) fn scan_quoted(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut j = i + 1;
    while j < b.len() {
        // `j < b.len()` by the loop's condition.
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// Removes the quotes and `\` escapes of a quoted string, and replaces folding by a
/// single space. Returns the input unchanged when nothing needs replacing.
pub(crate) fn unquote(s: &str) -> std::borrow::Cow<'_, str> {
    let inner = if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        sub(s, 1, s.len() - 1)
    } else {
        s
    };
    if !inner.bytes().any(|b| matches!(b, b'\\' | b'\r' | b'\n')) {
        return std::borrow::Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '\r' | '\n' => {
                while chars
                    .peek()
                    .is_some_and(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
                {
                    chars.next();
                }
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Replaces folding (`*WSP CRLF 1*WSP`) by one space and trims outer whitespace.
pub(crate) fn unfold(raw: &str) -> std::borrow::Cow<'_, str> {
    let t = trim_lws(raw);
    if !t.bytes().any(|b| b == b'\r' || b == b'\n') {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len());
    let mut in_fold = false;
    for c in t.chars() {
        match c {
            '\r' | '\n' => in_fold = true,
            ' ' | '\t' if in_fold => {}
            c => {
                if in_fold {
                    // The whitespace before the line break and the break itself
                    // become one space.
                    while out.ends_with([' ', '\t']) {
                        out.pop();
                    }
                    out.push(' ');
                    in_fold = false;
                }
                out.push(c);
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The position of the first `"`, `<`, `>` or `,` at or after `i` (the length of `b`
/// when there is none), eight bytes at a time.
///
/// The items of a comma-separated header are tens of bytes long: the classic "has a
/// zero byte" bit trick on `word ^ ",,,,,,,,"` (and likewise for `"` and, with bit 1
/// set first, for `<` and `>`) takes about a third of a byte-by-byte loop, natively
/// and in wasm. The lowest flagged byte is always a real match; false flags only occur
/// above one.
#[inline(always)]
fn find_list_delim(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(LO) & !x;
    while let Some(chunk) = b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*chunk);
        let hit = (zero(w ^ (LO * u64::from(b',')))
            | zero(w ^ (LO * u64::from(b'"')))
            | zero((w | (LO * 2)) ^ (LO * u64::from(b'>'))))
            & HI;
        if hit != 0 {
            // trailing_zeros is below 64, so the byte index is below 8.
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(|&c| !is(c, LIST_DELIM)) {
        i += 1;
    }
    i
}

/// Splits a header value at top-level commas (outside quotes and `<...>`).
/// Yields `Err` for an empty element or an unterminated quote or bracket.
pub(crate) struct CommaIter<'a> {
    s: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> CommaIter<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        CommaIter {
            s,
            pos: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for CommaIter<'a> {
    type Item = Result<&'a str, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let b = self.s.as_bytes();
        let start = self.pos;
        let mut i = start;
        let mut angle = false;
        loop {
            i = find_list_delim(b, i);
            match b.get(i) {
                None => break,
                Some(b'"') => match scan_quoted(self.s, i) {
                    Some(j) => i = j,
                    None => {
                        self.done = true;
                        return Some(Err("unterminated quoted string"));
                    }
                },
                Some(b',') if !angle => break,
                Some(&c) => {
                    // '<' opens, '>' closes, ',' inside <...> is kept.
                    if c != b',' {
                        angle = c == b'<';
                    }
                    i += 1;
                }
            }
        }
        if angle {
            self.done = true;
            return Some(Err("unterminated '<'"));
        }
        let item = trim_lws(sub(self.s, start, i));
        if i >= b.len() {
            self.done = true;
        } else {
            self.pos = i + 1;
        }
        if item.is_empty() {
            self.done = true;
            return Some(Err("empty value in a comma-separated list"));
        }
        Some(Ok(item))
    }
}

/// Reads `*( LWS ";" LWS name [ LWS "=" LWS value ] )` from a parameter section,
/// where a value is a quoted string (kept with its quotes) or a run of characters
/// other than whitespace, `;`, `,` and quotes.
pub(crate) struct ParamIter<'a> {
    s: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> ParamIter<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        ParamIter {
            s,
            pos: 0,
            done: false,
        }
    }

    /// Checks that the whole section is well formed: what iterating would report,
    /// without making the slices (every header with parameters is checked at parse time).
    ///
    /// Returns where the parameters lie without the whitespace around them, as the
    /// positions `trim_lws` would find: `(0, 0)` when there are none.
    pub(crate) fn validate(s: &'a str) -> Result<(usize, usize), &'static str> {
        let first = lws_at(s, 0);
        let mut i = first;
        let mut end = 0;
        loop {
            i = lws_at(s, i);
            if i >= s.len() {
                return Ok((first.min(end), end));
            }
            if at(s, i) != b';' {
                return Err("expected ';' before a parameter");
            }
            i = lws_at(s, i + 1);
            let name_end = skip_class(s, i, TOKEN);
            if name_end == i {
                return Err("empty parameter name");
            }
            end = name_end;
            i = lws_at(s, name_end);
            if at(s, i) == b'=' {
                let v = lws_at(s, i + 1);
                if at(s, v) == b'"' {
                    i = scan_quoted(s, v).ok_or("unterminated quoted parameter value")?;
                } else {
                    i = skip_class(s, v, PARAM_VALUE);
                    if i == v {
                        return Err("empty parameter value");
                    }
                }
                end = i;
            }
        }
    }
}

/// One parameter: name and optional value.
pub(crate) type Param<'a> = (&'a str, Option<&'a str>);

impl<'a> Iterator for ParamIter<'a> {
    type Item = Result<Param<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let s = self.s;
        let mut i = skip_lws(s, self.pos);
        if i >= s.len() {
            self.done = true;
            return None;
        }
        let fail = |me: &mut Self, why| {
            me.done = true;
            Some(Err(why))
        };
        if at(s, i) != b';' {
            return fail(self, "expected ';' before a parameter");
        }
        i = skip_lws(s, i + 1);
        let name_start = i;
        i = skip_class(s, i, TOKEN);
        if i == name_start {
            return fail(self, "empty parameter name");
        }
        let name = sub(s, name_start, i);
        let mut j = skip_lws(s, i);
        let mut value = None;
        if at(s, j) == b'=' {
            j = skip_lws(s, j + 1);
            let vstart = j;
            if at(s, j) == b'"' {
                match scan_quoted(s, j) {
                    Some(end) => j = end,
                    None => return fail(self, "unterminated quoted parameter value"),
                }
            } else {
                j = skip_class(s, j, PARAM_VALUE);
                if j == vstart {
                    return fail(self, "empty parameter value");
                }
            }
            value = Some(sub(s, vstart, j));
            i = j;
        }
        self.pos = i;
        Some(Ok((name, value)))
    }
}

/// Looks a parameter up by name (case-insensitive) in a validated section.
pub(crate) fn find_param<'a>(params: &'a str, name: &str) -> Option<Option<&'a str>> {
    ParamIter::new(params)
        .map_while(Result::ok)
        .find(|(n, _)| eq_ignore_case(n, name))
        .map(|(_, v)| v)
}

/// Parses `1*DIGIT` into a `u32`, `None` on anything else or overflow.
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    parse_usize(s).and_then(|v| u32::try_from(v).ok())
}

/// Parses `1*DIGIT` into a `usize`, `None` on anything else or overflow.
pub(crate) fn parse_usize(s: &str) -> Option<usize> {
    if s.is_empty() {
        return None;
    }
    let mut v: usize = 0;
    for b in s.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(usize::from(d))?;
    }
    Some(v)
}

/// Reads a host at `i`: `[IPv6]` or a run of hostname / IPv4 characters.
/// Returns the end position.
pub(crate) fn scan_host(s: &str, i: usize) -> Result<usize, &'static str> {
    if at(s, i) == b'[' {
        let j = skip_while(s, i + 1, |b| {
            b.is_ascii_hexdigit() || b == b':' || b == b'.'
        });
        if at(s, j) != b']' || j == i + 1 {
            return Err("malformed IPv6 reference");
        }
        Ok(j + 1)
    } else {
        let j = skip_class(s, i, HOST);
        if j == i {
            return Err("missing host");
        }
        Ok(j)
    }
}

/// Reads `1*DIGIT` at `i` as a port. Returns the port and the end position.
pub(crate) fn scan_port(s: &str, i: usize) -> Result<(u16, usize), &'static str> {
    let mut j = i;
    let mut port: u32 = 0;
    while let Some(d) = s.as_bytes().get(j).map(|b| b.wrapping_sub(b'0')) {
        if d > 9 {
            break;
        }
        // Saturates far above 65535, so a long run of digits stays an error.
        port = port.saturating_mul(10).saturating_add(u32::from(d));
        j += 1;
    }
    match u16::try_from(port) {
        Ok(p) if j > i => Ok((p, j)),
        _ => Err("malformed port"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfold_replaces_folding_by_one_space() {
        assert_eq!(unfold(" a \r\n  b"), "a b");
        assert_eq!(unfold("x\n\ty  z"), "x y  z");
        assert_eq!(unfold("  plain  "), "plain");
    }

    #[test]
    fn list_delimiters_found_a_word_at_a_time() {
        let text = "abcdefgh\u{e9}ijklmnop<q>r,s\"t?=;\u{80}@ ";
        let b = text.as_bytes();
        for i in 0..=b.len() {
            let slow = (i..b.len())
                .find(|&j| matches!(b[j], b'"' | b'<' | b'>' | b','))
                .unwrap_or(b.len());
            assert_eq!(find_list_delim(b, i), slow, "{i}");
        }
        for c in 0..=255u8 {
            for k in [0, 5, 9, 17] {
                let mut b = [b'a'; 20];
                b[k] = c;
                let want = if is(c, LIST_DELIM) { k } else { 20 };
                assert_eq!(find_list_delim(&b, 0), want, "{c} at {k}");
                let from3 = if k >= 3 { want } else { 20 };
                assert_eq!(find_list_delim(&b, 3), from3, "{c} at {k}");
            }
        }
    }

    #[test]
    fn comma_iter_respects_quotes_and_brackets() {
        let v: Vec<_> = CommaIter::new(r#""a,b" <sip:x;p=1,2>, c"#).collect();
        assert_eq!(v, vec![Ok(r#""a,b" <sip:x;p=1,2>"#), Ok("c")]);
        assert!(CommaIter::new("a,,b").any(|r| r.is_err()));
        assert!(CommaIter::new("\"a").any(|r| r.is_err()));
    }

    #[test]
    fn params_with_lws_and_quotes() {
        let v: Vec<_> = ParamIter::new(" ; tag = 12 ;lr; q=\"a;b\"")
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            v,
            vec![("tag", Some("12")), ("lr", None), ("q", Some("\"a;b\""))]
        );
        for p in [
            "",
            " ; tag = 12 ;lr; q=\"a;b\"",
            ";;",
            "; a=",
            ";a=\"x",
            "x",
            ";a b",
            ";a=b c",
            ";a=<b>",
            ";a;b=1 ;c",
            " ;\r\n a=1",
            ";a=\"b\"c",
        ] {
            let iterated = ParamIter::new(p).try_for_each(|r| r.map(|_| ()));
            assert_eq!(ParamIter::validate(p).map(|_| ()), iterated, "{p:?}");
            if let Ok((a, b)) = ParamIter::validate(p) {
                assert_eq!(sub(p, a, b), trim_lws(p), "{p:?}");
            }
        }
        assert!(ParamIter::validate(";;").is_err());
        assert!(ParamIter::validate("; a=").is_err());
    }

    #[test]
    fn case_insensitive_equality() {
        for (a, b, eq) in [
            ("Via", "via", true),
            ("CALL-ID", "call-id", true),
            ("Call-ID", "Call-ID", true),
            ("Call-ID", "Call\rID", false),
            ("[", "{", false),
            ("@", "`", false),
            ("To", "Tox", false),
            ("", "", true),
            ("Zz", "zZ", true),
        ] {
            assert_eq!(eq_ignore_case(a, b), eq, "{a:?} {b:?}");
            assert_eq!(a.eq_ignore_ascii_case(b), eq, "{a:?} {b:?}");
        }
    }

    #[test]
    fn numbers_do_not_overflow() {
        assert_eq!(parse_u32("0009"), Some(9));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_u32("-1"), None);
        assert_eq!(parse_usize(""), None);
    }

    #[test]
    fn unquote_handles_escapes() {
        assert_eq!(unquote(r#""a \"b\" \\""#), r#"a "b" \"#);
        assert_eq!(unquote("\"x\""), "x");
    }
}
