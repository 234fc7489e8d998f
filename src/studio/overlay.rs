//! The studio overlay: the works visitors published, kept as a small RON level file in the
//! exhibition's data directory (`studio.ron`) and merged into the exhibition when it loads
//! (plain Rust).
//!
//! ```ron
//! Overlay(
//!     format: 1,
//!     exhibition: "slow-light",
//!     works: [ (id: "tide-study", title: "Tide Study", ...), ],
//! )
//! ```
//!
//! The works are written exactly as in a level. Merging appends them after the base level's
//! works (whose placements are filled first, so publishing never moves a curator's work), runs
//! the layout step for any `Auto` placement and every check, and reports only what the overlay
//! adds, located in the overlay's own text.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::level::check::{self, AssetBytes, Severity};
use crate::level::locate::Locator;
use crate::level::schema::{Level, Placement, Work};
use crate::level::{Diagnostic, content, layout};

/// The overlay format this build reads and writes.
pub const OVERLAY_FORMAT: u32 = 1;
/// The overlay's file name in `<data dir>/<exhibition id>/`.
pub const FILE_NAME: &str = "studio.ron";

/// Works published in the studio, for one exhibition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Overlay", deny_unknown_fields)]
pub struct Overlay {
    pub format: u32,
    /// The `exhibition.id` of the level it belongs to.
    pub exhibition: String,
    pub works: Vec<Work>,
}

impl Overlay {
    pub fn new(exhibition: &str) -> Overlay {
        Overlay {
            format: OVERLAY_FORMAT,
            exhibition: exhibition.to_string(),
            works: Vec::new(),
        }
    }

    /// The file's text, as a curator would write it.
    pub fn to_ron(&self) -> Result<String, String> {
        let config = ron::ser::PrettyConfig::new()
            .struct_names(true)
            .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
        let body = ron::ser::to_string_pretty(self, config).map_err(|e| e.to_string())?;
        Ok(format!(
            "// Works published in the studio of \"{}\" (written by Vernissage; see docs/studio.md).\n{body}\n",
            self.exhibition
        ))
    }
}

/// Whether a file's text is an overlay rather than a level (its first value is `Overlay(`).
pub fn is_overlay(text: &str) -> bool {
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    loop {
        rest = rest.trim_start();
        // Comments, and the `#![enable(...)]` line RON writes for its extensions.
        if rest.starts_with("//") || rest.starts_with("#!") {
            rest = rest.find('\n').map_or("", |i| &rest[i..]);
        } else {
            return rest.starts_with("Overlay");
        }
    }
}

fn error(line: usize, column: usize, path: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        line,
        column,
        path: path.to_string(),
        message,
    }
}

/// Reads an overlay; syntax errors and a wrong format come back located.
pub fn parse(text: &str) -> Result<Overlay, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let overlay: Overlay = crate::level::ron_options().from_str(text).map_err(|e| {
        vec![error(
            e.span.start.line.max(1),
            e.span.start.col.max(1),
            "",
            e.code.to_string(),
        )]
    })?;
    if overlay.format == 0 || overlay.format > OVERLAY_FORMAT {
        let pos = Locator::new(text).find("format");
        return Err(vec![error(
            pos.line,
            pos.column,
            "format",
            format!(
                "overlay format {} is not one this build reads (1 to {OVERLAY_FORMAT})",
                overlay.format
            ),
        )]);
    }
    Ok(overlay)
}

/// The exhibition with an overlay's works, or what is wrong with them: a level report whose
/// level is the base with the overlay's works appended and placed (`None` on errors), whose
/// diagnostics are located in the overlay's text, and whose content hashes are the overlay
/// works'.
pub type Merged = crate::level::Report;

