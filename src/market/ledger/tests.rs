//! Tests of the ledger: every rule and kind, tampering, the file format and a random run.

use ed25519_dalek::SigningKey;

use super::ops::*;
use super::*;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

/// Genesis, wallets ana (artist), bo and cy, gallery; 1000 tokens each for bo and cy; work
/// "w" by ana: 2 editions at 100, 25 % to the gallery, 10 % resale royalty.
fn sample() -> Ledger {
    let mut l = Ledger::new(key(), 1, "test");
    for w in ["ana", "bo", "cy", "gallery"] {
        l.append(2, open_wallet(w)).unwrap();
    }
    l.append(3, grant("bo", 1000)).unwrap();
    l.append(3, grant("cy", 1000)).unwrap();
    l.append(
        4,
        register("w", b"<svg/>", "ana", 2, 100, &[("gallery", 2500)], 1000),
    )
    .unwrap();
    l
}

fn buy(l: &mut Ledger, buyer: &str, work: &str) -> Result<(), LedgerError> {
    let p = l.state().purchase_payload(buyer, work)?;
    let t = l.state().last_timestamp;
    l.append(t, p).map(|_| ())
}

fn resell(l: &mut Ledger, buyer: &str, work: &str, edition: u32) -> Result<(), LedgerError> {
    let p = l.state().resale_payload(buyer, work, edition)?;
    let t = l.state().last_timestamp;
    l.append(t, p).map(|_| ())
}

/// Asserts that `payload` is refused with `expected` and that nothing changed.
fn refused(l: &mut Ledger, payload: Payload, expected: LedgerError) {
    let before = (l.entries().to_vec(), l.state().clone());
    assert_eq!(l.append(50, payload).unwrap_err(), expected);
    assert_eq!((l.entries().to_vec(), l.state().clone()), before);
}

fn bal(l: &Ledger, w: &str) -> u64 {
    l.state().balance(w).unwrap()
}

#[test]
fn genesis_only_first() {
    let mut l = sample();
    refused(
        &mut l,
        Payload::Genesis { ledger: "x".into() },
        LedgerError::GenesisMisplaced,
    );
    let mut s = State::default();
    assert_eq!(
        s.apply(0, &open_wallet("a")),
        Err(LedgerError::GenesisMisplaced)
    );
}

#[test]
fn wallets_and_grants() {
    let mut l = sample();
    assert_eq!(bal(&l, "bo"), 1000);
    assert_eq!(l.state().granted, 2000);
    refused(
        &mut l,
        open_wallet("bo"),
        LedgerError::WalletExists("bo".into()),
    );
    refused(
        &mut l,
        grant("zed", 5),
        LedgerError::UnknownWallet("zed".into()),
    );
    refused(&mut l, grant("ana", u64::MAX), LedgerError::Overflow);
}

#[test]
fn register_rules() {
    let mut l = sample();
    let w = &l.state().works["w"];
    assert_eq!(
        (w.editions, w.price, w.registered_at, w.sold),
        (2, 100, 4, 0)
    );
    assert_eq!(w.content_hash, <[u8; 32]>::from(Sha256::digest(b"<svg/>")));
    refused(
        &mut l,
        register("w", b"", "ana", 1, 1, &[], 0),
        LedgerError::WorkExists("w".into()),
    );
    refused(
        &mut l,
        register("v", b"", "zed", 1, 1, &[], 0),
        LedgerError::UnknownWallet("zed".into()),
    );
    refused(
        &mut l,
        register("v", b"", "ana", 0, 1, &[], 0),
        LedgerError::NoEditions,
    );
    refused(
        &mut l,
        register("v", b"", "ana", 1, 1, &[("bo", 6000), ("cy", 6000)], 0),
        LedgerError::BadShares,
    );
    refused(
        &mut l,
        register("v", b"", "ana", 1, 1, &[], 10_001),
        LedgerError::BadShares,
    );
    refused(
        &mut l,
        register("v", b"", "ana", 1, u64::MAX, &[("bo", 1)], 0),
        LedgerError::Overflow,
    );
}

#[test]
fn split_rounds_down_and_gives_remainder_to_artist() {
    let shares = |bps: &[u16]| -> Vec<Share> {
        bps.iter()
            .enumerate()
            .map(|(i, bp)| Share {
                wallet: format!("s{i}"),
                bp: *bp,
            })
            .collect()
    };
    let c = split(100, &shares(&[3333, 3333, 3334])).unwrap();
    assert_eq!(c.iter().map(|c| c.1).collect::<Vec<_>>(), [34, 33, 33]);
    let c = split(7, &shares(&[5000, 2500, 2500])).unwrap();
    assert_eq!(c.iter().map(|c| c.1).collect::<Vec<_>>(), [5, 1, 1]);
    for price in 0..500 {
        let c = split(price, &shares(&[1234, 4321, 4445])).unwrap();
        assert_eq!(c.iter().map(|c| c.1).sum::<u64>(), price);
    }
    assert_eq!(resale_royalty(99, 1000), Ok(9));
    assert_eq!(resale_royalty(u64::MAX, 2), Err(LedgerError::Overflow));
}

