//! `cargo bench --bench ledger`: the file ledger beside the bare work it cannot avoid.
//!
//! - appends with one fsync'd transaction each, and group commits of 64, beside a plain file
//!   that gets the same record bytes with one `write` + `fsync` per transaction (or per batch);
//! - verifying 100 000 entries (a realistic mix of wallets, grants, registrations, purchases,
//!   listings and resales) beside bare SHA-256 of the same hashed bytes plus Ed25519
//!   verification of the same signatures;
//! - `FileLedger::open` of those 100 000 entries written to disk.
//!
//! Everything is written to a temporary folder, removed at the end.

use std::fs::{self, File, OpenOptions};
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use ed25519_dalek::{Signature, SigningKey, Verifier};
use sha2::{Digest, Sha256};

use vernissage::market::ledger::file::{FileLedger, HEAD_FILE, LOG_FILE};
use vernissage::market::ledger::{
    Entry, Payload, State, codec, ops, sign_entry, sign_head, verify_entries,
};

const TRANSACTIONS: usize = 300;
const BATCH: usize = 64;
const BATCHES: usize = 20;
const BIG: usize = 100_000;

/// A small deterministic generator.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn visitor(i: usize) -> String {
    format!("visitor-{i:04x}")
}

fn work(i: usize) -> String {
    format!("work-{i:03}")
}

/// The opening of a gallery: wallets, registrations by artists, a grant for every visitor.
fn setup(artists: usize, visitors: usize, works: usize, editions: u32) -> Vec<Payload> {
    let mut out = vec![ops::open_wallet("gallery")];
    for a in 0..artists {
        out.push(ops::open_wallet(&format!("artist-{a:02}")));
    }
    for v in 0..visitors {
        out.push(ops::open_wallet(&visitor(v)));
    }
    for w in 0..works {
        out.push(ops::register(
            &work(w),
            format!("<svg id='{w}'/>").as_bytes(),
            &format!("artist-{:02}", w % artists),
            editions,
            50 + (w as u64 % 7) * 25,
            &[("gallery", 2500)],
            1000,
        ));
    }
    for v in 0..visitors {
        out.push(ops::grant(&visitor(v), 500));
    }
    out
}

/// The next market operation against `state` (always valid): mostly purchases, then
/// listings, resales and top-up grants.
fn market_op(rng: &mut Lcg, state: &State, visitors: usize, works: usize) -> Payload {
    let buyer = visitor(rng.below(visitors));
    match rng.below(10) {
        0..=4 => {
            let w = work(rng.below(works));
            match state.purchase_payload(&buyer, &w) {
                Ok(p) if affordable(state, &p) => p,
                _ => ops::grant(&buyer, 200),
            }
        }
        5 | 6 => {
            // List an owned edition at a price around its primary one.
            let w = work(rng.below(works));
            let sold = state.works.get(&w).map_or(0, |x| x.sold);
            if sold == 0 {
                return ops::grant(&buyer, 100);
            }
            let edition = 1 + rng.below(sold as usize) as u32;
            let owner = state.owner(&w, edition).expect("sold editions have owners");
            ops::list(&w, edition, owner, 60 + rng.below(200) as u64)
        }
        7 | 8 => {
            // Buy a listed edition, if any is listed.
            if state.listings.is_empty() {
                return ops::grant(&buyer, 100);
            }
            let at = rng.below(state.listings.len());
            let (w, edition) = state.listings.keys().nth(at).expect("in range");
            match state.resale_payload(&buyer, w, *edition) {
                Ok(p) if affordable(state, &p) => p,
                _ => ops::grant(&buyer, 200),
            }
        }
        _ => ops::grant(&buyer, 100),
    }
}