/// Merges the overlay `text` into `base`, a valid level whose placements are filled (as
/// `level::check` leaves it); `assets` are the base level's asset bytes, so its own works
/// check as before.
pub fn merge(base: &Level, text: &str, assets: &AssetBytes) -> Merged {
    let failed = |diagnostics| Merged {
        level: None,
        diagnostics,
        content_hashes: Default::default(),
    };
    let overlay = match parse(text) {
        Ok(o) => o,
        Err(diagnostics) => return failed(diagnostics),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let locator = Locator::new(text);
    if overlay.exhibition != base.exhibition.id {
        let pos = locator.find("exhibition");
        return failed(vec![error(
            pos.line,
            pos.column,
            "exhibition",
            format!(
                "this overlay belongs to \"{}\", not to \"{}\"",
                overlay.exhibition, base.exhibition.id
            ),
        )]);
    }
    merge_works(base, &overlay.works, assets, |path| {
        let p = locator.find(path);
        (p.line, p.column)
    })
}

/// [`merge`] of works already read; `locate` turns an overlay path (`works[0].title`) into
/// a line and column.
pub fn merge_works(
    base: &Level,
    works: &[Work],
    assets: &AssetBytes,
    locate: impl Fn(&str) -> (usize, usize),
) -> Merged {
    let n = base.works.len();
    let mut level = base.clone();
    level.works.extend(works.iter().cloned());
    let mut findings = layout::fill(&mut level);
    findings.extend(check::check(&level, assets));
    let before: BTreeSet<(String, String)> = check::check(base, assets)
        .into_iter()
        .map(|f| (f.path, f.message))
        .collect();
    let mut diagnostics: Vec<Diagnostic> = findings
        .into_iter()
        .filter(|f| !before.contains(&(f.path.clone(), f.message.clone())))
        .map(|f| {
            let path = overlay_path(&f.path, n).unwrap_or_else(|| f.path.clone());
            let (line, column) = if path == f.path {
                // About the base level (a budget the overlay's works exceed): at the start.
                (1, 1)
            } else {
                locate(&path)
            };
            Diagnostic {
                severity: f.severity,
                line,
                column,
                path,
                message: f.message,
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| (d.line, d.column, d.severity));
    let content_hashes = level.works[n..]
        .iter()
        .filter_map(|w| Some((w.id.clone(), content::content_hash(w, None)?)))
        .collect();
    let errors = diagnostics.iter().any(Diagnostic::is_error);
    Merged {
        level: (!errors).then_some(level),
        diagnostics,
        content_hashes,
    }
}

/// `works[k]...` of the merged level as the overlay's `works[k - n]...`; `None` for paths
/// about the base level.
fn overlay_path(path: &str, n: usize) -> Option<String> {
    let rest = path.strip_prefix("works[")?;
    let (index, tail) = rest.split_once(']')?;
    let k: usize = index.parse().ok()?;
    (k >= n).then(|| format!("works[{}]{tail}", k - n))
}

/// Where a new work would hang: the base level (filled) plus `published`, with `work` placed
/// by the layout step; the work with its concrete placement, or why it does not fit.
pub fn place(base: &Level, published: &[Work], work: &Work) -> Result<Work, String> {
    let mut works = published.to_vec();
    works.push(work.clone());
    let merged = merge_works(base, &works, &AssetBytes::new(), |_| (1, 1));
    let last = format!("works[{}]", works.len() - 1);
    let mine: Vec<String> = merged
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.path.starts_with(&last))
        .map(|d| d.message.clone())
        .collect();
    if !mine.is_empty() {
        return Err(mine.join("; "));
    }
    let Some(level) = merged.level else {
        let first = merged
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map_or_else(String::new, |d| format!("{}: {}", d.path, d.message));
        return Err(format!("the published works do not check: {first}"));
    };
    let placed = level.works.last().cloned().expect("just appended");
    if matches!(placed.placement, Placement::Auto { .. }) {
        return Err("no free wall is left for it".into());
    }
    Ok(placed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::level::schema::{Role, Share, WorkKind};

    pub(crate) fn base() -> Level {
        let bytes = std::fs::read("levels/default.ron").unwrap();
        let report =
            crate::level::read_level(&bytes, |p| std::fs::read(p).map_err(|e| e.to_string()));
        report.valid_level().unwrap().clone()
    }

    pub(crate) fn published(id: &str, seed: u64) -> Work {
        Work {
            id: id.into(),
            title: format!("Study {seed}"),
            artist: "Ada Vale".into(),
            year: 2026,
            medium: "Generative (flow-field), made in the studio".into(),
            description: String::new(),
            alt_text: "Swirling strokes.".into(),
            license: "CC BY 4.0".into(),
            kind: WorkKind::Generative {
                algorithm: "flow-field".into(),
                seed,
                params: Default::default(),
                resolution: 512,
            },
            placement: Placement::Auto {
                rooms: vec!["studio".into()],
            },
            size: (1.0, 1.0),
            frame: Default::default(),
            price: 100,
            editions: 5,
            royalties: vec![Share {
                recipient: "Ada Vale".into(),
                role: Role::Artist,
                percent: 100.0,
            }],
            resale_royalty: 10.0,
            features: Default::default(),
        }
    }

    fn no_assets() -> AssetBytes {
        let mut assets = AssetBytes::new();
        let level = base();
        for (path, _) in check::referenced_assets(&level) {
            assets.insert(
                path.clone(),
                std::fs::read(&path).map_err(|e| e.to_string()),
            );
        }
        assets
    }

    #[test]
    fn an_overlay_round_trips_and_merges_after_the_base_works() {
        let base = base();
        let mut overlay = Overlay::new("slow-light");
        let first = place(&base, &[], &published("study-1", 1)).unwrap();
        assert_eq!(first.placement.room(), "studio");
        overlay.works.push(first);
        let second = place(&base, &overlay.works, &published("study-2", 2)).unwrap();
        assert_ne!(second.placement, overlay.works[0].placement);
        overlay.works.push(second);
        let text = overlay.to_ron().unwrap();
        assert!(is_overlay(&text));
        assert_eq!(parse(&text).unwrap(), overlay);
        let merged = merge(&base, &text, &no_assets());
        assert!(!merged.has_errors(), "{:?}", merged.diagnostics);
        let level = merged.level.unwrap();
        assert_eq!(level.works.len(), base.works.len() + 2);
        // The curator's works stay where they were.
        assert_eq!(level.works[..base.works.len()], base.works[..]);
        assert_eq!(merged.content_hashes.len(), 2);
    }

    #[test]
    fn problems_are_located_in_the_overlay() {
        let base = base();
        let mut overlay = Overlay::new("slow-light");
        let mut work = published("study-1", 1);
        work.price = -5;
        overlay.works.push(work);
        // A duplicate of a curator's work id.
        overlay.works.push(published(&base.works[0].id, 2));
        let text = overlay.to_ron().unwrap();
        let merged = merge(&base, &text, &no_assets());
        assert!(merged.level.is_none());
        let paths: Vec<&str> = merged.diagnostics.iter().map(|d| d.path.as_str()).collect();
        assert!(paths.contains(&"works[0].price"), "{paths:?}");
        assert!(paths.contains(&"works[1].id"), "{paths:?}");
        let price = merged
            .diagnostics
            .iter()
            .find(|d| d.path == "works[0].price")
            .unwrap();
        let line = text.lines().nth(price.line - 1).unwrap();
        assert!(line.contains("price"), "{line}");
    }

    #[test]
    fn wrong_exhibition_format_and_syntax_are_errors() {
        let base = base();
        let text = Overlay::new("other-show").to_ron().unwrap();
        let merged = merge(&base, &text, &no_assets());
        assert!(merged.diagnostics[0].message.contains("other-show"));
        let merged = merge(
            &base,
            "Overlay(format: 7, exhibition: \"slow-light\", works: [])",
            &no_assets(),
        );
        assert_eq!(merged.diagnostics[0].path, "format");
        let merged = merge(
            &base,
            "Overlay(\n  format: 1,\n  works: [(]\n)",
            &no_assets(),
        );
        assert_eq!(merged.diagnostics[0].line, 3);
        assert!(!is_overlay("// c\n(format: 1)"));
        assert!(is_overlay("// c\n\nOverlay(format: 1)"));
        assert!(is_overlay("#![enable(implicit_some)]\nOverlay(format: 1)"));
    }
}
