//! The market in the running gallery: the ledger as a resource, visitors' wallets, and orders
//! (buy, list, buy a listing) checked by the ledger's rules and committed before they are
//! reported done.

use std::collections::BTreeMap;

use bevy::prelude::*;

use super::ledger::{self, Entry, Ledger, LedgerError, Payload, State, WalletId};
use super::terms;
use crate::feedback::{FeedbackClock, VisitorId};
use crate::gallery::{ActiveLevel, ExhibitionData, WorkContent};
use crate::player::Visitor;
use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<MarketOrder>()
        .add_message::<MarketDone>()
        .init_resource::<MarketKeySeed>()
        .add_systems(
            OnEnter(Screen::Gallery),
            open_market.after(crate::feedback::load_feedback),
        )
        .add_systems(
            FixedUpdate,
            (open_wallets, execute_orders)
                .chain()
                .in_set(MarketSystems::Execute)
                .run_if(in_state(Screen::Gallery)),
        )
        .add_systems(Update, label_plaques.run_if(in_state(Screen::Gallery)));
    #[cfg(not(target_arch = "wasm32"))]
    app.add_systems(
        Update,
        follow_other_processes
            .before(label_plaques)
            .run_if(in_state(Screen::Gallery)),
    );
}

/// The market's fixed-step work: wallets opened, orders committed.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum MarketSystems {
    Execute,
}

/// Where new ledger keys come from: the operating system (the game), or a seed (simulations,
/// so their ledgers repeat exactly). An existing key file is always used as it is.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct MarketKeySeed(pub Option<u64>);

/// Where the ledger is kept.
enum Store {
    /// `<exhibition data>/ledger/`, fsync'd before anything is reported done.
    #[cfg(not(target_arch = "wasm32"))]
    File(Box<ledger::file::FileLedger>),
    /// In memory only (no data directory).
    Memory(Box<Ledger>),
    /// In the browser's IndexedDB, one record per entry (see `ledger::records`); entries are
    /// reported done once their transaction has committed.
    #[cfg(target_arch = "wasm32")]
    Browser {
        ledger: Box<Ledger>,
        exhibition: String,
    },
    /// A damaged ledger: the verified prefix's state, read-only.
    #[cfg(target_arch = "wasm32")]
    ReadOnly(State),
}

/// The exhibition's market: its ledger and what the gallery knows about it.
#[derive(Resource)]
pub struct Market {
    store: Store,
    /// Why nothing can be bought (a damaged ledger opens read-only), for the UI.
    pub closed: Option<String>,
    /// Things the visitor should know (a torn entry cut off, loose key permissions).
    pub warnings: Vec<String>,
    /// Works that cannot be sold, and why (not endorsed by the curator, unreadable content).
    pub not_for_sale: BTreeMap<String, String>,
    /// Level terms the ledger overrides, per work (the ledger wins).
    pub overridden: BTreeMap<String, Vec<String>>,
    /// Where the ledger lives, for messages (`None`: memory).
    pub location: Option<String>,
    /// Bumped on every change, so panels and plaques know to redraw.
    pub revision: u64,
    /// The exhibition whose ledger this is.
    exhibition: String,
    /// The browser write of the last commit, done once IndexedDB has committed it.
    #[cfg(target_arch = "wasm32")]
    durable: Option<crate::web::storage::Pending>,
}