#[test]
fn purchase_pays_every_share_atomically() {
    let mut l = sample();
    buy(&mut l, "bo", "w").unwrap();
    assert_eq!(bal(&l, "bo"), 900);
    assert_eq!(bal(&l, "ana"), 75);
    assert_eq!(bal(&l, "gallery"), 25);
    assert_eq!(l.state().owner("w", 1).unwrap(), "bo");
    let Payload::Purchase { credits, .. } = &l.entries().last().unwrap().payload else {
        panic!("not a purchase")
    };
    assert_eq!(
        credits,
        &[("ana".to_string(), 75), ("gallery".to_string(), 25)]
    );
    l.state().check_invariants().unwrap();
}

#[test]
fn purchase_rules() {
    let mut l = sample();
    // Insufficient balance: ana has nothing yet, but is the artist; gallery has nothing.
    let p = Payload::Purchase {
        work: "w".into(),
        edition: 1,
        buyer: "gallery".into(),
        price: 100,
        credits: vec![("ana".into(), 75), ("gallery".into(), 25)],
    };
    refused(
        &mut l,
        p,
        LedgerError::InsufficientBalance {
            wallet: "gallery".into(),
            needed: 100,
            available: 0,
        },
    );
    let own = Payload::Purchase {
        work: "w".into(),
        edition: 1,
        buyer: "ana".into(),
        price: 100,
        credits: vec![("ana".into(), 75), ("gallery".into(), 25)],
    };
    refused(&mut l, own, LedgerError::BuyingFromYourself("ana".into()));
    assert_eq!(
        l.state().purchase_payload("bo", "nope"),
        Err(LedgerError::UnknownWork("nope".into()))
    );
    assert_eq!(
        l.state().purchase_payload("zed", "w"),
        Err(LedgerError::UnknownWallet("zed".into()))
    );
    // Recorded amounts must be the rules' amounts: no minting through a purchase.
    let greedy = Payload::Purchase {
        work: "w".into(),
        edition: 1,
        buyer: "bo".into(),
        price: 100,
        credits: vec![("ana".into(), 175), ("gallery".into(), 25)],
    };
    refused(&mut l, greedy, LedgerError::Mismatch("royalty credits"));
    let cheap = Payload::Purchase {
        work: "w".into(),
        edition: 1,
        buyer: "bo".into(),
        price: 1,
        credits: vec![("ana".into(), 1)],
    };
    refused(&mut l, cheap, LedgerError::Mismatch("price"));
    buy(&mut l, "bo", "w").unwrap();
    buy(&mut l, "cy", "w").unwrap();
    let p = Payload::Purchase {
        work: "w".into(),
        edition: 3,
        buyer: "bo".into(),
        price: 100,
        credits: vec![("ana".into(), 75), ("gallery".into(), 25)],
    };
    refused(&mut l, p, LedgerError::SoldOut { work: "w".into() });
    assert_eq!(l.state().works["w"].sold, 2);
}

#[test]
fn transfer_rules() {
    let mut l = sample();
    buy(&mut l, "bo", "w").unwrap();
    refused(
        &mut l,
        transfer("w", 1, "cy", "ana"),
        LedgerError::NotOwner {
            wallet: "cy".into(),
            work: "w".into(),
            edition: 1,
        },
    );
    refused(
        &mut l,
        transfer("w", 2, "bo", "cy"),
        LedgerError::UnknownEdition {
            work: "w".into(),
            edition: 2,
        },
    );
    refused(
        &mut l,
        transfer("w", 1, "bo", "zed"),
        LedgerError::UnknownWallet("zed".into()),
    );
    l.append(30, list("w", 1, "bo", 500)).unwrap();
    l.append(31, transfer("w", 1, "bo", "cy")).unwrap();
    assert_eq!(l.state().owner("w", 1).unwrap(), "cy");
    assert!(
        l.state().listings.is_empty(),
        "a transfer cancels the listing"
    );
}

#[test]
fn listing_and_resale() {
    let mut l = sample();
    buy(&mut l, "bo", "w").unwrap();
    refused(
        &mut l,
        list("w", 1, "cy", 10),
        LedgerError::NotOwner {
            wallet: "cy".into(),
            work: "w".into(),
            edition: 1,
        },
    );
    refused(
        &mut l,
        list("x", 1, "bo", 10),
        LedgerError::UnknownWork("x".into()),
    );
    assert_eq!(
        resell(&mut l, "cy", "w", 1),
        Err(LedgerError::NotListed {
            work: "w".into(),
            edition: 1
        })
    );
    l.append(30, list("w", 1, "bo", 299)).unwrap();
    assert_eq!(
        resell(&mut l, "bo", "w", 1),
        Err(LedgerError::BuyingFromYourself("bo".into()))
    );
    let (ana, bo, cy) = (bal(&l, "ana"), bal(&l, "bo"), bal(&l, "cy"));
    resell(&mut l, "cy", "w", 1).unwrap();
    assert_eq!(bal(&l, "ana"), ana + 29, "10 % of 299, rounded down");
    assert_eq!(bal(&l, "bo"), bo + 270);
    assert_eq!(bal(&l, "cy"), cy - 299);
    assert_eq!(l.state().owner("w", 1).unwrap(), "cy");
    assert!(l.state().listings.is_empty());
    // A listing above the buyer's means is refused at purchase.
    l.append(40, list("w", 1, "cy", 5000)).unwrap();
    assert_eq!(
        resell(&mut l, "bo", "w", 1),
        Err(LedgerError::InsufficientBalance {
            wallet: "bo".into(),
            needed: 5000,
            available: bo + 270,
        })
    );
    // The seller recorded must be the owner.
    let forged = Payload::Resale {
        work: "w".into(),
        edition: 1,
        seller: "ana".into(),
        buyer: "bo".into(),
        price: 5000,
        royalty: 500,
    };
    refused(
        &mut l,
        forged,
        LedgerError::NotOwner {
            wallet: "ana".into(),
            work: "w".into(),
            edition: 1,
        },
    );
    l.state().check_invariants().unwrap();
}

