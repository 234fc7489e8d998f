//! The desktop ledger file: `ledger.log` (framed records, see [`codec`]), `ledger.head` and
//! `ledger.lock`.
//!
//! Several processes (the game, a `vernissage simulate` run) may share one folder. Every write
//! holds an exclusive advisory lock on `ledger.lock`; before writing, a handle *catches up*: it
//! reads the records other processes appended since it last looked, verifies them exactly as
//! `open` does, and adopts them. [`FileLedger::refresh`] does the same under a shared lock.
//!
//! `append` writes the record and fsyncs before returning, then replaces the HEAD atomically;
//! `append_batch` writes many records with one write and one fsync. A torn last record (a crash
//! during an append) is cut off after copying the file to `ledger.bak`, with a warning; any
//! other damage makes the ledger read-only, with the first bad entry's index.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ed25519_dalek::{SigningKey, VerifyingKey};

use super::codec::{self, Tail};
use super::{Entry, Ledger, LedgerError, Payload, State, VerifyError, VerifyReason};

pub const LOG_FILE: &str = "ledger.log";
pub const HEAD_FILE: &str = "ledger.head";
pub const BACKUP_FILE: &str = "ledger.bak";
pub const LOCK_FILE: &str = "ledger.lock";

/// Why the file ledger could not be opened or written.
#[derive(Debug)]
pub enum FileError {
    Io(io::Error),
    /// A refused operation (nothing was written).
    Rule(LedgerError),
    /// Item `position` (from 0) of an `append_batch` was refused; nothing was written.
    Refused {
        position: usize,
        error: LedgerError,
    },
    /// The ledger is damaged and was opened (or has become) read-only.
    ReadOnly(VerifyError),
    /// `create` found an existing ledger.
    Exists,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "ledger file: {e}"),
            Self::Rule(e) => write!(f, "{e}"),
            Self::Refused { position, error } => {
                write!(
                    f,
                    "batch item {position} refused (nothing written): {error}"
                )
            }
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
    /// `ledger.lock`, held open; every read or write of the log locks it.
    lock: Arc<File>,
    /// The public half of the signing key, which every entry must be signed by.
    keys: [VerifyingKey; 1],
    /// The verified entries and their state; `None` when read-only.
    ledger: Option<Ledger>,
    /// State of the verified prefix when read-only (the ledger's own state otherwise).
    state: State,
    damage: Option<VerifyError>,
    warnings: Vec<String>,
    /// Bytes of `ledger.log` read and adopted so far: the end of the last whole record.
    read_len: u64,
}

/// An advisory lock on `ledger.lock`, released when dropped.
struct Guard(Arc<File>);

impl Guard {
    fn exclusive(lock: &Arc<File>) -> io::Result<Self> {
        lock.lock()?;
        Ok(Self(Arc::clone(lock)))
    }

