//! Recently opened exhibitions by URL, newest first, for the title screen's level picker: kept
//! in the data directory (desktop) or localStorage (browser).

use serde::{Deserialize, Serialize};

/// How many addresses are remembered.
pub const KEPT: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentLevel {
    pub url: String,
    /// The exhibition's title when it last opened.
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentLevels {
    pub levels: Vec<RecentLevel>,
}

impl RecentLevels {
    /// Reads the saved list; anything unreadable is an empty list (it is only a convenience).
    pub fn parse(text: &str) -> RecentLevels {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// `url` opened: to the front, once, with its current title.
    pub fn opened(&mut self, url: &str, title: &str) {
        self.levels.retain(|l| l.url != url);
        self.levels.insert(
            0,
            RecentLevel {
                url: url.to_string(),
                title: title.to_string(),
            },
        );
        self.levels.truncate(KEPT);
    }

    pub fn forget(&mut self, url: &str) {
        self.levels.retain(|l| l.url != url);
    }
}

/// Where the list lives on the desktop: `<data dir>/recent-levels.json`.
#[cfg(not(target_arch = "wasm32"))]
pub fn load(data_root: Option<&std::path::Path>) -> RecentLevels {
    data_root
        .and_then(|root| std::fs::read_to_string(root.join("recent-levels.json")).ok())
        .map(|text| RecentLevels::parse(&text))
        .unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn save(data_root: Option<&std::path::Path>, recent: &RecentLevels) -> Result<(), String> {
    let Some(root) = data_root else {
        return Ok(());
    };
    let path = root.join("recent-levels.json");
    std::fs::create_dir_all(root)
        .and_then(|()| {
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, recent.to_text())?;
            std::fs::rename(&tmp, &path)
        })
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(target_arch = "wasm32")]
const STORAGE_KEY: &str = "vernissage.recent-levels";

#[cfg(target_arch = "wasm32")]
pub fn load(_data_root: Option<&std::path::Path>) -> RecentLevels {
    crate::web::storage::local_get(STORAGE_KEY)
        .map(|text| RecentLevels::parse(&text))
        .unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
pub fn save(_data_root: Option<&std::path::Path>, recent: &RecentLevels) -> Result<(), String> {
    crate::web::storage::local_set(STORAGE_KEY, &recent.to_text());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_once_and_only_a_few() {
        let mut recent = RecentLevels::default();
        recent.opened("http://a/levels/1.ron", "One");
        recent.opened("http://a/levels/2.ron", "Two");
        recent.opened("http://a/levels/1.ron", "One again");
        assert_eq!(recent.levels[0].url, "http://a/levels/1.ron");
        assert_eq!(recent.levels[0].title, "One again");
        assert_eq!(recent.levels.len(), 2);
        for i in 0..20 {
            recent.opened(&format!("http://a/levels/x{i}.ron"), "x");
        }
        assert_eq!(recent.levels.len(), KEPT);
        recent.forget("http://a/levels/x19.ron");
        assert_eq!(recent.levels.len(), KEPT - 1);
        assert_eq!(RecentLevels::parse(&recent.to_text()), recent);
        assert_eq!(RecentLevels::parse("garbage"), RecentLevels::default());
    }
}
