//! A small XML reader for the event packages' bodies: elements, attributes, text,
//! the five predefined entities and character references, comments, processing
//! instructions and CDATA. No DTDs (a document with an internal subset is refused),
//! no namespaces resolution: names keep only their local part (`dm:person` is
//! `person`), which is all the bodies of RFC 4235, RFC 3863 and RPID need.
//!
//! Written by hand rather than taken from a crate: the three bodies need a fraction
//! of what an XML crate carries, and the wasm package stays small. Bad input is an
//! `Err`, never a panic: every slice is taken at an ASCII delimiter found by `find`,
//! and nesting is bounded.

/// One element: its local name, attributes (local names) and children, and the
/// text directly inside it (concatenated, entities decoded).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

impl Element {
    /// The attribute `name` (local name, case-sensitive as XML is).
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child called `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child called `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }
}

/// How deep elements may nest (the bodies here need 6).
const MAX_DEPTH: usize = 32;
/// How many elements a document may hold.
const MAX_ELEMENTS: usize = 20_000;

/// Parses a whole document and returns its root element.
pub(crate) fn parse(input: &str) -> Result<Element, String> {
    let mut r = Reader {
        rest: input.strip_prefix('\u{feff}').unwrap_or(input),
        elements: 0,
    };
    r.misc()?;
    if !r.rest.starts_with('<') {
        return Err("no root element".into());
    }
    let root = r.element(0)?;
    r.misc()?;
    if !r.rest.is_empty() {
        return Err("content after the root element".into());
    }
    Ok(root)
}

struct Reader<'a> {
    rest: &'a str,
    elements: usize,
}

impl<'a> Reader<'a> {
    /// Skips `n` bytes; callers pass the length of an ASCII prefix just matched.
    fn skip(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or("");
    }

    fn skip_ws(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', '\r', '\n']);
    }

