//! The installation's ledger signing key: made once, kept in an owner-only file.
//!
//! The file holds the 32-byte Ed25519 secret as 64 hex digits and a newline. Anyone who can
//! read it can sign ledger entries, so it is created readable by its owner only (mode 0600 on
//! Unix) and a warning is given when its permissions are looser.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::level::check::decode_hex;
use crate::market::terms::hex;

/// The key file's name in the data directory's root (shared by every exhibition).
pub const KEY_FILE: &str = "ledger.key";

/// Why a key file could not be read or made.
#[derive(Debug)]
pub enum KeyError {
    Io(String, io::Error),
    /// The file exists but does not hold 64 hex digits.
    Malformed(String),
    /// The operating system gave no randomness.
    NoRandomness(String),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(path, e) => write!(f, "{path}: {e}"),
            Self::Malformed(path) => write!(
                f,
                "{path}: not a ledger key (expected 64 hex digits); move it away to make a new one"
            ),
            Self::NoRandomness(e) => write!(f, "no randomness for a new key: {e}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// A key derived from a seed: simulations sign with it so that their ledgers repeat exactly.
pub fn key_from_seed(seed: u64, purpose: &str) -> SigningKey {
    let mut h = Sha256::new();
    h.update(b"vernissage-key-from-seed-v1");
    h.update(seed.to_be_bytes());
    h.update(purpose.as_bytes());
    SigningKey::from_bytes(&h.finalize().into())
}

/// A fresh key from the operating system's randomness.
pub fn random_key() -> Result<SigningKey, KeyError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| KeyError::NoRandomness(e.to_string()))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// Reads a key file.
pub fn read_key(path: &Path) -> Result<SigningKey, KeyError> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| KeyError::Io(name.clone(), e))?;
    decode_hex::<32>(&text)
        .map(|b| SigningKey::from_bytes(&b))
        .ok_or(KeyError::Malformed(name))
}

/// Writes a new key file readable by its owner only; refuses to replace an existing file.
pub fn write_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let name = path.display().to_string();
    let io = |e| KeyError::Io(name.clone(), e);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.write_all(format!("{}\n", hex(&key.to_bytes())).as_bytes())
        .map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(())
}

/// Whether others than the owner may read the file (always `false` off Unix).
pub fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// The key kept at `path`, made on first use: from `seed` when given (simulations), else from
/// the operating system. Returns the key and any warnings (loose permissions).
pub fn load_or_create(
    path: &Path,
    seed: Option<u64>,
) -> Result<(SigningKey, Vec<String>), KeyError> {
    let mut warnings = Vec::new();
    if path.exists() {
        let key = read_key(path)?;
        if readable_by_others(path) {
            warnings.push(format!(
                "{} can be read by other users; anyone who reads it can sign ledger entries \
                 (chmod 600 it)",
                path.display()
            ));
        }
        return Ok((key, warnings));
    }
    let key = match seed {
        Some(seed) => key_from_seed(seed, "ledger"),
        None => random_key()?,
    };
    match write_key(path, &key) {
        Ok(()) => Ok((key, warnings)),
        // Another process made it first: use theirs.
        Err(KeyError::Io(_, e)) if e.kind() == io::ErrorKind::AlreadyExists => {
            Ok((read_key(path)?, warnings))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("vernissage-keys-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_key_is_made_once_owner_only_and_read_back() {
        let dir = temp("once");
        let path = dir.join(KEY_FILE);
        let (a, warnings) = load_or_create(&path, None).unwrap();
        assert!(warnings.is_empty());
        assert!(!readable_by_others(&path));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (b, _) = load_or_create(&path, Some(1)).unwrap();
        assert_eq!(
            a.to_bytes(),
            b.to_bytes(),
            "an existing key is kept, seed or not"
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn seeded_keys_repeat_and_random_keys_do_not() {
        assert_eq!(
            key_from_seed(7, "x").to_bytes(),
            key_from_seed(7, "x").to_bytes()
        );
        assert_ne!(
            key_from_seed(7, "x").to_bytes(),
            key_from_seed(8, "x").to_bytes()
        );
        assert_ne!(
            random_key().unwrap().to_bytes(),
            random_key().unwrap().to_bytes()
        );
    }

    #[test]
    fn malformed_and_loose_key_files_are_reported() {
        let dir = temp("bad");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(KEY_FILE);
        fs::write(&path, "not a key").unwrap();
        let err = load_or_create(&path, None).unwrap_err();
        assert!(err.to_string().contains("not a ledger key"), "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::write(&path, format!("{}\n", hex(&[3; 32]))).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let (_, warnings) = load_or_create(&path, None).unwrap();
            assert_eq!(warnings.len(), 1, "{warnings:?}");
        }
        let _ = fs::remove_dir_all(dir);
    }
}