impl Market {
    /// The replayed state: balances, works, owners, listings.
    pub fn state(&self) -> &State {
        match &self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(f) => f.state(),
            Store::Memory(l) => l.state(),
            #[cfg(target_arch = "wasm32")]
            Store::Browser { ledger, .. } => ledger.state(),
            #[cfg(target_arch = "wasm32")]
            Store::ReadOnly(state) => state,
        }
    }

    /// Every verified entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        match &self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(f) => f.ledger().map_or(&[], Ledger::entries),
            Store::Memory(l) => l.entries(),
            #[cfg(target_arch = "wasm32")]
            Store::Browser { ledger, .. } => ledger.entries(),
            #[cfg(target_arch = "wasm32")]
            Store::ReadOnly(_) => &[],
        }
    }

    /// The public half of the key that signs this ledger.
    pub fn verifying_key(&self) -> Option<ed25519_dalek::VerifyingKey> {
        match &self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(f) => f.ledger().map(Ledger::verifying_key),
            Store::Memory(l) => Some(l.verifying_key()),
            #[cfg(target_arch = "wasm32")]
            Store::Browser { ledger, .. } => Some(ledger.verifying_key()),
            #[cfg(target_arch = "wasm32")]
            Store::ReadOnly(_) => None,
        }
    }

    /// A wallet's balance, if the wallet exists.
    pub fn balance(&self, wallet: &str) -> Option<u64> {
        self.state().balance(wallet)
    }

    /// (editions left, editions) of a registered work.
    pub fn editions_left(&self, work: &str) -> Option<(u32, u32)> {
        let w = self.state().works.get(work)?;
        Some((w.editions.saturating_sub(w.sold), w.editions))
    }

    /// The editions `wallet` owns, as (work, edition), in order.
    pub fn collection(&self, wallet: &str) -> Vec<(String, u32)> {
        self.state()
            .owners
            .iter()
            .filter(|(_, owner)| owner.as_str() == wallet)
            .map(|((work, edition), _)| (work.clone(), *edition))
            .collect()
    }

    /// Open listings of `work`: (edition, seller, asking price).
    pub fn listings(&self, work: &str) -> Vec<(u32, WalletId, u64)> {
        let state = self.state();
        state
            .listings
            .iter()
            .filter(|((w, _), _)| w == work)
            .filter_map(|((w, edition), price)| {
                let seller = state.owners.get(&(w.clone(), *edition))?;
                Some((*edition, seller.clone(), *price))
            })
            .collect()
    }

    /// The entry that gave `wallet` its edition of `work` (the purchase or resale), newest.
    pub fn acquisition(&self, work: &str, edition: u32) -> Option<&Entry> {
        self.entries().iter().rev().find(|e| match &e.payload {
            Payload::Purchase {
                work: w,
                edition: n,
                ..
            }
            | Payload::Resale {
                work: w,
                edition: n,
                ..
            }
            | Payload::Transfer {
                work: w,
                edition: n,
                ..
            } => w == work && *n == edition,
            _ => false,
        })
    }

    /// What `order` would commit for `wallet`, checked against the rules but not written:
    /// the confirmation dialog shows exactly this.
    pub fn quote(&self, wallet: &str, order: &Order) -> Result<Payload, String> {
        if let Some(reason) = &self.closed {
            return Err(reason.clone());
        }
        let state = self.state();
        let payload = match order {
            Order::Buy { work } => {
                if let Some(reason) = self.not_for_sale.get(work) {
                    return Err(format!("{work} is not for sale: {reason}"));
                }
                state.purchase_payload(wallet, work)
            }
            Order::List {
                work,
                edition,
                price,
            } => Ok(ledger::ops::list(work, *edition, wallet, *price)),
            Order::BuyListing { work, edition } => state.resale_payload(wallet, work, *edition),
        }
        .map_err(|e| refusal_text(&e))?;
        let mut next = state.clone();
        next.apply(state.last_timestamp, &payload)
            .map_err(|e| refusal_text(&e))?;
        Ok(payload)
    }

    /// Adopts entries other processes appended (desktop); whether any arrived.
    pub fn refresh(&mut self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        if let Store::File(file) = &mut self.store {
            return match file.refresh() {
                Ok(true) => {
                    self.revision += 1;
                    true
                }
                Ok(false) => false,
                Err(e) => {
                    if file.damage().is_some() && self.closed.is_none() {
                        self.closed = Some(format!("the ledger is damaged ({e})"));
                        self.revision += 1;
                    }
                    false
                }
            };
        }
        false
    }

    /// Commits a studio publication (the wallets its split pays and its registration) as one
    /// write; refused as a whole when any payload breaks a rule.
    pub fn publish(
        &mut self,
        timestamp: u64,
        payloads: Vec<Payload>,
    ) -> Result<Vec<Entry>, String> {
        self.commit(timestamp, payloads)
    }

    fn commit(&mut self, timestamp: u64, payloads: Vec<Payload>) -> Result<Vec<Entry>, String> {
        if let Some(reason) = &self.closed {
            return Err(reason.clone());
        }
        // Timestamps never go back, even if the clock does.
        let timestamp = timestamp.max(self.state().last_timestamp);
        let result = match &mut self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(f) => {
                // Another process (a simulation sharing the data directory) may have written
                // since: stamp after its entries, so time never goes back.
                let _ = f.refresh();
                let timestamp = timestamp.max(f.state().last_timestamp);
                // One write and one fsync for the lot; a refusal writes nothing.
                let items = payloads.into_iter().map(|p| (timestamp, p)).collect();
                match f.append_batch(items) {
                    Ok(entries) => Ok(entries),
                    Err(
                        ledger::file::FileError::Rule(e)
                        | ledger::file::FileError::Refused { error: e, .. },
                    ) => Err(refusal_text(&e)),
                    Err(e) => {
                        let message = e.to_string();
                        if f.damage().is_some() {
                            self.closed = Some(message.clone());
                        }
                        Err(message)
                    }
                }
            }
            Store::Memory(l) => {
                let mut done = Vec::new();
                for payload in payloads {
                    done.push(
                        l.append(timestamp, payload)
                            .map_err(|e| refusal_text(&e))?
                            .clone(),
                    );
                }
                Ok(done)
            }
            #[cfg(target_arch = "wasm32")]
            Store::Browser { ledger, exhibition } => {
                // Check every payload first, so a refusal writes nothing.
                let mut trial = (**ledger).clone();
                for payload in &payloads {
                    trial
                        .append(timestamp, payload.clone())
                        .map_err(|e| refusal_text(&e))?;
                }
                let first = ledger.entries().len();
                **ledger = trial;
                let done: Vec<Entry> = ledger.entries()[first..].to_vec();
                let records: Vec<(u64, Vec<u8>)> = done
                    .iter()
                    .map(|e| (e.index, ledger::codec::encode_entry(e)))
                    .collect();
                let head = ledger::codec::encode_head(&ledger.head());
                self.durable = Some(crate::web::storage::write_ledger(
                    exhibition, &records, &head,
                ));
                Ok(done)
            }
            #[cfg(target_arch = "wasm32")]
            Store::ReadOnly(_) => Err("the ledger is read-only".into()),
        };
        self.revision += 1;
        result
    }
}