    fn shared(lock: &Arc<File>) -> io::Result<Self> {
        lock.lock_shared()?;
        Ok(Self(Arc::clone(lock)))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Opens (creating it if missing) the lock file of `dir`. A folder that cannot be written
/// still gets a lock on an existing lock file.
fn open_lock(dir: &Path) -> io::Result<Arc<File>> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .or_else(|e| File::open(&path).map_err(|_| e))?;
    Ok(Arc::new(file))
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

/// Copies the log to `ledger.bak` and cuts it to `keep` bytes (a torn last record).
fn cut_torn_tail(dir: &Path, keep: u64) -> io::Result<()> {
    let path = dir.join(LOG_FILE);
    fs::copy(&path, dir.join(BACKUP_FILE))?;
    let f = OpenOptions::new().write(true).open(&path)?;
    f.set_len(keep)?;
    f.sync_all()
}

/// Checks the bytes of `ledger.head` against verified entries; a lagging HEAD gives a warning.
fn check_head_bytes(
    head: Option<&[u8]>,
    entries: &[Entry],
    keys: &[VerifyingKey],
) -> Result<Option<String>, VerifyError> {
    if entries.is_empty() {
        return Err(damaged(0, VerifyReason::Empty));
    }
    let last = entries.len() as u64 - 1;
    let head = head
        .and_then(|b| codec::decode_head(b).ok())
        .ok_or_else(|| damaged(last + 1, VerifyReason::MissingHead))?;
    super::check_head(entries, keys, &head)?;
    Ok((head.index < last).then(|| {
        format!(
            "ledger: HEAD names entry {} but the file holds signed entries up to {last}",
            head.index
        )
    }))
}

/// Checks `entry` as the one following `prev` (the same checks as [`super::verify_entries`]:
/// index, chain, hash, signature, rules, invariants) and applies it to `state`. After a rule
/// refusal `state` is unchanged; after an invariant failure it must be rebuilt.
fn check_next(
    state: &mut State,
    prev: &Entry,
    entry: &Entry,
    keys: &[VerifyingKey],
) -> Result<(), VerifyReason> {
    if entry.index != prev.index + 1 {
        return Err(VerifyReason::WrongIndex { found: entry.index });
    }
    if entry.prev_hash != prev.hash {
        return Err(VerifyReason::BrokenChain);
    }
    if super::entry_hash(
        entry.index,
        entry.timestamp,
        &entry.prev_hash,
        &entry.payload,
    ) != entry.hash
    {
        return Err(VerifyReason::HashMismatch);
    }
    if !super::signed_by(keys, &entry.hash, &entry.signature) {
        return Err(VerifyReason::BadSignature);
    }
    state
        .apply(entry.timestamp, &entry.payload)
        .map_err(VerifyReason::Rule)?;
    state.check_invariants().map_err(VerifyReason::Invariant)
}

/// What a catch-up found.
enum CatchUp {
    /// This many new entries were verified and adopted.
    Adopted(usize),
    /// A torn last record, which only a holder of the exclusive lock may cut off.
    NeedsCut,
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
        let lock = open_lock(dir)?;
        let _guard = Guard::exclusive(&lock)?;
        let path = dir.join(LOG_FILE);
        if path.exists() {
            return Err(FileError::Exists);
        }
        let keys = [key.verifying_key()];
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
            lock: Arc::clone(&lock),
            keys,
            ledger: Some(ledger),
            state: State::default(),
            damage: None,
            warnings: Vec::new(),
            read_len: bytes.len() as u64,
        })
    }

    /// Opens the ledger in `dir`, verifying everything with `key`'s public half.
    ///
    /// The files are read under a shared lock; a torn last record is cut off under the
    /// exclusive lock (no other process can then be in the middle of an append).
    pub fn open(dir: &Path, key: SigningKey) -> Result<Self, FileError> {
        let path = dir.join(LOG_FILE);
        // A missing ledger is reported before any lock file is made.
        fs::metadata(&path)?;
        let lock = open_lock(dir)?;
        let mut warnings = Vec::new();
        let (bytes, head) = {
            let mut guard = Guard::shared(&lock)?;
            let mut bytes = fs::read(&path)?;
            if let (_, Tail::Torn { .. }) = codec::split_records(&bytes) {
                drop(guard);
                guard = Guard::exclusive(&lock)?;
                bytes = fs::read(&path)?;
                if let (bodies, Tail::Torn { valid_len }) = codec::split_records(&bytes) {
                    cut_torn_tail(dir, valid_len as u64)?;
                    warnings.push(format!(
                        "ledger: cut off a torn last entry ({} bytes) after entry {}; \
                         the file before was saved as {BACKUP_FILE}",
                        bytes.len() - valid_len,
                        bodies.len() as i64 - 1,
                    ));
                    bytes.truncate(valid_len);
                }
            }
            let head = fs::read(dir.join(HEAD_FILE)).ok();
            drop(guard);
            (bytes, head)
        };
        let (bodies, tail) = codec::split_records(&bytes);
        let mut damage = match tail {
            // Torn here only when the file was cut to nothing (or inside its magic).
            Tail::Clean | Tail::Torn { .. } => None,
            Tail::Damaged { index, .. } => Some(damaged(index, VerifyReason::Framing)),
            Tail::BadMagic => Some(damaged(0, VerifyReason::Framing)),
        };
        let mut entries = Vec::with_capacity(bodies.len());
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
            match check_head_bytes(head.as_deref(), &entries, &keys) {
                Ok(Some(warning)) => warnings.push(warning),
                Ok(None) => {}
                Err(e) => damage = Some(e),
            }
        }
        let (ledger, state) = if damage.is_none() {
            entries.truncate(valid);
            let ledger = Ledger {
                key,
                entries,
                state,
            };
            (Some(ledger), State::default())
        } else {
            (None, state)
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            lock,
            keys,
            ledger,
            state,
            damage,
            warnings,
            read_len: bytes.len() as u64,
        })
    }

    /// The writable ledger, or the damage that made it read-only.
    fn writable(&self) -> Result<&Ledger, FileError> {
        match (&self.ledger, &self.damage) {
            (Some(l), None) => Ok(l),
            (_, Some(d)) => Err(FileError::ReadOnly(d.clone())),
            (None, None) => unreachable!("a ledger without damage is writable"),
        }
    }

    /// Makes the ledger read-only: `state` is the state of the verified prefix.
    fn mark_damaged(&mut self, damage: VerifyError, state: State) -> FileError {
        self.ledger = None;
        self.state = state;
        self.damage = Some(damage.clone());
        FileError::ReadOnly(damage)
    }

    /// Reads, verifies and adopts the records appended to `ledger.log` since this handle last
    /// read it. The caller holds the lock (exclusive when `may_cut`). Damage makes the ledger
    /// read-only and is returned as [`FileError::ReadOnly`].
    fn catch_up(&mut self, may_cut: bool) -> Result<CatchUp, FileError> {
        self.writable()?;
        let path = self.dir.join(LOG_FILE);
        let mut file = File::open(&path)?;
        let len = file.metadata()?.len();
        if len == self.read_len {
            return Ok(CatchUp::Adopted(0));
        }
        if len < self.read_len {
            return Err(self.shrunk(len));
        }
        // The new bytes behind the magic, so that `split_records` frames them as a file.
        let magic = codec::FILE_MAGIC.len();
        let mut bytes = codec::FILE_MAGIC.to_vec();
        file.seek(SeekFrom::Start(self.read_len))?;
        file.read_to_end(&mut bytes)?;
        drop(file);
        let (bodies, tail) = codec::split_records(&bytes);
        let base = self.writable()?.entries.len() as u64;
        let mut damage = match tail {
            Tail::Clean => None,
            Tail::Torn { valid_len } => {
                if !may_cut {
                    return Ok(CatchUp::NeedsCut);
                }
                // Under the exclusive lock nobody is appending: another process stopped in
                // the middle of an append.
                cut_torn_tail(&self.dir, self.read_len + (valid_len - magic) as u64)?;
                self.warnings.push(format!(
                    "ledger: cut off a torn last entry ({} bytes) after entry {}, left by a \
                     process that stopped while appending; the file before was saved as \
                     {BACKUP_FILE}",
                    bytes.len() - valid_len,
                    base + bodies.len() as u64 - 1,
                ));
                None
            }
            Tail::Damaged { index, .. } => Some(damaged(base + index, VerifyReason::Framing)),
            Tail::BadMagic => unreachable!("the magic was put in front"),
        };
        let mut entries = Vec::with_capacity(bodies.len());
        let mut adopted_bytes = 0u64;
        for (i, body) in bodies.iter().enumerate() {
            match codec::decode_entry(body) {
                Ok(e) => {
                    entries.push(e);
                    adopted_bytes += (codec::RECORD_HEADER + body.len()) as u64;
                }
                Err(e) => {
                    damage = Some(damaged(base + i as u64, VerifyReason::Decode(e)));
                    break;
                }
            }
        }
        let count = entries.len();
        let ledger = self.ledger.as_mut().expect("checked writable");
        let mut rebuild = false;
        for entry in entries {
            let prev = ledger.entries.last().expect("never empty");
            if let Err(reason) = check_next(&mut ledger.state, prev, &entry, &self.keys) {
                rebuild = matches!(reason, VerifyReason::Invariant(_));
                // Reported at its position, like `verify_entries` does.
                damage = Some(damaged(ledger.entries.len() as u64, reason));
                break;
            }
            ledger.entries.push(entry);
        }
        // Verification damage lies before any framing or decoding damage, so it replaced it.
        let adopted = ledger.entries.len() - base as usize;
        if let Some(d) = damage {
            let state = if rebuild {
                super::verify_entries(&ledger.entries, &self.keys).unwrap_or_default()
            } else {
                std::mem::take(&mut ledger.state)
            };
            return Err(self.mark_damaged(d, state));
        }
        debug_assert_eq!(adopted, count);
        self.read_len += adopted_bytes;
        if adopted > 0 {
            let head = fs::read(self.dir.join(HEAD_FILE)).ok();
            match check_head_bytes(head.as_deref(), &ledger.entries, &self.keys) {
                Ok(Some(warning)) => self.warnings.push(warning),
                Ok(None) => {}
                Err(d) => {
                    let state = std::mem::take(&mut ledger.state);
                    return Err(self.mark_damaged(d, state));
                }
            }
        }
        Ok(CatchUp::Adopted(adopted))
    }

    /// `ledger.log` became shorter than what was read: whole entries were cut off.
    fn shrunk(&mut self, len: u64) -> FileError {
        let ledger = self.ledger.as_ref().expect("checked writable");
        let mut end = codec::FILE_MAGIC.len() as u64;
        let mut whole = 0;
        for e in &ledger.entries {
            end += codec::frame_record(&codec::encode_entry(e)).len() as u64;
            if end > len {
                break;
            }
            whole += 1;
        }
        let last = ledger.entries.len() as u64 - 1;
        let state = super::verify_entries(&ledger.entries[..whole], &self.keys).unwrap_or_default();
        self.mark_damaged(
            damaged(whole as u64, VerifyReason::Truncated { head_index: last }),
            state,
        )
    }

    /// Adopts the entries other processes appended since this handle last read the file
    /// (under a shared lock; verified like on open). Returns whether new entries arrived.
    /// Damage found makes the ledger read-only and is returned as [`FileError::ReadOnly`].
    pub fn refresh(&mut self) -> Result<bool, FileError> {
        self.writable()?;
        let guard = Guard::shared(&self.lock)?;
        let adopted = match self.catch_up(false)? {
            CatchUp::Adopted(n) => n,
            CatchUp::NeedsCut => {
                drop(guard);
                let _guard = Guard::exclusive(&self.lock)?;
                match self.catch_up(true)? {
                    CatchUp::Adopted(n) => n,
                    CatchUp::NeedsCut => unreachable!("may cut under the exclusive lock"),
                }
            }
        };
        Ok(adopted > 0)
    }

    /// Checks, signs, writes and fsyncs `payload`, then updates the HEAD. Entries other
    /// processes appended are adopted first (so the rules see them).
    pub fn append(&mut self, timestamp: u64, payload: Payload) -> Result<&Entry, FileError> {
        self.write(vec![(timestamp, payload)])
            .map_err(|e| match e {
                FileError::Refused { error, .. } => FileError::Rule(error),
                e => e,
            })?;
        Ok(self.writable()?.entries.last().expect("just appended"))
    }

    /// Group commit: checks every item in order (each against the state after the ones
    /// before it), then writes all their records with one write and one fsync, and updates
    /// the HEAD once. If an item is refused nothing is written, and the error
    /// ([`FileError::Refused`]) names its position.
    pub fn append_batch(&mut self, items: Vec<(u64, Payload)>) -> Result<Vec<Entry>, FileError> {
        let n = self.write(items)?;
        let entries = &self.writable()?.entries;
        Ok(entries[entries.len() - n..].to_vec())
    }

    /// Under the exclusive lock: catches up, checks and signs `items`, writes and fsyncs their
    /// records, commits them and writes the HEAD. Returns how many entries were appended.
    fn write(&mut self, items: Vec<(u64, Payload)>) -> Result<usize, FileError> {
        self.writable()?;
        if items.is_empty() {
            return Ok(0);
        }
        let _guard = Guard::exclusive(&self.lock)?;
        match self.catch_up(true)? {
            CatchUp::Adopted(_) => {}
            CatchUp::NeedsCut => unreachable!("may cut under the exclusive lock"),
        }
        let ledger = self.ledger.as_mut().expect("checked writable");
        let mut state = ledger.state.clone();
        let last = ledger.entries.last().expect("never empty");
        let (mut index, mut prev) = (last.index, last.hash);
        let mut entries = Vec::with_capacity(items.len());
        let mut bytes = Vec::new();
        for (position, (timestamp, payload)) in items.into_iter().enumerate() {
            state
                .apply(timestamp, &payload)
                .map_err(|error| FileError::Refused { position, error })?;
            index += 1;
            let entry = super::sign_entry(&ledger.key, index, timestamp, prev, payload);
            prev = entry.hash;
            bytes.extend(codec::frame_record(&codec::encode_entry(&entry)));
            entries.push(entry);
        }
        let mut f = OpenOptions::new()
            .append(true)
            .open(self.dir.join(LOG_FILE))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        self.read_len += bytes.len() as u64;
        let n = entries.len();
        ledger.entries.extend(entries);
        ledger.state = state;
        write_head(&self.dir, ledger)?;
        Ok(n)
    }

    /// The replayed state (of the verified prefix, when damaged).
    pub fn state(&self) -> &State {
        self.ledger.as_ref().map_or(&self.state, Ledger::state)
    }

    /// The ledger, unless it is read-only.
    pub fn ledger(&self) -> Option<&Ledger> {
        self.ledger.as_ref()
    }

    /// The first damage found (on open or while catching up); `Some` means read-only.
    pub fn damage(&self) -> Option<&VerifyError> {
        self.damage.as_ref()
    }

    /// Warnings from open and catch-up (a torn entry cut off, a lagging HEAD).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
