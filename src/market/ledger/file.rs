//! The desktop ledger file: `ledger.log` (framed records, see [`codec`]) and `ledger.head`.
//!
//! `append` writes the record and fsyncs before returning, then replaces the HEAD atomically.
//! On open, a torn last record is cut off after copying the file to `ledger.bak`, with a
//! warning; any other damage makes the ledger read-only, with the first bad entry's index.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use super::codec::{self, Tail};
use super::{Entry, Ledger, LedgerError, Payload, State, VerifyError, VerifyReason};

pub const LOG_FILE: &str = "ledger.log";
pub const HEAD_FILE: &str = "ledger.head";
pub const BACKUP_FILE: &str = "ledger.bak";

/// Why the file ledger could not be opened or written.
#[derive(Debug)]
pub enum FileError {
    Io(io::Error),
    /// A refused operation (nothing was written).
    Rule(LedgerError),
    /// The ledger is damaged and was opened read-only.
    ReadOnly(VerifyError),
    /// `create` found an existing ledger.
    Exists,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "ledger file: {e}"),
            Self::Rule(e) => write!(f, "{e}"),
            Self::ReadOnly(e) => write!(f, "ledger is read-only: {e}"),
            Self::Exists => write!(f, "a ledger already exists there"),
        }
    }
}

impl std::error::Error for FileError {}

impl From<io::Error> for FileError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// A ledger kept in a folder.
#[derive(Debug)]
pub struct FileLedger {
    dir: PathBuf,
    /// The verified entries (up to the damage, if any).
    ledger: Option<Ledger>,
    /// State of the verified prefix.
    state: State,
    damage: Option<VerifyError>,
    warnings: Vec<String>,
}

fn sync_dir(dir: &Path) {
    // Makes a rename durable on Unix; not possible (nor needed) everywhere.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn write_head(dir: &Path, ledger: &Ledger) -> io::Result<()> {
    let tmp = dir.join("ledger.head.tmp");
    let mut f = File::create(&tmp)?;
    f.write_all(&codec::encode_head(&ledger.head()))?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(HEAD_FILE))?;
    sync_dir(dir);
    Ok(())
}

fn damaged(index: u64, reason: VerifyReason) -> VerifyError {
    VerifyError { index, reason }
}

/// Checks `ledger.head` against verified entries; a lagging HEAD gives a warning.
fn check_head_file(
    dir: &Path,
    entries: &[Entry],
    keys: &[ed25519_dalek::VerifyingKey],
) -> Result<Option<String>, VerifyError> {
    if entries.is_empty() {
        return Err(damaged(0, VerifyReason::Empty));
    }
    let last = entries.len() as u64 - 1;
    let head = fs::read(dir.join(HEAD_FILE))
        .ok()
        .and_then(|b| codec::decode_head(&b).ok())
        .ok_or_else(|| damaged(last + 1, VerifyReason::MissingHead))?;
    super::check_head(entries, keys, &head)?;
    Ok((head.index < last).then(|| {
        format!(
            "ledger: HEAD names entry {} but the file holds signed entries up to {last}",
            head.index
        )
    }))
}

