//! The call API in a real browser (Chrome and Firefox, through `wasm-pack test`), with
//! no server: errors and their codes, the call configuration fields, and the call event
//! types. Calls through a real server are the e2e tests' (tests/e2e/calls.test.mjs).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use softphone_core::web::Softphone;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str =
    r#""servers":"ws://127.0.0.1:29871/ws","uri":"sip:a@softphone.test","logLevel":"off""#;

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get_str(v: &JsValue, key: &str) -> String {
    Reflect::get(v, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn phone(extra: &str) -> Result<Softphone, JsValue> {
    let comma = if extra.is_empty() { "" } else { "," };
    Softphone::new(js(&format!("{{{BASE}{comma}{extra}}}")))
}

/// The (name, code) of a thrown `SoftphoneCallError`.
fn call_error(e: JsValue) -> (String, String) {
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    (get_str(&e, "name"), get_str(&e, "code"))
}

#[wasm_bindgen_test]
fn calling_before_start_is_not_connected() {
    let phone = phone("").expect("config");
    let err = phone.call("bob", None).err().expect("no connection");
    assert_eq!(
        call_error(err),
        ("SoftphoneCallError".into(), "notConnected".into())
    );
    assert!(phone.calls().is_empty());
    assert!(phone.get_call(1.0).is_none());
    assert!(phone.get_call(f64::NAN).is_none());
    assert!(phone.get_call(-1.0).is_none());
}

#[wasm_bindgen_test]
fn bad_call_options_are_invalid_values() {
    let phone = phone("").expect("config");
    for options in [
        r#"{"vidoe":true}"#,
        r#"{"video":"yes"}"#,
        r#"{"headers":["X-A: b"]}"#,
        r#"{"headers":{"X-A":1}}"#,
        r#""video""#,
    ] {
        let err = phone.call("bob", Some(js(options))).err().expect(options);
        assert_eq!(call_error(err).1, "invalidValue", "{options}");
    }
}

#[wasm_bindgen_test]
fn call_and_quality_events_can_be_subscribed() {
    let phone = phone("").expect("config");
    let noop = Function::new_no_args("");
    assert!(phone.on("call", noop.clone().into()).is_ok());
    assert!(phone.on("quality", noop.clone().into()).is_ok());
    assert!(phone.on("calls", noop.into()).is_err());
}

#[wasm_bindgen_test]
fn call_configuration_is_accepted() {
    phone(
        r#""iceServers":[{"urls":"stun:stun.example.com:3478"},
            {"urls":["turn:turn.example.com:3478?transport=udp","turns:turn.example.com:443"],
             "username":"u","credential":"c"}],
           "iceServersUrl":"https://example.com/ice","iceTransportPolicy":"relay",
           "iceGatheringTimeout":1.5,"iceDisconnectedGrace":3,"iceRecoveryLimit":20,
           "sessionExpires":0,"noAnswerTimeout":30,"prewarm":false"#,
    )
    .expect("every call field is known");
}

/// (field, message) of a rejected configuration.
fn config_error(extra: &str) -> (String, String) {
    let e = phone(extra).err().expect(extra);
    (get_str(&e, "field"), get_str(&e, "message"))
}

#[wasm_bindgen_test]
fn bad_call_configuration_names_the_field() {
    let cases = [
        (
            r#""iceServers":[{"urls":"http://x"}]"#,
            "iceServers[0].urls",
        ),
        (r#""iceServers":[{"urls":[]}]"#, "iceServers[0].urls"),
        (r#""iceServers":[{"url":"stun:x"}]"#, "iceServers[0].url"),
        (r#""iceTransportPolicy":"relayed""#, "iceTransportPolicy"),
        (r#""sessionExpires":30"#, "sessionExpires"),
        (r#""noAnswerTimeout":0"#, "noAnswerTimeout"),
        (r#""iceRecoveryLimit":-1"#, "iceRecoveryLimit"),
    ];
    for (extra, want) in cases {
        let (field, message) = config_error(extra);
        assert_eq!(field, want, "{extra}: {message}");
    }
}

#[wasm_bindgen_test]
fn a_turn_credential_is_never_quoted() {
    let (field, message) =
        config_error(r#""iceServers":[{"urls":"turn:x","username":"u","credential":4711}]"#);
    assert!(field.starts_with("iceServers[0]"), "{field}");
    assert!(!message.contains("4711"), "{message}");
}
