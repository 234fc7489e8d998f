//! `vernissage ledger ...` and the ledger checks of `validate`, run as a real process on
//! ledgers built through the library in temporary data directories.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use vernissage::market::ledger::file::{FileLedger, LOG_FILE};
use vernissage::market::ledger::{Entry, codec, ops};
use vernissage::market::{LEDGER_DIR, keys, terms};

use crate::support::vernissage;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vernissage-ledger-cli-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// 2025-01-01T00:00:00Z in milliseconds.
const T0: u64 = 1_735_689_600_000;

/// A ledger for `exhibition` in the data root `root`, signed with the installation key written
/// there: three payees, one work, two visitors, a purchase, a listing, a resale, a listing.
fn build_ledger(root: &Path, exhibition: &str) -> Vec<Entry> {
    let key_path = root.join(keys::KEY_FILE);
    let key = match keys::read_key(&key_path) {
        Ok(key) => key,
        Err(_) => {
            let key = SigningKey::from_bytes(&[5; 32]);
            keys::write_key(&key_path, &key).unwrap();
            key
        }
    };
    let dir = root.join(exhibition).join(LEDGER_DIR);
    let mut l = FileLedger::create(&dir, key, T0, exhibition).unwrap();
    for w in [
        "Ilse Varga",
        "Maren Lind",
        "Kestrel Hall",
        "visitor-ab12",
        "visitor \"cd\", 34",
    ] {
        l.append(T0 + 1, ops::open_wallet(w)).unwrap();
    }
    l.append(
        T0 + 2,
        ops::register(
            "sunrise",
            b"source",
            "Ilse Varga",
            8,
            680,
            &[("Maren Lind", 1000), ("Kestrel Hall", 500)],
            1000,
        ),
    )
    .unwrap();
    l.append(T0 + 3, ops::grant("visitor-ab12", 1000)).unwrap();
    l.append(T0 + 3, ops::grant("visitor \"cd\", 34", 1000))
        .unwrap();
    let p = l
        .state()
        .purchase_payload("visitor-ab12", "sunrise")
        .unwrap();
    l.append(T0 + 4, p).unwrap();
    l.append(T0 + 5, ops::list("sunrise", 1, "visitor-ab12", 300))
        .unwrap();
    let r = l
        .state()
        .resale_payload("visitor \"cd\", 34", "sunrise", 1)
        .unwrap();
    l.append(T0 + 6, r).unwrap();
    l.append(T0 + 7, ops::list("sunrise", 1, "visitor \"cd\", 34", 450))
        .unwrap();
    l.ledger().unwrap().entries().to_vec()
}