    /// Skips past `end`, or fails.
    fn skip_past(&mut self, end: &str, what: &str) -> Result<&'a str, String> {
        let at = self
            .rest
            .find(end)
            .ok_or_else(|| format!("unterminated {what}"))?;
        let skipped = self.rest.get(..at).unwrap_or("");
        self.skip(at + end.len());
        Ok(skipped)
    }

    /// Whitespace, comments, processing instructions and a DOCTYPE without subset.
    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            if self.rest.starts_with("<?") {
                self.skip_past("?>", "processing instruction")?;
            } else if self.rest.starts_with("<!--") {
                self.skip_past("-->", "comment")?;
            } else if self.rest.starts_with("<!") {
                let decl = self.skip_past(">", "declaration")?;
                if decl.contains('[') {
                    return Err("DTD internal subsets are not accepted".into());
                }
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let end = self
            .rest
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '/' | '>' | '=' | '<'))
            .unwrap_or(self.rest.len());
        let name = self.rest.get(..end).unwrap_or("");
        if name.is_empty() || name.contains(['"', '\'', '&']) {
            return Err("an element or attribute without a valid name".into());
        }
        self.skip(end);
        Ok(local(name).to_string())
    }

    fn element(&mut self, depth: usize) -> Result<Element, String> {
        if depth >= MAX_DEPTH {
            return Err("elements nest too deep".into());
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err("too many elements".into());
        }
        self.skip(1); // the '<' the caller saw
        let raw_start = self.rest;
        let mut el = Element {
            name: self.name()?,
            ..Element::default()
        };
        let raw_name = raw_start
            .get(..raw_start.len() - self.rest.len())
            .unwrap_or("");
        loop {
            self.skip_ws();
            if self.rest.starts_with("/>") {
                self.skip(2);
                return Ok(el);
            }
            if self.rest.starts_with('>') {
                self.skip(1);
                break;
            }
            let name = self.name()?;
            self.skip_ws();
            if !self.rest.starts_with('=') {
                return Err(format!("attribute {name} has no value"));
            }
            self.skip(1);
            self.skip_ws();
            let quote = match self.rest.chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return Err(format!("attribute {name} is not quoted")),
            };
            self.skip(1);
            let end = self
                .rest
                .find(quote)
                .ok_or_else(|| format!("attribute {name} is not closed"))?;
            let raw = self.rest.get(..end).unwrap_or("");
            if raw.contains('<') {
                return Err(format!("attribute {name} holds '<'"));
            }
            let value = decode(raw)?;
            self.skip(end + 1);
            el.attrs.push((name, value));
        }
        loop {
            if self.rest.starts_with("</") {
                self.skip(2);
                let close = self.rest;
                let end = close.find('>').ok_or("unterminated end tag")?;
                let closing = close.get(..end).unwrap_or("").trim_end();
                if closing != raw_name {
                    return Err(format!("</{closing}> closes <{raw_name}>"));
                }
                self.skip(end + 1);
                return Ok(el);
            } else if self.rest.starts_with("<!--") {
                self.skip_past("-->", "comment")?;
            } else if self.rest.starts_with("<![CDATA[") {
                self.skip(9);
                let text = self.skip_past("]]>", "CDATA section")?;
                el.text.push_str(text);
            } else if self.rest.starts_with("<?") {
                self.skip_past("?>", "processing instruction")?;
            } else if self.rest.starts_with('<') {
                let child = self.element(depth + 1)?;
                el.children.push(child);
            } else if self.rest.is_empty() {
                return Err(format!("<{raw_name}> is not closed"));
            } else {
                let end = self.rest.find('<').unwrap_or(self.rest.len());
                let text = decode(self.rest.get(..end).unwrap_or(""))?;
                el.text.push_str(&text);
                self.skip(end);
            }
        }
    }
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// Replaces entity and character references.
fn decode(raw: &str) -> Result<String, String> {
    if !raw.contains('&') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at + 1..).unwrap_or("");
        let end = after.find(';').ok_or("an unterminated entity")?;
        let entity = after.get(..end).unwrap_or("");
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown entity &{entity};"))?
            }
        };
        out.push(c);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_text_and_entities() {
        let doc = "<?xml version=\"1.0\"?>\n<!-- hi -->\n<a:root xmlns:a='urn:x' v=\"1 &amp; 2\">\
                   <b>x &lt; y&#x41;&#66;</b><c/><d><![CDATA[<raw>]]></d></a:root>\n";
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "root");
        assert_eq!(root.attr("v"), Some("1 & 2"));
        assert_eq!(root.child_text("b").as_deref(), Some("x < yAB"));
        assert!(root.child("c").is_some());
        assert_eq!(root.child_text("d").as_deref(), Some("<raw>"));
    }

    #[test]
    fn bad_documents_are_errors_not_panics() {
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        for doc in [
            "",
            "text",
            "<a>",
            "<a></b>",
            "<a b></a>",
            "<a b=c></a>",
            "<a b=\"c></a>",
            "<a>&bogus;</a>",
            "<a>&#xZZ;</a>",
            "<a>&#1114112;</a>",
            "<a/><b/>",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a/>",
            "<a><!-- never closed</a>",
            "<a><![CDATA[ open</a>",
            "<a>&amp</a>",
            "<é/>",
            "<a\u{0}/>",
            deep.as_str(),
            "<a x='<'/>",
            "<>",
            "</a>",
        ] {
            let _ = parse(doc); // must not panic
        }
        assert!(parse(&deep).is_err());
        assert!(parse("<a></b>").is_err());
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>").is_err());
    }

    #[test]
    fn every_prefix_of_a_document_is_handled() {
        let doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity=\"sip:a@b\">\
                   <tuple id=\"t\"><status><basic>open</basic></status></tuple></presence>";
        for end in 0..doc.len() {
            if let Some(prefix) = doc.get(..end) {
                assert!(parse(prefix).is_err(), "{prefix}");
            }
        }
        assert!(parse(doc).is_ok());
    }
}
