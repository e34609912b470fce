//! `application/dialog-info+xml` (RFC 4235), the body of BLF lamps.
//!
//! Asterisk (res_pjsip_dialog_info_body_generator.c) sends `state="full"` documents
//! with a `version` counting up per subscription, one `<dialog id="<exten>">` with a
//! `<state>` of `terminated` (idle), `early` (ringing), `confirmed` (in use), and on
//! hold a `<local><target uri=..><param pname="+sip.rendering" pvalue="no"/>`. Other
//! notifiers add `direction` and `<remote><identity display="..">uri</identity>`.

use super::xml::{self, Element};

/// What a BLF lamp shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LampState {
    /// No dialog, or only terminated ones.
    Idle,
    /// A dialog is `trying`, `proceeding` or `early`: ringing.
    Ringing,
    /// A dialog is `confirmed`: busy (in a call).
    Busy,
}

/// One `<dialog>` of a dialog-info document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogEntry {
    /// The `id` attribute.
    pub id: String,
    /// `<state>`: `trying`, `proceeding`, `early`, `confirmed` or `terminated`.
    pub state: String,
    /// `direction`: `initiator` (the watched party called) or `recipient` (it is called).
    pub direction: Option<String>,
    /// The other party's URI (`<remote><identity>`), when the notifier says.
    pub remote_identity: Option<String>,
    /// Its display name (the `display` attribute of that identity).
    pub remote_display: Option<String>,
    /// The local target says `+sip.rendering=no`: the call is on hold.
    pub on_hold: bool,
}

/// A dialog-info document, or the state merged from several (partial ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogInfo {
    /// The watched resource (`entity`).
    pub entity: String,
    /// The document's `version`.
    pub version: u32,
    /// The document was `state="full"` (else partial).
    pub full: bool,
    /// The dialogs, in document order (terminated ones dropped after merging).
    pub dialogs: Vec<DialogEntry>,
}

impl DialogInfo {
    /// Parses a document.
    ///
    /// # Errors
    /// Not XML, or not a `dialog-info` document.
    pub fn parse(body: &str) -> Result<DialogInfo, String> {
        let root = xml::parse(body)?;
        if root.name != "dialog-info" {
            return Err(format!(
                "root element is <{}>, not <dialog-info>",
                root.name
            ));
        }
        let version = root
            .attr("version")
            .and_then(|v| v.trim().parse().ok())
            .ok_or("dialog-info without a valid version")?;
        let full = match root.attr("state") {
            Some("full") => true,
            Some("partial") => false,
            _ => return Err("dialog-info state is neither full nor partial".into()),
        };
        let dialogs = root.children_named("dialog").map(entry).collect();
        Ok(DialogInfo {
            entity: root.attr("entity").unwrap_or("").to_string(),
            version,
            full,
            dialogs,
        })
    }

    /// What the lamp shows: busy if any dialog is confirmed, else ringing if any is
    /// being set up, else idle.
    pub fn lamp(&self) -> LampState {
        let states = || self.dialogs.iter().map(|d| d.state.as_str());
        if states().any(|s| s == "confirmed") {
            LampState::Busy
        } else if states().any(|s| matches!(s, "trying" | "proceeding" | "early")) {
            LampState::Ringing
        } else {
            LampState::Idle
        }
    }

    /// The dialog that decides the lamp, for its remote party.
    pub fn active(&self) -> Option<&DialogEntry> {
        let want = match self.lamp() {
            LampState::Busy => "confirmed",
            LampState::Ringing => return self.dialogs.iter().find(|d| d.state != "terminated"),
            LampState::Idle => return None,
        };
        self.dialogs.iter().find(|d| d.state == want)
    }

    /// Merges a newer document into this state (RFC 4235 section 4.1): a full one
    /// replaces it; a partial one updates dialogs by id. Terminated dialogs are
    /// dropped. Returns false (and changes nothing) when `next` is not newer: the
    /// version only goes up within a subscription dialog.
    pub(crate) fn merge(&mut self, next: DialogInfo) -> bool {
        if next.version <= self.version {
            return false;
        }
        if next.full {
            *self = next;
        } else {
            self.version = next.version;
            self.full = false;
            for d in next.dialogs {
                match self.dialogs.iter_mut().find(|e| e.id == d.id) {
                    Some(e) => *e = d,
                    None => self.dialogs.push(d),
                }
            }
        }
        // A single terminated dialog stays (Asterisk's idle document has exactly one,
        // and the application still sees its id); among several, they go.
        if self.dialogs.len() > 1 {
            self.dialogs.retain(|d| d.state != "terminated");
        }
        true
    }
}