#[test]
fn time_never_goes_back() {
    let mut l = sample();
    let before = l.entries().len();
    assert_eq!(
        l.append(0, grant("bo", 1)).unwrap_err(),
        LedgerError::TimeWentBackwards { last: 4, got: 0 }
    );
    assert_eq!(l.entries().len(), before);
}

fn full() -> Ledger {
    let mut l = sample();
    buy(&mut l, "bo", "w").unwrap();
    l.append(30, list("w", 1, "bo", 150)).unwrap();
    resell(&mut l, "cy", "w", 1).unwrap();
    l.append(40, transfer("w", 1, "cy", "bo")).unwrap();
    l
}

#[test]
fn codec_round_trips_every_kind() {
    let l = full();
    let mut kinds = std::collections::BTreeSet::new();
    for e in l.entries() {
        kinds.insert(codec::encode_payload(&e.payload)[0]);
        assert_eq!(codec::decode_entry(&codec::encode_entry(e)).unwrap(), *e);
    }
    assert_eq!(kinds.len(), 8, "every payload kind appears");
    let head = l.head();
    assert_eq!(
        codec::decode_head(&codec::encode_head(&head)).unwrap(),
        head
    );
}

fn keys() -> [VerifyingKey; 1] {
    [key().verifying_key()]
}

fn reason(entries: &[Entry], head: &Head) -> (u64, VerifyReason) {
    let e = verify(entries, &keys(), head).unwrap_err();
    (e.index, e.reason)
}

#[test]
fn verify_accepts_the_ledger_and_replays_its_state() {
    let l = full();
    let state = verify(l.entries(), &keys(), &l.head()).unwrap();
    assert_eq!(&state, l.state());
    // Any one of several keys may have signed.
    let both = [other_key().verifying_key(), key().verifying_key()];
    assert!(verify(l.entries(), &both, &l.head()).is_ok());
    assert_eq!(
        verify(l.entries(), &[other_key().verifying_key()], &l.head())
            .unwrap_err()
            .reason,
        VerifyReason::BadSignature
    );
}

#[test]
fn verify_detects_deleted_entries() {
    let l = full();
    let mut entries = l.entries().to_vec();
    entries.remove(5);
    assert_eq!(
        reason(&entries, &l.head()),
        (5, VerifyReason::WrongIndex { found: 6 })
    );
}

#[test]
fn verify_detects_reordered_entries() {
    let l = full();
    let mut entries = l.entries().to_vec();
    entries.swap(3, 6);
    assert_eq!(
        reason(&entries, &l.head()),
        (3, VerifyReason::WrongIndex { found: 6 })
    );
    // Renumbering the swapped entries breaks their hashes and the chain.
    entries[3].index = 3;
    assert_eq!(reason(&entries, &l.head()), (3, VerifyReason::BrokenChain));
}

#[test]
fn verify_detects_changed_content() {
    let l = full();
    let mut entries = l.entries().to_vec();
    entries[5].payload = grant("bo", 1_000_000);
    assert_eq!(reason(&entries, &l.head()), (5, VerifyReason::HashMismatch));
    let mut entries = l.entries().to_vec();
    entries[8].timestamp += 1;
    assert_eq!(reason(&entries, &l.head()), (8, VerifyReason::HashMismatch));
}

#[test]
fn verify_detects_forgery_without_the_key() {
    let l = full();
    // Recomputing the hash is not enough: the signature is the key holder's.
    let mut entries = l.entries().to_vec();
    entries[5].payload = grant("bo", 1_000_000);
    entries[5].hash = entry_hash(
        5,
        entries[5].timestamp,
        &entries[5].prev_hash,
        &entries[5].payload,
    );
    assert_eq!(reason(&entries, &l.head()), (5, VerifyReason::BadSignature));
    // Appending an entry signed with another key.
    let mut entries = l.entries().to_vec();
    let last = entries.last().unwrap();
    let forged = sign_entry(&other_key(), last.index + 1, 99, last.hash, grant("bo", 5));
    let forged_head = sign_head(&other_key(), &forged);
    entries.push(forged);
    assert_eq!(
        reason(&entries, &forged_head),
        (entries.len() as u64 - 1, VerifyReason::BadSignature)
    );
}

