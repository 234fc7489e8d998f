//! The corpus of broken levels: each must fail with its hand-written message and position.
//!
//! `tests/it/malformed/EXPECTED` lists, per fixture, `FILE | LINE:COLUMN | text` where `text`
//! must appear in the diagnostic reported at exactly that line and column. The expectations
//! were written by hand from the fixtures, not copied from the program's output.

use std::path::Path;

use vernissage::cli::validate_file;

const DIR: &str = "tests/it/malformed";

struct Expectation {
    file: String,
    line: usize,
    column: usize,
    text: String,
}

fn expectations() -> Vec<Expectation> {
    let manifest = std::fs::read_to_string(format!("{DIR}/EXPECTED")).unwrap();
    manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.splitn(3, '|').map(str::trim).collect();
            assert_eq!(parts.len(), 3, "bad manifest line: {l}");
            let (line, column) = parts[1].split_once(':').expect("LINE:COLUMN");
            Expectation {
                file: parts[0].to_string(),
                line: line.parse().unwrap(),
                column: column.parse().unwrap(),
                text: parts[2].to_string(),
            }
        })
        .collect()
}

#[test]
fn every_fixture_fails_with_its_expected_message_at_its_position() {
    let all = expectations();
    assert!(
        all.len() >= 25,
        "the corpus needs at least 25 cases, has {}",
        all.len()
    );
    let mut failures = Vec::new();
    for e in &all {
        let path = format!("{DIR}/{}", e.file);
        assert!(Path::new(&path).exists(), "fixture {path} is missing");
        let (lines, ok) = validate_file(Path::new(&path), &path);
        let prefix = format!("{path}:{}:{}: ", e.line, e.column);
        if ok {
            failures.push(format!("{path}: passed validation, expected an error"));
        } else if !lines
            .iter()
            .any(|l| l.starts_with(&prefix) && l.contains(&e.text))
        {
            failures.push(format!(
                "{path}: expected `{prefix}…{}…`, got:\n    {}",
                e.text,
                lines.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_file_is_listed() {
    let listed: Vec<String> = expectations().into_iter().map(|e| e.file).collect();
    for entry in std::fs::read_dir(DIR).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "EXPECTED" {
            assert!(
                listed.contains(&name),
                "{name} has no expectation in EXPECTED"
            );
        }
    }
}

#[test]
fn a_ten_megabyte_file_is_refused_without_parsing() {
    let dir = std::env::temp_dir().join(format!("vernissage-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.ron");
    let mut text = String::from("Level(\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("    // padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&path, &text).unwrap();
    let label = path.to_string_lossy().into_owned();
    let (lines, ok) = validate_file(&path, &label);
    assert!(!ok);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{label}:1:1: the level file is ")),
        "{lines:?}"
    );
    assert!(lines[0].contains("the limit is 4194304 bytes"), "{lines:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn random_bytes_never_panic() {
    // A small deterministic generator: arbitrary bytes, and arbitrary mutations of a real level.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let base = std::fs::read("levels/small.ron").unwrap();
    for round in 0..300 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            (0..(next() % 2000)).map(|_| next() as u8).collect()
        } else {
            let mut b = base.clone();
            for _ in 0..(1 + next() % 8) {
                if b.is_empty() {
                    break;
                }
                let i = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[i] = next() as u8,
                    1 => {
                        b.remove(i);
                    }
                    _ => b.truncate(i),
                }
            }
            b
        };
        let report = vernissage::level::read_level(&bytes, |_| Err("no assets here".into()));
        // Whatever happened, every problem is located inside the text.
        for d in &report.diagnostics {
            assert!(d.line >= 1 && d.column >= 1);
        }
    }
}
