//! The gallery's market: a local, append-only, signed ledger of token purchases.
//!
//! Everything here is pure Rust without Bevy so that it can be tested on its own and reused by
//! a browser backend; only [`ledger::file`] touches the file system (desktop only).

pub mod ledger;
pub mod terms;
