//! Page and network lifecycle listeners: `online` / `offline`, and the signs that the
//! page was paused (`pageshow` from the back/forward cache, `resume` after a freeze,
//! `visibilitychange` to visible). Attached on `start()`, removed when stopped or freed.

use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

use super::work::{Feeder, Work};

struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

/// The attached listeners; dropping this removes them.
pub(crate) struct PageListeners {
    listeners: Vec<Listener>,
}

impl PageListeners {
    /// Attaches the listeners, where there is a window (none in a worker).
    pub(crate) fn attach(feeder: &Feeder) -> PageListeners {
        let mut listeners = Vec::new();
        let Some(window) = web_sys::window() else {
            return PageListeners { listeners };
        };
        let win: EventTarget = window.clone().into();
        let mut add = |target: &EventTarget,
                       kind: &'static str,
                       work: fn(&web_sys::Event) -> Option<Work>| {
            let f = feeder.clone();
            let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                if let Some(w) = work(&e) {
                    f.feed(w);
                }
            });
            if target
                .add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())
                .is_ok()
            {
                listeners.push(Listener {
                    target: target.clone(),
                    kind,
                    callback,
                });
            }
        };
        add(&win, "online", |_| Some(Work::Online));
        add(&win, "offline", |_| Some(Work::Offline));
        add(&win, "pageshow", |e| {
            let persisted = js_sys::Reflect::get(e, &"persisted".into())
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            persisted.then_some(Work::PageResumed)
        });
        if let Some(document) = window.document() {
            let doc: EventTarget = document.into();
            add(&doc, "resume", |_| Some(Work::PageResumed));
            add(&doc, "visibilitychange", |_| {
                let visible = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                Some(if visible {
                    Work::PageVisible
                } else {
                    Work::PageHidden
                })
            });
        }
        PageListeners { listeners }
    }
}

impl Drop for PageListeners {
    fn drop(&mut self) {
        for l in &self.listeners {
            let _ = l
                .target
                .remove_event_listener_with_callback(l.kind, l.callback.as_ref().unchecked_ref());
        }
    }
}
