//! The JavaScript shapes of what an incoming INVITE said: `[name, value]` header pairs
//! and the asserted identity.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::call::SoftphoneCall;
use crate::core::{Identity, IdentitySource};

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

/// `[[name, value], ...]`, in order.
pub(crate) fn pairs(headers: &[(String, String)]) -> JsValue {
    let out = Array::new();
    for (name, value) in headers {
        let pair = Array::new();
        pair.push(&name.into());
        pair.push(&value.into());
        out.push(&pair);
    }
    out.into()
}

/// `string[]`.
pub(crate) fn strings(values: &[String]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from_str(v))
        .collect::<Array>()
        .into()
}

/// `{ uri, displayName?, source: 'pAssertedIdentity' | 'remotePartyId' }`.
pub(crate) fn identity(identity: &Identity) -> JsValue {
    let o = Object::new();
    // Setting properties on a fresh object cannot fail.
    let _ = Reflect::set(&o, &"uri".into(), &identity.uri.as_str().into());
    if let Some(name) = &identity.display_name {
        let _ = Reflect::set(&o, &"displayName".into(), &name.as_str().into());
    }
    let source = match identity.source {
        IdentitySource::PAssertedIdentity => "pAssertedIdentity",
        IdentitySource::RemotePartyId => "remotePartyId",
    };
    let _ = Reflect::set(&o, &"source".into(), &source.into());
    o.into()
}
