//! The local token ledger: signed, hash-chained, append-only entries and the rules they obey.
//!
//! Balances and ownership are never stored: [`State`] is derived by replaying the entries, and
//! [`verify`] replays a sequence from scratch, checking hashes, the chain, signatures, every
//! rule and the invariants. [`Ledger`] is the in-memory writer; [`file`] keeps it on disk.
//! The byte format and the guarantees are described in `docs/ledger.md`.

pub mod codec;
#[cfg(not(target_arch = "wasm32"))]
pub mod file;
pub mod records;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// Wallet names (artists, visitors, the gallery).
pub type WalletId = String;
/// Work identifiers, as in the exhibition.
pub type WorkId = String;
/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Basis points in a whole (100 %).
pub const BP_WHOLE: u16 = 10_000;

/// One royalty share of a work's primary sales, in basis points of the price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub wallet: WalletId,
    pub bp: u16,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The first entry and only there; names the ledger.
    Genesis { ledger: String },
    /// Makes a wallet known, with a balance of zero.
    OpenWallet { wallet: WalletId },
    /// Registers a work: the SHA-256 of its source, its artist, edition count, primary price,
    /// the split of primary sales (first share is the artist's, shares sum to 10 000 bp) and the
    /// artist's royalty on resales. The registration time is the entry's timestamp.
    RegisterWork {
        work: WorkId,
        content_hash: Hash,
        artist: WalletId,
        editions: u32,
        price: u64,
        shares: Vec<Share>,
        resale_bp: u16,
        /// The curator's signature of the registration (see [`registration_bytes`]), required
        /// when the exhibition names a curator key.
        endorsement: Option<Endorsement>,
    },
    /// Creates tokens in a wallet: the only way tokens come into existence.
    Grant { wallet: WalletId, amount: u64 },
    /// Primary sale of the next edition (numbered from 1): the buyer pays `price`, and
    /// `credits` (the royalty payout, see [`split`]) is what every share receives, atomically.
    Purchase {
        work: WorkId,
        edition: u32,
        buyer: WalletId,
        price: u64,
        credits: Vec<(WalletId, u64)>,
    },
    /// Gives an owned edition away; cancels its listing.
    Transfer {
        work: WorkId,
        edition: u32,
        from: WalletId,
        to: WalletId,
    },
    /// Offers an owned edition for resale at `price` (a new listing replaces the old one).
    List {
        work: WorkId,
        edition: u32,
        seller: WalletId,
        price: u64,
    },
    /// Buys a listed edition: the buyer pays `price`, the artist receives `royalty`
    /// (see [`resale_royalty`]) and the seller the rest.
    Resale {
        work: WorkId,
        edition: u32,
        seller: WalletId,
        buyer: WalletId,
        price: u64,
        royalty: u64,
    },
}

/// A curator's Ed25519 signature of a work registration, made offline with the curator's own
/// key (`vernissage ledger sign-level`) and carried into the ledger by the registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endorsement {
    pub curator_key: [u8; 32],
    pub signature: [u8; 64],
}

/// The bytes a curator signs for a registration: a domain tag and the registration's canonical
/// payload encoding without its endorsement. Index, time and chain are not covered, so the
/// signature can be made before the work is ever registered.
pub fn registration_bytes(payload: &Payload) -> Option<Vec<u8>> {
    let Payload::RegisterWork { .. } = payload else {
        return None;
    };
    let mut bare = payload.clone();
    if let Payload::RegisterWork { endorsement, .. } = &mut bare {
        *endorsement = None;
    }
    let mut bytes = b"vernissage-registration-v1".to_vec();
    bytes.extend_from_slice(&codec::encode_payload(&bare));
    Some(bytes)
}

/// Signs a registration payload with a curator key, returning the payload endorsed.
pub fn endorse(payload: Payload, curator: &SigningKey) -> Payload {
    let Some(message) = registration_bytes(&payload) else {
        return payload;
    };
    let signature = curator.sign(&message).to_bytes();
    let mut payload = payload;
    if let Payload::RegisterWork { endorsement, .. } = &mut payload {
        *endorsement = Some(Endorsement {
            curator_key: curator.verifying_key().to_bytes(),
            signature,
        });
    }
    payload
}

