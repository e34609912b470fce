//! One reading of a call's statistics: `getStats()` through the call's [`CallQuality`],
//! and the warnings that changed handed to `emit`. The core decides when (it asks for a
//! media sample every second of a confirmed call); `call.getStats()` reads the same way.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::RtcPeerConnection;

use super::CallQuality;
use crate::core::quality::WarningChange;

/// Where warning changes go (the driver turns them into `quality` events).
pub type Emit = Rc<dyn Fn(Vec<WarningChange>)>;

/// Takes one report of `pc` into `quality`, with what the core last said is expected
/// (`(inbound, outbound)`); returns the `SoftphoneCallStats` object and hands the
/// changed warnings to `emit`.
///
/// # Errors
/// The browser's rejection of `getStats()` (a closed connection).
pub async fn sample(
    pc: &RtcPeerConnection,
    quality: &RefCell<CallQuality>,
    emit: &Emit,
    expected: (bool, bool),
) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    let report = CallQuality::get_stats(pc).await?;
    let now = crate::web::clock::perf_now_ms();
    let (stats, changes) = quality
        .borrow_mut()
        .take(&report, now, expected.0, expected.1);
    if !changes.is_empty() {
        emit(changes);
    }
    Ok(stats)
}
