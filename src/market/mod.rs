//! The gallery's market: wallets, purchases and royalty contracts over a local, append-only,
//! signed ledger.
//!
//! The ledger, the contract terms and the key file are plain Rust without Bevy, tested on their
//! own and reusable by a browser backend; only [`ledger::file`] and [`keys`] touch the file
//! system (desktop only). [`game`] is the thin ECS layer: the `Market` resource, wallets and
//! orders.

pub mod certificate;
pub mod game;
#[cfg(not(target_arch = "wasm32"))]
pub mod keys;
pub mod ledger;
pub mod report;
pub mod terms;

/// The ledger's folder inside an exhibition's data directory.
pub const LEDGER_DIR: &str = "ledger";

pub use game::{Market, MarketDone, MarketKeySeed, MarketOrder, MarketSystems, Order, Wallet};

pub(super) fn plugin(app: &mut bevy::prelude::App) {
    game::plugin(app);
}
