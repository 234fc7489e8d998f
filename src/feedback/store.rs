//! The append-only local feedback store: one checksummed JSON record per line.
//!
//! A record is `<checksum> <json>\n`, where `<json>` is the compact serde_json encoding of a
//! [`FeedbackEvent`] and `<checksum>` is the 64-bit FNV-1a hash of exactly those JSON bytes,
//! written as 16 lowercase hex digits. The hash is not a security measure; it detects a
//! changed or lost byte (a damaged disk block, a hand edit, a half-written record).
//!
//! [`decode`] never fails as a whole: every line that is not a good record is skipped with a
//! warning naming its line, and everything else still loads. On the desktop the records live
//! in a [`FILE_NAME`] file that is only ever appended to ([`append`], [`append_all`]); the
//! encoding is kept apart from the file so that the browser build can store the same records
//! (one IndexedDB value per event — not written yet).
//!
//! Non-finite numbers (a NaN dwell time) cannot be written in JSON: serde_json writes them as
//! `null`, and such a record reads back as "not a record". Validate events before storing them.

use super::event::{EVENT_SCHEMA, FeedbackEvent};

/// Name of the store file in a data folder.
pub const FILE_NAME: &str = "feedback.log";

/// 64-bit FNV-1a of `bytes`.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// One record, `<16 hex digits> <compact JSON>\n`.
pub fn encode(event: &FeedbackEvent) -> String {
    // Serialising plain structs of strings and numbers into a String cannot fail.
    let json = serde_json::to_string(event).expect("a feedback event always serialises");
    format!("{:016x} {json}\n", fnv1a(json.as_bytes()))
}

/// What [`decode`] or [`load`] recovered: the good events in file order, and one warning per
/// skipped line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub events: Vec<FeedbackEvent>,
    /// `label:LINE: skipped: why`, in line order.
    pub warnings: Vec<String>,
}

/// Reads every good record of a store's bytes; `label` names the source in warnings (the file
/// name). Never panics. Blank lines are ignored; a final line without its `'\n'` is a record
/// that was being written when the program stopped and is skipped even if it looks whole.
pub fn decode(bytes: &[u8], label: &str) -> Loaded {
    let mut loaded = Loaded::default();
    let mut lines = bytes.split(|&b| b == b'\n').enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let last = lines.peek().is_none();
        // A file edited on Windows may have gained carriage returns; they are not the record.
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if last {
            loaded.warnings.push(format!(
                "{label}:{number}: skipped: the last record is incomplete (the program stopped while writing it)"
            ));
            continue;
        }
        match decode_line(line) {
            Ok(event) => loaded.events.push(event),
            Err(why) => loaded
                .warnings
                .push(format!("{label}:{number}: skipped: {why}")),
        }
    }
    loaded
}

/// One line (without its `'\n'`) to an event, or why it is not one.
fn decode_line(line: &[u8]) -> Result<FeedbackEvent, String> {
    let Ok(text) = std::str::from_utf8(line) else {
        return Err("the record is not valid UTF-8".into());
    };
    let Some((checksum, json)) = text.split_once(' ') else {
        return Err("not a record (expected a checksum, a space and JSON)".into());
    };
    let well_formed = checksum.len() == 16
        && checksum
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !well_formed {
        return Err("not a record (it does not start with a 16-digit hex checksum)".into());
    }
    let expected = u64::from_str_radix(checksum, 16).map_err(|_| "not a record (bad checksum)")?;
    if fnv1a(json.as_bytes()) != expected {
        return Err("checksum mismatch (the record was changed or damaged)".into());
    }
    // The version first, so a record from a newer build says so instead of failing on a
    // field this build does not know.
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a record (invalid JSON: {e})"))?;
    if let Some(v) = value.get("v").and_then(serde_json::Value::as_u64)
        && v > u64::from(EVENT_SCHEMA)
    {
        return Err(format!("written by a newer version (schema {v})"));
    }
    serde_json::from_value(value).map_err(|e| format!("not a record ({e})"))
}