/// A refusal as a visitor reads it.
pub fn refusal_text(e: &LedgerError) -> String {
    match e {
        LedgerError::InsufficientBalance {
            needed, available, ..
        } => format!("not enough tokens: it costs {needed} and the wallet holds {available}"),
        LedgerError::SoldOut { .. } => "sold out: every edition has been sold".into(),
        LedgerError::BuyingFromYourself(_) => "you cannot buy from yourself".into(),
        LedgerError::NotOwner { work, edition, .. } => {
            format!("you do not own edition {edition} of {work}")
        }
        LedgerError::NotListed { work, edition } => {
            format!("edition {edition} of {work} is no longer for sale")
        }
        other => other.to_string(),
    }
}

/// What a visitor wants to do in the market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Buy the next edition of a work at its price.
    Buy { work: String },
    /// Offer an owned edition for resale.
    List {
        work: String,
        edition: u32,
        price: u64,
    },
    /// Buy an edition another wallet listed.
    BuyListing { work: String, edition: u32 },
}

impl Order {
    pub fn describe(&self) -> String {
        match self {
            Order::Buy { work } => format!("buy {work}"),
            Order::List {
                work,
                edition,
                price,
            } => format!("list {work} #{edition} at {price}"),
            Order::BuyListing { work, edition } => format!("buy listing {work} #{edition}"),
        }
    }
}

/// A visitor's order, from the UI or a script.
#[derive(Message, Debug, Clone)]
pub struct MarketOrder {
    pub visitor: Entity,
    pub order: Order,
}

/// An order's outcome: the entry committed (written and flushed), or why it was refused.
#[derive(Message, Debug, Clone)]
pub struct MarketDone {
    pub visitor: Entity,
    pub order: Order,
    pub outcome: Result<Entry, String>,
}

/// A visitor's wallet in the ledger (their anonymous visitor id).
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct Wallet(pub WalletId);

fn now_ms(clock: &FeedbackClock, fixed: &Time<Fixed>) -> u64 {
    crate::feedback::now_ms(clock, fixed)
}