/// Whether a sale `purchase_payload` / `resale_payload` made is accepted: they leave only the
/// payer's balance and self-dealing unchecked.
fn affordable(state: &State, p: &Payload) -> bool {
    match p {
        Payload::Purchase {
            work, buyer, price, ..
        } => {
            state.works.get(work).is_some_and(|w| w.artist != *buyer)
                && state.balance(buyer).is_some_and(|b| b >= *price)
        }
        Payload::Resale {
            seller,
            buyer,
            price,
            ..
        } => seller != buyer && state.balance(buyer).is_some_and(|b| b >= *price),
        _ => true,
    }
}

/// `count` valid market operations after `state`, with their timestamps.
fn market(state: &State, count: usize, seed: u64) -> Vec<(u64, Payload)> {
    let mut state = state.clone();
    let mut rng = Lcg(seed);
    let visitors = state
        .balances
        .keys()
        .filter(|k| k.starts_with("visitor-"))
        .count();
    let works = state.works.len();
    (0..count)
        .map(|_| {
            let t = state.last_timestamp + 1;
            let p = market_op(&mut rng, &state, visitors, works);
            state.apply(t, &p).expect("a valid operation");
            (t, p)
        })
        .collect()
}

fn record(e: &Entry) -> Vec<u8> {
    codec::frame_record(&codec::encode_entry(e))
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// Median and mean of per-operation times, in seconds.
fn stats(mut samples: Vec<f64>) -> (f64, f64) {
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], mean)
}

fn time(op: impl FnOnce()) -> f64 {
    let t = Instant::now();
    op();
    t.elapsed().as_secs_f64()
}

/// The bare floor: a plain file that gets each buffer with one `write` and one `fsync`.
struct Raw(File);

impl Raw {
    fn new(path: &Path) -> Self {
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("raw file");
        Self(f)
    }

    fn append(&mut self, bytes: &[u8]) -> f64 {
        time(|| {
            self.0.write_all(bytes).expect("write");
            self.0.sync_all().expect("fsync");
        })
    }
}

/// Replaces a HEAD file the way the ledger does: temporary file, fsync, rename, folder fsync.
fn replace_head(dir: &Path, bytes: &[u8]) -> f64 {
    time(|| {
        let tmp = dir.join("ledger.head.tmp");
        let mut h = File::create(&tmp).expect("tmp");
        h.write_all(bytes).expect("write");
        h.sync_all().expect("fsync");
        fs::rename(&tmp, dir.join(HEAD_FILE)).expect("rename");
        File::open(dir)
            .and_then(|d| d.sync_all())
            .expect("fsync folder");
    })
}

fn line(what: &str, per_op: usize, ledger: Vec<f64>, raw: Vec<f64>) {
    let ((lm, la), (rm, ra)) = (stats(ledger), stats(raw));
    println!(
        "{what:<22} ledger {:>6.0} txn/s, {:>6.2} ms per write (mean {:>6.2})   \
         raw write+fsync {:>6.0} txn/s, {:>5.2} ms (mean {:>5.2})   ratio {:.2} (of means {:.2})",
        per_op as f64 / lm,
        lm * 1e3,
        la * 1e3,
        per_op as f64 / rm,
        rm * 1e3,
        ra * 1e3,
        lm / rm,
        la / ra
    );
}

