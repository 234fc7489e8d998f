//! The browser's storage for the game: IndexedDB read once before the game starts, then every
//! write sent on with its completion reported back; settings in localStorage.
//!
//! The game's systems are synchronous and the browser's storage is not, so the whole database
//! is loaded first ([`preload`]) and kept here; writes go to IndexedDB in the background, and
//! the ones that must be durable before the game says "done" (ledger entries) hand back a
//! [`Pending`] to poll.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use wasm_bindgen::JsValue;
use web_sys::IdbDatabase;

use super::idb;

/// Everything stored, as read at start.
#[derive(Default)]
struct Snapshot {
    /// Feedback lines per exhibition, in order.
    feedback: BTreeMap<String, Vec<String>>,
    /// Next feedback record number per exhibition.
    next_feedback: BTreeMap<String, u64>,
    /// Ledger records per exhibition: entries by index, and the HEAD.
    ledger: BTreeMap<String, (Vec<(u64, Vec<u8>)>, Option<Vec<u8>>)>,
    models: BTreeMap<String, String>,
    key: Option<[u8; 32]>,
}

struct Storage {
    db: Option<IdbDatabase>,
    snapshot: Snapshot,
    /// Problems the visitor should see (storage disabled, full), not yet shown.
    warnings: Vec<String>,
    /// Another tab holds the storage ([`super::tabs`]): this one reads it and writes nothing.
    another_tab: bool,
}

thread_local! {
    static STORAGE: RefCell<Option<Storage>> = const { RefCell::new(None) };
}

fn with<R>(f: impl FnOnce(&mut Storage) -> R) -> Option<R> {
    STORAGE.with(|s| s.borrow_mut().as_mut().map(f))
}

/// A problem for the visitor to see (and the log to keep: `take_warnings`' caller logs it).
fn warn_visitor(message: String) {
    with(|s| s.warnings.push(message));
}

/// Reads the whole database; call (and await) before the game starts. Without IndexedDB the
/// game still runs, keeping everything in memory, and says so.
pub async fn preload() {
    let mut snapshot = Snapshot::default();
    let mut warnings = Vec::new();
    let another_tab = !super::tabs::claim(|| {
        warn_visitor(
            "The other tab of this gallery has closed: reload this page to rate, buy and \
             publish here."
                .into(),
        )
    })
    .await;
    if another_tab {
        warnings.push(
            "This gallery is open in another tab of this browser. This tab only shows it: \
             ratings, purchases and publications are kept in the other tab."
                .into(),
        );
    }
    let db = match idb::open().await {
        Ok(db) => Some(db),
        Err(e) => {
            warnings.push(format!(
                "Browser storage is unavailable ({e}): ratings and purchases will not be kept \
                 after this page closes."
            ));
            None
        }
    };
    if let Some(db) = &db {
        match read(db, &mut snapshot).await {
            Ok(()) => {}
            Err(e) => warnings.push(format!("Browser storage could not be read: {e}")),
        }
    }
    STORAGE.with(|s| {
        *s.borrow_mut() = Some(Storage {
            db,
            snapshot,
            warnings,
            another_tab,
        });
    });
}

async fn read(db: &IdbDatabase, snapshot: &mut Snapshot) -> Result<(), String> {
    for record in idb::read_all(db, idb::FEEDBACK).await? {
        let Some(n) = record.n else { continue };
        let next = snapshot
            .next_feedback
            .entry(record.exhibition.clone())
            .or_default();
        *next = (*next).max(n as u64 + 1);
        // A record that is not text is kept as a line the store's checks will reject, so the
        // warning names it.
        let line = record
            .text()
            .unwrap_or_else(|| format!("(record {n} is not text)"));
        snapshot
            .feedback
            .entry(record.exhibition)
            .or_default()
            .push(line);
    }
    for record in idb::read_all(db, idb::LEDGER).await? {
        let slot = snapshot
            .ledger
            .entry(record.exhibition.clone())
            .or_default();
        match (record.n, record.name.as_deref()) {
            (Some(n), _) => slot.0.push((n as u64, record.bytes().unwrap_or_default())),
            (None, Some("head")) => slot.1 = record.bytes(),
            _ => {}
        }
    }
    for record in idb::read_all(db, idb::MODELS).await? {
        if let Some(text) = record.text() {
            snapshot.models.insert(record.exhibition, text);
        }
    }
    for record in idb::read_all(db, idb::KEYS).await? {
        if record.exhibition == "ledger-key"
            && let Some(bytes) = record.bytes()
            && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            snapshot.key = Some(key);
        }
    }
    Ok(())
}

/// Sends records to a store; failures (quota exceeded, storage disabled) become warnings.
/// Returns the completion to wait for, if the write could start.
fn send(store: &'static str, records: Vec<(JsValue, JsValue)>) -> Option<Pending> {
    let db = with(|s| s.db.clone().filter(|_| !s.another_tab)).flatten()?;
    let pending = Pending::default();
    match idb::write(&db, store, &records) {
        Err(e) => {
            warn_visitor(format!("Could not save to browser storage: {e}"));
            pending.finish(Err(e));
        }
        Ok(future) => {
            let slot = pending.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = future.await.map(|_| ()).map_err(|e| idb::describe(&e));
                if let Err(e) = &result {
                    warn_visitor(format!("Could not save to browser storage: {e}"));
                }
                slot.finish(result);
            });
        }
    }
    Some(pending)
}

