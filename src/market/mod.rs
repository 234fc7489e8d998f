//! The gallery's market: a local, append-only, signed ledger of token purchases.
//!
//! Everything here is pure Rust without Bevy so that it can be tested on its own and reused by
//! a browser backend; only [`ledger::file`] touches the file system (desktop only).

pub mod ledger;
#[cfg(not(target_arch = "wasm32"))]
pub mod keys;
pub mod terms;

/// The ledger's folder inside an exhibition's data directory.
pub const LEDGER_DIR: &str = "ledger";