fn main() {
    let root = std::env::temp_dir().join(format!("vernissage-ledger-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).expect("temp dir");
    let head_dir = root.join("head");
    fs::create_dir_all(&head_dir).expect("dir");

    let dir = root.join("ledger");
    let mut f = FileLedger::create(&dir, key(), 1, "bench").expect("create");
    let opening: Vec<_> = setup(8, 200, 40, 50).into_iter().map(|p| (1, p)).collect();
    f.append_batch(opening).expect("setup");
    let txns = market(f.state(), TRANSACTIONS + BATCH * BATCHES, 7);
    let (single, batched) = txns.split_at(TRANSACTIONS);
    let first = f.state().len as usize;

    // (a) One fsync'd transaction at a time, and (c) the raw cost of the same record bytes
    // with one write + fsync each, interleaved so that both see the same disk. The HEAD
    // replacement alone is timed in between too.
    let mut raw = Raw::new(&root.join("raw-single.log"));
    let (mut ledger_single, mut raw_single, mut head_steps) = (Vec::new(), Vec::new(), Vec::new());
    let mut bytes = 0;
    for (ts, p) in single {
        let mut rec = Vec::new();
        ledger_single.push(time(|| {
            rec = record(f.append(*ts, p.clone()).expect("append"));
        }));
        bytes += rec.len();
        raw_single.push(raw.append(&rec));
        head_steps.push(replace_head(&head_dir, &rec[..104]));
    }

    // (b) Group commit, batches of 64, and the raw cost of one write + fsync per batch.
    let mut raw = Raw::new(&root.join("raw-batched.log"));
    let (mut ledger_batched, mut raw_batched) = (Vec::new(), Vec::new());
    for chunk in batched.chunks(BATCH) {
        let mut written = Vec::new();
        ledger_batched.push(time(|| {
            written = f.append_batch(chunk.to_vec()).expect("batch");
        }));
        let recs: Vec<u8> = written.iter().flat_map(record).collect();
        raw_batched.push(raw.append(&recs));
    }
    let entries = &f.ledger().expect("writable").entries()[first..];
    let count = |f: fn(&Payload) -> bool| entries.iter().filter(|e| f(&e.payload)).count();
    println!(
        "machine: {} cores; {TRANSACTIONS} + {} market transactions ({} purchases, {} \
         resales, {} listings, {} grants), records of {} bytes on average",
        std::thread::available_parallelism().map_or(1, usize::from),
        BATCH * BATCHES,
        count(|p| matches!(p, Payload::Purchase { .. })),
        count(|p| matches!(p, Payload::Resale { .. })),
        count(|p| matches!(p, Payload::List { .. })),
        count(|p| matches!(p, Payload::Grant { .. })),
        bytes / TRANSACTIONS,
    );
    drop(f);
    line("append (1 per fsync)", 1, ledger_single, raw_single);
    line(
        &format!("append_batch of {BATCH}"),
        BATCH,
        ledger_batched,
        raw_batched,
    );
    let (hm, ha) = stats(head_steps);
    println!(
        "  of which the HEAD replacement (tmp write + fsync, rename, folder fsync): \
         {:.2} ms (mean {:.2})",
        hm * 1e3,
        ha * 1e3
    );

    // (d) A 100 000-entry ledger built in memory: the gallery opening, then the market.
    let t = Instant::now();
    let key = key();
    let mut state = State::default();
    let mut big: Vec<Entry> = Vec::with_capacity(BIG);
    let push = |state: &mut State, big: &mut Vec<Entry>, ts: u64, p: Payload| {
        state.apply(ts, &p).expect("valid");
        let (index, prev) = big.last().map_or((0, [0; 32]), |e| (e.index + 1, e.hash));
        big.push(sign_entry(&key, index, ts, prev, p));
    };
    push(
        &mut state,
        &mut big,
        1,
        Payload::Genesis {
            ledger: "bench".into(),
        },
    );
    for p in setup(50, 5000, 400, 200) {
        push(&mut state, &mut big, 1, p);
    }
    let mut rng = Lcg(11);
    let visitors = 5000;
    let works = 400;
    while big.len() < BIG {
        let ts = state.last_timestamp + 1;
        let p = market_op(&mut rng, &state, visitors, works);
        push(&mut state, &mut big, ts, p);
    }
    let build = t.elapsed().as_secs_f64();
    let count = |f: fn(&Payload) -> bool| big.iter().filter(|e| f(&e.payload)).count();
    println!(
        "100 000 entries built and signed in {:.2} s: {} wallets, {} registrations, {} grants, \
         {} purchases, {} listings, {} resales",
        build,
        count(|p| matches!(p, Payload::OpenWallet { .. })),
        count(|p| matches!(p, Payload::RegisterWork { .. })),
        count(|p| matches!(p, Payload::Grant { .. })),
        count(|p| matches!(p, Payload::Purchase { .. })),
        count(|p| matches!(p, Payload::List { .. })),
        count(|p| matches!(p, Payload::Resale { .. })),
    );

    let vk = [key.verifying_key()];
    let t = Instant::now();
    let verified = verify_entries(black_box(&big), &vk).expect("verifies");
    let verify_time = t.elapsed().as_secs_f64();
    assert_eq!(verified, state);

    let hashed: Vec<Vec<u8>> = big
        .iter()
        .map(|e| codec::hashed_bytes(e.index, e.timestamp, &e.prev_hash, &e.payload))
        .collect();
    let t = Instant::now();
    let mut ok = true;
    for (bytes, e) in hashed.iter().zip(&big) {
        let hash: [u8; 32] = Sha256::digest(black_box(bytes)).into();
        ok &= hash == e.hash;
        ok &= vk[0]
            .verify(&hash, &Signature::from_bytes(&e.signature))
            .is_ok();
    }
    let bare_time = t.elapsed().as_secs_f64();
    assert!(ok);
    let t = Instant::now();
    for bytes in &hashed {
        black_box(Sha256::digest(black_box(bytes)));
    }
    let sha_time = t.elapsed().as_secs_f64();
    println!(
        "verify_entries 100 000  {:>7.2} s ({:>5.1} µs/entry)   bare SHA-256 + Ed25519 {:>6.2} s \
         ({:>5.1} µs; SHA-256 alone {:.2} µs)   ratio {:.2}",
        verify_time,
        verify_time * 1e6 / BIG as f64,
        bare_time,
        bare_time * 1e6 / BIG as f64,
        sha_time * 1e6 / BIG as f64,
        verify_time / bare_time
    );
    // Where the rest goes: the rules alone, and the invariant check (run after every entry).
    let t = Instant::now();
    let mut replayed = State::default();
    for e in &big {
        replayed.apply(e.timestamp, &e.payload).expect("valid");
    }
    let apply_time = t.elapsed().as_secs_f64();
    let reps = 1000;
    let t = Instant::now();
    for _ in 0..reps {
        black_box(black_box(&replayed).check_invariants()).expect("holds");
    }
    let invariant_time = t.elapsed().as_secs_f64() / reps as f64;
    println!(
        "  of which: rules (State::apply) {:.1} µs/entry; invariants {:.1} µs per check on the \
         final state ({} wallets, {} works)",
        apply_time * 1e6 / BIG as f64,
        invariant_time * 1e6,
        replayed.balances.len(),
        replayed.works.len()
    );

    // (e) The same ledger on disk, opened.
    let dir = root.join("big");
    fs::create_dir_all(&dir).expect("dir");
    let mut bytes = codec::FILE_MAGIC.to_vec();
    for e in &big {
        bytes.extend(record(e));
    }
    let mb = bytes.len() as f64 / 1e6;
    let mut log = File::create(dir.join(LOG_FILE)).expect("log");
    log.write_all(&bytes).expect("write");
    log.sync_all().expect("fsync");
    let head = sign_head(&key, big.last().expect("entries"));
    fs::write(dir.join(HEAD_FILE), codec::encode_head(&head)).expect("head");
    let t = Instant::now();
    let opened = FileLedger::open(&dir, key.clone()).expect("open");
    let open_time = t.elapsed().as_secs_f64();
    assert!(opened.damage().is_none() && opened.warnings().is_empty());
    assert_eq!(opened.state(), &state);
    println!(
        "FileLedger::open 100 000 {:>6.2} s ({mb:.1} MB: read, frame, decode, verify)   \
         ratio to verify_entries {:.2}",
        open_time,
        open_time / verify_time
    );

    let _ = fs::remove_dir_all(&root);
}
