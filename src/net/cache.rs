//! The download cache: levels and assets fetched over HTTP, kept in the data directory by URL
//! with their ETag and Last-Modified, so a second visit revalidates cheaply and works offline
//! (pure Rust, files only).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What is remembered of one URL besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When the copy was saved, seconds since the Unix epoch.
    pub saved: u64,
    pub len: u64,
    /// SHA-256 of the bytes, hex: a damaged copy is a miss, never served.
    pub sha256: String,
}

/// A saved copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub meta: Meta,
    pub bytes: Vec<u8>,
}

/// The cache folder: `<data dir>/cache/http/`, one `.body` and one `.meta` file per URL.
#[derive(Debug, Clone)]
pub struct HttpCache {
    dir: PathBuf,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl HttpCache {
    pub fn new(dir: impl Into<PathBuf>) -> HttpCache {
        HttpCache { dir: dir.into() }
    }

    /// The cache under a data directory.
    pub fn in_data_dir(data_root: &Path) -> HttpCache {
        HttpCache::new(data_root.join("cache").join("http"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn stem(&self, url: &str) -> PathBuf {
        self.dir.join(hex(&Sha256::digest(url.as_bytes())[..16]))
    }

    /// The saved copy of `url`, if there is a whole, undamaged one.
    pub fn get(&self, url: &str) -> Option<Entry> {
        let stem = self.stem(url);
        let meta: Meta =
            serde_json::from_slice(&std::fs::read(stem.with_extension("meta")).ok()?).ok()?;
        if meta.url != url {
            return None;
        }
        let bytes = std::fs::read(stem.with_extension("body")).ok()?;
        if bytes.len() as u64 != meta.len || hex(&Sha256::digest(&bytes)) != meta.sha256 {
            return None;
        }
        Some(Entry { meta, bytes })
    }

    /// Saves `bytes` as the copy of `url`. The body goes first and the meta file last, each
    /// written to a temporary file and renamed, so a crash leaves the old copy or none, never a
    /// mix.
    pub fn put(
        &self,
        url: &str,
        bytes: &[u8],
        etag: Option<String>,
        last_modified: Option<String>,
        saved: u64,
    ) -> std::io::Result<Meta> {
        std::fs::create_dir_all(&self.dir)?;
        let stem = self.stem(url);
        let meta = Meta {
            url: url.to_string(),
            etag,
            last_modified,
            saved,
            len: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
        };
        write_atomically(&stem.with_extension("body"), bytes)?;
        let json = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
        write_atomically(&stem.with_extension("meta"), &json)?;
        Ok(meta)
    }

    /// Marks the copy as confirmed by the server again (a 304 answer).
    pub fn touch(&self, entry: &Entry, saved: u64) -> std::io::Result<()> {
        let meta = Meta {
            saved,
            ..entry.meta.clone()
        };
        let json = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
        write_atomically(&self.stem(&entry.meta.url).with_extension("meta"), &json)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// `2026-11-29 01:02 UTC` for a Unix time, for "saved on …" notes.
pub fn utc_label(unix: u64) -> String {
    let rest = unix % 86_400;
    let (year, month, day) = crate::market::report::civil_from_days(unix / 86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Seconds since the Unix epoch now.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "vernissage-cache-{name}-{}-{}",
            std::process::id(),
            now_unix()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_copy_comes_back_with_its_validators() {
        let cache = HttpCache::new(temp("roundtrip"));
        let url = "http://127.0.0.1:8080/levels/a.ron";
        assert!(cache.get(url).is_none());
        cache
            .put(url, b"Level(...)", Some("\"v1\"".into()), None, 100)
            .unwrap();
        let entry = cache.get(url).unwrap();
        assert_eq!(entry.bytes, b"Level(...)");
        assert_eq!(entry.meta.etag.as_deref(), Some("\"v1\""));
        assert!(cache.get("http://127.0.0.1:8080/levels/b.ron").is_none());
        cache.touch(&entry, 200).unwrap();
        assert_eq!(cache.get(url).unwrap().meta.saved, 200);
        let _ = std::fs::remove_dir_all(cache.dir());
    }

    #[test]
    fn a_damaged_copy_is_a_miss() {
        let cache = HttpCache::new(temp("damaged"));
        let url = "http://h/works/a.png";
        cache.put(url, b"\x89PNG....", None, None, 1).unwrap();
        let body = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "body"))
            .unwrap();
        std::fs::write(&body, b"\x89PNG..X.").unwrap();
        assert!(cache.get(url).is_none());
        let _ = std::fs::remove_dir_all(cache.dir());
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(utc_label(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_label(1_796_000_000), "2026-11-30 00:53 UTC");
        assert_eq!(utc_label(951_782_400), "2000-02-29 00:00 UTC");
    }
}