/// Whether a registration's endorsement is a valid signature by its named curator key.
pub fn endorsement_valid(payload: &Payload) -> bool {
    let Payload::RegisterWork {
        endorsement: Some(e),
        ..
    } = payload
    else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&e.curator_key) else {
        return false;
    };
    let message = registration_bytes(payload).expect("a registration");
    key.verify(&message, &Signature::from_bytes(&e.signature))
        .is_ok()
}

/// One signed link of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: u64,
    /// Milliseconds, supplied by the caller; never decreasing along the chain.
    pub timestamp: u64,
    pub payload: Payload,
    pub prev_hash: Hash,
    /// SHA-256 of [`codec::hashed_bytes`].
    pub hash: Hash,
    /// Ed25519 signature of `hash`.
    pub signature: [u8; 64],
}

/// A signed statement of the last entry, so that cutting whole entries off the end shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub index: u64,
    pub hash: Hash,
    /// Ed25519 signature of [`codec::head_bytes`].
    pub signature: [u8; 64],
}

/// A refused operation; the ledger is untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerError {
    InsufficientBalance {
        wallet: WalletId,
        needed: u64,
        available: u64,
    },
    SoldOut {
        work: WorkId,
    },
    UnknownWork(WorkId),
    UnknownWallet(WalletId),
    UnknownEdition {
        work: WorkId,
        edition: u32,
    },
    BuyingFromYourself(WalletId),
    NotOwner {
        wallet: WalletId,
        work: WorkId,
        edition: u32,
    },
    NotListed {
        work: WorkId,
        edition: u32,
    },
    Overflow,
    WalletExists(WalletId),
    WorkExists(WorkId),
    /// Shares empty, not summing to 10 000 bp, first share not the artist, or resale > 100 %.
    BadShares,
    NoEditions,
    /// A recorded amount, edition number or price differs from what the rules compute.
    Mismatch(&'static str),
    /// A registration's curator endorsement does not verify.
    BadEndorsement(WorkId),
    GenesisMisplaced,
    TimeWentBackwards {
        last: u64,
        got: u64,
    },
}

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InsufficientBalance {
                wallet,
                needed,
                available,
            } => write!(f, "{wallet} needs {needed} tokens but has {available}"),
            Self::SoldOut { work } => write!(f, "every edition of {work} is sold"),
            Self::UnknownWork(w) => write!(f, "unknown work {w}"),
            Self::UnknownWallet(w) => write!(f, "unknown wallet {w}"),
            Self::UnknownEdition { work, edition } => write!(f, "{work} has no edition {edition}"),
            Self::BuyingFromYourself(w) => write!(f, "{w} cannot buy from itself"),
            Self::NotOwner {
                wallet,
                work,
                edition,
            } => write!(f, "{wallet} does not own edition {edition} of {work}"),
            Self::NotListed { work, edition } => {
                write!(f, "edition {edition} of {work} is not listed")
            }
            Self::Overflow => write!(f, "token arithmetic overflow"),
            Self::WalletExists(w) => write!(f, "wallet {w} already exists"),
            Self::WorkExists(w) => write!(f, "work {w} already registered"),
            Self::BadShares => write!(f, "royalty shares are invalid"),
            Self::NoEditions => write!(f, "a work needs at least one edition"),
            Self::Mismatch(what) => write!(f, "recorded {what} differs from the rules"),
            Self::BadEndorsement(w) => {
                write!(
                    f,
                    "the curator's signature on {w}'s registration does not verify"
                )
            }
            Self::GenesisMisplaced => write!(f, "genesis must be the first entry and only there"),
            Self::TimeWentBackwards { last, got } => {
                write!(f, "timestamp {got} is before the previous {last}")
            }
        }
    }
}

impl std::error::Error for LedgerError {}

/// Why [`verify`] rejected a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyReason {
    /// The entry's index is not its position (reordered or deleted entries).
    WrongIndex { found: u64 },
    /// `prev_hash` is not the previous entry's hash.
    BrokenChain,
    /// The stored hash is not the hash of the content (a changed byte).
    HashMismatch,
    /// No given key signed this hash.
    BadSignature,
    /// The entry breaks a rule on replay.
    Rule(LedgerError),
    /// An invariant failed after the entry (should be impossible after the rules).
    Invariant(String),
    /// The bytes do not decode.
    Decode(codec::DecodeError),
    /// The record framing is damaged.
    Framing,
    /// The HEAD names an entry that is missing (entries cut off the end).
    Truncated { head_index: u64 },
    /// The HEAD's hash is not the hash of the entry it names.
    HeadMismatch,
    /// The HEAD's signature does not verify.
    HeadSignature,
    /// There is no entry at all.
    Empty,
    /// The HEAD file is missing or unreadable.
    MissingHead,
}

