//! `phone.diagnose()`: the same checks as [`diagnose`](super::diagnose), with the
//! phone's own servers, address of record and ICE servers.

use crate::web::to_promise;
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::web::Softphone;

#[wasm_bindgen]
impl Softphone {
    /// Checks the phone's WebSocket servers (upgrade, SIP OPTIONS, answering a digest
    /// challenge with the phone's credentials) and every STUN/TURN URL it would use (the configured ones and those of `iceServersUrl`), each alone,
    /// bounded by `options.timeout` seconds (default 10). Does not touch the phone's own
    /// connection or calls. Resolves with a `SoftphoneDiagnosis`.
    ///
    /// # Errors
    /// The promise rejects with a `TypeError` for malformed options.
    #[wasm_bindgen(skip_typescript)]
    pub fn diagnose(&self, options: JsValue) -> Promise {
        let (servers, aor, configured, provider) = self.driver.diagnose_targets();
        let config = Object::new();
        let set = |k: &str, v: &JsValue| {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&config, &k.into(), v);
        };
        let urls: Array = servers.iter().map(|s| JsValue::from_str(s)).collect();
        set("servers", &urls);
        set("uri", &aor.into());
        let ice = Array::new();
        for s in &configured {
            let obj = Object::new();
            let urls: Array = s.urls.iter().map(|u| JsValue::from_str(u)).collect();
            let _ = Reflect::set(&obj, &"urls".into(), &urls);
            if let Some(u) = &s.username {
                let _ = Reflect::set(&obj, &"username".into(), &u.into());
            }
            if let Some(c) = &s.credential {
                let _ = Reflect::set(&obj, &"credential".into(), &c.expose().into());
            }
            ice.push(&obj);
        }
        if let Some(provider) = &provider {
            let fetched = provider.current();
            if fetched.length() == 0 {
                // Not started, or nothing fetched yet: fetch once for the diagnosis.
                if let Some(url) = provider.url() {
                    set("iceServersUrl", &url.into());
                }
            }
            for s in fetched.iter() {
                ice.push(&s);
            }
        }
        set("iceServers", &ice);
        if options.is_object() {
            for k in ["timeout", "iceTimeout"] {
                if let Ok(v) = Reflect::get(&options, &k.into()) {
                    if !v.is_undefined() {
                        set(k, &v);
                    }
                }
            }
        }
        let config: JsValue = config.into();
        to_promise(super::run_js(config, self.driver.diagnose_credentials()))
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_PHONE_DIAGNOSE: &'static str = r#"
export interface Softphone {
  /**
   * Checks this phone's WebSocket servers (upgrade, SIP OPTIONS) and every STUN/TURN URL it
   * would use, each alone, bounded by `timeout` seconds (default 10).
   */
  diagnose(options?: { timeout?: number; iceTimeout?: number }): Promise<SoftphoneDiagnosis>;
}
"#;