#[test]
fn verify_detects_truncated_whole_entries() {
    let l = full();
    let entries = &l.entries()[..7];
    let last = l.entries().len() as u64 - 1;
    assert_eq!(
        reason(entries, &l.head()),
        (7, VerifyReason::Truncated { head_index: last })
    );
    // A HEAD with a different hash for its index.
    let mut head = l.head();
    head.hash[0] ^= 1;
    assert_eq!(reason(l.entries(), &head).1, VerifyReason::HeadSignature);
    let mut head = sign_head(&key(), &l.entries()[3]);
    head.hash = l.entries()[4].hash;
    head.signature = sign_head(
        &key(),
        &Entry {
            hash: head.hash,
            ..l.entries()[3].clone()
        },
    )
    .signature;
    assert_eq!(reason(l.entries(), &head), (3, VerifyReason::HeadMismatch));
}

#[test]
fn verify_rejects_rule_breaking_entries_even_if_signed() {
    let l = full();
    let mut entries = l.entries().to_vec();
    let last = entries.last().unwrap();
    let bad = Payload::Purchase {
        work: "w".into(),
        edition: 2,
        buyer: "cy".into(),
        price: 100,
        credits: vec![("ana".into(), 1000), ("gallery".into(), 25)],
    };
    let entry = sign_entry(&key(), last.index + 1, 99, last.hash, bad);
    let head = sign_head(&key(), &entry);
    entries.push(entry);
    assert_eq!(
        reason(&entries, &head),
        (
            entries.len() as u64 - 1,
            VerifyReason::Rule(LedgerError::Mismatch("royalty credits"))
        )
    );
}

/// A tiny deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random operation against the current state (many of them invalid on purpose).
fn random_op(rng: &mut Rng, s: &State) -> Payload {
    const WALLETS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
    let wallet = |rng: &mut Rng| WALLETS[rng.below(WALLETS.len() as u64) as usize];
    let work = |rng: &mut Rng| format!("w{}", rng.below(5));
    match rng.below(8) {
        0 => open_wallet(wallet(rng)),
        1 => grant(wallet(rng), rng.below(300)),
        2 => {
            let (artist, other) = (wallet(rng), wallet(rng));
            let price = rng.below(200);
            let editions = rng.below(4) as u32;
            let bp = rng.below(5000) as u16;
            register(
                &work(rng),
                b"src",
                artist,
                editions,
                price,
                &[(other, bp)],
                bp,
            )
        }
        3 | 4 => {
            let (buyer, w) = (wallet(rng), work(rng));
            s.purchase_payload(buyer, &w)
                .unwrap_or_else(|_| grant(buyer, 1))
        }
        5 => transfer(
            &work(rng),
            1 + rng.below(3) as u32,
            wallet(rng),
            wallet(rng),
        ),
        6 => list(
            &work(rng),
            1 + rng.below(3) as u32,
            wallet(rng),
            rng.below(400),
        ),
        _ => {
            let (buyer, w) = (wallet(rng), work(rng));
            let edition = 1 + rng.below(3) as u32;
            s.resale_payload(buyer, &w, edition)
                .unwrap_or_else(|_| list(&w, edition, buyer, 1))
        }
    }
}

#[test]
fn random_operations_keep_the_invariants() {
    let mut rng = Rng(0x5EED);
    let mut l = Ledger::new(key(), 0, "random");
    let mut accepted = 0;
    for step in 0..1000u64 {
        let op = random_op(&mut rng, l.state());
        let before = l.state().clone();
        match l.append(step, op) {
            Ok(_) => accepted += 1,
            Err(_) => assert_eq!(l.state(), &before, "a refusal changes nothing"),
        }
        l.state().check_invariants().unwrap();
        let total: u64 = l.state().balances.values().sum();
        assert_eq!(total, l.state().granted);
        for w in l.state().works.values() {
            assert!(w.sold <= w.editions);
        }
    }
    assert!(accepted > 200, "only {accepted} operations were accepted");
    assert!(
        l.entries()
            .iter()
            .any(|e| matches!(e.payload, Payload::Resale { .. }))
    );
    assert_eq!(&verify(l.entries(), &keys(), &l.head()).unwrap(), l.state());
}

#[cfg(not(target_arch = "wasm32"))]
mod files {
    use std::fs;
    use std::path::PathBuf;