/// Reads a store file. A missing file is an empty store (no warning); a file that cannot be
/// read gives no events and one warning. Warnings are labelled with the file name.
#[cfg(not(target_arch = "wasm32"))]
pub fn load(path: &std::path::Path) -> Loaded {
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    match std::fs::read(path) {
        Ok(bytes) => decode(&bytes, &label),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Loaded::default(),
        Err(e) => Loaded {
            events: Vec::new(),
            warnings: vec![format!("{label}: could not be read: {e}")],
        },
    }
}

/// Appends one record and waits until it is on disk (see [`append_all`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn append(path: &std::path::Path, event: &FeedbackEvent) -> std::io::Result<()> {
    append_all(path, std::slice::from_ref(event))
}

/// Appends records in one write and one `sync_data`, creating the file and its folders if
/// needed. If the file ends in a torn record (no final `'\n'`), a `'\n'` is written first so
/// the torn record stays alone on its line and the new ones start on fresh lines. A crash
/// loses at most the records being written. Appending nothing touches nothing.
#[cfg(not(target_arch = "wasm32"))]
pub fn append_all(path: &std::path::Path, events: &[FeedbackEvent]) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom, Write};

    if events.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    let mut buffer = String::new();
    if file.metadata()?.len() > 0 {
        // Reads follow the cursor; appended writes always go to the end regardless.
        file.seek(SeekFrom::End(-1))?;
        let mut last = [0u8; 1];
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            buffer.push('\n');
        }
    }
    for event in events {
        buffer.push_str(&encode(event));
    }
    file.write_all(buffer.as_bytes())?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::event::What;

    fn event(seq: u32, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: EVENT_SCHEMA,
            id: format!("v7-{seq}"),
            visitor: "v7".into(),
            time_ms: 1_700_000_000_000 + u64::from(seq) * 1000,
            what,
        }
    }

    fn every_kind() -> Vec<FeedbackEvent> {
        vec![
            event(
                1,
                What::Rating {
                    work: "dawn".into(),
                    stars: 4,
                },
            ),
            event(
                2,
                What::Like {
                    work: "dawn".into(),
                    liked: true,
                },
            ),
            event(
                3,
                What::Comment {
                    work: "dawn".into(),
                    text: "quiet, \"warm\" — 很好看 \\ {not json}".into(),
                },
            ),
            event(
                4,
                What::Dwell {
                    work: "dawn".into(),
                    seconds: 12.345_678_901_234,
                },
            ),
            event(5, What::Position { x: -3.25, z: 17.5 }),
        ]
    }

    fn encode_all(events: &[FeedbackEvent]) -> String {
        events.iter().map(encode).collect()
    }

    /// A fresh, empty scratch folder for one test.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "vernissage-feedback-store-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn records_have_the_documented_shape() {
        let e = &every_kind()[0];
        let line = encode(e);
        let json = serde_json::to_string(e).unwrap();
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1);
        let (hash, rest) = line.split_at(16);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(rest, format!(" {json}\n"));
        // FNV-1a reference values.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn every_kind_round_trips() {
        let events = every_kind();
        let loaded = decode(encode_all(&events).as_bytes(), FILE_NAME);
        assert_eq!(loaded.warnings, Vec::<String>::new());
        assert_eq!(loaded.events, events);
    }

    #[test]
    fn a_flipped_byte_skips_only_its_line() {
        let events = every_kind();
        let mut bytes = encode_all(&events).into_bytes();
        // Change one digit inside the third record's JSON ("v7-3" becomes "v7-8").
        let third = bytes
            .split(|&b| b == b'\n')
            .take(2)
            .map(|l| l.len() + 1)
            .sum::<usize>();
        let at = third
            + bytes[third..]
                .windows(4)
                .position(|w| w == b"v7-3")
                .unwrap()
            + 3;
        bytes[at] ^= 0x0B;
        let loaded = decode(&bytes, "feedback.log");
        assert_eq!(
            loaded.warnings,
            ["feedback.log:3: skipped: checksum mismatch (the record was changed or damaged)"]
        );
        let mut kept = events.clone();
        kept.remove(2);
        assert_eq!(loaded.events, kept);
    }

    #[test]
    fn invalid_utf8_and_non_records_are_skipped() {
        let events = every_kind();
        let mut bytes = encode(&events[0]).into_bytes();
        bytes.extend_from_slice(b"0123456789abcdef {\"v\":1,\xFF}\n");
        bytes.extend_from_slice(b"hello world\n");
        let json = r#"{"v":1,"id":"x"}"#;
        bytes.extend_from_slice(format!("{:016x} {json}\n", fnv1a(json.as_bytes())).as_bytes());
        let json = r#"{"v":2,"id":"x","hologram":true}"#;
        bytes.extend_from_slice(format!("{:016x} {json}\n", fnv1a(json.as_bytes())).as_bytes());
        bytes.extend_from_slice(encode(&events[1]).as_bytes());
        let loaded = decode(&bytes, "feedback.log");
        assert_eq!(loaded.events, &events[..2]);
        assert_eq!(loaded.warnings.len(), 4, "{:?}", loaded.warnings);
        assert_eq!(
            loaded.warnings[0],
            "feedback.log:2: skipped: the record is not valid UTF-8"
        );
        assert!(loaded.warnings[1].starts_with("feedback.log:3: skipped: not a record ("));
        assert!(loaded.warnings[2].starts_with("feedback.log:4: skipped: not a record ("));
        assert_eq!(
            loaded.warnings[3],
            "feedback.log:5: skipped: written by a newer version (schema 2)"
        );
    }

    #[test]
    fn blank_lines_and_carriage_returns_are_ignored() {
        let events = every_kind();
        let text = format!(
            "\n{}\n  \n{}\r\n\n",
            encode(&events[0]).trim_end(),
            encode(&events[1]).trim_end()
        );
        let loaded = decode(text.as_bytes(), FILE_NAME);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.events, &events[..2]);
        assert_eq!(decode(b"", FILE_NAME), Loaded::default());
    }

    #[test]
    fn a_torn_last_record_is_skipped_and_the_next_append_starts_fresh() {
        let dir = scratch("torn");
        let path = dir.join("kiosk").join(FILE_NAME);
        let events = every_kind();
        append(&path, &events[0]).unwrap();
        append_all(&path, &events[1..3]).unwrap();
        // The program stops halfway through writing the fourth record.
        let record = encode(&events[3]);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&record.as_bytes()[..record.len() / 2]);
        std::fs::write(&path, &bytes).unwrap();

        let loaded = load(&path);
        assert_eq!(loaded.events, &events[..3]);
        assert_eq!(
            loaded.warnings,
            [
                "feedback.log:4: skipped: the last record is incomplete (the program stopped while writing it)"
            ]
        );

        append(&path, &events[4]).unwrap();
        let loaded = load(&path);
        let mut expected = events[..3].to_vec();
        expected.push(events[4].clone());
        assert_eq!(loaded.events, expected);
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(
            loaded.warnings[0].starts_with("feedback.log:4: skipped: "),
            "{:?}",
            loaded.warnings
        );
        assert!(std::fs::read(&path).unwrap().ends_with(b"\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_file_is_an_empty_store() {
        let dir = scratch("missing");
        assert_eq!(load(&dir.join(FILE_NAME)), Loaded::default());
        append_all(&dir.join(FILE_NAME), &[]).unwrap();
        assert!(!dir.join(FILE_NAME).exists());
    }

    #[test]
    fn garbage_never_panics() {
        const ALPHABET: &[u8] = b"\n {}\":,0123456789abcdef";
        // xorshift64*: a fixed, dependency-free stream of bytes.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let good = encode_all(&every_kind()).into_bytes();
        for round in 0..2000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = (next() % 300) as usize;
                (0..len)
                    .map(|_| {
                        // Bias towards the bytes records are made of.
                        let r = next();
                        match r % 4 {
                            0 => ALPHABET[(r >> 8) as usize % ALPHABET.len()],
                            _ => (r >> 16) as u8,
                        }
                    })
                    .collect()
            } else {
                let mut bytes = good.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
                bytes
            };
            let loaded = decode(&bytes, FILE_NAME);
            let lines = bytes.split(|&b| b == b'\n').count();
            assert!(loaded.events.len() + loaded.warnings.len() <= lines);
        }
        // Deep nesting and very long lines are refused, not overflowed.
        let deep = "[".repeat(100_000);
        let line = format!("{:016x} {deep}\n", fnv1a(deep.as_bytes()));
        assert_eq!(decode(line.as_bytes(), FILE_NAME).warnings.len(), 1);
    }
}
