//! What the player asked for at launch: which level, where data goes, watch, screenshot and
//! measure modes.

use std::path::PathBuf;

use bevy::prelude::*;

/// Where a level comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelLocation {
    /// A file on disk: the exhibition root folder and the level's path inside it.
    File { root: String, level: String },
    /// An http(s) URL.
    Url(String),
}

impl LevelLocation {
    pub fn parse(text: &str) -> LevelLocation {
        // Anything with a scheme is an address; loading refuses all but http and https.
        if text.contains("://") {
            return LevelLocation::Url(text.to_string());
        }
        let (root, level) = crate::level::exhibition_root(text);
        LevelLocation::File { root, level }
    }

    /// How the level is named in messages.
    pub fn label(&self) -> String {
        match self {
            LevelLocation::File { root, level } if root == "." => level.clone(),
            LevelLocation::File { root, level } if root.ends_with('/') => format!("{root}{level}"),
            LevelLocation::File { root, level } => format!("{root}/{level}"),
            LevelLocation::Url(url) => url.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Screenshot {
    pub path: PathBuf,
    pub frames: u32,
}

/// `--measure`: once everything is loaded, render `warmup` frames untimed, time `frames` more,
/// write the figures as JSON to `path` and exit.
#[derive(Debug, Clone)]
pub struct Measure {
    pub path: PathBuf,
    pub warmup: u32,
    pub frames: u32,
}

/// When the process started, as near as the program can tell: the first call to this function,
/// which `main` makes before anything else.
pub fn process_start() -> bevy::platform::time::Instant {
    static START: std::sync::OnceLock<bevy::platform::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(bevy::platform::time::Instant::now)
}

/// The launch options, as a resource.
#[derive(Resource, Debug, Clone)]
pub struct Launch {
    pub level: LevelLocation,
    pub data_dir: Option<PathBuf>,
    pub watch: bool,
    pub screenshot: Option<Screenshot>,
    pub measure: Option<Measure>,
    /// Build the level without its works (rooms, doorways and the same lights only): the
    /// baseline scene measurements compare the works' cost against.
    pub baseline: bool,
    /// A visitor script the person's own visitor performs (e.g. screenshots along a path).
    pub script: Option<crate::simulate::script::Script>,
    /// `--timeout`: seconds one download may take (levels and works opened by URL).
    pub timeout: Option<f64>,
}

/// `levels/default.ron` in the working directory, or else in the source checkout.
pub fn default_level_path() -> String {
    let local = "levels/default.ron";
    #[cfg(not(target_arch = "wasm32"))]
    {
        if !std::path::Path::new(local).exists() {
            let checkout = concat!(env!("CARGO_MANIFEST_DIR"), "/levels/default.ron");
            if std::path::Path::new(checkout).exists() {
                return checkout.to_string();
            }
        }
    }
    local.to_string()
}

/// The data directory: `--data-dir`, or the platform's (e.g. `~/.local/share/vernissage`).
#[cfg(not(target_arch = "wasm32"))]
pub fn data_root(base: Option<&std::path::Path>) -> Option<PathBuf> {
    match base {
        Some(dir) => Some(dir.to_path_buf()),
        None => Some(
            directories::ProjectDirs::from("org", "Vernissage", "vernissage")?
                .data_dir()
                .to_path_buf(),
        ),
    }
}

/// The data folder of one exhibition: `<data dir>/<exhibition id>/`.
#[cfg(not(target_arch = "wasm32"))]
pub fn exhibition_data_dir(base: Option<&std::path::Path>, exhibition_id: &str) -> Option<PathBuf> {
    Some(data_root(base)?.join(exhibition_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_exhibition_gets_its_own_data_folder() {
        let base = std::path::Path::new("/tmp/vernissage-data");
        let a = exhibition_data_dir(Some(base), "slow-light").unwrap();
        let b = exhibition_data_dir(Some(base), "small-hours").unwrap();
        assert_eq!(a, base.join("slow-light"));
        assert_ne!(a, b);
        // Without --data-dir the platform's data directory is used, still one folder per show.
        if let Some(default) = exhibition_data_dir(None, "slow-light") {
            assert!(default.ends_with("slow-light"));
        }
    }

    #[test]
    fn level_locations_split_into_root_and_file() {
        assert_eq!(
            LevelLocation::parse("levels/default.ron"),
            LevelLocation::File {
                root: ".".into(),
                level: "levels/default.ron".into()
            }
        );
        assert_eq!(
            LevelLocation::parse("https://example.org/show/levels/a.ron"),
            LevelLocation::Url("https://example.org/show/levels/a.ron".into())
        );
    }
}
