//! One tab at a time writes the browser storage: a Web Lock, held for the page's life, decides
//! which. A second tab of the same gallery only shows it, and says so.
//!
//! Without the lock two tabs would each keep their own copy of the ledger's chain and of the
//! feedback record numbers, and write over each other's records: the ledger would read as
//! damaged and ratings would be lost.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The lock's name: one per site, as the storage is.
const LOCK: &str = "vernissage-storage";
/// How long a page waits for the lock before it decides another tab has it. A reloading page's
/// previous document lets go of it well within this.
const WAIT_MS: i32 = 2500;

/// Why a tab that does not hold the storage refuses to rate, buy or publish.
pub const ANOTHER_TAB: &str = "this gallery is open in another tab of this browser, which keeps \
     what is done in it; close that tab and reload this page to rate, buy and publish here";

/// Claims the browser storage for this page: true when this page may write it. False when
/// another tab holds it; should that tab close later, this page takes the lock over and
/// `on_freed` runs (the page's copy is older than the storage by then, so it asks for a
/// reload rather than writing). Browsers without Web Locks, and pages outside a secure context,
/// get true: there is nothing to coordinate with.
pub async fn claim(on_freed: impl FnOnce() + 'static) -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    let locks = Reflect::get(&window.navigator(), &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    let Some(request) = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return true;
    };
    // None until decided; the first of the grant and the time-out decides.
    let decided: Rc<Cell<Option<bool>>> = Rc::default();
    let on_freed = Rc::new(RefCell::new(Some(on_freed)));
    let answer = Promise::new(&mut |resolve: Function, _reject: Function| {
        let decide = {
            let decided = decided.clone();
            move |mine: bool| {
                if decided.get().is_none() {
                    decided.set(Some(mine));
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(mine));
                    true
                } else {
                    false
                }
            }
        };
        let granted = {
            let decide = decide.clone();
            let on_freed = on_freed.clone();
            Closure::once_into_js(move |_lock: JsValue| -> JsValue {
                if !decide(true)
                    && let Some(on_freed) = on_freed.borrow_mut().take()
                {
                    on_freed();
                }
                // Resolves never: the lock is held until the page closes.
                Promise::new(&mut |_, _| {}).into()
            })
        };
        if request
            .call2(&locks, &JsValue::from_str(LOCK), &granted)
            .is_err()
        {
            decide(true);
            return;
        }
        let give_up = Closure::once_into_js({
            let decide = decide.clone();
            move || {
                decide(false);
            }
        });
        if window
            .set_timeout_with_callback_and_timeout_and_arguments_0(give_up.unchecked_ref(), WAIT_MS)
            .is_err()
        {
            decide(true);
        }
    });
    JsFuture::from(answer)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}
