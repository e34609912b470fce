//! The periodic quality check of one call: every second, `getStats()` through the call's
//! [`CallQuality`], and the warnings that changed handed to `emit`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Interval;
use web_sys::{RtcIceConnectionState, RtcPeerConnection};

use super::CallQuality;
use crate::core::quality::WarningChange;

/// How often a call's statistics are read for quality warnings, ms.
pub const QUALITY_INTERVAL_MS: u32 = 1_000;

/// Where warning changes go (the driver turns them into `quality` events).
pub type Emit = Rc<dyn Fn(Vec<WarningChange>)>;

/// A running periodic check; dropping it stops the checks.
pub struct QualityWatch {
    _interval: Interval,
}

/// Whether the peer connection's ICE is up (`connected` or `completed`).
pub fn ice_connected(pc: &RtcPeerConnection) -> bool {
    matches!(
        pc.ice_connection_state(),
        RtcIceConnectionState::Connected | RtcIceConnectionState::Completed
    )
}

/// Takes one report of `pc` into `quality`; returns the `SoftphoneCallStats` object and
/// hands the changed warnings to `emit`.
///
/// # Errors
/// The browser's rejection of `getStats()` (a closed connection).
pub async fn sample(
    pc: &RtcPeerConnection,
    quality: &RefCell<CallQuality>,
    emit: &Emit,
) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    let report = CallQuality::get_stats(pc).await?;
    let now = crate::web::clock::perf_now_ms();
    let (stats, changes) = quality.borrow_mut().take(&report, now, ice_connected(pc));
    if !changes.is_empty() {
        emit(changes);
    }
    Ok(stats)
}

impl QualityWatch {
    /// Starts checking `pc` every `every_ms`. A check still running when the next is due
    /// is not doubled.
    pub fn start(
        pc: RtcPeerConnection,
        quality: Rc<RefCell<CallQuality>>,
        emit: Emit,
        every_ms: u32,
    ) -> QualityWatch {
        let busy = Rc::new(Cell::new(false));
        let interval = Interval::new(every_ms, move || {
            if busy.replace(true) {
                return;
            }
            let (pc, quality, emit, busy) = (
                pc.clone(),
                Rc::clone(&quality),
                Rc::clone(&emit),
                Rc::clone(&busy),
            );
            wasm_bindgen_futures::spawn_local(async move {
                // A closed connection rejects: the watch is about to be dropped anyway.
                let _ = sample(&pc, &quality, &emit).await;
                busy.set(false);
            });
        });
        QualityWatch {
            _interval: interval,
        }
    }
}
