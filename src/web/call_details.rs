//! `SoftphoneCall`'s getters for what an incoming INVITE said: `[name, value]` header
//! pairs, the asserted identity, Alert-Info and Call-Info (their shapes are in `shapes/`).

use wasm_bindgen::prelude::*;

use super::call::SoftphoneCall;
use super::shapes::{identity, pairs, strings};

#[wasm_bindgen]
impl SoftphoneCall {
    /// The SIP Call-ID of the call's INVITE.
    #[wasm_bindgen(getter, js_name = sipCallId)]
    pub fn sip_call_id(&self) -> String {
        self.info().borrow().sip_call_id.clone()
    }

    /// An incoming call's INVITE headers, in order, as `[name, value]` pairs
    /// (credentials removed); empty for an outgoing call.
    #[wasm_bindgen(getter, js_name = requestHeaders, unchecked_return_type = "ReadonlyArray<readonly [string, string]>")]
    pub fn request_headers(&self) -> JsValue {
        let details = self.info().borrow().details.clone();
        pairs(details.as_deref().map_or(&[], |d| &d.headers[..]))
    }

    /// The identity the PBX asserts for the caller (P-Asserted-Identity, else
    /// Remote-Party-ID), or `null`.
    #[wasm_bindgen(getter, unchecked_return_type = "SoftphoneIdentity | null")]
    pub fn identity(&self) -> JsValue {
        let details = self.info().borrow().details.clone();
        details
            .and_then(|d| d.identity.as_ref().map(identity))
            .unwrap_or(JsValue::NULL)
    }

    /// The incoming INVITE's `Alert-Info` values (ring tone, auto-answer hints).
    #[wasm_bindgen(getter, js_name = alertInfo, unchecked_return_type = "readonly string[]")]
    pub fn alert_info(&self) -> JsValue {
        let details = self.info().borrow().details.clone();
        strings(details.as_deref().map_or(&[], |d| &d.alert_info[..]))
    }

    /// The incoming INVITE's `Call-Info` values.
    #[wasm_bindgen(getter, js_name = callInfo, unchecked_return_type = "readonly string[]")]
    pub fn call_info(&self) -> JsValue {
        let details = self.info().borrow().details.clone();
        strings(details.as_deref().map_or(&[], |d| &d.call_info[..]))
    }

    /// Seconds after which the PBX asks to answer by itself (`answer-after=`,
    /// `info=alert-autoanswer`), or `null`: the application decides whether to honour it.
    #[wasm_bindgen(getter, js_name = autoAnswerAfter)]
    pub fn auto_answer_after(&self) -> Option<u32> {
        self.info()
            .borrow()
            .details
            .as_ref()
            .and_then(|d| d.auto_answer_after)
    }
}
