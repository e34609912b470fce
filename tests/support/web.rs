//! Helpers the browser tests share (they include this file by path: the transcript
//! harness in `mod.rs` is the core's).

use wasm_bindgen_futures::JsFuture;

/// Waits `ms` milliseconds of the page's clock.
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timer");
    });
    JsFuture::from(p).await.expect("the timer fires");
}