/// The first bad entry (or, for HEAD problems, the first missing or HEAD-named index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    pub index: u64,
    pub reason: VerifyReason,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ledger entry {}: {:?}", self.index, self.reason)
    }
}

impl std::error::Error for VerifyError {}

/// A registered work and its sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    pub content_hash: Hash,
    pub artist: WalletId,
    pub editions: u32,
    pub price: u64,
    pub shares: Vec<Share>,
    pub resale_bp: u16,
    /// The curator key that endorsed the registration, if any.
    pub endorsed_by: Option<[u8; 32]>,
    pub registered_at: u64,
    pub sold: u32,
}

/// Everything derived from replaying entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub balances: BTreeMap<WalletId, u64>,
    pub works: BTreeMap<WorkId, Work>,
    /// Owner of each sold edition.
    pub owners: BTreeMap<(WorkId, u32), WalletId>,
    /// Asking price of each listed edition.
    pub listings: BTreeMap<(WorkId, u32), u64>,
    /// Sum of all grants: always equal to the sum of balances.
    pub granted: u64,
    /// Entries applied so far.
    pub len: u64,
    pub last_timestamp: u64,
}

/// Splits a primary price among shares: each share gets `floor(price * bp / 10 000)` and the
/// remainder (less than one token per share) goes to the first share, the artist. The credits
/// always sum to `price`.
pub fn split(price: u64, shares: &[Share]) -> Result<Vec<(WalletId, u64)>, LedgerError> {
    let mut credits = Vec::with_capacity(shares.len());
    let mut total = 0u64;
    for share in shares {
        let amount = price
            .checked_mul(u64::from(share.bp))
            .ok_or(LedgerError::Overflow)?
            / u64::from(BP_WHOLE);
        total = total.checked_add(amount).ok_or(LedgerError::Overflow)?;
        credits.push((share.wallet.clone(), amount));
    }
    let remainder = price.checked_sub(total).ok_or(LedgerError::BadShares)?;
    let first = credits.first_mut().ok_or(LedgerError::BadShares)?;
    first.1 = first
        .1
        .checked_add(remainder)
        .ok_or(LedgerError::Overflow)?;
    Ok(credits)
}

/// The artist's royalty on a resale: `floor(price * resale_bp / 10 000)`; the seller gets the rest.
pub fn resale_royalty(price: u64, resale_bp: u16) -> Result<u64, LedgerError> {
    Ok(price
        .checked_mul(u64::from(resale_bp))
        .ok_or(LedgerError::Overflow)?
        / u64::from(BP_WHOLE))
}

impl State {
    /// A wallet's balance, if the wallet exists.
    pub fn balance(&self, wallet: &str) -> Option<u64> {
        self.balances.get(wallet).copied()
    }

    /// Who owns an edition, if it is sold.
    pub fn owner(&self, work: &str, edition: u32) -> Option<&WalletId> {
        self.owners.get(&(work.to_string(), edition))
    }

    fn wallet(&self, wallet: &str) -> Result<u64, LedgerError> {
        self.balance(wallet)
            .ok_or_else(|| LedgerError::UnknownWallet(wallet.to_string()))
    }

    fn work(&self, work: &str) -> Result<&Work, LedgerError> {
        self.works
            .get(work)
            .ok_or_else(|| LedgerError::UnknownWork(work.to_string()))
    }

    fn owned(&self, wallet: &str, work: &str, edition: u32) -> Result<(), LedgerError> {
        let w = self.work(work)?;
        if edition == 0 || edition > w.sold {
            return Err(LedgerError::UnknownEdition {
                work: work.to_string(),
                edition,
            });
        }
        if self.owner(work, edition).map(String::as_str) != Some(wallet) {
            return Err(LedgerError::NotOwner {
                wallet: wallet.to_string(),
                work: work.to_string(),
                edition,
            });
        }
        Ok(())
    }

