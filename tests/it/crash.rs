//! Crash safety of the ledger: `vernissage simulate` buying as fast as it can, killed with
//! SIGKILL at random moments; every transaction it printed as committed must be in the
//! verified ledger afterwards, and the ledger must always verify.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use vernissage::level::schema::{SculptureSource, SpotTarget, WorkKind};
use vernissage::market::keys;
use vernissage::market::ledger::file::FileLedger;

/// A copy of the small show without file-based works (so it needs no assets), where every
/// work is cheap and plentiful and wallets start rich: a visitor can buy for a long time.
fn write_market_level(root: &Path) -> (PathBuf, Vec<String>) {
    let text = std::fs::read("levels/small.ron").unwrap();
    let mut level = vernissage::level::parse(&text).unwrap();
    level.works.retain(|w| {
        !matches!(
            w.kind,
            WorkKind::Image { .. }
                | WorkKind::Sculpture {
                    source: SculptureSource::Gltf { .. },
                    ..
                }
        )
    });
    let ids: Vec<String> = level.works.iter().map(|w| w.id.clone()).collect();
    level
        .lights
        .spots
        .retain(|s| !matches!(&s.target, SpotTarget::Work(id) if !ids.contains(id)));
    for work in &mut level.works {
        work.price = 3;
        work.editions = 100_000;
    }
    level.exhibition.id = "crash-market".into();
    level.market.starting_grant = 1_000_000;
    let levels = root.join("levels");
    std::fs::create_dir_all(&levels).unwrap();
    let path = levels.join("market.ron");
    std::fs::write(&path, vernissage::level::to_ron(&level).unwrap()).unwrap();
    (path, ids)
}

/// A script that buys one edition after another, cycling through the works.
fn buying_script(name: &str, works: &[String]) -> String {
    let mut steps = String::new();
    for i in 0..400 {
        let work = &works[i % works.len()];
        steps.push_str(&format!(
            "Teleport(\"{work}\"), Inspect, Buy, Wait(0.02),\n"
        ));
    }
    format!("Script(format: 3, name: \"{name}\", steps: [\n{steps}])\n")
}

/// A tiny deterministic generator for the kill times.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// (index, hash) of a `transaction` event line.
fn committed(line: &str) -> Option<(u64, String)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value["event"] != "transaction" {
        return None;
    }
    Some((
        value["index"].as_u64()?,
        value["hash"].as_str()?.to_string(),
    ))
}

#[test]
fn killed_simulations_never_lose_committed_transactions() {
    let root = std::env::temp_dir().join(format!("vernissage-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (level, works) = write_market_level(&root);
    let data = root.join("data");
    let mut rng = Lcg(0x5EED_CAFE);
    let mut printed: Vec<(u64, String)> = Vec::new();
    let mut kills = 0;
    let mut torn = 0;
    for round in 0..24 {
        let script = root.join(format!("buyer-{round}.ron"));
        std::fs::write(&script, buying_script(&format!("buyer-{round}"), &works)).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_vernissage"))
            .args(["simulate", "--level"])
            .arg(&level)
            .arg("--script")
            .arg(&script)
            .arg("--data-dir")
            .arg(&data)
            .args(["--seed", "7"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the vernissage binary runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(c) = committed(&line) {
                    let _ = tx.send(c);
                }
            }
        });
        // Wait for the first committed purchase, then kill at a random moment after it.
        let start = Instant::now();
        let mut first = None;
        while first.is_none() && start.elapsed() < Duration::from_secs(60) {
            first = rx.recv_timeout(Duration::from_millis(50)).ok();
        }
        let first = first.unwrap_or_else(|| panic!("round {round}: no purchase was committed"));
        std::thread::sleep(Duration::from_millis(rng.below(400)));
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        if still_running {
            kills += 1;
        }
        reader.join().unwrap();
        printed.push(first);
        printed.extend(rx.try_iter());

        // The ledger verifies, and holds every printed transaction at its index.
        let key = keys::read_key(&data.join(keys::KEY_FILE)).unwrap();
        let ledger_dir = data.join("crash-market").join("ledger");
        let opened = FileLedger::open(&ledger_dir, key).unwrap();
        assert!(
            opened.damage().is_none(),
            "round {round}: the ledger is damaged after a kill: {:?}",
            opened.damage()
        );
        if opened.warnings().iter().any(|w| w.contains("torn")) {
            torn += 1;
        }
        let entries = opened.ledger().unwrap().entries();
        for (index, hash) in &printed {
            let entry = entries
                .get(*index as usize)
                .unwrap_or_else(|| panic!("round {round}: printed entry {index} is missing"));
            assert_eq!(
                vernissage::market::terms::hex(&entry.hash),
                *hash,
                "round {round}: entry {index} is not the one printed"
            );
        }
    }
    assert!(kills >= 20, "only {kills} runs were killed while running");
    eprintln!(
        "{kills} kills, {} committed transactions kept, {torn} torn tails cut off",
        printed.len()
    );
    let _ = std::fs::remove_dir_all(&root);
}
