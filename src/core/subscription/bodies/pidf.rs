//! `application/pidf+xml` (RFC 3863), the body of presence, with the RPID
//! activities (RFC 4480) Asterisk puts in a `dm:person` (RFC 4479).
//!
//! Asterisk (res_pjsip_pidf_body_generator.c) writes one `<tuple>` with
//! `<status><basic>open|closed</basic></status>`, a `<note>` (`Ready`, `On the
//! phone`, `Ringing`, `Unavailable`...), and `<dm:person><rpid:activities>` holding
//! an activity element such as `<rpid:on-the-phone/>` or `<rpid:away/>`.

use super::xml::{self, Element};

/// A presence document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// The presentity (`entity`).
    pub entity: String,
    /// `open` in any tuple's basic status (reachable); `false` when all are closed.
    pub open: bool,
    /// Every `<note>` (of the document, its tuples and persons), trimmed, in order.
    pub notes: Vec<String>,
    /// RPID activities by local name (`on-the-phone`, `away`, `busy`...).
    pub activities: Vec<String>,
}

impl Presence {
    /// Parses a document.
    ///
    /// # Errors
    /// Not XML, or not a `presence` document.
    pub fn parse(body: &str) -> Result<Presence, String> {
        let root = xml::parse(body)?;
        if root.name != "presence" {
            return Err(format!("root element is <{}>, not <presence>", root.name));
        }
        let mut notes = Vec::new();
        let mut activities = Vec::new();
        let mut open = false;
        collect_notes(&root, &mut notes);
        for tuple in root.children_named("tuple") {
            collect_notes(tuple, &mut notes);
            let basic = tuple.child("status").and_then(|s| s.child_text("basic"));
            open |= basic.is_some_and(|b| b.eq_ignore_ascii_case("open"));
        }
        for person in root.children_named("person") {
            collect_notes(person, &mut notes);
            for acts in person.children_named("activities") {
                activities.extend(acts.children.iter().map(|a| a.name.clone()));
            }
        }
        Ok(Presence {
            entity: root.attr("entity").unwrap_or("").to_string(),
            open,
            notes,
            activities,
        })
    }
}

fn collect_notes(el: &Element, notes: &mut Vec<String>) {
    notes.extend(
        el.children_named("note")
            .map(|n| n.text.trim().to_string())
            .filter(|n| !n.is_empty()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_presence() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <presence entity=\"sip:1002@pbx\" xmlns=\"urn:ietf:params:xml:ns:pidf\" \
            xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\">\n \
            <note>On the phone</note>\n <tuple id=\"1002\">\n  <status>\n   <basic>open</basic>\n  </status>\n  \
            <contact priority=\"1\">sip:1002@pbx</contact>\n </tuple>\n \
            <dm:person><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>\n</presence>\n";
        let p = Presence::parse(doc).unwrap();
        assert!(p.open);
        assert_eq!(p.entity, "sip:1002@pbx");
        assert_eq!(p.notes, ["On the phone"]);
        assert_eq!(p.activities, ["on-the-phone"]);
        let closed = Presence::parse(
            "<presence entity='sip:x@y'><tuple id='a'><status><basic>closed</basic></status><note>Away</note></tuple></presence>",
        )
        .unwrap();
        assert!(!closed.open);
        assert_eq!(closed.notes, ["Away"]);
        assert!(Presence::parse("<dialog-info/>").is_err());
    }
}