/// Opens (or starts) the exhibition's ledger and registers the level's works in it.
fn open_market(
    mut commands: Commands,
    level: Option<Res<ActiveLevel>>,
    data: Option<Res<ExhibitionData>>,
    content: Option<Res<WorkContent>>,
    seed: Res<MarketKeySeed>,
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
    existing: Option<ResMut<Market>>,
) {
    let Some(level) = level else {
        return;
    };
    let level = &level.0;
    let now = now_ms(&clock, &fixed);
    let empty = BTreeMap::new();
    let hashes = content.as_ref().map_or(&empty, |c| &c.0);
    // The same exhibition rebuilt (a hot reload, a work published in the studio): the ledger
    // open already is the one, with everything committed since (a memory or browser ledger
    // would not be read back); only works new to it are registered.
    if let Some(mut market) = existing
        && market.exhibition == level.exhibition.id
    {
        market.refresh();
        market.not_for_sale.clear();
        market.overridden.clear();
        register_works(&mut market, level, hashes, now);
        market.revision += 1;
        return;
    }
    let dir = data.and_then(|d| d.dir.clone());
    let mut market = match open_store(dir.as_deref(), &level.exhibition.id, *seed, now) {
        Ok(market) => market,
        Err(problem) => {
            error!("market: {problem}");
            // Without the ledger nothing can be sold, but the gallery still opens.
            let mut market = memory_market(&level.exhibition.id, now);
            market.closed = Some(problem);
            market
        }
    };
    for warning in &market.warnings {
        warn!("market: {warning}");
    }
    register_works(&mut market, level, hashes, now);
    if let Some(reason) = &market.closed {
        warn!("market closed: {reason}");
    }
    commands.insert_resource(market);
}

