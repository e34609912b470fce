//! The browser driver in a real browser (Chrome and Firefox, through `wasm-pack test`):
//! configuration errors, event delivery order, `stop()` and a refused socket.
//! Uses only 127.0.0.1; no server needs to run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
#![cfg(target_arch = "wasm32")]

#[path = "support/web.rs"]
mod web_support;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect, JSON};
use softphone_core::web::{Softphone, INSTANCE_ID_STORAGE_KEY};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_support::sleep;

wasm_bindgen_test_configure!(run_in_browser);

/// A loopback port nothing listens on (high, so no browser treats it as a bad port).
const CLOSED_PORT_URL: &str = "ws://127.0.0.1:29871/ws";

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn get_str(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

/// Constructs a phone expecting failure; returns (field, message) of the error.
fn config_error(json: &str) -> (String, String) {
    match Softphone::new(js(json)) {
        Ok(_) => panic!("config accepted: {json}"),
        Err(e) => {
            assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
            (get_str(&e, "field"), get_str(&e, "message"))
        }
    }
}

/// Collects the events of one type.
struct Recorder {
    events: Rc<RefCell<Vec<JsValue>>>,
    _closure: Closure<dyn FnMut(JsValue)>,
}

impl Recorder {
    fn new(phone: &Softphone, kind: &str) -> Recorder {
        let events = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&events);
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            sink.borrow_mut().push(e);
        });
        let f: &Function = closure.as_ref().unchecked_ref();
        phone.on(kind, f.clone().into()).expect("subscribe");
        Recorder {
            events,
            _closure: closure,
        }
    }

    fn states(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .map(|e| get_str(e, "state"))
            .collect()
    }

    /// Waits (at most `ms`) until `n` events with `state` have arrived.
    async fn wait_count(&self, state: &str, n: usize, ms: i32) {
        let mut waited = 0;
        while self.states().iter().filter(|s| *s == state).count() < n {
            assert!(
                waited < ms,
                "not {n} {state:?} events within {ms} ms; got {:?}",
                self.states()
            );
            sleep(20).await;
            waited += 20;
        }
    }

    /// Waits (at most `ms`) for an event with `state`, returning it.
    async fn wait_for(&self, state: &str, ms: i32) -> JsValue {
        let mut waited = 0;
        loop {
            if let Some(e) = self
                .events
                .borrow()
                .iter()
                .find(|e| get_str(e, "state") == state)
            {
                return e.clone();
            }
            assert!(
                waited < ms,
                "no {state:?} event within {ms} ms; got {:?}",
                self.states()
            );
            sleep(20).await;
            waited += 20;
        }
    }
}

