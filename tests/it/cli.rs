//! The command line, run as a real process: `validate` output and exit codes.

use std::process::Command;

fn vernissage(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vernissage"))
        .args(args)
        .output()
        .expect("the vernissage binary runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn validate_accepts_every_shipped_level() {
    for entry in std::fs::read_dir("levels").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let file = path.to_string_lossy().into_owned();
            let (code, out) = vernissage(&["validate", &file]);
            assert_eq!(code, 0, "{out}");
            let last = out.lines().last().unwrap_or_default();
            assert!(
                last.starts_with(&format!("{file}: ok (")) && last.ends_with(" works)"),
                "{out}"
            );
        }
    }
}

#[test]
fn validate_reports_problems_with_position_and_exit_code_one() {
    let (code, out) = vernissage(&["validate", "tests/it/malformed/unknown-room.ron"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("tests/it/malformed/unknown-room.ron:")
                && l.contains("unknown room")),
        "{out}"
    );
    // Several files: each gets its own lines, and one bad file fails the run.
    let (code, out) = vernissage(&[
        "validate",
        "levels/small.ron",
        "tests/it/malformed/unknown-room.ron",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("levels/small.ron: ok ("), "{out}");
}

#[test]
fn validate_names_a_missing_file() {
    let (code, out) = vernissage(&["validate", "levels/no-such-level.ron"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("levels/no-such-level.ron:1:1: cannot read the file"),
        "{out}"
    );
}

#[test]
fn help_lists_the_command_tree() {
    let (code, out) = vernissage(&["--help"]);
    assert_eq!(code, 0);
    for word in [
        "validate",
        "--level",
        "--data-dir",
        "--watch",
        "--screenshot",
        "--frames",
    ] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
}