    use super::*;
    use crate::market::ledger::file::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("vernissage-ledger-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    /// A file ledger holding [`full`]'s entries; returns its folder and record offsets.
    fn full_file(name: &str) -> (PathBuf, Vec<usize>) {
        let dir = temp_dir(name);
        let source = full();
        let mut f = FileLedger::create(&dir, key(), 1, "test").unwrap();
        for e in &source.entries()[1..] {
            f.append(e.timestamp, e.payload.clone()).unwrap();
        }
        assert_eq!(f.state(), source.state());
        let mut offsets = vec![codec::FILE_MAGIC.len()];
        for e in source.entries() {
            let n = codec::frame_record(&codec::encode_entry(e)).len();
            offsets.push(offsets.last().unwrap() + n);
        }
        (dir, offsets)
    }

    fn log(dir: &std::path::Path) -> PathBuf {
        dir.join(LOG_FILE)
    }

    #[test]
    fn reopening_replays_the_same_state() {
        let (dir, offsets) = full_file("reopen");
        assert_eq!(fs::read(log(&dir)).unwrap().len(), *offsets.last().unwrap());
        let f = FileLedger::open(&dir, key()).unwrap();
        assert!(f.damage().is_none() && f.warnings().is_empty());
        assert_eq!(f.state(), full().state());
        assert!(FileLedger::create(&dir, key(), 1, "again").is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refused_append_writes_nothing() {
        let (dir, _) = full_file("refused");
        let mut f = FileLedger::open(&dir, key()).unwrap();
        let before = fs::read(log(&dir)).unwrap();
        assert!(matches!(
            f.append(99, grant("zed", 1)),
            Err(FileError::Rule(LedgerError::UnknownWallet(_)))
        ));
        assert_eq!(fs::read(log(&dir)).unwrap(), before);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn every_flipped_byte_is_reported_at_its_entry() {
        let (dir, offsets) = full_file("flip");
        let original = fs::read(log(&dir)).unwrap();
        for at in 0..original.len() {
            let mut bytes = original.clone();
            bytes[at] ^= 0x10;
            fs::write(log(&dir), &bytes).unwrap();
            let f = FileLedger::open(&dir, key()).unwrap();
            let entry = offsets.iter().rposition(|o| *o <= at).unwrap_or(0) as u64;
            let damage = f
                .damage()
                .unwrap_or_else(|| panic!("byte {at} not detected"));
            assert_eq!(damage.index, entry, "byte {at}: {damage}");
            assert!(f.ledger().is_none(), "damaged ledgers are read-only");
            assert_eq!(f.state().len, entry);
        }
        assert!(!dir.join(BACKUP_FILE).exists(), "no repair happened");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_only_after_damage() {
        let (dir, offsets) = full_file("readonly");
        let mut bytes = fs::read(log(&dir)).unwrap();
        bytes[offsets[4] + 20] ^= 1;
        fs::write(log(&dir), &bytes).unwrap();
        let mut f = FileLedger::open(&dir, key()).unwrap();
        assert!(matches!(
            f.append(99, grant("bo", 1)),
            Err(FileError::ReadOnly(VerifyError { index: 4, .. }))
        ));
        assert_eq!(fs::read(log(&dir)).unwrap(), bytes, "never repaired");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn deleted_and_reordered_records_are_reported() {
        let (dir, o) = full_file("delete");
        let original = fs::read(log(&dir)).unwrap();
        let mut deleted = original[..o[3]].to_vec();
        deleted.extend_from_slice(&original[o[4]..]);
        fs::write(log(&dir), &deleted).unwrap();
        let f = FileLedger::open(&dir, key()).unwrap();
        assert_eq!(f.damage().unwrap().index, 3);
        let mut swapped = original[..o[3]].to_vec();
        swapped.extend_from_slice(&original[o[4]..o[5]]);
        swapped.extend_from_slice(&original[o[3]..o[4]]);
        swapped.extend_from_slice(&original[o[5]..]);
        fs::write(log(&dir), &swapped).unwrap();
        let f = FileLedger::open(&dir, key()).unwrap();
        assert_eq!(
            f.damage().unwrap(),
            &VerifyError {
                index: 3,
                reason: VerifyReason::WrongIndex { found: 4 }
            }
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn truncated_whole_entries_are_reported_by_the_head() {
        let (dir, o) = full_file("truncate");
        let original = fs::read(log(&dir)).unwrap();
        fs::write(log(&dir), &original[..o[6]]).unwrap();
        let f = FileLedger::open(&dir, key()).unwrap();
        let last = o.len() as u64 - 2;
        assert_eq!(
            f.damage().unwrap(),
            &VerifyError {
                index: 6,
                reason: VerifyReason::Truncated { head_index: last }
            }
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn truncated_mid_entry_with_a_newer_head_is_reported() {
        let (dir, o) = full_file("midentry");
        let original = fs::read(log(&dir)).unwrap();
        let last = o.len() - 2;
        fs::write(log(&dir), &original[..o[last] + 30]).unwrap();
        let f = FileLedger::open(&dir, key()).unwrap();
        assert_eq!(f.warnings().len(), 1, "the torn record was cut off");
        assert_eq!(fs::read(dir.join(BACKUP_FILE)).unwrap().len(), o[last] + 30);
        assert_eq!(
            f.damage().unwrap(),
            &VerifyError {
                index: last as u64,
                reason: VerifyReason::Truncated {
                    head_index: last as u64
                }
            }
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn torn_write_is_cut_off_with_a_backup_and_a_warning() {
        let dir = temp_dir("torn");
        let mut f = FileLedger::create(&dir, key(), 1, "t").unwrap();
        f.append(2, open_wallet("a")).unwrap();
        let head = fs::read(dir.join(HEAD_FILE)).unwrap();
        let good = fs::read(log(&dir)).unwrap();
        f.append(3, grant("a", 10)).unwrap();
        let full_bytes = fs::read(log(&dir)).unwrap();
        // A crash in the middle of the second append: part of the record, the old HEAD.
        for cut in [good.len() + 1, good.len() + 7, full_bytes.len() - 1] {
            fs::write(log(&dir), &full_bytes[..cut]).unwrap();
            fs::write(dir.join(HEAD_FILE), &head).unwrap();
            let mut f = FileLedger::open(&dir, key()).unwrap();
            assert!(f.damage().is_none(), "cut at {cut}: {:?}", f.damage());
            assert_eq!(f.warnings().len(), 1);
            assert_eq!(fs::read(dir.join(BACKUP_FILE)).unwrap(), &full_bytes[..cut]);
            assert_eq!(fs::read(log(&dir)).unwrap(), good);
            assert_eq!(f.state().balance("a"), Some(0));
            f.append(4, grant("a", 5)).unwrap();
            let f = FileLedger::open(&dir, key()).unwrap();
            assert_eq!(f.state().balance("a"), Some(5));
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_lagging_head_is_accepted_with_a_warning() {
        let dir = temp_dir("lag");
        let mut f = FileLedger::create(&dir, key(), 1, "t").unwrap();
        f.append(2, open_wallet("a")).unwrap();
        let head = fs::read(dir.join(HEAD_FILE)).unwrap();
        f.append(3, grant("a", 10)).unwrap();
        fs::write(dir.join(HEAD_FILE), &head).unwrap();
        let f = FileLedger::open(&dir, key()).unwrap();
        assert!(f.damage().is_none());
        assert_eq!(f.warnings().len(), 1);
        assert_eq!(f.state().balance("a"), Some(10));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn forged_record_without_the_key_is_reported() {
        let (dir, o) = full_file("forge");
        let source = full();
        let last = source.entries().last().unwrap();
        let forged = sign_entry(&other_key(), last.index + 1, 99, last.hash, grant("bo", 9));
        let mut bytes = fs::read(log(&dir)).unwrap();
        bytes.extend(codec::frame_record(&codec::encode_entry(&forged)));
        fs::write(log(&dir), &bytes).unwrap();
        fs::write(
            dir.join(HEAD_FILE),
            codec::encode_head(&sign_head(&other_key(), &forged)),
        )
        .unwrap();
        let f = FileLedger::open(&dir, key()).unwrap();
        assert_eq!(
            f.damage().unwrap(),
            &VerifyError {
                index: o.len() as u64 - 1,
                reason: VerifyReason::BadSignature
            }
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn random_operations_replay_from_the_file() {
        let dir = temp_dir("random");
        let mut rng = Rng(42);
        let mut f = FileLedger::create(&dir, key(), 0, "random").unwrap();
        for step in 0..1000u64 {
            let op = random_op(&mut rng, f.state());
            let _ = f.append(step, op);
            f.state().check_invariants().unwrap();
        }
        let reopened = FileLedger::open(&dir, key()).unwrap();
        assert!(reopened.damage().is_none());
        assert_eq!(reopened.state(), f.state());
        fs::remove_dir_all(dir).unwrap();
    }

    /// Builds the file ledger every handle below shares: wallets, grants and work "w"
    /// ([`sample`]), written by one handle.
    fn shared_file(name: &str) -> (PathBuf, FileLedger) {
        let dir = temp_dir(name);
        let source = sample();
        let mut f = FileLedger::create(&dir, key(), 1, "test").unwrap();
        for e in &source.entries()[1..] {
            f.append(e.timestamp, e.payload.clone()).unwrap();
        }
        (dir, f)
    }

    fn assert_file_verifies(dir: &std::path::Path, state: &State) {
        let f = FileLedger::open(dir, key()).unwrap();
        assert!(f.damage().is_none(), "{:?}", f.damage());
        assert!(f.warnings().is_empty(), "{:?}", f.warnings());
        let l = f.ledger().unwrap();
        assert_eq!(
            &verify(l.entries(), &keys(), &l.head()).unwrap(),
            state,
            "the file replays to the state"
        );
    }

    #[test]
    fn two_handles_appending_alternately_stay_valid() {
        let (dir, mut a) = shared_file("alternate");
        let mut b = FileLedger::open(&dir, key()).unwrap();
        for round in 0..5u64 {
            a.append(10 + round, grant("bo", 1)).unwrap();
            b.append(10 + round, grant("cy", 2)).unwrap();
            // Each sees the other's entries before its own: the rules run on the whole file.
            assert_eq!(a.state().len + 1, b.state().len);
        }
        // Both build a purchase of edition 1 from the same state; only the first one fits.
        let pa = a.state().purchase_payload("bo", "w").unwrap();
        let pb = b.state().purchase_payload("cy", "w").unwrap();
        let before = fs::read(log(&dir)).unwrap();
        a.append(20, pa).unwrap();
        let after_a = fs::read(log(&dir)).unwrap();
        assert!(after_a.len() > before.len());
        assert!(matches!(
            b.append(20, pb),
            Err(FileError::Rule(LedgerError::Mismatch("edition")))
        ));
        assert_eq!(
            fs::read(log(&dir)).unwrap(),
            after_a,
            "refused: nothing written"
        );
        let pb = b.state().purchase_payload("cy", "w").unwrap();
        b.append(21, pb).unwrap();
        assert!(a.refresh().unwrap());
        assert!(!b.refresh().unwrap());
        assert_eq!(a.state(), b.state());
        assert_eq!(a.ledger().unwrap().entries(), b.ledger().unwrap().entries());
        assert_eq!(a.state().balance("bo"), Some(1000 + 5 - 100));
        assert_eq!(a.state().balance("cy"), Some(1000 + 10 - 100));
        assert_eq!(a.state().owner("w", 2).map(String::as_str), Some("cy"));
        assert_file_verifies(&dir, a.state());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refresh_picks_up_another_handles_entries() {
        let (dir, mut a) = shared_file("refresh");
        let mut b = FileLedger::open(&dir, key()).unwrap();
        assert!(!b.refresh().unwrap(), "nothing new yet");
        a.append(10, open_wallet("dee")).unwrap();
        a.append_batch(vec![(11, grant("dee", 7)), (12, grant("bo", 1))])
            .unwrap();
        assert_eq!(b.state().balance("dee"), None);
        assert!(b.refresh().unwrap());
        assert_eq!(b.state(), a.state());
        assert_eq!(b.state().balance("dee"), Some(7));
        assert!(!b.refresh().unwrap());
        assert!(b.warnings().is_empty(), "{:?}", b.warnings());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn handles_in_threads_never_interleave_records() {
        let (dir, f) = shared_file("threads");
        drop(f);
        let workers: Vec<_> = ["bo", "cy"]
            .into_iter()
            .map(|wallet| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    let mut f = FileLedger::open(&dir, key()).unwrap();
                    for i in 0..20 {
                        if i % 4 == 3 {
                            f.append_batch(vec![(9, grant(wallet, 1)), (9, grant(wallet, 1))])
                                .unwrap();
                        } else {
                            f.append(9, grant(wallet, 1)).unwrap();
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let f = FileLedger::open(&dir, key()).unwrap();
        assert!(f.damage().is_none() && f.warnings().is_empty());
        assert_eq!(f.state().len, sample().state().len + 2 * 25);
        assert_eq!(f.state().balance("bo"), Some(1025));
        assert_eq!(f.state().balance("cy"), Some(1025));
        assert_file_verifies(&dir, f.state());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_torn_tail_left_by_another_process_is_cut_during_catch_up() {
        let (dir, mut a) = shared_file("torncatch");
        let mut b = FileLedger::open(&dir, key()).unwrap();
        let good = fs::read(log(&dir)).unwrap();
        // Another process stopped in the middle of writing a record.
        let last = a.ledger().unwrap().entries().last().unwrap().clone();
        let next = sign_entry(&key(), last.index + 1, 9, last.hash, grant("bo", 1));
        let record = codec::frame_record(&codec::encode_entry(&next));
        let mut torn = good.clone();
        torn.extend_from_slice(&record[..record.len() / 2]);
        fs::write(log(&dir), &torn).unwrap();
        assert!(!b.refresh().unwrap(), "no whole entry arrived");
        assert_eq!(b.warnings().len(), 1, "{:?}", b.warnings());
        assert_eq!(fs::read(dir.join(BACKUP_FILE)).unwrap(), torn);
        assert_eq!(fs::read(log(&dir)).unwrap(), good);
        // And while appending: the appender cuts it, then writes after the good records.
        fs::write(log(&dir), &torn).unwrap();
        a.append(10, grant("cy", 3)).unwrap();
        assert_eq!(a.warnings().len(), 1, "{:?}", a.warnings());
        assert!(b.refresh().unwrap());
        assert_eq!(b.state(), a.state());
        assert_eq!(b.state().balance("cy"), Some(1003));
        assert_file_verifies(&dir, a.state());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn damage_found_while_catching_up_makes_the_ledger_read_only() {
        let (dir, mut a) = shared_file("damagecatch");
        let mut b = FileLedger::open(&dir, key()).unwrap();
        a.append(10, grant("bo", 1)).unwrap();
        let good_state = a.state().clone();
        // A record signed by someone else, with its HEAD.
        let last = a.ledger().unwrap().entries().last().unwrap().clone();
        let forged = sign_entry(&other_key(), last.index + 1, 11, last.hash, grant("bo", 9));
        let mut bytes = fs::read(log(&dir)).unwrap();
        bytes.extend(codec::frame_record(&codec::encode_entry(&forged)));
        fs::write(log(&dir), &bytes).unwrap();
        let expected = VerifyError {
            index: forged.index,
            reason: VerifyReason::BadSignature,
        };
        assert!(matches!(b.refresh(), Err(FileError::ReadOnly(ref d)) if *d == expected));
        assert_eq!(b.damage(), Some(&expected));
        assert!(b.ledger().is_none());
        assert_eq!(b.state(), &good_state, "the state of the verified prefix");
        assert!(matches!(
            b.append(12, grant("cy", 1)),
            Err(FileError::ReadOnly(_))
        ));
        assert!(matches!(
            a.append(12, grant("cy", 1)),
            Err(FileError::ReadOnly(ref d)) if *d == expected
        ));
        assert_eq!(fs::read(log(&dir)).unwrap(), bytes, "never repaired");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_shrunk_log_is_damage_for_a_catching_up_handle() {
        let (dir, mut a) = shared_file("shrunk");
        let cut = fs::read(log(&dir)).unwrap();
        let entries = a.state().len;
        a.append(10, grant("bo", 1)).unwrap();
        a.append(11, grant("bo", 1)).unwrap();
        fs::write(log(&dir), &cut).unwrap();
        assert!(matches!(
            a.append(12, grant("bo", 1)),
            Err(FileError::ReadOnly(VerifyError {
                index,
                reason: VerifyReason::Truncated { .. }
            })) if index == entries
        ));
        assert_eq!(a.state().len, entries);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_refused_batch_writes_nothing() {
        let (dir, mut f) = shared_file("batchrefused");
        let log_before = fs::read(log(&dir)).unwrap();
        let head_before = fs::read(dir.join(HEAD_FILE)).unwrap();
        let state_before = f.state().clone();
        let err = f
            .append_batch(vec![
                (10, open_wallet("dee")),
                (10, grant("dee", 5)),
                // Only valid after the two before it; then one that is refused.
                (11, transfer("w", 1, "bo", "dee")),
            ])
            .unwrap_err();
        assert!(
            matches!(
                err,
                FileError::Refused {
                    position: 2,
                    error: LedgerError::UnknownEdition { .. }
                }
            ),
            "{err}"
        );
        assert_eq!(fs::read(log(&dir)).unwrap(), log_before);
        assert_eq!(fs::read(dir.join(HEAD_FILE)).unwrap(), head_before);
        assert_eq!(f.state(), &state_before);
        // Each item is checked against the state after the ones before it.
        let p = f.state().purchase_payload("bo", "w").unwrap();
        let entries = f
            .append_batch(vec![
                (10, open_wallet("dee")),
                (10, grant("dee", 5)),
                (11, p),
                (11, transfer("w", 1, "bo", "dee")),
            ])
            .unwrap();
        assert_eq!(entries.len(), 4);
        assert_eq!(f.state().owner("w", 1).map(String::as_str), Some("dee"));
        assert_eq!(
            &entries[..],
            &f.ledger().unwrap().entries()[state_before.len as usize..]
        );
        assert!(matches!(f.append_batch(Vec::new()), Ok(v) if v.is_empty()));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_batch_then_reopen_equals() {
        let (sequential, _) = full_file("batchseq");
        let dir = temp_dir("batch");
        let source = full();
        let mut f = FileLedger::create(&dir, key(), 1, "test").unwrap();
        let items = source.entries()[1..]
            .iter()
            .map(|e| (e.timestamp, e.payload.clone()))
            .collect();
        let entries = f.append_batch(items).unwrap();
        assert_eq!(&entries[..], &source.entries()[1..]);
        assert_eq!(f.state(), source.state());
        assert_file_verifies(&dir, source.state());
        let reopened = FileLedger::open(&dir, key()).unwrap();
        assert_eq!(reopened.state(), f.state());
        assert_eq!(
            fs::read(log(&dir)).unwrap(),
            fs::read(log(&sequential)).unwrap(),
            "the same bytes as one append per entry"
        );
        fs::remove_dir_all(dir).unwrap();
        fs::remove_dir_all(sequential).unwrap();
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_missing_head_is_damage() {
    use crate::market::ledger::file::*;
    let dir = std::env::temp_dir().join(format!("vernissage-ledger-nohead-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    FileLedger::create(&dir, key(), 1, "t").unwrap();
    std::fs::remove_file(dir.join(HEAD_FILE)).unwrap();
    let f = FileLedger::open(&dir, key()).unwrap();
    assert_eq!(
        f.damage().unwrap(),
        &VerifyError {
            index: 1,
            reason: VerifyReason::MissingHead
        }
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn curator_endorsements_are_checked_on_registration() {
    let curator = other_key();
    let mut l = sample();
    let endorsed = endorse(
        register("endorsed", b"pixels", "ana", 3, 100, &[], 1_000),
        &curator,
    );
    assert!(endorsement_valid(&endorsed));
    l.append(6, endorsed).unwrap();
    assert_eq!(
        l.state().works["endorsed"].endorsed_by,
        Some(curator.verifying_key().to_bytes())
    );

    // Any change to the registered terms breaks the curator's signature.
    let mut changed = endorse(
        register("cheaper", b"pixels", "ana", 3, 100, &[], 1_000),
        &curator,
    );
    if let Payload::RegisterWork { price, .. } = &mut changed {
        *price = 1;
    }
    assert!(!endorsement_valid(&changed));
    refused(
        &mut l,
        changed,
        LedgerError::BadEndorsement("cheaper".into()),
    );

    // The endorsement survives the byte encoding.
    let entries = l.entries().to_vec();
    let decoded: Vec<Entry> = entries
        .iter()
        .map(|e| codec::decode_entry(&codec::encode_entry(e)).unwrap())
        .collect();
    assert_eq!(decoded, entries);
}
