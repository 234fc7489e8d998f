//! IndexedDB as futures: open the gallery's database, read a whole store, write one record.
//!
//! Keys are arrays `[exhibition, n]` so that records sort by exhibition, then by sequence
//! number; values are strings (feedback lines, models) or byte arrays (ledger entries).

use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

/// The database's name and schema version (a new store means a new version).
pub const DB_NAME: &str = "vernissage";
pub const DB_VERSION: u32 = 1;

/// Feedback events, one record per event: `[exhibition, sequence]` → the store line.
pub const FEEDBACK: &str = "feedback";
/// Ledger entries, one record per entry: `[exhibition, index]` → the entry's bytes, and
/// `[exhibition, "head"]` → the signed HEAD.
pub const LEDGER: &str = "ledger";
/// Saved scoring models: `[exhibition, 0]` → the model's RON text.
pub const MODELS: &str = "models";
/// The browser's ledger signing key: `["ledger-key", 0]` → 32 bytes.
pub const KEYS: &str = "keys";

pub const STORES: [&str; 4] = [FEEDBACK, LEDGER, MODELS, KEYS];

/// A JavaScript error as text.
pub fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Resolves with the request's result once it succeeds.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let target = request.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let ok = target.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = target.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("request failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        target.set_onsuccess(Some(on_success.unchecked_ref()));
        target.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

/// Resolves once a transaction has committed (its data is durable), or fails with why.
pub fn committed(transaction: &IdbTransaction) -> JsFuture {
    let target = transaction.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = target.clone();
        let reject_abort = reject.clone();
        let failed_abort = target.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed
                .error()
                .map_or(JsValue::from_str("transaction failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed_abort
                .error()
                .map_or(JsValue::from_str("transaction aborted"), JsValue::from);
            let _ = reject_abort.call1(&JsValue::NULL, &error);
        });
        target.set_oncomplete(Some(on_complete.unchecked_ref()));
        target.set_onerror(Some(on_error.unchecked_ref()));
        target.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Opens (creating or upgrading) the gallery's database.
pub async fn open() -> Result<IdbDatabase, String> {
    let window = web_sys::window().ok_or("no window")?;
    let factory = window
        .indexed_db()
        .map_err(|e| describe(&e))?
        .ok_or("this browser has no IndexedDB (private mode?)")?;
    let request: IdbOpenDbRequest = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|e| describe(&e))?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        let Ok(result) = upgrading.result() else {
            return;
        };
        let db: IdbDatabase = result.unchecked_into();
        for store in STORES {
            // A store that already exists (a later schema version) refuses; that is fine.
            let _ = db.create_object_store(store);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db = finished(&request).await?;
    Ok(db.unchecked_into())
}

/// A record's key: `[exhibition, n]`.
pub fn key(exhibition: &str, n: f64) -> JsValue {
    Array::of2(&JsValue::from_str(exhibition), &JsValue::from_f64(n)).into()
}

/// A named record's key: `[exhibition, name]`.
pub fn named_key(exhibition: &str, name: &str) -> JsValue {
    Array::of2(&JsValue::from_str(exhibition), &JsValue::from_str(name)).into()
}

/// One stored record: its key parts and its value.
pub struct Record {
    pub exhibition: String,
    /// The sequence number, or `None` for a named record.
    pub n: Option<f64>,
    pub name: Option<String>,
    pub value: JsValue,
}

impl Record {
    pub fn text(&self) -> Option<String> {
        self.value.as_string()
    }

    pub fn bytes(&self) -> Option<Vec<u8>> {
        self.value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
    }
}

/// Every record of a store, in key order.
pub async fn read_all(db: &IdbDatabase, store: &str) -> Result<Vec<Record>, String> {
    let transaction = db
        .transaction_with_str_and_mode(store, IdbTransactionMode::Readonly)
        .map_err(|e| describe(&e))?;
    let object_store = transaction.object_store(store).map_err(|e| describe(&e))?;
    let keys = finished(&object_store.get_all_keys().map_err(|e| describe(&e))?).await?;
    let values = finished(&object_store.get_all().map_err(|e| describe(&e))?).await?;
    let keys: Array = keys.unchecked_into();
    let values: Array = values.unchecked_into();
    let mut out = Vec::with_capacity(keys.length() as usize);
    for (key, value) in keys.iter().zip(values.iter()) {
        let Some(parts) = key.dyn_ref::<Array>() else {
            continue;
        };
        let Some(exhibition) = parts.get(0).as_string() else {
            continue;
        };
        let second = parts.get(1);
        out.push(Record {
            exhibition,
            n: second.as_f64(),
            name: second.as_string(),
            value,
        });
    }
    Ok(out)
}

/// Writes records in one transaction; the future resolves once it has committed.
pub fn write(
    db: &IdbDatabase,
    store: &str,
    records: &[(JsValue, JsValue)],
) -> Result<JsFuture, String> {
    let transaction = db
        .transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)
        .map_err(|e| describe(&e))?;
    let object_store = transaction.object_store(store).map_err(|e| describe(&e))?;
    for (key, value) in records {
        object_store
            .put_with_key(value, key)
            .map_err(|e| describe(&e))?;
    }
    Ok(committed(&transaction))
}

/// Bytes as a JavaScript `Uint8Array` value.
pub fn bytes_value(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}