#[wasm_bindgen_test]
fn missing_uri_is_named() {
    let (field, message) = config_error(r#"{"servers":"ws://127.0.0.1:29871/ws"}"#);
    assert_eq!(field, "uri", "{message}");
    assert!(message.contains("uri"), "{message}");
}

#[wasm_bindgen_test]
fn unknown_field_is_named() {
    let (field, message) = config_error(
        r#"{"servers":"ws://127.0.0.1:29871/ws","uri":"sip:a@softphone.test","regiserExpires":60}"#,
    );
    assert_eq!(field, "regiserExpires");
    assert!(message.contains("regiserExpires"), "{message}");
}

#[wasm_bindgen_test]
fn nested_field_is_named() {
    let (field, message) = config_error(
        r#"{"servers":[{"uri":"ws://127.0.0.1:1/ws","wieght":1}],"uri":"sip:a@softphone.test"}"#,
    );
    assert!(field.starts_with("servers[0]"), "{field}: {message}");
    assert!(message.contains("wieght"), "{message}");
    let (field, _) = config_error(
        r#"{"servers":"ws://127.0.0.1:1/ws","uri":"sip:a@softphone.test","keepaliveInterval":-1}"#,
    );
    assert_eq!(field, "keepaliveInterval");
    let (field, _) = config_error(
        r#"{"servers":"ws://127.0.0.1:1/ws","uri":"sip:a@softphone.test","logLevel":"verbose"}"#,
    );
    assert_eq!(field, "logLevel");
}

#[wasm_bindgen_test]
fn a_mistyped_password_is_not_quoted() {
    let (field, message) = config_error(
        r#"{"servers":"ws://127.0.0.1:1/ws","uri":"sip:a@softphone.test","password":918273}"#,
    );
    assert_eq!(field, "password");
    assert!(!message.contains("918273"), "{message}");
}

#[wasm_bindgen_test]
fn plain_ws_to_remote_host_is_refused() {
    let (field, message) =
        config_error(r#"{"servers":"ws://pbx.example.com/ws","uri":"sip:a@softphone.test"}"#);
    assert_eq!(field, "servers");
    assert!(message.contains("wss://"), "{message}");
}

#[wasm_bindgen_test]
fn bad_instance_id_is_named() {
    let (field, _) = config_error(
        r#"{"servers":"ws://127.0.0.1:1/ws","uri":"sip:a@softphone.test","instanceId":"not-a-uuid"}"#,
    );
    assert_eq!(field, "instanceId");
}

/// The generated id is kept per tab (`sessionStorage`), never in `localStorage`, which
/// all tabs of the origin share.
#[wasm_bindgen_test]
fn generated_instance_id_is_kept() {
    let config = r#"{"servers":"ws://127.0.0.1:29871/ws","uri":"sip:a@softphone.test"}"#;
    let a = Softphone::new(js(config)).expect("config").instance_id();
    let b = Softphone::new(js(config)).expect("config").instance_id();
    assert_eq!(a.len(), 36, "{a}");
    assert_eq!(a, b);
    let window = web_sys::window().unwrap();
    let stored = window
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(INSTANCE_ID_STORAGE_KEY)
        .unwrap();
    assert_eq!(stored.as_deref(), Some(a.as_str()));
    let shared = window
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(INSTANCE_ID_STORAGE_KEY)
        .unwrap();
    assert_eq!(shared, None, "the id must not be shared with other tabs");
}

#[wasm_bindgen_test]
fn unknown_event_type_throws() {
    let config = r#"{"servers":"ws://127.0.0.1:29871/ws","uri":"sip:a@softphone.test"}"#;
    let phone = Softphone::new(js(config)).expect("config");
    let noop = Function::new_no_args("");
    assert!(phone.on("registred", noop.clone().into()).is_err());
    assert!(phone
        .on("registration", JsValue::from_str("not a function"))
        .is_err());
    assert!(phone.on("registration", noop.into()).is_ok());
}

#[wasm_bindgen_test]
async fn stop_before_start_resolves() {
    let config = r#"{"servers":"ws://127.0.0.1:29871/ws","uri":"sip:a@softphone.test"}"#;
    let phone = Softphone::new(js(config)).expect("config");
    JsFuture::from(phone.stop()).await.expect("stop resolves");
}

/// A socket to a closed loopback port: connecting, then disconnected (open failed),
/// then reconnecting with a delay. Events arrive only after `start()` has returned,
/// a handler may call `stop()`, and nothing happens after `stop()` resolved.
#[wasm_bindgen_test]
async fn closed_port_reports_disconnected_and_reconnecting() {
    let config = format!(
        r#"{{"servers":"{CLOSED_PORT_URL}","uri":"sip:a@softphone.test","password":"pw",
            "reconnect":{{"baseMs":200,"maxMs":400}},"logLevel":"off"}}"#
    );
    let phone = Rc::new(Softphone::new(js(&config)).expect("config"));
    let conn = Recorder::new(&phone, "connection");

    phone.start();
    // Nothing may be delivered from inside `start()`.
    assert!(conn.states().is_empty(), "delivered re-entrantly");

    conn.wait_for("connecting", 2_000).await;
    let gone = conn.wait_for("disconnected", 5_000).await;
    let reason = get(&gone, "reason");
    assert_eq!(get_str(&reason, "kind"), "openFailed");
    assert_eq!(get(&reason, "code").as_f64(), Some(1006.0));
    let again = conn.wait_for("reconnecting", 2_000).await;
    let delay = get(&again, "delayMs").as_f64().unwrap_or(-1.0);
    assert!(delay > 0.0 && delay <= 400.0, "delayMs {delay}");

    // A handler that calls back into the phone: stop() from inside an event.
    let stopped: Rc<RefCell<Option<js_sys::Promise>>> = Rc::default();
    let (p, s) = (Rc::clone(&phone), Rc::clone(&stopped));
    let reenter = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if s.borrow().is_none() {
            *s.borrow_mut() = Some(p.stop());
        }
    });
    phone.on("connection", reenter.as_ref().clone()).unwrap();
    let mut waited = 0;
    while stopped.borrow().is_none() {
        assert!(waited < 5_000, "no connection event to stop from");
        sleep(20).await;
        waited += 20;
    }
    let promise = stopped.borrow().clone().unwrap();
    JsFuture::from(promise).await.expect("stop resolves");

    // After stop: no further attempts.
    let count = conn.events.borrow().len();
    sleep(1_000).await;
    let later: Vec<String> = conn.states()[count..].to_vec();
    assert!(
        !later.iter().any(|s| s == "connecting"),
        "connected again after stop: {later:?}"
    );
}