    /// New balances after `payer` pays `amount` and each credit is received; nothing changes
    /// unless every step fits.
    fn settle(
        &self,
        payer: &str,
        amount: u64,
        credits: &[(WalletId, u64)],
    ) -> Result<BTreeMap<WalletId, u64>, LedgerError> {
        let mut next: BTreeMap<WalletId, u64> = BTreeMap::new();
        let available = self.wallet(payer)?;
        let after =
            available
                .checked_sub(amount)
                .ok_or_else(|| LedgerError::InsufficientBalance {
                    wallet: payer.to_string(),
                    needed: amount,
                    available,
                })?;
        next.insert(payer.to_string(), after);
        for (wallet, credit) in credits {
            let current = match next.get(wallet) {
                Some(v) => *v,
                None => self.wallet(wallet)?,
            };
            let new = current.checked_add(*credit).ok_or(LedgerError::Overflow)?;
            next.insert(wallet.clone(), new);
        }
        Ok(next)
    }

    /// The payload of a primary purchase of the next edition of `work` by `buyer`.
    pub fn purchase_payload(&self, buyer: &str, work: &str) -> Result<Payload, LedgerError> {
        let w = self.work(work)?;
        self.wallet(buyer)?;
        if w.sold >= w.editions {
            return Err(LedgerError::SoldOut {
                work: work.to_string(),
            });
        }
        Ok(Payload::Purchase {
            work: work.to_string(),
            edition: w.sold + 1,
            buyer: buyer.to_string(),
            price: w.price,
            credits: split(w.price, &w.shares)?,
        })
    }

    /// The payload of buying the listed `edition` of `work`.
    pub fn resale_payload(
        &self,
        buyer: &str,
        work: &str,
        edition: u32,
    ) -> Result<Payload, LedgerError> {
        let w = self.work(work)?;
        let key = (work.to_string(), edition);
        let price = *self
            .listings
            .get(&key)
            .ok_or_else(|| LedgerError::NotListed {
                work: work.to_string(),
                edition,
            })?;
        let seller = self
            .owners
            .get(&key)
            .cloned()
            .ok_or(LedgerError::NotListed {
                work: work.to_string(),
                edition,
            })?;
        Ok(Payload::Resale {
            work: work.to_string(),
            edition,
            seller,
            buyer: buyer.to_string(),
            price,
            royalty: resale_royalty(price, w.resale_bp)?,
        })
    }