impl FileLedger {
    /// Creates a new ledger (genesis entry and HEAD) in `dir`.
    pub fn create(
        dir: &Path,
        key: SigningKey,
        timestamp: u64,
        name: &str,
    ) -> Result<Self, FileError> {
        fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE);
        if path.exists() {
            return Err(FileError::Exists);
        }
        let ledger = Ledger::new(key, timestamp, name);
        let mut bytes = codec::FILE_MAGIC.to_vec();
        bytes.extend(codec::frame_record(&codec::encode_entry(
            &ledger.entries()[0],
        )));
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        sync_dir(dir);
        write_head(dir, &ledger)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            state: ledger.state().clone(),
            ledger: Some(ledger),
            damage: None,
            warnings: Vec::new(),
        })
    }

    /// Opens the ledger in `dir`, verifying everything with `key`'s public half.
    pub fn open(dir: &Path, key: SigningKey) -> Result<Self, FileError> {
        let path = dir.join(LOG_FILE);
        let bytes = fs::read(&path)?;
        let mut warnings = Vec::new();
        let (bodies, tail) = codec::split_records(&bytes);
        let mut damage = match tail {
            Tail::Clean => None,
            Tail::Torn { valid_len } => {
                fs::copy(&path, dir.join(BACKUP_FILE))?;
                let f = OpenOptions::new().write(true).open(&path)?;
                f.set_len(valid_len as u64)?;
                f.sync_all()?;
                warnings.push(format!(
                    "ledger: cut off a torn last entry ({} bytes) after entry {}; \
                     the file before was saved as {BACKUP_FILE}",
                    bytes.len() - valid_len,
                    bodies.len() as i64 - 1,
                ));
                None
            }
            Tail::Damaged { index, .. } => Some(damaged(index, VerifyReason::Framing)),
            Tail::BadMagic => Some(damaged(0, VerifyReason::Framing)),
        };
        let mut entries = Vec::new();
        for (i, body) in bodies.iter().enumerate() {
            match codec::decode_entry(body) {
                Ok(e) => entries.push(e),
                Err(e) => {
                    damage = Some(damaged(i as u64, VerifyReason::Decode(e)));
                    break;
                }
            }
        }
        let keys = [key.verifying_key()];
        // The first problem wins: decoding/framing damage at `i` means only `..i` is checked.
        let checked = match &damage {
            Some(d) => &entries[..(d.index as usize).min(entries.len())],
            None => &entries[..],
        };
        let prefix = super::verify_entries(checked, &keys);
        let (valid, state) = match prefix {
            Ok(state) => (checked.len(), state),
            Err(e) => {
                let n = e.index as usize;
                damage = Some(e);
                let state = super::verify_entries(&entries[..n], &keys).unwrap_or_default();
                (n, state)
            }
        };
        if damage.is_none() {
            match check_head_file(dir, &entries, &keys) {
                Ok(Some(warning)) => warnings.push(warning),
                Ok(None) => {}
                Err(e) => damage = Some(e),
            }
        }
        let ledger = if damage.is_none() {
            entries.truncate(valid);
            Some(Ledger {
                key,
                entries,
                state: state.clone(),
            })
        } else {
            None
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            ledger,
            state,
            damage,
            warnings,
        })
    }

    /// Checks, signs, writes and fsyncs `payload`, then updates the HEAD.
    pub fn append(&mut self, timestamp: u64, payload: Payload) -> Result<&Entry, FileError> {
        let ledger = match (&mut self.ledger, &self.damage) {
            (Some(l), None) => l,
            (_, Some(d)) => return Err(FileError::ReadOnly(d.clone())),
            (None, None) => unreachable!("a ledger without damage is writable"),
        };
        let (entry, state) = ledger
            .prepare(timestamp, payload)
            .map_err(FileError::Rule)?;
        let record = codec::frame_record(&codec::encode_entry(&entry));
        let mut f = OpenOptions::new()
            .append(true)
            .open(self.dir.join(LOG_FILE))?;
        f.write_all(&record)?;
        f.sync_all()?;
        self.state = state.clone();
        ledger.commit(entry, state);
        write_head(&self.dir, ledger)?;
        Ok(ledger.entries().last().expect("just appended"))
    }

    /// The replayed state (of the verified prefix, when damaged).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The ledger, unless it is read-only.
    pub fn ledger(&self) -> Option<&Ledger> {
        self.ledger.as_ref()
    }

    /// The first damage found on open; `Some` means read-only.
    pub fn damage(&self) -> Option<&VerifyError> {
        self.damage.as_ref()
    }

    /// Warnings from open (a torn entry cut off, a lagging HEAD).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