/// webdriver.json gives both browsers a fake microphone and no permission prompt:
/// `getUserMedia` resolves with a live audio track.
#[wasm_bindgen_test]
async fn fake_microphone_from_webdriver_json() {
    let navigator = get(&js_sys::global(), "navigator");
    let devices = get(&navigator, "mediaDevices");
    let gum: Function = get(&devices, "getUserMedia").unchecked_into();
    let promise = gum
        .call1(&devices, &js(r#"{"audio":true}"#))
        .expect("getUserMedia");
    let stream = JsFuture::from(js_sys::Promise::from(promise))
        .await
        .expect("getUserMedia resolves (fake device, no prompt)");
    let tracks: Function = get(&stream, "getAudioTracks").unchecked_into();
    let tracks: js_sys::Array = tracks.call0(&stream).unwrap().unchecked_into();
    assert_eq!(tracks.length(), 1);
    let track = tracks.get(0);
    assert_eq!(get_str(&track, "readyState"), "live");
    let stop: Function = get(&track, "stop").unchecked_into();
    stop.call0(&track).unwrap();
}

/// A phone (no password) whose server is `CLOSED_PORT_URL`, reconnecting every
/// `reconnect_ms`.
fn closed_port_phone(reconnect_ms: u32) -> Softphone {
    let config = format!(
        r#"{{"servers":"{CLOSED_PORT_URL}","uri":"sip:a@softphone.test",
            "reconnect":{{"baseMs":{reconnect_ms},"maxMs":{reconnect_ms}}},"logLevel":"off"}}"#
    );
    Softphone::new(js(&config)).expect("config")
}

/// Dropping the phone (`free()` in JavaScript) closes its socket and cancels its timer:
/// a phone that was retrying stops retrying.
#[wasm_bindgen_test]
async fn drop_cleans_up() {
    let phone = closed_port_phone(100);
    let conn = Recorder::new(&phone, "connection");
    phone.start();
    conn.wait_for("reconnecting", 5_000).await;
    drop(phone);
    sleep(50).await; // let already-queued events through
    let count = conn.events.borrow().len();
    sleep(800).await;
    assert_eq!(
        conn.events.borrow().len(),
        count,
        "events after drop: {:?}",
        conn.states()
    );
}

/// Runs a line of JavaScript in the page.
fn run_js(code: &str) {
    Function::new_no_args(code)
        .call0(&JsValue::UNDEFINED)
        .expect("script runs");
}

/// `online` and a `pageshow` from the back/forward cache reach the core (which then tries
/// again at once instead of waiting out its backoff), and stop no longer after `stop()`.
#[wasm_bindgen_test]
async fn page_lifecycle_events_reach_the_core_until_stopped() {
    let phone = closed_port_phone(20000);
    let conn = Recorder::new(&phone, "connection");
    let connecting = || conn.states().iter().filter(|s| *s == "connecting").count();
    phone.start();
    conn.wait_for("reconnecting", 5_000).await;
    assert_eq!(connecting(), 1);

    run_js("window.dispatchEvent(new Event('online'))");
    sleep(300).await;
    assert_eq!(connecting(), 2, "online did not retry: {:?}", conn.states());

    conn.wait_count("disconnected", 2, 5_000).await;
    run_js("window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))");
    sleep(300).await;
    assert_eq!(
        connecting(),
        3,
        "pageshow did not retry: {:?}",
        conn.states()
    );

    JsFuture::from(phone.stop()).await.expect("stop resolves");
    run_js("window.dispatchEvent(new Event('online'))");
    sleep(300).await;
    assert_eq!(
        connecting(),
        3,
        "listeners left after stop: {:?}",
        conn.states()
    );
}

/// A handler that throws is reported and does not keep the others from running.
#[wasm_bindgen_test]
async fn a_throwing_handler_does_not_stop_the_others() {
    let config = format!(
        r#"{{"servers":"{CLOSED_PORT_URL}","uri":"sip:a@softphone.test","logLevel":"off"}}"#
    );
    let phone = Softphone::new(js(&config)).expect("config");
    let thrower =
        Function::new_no_args("throw new Error('handler failure (expected by the test)')");
    phone.on("connection", thrower.into()).unwrap();
    let conn = Recorder::new(&phone, "connection");
    phone.start();
    conn.wait_for("connecting", 2_000).await;
    conn.wait_for("disconnected", 5_000).await;
    JsFuture::from(phone.stop()).await.expect("stop resolves");
}