#[test]
fn verify_show_balances_and_export_read_the_ledger() {
    let root = temp("read");
    let entries = build_ledger(&root, "small-hours");
    let data = ["--data-dir", s(&root)];

    let (code, out, err) = vernissage(&[&["ledger", "verify"][..], &data].concat());
    assert_eq!(code, 0, "{out}{err}");
    let head = terms::hex(&entries.last().unwrap().hash);
    assert_eq!(out.trim(), format!("ledger ok: 13 entries, head {head}"));

    let (code, out, err) = vernissage(&[&["ledger", "show"][..], &data].concat());
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.lines().count(), 13, "{out}");
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains("2025-01-01T00:00:00.000Z"),
        "{out}"
    );
    assert!(
        out.contains(
            "purchase sunrise #1 by visitor-ab12 for 680 (Ilse Varga 578, Maren Lind 68, Kestrel Hall 34)"
        ),
        "{out}"
    );
    assert!(out.contains(&terms::hex(&entries[9].hash)[..12]), "{out}");

    let (code, out, _) = vernissage(&[&["ledger", "show", "--json"][..], &data].concat());
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[9]["kind"], "purchase");
    assert_eq!(lines[9]["price"], 680);
    assert_eq!(lines[11]["kind"], "resale");
    assert_eq!(lines[11]["royalty"], 30);

    let (code, out, err) = vernissage(&[&["ledger", "balances"][..], &data].concat());
    assert_eq!(code, 0, "{out}{err}");
    let balance = |wallet: &str| -> u64 {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(wallet))
            .unwrap_or_else(|| panic!("no {wallet} in {out}"));
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    assert_eq!(balance("Ilse Varga"), 578 + 30);
    assert_eq!(balance("visitor-ab12"), 1000 - 680 + 270);
    assert!(out.contains("visitor \"cd\", 34: sunrise #1"), "{out}");
    assert!(
        out.contains("sunrise #1 by visitor \"cd\", 34 at 450"),
        "{out}"
    );

    let (code, out, _) = vernissage(&[&["ledger", "export", "--csv"][..], &data].concat());
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(
        rows[0],
        "index,timestamp_ms,kind,work,edition,from,to,amount,hash"
    );
    // 13 entries; the purchase pays three payees, the resale two.
    assert_eq!(rows.len(), 1 + 13 + 2 + 1, "{out}");
    let hash9 = terms::hex(&entries[9].hash);
    assert!(
        rows.contains(
            &format!(
                "9,{},purchase,sunrise,1,visitor-ab12,Maren Lind,68,{hash9}",
                T0 + 4
            )
            .as_str()
        ),
        "{out}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with(&format!(
            "11,{},resale,sunrise,1,\"visitor \"\"cd\"\", 34\",visitor-ab12,270,",
            T0 + 6
        ))),
        "{out}"
    );
    let file = root.join("out.csv");
    let (code, _, _) =
        vernissage(&[&["ledger", "export", "--csv", "--out", s(&file)][..], &data].concat());
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), out);

    // Several exhibitions: one must be chosen, by id or by level.
    build_ledger(&root, "second-show");
    let (code, _, err) = vernissage(&[&["ledger", "verify"][..], &data].concat());
    assert_eq!(code, 1);
    assert!(
        err.contains("--exhibition") && err.contains("second-show, small-hours"),
        "{err}"
    );
    let (code, out, _) = vernissage(
        &[
            &["ledger", "verify", "--exhibition", "second-show"][..],
            &data,
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = vernissage(
        &[
            &["ledger", "verify", "--level", "levels/small.ron"][..],
            &data,
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&head), "{out}");
    let (code, _, err) = vernissage(
        &[
            &["ledger", "verify", "--exhibition", "nothing-here"][..],
            &data,
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("no ledger for exhibition \"nothing-here\""),
        "{err}"
    );

    // Without the installation key nothing can be verified, and no key is made.
    std::fs::remove_file(root.join(keys::KEY_FILE)).unwrap();
    let (code, _, err) = vernissage(
        &[
            &["ledger", "verify", "--exhibition", "small-hours"][..],
            &data,
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("no ledger key"), "{err}");
    assert!(!root.join(keys::KEY_FILE).exists());
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_flipped_byte_fails_verify_with_the_entry_index() {
    let root = temp("flip");
    let entries = build_ledger(&root, "small-hours");
    let log = root.join("small-hours").join(LEDGER_DIR).join(LOG_FILE);
    let mut bytes = std::fs::read(&log).unwrap();
    // The record of entry 3: after the magic and the records before it.
    let offset: usize = 8 + entries[..3]
        .iter()
        .map(|e| codec::frame_record(&codec::encode_entry(e)).len())
        .sum::<usize>();
    // Inside its payload: frame header 10, index 8, timestamp 8, prev hash 32, length 4, tag 1,
    // string length 4, then the wallet's name.
    bytes[offset + 10 + 8 + 8 + 32 + 4 + 1 + 4 + 2] ^= 0x20;
    std::fs::write(&log, bytes).unwrap();

    let data = ["--data-dir", s(&root)];
    let (code, out, err) = vernissage(&[&["ledger", "verify"][..], &data].concat());
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("ledger damaged at entry 3: "), "{out}{err}");
    // Listing a damaged ledger shows the verified entries before the damage, and fails.
    let (code, out, err) = vernissage(&[&["ledger", "show"][..], &data].concat());
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(err.contains("ledger damaged at entry 3"), "{err}");
    let _ = std::fs::remove_dir_all(root);
}

/// A private copy of `levels/small.ron` and its assets; returns the level's path.
fn copy_small_level(root: &Path) -> PathBuf {
    let levels = root.join("levels");
    std::fs::create_dir_all(&levels).unwrap();
    let path = levels.join("show.ron");
    std::fs::copy("levels/small.ron", &path).unwrap();
    let assets = root.join("assets/works");
    std::fs::create_dir_all(&assets).unwrap();
    for entry in std::fs::read_dir("assets/works").unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), assets.join(entry.file_name())).unwrap();
        }
    }
    path
}

fn read_level(path: &Path) -> vernissage::level::Report {
    let bytes = std::fs::read(path).unwrap();
    let root = path.parent().unwrap().parent().unwrap().to_path_buf();
    vernissage::level::read_level(&bytes, |asset| {
        std::fs::read(root.join(asset)).map_err(|e| e.to_string())
    })
}