fn memory_market(exhibition: &str, now: u64) -> Market {
    // A memory ledger only lives as long as the page; its key never leaves it.
    let key = ed25519_dalek::SigningKey::from_bytes(&{
        use sha2::Digest;
        sha2::Sha256::digest(format!("vernissage-memory-ledger {exhibition} {now}")).into()
    });
    Market {
        store: Store::Memory(Box::new(Ledger::new(key, now, exhibition))),
        closed: None,
        warnings: Vec::new(),
        not_for_sale: BTreeMap::new(),
        overridden: BTreeMap::new(),
        location: None,
        revision: 0,
        exhibition: exhibition.to_string(),
        #[cfg(target_arch = "wasm32")]
        durable: None,
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn open_store(
    dir: Option<&std::path::Path>,
    exhibition: &str,
    seed: MarketKeySeed,
    now: u64,
) -> Result<Market, String> {
    use ledger::file::{FileLedger, LOG_FILE};
    let Some(dir) = dir else {
        return Ok(memory_market(exhibition, now));
    };
    let root = dir.parent().unwrap_or(dir);
    let key_path = root.join(super::keys::KEY_FILE);
    let (key, mut warnings) =
        super::keys::load_or_create(&key_path, seed.0).map_err(|e| e.to_string())?;
    let ledger_dir = dir.join(super::LEDGER_DIR);
    let location = ledger_dir.display().to_string();
    let file = if ledger_dir.join(LOG_FILE).exists() {
        FileLedger::open(&ledger_dir, key)
    } else {
        FileLedger::create(&ledger_dir, key, now, exhibition)
    }
    .map_err(|e| format!("{location}: {e}"))?;
    warnings.extend(file.warnings().iter().cloned());
    let closed = file.damage().map(|d| {
        format!(
            "the ledger in {location} is damaged ({d}); the market is read-only \
             (run `vernissage ledger verify`)"
        )
    });
    info!(
        "market: ledger {location}, {} entries",
        file.ledger().map_or(0, |l| l.entries().len())
    );
    Ok(Market {
        store: Store::File(Box::new(file)),
        closed,
        warnings,
        not_for_sale: BTreeMap::new(),
        overridden: BTreeMap::new(),
        location: Some(location),
        revision: 0,
        exhibition: exhibition.to_string(),
    })
}

#[cfg(target_arch = "wasm32")]
fn open_store(
    _dir: Option<&std::path::Path>,
    exhibition: &str,
    _seed: MarketKeySeed,
    now: u64,
) -> Result<Market, String> {
    use crate::web::storage;
    if !storage::available() {
        let mut market = memory_market(exhibition, now);
        market
            .warnings
            .push("browser storage is unavailable: purchases last until the page closes".into());
        return Ok(market);
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&storage::ledger_key());
    let (records, head) = storage::ledger_records(exhibition);
    let fresh = records.is_empty() && head.is_none();
    let opened = ledger::records::open_records(key, &records, head.as_deref(), (now, exhibition));
    let mut market = memory_market(exhibition, now);
    market.location = Some("this browser's storage (IndexedDB)".into());
    if storage::in_another_tab() {
        // The other tab writes the ledger: this one shows what it held at the start.
        market.store = Store::ReadOnly(opened.state);
        market.closed = Some(crate::web::tabs::ANOTHER_TAB.into());
        return Ok(market);
    }
    match opened.ledger {
        Some(ledger) => {
            if fresh {
                let genesis = &ledger.entries()[0];
                let (entry, head) = ledger::records::records_for(&ledger, genesis);
                storage::write_ledger(exhibition, &[entry], &head);
            }
            info!(
                "market: ledger in this browser's storage (IndexedDB), {} entries",
                ledger.entries().len()
            );
            market.store = Store::Browser {
                ledger: Box::new(ledger),
                exhibition: exhibition.to_string(),
            };
        }
        None => {
            market.store = Store::ReadOnly(opened.state);
            market.closed = opened.damage.map(|d| {
                format!("the ledger in this browser is damaged ({d}); the market is read-only")
            });
        }
    }
    Ok(market)
}

/// Registers every work the ledger does not know yet, opening the wallets its contract pays;
/// works already registered keep their recorded terms, and any difference is reported.
fn register_works(
    market: &mut Market,
    level: &crate::level::schema::Level,
    hashes: &BTreeMap<String, [u8; 32]>,
    now: u64,
) {
    let mut payloads = Vec::new();
    let mut opened: Vec<WalletId> = Vec::new();
    for work in &level.works {
        let hash = hashes.get(&work.id).copied();
        if let Some(registered) = market.state().works.get(&work.id) {
            let differences = terms::contradictions(work, registered, hash);
            if !differences.is_empty() {
                for d in &differences {
                    warn!("market: {}: {d}; the ledger's terms stand", work.id);
                }
                market.overridden.insert(work.id.clone(), differences);
            }
            continue;
        }
        let Some(hash) = hash else {
            market.not_for_sale.insert(
                work.id.clone(),
                "its content could not be read, so it cannot be registered".into(),
            );
            continue;
        };
        let registration = match terms::endorsed_registration(level, work, hash) {
            Ok(p) => p,
            Err(why) => {
                warn!("market: {} is not for sale: {why}", work.id);
                market.not_for_sale.insert(work.id.clone(), why.to_string());
                continue;
            }
        };
        for wallet in terms::payees(work) {
            if market.state().balance(&wallet).is_none() && !opened.contains(&wallet) {
                payloads.push(ledger::ops::open_wallet(&wallet));
                opened.push(wallet);
            }
        }
        payloads.push(registration);
    }
    if payloads.is_empty() || market.closed.is_some() {
        return;
    }
    if let Err(e) = market.commit(now, payloads) {
        warn!("market: registering the works failed: {e}");
        market.closed.get_or_insert(e);
    }
}

/// Gives every visitor a wallet: the one the ledger already holds for their id, or a new one
/// with the exhibition's starting grant.
fn open_wallets(
    mut commands: Commands,
    market: Option<ResMut<Market>>,
    level: Option<Res<ActiveLevel>>,
    visitors: Query<(Entity, &VisitorId), (With<Visitor>, Without<Wallet>)>,
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
) {
    let (Some(mut market), Some(level)) = (market, level) else {
        return;
    };
    for (entity, id) in &visitors {
        let wallet = id.id.clone();
        if market.balance(&wallet).is_none() && market.closed.is_none() {
            let grant = u64::try_from(level.0.market.starting_grant).unwrap_or(0);
            let mut payloads = vec![ledger::ops::open_wallet(&wallet)];
            if grant > 0 {
                payloads.push(ledger::ops::grant(&wallet, grant));
            }
            if let Err(e) = market.commit(now_ms(&clock, &fixed), payloads) {
                warn!("market: cannot open a wallet for {wallet}: {e}");
            }
        }
        info!(
            "market: wallet {wallet}: {} tokens, {} editions",
            market.balance(&wallet).unwrap_or(0),
            market.collection(&wallet).len()
        );
        commands.entity(entity).insert(Wallet(wallet));
    }
}

/// Checks and commits orders; each outcome is reported only after the entry is on disk.
fn execute_orders(
    mut orders: MessageReader<MarketOrder>,
    mut done: MessageWriter<MarketDone>,
    market: Option<ResMut<Market>>,
    wallets: Query<&Wallet>,
    clock: Res<FeedbackClock>,
    fixed: Res<Time<Fixed>>,
    #[cfg(target_arch = "wasm32")] mut in_flight: Local<
        Vec<(Entity, Order, Entry, crate::web::storage::Pending)>,
    >,
) {
    let Some(mut market) = market else {
        orders.clear();
        return;
    };
    // In the browser an order is done once IndexedDB has committed its entry.
    #[cfg(target_arch = "wasm32")]
    in_flight.retain(|(visitor, order, entry, pending)| {
        let Some(result) = pending.poll() else {
            return true;
        };
        let outcome = match result {
            Ok(()) => Ok(entry.clone()),
            Err(e) => {
                let why = format!("the purchase could not be saved in this browser: {e}");
                market.closed.get_or_insert(why.clone());
                Err(why)
            }
        };
        done.write(MarketDone {
            visitor: *visitor,
            order: order.clone(),
            outcome,
        });
        false
    });
    for MarketOrder { visitor, order } in orders.read() {
        // Quote against the latest ledger, including other processes' entries.
        market.refresh();
        let outcome = match wallets.get(*visitor) {
            Err(_) => Err("this visitor has no wallet yet".to_string()),
            Ok(wallet) => market.quote(&wallet.0, order).and_then(|payload| {
                market
                    .commit(now_ms(&clock, &fixed), vec![payload])
                    .map(|mut entries| entries.remove(0))
            }),
        };
        match &outcome {
            Ok(entry) => info!(
                "market: {} committed as entry {}",
                order.describe(),
                entry.index
            ),
            Err(e) => info!("market: {} refused: {e}", order.describe()),
        }
        #[cfg(target_arch = "wasm32")]
        if let (Ok(entry), Some(pending)) = (&outcome, market.durable.take()) {
            in_flight.push((*visitor, order.clone(), entry.clone(), pending));
            continue;
        }
        done.write(MarketDone {
            visitor: *visitor,
            order: order.clone(),
            outcome,
        });
    }
}

/// Picks up entries other processes sharing the data directory appended (simulated visitors
/// listing editions, a second window), every two seconds.
#[cfg(not(target_arch = "wasm32"))]
fn follow_other_processes(
    market: Option<ResMut<Market>>,
    time: Res<Time<Real>>,
    mut next: Local<f64>,
) {
    let Some(mut market) = market else {
        return;
    };
    let now = time.elapsed_secs_f64();
    if now < *next {
        return;
    }
    *next = now + 2.0;
    if market.refresh() {
        info!("market: new ledger entries from another process");
    }
}

/// The plaque's sale line: price and editions left, or "Sold out", or why it is not for sale.
pub fn sale_line(market: &Market, work: &str) -> String {
    if market.not_for_sale.contains_key(work) {
        return "Not for sale".into();
    }
    let Some(w) = market.state().works.get(work) else {
        return String::new();
    };
    let left = w.editions.saturating_sub(w.sold);
    let listed = market.listings(work).len();
    let resale = match listed {
        0 => String::new(),
        1 => ", 1 offered for resale".into(),
        n => format!(", {n} offered for resale"),
    };
    if left == 0 {
        format!("Sold out{resale}")
    } else if w.editions == 1 {
        format!("Unique work, {} tokens", w.price)
    } else {
        format!(
            "{left} of {} editions left, {} tokens{resale}",
            w.editions, w.price
        )
    }
}

fn label_plaques(
    market: Option<Res<Market>>,
    mut plaques: Query<(&mut crate::gallery::build::PlaqueText, &ChildOf)>,
    parents: Query<&ChildOf>,
    works: Query<&crate::gallery::build::Artwork>,
    mut seen: Local<Option<u64>>,
) {
    let Some(market) = market else {
        return;
    };
    let fresh = market.is_added() || *seen != Some(market.revision);
    let added = plaques.iter_mut().any(|(t, _)| t.is_added());
    if !fresh && !added {
        return;
    }
    *seen = Some(market.revision);
    for (mut text, child_of) in &mut plaques {
        let Some(work) = parents
            .get(child_of.parent())
            .ok()
            .and_then(|p| works.get(p.parent()).ok())
        else {
            continue;
        };
        let line = sale_line(&market, &work.id);
        if text.sale != line {
            text.sale = line;
        }
    }
}