    /// Checks `payload` against every rule and applies it; on error `self` is unchanged.
    pub fn apply(&mut self, timestamp: u64, payload: &Payload) -> Result<(), LedgerError> {
        if self.len > 0 && timestamp < self.last_timestamp {
            return Err(LedgerError::TimeWentBackwards {
                last: self.last_timestamp,
                got: timestamp,
            });
        }
        if (self.len == 0) != matches!(payload, Payload::Genesis { .. }) {
            return Err(LedgerError::GenesisMisplaced);
        }
        match payload {
            Payload::Genesis { .. } => {}
            Payload::OpenWallet { wallet } => {
                if self.balances.contains_key(wallet) {
                    return Err(LedgerError::WalletExists(wallet.clone()));
                }
                self.balances.insert(wallet.clone(), 0);
            }
            Payload::RegisterWork {
                work,
                content_hash,
                artist,
                editions,
                price,
                shares,
                resale_bp,
                endorsement,
            } => {
                if self.works.contains_key(work) {
                    return Err(LedgerError::WorkExists(work.clone()));
                }
                self.wallet(artist)?;
                for share in shares {
                    self.wallet(&share.wallet)?;
                }
                if *editions == 0 {
                    return Err(LedgerError::NoEditions);
                }
                let total: u32 = shares.iter().map(|s| u32::from(s.bp)).sum();
                if total != u32::from(BP_WHOLE)
                    || shares.first().map(|s| &s.wallet) != Some(artist)
                    || *resale_bp > BP_WHOLE
                {
                    return Err(LedgerError::BadShares);
                }
                // Refuse prices whose split cannot be computed, so every later sale can.
                split(*price, shares)?;
                resale_royalty(*price, *resale_bp)?;
                if endorsement.is_some() && !endorsement_valid(payload) {
                    return Err(LedgerError::BadEndorsement(work.clone()));
                }
                self.works.insert(
                    work.clone(),
                    Work {
                        content_hash: *content_hash,
                        artist: artist.clone(),
                        editions: *editions,
                        price: *price,
                        shares: shares.clone(),
                        resale_bp: *resale_bp,
                        endorsed_by: endorsement.map(|e| e.curator_key),
                        registered_at: timestamp,
                        sold: 0,
                    },
                );
            }
            Payload::Grant { wallet, amount } => {
                let balance = self.wallet(wallet)?;
                let granted = self
                    .granted
                    .checked_add(*amount)
                    .ok_or(LedgerError::Overflow)?;
                let balance = balance.checked_add(*amount).ok_or(LedgerError::Overflow)?;
                self.granted = granted;
                self.balances.insert(wallet.clone(), balance);
            }
            Payload::Purchase {
                work,
                edition,
                buyer,
                price,
                credits,
            } => {
                let w = self.work(work)?;
                if *buyer == w.artist {
                    return Err(LedgerError::BuyingFromYourself(buyer.clone()));
                }
                let expected = self.purchase_payload(buyer, work)?;
                let Payload::Purchase {
                    edition: e,
                    price: p,
                    credits: c,
                    ..
                } = &expected
                else {
                    unreachable!("purchase_payload makes purchases")
                };
                if e != edition {
                    return Err(LedgerError::Mismatch("edition"));
                }
                if p != price {
                    return Err(LedgerError::Mismatch("price"));
                }
                if c != credits {
                    return Err(LedgerError::Mismatch("royalty credits"));
                }
                let next = self.settle(buyer, *price, credits)?;
                self.balances.extend(next);
                self.works.get_mut(work).expect("checked").sold += 1;
                self.owners.insert((work.clone(), *edition), buyer.clone());
            }
            Payload::Transfer {
                work,
                edition,
                from,
                to,
            } => {
                self.wallet(to)?;
                self.owned(from, work, *edition)?;
                if from == to {
                    return Err(LedgerError::BuyingFromYourself(from.clone()));
                }
                let key = (work.clone(), *edition);
                self.listings.remove(&key);
                self.owners.insert(key, to.clone());
            }
            Payload::List {
                work,
                edition,
                seller,
                price,
            } => {
                self.wallet(seller)?;
                self.owned(seller, work, *edition)?;
                resale_royalty(*price, self.work(work)?.resale_bp)?;
                self.listings.insert((work.clone(), *edition), *price);
            }
            Payload::Resale {
                work,
                edition,
                seller,
                buyer,
                price,
                royalty,
            } => {
                self.wallet(buyer)?;
                let expected = self.resale_payload(buyer, work, *edition)?;
                let Payload::Resale {
                    seller: s,
                    price: p,
                    royalty: r,
                    ..
                } = &expected
                else {
                    unreachable!("resale_payload makes resales")
                };
                if s != seller {
                    return Err(LedgerError::NotOwner {
                        wallet: seller.clone(),
                        work: work.clone(),
                        edition: *edition,
                    });
                }
                if buyer == seller {
                    return Err(LedgerError::BuyingFromYourself(buyer.clone()));
                }
                if p != price {
                    return Err(LedgerError::Mismatch("price"));
                }
                if r != royalty {
                    return Err(LedgerError::Mismatch("resale royalty"));
                }
                let artist = self.work(work)?.artist.clone();
                let credits = [(artist, *royalty), (seller.clone(), price - royalty)];
                let next = self.settle(buyer, *price, &credits)?;
                self.balances.extend(next);
                let key = (work.clone(), *edition);
                self.listings.remove(&key);
                self.owners.insert(key, buyer.clone());
            }
        }
        self.len += 1;
        self.last_timestamp = timestamp;
        Ok(())
    }

    /// Conservation (balances sum to the grants) and edition limits.
    pub fn check_invariants(&self) -> Result<(), String> {
        let sum = self
            .balances
            .values()
            .try_fold(0u64, |acc, b| acc.checked_add(*b))
            .ok_or("balances overflow")?;
        if sum != self.granted {
            return Err(format!("balances sum to {sum}, grants to {}", self.granted));
        }
        for (id, work) in &self.works {
            if work.sold > work.editions {
                return Err(format!("{id}: {} sold of {}", work.sold, work.editions));
            }
        }
        let sold: u64 = self.works.values().map(|w| u64::from(w.sold)).sum();
        if sold != self.owners.len() as u64 {
            return Err("owners do not match sales".into());
        }
        Ok(())
    }
}