#[test]
fn keygen_and_sign_level_write_endorsements_that_validate() {
    let root = temp("sign");
    let level = copy_small_level(&root);
    let key = root.join("curator.key");
    let (code, out, err) = vernissage(&["ledger", "keygen", "--out", s(&key)]);
    assert_eq!(code, 0, "{err}");
    let public = out.trim().to_string();
    assert_eq!(public.len(), 64, "{out}");
    let curator = keys::read_key(&key).unwrap();
    assert_eq!(public, terms::hex(&curator.verifying_key().to_bytes()));
    assert!(!keys::readable_by_others(&key));
    let (code, _, err) = vernissage(&["ledger", "keygen", "--out", s(&key)]);
    assert_eq!(code, 1, "an existing key is never replaced");
    assert!(err.contains("already exists"), "{err}");

    // A level without a curator key is refused, saying what to add.
    let (code, _, err) = vernissage(&["ledger", "sign-level", s(&level), "--key", s(&key)]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("curator_key: \"{public}\"")), "{err}");

    let original = std::fs::read_to_string(&level).unwrap();
    let with_key = original.replacen(
        "    spawn:",
        &format!("    market: (\n        // signed by Tove\n        curator_key: \"{public}\"\n    ),\n    spawn:"),
        1,
    );
    std::fs::write(&level, &with_key).unwrap();

    // Another key does not match the one the level names.
    let other = root.join("other.key");
    keys::write_key(&other, &SigningKey::from_bytes(&[8; 32])).unwrap();
    let (code, _, err) = vernissage(&["ledger", "sign-level", s(&level), "--key", s(&other)]);
    assert_eq!(code, 1);
    assert!(
        err.contains("market.curator_key is") && err.contains(&public),
        "{err}"
    );

    // Printing only leaves the file alone.
    let (code, out, err) = vernissage(&["ledger", "sign-level", s(&level), "--key", s(&key)]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("endorsements: {\n    \"border-study\": \""),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&level).unwrap(), with_key);

    let (code, printed, err) = vernissage(&[
        "ledger",
        "sign-level",
        s(&level),
        "--key",
        s(&key),
        "--write",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(printed, out, "the same block is printed and written");
    // The block goes before market's closing bracket; every other byte is kept, comments too.
    let value = printed
        .trim_end()
        .strip_prefix("endorsements: ")
        .and_then(|v| v.strip_suffix(','))
        .unwrap()
        .replace('\n', "\n        ");
    let expected = with_key.replacen(
        &format!("curator_key: \"{public}\"\n"),
        &format!("curator_key: \"{public}\",\n        endorsements: {value},\n"),
        1,
    );
    let signed = std::fs::read_to_string(&level).unwrap();
    assert_eq!(signed, expected);
    assert!(signed.contains("// The one shadow caster in this level."));

    let report = read_level(&level);
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    let parsed = report.level.as_ref().unwrap();
    assert_eq!(parsed.market.endorsements.len(), parsed.works.len());
    for work in &parsed.works {
        let hash = report.content_hashes[&work.id];
        assert!(
            terms::endorsed_registration(parsed, work, hash).is_ok(),
            "{}",
            work.id
        );
    }
    let (code, out, _) = vernissage(&["validate", s(&level), "--data-dir", s(&root)]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning"), "{out}");
    assert!(out.trim_end().ends_with("ok (1 rooms, 9 works)"), "{out}");

    // Signing again replaces the block: the file does not change.
    let (code, _, err) = vernissage(&[
        "ledger",
        "sign-level",
        s(&level),
        "--key",
        s(&key),
        "--write",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&level).unwrap(), signed);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn validate_warns_when_the_level_contradicts_its_ledger() {
    let root = temp("contradict");
    let level = copy_small_level(&root);
    let data = root.join("data");
    let report = read_level(&level);
    let parsed = report.level.clone().unwrap();
    let work = &parsed.works[0];
    assert_eq!(work.id, "lake-first-light");
    let key = SigningKey::from_bytes(&[6; 32]);
    keys::write_key(&data.join(keys::KEY_FILE), &key).unwrap();
    let dir = data.join(&parsed.exhibition.id).join(LEDGER_DIR);
    let mut l = FileLedger::create(&dir, key, T0, "small-hours").unwrap();
    for wallet in terms::payees(work) {
        l.append(T0, ops::open_wallet(&wallet)).unwrap();
    }
    l.append(
        T0,
        terms::registration(work, report.content_hashes[&work.id]),
    )
    .unwrap();
    drop(l);

    let (code, out, _) = vernissage(&["validate", s(&level), "--data-dir", s(&data)]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning"), "as registered: {out}");

    // The price is edited after registration.
    let text = std::fs::read_to_string(&level).unwrap();
    let edited = text.replacen("price: 680,", "price: 700,", 1);
    std::fs::write(&level, &edited).unwrap();
    let line = edited
        .lines()
        .position(|l| l.contains("price: 700,"))
        .unwrap()
        + 1;
    let column = edited.lines().nth(line - 1).unwrap().find("700").unwrap() + 1;
    let (code, out, _) = vernissage(&["validate", s(&level), "--data-dir", s(&data)]);
    assert_eq!(code, 0, "warnings do not fail validation: {out}");
    assert!(
        out.lines().any(|l| l
            == format!(
                "{}:{line}:{column}: warning: works[0].price: price is 700 in the level but 680 in the ledger; the ledger wins",
                s(&level)
            )),
        "{out}"
    );
    assert!(out.trim_end().ends_with("ok (1 rooms, 9 works)"), "{out}");
    // Another data directory has no ledger: nothing to compare.
    let (_, out, _) = vernissage(&["validate", s(&level), "--data-dir", s(&root.join("empty"))]);
    assert!(!out.contains("warning"), "{out}");
    let _ = std::fs::remove_dir_all(root);
}