/// A write in flight: `None` until IndexedDB has committed it (or failed). (The browser build
/// has one thread; the lock only satisfies the game's resource bounds.)
#[derive(Clone, Default, Debug)]
pub struct Pending(Arc<Mutex<Option<Result<(), String>>>>);

impl Pending {
    /// A write that needs no waiting (no storage: memory only).
    pub fn done() -> Pending {
        Pending(Arc::new(Mutex::new(Some(Ok(())))))
    }

    pub fn poll(&self) -> Option<Result<(), String>> {
        self.0.lock().ok().and_then(|r| r.clone())
    }

    fn finish(&self, result: Result<(), String>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(result);
        }
    }
}

/// New warnings for the visitor since the last call.
pub fn take_warnings() -> Vec<String> {
    with(|s| std::mem::take(&mut s.warnings)).unwrap_or_default()
}

/// Whether another tab of this browser holds the storage: then this one writes nothing, and
/// what the visitor would keep (ratings, purchases, publications) is refused with
/// [`super::tabs::ANOTHER_TAB`].
pub fn in_another_tab() -> bool {
    with(|s| s.another_tab).unwrap_or(false)
}

/// Whether IndexedDB is in use.
pub fn available() -> bool {
    with(|s| s.db.is_some()).unwrap_or(false)
}

/// The stored feedback lines of an exhibition, oldest first.
pub fn feedback_lines(exhibition: &str) -> Vec<String> {
    with(|s| {
        s.snapshot
            .feedback
            .get(exhibition)
            .cloned()
            .unwrap_or_default()
    })
    .unwrap_or_default()
}

/// Stores one feedback line (one record).
pub fn append_feedback(exhibition: &str, line: &str) {
    let Some(n) = with(|s| {
        let next = s
            .snapshot
            .next_feedback
            .entry(exhibition.to_string())
            .or_default();
        let n = *next;
        *next += 1;
        n
    }) else {
        return;
    };
    send(
        idb::FEEDBACK,
        vec![(idb::key(exhibition, n as f64), JsValue::from_str(line))],
    );
}

/// The stored ledger of an exhibition: entry records by index and the HEAD.
pub fn ledger_records(exhibition: &str) -> (Vec<(u64, Vec<u8>)>, Option<Vec<u8>>) {
    with(|s| {
        let mut records = s
            .snapshot
            .ledger
            .get(exhibition)
            .cloned()
            .unwrap_or_default();
        records.0.sort_by_key(|(n, _)| *n);
        records
    })
    .unwrap_or_default()
}

/// Stores ledger entries and the new HEAD in one transaction: either all of them are kept or
/// none. The returned [`Pending`] completes once they are durable.
pub fn write_ledger(exhibition: &str, entries: &[(u64, Vec<u8>)], head: &[u8]) -> Pending {
    let mut records: Vec<(JsValue, JsValue)> = entries
        .iter()
        .map(|(n, bytes)| (idb::key(exhibition, *n as f64), idb::bytes_value(bytes)))
        .collect();
    records.push((idb::named_key(exhibition, "head"), idb::bytes_value(head)));
    send(idb::LEDGER, records).unwrap_or_else(Pending::done)
}

/// `bytes` random bytes from the browser's cryptographic randomness, as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fills `buf` from Web Crypto, or (without it) from the clock and `Math.random`.
fn fill_random(buf: &mut [u8]) {
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(buf).is_ok());
    if !filled {
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(format!(
            "{} {}",
            js_sys::Date::now(),
            js_sys::Math::random()
        ))
        .into();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = digest[i % 32];
        }
    }
}

/// The browser's ledger signing key: made once from the browser's cryptographic randomness
/// and kept in IndexedDB (readable only by this site).
pub fn ledger_key() -> [u8; 32] {
    if let Some(Some(key)) = with(|s| s.snapshot.key) {
        return key;
    }
    // Without Web Crypto the key comes from the clock and `Math.random` (weaker, but the
    // ledger still detects accidental damage).
    let mut key = [0u8; 32];
    fill_random(&mut key);
    with(|s| s.snapshot.key = Some(key));
    send(
        idb::KEYS,
        vec![(idb::key("ledger-key", 0.0), idb::bytes_value(&key))],
    );
    key
}

/// The saved scoring model of an exhibition (RON text), if any.
pub fn model(exhibition: &str) -> Option<String> {
    with(|s| s.snapshot.models.get(exhibition).cloned()).flatten()
}

/// Saves an exhibition's scoring model.
pub fn save_model(exhibition: &str, text: &str) {
    with(|s| {
        s.snapshot
            .models
            .insert(exhibition.to_string(), text.to_string())
    });
    send(
        idb::MODELS,
        vec![(idb::key(exhibition, 0.0), JsValue::from_str(text))],
    );
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A value from localStorage.
pub fn local_get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok()?
}

/// Writes a value to localStorage; a full or disabled storage is reported, not fatal.
pub fn local_set(key: &str, value: &str) {
    match local_storage() {
        None => warn_visitor("Settings cannot be kept: this browser blocks localStorage.".into()),
        Some(storage) => {
            if let Err(e) = storage.set_item(key, value) {
                warn_visitor(format!(
                    "Settings could not be saved: {}",
                    idb::describe(&e)
                ));
            }
        }
    }
}