/// SHA-256 of an entry's canonical bytes.
pub fn entry_hash(index: u64, timestamp: u64, prev_hash: &Hash, payload: &Payload) -> Hash {
    Sha256::digest(codec::hashed_bytes(index, timestamp, prev_hash, payload)).into()
}

/// Hashes and signs an entry.
pub fn sign_entry(
    key: &SigningKey,
    index: u64,
    timestamp: u64,
    prev_hash: Hash,
    payload: Payload,
) -> Entry {
    let hash = entry_hash(index, timestamp, &prev_hash, &payload);
    Entry {
        index,
        timestamp,
        payload,
        prev_hash,
        hash,
        signature: key.sign(&hash).to_bytes(),
    }
}

/// Signs a HEAD naming `entry`.
pub fn sign_head(key: &SigningKey, entry: &Entry) -> Head {
    Head {
        index: entry.index,
        hash: entry.hash,
        signature: key
            .sign(&codec::head_bytes(entry.index, &entry.hash))
            .to_bytes(),
    }
}

fn signed_by(keys: &[VerifyingKey], message: &[u8], signature: &[u8; 64]) -> bool {
    let signature = Signature::from_bytes(signature);
    keys.iter().any(|k| k.verify(message, &signature).is_ok())
}

/// Replays `entries` from scratch, checking index, chain, hash, signature (by any of `keys`),
/// every rule and the invariants. Does not check a HEAD: see [`verify`].
pub fn verify_entries(entries: &[Entry], keys: &[VerifyingKey]) -> Result<State, VerifyError> {
    let mut state = State::default();
    let mut prev = [0u8; 32];
    for (position, entry) in entries.iter().enumerate() {
        let index = position as u64;
        let fail = |reason| Err(VerifyError { index, reason });
        if entry.index != index {
            return fail(VerifyReason::WrongIndex { found: entry.index });
        }
        if entry.prev_hash != prev {
            return fail(VerifyReason::BrokenChain);
        }
        if entry_hash(
            entry.index,
            entry.timestamp,
            &entry.prev_hash,
            &entry.payload,
        ) != entry.hash
        {
            return fail(VerifyReason::HashMismatch);
        }
        if !signed_by(keys, &entry.hash, &entry.signature) {
            return fail(VerifyReason::BadSignature);
        }
        if let Err(e) = state.apply(entry.timestamp, &entry.payload) {
            return fail(VerifyReason::Rule(e));
        }
        if let Err(e) = state.check_invariants() {
            return fail(VerifyReason::Invariant(e));
        }
        prev = entry.hash;
    }
    Ok(state)
}

/// Checks a HEAD against verified entries. A HEAD naming an earlier entry is accepted (the
/// entries after it are signed too: a crash between appending and writing the HEAD); a HEAD
/// naming a missing entry means entries were cut off.
pub fn check_head(
    entries: &[Entry],
    keys: &[VerifyingKey],
    head: &Head,
) -> Result<(), VerifyError> {
    if !signed_by(
        keys,
        &codec::head_bytes(head.index, &head.hash),
        &head.signature,
    ) {
        return Err(VerifyError {
            index: head.index,
            reason: VerifyReason::HeadSignature,
        });
    }
    match entries.get(head.index as usize) {
        None => Err(VerifyError {
            index: entries.len() as u64,
            reason: VerifyReason::Truncated {
                head_index: head.index,
            },
        }),
        Some(e) if e.hash != head.hash => Err(VerifyError {
            index: head.index,
            reason: VerifyReason::HeadMismatch,
        }),
        Some(_) => Ok(()),
    }
}

/// Verifies a whole ledger: the entries (see [`verify_entries`]), that there is a genesis, and
/// the signed HEAD (see [`check_head`]). Returns the replayed state.
pub fn verify(entries: &[Entry], keys: &[VerifyingKey], head: &Head) -> Result<State, VerifyError> {
    if entries.is_empty() {
        return Err(VerifyError {
            index: 0,
            reason: VerifyReason::Empty,
        });
    }
    let state = verify_entries(entries, keys)?;
    check_head(entries, keys, head)?;
    Ok(state)
}