fn entry(d: &Element) -> DialogEntry {
    let remote = d.child("remote");
    let identity = remote.and_then(|r| r.child("identity"));
    let on_hold = d
        .child("local")
        .and_then(|l| l.child("target"))
        .is_some_and(|t| {
            t.children_named("param").any(|p| {
                p.attr("pname") == Some("+sip.rendering") && p.attr("pvalue") == Some("no")
            })
        });
    DialogEntry {
        id: d.attr("id").unwrap_or("").to_string(),
        state: d
            .child_text("state")
            .unwrap_or_default()
            .to_ascii_lowercase(),
        direction: d.attr("direction").map(str::to_string),
        remote_identity: identity
            .map(|i| i.text.trim().to_string())
            .filter(|t| !t.is_empty())
            .or_else(|| {
                remote
                    .and_then(|r| r.child("target"))
                    .and_then(|t| t.attr("uri"))
                    .map(str::to_string)
            }),
        remote_display: identity.and_then(|i| i.attr("display")).map(str::to_string),
        on_hold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASTERISK_IDLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"0\" state=\"full\" entity=\"sip:1002@pbx\">\n \
        <dialog id=\"1002\">\n  <state>terminated</state>\n </dialog>\n</dialog-info>\n";

    #[test]
    fn asterisk_idle_ringing_busy_and_hold() {
        let idle = DialogInfo::parse(ASTERISK_IDLE).unwrap();
        assert_eq!(
            (idle.version, idle.full, idle.lamp()),
            (0, true, LampState::Idle)
        );
        assert_eq!(idle.entity, "sip:1002@pbx");
        let ringing = ASTERISK_IDLE
            .replace("terminated", "early")
            .replace("version=\"0\"", "version=\"1\"");
        let mut state = idle.clone();
        assert!(state.merge(DialogInfo::parse(&ringing).unwrap()));
        assert_eq!(state.lamp(), LampState::Ringing);
        let held = "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"2\" state=\"full\" entity=\"sip:1002@pbx\">\
            <dialog id=\"1002\" direction=\"recipient\"><state>confirmed</state>\
            <remote><identity display=\"Bob &amp; Co\">sip:1003@pbx</identity></remote>\
            <local><target uri=\"sip:1002@pbx\"><param pname=\"+sip.rendering\" pvalue=\"no\"/></target></local>\
            </dialog></dialog-info>";
        assert!(state.merge(DialogInfo::parse(held).unwrap()));
        assert_eq!(state.lamp(), LampState::Busy);
        let d = state.active().unwrap();
        assert_eq!(d.remote_identity.as_deref(), Some("sip:1003@pbx"));
        assert_eq!(d.remote_display.as_deref(), Some("Bob & Co"));
        assert!(d.on_hold);
        assert_eq!(d.direction.as_deref(), Some("recipient"));
    }

    #[test]
    fn partial_documents_merge_by_dialog_id_and_old_ones_are_ignored() {
        let full = "<dialog-info version=\"5\" state=\"full\" entity=\"sip:a@b\">\
            <dialog id=\"x\"><state>confirmed</state></dialog></dialog-info>";
        let mut state = DialogInfo::parse(full).unwrap();
        let partial = |v: u32, id: &str, st: &str| {
            DialogInfo::parse(&format!(
                "<dialog-info version=\"{v}\" state=\"partial\" entity=\"sip:a@b\">\
                 <dialog id=\"{id}\"><state>{st}</state></dialog></dialog-info>"
            ))
            .unwrap()
        };
        assert!(state.merge(partial(6, "y", "early")));
        assert_eq!(state.dialogs.len(), 2);
        assert!(!state.merge(partial(6, "x", "terminated")), "not newer");
        assert!(state.merge(partial(7, "x", "terminated")));
        assert_eq!(state.lamp(), LampState::Ringing);
        assert!(state.merge(partial(8, "y", "terminated")));
        assert_eq!(state.lamp(), LampState::Idle);
    }

    #[test]
    fn bad_documents_are_errors() {
        for doc in [
            "<presence/>",
            "<dialog-info state=\"full\"/>",
            "<dialog-info version=\"x\" state=\"full\"/>",
            "<dialog-info version=\"1\" state=\"odd\"/>",
            "<dialog-info version=\"1\" state=\"full\">",
        ] {
            assert!(DialogInfo::parse(doc).is_err(), "{doc}");
        }
    }
}