/// An in-memory ledger that signs what it appends.
#[derive(Debug, Clone)]
pub struct Ledger {
    key: SigningKey,
    entries: Vec<Entry>,
    state: State,
}

impl Ledger {
    /// A new ledger holding only its genesis entry.
    pub fn new(key: SigningKey, timestamp: u64, name: &str) -> Self {
        let genesis = sign_entry(
            &key,
            0,
            timestamp,
            [0; 32],
            Payload::Genesis {
                ledger: name.to_string(),
            },
        );
        let mut state = State::default();
        state
            .apply(timestamp, &genesis.payload)
            .expect("genesis applies to an empty state");
        Self {
            key,
            entries: vec![genesis],
            state,
        }
    }

    /// A ledger continuing verified `entries` (the key must be one that signed them).
    pub fn from_entries(key: SigningKey, entries: Vec<Entry>) -> Result<Self, VerifyError> {
        if entries.is_empty() {
            return Err(VerifyError {
                index: 0,
                reason: VerifyReason::Empty,
            });
        }
        let state = verify_entries(&entries, &[key.verifying_key()])?;
        Ok(Self {
            key,
            entries,
            state,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The signed HEAD naming the last entry.
    pub fn head(&self) -> Head {
        sign_head(&self.key, self.entries.last().expect("never empty"))
    }

    /// The signed entry `payload` would become, and the state after it; nothing is changed.
    pub fn prepare(&self, timestamp: u64, payload: Payload) -> Result<(Entry, State), LedgerError> {
        let mut next = self.state.clone();
        next.apply(timestamp, &payload)?;
        let last = self.entries.last().expect("never empty");
        let entry = sign_entry(&self.key, last.index + 1, timestamp, last.hash, payload);
        Ok((entry, next))
    }

    /// Makes a prepared entry part of the ledger.
    fn commit(&mut self, entry: Entry, state: State) -> &Entry {
        self.entries.push(entry);
        self.state = state;
        self.entries.last().expect("just pushed")
    }

    /// Checks and appends `payload`; on error nothing changes.
    pub fn append(&mut self, timestamp: u64, payload: Payload) -> Result<&Entry, LedgerError> {
        let (entry, state) = self.prepare(timestamp, payload)?;
        Ok(self.commit(entry, state))
    }
}

/// Payloads for the usual operations, built from the current state.
pub mod ops {
    use super::*;

    pub fn open_wallet(wallet: &str) -> Payload {
        Payload::OpenWallet {
            wallet: wallet.to_string(),
        }
    }

    pub fn grant(wallet: &str, amount: u64) -> Payload {
        Payload::Grant {
            wallet: wallet.to_string(),
            amount,
        }
    }

    /// A work whose whole primary price goes to `artist` unless `others` take shares.
    pub fn register(
        work: &str,
        source: &[u8],
        artist: &str,
        editions: u32,
        price: u64,
        others: &[(&str, u16)],
        resale_bp: u16,
    ) -> Payload {
        let others_bp: u16 = others
            .iter()
            .map(|(_, bp)| *bp)
            .fold(0, u16::saturating_add);
        let mut shares = vec![Share {
            wallet: artist.to_string(),
            bp: BP_WHOLE.saturating_sub(others_bp),
        }];
        shares.extend(others.iter().map(|(w, bp)| Share {
            wallet: w.to_string(),
            bp: *bp,
        }));
        Payload::RegisterWork {
            work: work.to_string(),
            content_hash: Sha256::digest(source).into(),
            artist: artist.to_string(),
            editions,
            price,
            shares,
            resale_bp,
            endorsement: None,
        }
    }

    pub fn transfer(work: &str, edition: u32, from: &str, to: &str) -> Payload {
        Payload::Transfer {
            work: work.to_string(),
            edition,
            from: from.to_string(),
            to: to.to_string(),
        }
    }

    pub fn list(work: &str, edition: u32, seller: &str, price: u64) -> Payload {
        Payload::List {
            work: work.to_string(),
            edition,
            seller: seller.to_string(),
            price,
        }
    }
}
